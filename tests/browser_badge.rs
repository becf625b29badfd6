//! The end of the workshop in real browsers: the facilitator opens the badge desk from the
//! console, a phone asks for its badge, gets it, and the PNG it downloads verifies.

mod common;

use common::browser::{self, Driver, screenshot, sign_in, wait_text, wait_visible};
use common::verifier::{node_ready, run_js_at};
use common::{ADMIN_TOKEN, Client, TestServer};
use fantoccini::Locator;
use serde_json::{Value, json};

#[tokio::test]
async fn a_phone_receives_its_badge_and_the_png_verifies() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let created = server
        .http()
        .post(server.url("/api/users"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"username": "claire", "password": "mot de passe solide"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let driver = Driver::start().await;

    // The facilitator signs in and creates a session with no activity: straight to badges.
    let laptop = driver.desktop().await;
    sign_in(
        &laptop,
        &server.url("/login"),
        "claire",
        "mot de passe solide",
    )
    .await;
    wait_text(&laptop, "h1", "Mes ateliers").await;
    laptop
        .find(Locator::Css("#activities option[value='']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    laptop
        .find(Locator::Css("#new-session button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let code = wait_visible(&laptop, "#join-code")
        .await
        .text()
        .await
        .unwrap();
    let screen_href = laptop
        .find(Locator::Id("screen-link"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let projector = driver.desktop().await;
    projector.goto(&server.url(&screen_href)).await.unwrap();
    wait_text(&projector, ".join-panel", &code).await;

    let phone = driver.phone().await;
    phone
        .goto(&server.url(&format!("/j/{code}")))
        .await
        .unwrap();
    wait_visible(&phone, "#name")
        .await
        .send_keys("Ada")
        .await
        .unwrap();
    phone
        .find(Locator::Css("#join-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&phone, "#hello", "Ada").await;
    wait_text(&laptop, "#participants", "Ada").await;

    // Badges phase, automatic issuing.
    laptop
        .find(Locator::Id("next-phase"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&laptop, "#phase", "Badges").await;
    // Before the desk opens, the phone says so (it used to stay blank until a reload).
    wait_text(&phone, ".badge-desk", "ouvrira bientôt la délivrance").await;
    wait_visible(&laptop, "#badge-mode").await;
    laptop
        .find(Locator::Css(".open-desk button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&laptop, ".badge-console", "Délivrance automatique").await;
    wait_text(&projector, ".badge-screen", "téléphone").await;

    let name = wait_visible(&phone, "#badge-name").await;
    name.clear().await.unwrap();
    name.send_keys("Ada Lovelace").await.unwrap();
    phone
        .find(Locator::Id("badge-email"))
        .await
        .unwrap()
        .send_keys("ada@example.org")
        .await
        .unwrap();
    screenshot(&phone, "badge-phone-form").await;
    phone
        .find(Locator::Css(".badge-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&phone, ".badge-card", "Ada Lovelace").await;
    screenshot(&phone, "badge-phone-ready").await;
    wait_text(&laptop, ".badge-console", "badge délivré").await;
    // The name printed was corrected on the phone: the facilitator sees both.
    wait_text(
        &laptop,
        ".badge-console",
        "Ada Lovelace (corrigé ; dans l’atelier : Ada)",
    )
    .await;
    screenshot(&laptop, "badge-console").await;
    wait_text(&projector, ".badge-screen", "1 badge délivré").await;
    screenshot(&projector, "badge-screen").await;

    // The PNG the phone downloads verifies with a third party.
    let href = phone
        .find(Locator::Css(".badge-card a[download='open-badge.png']"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let png = server
        .http()
        .get(server.url(&href))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let report: Value = server
        .http()
        .post(server.url("/api/verify"))
        .body(png.to_vec())
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
        std::fs::write(&file, &png).unwrap();
        let result = run_js_at(&file, &[], None);
        assert!(result.ok, "{}", result.output);
    }

    // Reloaded later, the phone still shows its badge.
    phone.refresh().await.unwrap();
    wait_text(&phone, ".badge-card", "Ada Lovelace").await;
    // "My data" says it in French: the badge's state and the session's date, no raw values.
    phone.goto(&server.url("/me")).await.unwrap();
    let mine = wait_text(&phone, "#me", "délivré").await;
    assert!(
        !mine.contains("issued")
            && !mine.contains("T0")
            && !mine.contains("T1")
            && !mine.contains("T2"),
        "{mine}"
    );
    let _ = Client::connect(server.addr).await;
    for browser in [laptop, projector, phone] {
        browser.close().await.unwrap();
    }
}
