//! The end of the workshop: the badge desk in its three modes, over real WebSockets, with
//! the badges checked by the third-party verifier; the /claim page and its limits.

mod common;

use common::verifier::{node_ready, run_js_at};
use common::{ADMIN_TOKEN, Client, TestServer};
use serde_json::{Value, json};

/// A session straight at the badge desk, with its facilitator console.
async fn at_badge_desk(server: &TestServer) -> (String, Client) {
    let session = server.create_session(&[]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff.send(json!({"type": "phase.next"})).await;
    let changed = staff.expect("phase.changed").await;
    assert_eq!(changed["phase"]["kind"], "badges");
    (code, staff)
}

/// A claim code's end of validity, `hours` from now (RFC 3339, UTC).
fn in_hours(hours: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(hours))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// Posts the /claim form; the status (303: a badge was made).
async fn claim(server: &TestServer, code: &str, name: &str) -> u16 {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(server.url("/claim"))
        .form(&[
            ("code", code),
            ("name", name),
            ("email", ""),
            ("lang", "fr"),
        ])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Downloads a badge file by its (relative) private link and checks it with the third-party verifier.
async fn assert_verifies(server: &TestServer, link: &str, name: &str) {
    let response = server.http().get(server.url(link)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{link}");
    let bytes = response.bytes().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("badge.png");
    std::fs::write(&file, &bytes).unwrap();
    if node_ready() {
        let result = run_js_at(&file, &[], None);
        assert!(result.ok, "{}", result.output);
    }
    let report: Value = server
        .http()
        .post(server.url("/api/verify"))
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["summary"]["recipient_name"], name);
}

crate::on_both_stores! {
    #[tokio::test]
    async fn automatic_issuing_puts_a_verifiable_badge_on_the_phone() {
        let server = TestServer::start().await;
        let (code, mut staff) = at_badge_desk(&server).await;
        let (mut ada, welcome) = Client::join(server.addr, &code, "Ada").await;
        assert_eq!(welcome["badge"]["mode"], Value::Null);

        // Before the desk opens, a request is refused and changes nothing.
        ada.send(json!({"type": "badge.request", "name": "Ada Lovelace"}))
            .await;
        assert_eq!(ada.expect("error").await["code"], "badges_not_open");

        staff
            .send(json!({"type": "badge.open", "mode": "automatic"}))
            .await;
        assert_eq!(ada.expect("badge.opened").await["mode"], "automatic");
        ada.send(json!({"type": "badge.request", "name": "Ada Lovelace", "email": "ada@example.org", "lang": "en"})).await;
        assert_eq!(ada.expect("badge.status").await["status"], "approved");
        let ready = ada.expect("badge.ready").await;
        let links = ready["links"].clone();
        assert_verifies(&server, links["png"].as_str().unwrap(), "Ada Lovelace").await;
        let json: Value = server
            .http()
            .get(server.url(links["json"].as_str().unwrap()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            json["credentialSubject"]["achievement"]["name"], "Introduction to Open Badges",
            "the phone's language"
        );
        assert!(!json.to_string().contains("ada@example.org"));

        // The console sees the badge; a second request is refused.
        loop {
            let request = staff.expect("badge.request").await;
            if request["request"]["status"] == "issued" {
                assert_eq!(
                    request["request"]["has_email"], false,
                    "the e-mail is forgotten once signed"
                );
                break;
            }
        }
        ada.send(json!({"type": "badge.request", "name": "Ada again"}))
            .await;
        assert_eq!(ada.expect("error").await["code"], "already_issued");

        // Coming back later (new connection, or after a restart): the badge links are in the welcome.
        let token = welcome["token"].as_str().unwrap().to_string();
        drop(ada);
        let mut server = server;
        server.restart().await;
        let (_ada, again) = Client::resume(server.addr, &token).await;
        assert_eq!(again["badge"]["request"]["status"], "issued");
        assert_eq!(again["badge"]["links"], links);
        let page = server
            .http()
            .get(server.url(links["page"].as_str().unwrap()))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("Ada Lovelace") && page.contains("Save to Files"),
            "{page}"
        );
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn review_issuing_waits_for_the_facilitator() {
        let server = TestServer::start().await;
        let (code, mut staff) = at_badge_desk(&server).await;
        let (mut bob, welcome) = Client::join(server.addr, &code, "Bob").await;
        let pid = welcome["you"]["pid"].clone();
        staff
            .send(json!({"type": "badge.open", "mode": "review"}))
            .await;
        bob.expect("badge.opened").await;
        bob.send(json!({"type": "badge.request", "name": "Bob Marley", "comment": "J'ai appris plein de choses"})).await;
        assert_eq!(bob.expect("badge.status").await["status"], "pending");
        let request = staff.expect("badge.request").await;
        assert_eq!(request["request"]["comment"], "J'ai appris plein de choses");

        // Only the facilitator decides.
        bob.send(json!({"type": "badge.decide", "pid": pid, "approve": true}))
            .await;
        assert_eq!(bob.expect("error").await["code"], "forbidden");

        staff
            .send(json!({"type": "badge.decide", "pid": pid, "approve": false}))
            .await;
        assert_eq!(bob.expect("badge.status").await["status"], "refused");
        staff
            .send(json!({"type": "badge.decide", "pid": pid, "approve": true}))
            .await;
        assert_eq!(bob.expect("badge.status").await["status"], "approved");
        let ready = bob.expect("badge.ready").await;
        assert_verifies(
            &server,
            ready["links"]["svg"].as_str().unwrap(),
            "Bob Marley",
        )
        .await;
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn claim_codes_work_on_phones_and_at_claim_with_limits() {
        let server = TestServer::start().await;
        let (code, mut staff) = at_badge_desk(&server).await;
        let (mut cy, _) = Client::join(server.addr, &code, "Cy").await;

        staff.send(json!({"type": "badge.open", "mode": "claim_code", "valid_until": "2020-01-01T00:00:00Z"})).await;
        assert_eq!(
            staff.expect("error").await["code"],
            "bad_validity",
            "an end date in the past is refused"
        );
        staff
            .send(json!({"type": "badge.open", "mode": "claim_code", "valid_until": in_hours(2)}))
            .await;
        let claim = staff.expect("badge.claim_code").await;
        let claim_code = claim["code"].as_str().unwrap().to_string();
        assert_eq!(claim_code.len(), 6);

        cy.expect("badge.opened").await;
        cy.send(json!({"type": "badge.request", "name": "Cy", "claim_code": "AAAAAA"}))
            .await;
        assert_eq!(cy.expect("error").await["code"], "wrong_claim_code");
        cy.send(
            json!({"type": "badge.request", "name": "Cy", "claim_code": claim_code.to_lowercase()}),
        )
        .await;
        let ready = cy.expect("badge.ready").await;
        assert_verifies(&server, ready["links"]["png"].as_str().unwrap(), "Cy").await;

        // Someone whose phone died claims at /claim.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let claimed = http
            .post(server.url("/claim"))
            .form(&[
                ("code", claim_code.as_str()),
                ("name", "Dee"),
                ("email", ""),
                ("lang", "fr"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(claimed.status(), 303, "redirected to the badge page");
        let page = claimed.headers()["location"].to_str().unwrap().to_string();
        assert!(page.starts_with("/b/"));
        let html = server
            .http()
            .get(server.url(&page))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Dee"));
        let png_link = html
            .split("href=\"")
            .map(|s| s.split('"').next().unwrap())
            .find(|href| href.contains("badge.png"))
            .unwrap()
            .replace("&#x3d;", "=")
            .replace("&#61;", "=");
        assert_verifies(&server, &png_link, "Dee").await;
        assert_eq!(staff.expect("badge.claimed").await["type"], "badge.claimed");

        // A wrong code is refused; guessing is cut off after a few tries.
        let wrong = http
            .post(server.url("/claim"))
            .form(&[("code", "ZZZZZZ"), ("name", "Eve")])
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 422);
        let mut last = 0;
        for _ in 0..12 {
            last = http
                .post(server.url("/claim"))
                .form(&[("code", "ZZZZZZ"), ("name", "Eve")])
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
        }
        assert_eq!(last, 429);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn an_expired_claim_code_is_refused_at_claim() {
        let server = TestServer::start().await;
        let (_code, mut staff) = at_badge_desk(&server).await;
        staff
            .send(json!({"type": "badge.open", "mode": "claim_code", "valid_until": in_hours(2)}))
            .await;
        let claim_code = staff.expect("badge.claim_code").await["code"]
            .as_str()
            .unwrap()
            .to_string();
        // Time passes: the code's end of validity is now in the past.
        common::RawDb::of(&server)
            .await
            .run("UPDATE claim_codes SET valid_until = '2020-01-01T00:00:00Z'")
            .await;
        let expired = server
            .http()
            .post(server.url("/claim"))
            .form(&[("code", claim_code.as_str()), ("name", "Fay")])
            .send()
            .await
            .unwrap();
        assert_eq!(expired.status(), 422);
        assert!(expired.text().await.unwrap().contains("expiré"));
    }
}

/// The badge a phone gets at the end of a session created with `body`.
async fn badge_of_a_session(server: &TestServer, body: Value) -> Value {
    let response = server
        .http()
        .post(server.url("/api/sessions"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "{body}");
    let code = response.json::<Value>().await.unwrap()["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    let (mut phone, _) = Client::join(server.addr, &code, "Ada").await;
    loop {
        staff.send(json!({"type": "phase.next"})).await;
        if staff.expect("phase.changed").await["phase"]["kind"] == "badges" {
            break;
        }
    }
    staff
        .send(json!({"type": "badge.open", "mode": "automatic"}))
        .await;
    phone.expect("badge.opened").await;
    phone
        .send(json!({"type": "badge.request", "name": "Ada Lovelace"}))
        .await;
    let ready = phone.expect("badge.ready").await;
    server
        .http()
        .get(server.url(ready["links"]["json"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

crate::on_both_stores! {
    /// A badge says what its participant did, and nothing more: a bingo-only session's badge does
    /// not claim the fresque. An organiser adds achievements, and a session recognises the one
    /// its facilitator chose.
    #[tokio::test]
    async fn the_badge_says_what_the_session_played() {
        let server = TestServer::start().await;
        let text = |vc: &Value| {
            let achievement = &vc["credentialSubject"]["achievement"];
            format!(
                "{} {}",
                achievement["description"], achievement["criteria"]["narrative"]
            )
        };
        let body = |activities: &[&str]| json!({"title": "T", "lang": "fr", "activities": activities});
        let bingo = text(&badge_of_a_session(&server, body(&["bingo"])).await);
        assert!(bingo.contains("bingo"), "{bingo}");
        assert!(!bingo.contains("fresque"), "{bingo}");
        let fresque = text(&badge_of_a_session(&server, body(&["fresque"])).await);
        assert!(fresque.contains("fresque"), "{fresque}");
        assert!(!fresque.contains("bingo"), "{fresque}");
        let both = text(&badge_of_a_session(&server, body(&["bingo", "fresque"])).await);
        assert!(both.contains("bingo") && both.contains("fresque"), "{both}");

        // An organiser's own achievement, chosen for a session.
        let created = server
            .http()
            .post(server.url("/api/achievements"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 201);
        let id = created.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let listed: Value = server
            .http()
            .get(server.url("/api/achievements"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            listed.as_array().unwrap().iter().any(|a| a["id"] == id),
            "{listed}"
        );
        let mut chosen = body(&["bingo"]);
        chosen["achievement"] = json!(id);
        let vc = badge_of_a_session(&server, chosen).await;
        assert_eq!(vc["credentialSubject"]["achievement"]["id"], id);
        let mut unknown = body(&["bingo"]);
        unknown["achievement"] = json!("urn:uuid:00000000-0000-4000-8000-00000000dead");
        let refused = server
            .http()
            .post(server.url("/api/sessions"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&unknown)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 422);
        // Facilitators may list them (to choose), not create them.
        let fred = server.facilitator_token("fred").await;
        let listed = server
            .http()
            .get(server.url("/api/achievements"))
            .bearer_auth(&fred)
            .send()
            .await
            .unwrap();
        assert_eq!(listed.status(), 200);
        let forbidden = server
            .http()
            .post(server.url("/api/achievements"))
            .bearer_auth(&fred)
            .send()
            .await
            .unwrap();
        assert_eq!(forbidden.status(), 403);
    }
}

crate::on_both_stores! {
    /// A claim code mints badges only while it is the desk's live code: a replaced one, one of a
    /// desk switched to another mode, one of a closed session mint nothing; an end of validity
    /// that is not a date and time, or too far away, is refused (it meant "forever" before).
    #[tokio::test]
    async fn claim_codes_are_void_once_replaced_switched_or_closed() {
        let server = TestServer::start().await;
        let (_code, mut staff) = at_badge_desk(&server).await;
        let far = (time::OffsetDateTime::now_utc() + time::Duration::days(60))
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        for until in ["zzzz", "not-a-date", "2099-01-01", "", far.as_str()] {
            staff
                .send(json!({"type": "badge.open", "mode": "claim_code", "valid_until": until}))
                .await;
            assert_eq!(
                staff.expect("error").await["code"],
                "bad_validity",
                "{until:?}"
            );
        }
        staff
            .send(json!({"type": "badge.open", "mode": "claim_code"}))
            .await;
        assert_eq!(
            staff.expect("error").await["code"],
            "bad_validity",
            "no date"
        );
        // Any offset is accepted, and stored in UTC.
        let until = (time::OffsetDateTime::now_utc() + time::Duration::hours(2))
            .to_offset(time::macros::offset!(+1))
            .replace_nanosecond(0)
            .unwrap();
        let local = until
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        staff
            .send(json!({"type": "badge.open", "mode": "claim_code", "valid_until": local}))
            .await;
        let first = staff.expect("badge.claim_code").await;
        let stored = time::OffsetDateTime::parse(
            first["valid_until"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert_eq!(stored, until);
        assert!(
            first["valid_until"].as_str().unwrap().ends_with('Z'),
            "{first}"
        );
        let first = first["code"].as_str().unwrap().to_string();

        // A new code replaces it.
        staff
            .send(json!({"type": "badge.open", "mode": "claim_code", "valid_until": in_hours(1)}))
            .await;
        let second = staff.expect("badge.claim_code").await["code"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            claim(&server, &first, "Ann").await,
            422,
            "the replaced code"
        );
        assert_eq!(claim(&server, &second, "Ben").await, 303, "the live code");
        // Switched to automatic: no code mints anything.
        staff
            .send(json!({"type": "badge.open", "mode": "automatic"}))
            .await;
        staff.expect("badge.opened").await;
        assert_eq!(claim(&server, &second, "Cat").await, 422, "a desk switched");
        // A code of a closed session.
        staff
            .send(json!({"type": "badge.open", "mode": "claim_code", "valid_until": in_hours(1)}))
            .await;
        let third = staff.expect("badge.claim_code").await["code"]
            .as_str()
            .unwrap()
            .to_string();
        staff
            .send(json!({"type": "phase.set", "phase": {"kind": "closed"}}))
            .await;
        staff.expect("phase.changed").await;
        assert_eq!(claim(&server, &third, "Dan").await, 422, "a closed session");
        // And after a restart, from the stored state.
        let mut server = server;
        server.restart().await;
        assert_eq!(claim(&server, &third, "Eve").await, 422);
        assert_eq!(claim(&server, &second, "Fay").await, 422);
    }
}
