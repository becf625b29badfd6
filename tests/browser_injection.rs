//! Markup typed by people (names, a session title, feedback comments, a badge name) is shown
//! as text in the real browser on every screen: the phone, the facilitator console, the
//! projector and the organiser console. Each payload would set a JS global if it ran; the
//! test checks those globals stay undefined and that no injected element exists.

mod common;

use common::browser::{self, Driver, wait_text, wait_visible};
use common::{ADMIN_TOKEN, Client, TestServer};
use fantoccini::Locator;
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough password";
/// Names of at most 40 characters, each a different way in.
const NAME_IMG: &str = "<img src=x onerror=window.__a=1>";
const NAME_SCRIPT: &str = "<script>window.__b=1</script>";
const NAME_SVG: &str = "<svg onload=window.__c=1>";
const TITLE: &str = "Atelier <img src=x onerror=window.__d=1>";
const COMMENT: &str = "Merci <img src=x onerror=window.__e=1> <script>window.__f=1</script>";
const GLOBALS: [&str; 6] = ["__a", "__b", "__c", "__d", "__e", "__f"];

/// No payload ran, no injected element exists, on this page.
async fn nothing_ran(browser: &fantoccini::Client, screen: &str) {
    let checks = browser
        .execute(
            "return [arguments[0].map(g => typeof window[g]),
                     document.querySelectorAll('img[src=\"x\"], body script:not([src]), svg[onload]').length];",
            vec![json!(GLOBALS)],
        )
        .await
        .unwrap();
    assert_eq!(
        checks,
        json!([vec!["undefined"; 6], 0]),
        "{screen}: an injected payload ran or was parsed as markup"
    );
}

#[tokio::test]
async fn markup_in_names_titles_and_comments_is_shown_as_text_everywhere() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let state = &server.running.as_ref().unwrap().state;
    let hash = atelier::auth::hash_password("staff", PASSWORD).unwrap();
    state
        .store
        .create_user("olga", &hash, atelier::store::Role::Organiser)
        .await
        .unwrap();
    let session: Value = server
        .http()
        .post(server.url("/api/sessions"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"title": TITLE, "lang": "fr", "activities": ["bingo"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = session["code"].as_str().unwrap().to_string();
    let screen_url = session["screen_url"].as_str().unwrap().to_string();

    let driver = Driver::start().await;
    // The organiser signs in and opens the session's console.
    let laptop = driver.desktop().await;
    laptop.goto(&server.url("/login")).await.unwrap();
    for (id, text) in [("username", "olga"), ("password", PASSWORD)] {
        laptop
            .find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
    laptop
        .find(Locator::Css("form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_visible(&laptop, "main").await;
    laptop
        .goto(&server.url(&format!("/f/s/{code}")))
        .await
        .unwrap();
    wait_text(&laptop, "h1", TITLE).await;
    let projector = driver.desktop().await;
    projector.goto(&screen_url).await.unwrap();
    wait_visible(&projector, "#participants").await;

    // A phone types a name with markup; two more join over the WebSocket.
    let phone = driver.phone().await;
    phone
        .goto(&server.url(&format!("/j/{code}")))
        .await
        .unwrap();
    wait_visible(&phone, "#name")
        .await
        .send_keys(NAME_IMG)
        .await
        .unwrap();
    phone
        .find(Locator::Css("#join-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&phone, "#hello", NAME_IMG).await;
    let (_b, welcome_b) = Client::join(server.addr, &code, NAME_SCRIPT).await;
    let (_c, _) = Client::join(server.addr, &code, NAME_SVG).await;

    for name in [NAME_IMG, NAME_SCRIPT, NAME_SVG] {
        wait_text(&laptop, "#participants", name).await;
        wait_text(&projector, "#participants", name).await;
    }
    nothing_ran(&phone, "phone").await;
    nothing_ran(&laptop, "console").await;
    nothing_ran(&projector, "projector").await;

    // Feedback: a comment with markup, shown on the console and the projector.
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff
        .send(json!({"type": "phase.set", "phase": {"kind": "feedback"}}))
        .await;
    staff.expect("phase.changed").await;
    let token = welcome_b["token"].as_str().unwrap();
    let given = server
        .http()
        .post(server.url("/api/feedback"))
        .json(&json!({"token": token, "overall": 5, "comment": COMMENT}))
        .send()
        .await
        .unwrap();
    assert!(given.status().is_success(), "{}", given.status());
    let shown = server
        .http()
        .post(server.url(&format!("/api/sessions/{code}/feedback/comments")))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"show": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(shown.status(), 200);
    wait_text(&projector, "body", "window.__e=1").await;
    wait_text(&laptop, "body", "window.__e=1").await;
    nothing_ran(&laptop, "console with comments").await;
    nothing_ran(&projector, "projector with comments").await;

    // A badge issued to a name with markup, and the organiser console's pages.
    let issued = server
        .http()
        .post(server.url("/api/badges"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": NAME_IMG}))
        .send()
        .await
        .unwrap();
    assert_eq!(issued.status(), 201);
    let issued: Value = issued.json().await.unwrap();
    for (path, shows) in [
        ("/o", "window.__e=1"),
        ("/o/badges", NAME_IMG),
        ("/f", TITLE),
    ] {
        laptop.goto(&server.url(path)).await.unwrap();
        wait_text(&laptop, "body", shows).await;
        nothing_ran(&laptop, path).await;
    }
    // The recipient's badge page.
    let page = issued["links"]["page"].as_str().unwrap();
    phone.goto(page).await.unwrap();
    wait_text(&phone, "body", NAME_IMG).await;
    nothing_ran(&phone, "badge page").await;

    for browser in [laptop, projector, phone] {
        browser.close().await.unwrap();
    }
}
