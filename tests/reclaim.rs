//! One person, one participant: a second "Zoé" is asked for another name instead of becoming
//! "Zoé 2", and a phone that lost its storage takes back its participant once the facilitator
//! confirms (the old device is closed and its token revoked).

mod common;

use common::{ADMIN_TOKEN, Client, TestServer};
use serde_json::json;

crate::on_both_stores! {
    #[tokio::test]
    async fn a_taken_name_is_refused_with_a_suggestion() {
        let server = TestServer::start().await;
        let code = server.create_session(&["bingo"]).await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let (_zoe, _) = Client::join(server.addr, &code, "Zoé").await;
        let mut again = Client::connect(server.addr).await;
        again
            .send(json!({"type": "join", "code": code, "name": "zoé"}))
            .await;
        let refused = again.next().await;
        assert_eq!(refused["type"], "error", "{refused}");
        assert_eq!(refused["code"], "name_taken", "{refused}");
        assert_eq!(refused["suggestion"], "zoé 2", "{refused}");
        // The same socket may try another name.
        again
            .send(json!({"type": "join", "code": code, "name": "Zoé M."}))
            .await;
        let welcome = again.next().await;
        assert_eq!(welcome["you"]["name"], "Zoé M.", "{welcome}");
        let (_, staff) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let names: Vec<&str> = staff["participants"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Zoé", "Zoé M."]);
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn a_new_phone_takes_back_its_participant_when_the_facilitator_confirms() {
        let server = TestServer::start().await;
        let code = server.create_session(&["bingo"]).await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let (mut old_phone, joined) = Client::join(server.addr, &code, "Zoé").await;
        let pid = joined["you"]["pid"].clone();
        let old_token = joined["token"].as_str().unwrap().to_string();
        let grid = joined["bingo"]["grid"].clone();
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;

        // A nameless stranger cannot ask for someone who is not there.
        let mut stranger = Client::connect(server.addr).await;
        stranger
            .send(json!({"type": "reclaim", "code": code, "name": "Nobody"}))
            .await;
        assert_eq!(stranger.next().await["code"], "unknown_name");

        // Zoé's new phone asks; it waits while the console shows the request.
        let mut new_phone = Client::connect(server.addr).await;
        new_phone
            .send(json!({"type": "reclaim", "code": code, "name": "ZOÉ"}))
            .await;
        let waiting = new_phone.next().await;
        assert_eq!(waiting["type"], "reclaim.waiting", "{waiting}");
        assert_eq!(waiting["name"], "Zoé");
        let asked = staff.expect("reclaim.requested").await;
        assert_eq!(asked["pid"], pid, "{asked}");
        // A console that opens now sees the request too.
        let (_, console) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        assert_eq!(
            console["reclaims"][0]["request"], asked["request"],
            "{console}"
        );

        // Zoé cannot answer for the facilitator.
        old_phone
            .send(json!({"type": "reclaim.decide", "request": asked["request"], "accept": true}))
            .await;
        assert_eq!(old_phone.expect("error").await["code"], "forbidden");

        staff
            .send(json!({"type": "reclaim.decide", "request": asked["request"], "accept": true}))
            .await;
        let welcome = new_phone.next().await;
        assert_eq!(welcome["type"], "welcome", "{welcome}");
        assert_eq!(welcome["you"]["pid"], pid);
        assert_eq!(
            welcome["bingo"]["grid"], grid,
            "the same grid, not an empty one"
        );
        let new_token = welcome["token"].as_str().unwrap().to_string();
        assert_ne!(new_token, old_token);
        assert_eq!(
            old_phone.closed().await,
            Some(4004),
            "the old device is closed"
        );
        let decided = staff.expect("reclaim.decided").await;
        assert_eq!(decided["accepted"], true);

        // The old token opens nothing any more; the new one resumes Zoé, also after a restart.
        let (_, refused) = Client::resume(server.addr, &old_token).await;
        assert_eq!(refused["code"], "unknown_token", "{refused}");
        drop(new_phone);
        let mut server = server;
        server.restart().await;
        let (_, resumed) = Client::resume(server.addr, &new_token).await;
        assert_eq!(resumed["you"]["pid"], pid, "{resumed}");
        let (_, refused) = Client::resume(server.addr, &old_token).await;
        assert_eq!(refused["code"], "unknown_token", "{refused}");
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn a_refused_request_closes_the_asking_phone_and_changes_nothing() {
        let server = TestServer::start().await;
        let code = server.create_session(&["bingo"]).await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let (_zoe, joined) = Client::join(server.addr, &code, "Zoé").await;
        let token = joined["token"].as_str().unwrap().to_string();
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let mut impostor = Client::connect(server.addr).await;
        impostor
            .send(json!({"type": "reclaim", "code": code, "name": "Zoé"}))
            .await;
        impostor.expect("reclaim.waiting").await;
        let asked = staff.expect("reclaim.requested").await;
        staff
            .send(json!({"type": "reclaim.decide", "request": asked["request"], "accept": false}))
            .await;
        let bye = impostor.next().await;
        assert_eq!(bye["reason"], "reclaim_refused", "{bye}");
        assert_eq!(impostor.closed().await, Some(4005));
        let (_, resumed) = Client::resume(server.addr, &token).await;
        assert_eq!(
            resumed["type"], "welcome",
            "Zoé's own token still works: {resumed}"
        );
        // A request withdrawn (the phone closed) disappears from the console.
        let mut gone = Client::connect(server.addr).await;
        gone.send(json!({"type": "reclaim", "code": code, "name": "Zoé"}))
            .await;
        gone.expect("reclaim.waiting").await;
        let asked = staff.expect("reclaim.requested").await;
        drop(gone);
        let withdrawn = staff.expect("reclaim.withdrawn").await;
        assert_eq!(withdrawn["request"], asked["request"]);
    }
}
