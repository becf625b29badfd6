//! Feedback end to end: the phone posts with its resume token after the badge; values are
//! validated; one feedback per participant; nothing identifies who wrote it; staff screens get
//! live figures and, when the facilitator chooses, the comments; organisers export CSV and JSON.

mod common;

use common::{ADMIN_TOKEN, Client, TestServer};
use serde_json::{Value, json};

struct Workshop {
    code: String,
    screen_key: String,
}

async fn workshop(server: &TestServer, activities: &[&str]) -> Workshop {
    let session = server.create_session(activities).await;
    let screen_url = session["screen_url"].as_str().unwrap();
    Workshop {
        code: session["code"].as_str().unwrap().to_string(),
        screen_key: screen_url.split("?k=").nth(1).unwrap().to_string(),
    }
}

/// A phone joins; returns its connection and resume token.
async fn phone(server: &TestServer, code: &str, name: &str) -> (Client, String) {
    let (client, welcome) = Client::join(server.addr, code, name).await;
    let token = welcome["token"].as_str().unwrap().to_string();
    (client, token)
}

async fn set_phase(staff: &mut Client, kind: &str) {
    staff
        .send(json!({"type": "phase.set", "phase": {"kind": kind}}))
        .await;
    let changed = staff.expect("phase.changed").await;
    assert_eq!(changed["phase"]["kind"], kind);
}

