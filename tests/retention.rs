//! Personal data (RGPD): retention erases names and e-mails of old sessions and nothing else;
//! an organiser erases one participant on request; downloaded badges stay valid.

mod common;

use common::verifier::{node_ready, run_js_at};
use common::{ADMIN_TOKEN, Client, RawDb, TestServer};
use serde_json::{Value, json};

/// A session where Ada joined and received her badge; returns (code, Ada's token, badge PNG).
async fn session_with_a_badge(server: &TestServer, name: &str) -> (String, String, Vec<u8>) {
    let code = server.create_session(&[]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    let (mut phone, welcome) = Client::join(server.addr, &code, name).await;
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    staff
        .send(json!({"type": "badge.open", "mode": "automatic"}))
        .await;
    phone.expect("badge.opened").await;
    phone.send(json!({"type": "badge.request", "name": format!("{name} Full"), "email": "someone@example.org"})).await;
    let ready = phone.expect("badge.ready").await;
    let png = server
        .http()
        .get(server.url(ready["links"]["png"].as_str().unwrap()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    (
        code,
        welcome["token"].as_str().unwrap().to_string(),
        png.to_vec(),
    )
}

/// Every text stored in the database, to search for personal data.
async fn all_text(db: &RawDb) -> String {
    let mut text = String::new();
    for query in [
        "SELECT record AS t FROM events",
        "SELECT state AS t FROM snapshots",
        "SELECT COALESCE(recipient_name, '') || COALESCE(credential, '') AS t FROM badges",
    ] {
        for row in db.texts(query).await {
            text.push_str(&row);
        }
    }
    text
}

async fn organiser_post(server: &TestServer, path: &str, body: Value) -> reqwest::Response {
    server
        .http()
        .post(server.url(path))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap()
}

crate::on_both_stores! {
    #[tokio::test]
    async fn retention_erases_old_sessions_and_nothing_else() {
        let server = TestServer::start().await;
        let (old_code, old_token, old_png) = session_with_a_badge(&server, "Ada").await;
        let (_new_code, new_token, _) = session_with_a_badge(&server, "Bob").await;
        let pool = RawDb::of(&server).await;
        assert!(all_text(&pool).await.contains("Ada"));

        // The old session's last activity was 40 days ago; retention is 30 days.
        pool.execute(
            "UPDATE events SET at = '2020-01-01T00:00:00Z' WHERE session_id = (SELECT id FROM sessions WHERE code = $1)",
            &old_code,
        )
        .await;
        let set = server
            .http()
            .put(server.url("/api/settings/retention"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"days": 30}))
            .send()
            .await
            .unwrap();
        assert_eq!(set.status(), 200);
        let run: Value = organiser_post(&server, "/api/retention/run", json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(run["erased"], json!([old_code]));

        let stored = all_text(&pool).await;
        assert!(!stored.contains("Ada"), "the old session's names are gone");
        assert!(stored.contains("Bob"), "the recent session is untouched");
        let (_phone, refused) = Client::resume(server.addr, &old_token).await;
        assert_eq!(
            refused["code"], "unknown_token",
            "resume tokens are erased too"
        );
        let (_bob, bob) = Client::resume(server.addr, &new_token).await;
        assert_eq!(bob["type"], "welcome");

        // The badge Ada downloaded stays valid, for Atelier and for a third party.
        let report: Value = server
            .http()
            .post(server.url("/api/verify"))
            .body(old_png.clone())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(report["valid"], true, "{report}");
        if node_ready() {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("ada.png");
            std::fs::write(&file, &old_png).unwrap();
            assert!(run_js_at(&file, &[], None).ok);
        }
        // The erased session still opens for its facilitator, without names.
        let (_staff, staff) = Client::staff(server.addr, &old_code, ADMIN_TOKEN).await;
        assert_eq!(staff["participants"][0]["name"], "");
        // Running again erases nothing more.
        let again: Value = organiser_post(&server, "/api/retention/run", json!({}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again["erased"], json!([]));
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn an_organiser_erases_one_participant_on_request() {
        let server = TestServer::start().await;
        let (code, token, _) = session_with_a_badge(&server, "Cleo").await;
        let (_dan, dan_welcome) = Client::join(server.addr, &code, "Dan").await;
        let (mut cleo, cleo_welcome) = Client::resume(server.addr, &token).await;
        let pid = cleo_welcome["you"]["pid"].as_u64().unwrap();

        // Her right of access, with her resume token.
        let mine: Value = server
            .http()
            .get(server.url("/api/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine["participant"]["display_name"], "Cleo");
        assert_eq!(mine["badge_request"]["name_in_badge"], "Cleo Full");
        assert_eq!(mine["badge_request"]["email_kept"], false);
        assert!(
            mine["badge_links"]["png"]
                .as_str()
                .unwrap()
                .starts_with("/b/")
        );
        let forged = server
            .http()
            .get(server.url("/api/me"))
            .bearer_auth("forged")
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 404);
        assert_eq!(
            forged.json::<Value>().await.unwrap()["error"]["code"],
            "no_participation"
        );

        let facilitator = server.facilitator_token("fred").await;
        let refused = server
            .http()
            .post(server.url(&format!("/api/sessions/{code}/participants/{pid}/erase")))
            .bearer_auth(&facilitator)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), 403, "organisers only");
        let erased = organiser_post(
            &server,
            &format!("/api/sessions/{code}/participants/{pid}/erase"),
            json!({}),
        )
        .await;
        assert_eq!(erased.status(), 200);
        assert_eq!(cleo.expect("bye").await["reason"], "erased");

        let pool = RawDb::of(&server).await;
        let stored = all_text(&pool).await;
        assert!(!stored.contains("Cleo"));
        assert!(stored.contains("Dan"), "others keep their data");
        let (_again, refused) = Client::resume(server.addr, &token).await;
        assert_eq!(refused["code"], "unknown_token");
        // Her right of access now speaks to her, not to staff: nothing is stored about her phone.
        let after = server
            .http()
            .get(server.url("/api/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(after.status(), 404);
        let after: Value = after.json().await.unwrap();
        assert_eq!(after["error"]["code"], "no_participation", "{after}");
        let message = after["error"]["message"].as_str().unwrap();
        assert!(message.contains("erased"), "{message}");
        assert!(!message.contains("organiser"), "{message}");
        // The session goes on for the others.
        let (_dan2, dan_again) =
            Client::resume(server.addr, dan_welcome["token"].as_str().unwrap()).await;
        assert_eq!(dan_again["you"]["name"], "Dan");
    }
}
