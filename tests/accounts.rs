//! Accounts after they exist, played end to end: signing out, disabling, deleting, a new
//! password and revoked tokens each end that account's live consoles at once and refuse its
//! credentials from then on; other accounts are untouched.

mod common;

use common::{ADMIN_TOKEN, Client, TestServer};
use reqwest::StatusCode;
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough password";

/// Creates a facilitator; its id and an API token.
async fn facilitator(server: &TestServer, name: &str) -> (i64, String) {
    let created: Value = server
        .http()
        .post(server.url("/api/users"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"username": name, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_i64().unwrap();
    (id, login(server, name, PASSWORD).await.expect("signs in"))
}

async fn login(server: &TestServer, name: &str, password: &str) -> Option<String> {
    let answer = server
        .http()
        .post(server.url("/api/login"))
        .json(&json!({"username": name, "password": password}))
        .send()
        .await
        .unwrap();
    if answer.status() != StatusCode::OK {
        return None;
    }
    let body: Value = answer.json().await.unwrap();
    Some(body["token"].as_str().unwrap().to_string())
}

/// The console's cookie after signing in with the form.
async fn cookie(server: &TestServer, name: &str) -> String {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = client
        .post(server.url("/login"))
        .form(&[("username", name), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let set = answer.headers()["set-cookie"].to_str().unwrap();
    set.split(';').next().unwrap().to_string()
}

async fn status_with(server: &TestServer, token: &str) -> StatusCode {
    server
        .http()
        .get(server.url("/api/sessions"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

/// The session's phase, as an organiser's console sees it on arrival.
async fn phase_of(server: &TestServer, code: &str) -> Value {
    let (_, welcome) = Client::staff(server.addr, code, ADMIN_TOKEN).await;
    welcome["session"]["phase"].clone()
}

crate::on_both_stores! {
    #[tokio::test]
    async fn signing_out_ends_the_consoles_opened_with_that_cookie() {
        let server = TestServer::start().await;
        let (_, token) = facilitator(&server, "claire").await;
        let code = server.create_session_as(&token, &["bingo"]).await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let browser = cookie(&server, "claire").await;
        let mut console = Client::connect_with_cookie(server.addr, &browser).await;
        console.send(json!({"type": "staff", "code": code})).await;
        console.expect("welcome").await;
        // An API token of the same account is another credential: it stays.
        let mut api_console = Client::connect_with(server.addr, Some(&token)).await;
        api_console
            .send(json!({"type": "staff", "code": code}))
            .await;
        api_console.expect("welcome").await;

        let out = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(server.url("/logout"))
            .header("cookie", &browser)
            .send()
            .await
            .unwrap();
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        assert_eq!(console.closed().await, Some(4001), "signed out");
        // The closed console can drive nothing; the session is where it was.
        let before = phase_of(&server, &code).await;
        assert_eq!(before["kind"], "lobby");
        api_console.send(json!({"type": "phase.next"})).await;
        api_console.expect("phase.changed").await;
        assert_ne!(
            phase_of(&server, &code).await,
            before,
            "the API console still works"
        );
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn disabling_a_facilitator_ends_their_consoles_and_credentials() {
        let server = TestServer::start().await;
        let (id, token) = facilitator(&server, "dora").await;
        let (_, other) = facilitator(&server, "emil").await;
        let code = server.create_session_as(&token, &["bingo"]).await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let mut console = Client::connect_with(server.addr, Some(&token)).await;
        console.send(json!({"type": "staff", "code": code})).await;
        console.expect("welcome").await;
        // Only organisers manage accounts.
        let refused = server
            .http()
            .post(server.url(&format!("/api/users/{id}/disable")))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let disabled: Value = server
            .http()
            .post(server.url(&format!("/api/users/{id}/disable")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(disabled["disabled"], true);
        assert_eq!(console.closed().await, Some(4001));
        assert_eq!(status_with(&server, &token).await, StatusCode::UNAUTHORIZED);
        assert_eq!(login(&server, "dora", PASSWORD).await, None);
        assert_eq!(
            status_with(&server, &other).await,
            StatusCode::OK,
            "others untouched"
        );
        // Enabled again: a new sign-in works (the old token stays revoked).
        let enabled = server
            .http()
            .post(server.url(&format!("/api/users/{id}/enable")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert_eq!(enabled.status(), StatusCode::OK);
        assert_eq!(status_with(&server, &token).await, StatusCode::UNAUTHORIZED);
        assert!(login(&server, "dora", PASSWORD).await.is_some());
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn a_new_password_signs_out_everywhere() {
        let server = TestServer::start().await;
        let (_, first) = facilitator(&server, "farid").await;
        let second = login(&server, "farid", PASSWORD).await.unwrap();
        let code = server.create_session_as(&first, &["bingo"]).await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let mut console = Client::connect_with(server.addr, Some(&first)).await;
        console.send(json!({"type": "staff", "code": code})).await;
        console.expect("welcome").await;
        let change = |current: &'static str, new: &'static str| {
            let http = server.http();
            let url = server.url("/api/password");
            let second = second.clone();
            async move {
                http.post(url)
                    .bearer_auth(second)
                    .json(&json!({"current": current, "new": new}))
                    .send()
                    .await
                    .unwrap()
            }
        };
        let wrong = change("not my password", "Velo-Cerise-Horizon-7").await;
        assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
        let weak = change(PASSWORD, "password1234").await;
        assert_eq!(weak.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let changed = change(PASSWORD, "Velo-Cerise-Horizon-7").await;
        assert_eq!(changed.status(), StatusCode::OK);
        assert_eq!(console.closed().await, Some(4001));
        for token in [&first, &second] {
            assert_eq!(status_with(&server, token).await, StatusCode::UNAUTHORIZED);
        }
        assert_eq!(login(&server, "farid", PASSWORD).await, None);
        assert!(
            login(&server, "farid", "Velo-Cerise-Horizon-7")
                .await
                .is_some()
        );
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn organisers_revoke_tokens_and_delete_accounts_and_sessions_stay() {
        let server = TestServer::start().await;
        let (id, token) = facilitator(&server, "gaia").await;
        let code = server.create_session_as(&token, &["bingo"]).await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let revoked: Value = server
            .http()
            .delete(server.url(&format!("/api/users/{id}/tokens")))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(revoked["revoked"], 1);
        assert_eq!(status_with(&server, &token).await, StatusCode::UNAUTHORIZED);
        // The accounts page deletes only with its confirmation box ticked.
        let page = |path: String, fields: &'static [(&'static str, &'static str)]| {
            let http = server.http();
            let url = server.url(&path);
            async move {
                http.post(url)
                    .bearer_auth(ADMIN_TOKEN)
                    .form(fields)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let unconfirmed = page(format!("/o/users/{id}/delete"), &[]).await;
        assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            login(&server, "gaia", PASSWORD).await.is_some(),
            "not deleted"
        );
        let deleted = page(format!("/o/users/{id}/delete"), &[("confirm", "yes")]).await;
        assert_eq!(deleted.status(), StatusCode::OK);
        assert!(deleted.text().await.unwrap().contains("gaia"));
        assert_eq!(login(&server, "gaia", PASSWORD).await, None);
        let users: Value = server
            .http()
            .get(server.url("/api/users"))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(!users.to_string().contains("gaia"));
        // The session is still there for organisers.
        assert_eq!(phase_of(&server, &code).await["kind"], "lobby");
    }
}
