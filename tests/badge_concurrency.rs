//! The closing moment: everybody asks for their badge at the same second. Every request
//! gets a badge, each with its own status-list index, and revoking one flips exactly its bit;
//! on a hosted Atelier (status list) as offline (did:key, no list).

mod common;

use std::collections::HashSet;

use atelier::badge::status::status_of;
use common::{ADMIN_TOKEN, Client, TestServer};
use futures_util::future::join_all;
use serde_json::{Value, json};

const PUBLIC_URL: &str = "https://badges.example.test";

fn status_index(credential: &Value) -> u64 {
    credential["credentialStatus"]["statusListIndex"]
        .as_str()
        .expect("a status entry")
        .parse()
        .unwrap()
}

async fn status_list(server: &TestServer) -> Value {
    server
        .http()
        .get(server.url("/status/1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The credential behind a badge's private JSON link.
async fn credential(server: &TestServer, links: &Value) -> Value {
    let link = links["json"].as_str().unwrap();
    let link = link.strip_prefix(PUBLIC_URL).unwrap_or(link);
    server
        .http()
        .get(server.url(link))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

// Many requests in flight at once: a runtime with workers, like the server's.
crate::on_both_stores! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_hundred_concurrent_issues_all_succeed_with_distinct_indexes() {
        let server = TestServer::start_hosted(PUBLIC_URL).await;
        let http = server.http();
        let requests = (0..100).map(|i| {
            let http = http.clone();
            let url = server.url("/api/badges");
            async move {
                let response = http
                    .post(url)
                    .bearer_auth(ADMIN_TOKEN)
                    .json(&json!({"name": format!("Personne {i}"), "lang": "fr"}))
                    .send()
                    .await
                    .unwrap();
                let status = response.status().as_u16();
                (status, response.json::<Value>().await.unwrap())
            }
        });
        let answers = join_all(requests).await;
        let failed: Vec<_> = answers.iter().filter(|(s, _)| *s != 201).collect();
        assert!(
            failed.is_empty(),
            "{} of 100 failed: {:?}",
            failed.len(),
            failed.first()
        );

        let mut indexes = HashSet::new();
        let mut badges = Vec::new();
        for (_, issued) in &answers {
            let credential = credential(&server, &issued["links"]).await;
            assert!(indexes.insert(status_index(&credential)), "index reused");
            badges.push((issued["id"].as_str().unwrap().to_string(), credential));
        }
        assert_eq!(indexes.len(), 100);

        // Revoking one flips its bit and no other.
        let (revoked_id, revoked) = &badges[37];
        let done = http
            .post(server.url(&format!("/api/badges/{revoked_id}/revoke")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(done.status(), 200);
        let list = status_list(&server).await;
        for (id, credential) in &badges {
            let index = status_index(credential);
            assert_eq!(
                status_of(&list, index).unwrap(),
                id == revoked_id,
                "bit {index} of {id} (revoked: {})",
                status_index(revoked)
            );
        }
    }
}

/// 60 phones confirm their name on an automatic desk in the same instant: 60 badges.
async fn sixty_phones_at_once(server: &TestServer, hosted: bool) {
    let code = server.create_session(&[]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    let mut phones = Vec::new();
    for i in 0..60 {
        phones.push(
            Client::join(server.addr, &code, &format!("Phone {i}"))
                .await
                .0,
        );
    }
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    staff
        .send(json!({"type": "badge.open", "mode": "automatic"}))
        .await;
    for phone in &mut phones {
        phone.expect("badge.opened").await;
    }
    // Every request is written before any answer is read: they reach the room together.
    for (i, phone) in phones.iter_mut().enumerate() {
        phone
            .send(json!({"type": "badge.request", "name": format!("Phone {i} Full")}))
            .await;
    }
    let ready = join_all(phones.iter_mut().map(|phone| async move {
        loop {
            let message = phone.next().await;
            match message["type"].as_str() {
                Some("badge.ready") => return Ok(message),
                Some("badge.failed") => return Err(message),
                _ => {}
            }
        }
    }))
    .await;
    let failed: Vec<_> = ready.iter().filter_map(|r| r.as_ref().err()).collect();
    assert!(
        failed.is_empty(),
        "{} of 60 failed: {:?}",
        failed.len(),
        failed.first()
    );
    let mut ids = HashSet::new();
    let mut indexes = HashSet::new();
    for message in ready.into_iter().map(Result::unwrap) {
        assert!(ids.insert(message["badge_id"].as_str().unwrap().to_string()));
        if hosted {
            let credential = credential(server, &message["links"]).await;
            assert!(indexes.insert(status_index(&credential)), "index reused");
        }
    }
    assert_eq!(ids.len(), 60);
}

crate::on_both_stores! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sixty_phones_asking_at_once_on_a_hosted_atelier_all_get_their_badge() {
        let server = TestServer::start_hosted(PUBLIC_URL).await;
        sixty_phones_at_once(&server, true).await;
    }
}

crate::on_both_stores! {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sixty_phones_asking_at_once_offline_all_get_their_badge() {
        let server = TestServer::start().await;
        sixty_phones_at_once(&server, false).await;
    }
}

/// Two servers on one PostgreSQL database (and one data directory, so one signing key) issue
/// badges at the same time: every badge gets its own status-list index, since the database
/// hands them out, and the status list either server publishes says the same.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_postgresql_database_issue_distinct_indexes() {
    common::Backend::Postgres
        .run(async {
            let first = TestServer::start_hosted(PUBLIC_URL).await;
            let second = first.beside(Some(PUBLIC_URL)).await;
            let requests = (0..60).map(|i| {
                let server = if i % 2 == 0 { &first } else { &second };
                let http = server.http();
                let url = server.url("/api/badges");
                async move {
                    let response = http
                        .post(url)
                        .bearer_auth(ADMIN_TOKEN)
                        .json(&json!({"name": format!("Personne {i}"), "lang": "fr"}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(response.status(), 201);
                    response.json::<Value>().await.unwrap()
                }
            });
            let answers = join_all(requests).await;
            let mut indexes = HashSet::new();
            let mut badges = Vec::new();
            for issued in &answers {
                let credential = credential(&first, &issued["links"]).await;
                assert!(indexes.insert(status_index(&credential)), "index reused");
                badges.push((issued["id"].as_str().unwrap().to_string(), credential));
            }
            assert_eq!(indexes.len(), 60);
            let (revoked_id, _) = &badges[11];
            let done = second
                .http()
                .post(second.url(&format!("/api/badges/{revoked_id}/revoke")))
                .bearer_auth(ADMIN_TOKEN)
                .send()
                .await
                .unwrap();
            assert_eq!(done.status(), 200);
            let (one, other) = (status_list(&first).await, status_list(&second).await);
            for (id, credential) in &badges {
                let index = status_index(credential);
                assert_eq!(status_of(&one, index).unwrap(), id == revoked_id, "{id}");
                assert_eq!(status_of(&other, index).unwrap(), id == revoked_id, "{id}");
            }
        })
        .await
}
