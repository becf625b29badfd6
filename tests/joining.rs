//! Who may join a session, played as a crowd and as a guesser: a cap on participants that a
//! join flood meets, joining the facilitator closes and reopens, and wrong join codes counted
//! on every path (the join page, the projector page, the WebSocket), before any new socket.

mod common;

use std::net::IpAddr;

use common::{ADMIN_TOKEN, Client, TestServer, WAIT};
use serde_json::{Value, json};

async fn session_with(server: &TestServer, body: Value) -> String {
    let answer = server
        .http()
        .post(server.url("/api/sessions"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 201);
    let session: Value = answer.json().await.unwrap();
    session["code"].as_str().unwrap().to_string()
}

crate::on_both_stores! {
    /// 80 phones join at once (each from its own address) a session capped at 50: 50 are in,
    /// 30 are told it is full, and the console knows the cap.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_join_flood_stops_at_the_sessions_cap() {
        let server = TestServer::start().await;
        let bad = server
            .http()
            .post(server.url("/api/sessions"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"title": "T", "max_participants": 0}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 422);
        let code = session_with(
            &server,
            json!({"title": "Capped", "activities": ["bingo"], "max_participants": 50}),
        )
        .await;
        let (_staff, welcome) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        assert_eq!(
            welcome["session"]["joining"],
            json!({"open": true, "max": 50})
        );
        let answers = futures_util::future::join_all((0..80u8).map(|i| {
            let code = code.clone();
            let addr = server.addr;
            async move {
                let mut phone = Client::connect_from(addr, [127, 0, 2, i + 1])
                    .await
                    .unwrap();
                phone
                    .send(json!({"type": "join", "code": code, "name": format!("P{i}")}))
                    .await;
                let first = phone.next().await;
                (phone, first)
            }
        }))
        .await;
        let joined = answers
            .iter()
            .filter(|(_, a)| a["type"] == "welcome")
            .count();
        let full: Vec<&Value> = answers
            .iter()
            .map(|(_, a)| a)
            .filter(|a| a["code"] == "session_full")
            .collect();
        assert_eq!((joined, full.len()), (50, 30));
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn the_facilitator_closes_and_reopens_joining() {
        let server = TestServer::start().await;
        let code = session_with(
            &server,
            json!({"title": "Closing", "activities": ["bingo"]}),
        )
        .await;
        let (mut staff, welcome) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        assert_eq!(
            welcome["session"]["joining"],
            json!({"open": true, "max": 300})
        );
        let (ada, ada_welcome) = Client::join(server.addr, &code, "Ada").await;
        let token = ada_welcome["token"].as_str().unwrap().to_string();
        drop(ada);
        staff
            .send(json!({"type": "joining.set", "open": false}))
            .await;
        let changed = staff.expect("joining.changed").await;
        assert_eq!(changed["joining"]["open"], false);
        // A new phone is refused; Ada, who joined before, comes back.
        let mut late = Client::connect(server.addr).await;
        late.send(json!({"type": "join", "code": code, "name": "Late"}))
            .await;
        assert_eq!(late.expect("error").await["code"], "joining_closed");
        let (_ada, resumed) = Client::resume(server.addr, &token).await;
        assert_eq!(resumed["type"], "welcome");
        // Only the facilitator decides.
        let (mut bob, _) = {
            staff
                .send(json!({"type": "joining.set", "open": true}))
                .await;
            staff.expect("joining.changed").await;
            Client::join(server.addr, &code, "Bob").await
        };
        bob.send(json!({"type": "joining.set", "open": false}))
            .await;
        assert_eq!(bob.expect("error").await["code"], "forbidden");
        // It holds across a restart.
        staff
            .send(json!({"type": "joining.set", "open": false}))
            .await;
        staff.expect("joining.changed").await;
        let mut server = server;
        server.restart().await;
        let mut again = Client::connect(server.addr).await;
        again
            .send(json!({"type": "join", "code": code, "name": "Again"}))
            .await;
        assert_eq!(again.expect("error").await["code"], "joining_closed");
    }
}

crate::on_both_stores! {
    /// Wrong codes on the join page count like wrong hellos; once an address used them up, its
    /// join page, projector page and new sockets are refused, even with a right code, and
    /// another address is not affected.
    #[tokio::test]
    async fn wrong_codes_count_on_every_path() {
        let server = TestServer::start().await;
        let code = session_with(&server, json!({"title": "Guess", "activities": ["bingo"]})).await;
        let from = |last: u8| {
            reqwest::Client::builder()
                .local_address(IpAddr::from([127, 0, 3, last]))
                .timeout(WAIT)
                .build()
                .unwrap()
        };
        let guesser = from(1);
        let mut statuses = Vec::new();
        for i in 0..301u32 {
            let guess = format!("{:06}", i).replace(['0', '1'], "A");
            let status = guesser
                .get(server.url(&format!("/j/{guess}")))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            statuses.push(status);
        }
        assert!(statuses[..300].iter().all(|s| *s == 404), "{statuses:?}");
        assert_eq!(statuses[300], 429);
        for path in [format!("/j/{code}"), format!("/screen/{code}?k=wrong")] {
            let status = guesser
                .get(server.url(&path))
                .send()
                .await
                .unwrap()
                .status();
            assert_eq!(status, 429, "{path}");
        }
        assert_eq!(
            Client::connect_from(server.addr, [127, 0, 3, 1])
                .await
                .err(),
            Some(429),
            "no new socket, so no new guess"
        );
        let other = from(2);
        let status = other
            .get(server.url(&format!("/j/{code}")))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200);
        assert!(
            Client::connect_from(server.addr, [127, 0, 3, 2])
                .await
                .is_ok()
        );
    }
}
