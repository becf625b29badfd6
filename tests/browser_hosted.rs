//! A hosted badge in a real browser: the participant's private page offers the public page and
//! LinkedIn, hides and shows the public page with the keyboard; the public page reads well
//! (axe-core audit) and shows Atelier's verdict.

mod common;

use common::TestServer;
use common::browser::{self, Driver, audit, screenshot, wait_text};
use fantoccini::{Locator, key::Key};
use serde_json::json;

const PUBLIC_URL: &str = "https://badges.example.test";

#[tokio::test]
async fn a_participant_shares_or_hides_a_hosted_badge() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start_hosted(PUBLIC_URL).await;
    server
        .set_issuer(&[
            ("name", "Open Badges for IT"),
            ("email", "badges@example.org"),
        ])
        .await;
    let issued = server
        .issue_badge(json!({"name": "Zoé Dupont", "email": "zoe@example.org"}))
        .await;
    let private = issued["links"]["page"]
        .as_str()
        .unwrap()
        .strip_prefix(PUBLIC_URL)
        .unwrap()
        .to_string();
    let uuid = issued["id"]
        .as_str()
        .unwrap()
        .trim_start_matches("urn:uuid:")
        .to_string();

    let driver = Driver::start().await;
    let phone = driver.phone().await;
    phone.goto(&server.url(&private)).await.unwrap();
    wait_text(&phone, "#share-title", "Partager mon badge").await;
    let linkedin = phone
        .find(Locator::Id("linkedin"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        linkedin.starts_with("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME"),
        "{linkedin}"
    );
    assert!(linkedin.contains(&format!(
        "certUrl=https%3A%2F%2Fbadges.example.test%2Fbadges%2F{uuid}"
    )));
    audit(&phone, "the private badge page, hosted").await;
    screenshot(&phone, "badge-private-hosted").await;

    // Hide the public page with the keyboard: focus the button, Enter.
    let hide = phone
        .find(Locator::Css("#share form button"))
        .await
        .unwrap();
    phone
        .execute(
            "arguments[0].focus()",
            vec![serde_json::to_value(&hide).unwrap()],
        )
        .await
        .unwrap();
    hide.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_text(&phone, "#share", "Votre page publique est masquée").await;
    phone
        .goto(&server.url(&format!("/badges/{uuid}")))
        .await
        .unwrap();
    wait_text(&phone, "h1", "").await;
    let body = wait_text(&phone, "body", "").await;
    assert!(!body.contains("Zoé Dupont"), "hidden: {body}");

    // Show it again: the public page names the badge, the person, the verdict.
    phone.goto(&server.url(&private)).await.unwrap();
    phone
        .find(Locator::Css("#share form button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&phone, "#share", "Masquer ma page publique").await;
    phone
        .goto(&server.url(&format!("/badges/{uuid}")))
        .await
        .unwrap();
    wait_text(&phone, ".verdict h2", "Badge authentique et valide").await;
    let body = wait_text(&phone, "body", "").await;
    assert!(body.contains("Décerné à Zoé Dupont"), "{body}");
    assert!(!body.contains("zoe@example.org"));
    let image_loaded = phone
        .execute(
            "const img = document.querySelector('.badge-image'); return img.complete && img.naturalWidth > 0;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(image_loaded, json!(true), "the badge picture loads");
    audit(&phone, "the public badge page").await;
    screenshot(&phone, "badge-public").await;
    phone.close().await.unwrap();
}