async fn post(server: &TestServer, body: &Value) -> (u16, Value) {
    let response = server
        .http()
        .post(server.url("/api/feedback"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn export_json(server: &TestServer, query: &str) -> Value {
    let response = server
        .http()
        .get(server.url(&format!("/api/feedback.json{query}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "export {query}");
    response.json().await.unwrap()
}

async fn stored_count(server: &TestServer) -> u64 {
    export_json(server, "").await["count"].as_u64().unwrap()
}

crate::on_both_stores! {
    #[tokio::test]
    async fn feedback_is_validated_comes_after_the_badge_once_and_anonymously() {
        let server = TestServer::start().await;
        let ws = workshop(&server, &["bingo", "fresque"]).await;
        let (mut staff, welcome) = Client::staff(server.addr, &ws.code, ADMIN_TOKEN).await;
        assert_eq!(welcome["type"], "welcome");
        let mut screen = Client::connect(server.addr).await;
        screen
            .send(json!({"type": "screen", "code": ws.code, "key": ws.screen_key}))
            .await;
        assert_eq!(screen.next().await["type"], "welcome");
        let (_ada, ada) = phone(&server, &ws.code, "Ada Lovelace").await;
        let (_bob, bob) = phone(&server, &ws.code, "Bob Marley").await;

        let good = json!({"token": ada, "overall": 4, "activities": {"bingo": 5, "fresque": 3},
                          "comment": "Très bien, merci ! La fresque « reconnaissance » était top."});

        // Before the badge: refused, with a message.
        let (status, body) = post(&server, &good).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "not_yet");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
        let check: Value = server
            .http()
            .post(server.url("/api/feedback/check"))
            .json(&json!({"token": ada}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(check["allowed"], false);
        assert_eq!(check["given"], false);

        set_phase(&mut staff, "feedback").await;

        // A bad token: 401.
        let (status, body) = post(&server, &json!({"token": "not-a-token", "overall": 4})).await;
        assert_eq!(status, 401, "{body}");
        let (status, _) = post(&server, &json!({"overall": 4})).await;
        assert_eq!(status, 401);

        // Bad values: 422 with a clear message, nothing stored.
        let long = "é".repeat(2001);
        let bad = [
            (json!({"token": ada, "overall": 0}), "invalid_rating"),
            (json!({"token": ada, "overall": 6}), "invalid_rating"),
            (json!({"token": ada, "overall": 3.5}), "invalid_rating"),
            (json!({"token": ada, "overall": "4"}), "invalid_rating"),
            (json!({"token": ada}), "invalid_rating"),
            (
                json!({"token": ada, "overall": 4, "activities": {"bingo": 0}}),
                "invalid_rating",
            ),
            (
                json!({"token": ada, "overall": 4, "activities": {"fresque": 2.5}}),
                "invalid_rating",
            ),
            (
                json!({"token": ada, "overall": 4, "activities": {"quiz": 3}}),
                "unknown_activity",
            ),
            (
                json!({"token": ada, "overall": 4, "activities": [5, 3]}),
                "invalid",
            ),
            (
                json!({"token": ada, "overall": 4, "comment": long}),
                "comment_too_long",
            ),
            (
                json!({"token": ada, "overall": 4, "comment": 12}),
                "invalid",
            ),
            (
                json!({"token": ada, "overall": 4, "name": "Ada"}),
                "invalid",
            ),
            (json!({"token": ada, "overall": 4, "lang": "de"}), "invalid"),
        ];
        for (body, code) in &bad {
            let (status, answer) = post(&server, body).await;
            assert_eq!(status, 422, "{body} → {answer}");
            assert_eq!(answer["error"]["code"], *code, "{body} → {answer}");
            let message = answer["error"]["message"].as_str().unwrap();
            assert!(message.len() > 10, "a clear message: {message}");
        }
        let (status, _) = post(&server, &json!("just a string")).await;
        assert_eq!(status, 401, "no token in it");
        assert_eq!(stored_count(&server).await, 0, "nothing stored");

        // The real one: accepted; the console and the projector get the figures.
        let (status, body) = post(&server, &good).await;
        assert_eq!(status, 201, "{body}");
        for client in [&mut staff, &mut screen] {
            let stats = client.expect("feedback.stats").await;
            assert_eq!(stats["count"], 1);
            assert_eq!(stats["average"], 4.0);
        }

        // Once only.
        let again = json!({"token": ada, "overall": 1});
        let (status, body) = post(&server, &again).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["error"]["code"], "already_given");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("already")
        );

        // Bob: no comment, one activity.
        let (status, _) = post(
            &server,
            &json!({"token": bob, "overall": 2, "activities": {"bingo": 4}, "lang": "nl"}),
        )
        .await;
        assert_eq!(status, 201);
        let stats = staff.expect("feedback.stats").await;
        assert_eq!(stats["count"], 2);
        assert_eq!(stats["average"], 3.0);

        // The projector (by its key) and the console can read the figures after a reload.
        let stats: Value = server
            .http()
            .get(server.url(&format!(
                "/api/sessions/{}/feedback/stats?k={}",
                ws.code, ws.screen_key
            )))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(stats["count"], 2);
        let refused = server
            .http()
            .get(server.url(&format!("/api/sessions/{}/feedback/stats?k=wrong", ws.code)))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 401);

        // Anonymity: the stored rows hold no name, pid or time of day.
        let db = common::RawDb::of(&server).await;
        let columns = db
            .texts(match &db {
                common::RawDb::Sqlite(_) => "SELECT name FROM pragma_table_info('feedback')",
                common::RawDb::Postgres(_) => {
                    "SELECT CAST(column_name AS TEXT) FROM information_schema.columns
                     WHERE table_name = 'feedback'"
                }
            })
            .await;
        assert!(columns.contains(&"created".to_string()), "{columns:?}");
        for forbidden in ["pid", "name", "email", "participant"] {
            assert!(
                !columns.iter().any(|c| c.contains(forbidden)),
                "column {forbidden} in {columns:?}"
            );
        }
        let ids = db.texts("SELECT id FROM feedback").await;
        let days = db.texts("SELECT created FROM feedback").await;
        let texts = db
            .texts("SELECT ratings || COALESCE(comment, '') FROM feedback")
            .await;
        assert_eq!(ids.len(), 2);
        for ((id, created), text) in ids.iter().zip(&days).zip(&texts) {
            assert_eq!(id.len(), 36, "a random uuid key");
            assert_eq!(created.len(), 10, "day precision: {created}");
            let all = format!("{id}{created}{text}");
            assert!(!all.contains("Ada") && !all.contains("Bob"), "{all}");
        }
        let export = export_json(&server, "").await.to_string();
        assert!(
            !export.contains("Ada") && !export.contains("Bob"),
            "{export}"
        );
        assert!(!export.contains("pid"));

        // Comments on the projector only when the facilitator chooses.
        let path = format!("/api/sessions/{}/feedback/comments", ws.code);
        let anonymous = server
            .http()
            .post(server.url(&path))
            .json(&json!({"show": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401);
        let shown = server
            .http()
            .post(server.url(&path))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"show": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(shown.status(), 200);
        let comments = screen.expect("feedback.comments").await;
        assert_eq!(comments["show"], true);
        assert_eq!(
            comments["comments"],
            json!(["Très bien, merci ! La fresque « reconnaissance » était top."])
        );
        server
            .http()
            .post(server.url(&path))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"show": false}))
            .send()
            .await
            .unwrap();
        let hidden = screen.expect("feedback.comments").await;
        assert_eq!(hidden["show"], false);
        assert_eq!(hidden["comments"], json!([]));
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn a_participant_with_a_badge_may_give_feedback_before_the_feedback_phase() {
        let server = TestServer::start().await;
        let ws = workshop(&server, &["bingo"]).await;
        let (mut staff, _) = Client::staff(server.addr, &ws.code, ADMIN_TOKEN).await;
        let (_ada, ada) = phone(&server, &ws.code, "Ada").await;
        let (_bob, bob) = phone(&server, &ws.code, "Bob").await;
        set_phase(&mut staff, "badges").await;

        // Ada received her badge (pid 1 in this session); Bob has not yet.
        let state = &server.running.as_ref().unwrap().state;
        let session = state
            .store
            .session_by_code(&ws.code)
            .await
            .unwrap()
            .unwrap();
        let (_, ada_pid) = state
            .store
            .participant_for_token(&ada)
            .await
            .unwrap()
            .unwrap();
        state
            .issuer
            .issue(atelier::issuer::IssueRequest {
                name: "Ada",
                email: None,
                achievement_id: None,
                lang: atelier::deck::Lang::Fr,
                session_id: Some(session.id),
                pid: Some(ada_pid),
            })
            .await
            .unwrap();

        let (status, body) = post(
            &server,
            &json!({"token": ada, "overall": 5, "activities": {"bingo": 5}}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let (status, body) = post(&server, &json!({"token": bob, "overall": 5})).await;
        assert_eq!(status, 403, "{body}");
        // Only the activities of this session.
        set_phase(&mut staff, "closed").await;
        let (status, body) = post(
            &server,
            &json!({"token": bob, "overall": 3, "activities": {"fresque": 4}}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["code"], "unknown_activity");
        let (status, _) = post(&server, &json!({"token": bob, "overall": 3})).await;
        assert_eq!(status, 201, "a closed session still takes feedback");
    }
}

/// What one participant submits in the export test.
struct Given {
    overall: u8,
    bingo: Option<u8>,
    fresque: Option<u8>,
    comment: Option<&'static str>,
    lang: &'static str,
}

const TRICKY: [&str; 8] = [
    "Café, « génial » ; très \"bien\"",
    "Ligne 1\nLigne 2\r\nLigne 3, fin",
    "=HYPERLINK(\"http://evil.example\",\"clic\")",
    "+33 6 12 34 56 78",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTabulé",
    "Ελληνικά, 日本語, emoji 🎉",
];

crate::on_both_stores! {
    #[tokio::test]
    async fn exports_give_back_exactly_what_was_stored() {
        let server = TestServer::start().await;
        let first = workshop(&server, &["bingo", "fresque"]).await;
        let second = workshop(&server, &["fresque"]).await;
        let mut expected: Vec<(String, Given)> = Vec::new();
        let mut phones = Vec::new();
        for (i, comment) in TRICKY.iter().enumerate() {
            let ws = if i % 2 == 0 { &first } else { &second };
            let given = Given {
                overall: (i % 5 + 1) as u8,
                bingo: (ws.code == first.code).then_some(((i + 2) % 5 + 1) as u8),
                fresque: (i != 2).then_some(((i + 3) % 5 + 1) as u8),
                comment: Some(comment),
                lang: ["fr", "nl", "en"][i % 3],
            };
            expected.push((ws.code.clone(), given));
        }
        expected.push((
            first.code.clone(),
            Given {
                overall: 3,
                bingo: None,
                fresque: None,
                comment: None,
                lang: "fr",
            },
        ));
        for ws in [&first, &second] {
            let (mut staff, _) = Client::staff(server.addr, &ws.code, ADMIN_TOKEN).await;
            set_phase(&mut staff, "feedback").await;
            phones.push(staff);
        }
        for (i, (code, given)) in expected.iter().enumerate() {
            let (client, token) = phone(&server, code, &format!("P{i}")).await;
            phones.push(client);
            let mut activities = serde_json::Map::new();
            if let Some(v) = given.bingo {
                activities.insert("bingo".into(), json!(v));
            }
            if let Some(v) = given.fresque {
                activities.insert("fresque".into(), json!(v));
            }
            let (status, body) = post(
                &server,
                &json!({"token": token, "overall": given.overall, "activities": activities,
                        "comment": given.comment, "lang": given.lang}),
            )
            .await;
            assert_eq!(status, 201, "{body}");
        }
        let today = atelier::store::feedback::today();

        // Organisers only.
        for path in ["/api/feedback.csv", "/api/feedback.json"] {
            let anonymous = server.http().get(server.url(path)).send().await.unwrap();
            assert_eq!(anonymous.status(), 401, "{path}");
        }
        let facilitator = server.facilitator_token("claire").await;
        for path in ["/api/feedback.csv", "/api/feedback.json"] {
            let refused = server
                .http()
                .get(server.url(path))
                .bearer_auth(&facilitator)
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), 403, "{path}");
        }

        // The CSV, parsed back with a CSV library.
        let response = server
            .http()
            .get(server.url("/api/feedback.csv"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/csv; charset=utf-8")
        );
        assert!(
            response.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a UTF-8 BOM for Excel");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        assert!(
            text.starts_with("session,date,lang,overall,bingo,fresque,comment\r\n"),
            "header row, CRLF: {text}"
        );
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let mut got: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        let safe = |s: &str| {
            if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{s}")
            } else {
                s.to_string()
            }
        };
        let opt = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
        let mut want: Vec<Vec<String>> = expected
            .iter()
            .map(|(code, g)| {
                vec![
                    code.clone(),
                    today.clone(),
                    g.lang.to_string(),
                    g.overall.to_string(),
                    opt(g.bingo),
                    opt(g.fresque),
                    safe(g.comment.unwrap_or_default()),
                ]
            })
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want);
        assert!(
            got.iter()
                .any(|r| r[6] == "'=HYPERLINK(\"http://evil.example\",\"clic\")"),
            "formula neutralised"
        );

        // The JSON: the same rows, comments unchanged.
        let json = export_json(&server, "").await;
        assert_eq!(json["count"], expected.len());
        let mut got: Vec<Value> = json["feedback"].as_array().unwrap().clone();
        let mut want: Vec<Value> = expected
            .iter()
            .map(|(code, g)| {
                let mut activities = serde_json::Map::new();
                if let Some(v) = g.bingo {
                    activities.insert("bingo".into(), json!(v));
                }
                if let Some(v) = g.fresque {
                    activities.insert("fresque".into(), json!(v));
                }
                json!({"session": code, "date": today, "lang": g.lang, "overall": g.overall,
                       "activities": activities, "comment": g.comment})
            })
            .collect();
        let key = |v: &Value| v.to_string();
        got.sort_by_key(key);
        want.sort_by_key(key);
        assert_eq!(got, want);

        // Filters: session, dates.
        let only_second = export_json(&server, &format!("?session={}", second.code)).await;
        assert_eq!(only_second["count"], 4);
        assert!(
            only_second["feedback"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["session"] == second.code.as_str())
        );
        let today_only = export_json(&server, &format!("?from={today}&to={today}")).await;
        assert_eq!(today_only["count"], expected.len());
        let future = export_json(&server, "?from=2999-01-01").await;
        assert_eq!(future["count"], 0);
        let past = export_json(&server, "?to=2000-01-01").await;
        assert_eq!(past["count"], 0);
        let csv_filtered = server
            .http()
            .get(server.url(&format!(
                "/api/feedback.csv?session={}&from={today}",
                first.code
            )))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let rows = csv::Reader::from_reader(&csv_filtered[3..])
            .records()
            .count();
        assert_eq!(rows, 5);
        for bad in ["?from=yesterday", "?to=2025-13-01"] {
            let response = server
                .http()
                .get(server.url(&format!("/api/feedback.json{bad}")))
                .bearer_auth(ADMIN_TOKEN)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 422, "{bad}");
        }
        let unknown = server
            .http()
            .get(server.url("/api/feedback.json?session=ZZZZZZ"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 404);
    }
}
