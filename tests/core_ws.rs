//! The core over real WebSockets: joining, resuming, restarts, bad frames, authorisation.

mod common;

use common::{ADMIN_TOKEN, Client, TestServer};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

fn code_of(session: &serde_json::Value) -> String {
    session["code"].as_str().unwrap().to_string()
}

crate::on_both_stores! {
    #[tokio::test]
    async fn a_phone_joins_and_the_facilitator_sees_it() {
        let server = TestServer::start().await;
        let session = server.create_session(&["bingo", "fresque"]).await;
        let code = code_of(&session);
        assert!(
            session["join_url"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/j/{code}"))
        );

        let (mut staff, staff_welcome) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        assert_eq!(staff_welcome["role"], "facilitator");
        assert_eq!(staff_welcome["participants"], json!([]));

        let (_ada, welcome) = Client::join(server.addr, &code.to_lowercase(), "  Ada  ").await;
        assert_eq!(welcome["role"], "participant");
        assert_eq!(welcome["you"]["name"], "Ada");
        assert_eq!(welcome["session"]["phase"]["kind"], "lobby");
        assert!(welcome["token"].as_str().unwrap().len() >= 40);

        let joined = staff.expect("participant.joined").await;
        assert_eq!(joined["name"], "Ada");
        let online = staff.expect("presence").await;
        assert_eq!(online["online"], true);

        // Names are unique within a session: the second "ada" is asked for another one.
        let mut second = Client::connect(server.addr).await;
        second
            .send(json!({"type": "join", "code": code, "name": "ada"}))
            .await;
        let refused = second.next().await;
        assert_eq!(refused["code"], "name_taken", "{refused}");
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn a_dropped_phone_resumes_with_identical_state() {
        let server = TestServer::start().await;
        let code = code_of(&server.create_session(&["bingo"]).await);
        let (ada, welcome) = Client::join(server.addr, &code, "Ada").await;
        let token = welcome["token"].as_str().unwrap().to_string();
        ada.close().await;

        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        staff.send(json!({"type": "phase.next"})).await;
        staff.expect("phase.changed").await;

        let (_ada, resumed) = Client::resume(server.addr, &token).await;
        assert_eq!(resumed["type"], "welcome");
        assert_eq!(resumed["you"], welcome["you"]);
        assert_eq!(
            resumed["session"]["phase"],
            json!({"kind": "activity", "index": 0}),
            "the phase moved on while away"
        );
        assert!(resumed["seq"].as_u64().unwrap() > welcome["seq"].as_u64().unwrap());
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn a_session_survives_a_server_restart() {
        let mut server = TestServer::start().await;
        let code = code_of(&server.create_session(&["bingo", "fresque"]).await);
        let (ada, ada_welcome) = Client::join(server.addr, &code, "Ada").await;
        let (_bob, bob_welcome) = Client::join(server.addr, &code, "Bob").await;
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        staff.send(json!({"type": "phase.next"})).await;
        let changed = staff.expect("phase.changed").await;
        drop(ada);

        server.restart().await;

        for (welcome, name) in [(&ada_welcome, "Ada"), (&bob_welcome, "Bob")] {
            let (_phone, resumed) =
                Client::resume(server.addr, welcome["token"].as_str().unwrap()).await;
            assert_eq!(resumed["type"], "welcome", "{resumed}");
            assert_eq!(resumed["you"]["name"], name);
            assert_eq!(resumed["session"]["phase"], changed["phase"]);
            assert_eq!(resumed["seq"], changed["seq"]);
        }
        let (_staff, staff_welcome) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let names: Vec<_> = staff_welcome["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].clone())
            .collect();
        assert_eq!(names, vec![json!("Ada"), json!("Bob")]);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn bad_frames_get_errors_and_change_nothing() {
        let server = TestServer::start().await;
        let code = code_of(&server.create_session(&["bingo"]).await);

        // Before the hello: bad hellos are answered and the connection stays usable.
        let mut phone = Client::connect(server.addr).await;
        for (frame, expected) in [
            ("not json", "bad_json"),
            ("{\"no\":\"type\"}", "missing_type"),
            ("{\"type\":\"fly\"}", "unknown_type"),
            (
                "{\"type\":\"join\",\"code\":\"ZZZZZZ\",\"name\":\"Ada\"}",
                "unknown_code",
            ),
            (
                &format!("{{\"type\":\"join\",\"code\":\"{code}\",\"name\":\"   \"}}"),
                "bad_name",
            ),
            (
                &format!(
                    "{{\"type\":\"join\",\"code\":\"{code}\",\"name\":\"{}\"}}",
                    "x".repeat(41)
                ),
                "bad_name",
            ),
            (
                "{\"type\":\"resume\",\"token\":\"forged\"}",
                "unknown_token",
            ),
        ] {
            phone.send_raw(Message::Text(frame.into())).await;
            let answer = phone.next().await;
            assert_eq!(answer["type"], "error", "{frame}");
            assert_eq!(answer["code"], expected, "{frame}: {answer}");
            assert!(!answer["message"].as_str().unwrap().is_empty());
        }
        phone.send_raw(Message::Binary(vec![1, 2, 3].into())).await;
        assert_eq!(phone.next().await["code"], "binary_frame");

        phone
            .send(json!({"type": "join", "code": code, "name": "Ada"}))
            .await;
        let welcome = phone.next().await;
        assert_eq!(welcome["type"], "welcome");

        // After the hello: bad actions are answered, state unchanged.
        for (frame, expected) in [
            (
                json!({"type": "phase.set", "phase": {"kind": "nowhere"}}),
                "bad_fields",
            ),
            (
                json!({"type": "participant.remove", "pid": "x"}),
                "bad_fields",
            ),
            (json!({"type": "dance"}), "unknown_type"),
        ] {
            phone.send(frame.clone()).await;
            assert_eq!(phone.next().await["code"], expected, "{frame}");
        }
        let (_staff, staff_welcome) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        assert_eq!(staff_welcome["seq"], welcome["seq"], "nothing was stored");
        assert_eq!(staff_welcome["session"]["phase"]["kind"], "lobby");
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn oversize_frames_close_the_connection() {
        let server = TestServer::start().await;
        let mut phone = Client::connect(server.addr).await;
        phone
            .send_raw(Message::Text("x".repeat(17 * 1024).into()))
            .await;
        assert!(
            phone.try_next().await.is_none(),
            "the server closes on a frame over 16 KiB"
        );
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn participants_cannot_act_as_facilitators() {
        let server = TestServer::start().await;
        let code = code_of(&server.create_session(&["bingo"]).await);
        let (mut ada, welcome) = Client::join(server.addr, &code, "Ada").await;
        let (_bob, bob) = Client::join(server.addr, &code, "Bob").await;

        for frame in [
            json!({"type": "phase.next"}),
            json!({"type": "phase.set", "phase": {"kind": "closed"}}),
            json!({"type": "participant.remove", "pid": bob["you"]["pid"]}),
        ] {
            ada.send(frame.clone()).await;
            let answer = ada.next().await;
            assert_eq!(answer["code"], "forbidden", "{frame}: {answer}");
        }
        // A participant's resume token is no staff credential.
        let token = welcome["token"].as_str().unwrap();
        let (mut fake, _) = Client::staff(server.addr, &code, token).await;
        let _ = &mut fake;
        let (_anon, anon) = Client::staff(server.addr, &code, "nope").await;
        assert_eq!(anon["code"], "unauthorized");

        // HTTP: the API needs an organiser or facilitator token.
        let http = server.http();
        let no_auth = http
            .post(server.url("/api/sessions"))
            .json(&json!({"title": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(no_auth.status(), 401);
        let as_phone = http
            .get(server.url("/api/sessions"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(as_phone.status(), 401);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn facilitators_only_drive_their_own_sessions() {
        let server = TestServer::start().await;
        let alice = server.facilitator_token("alice").await;
        let bob = server.facilitator_token("bob").await;
        let code = code_of(&server.create_session_as(&alice, &["bingo"]).await);

        let (_a, welcome) = Client::staff(server.addr, &code, &alice).await;
        assert_eq!(welcome["type"], "welcome");
        let (_b, refused) = Client::staff(server.addr, &code, &bob).await;
        assert_eq!(refused["code"], "forbidden");

        let http = server.http();
        let read = http
            .get(server.url(&format!("/api/sessions/{code}")))
            .bearer_auth(&bob)
            .send()
            .await
            .unwrap();
        assert_eq!(
            read.status(),
            404,
            "another facilitator's session is invisible"
        );
        let list: serde_json::Value = http
            .get(server.url("/api/sessions"))
            .bearer_auth(&bob)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["sessions"], json!([]));
        let mine: serde_json::Value = http
            .get(server.url("/api/sessions"))
            .bearer_auth(&alice)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine["sessions"][0]["code"], code);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn a_removed_participant_is_told_and_can_rejoin() {
        let server = TestServer::start().await;
        let code = code_of(&server.create_session(&[]).await);
        let (mut ada, welcome) = Client::join(server.addr, &code, "Ada").await;
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        staff
            .send(json!({"type": "participant.remove", "pid": welcome["you"]["pid"]}))
            .await;
        staff.expect("participant.removed").await;
        let bye = ada.expect("bye").await;
        assert_eq!(bye["reason"], "removed");

        let (_again, refused) = Client::resume(server.addr, welcome["token"].as_str().unwrap()).await;
        assert_eq!(refused["code"], "removed");
        let (_ada, rejoined) = Client::join(server.addr, &code, "Ada").await;
        assert_eq!(rejoined["you"]["name"], "Ada");
        assert_ne!(rejoined["you"]["pid"], welcome["you"]["pid"]);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn session_creation_is_validated() {
        let server = TestServer::start().await;
        let http = server.http();
        for (body, status) in [
            (json!({"title": ""}), 422),
            (json!({"title": "x", "lang": "de"}), 422),
            (json!({"title": "x", "activities": ["quiz"]}), 422),
            (json!({"title": "x", "activities": ["bingo", "bingo"]}), 422),
            // Well-formed JSON of the wrong shape: 422 invalid_body, as every API body.
            (json!({"title": "x", "extra": 1}), 422),
        ] {
            let response = http
                .post(server.url("/api/sessions"))
                .bearer_auth(ADMIN_TOKEN)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), status, "{body}");
            let error: serde_json::Value = response.json().await.unwrap();
            assert!(error["error"]["message"].as_str().is_some(), "{error}");
        }
        let qr = http.get(server.url("/qr/ACDEFG.svg")).send().await.unwrap();
        assert_eq!(qr.headers()["content-type"], "image/svg+xml");
        assert_eq!(
            http.get(server.url("/healthz"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn guessing_join_codes_is_cut_off() {
        let server = TestServer::start().await;
        server.create_session(&[]).await;
        let mut cut_off = false;
        let mut tried = 0;
        // Many connections (each within its own frame rate limit) from one address.
        'guessing: for _ in 0..15 {
            let Ok(mut guesser) = Client::connect_from(server.addr, [127, 0, 0, 1]).await else {
                // The address used up its guesses: no new socket either.
                cut_off = true;
                break 'guessing;
            };
            for _ in 0..25 {
                guesser
                    .send(json!({"type": "join", "code": "ACDEFG", "name": "x"}))
                    .await;
                match guesser.try_next().await {
                    Some(answer) if answer["code"] == "unknown_code" => {
                        tried += 1;
                        continue;
                    }
                    Some(answer) if answer["code"] == "rate_limited" => {
                        cut_off = true;
                        break 'guessing;
                    }
                    other => panic!("unexpected answer {other:?}"),
                }
            }
        }
        assert!(
            cut_off,
            "300 wrong codes from one address must be refused (tried {tried})"
        );
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn decks_dropped_in_the_data_directory_become_choices() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("decks")).unwrap();
        let deck = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/cards/open-badges.toml"
        ))
        .unwrap()
        .replace("id = \"open-badges\"", "id = \"atelier-regional\"")
        .replace(
            "name.fr = \"Open Badges : le vocabulaire et les étapes\"",
            "name.fr = \"Jeu régional\"",
        );
        std::fs::write(dir.path().join("decks/regional.toml"), deck).unwrap();
        let server = TestServer::start_in(dir.path()).await;

        let token = server.facilitator_token("dora").await;
        let dashboard = server
            .http()
            .get(server.url("/f"))
            .header("cookie", format!("atelier_session={token}"))
            .header("accept-language", "fr")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            dashboard.contains("Jeu régional") && dashboard.contains("value=\"atelier-regional\""),
            "{dashboard}"
        );
        let created = server
            .http()
            .post(server.url("/api/sessions"))
            .bearer_auth(&token)
            .json(&json!({"title": "Régional", "deck": "atelier-regional"}))
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let session: serde_json::Value = created.json().await.unwrap();
        assert_eq!(session["deck"], "atelier-regional");
        let unknown = server
            .http()
            .post(server.url("/api/sessions"))
            .bearer_auth(&token)
            .json(&json!({"title": "x", "deck": "nope"}))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 422);
    }
}

crate::on_both_stores! {
    /// Phones and consoles that arrive together are attached in one turn of the room: each must
    /// still get its `welcome` before any event (the welcome's snapshot already holds the events
    /// of that turn that came before it; sent first, they would be seen twice or out of order).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_welcome_is_the_first_frame_of_every_connection_that_arrives_in_a_crowd() {
        let server = TestServer::start().await;
        let code = code_of(&server.create_session(&["bingo"]).await);
        let (_first_staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        for round in 0..5 {
            // Connected first, then all their first frames sent at once: one crowd.
            let mut arriving = Vec::new();
            for i in 0..40 {
                let staff = i % 10 == 9;
                let client = if staff {
                    Client::connect_with(server.addr, Some(ADMIN_TOKEN)).await
                } else {
                    Client::connect(server.addr).await
                };
                arriving.push((client, staff, format!("P{round}-{i}")));
            }
            futures_util::future::join_all(arriving.iter_mut().map(|(client, staff, name)| {
                let hello = if *staff {
                    json!({"type": "staff", "code": code})
                } else {
                    json!({"type": "join", "code": code, "name": name})
                };
                client.send(hello)
            }))
            .await;
            let arriving: Vec<Client> = arriving.into_iter().map(|(client, ..)| client).collect();
            for mut client in arriving {
                let first = client.next().await;
                assert_eq!(first["type"], "welcome", "round {round}: {first}");
            }
        }
    }
}

crate::on_both_stores! {
    /// Names end up in signed badges: what a phone sends is cleaned of invisible characters and
    /// normalised, and a look-alike mixing alphabets is refused with a clear error.
    #[tokio::test]
    async fn names_are_normalised_and_look_alikes_refused_at_join() {
        let server = TestServer::start().await;
        let code = code_of(&server.create_session(&["bingo"]).await);
        let mut phone = Client::connect(server.addr).await;
        phone
            .send(json!({"type": "join", "code": code, "name": "\u{430}da Lovelace"}))
            .await;
        let refused = phone.expect("error").await;
        assert_eq!(refused["code"], "bad_name", "{refused}");
        phone
            .send(json!({"type": "join", "code": code, "name": "Ame\u{301}lie \u{202E}tnerruC\u{202C}\u{200B}"}))
            .await;
        let welcome = phone.expect("welcome").await;
        assert_eq!(welcome["you"]["name"], "Amélie tnerruC");
    }
}

/// Phones ping every few seconds to notice a connection that died without closing (issue 19):
/// the transport answers at once, the room never hears of it, and a look-alike with more fields
/// is an ordinary (unknown) command.
#[tokio::test]
async fn a_ping_gets_a_pong_and_nothing_else() {
    let server = TestServer::start().await;
    let code = server.create_session(&["bingo"]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    let (mut ada, _) = Client::join(server.addr, &code, "Ada").await;
    staff.expect("participant.joined").await;
    for _ in 0..3 {
        ada.send(json!({"type": "ping"})).await;
        let pong = ada.next().await;
        assert_eq!(pong, json!({"type": "pong"}));
    }
    ada.send(json!({"type": "ping", "room": "everyone"})).await;
    assert_eq!(ada.expect("error").await["code"], "unknown_type");
    // The room stored none of it: the next command follows the join (seq 1) directly.
    staff.send(json!({"type": "phase.next"})).await;
    let next = staff.expect("phase.changed").await;
    assert_eq!(next["seq"], 2, "{next}");
}
