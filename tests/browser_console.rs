//! The facilitator's console on a 1366×768 laptop: the next useful action of each phase is on
//! screen without scrolling, and leaving an activity under way by any button asks first.

mod common;

use common::browser::{
    self, Driver, click, dialog_text, screenshot, sign_in, wait_text, wait_visible,
};
use common::{Client as WsClient, TestServer};
use fantoccini::Client;
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough password";

async fn js(browser: &Client, script: &str) -> Value {
    browser
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// Asserts that the element `css` is entirely inside the window, scrolled to the top.
async fn on_first_screen(laptop: &Client, css: &str, what: &str) {
    wait_visible(laptop, css).await;
    let rect = js(
        laptop,
        &format!(
            "window.scrollTo(0, 0); const r = document.querySelector({css:?}).getBoundingClientRect();
             return [r.top, r.bottom, window.innerHeight];"
        ),
    )
    .await;
    let (top, bottom, height) = (
        rect[0].as_f64().unwrap(),
        rect[1].as_f64().unwrap(),
        rect[2].as_f64().unwrap(),
    );
    assert!(
        top >= 0.0 && bottom <= height,
        "{what} ({css}) is not on the first screen: top {top}, bottom {bottom}, window {height}"
    );
}

#[tokio::test]
async fn the_next_useful_action_is_on_the_first_screen_of_a_laptop() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let token = server.facilitator_token("claire").await;
    let session = server
        .create_session_as(&token, &["bingo", "fresque"])
        .await;
    let code = session["code"].as_str().unwrap().to_string();
    let mut phones = Vec::new();
    for name in ["Ana", "Bea", "Cyd", "Dan"] {
        phones.push(WsClient::join(server.addr, &code, name).await.0);
    }

    let driver = Driver::start().await;
    let laptop = driver.laptop().await;
    sign_in(&laptop, &server.url("/login"), "claire", PASSWORD).await;
    laptop
        .goto(&server.url(&format!("/f/s/{code}")))
        .await
        .unwrap();
    wait_text(&laptop, "#phase", "Accueil").await;
    on_first_screen(&laptop, "#next-phase", "starting the first activity").await;
    on_first_screen(&laptop, "#join-code", "the join code").await;

    laptop
        .find(fantoccini::Locator::Css("#next-phase"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&laptop, "#phase", "Bingo").await;
    on_first_screen(
        &laptop,
        "#activity-bingo [data-action=draw]",
        "drawing a definition",
    )
    .await;
    laptop
        .find(fantoccini::Locator::Css(
            "#activity-bingo [data-action=draw]",
        ))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&laptop, ".bc-kicker", "Définition 1").await;
    on_first_screen(
        &laptop,
        "#activity-bingo [data-action=draw]",
        "the next definition",
    )
    .await;

    // Back to the lobby while the bingo is under way: asked first, and "no" changes nothing.
    laptop
        .find(fantoccini::Locator::Css("#to-lobby"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let asked = dialog_text(&laptop).await;
    assert!(asked.contains("Bingo"), "{asked}");
    laptop.dismiss_alert().await.unwrap();
    wait_text(&laptop, "#phase", "Bingo").await;

    // The fresque: forming teams, then dealing, are on the first screen.
    laptop
        .find(fantoccini::Locator::Css("#next-phase"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    dialog_text(&laptop).await;
    laptop.accept_alert().await.unwrap();
    wait_text(&laptop, "#phase", "Fresque").await;
    on_first_screen(
        &laptop,
        "#activity-fresque .fq-form-submit",
        "forming teams",
    )
    .await;
    let mut staff = WsClient::staff(server.addr, &code, &token).await.0;
    staff
        .send(json!({"type": "fresque.form_teams", "count": 2}))
        .await;
    staff.expect("fresque.roster").await;
    wait_visible(&laptop, "#activity-fresque .fq-deal").await;
    on_first_screen(&laptop, "#activity-fresque .fq-deal", "dealing a pack").await;

    // The badge desk: opening it is on the first screen.
    staff
        .send(json!({"type": "phase.set", "phase": {"kind": "badges"}}))
        .await;
    wait_text(&laptop, "#phase", "Badges").await;
    on_first_screen(
        &laptop,
        "#activity-badge form.open-desk button[type=submit]",
        "opening the desk",
    )
    .await;
    drop(phones);
}

#[tokio::test]
async fn the_console_and_the_projector_show_who_is_away() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start_with_rooms(atelier::room::RoomSettings {
        away_after: std::time::Duration::from_millis(300),
        ..atelier::room::RoomSettings::default()
    })
    .await;
    let token = server.facilitator_token("claire").await;
    let session = server.create_session_as(&token, &["bingo"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let (_ana, _) = WsClient::join(server.addr, &code, "Ana").await;
    let (_bea, _) = WsClient::join(server.addr, &code, "Bea").await;
    let (cyd, welcome) = WsClient::join(server.addr, &code, "Cyd").await;
    let cyd_token = welcome["token"].as_str().unwrap().to_string();

    let driver = Driver::start().await;
    let laptop = driver.laptop().await;
    sign_in(&laptop, &server.url("/login"), "claire", PASSWORD).await;
    laptop
        .goto(&server.url(&format!("/f/s/{code}")))
        .await
        .unwrap();
    wait_text(&laptop, "#presence-summary", "3 connecté·es sur 3").await;
    let screen_href = wait_visible(&laptop, "#screen-link")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let projector = driver.desktop().await;
    projector.goto(&server.url(&screen_href)).await.unwrap();
    wait_text(&projector, "#count", "3 participants").await;

    // Cyd's phone dies: the console says since when she is away, the projector counts two.
    drop(cyd);
    wait_text(&laptop, "#participants li.away", "Cyd").await;
    wait_text(&laptop, "#participants li.away", "absent·e depuis").await;
    wait_text(&laptop, "#presence-summary", "2 connecté·es sur 3").await;
    wait_text(&projector, "#count", "2 participants").await;
    wait_text(&projector, "#participants li.away", "Cyd").await;
    screenshot(&laptop, "console-presence").await;

    // She comes back: counted again everywhere.
    let (_cyd, _) = WsClient::resume(server.addr, &cyd_token).await;
    wait_text(&laptop, "#presence-summary", "3 connecté·es sur 3").await;
    wait_text(&projector, "#count", "3 participants").await;
    wait_text(&laptop, "#participants li:last-child", "Cyd · connecté").await;
}

/// A phone joins `code` as `name` through the join page.
async fn join_page(phone: &Client, server: &TestServer, code: &str, name: &str) {
    phone
        .goto(&server.url(&format!("/j/{code}")))
        .await
        .unwrap();
    wait_visible(phone, "#name")
        .await
        .send_keys(name)
        .await
        .unwrap();
    click(phone, "#join-form button[type=submit]").await;
}

#[tokio::test]
async fn a_second_zoe_chooses_another_name_or_takes_her_place_back() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let token = server.facilitator_token("claire").await;
    let session = server.create_session_as(&token, &["bingo"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let driver = Driver::start().await;
    let laptop = driver.laptop().await;
    sign_in(&laptop, &server.url("/login"), "claire", PASSWORD).await;
    laptop
        .goto(&server.url(&format!("/f/s/{code}")))
        .await
        .unwrap();
    wait_text(&laptop, "#phase", "Accueil").await;

    let old_phone = driver.phone().await;
    join_page(&old_phone, &server, &code, "Zoé").await;
    wait_text(&old_phone, "#hello", "Bonjour Zoé").await;

    // Her phone's storage is gone (another phone): the name is taken, she says it is her.
    let new_phone = driver.phone().await;
    join_page(&new_phone, &server, &code, "Zoé").await;
    wait_text(
        &new_phone,
        "#name-taken-text",
        "« Zoé » est déjà dans cet atelier",
    )
    .await;
    wait_text(&new_phone, "#use-suggestion", "Entrer comme « Zoé 2 »").await;
    screenshot(&new_phone, "phone-name-taken").await;
    click(&new_phone, "#reclaim").await;
    wait_text(
        &new_phone,
        "#reclaim-wait-text",
        "l’animateur confirme que vous êtes « Zoé »",
    )
    .await;
    wait_text(
        &laptop,
        "#reclaims",
        "Un nouveau téléphone dit être « Zoé »",
    )
    .await;
    screenshot(&laptop, "console-reclaim").await;
    click(&laptop, "#reclaim-list button:not(.secondary)").await;
    wait_text(&new_phone, "#hello", "Bonjour Zoé").await;
    wait_text(
        &old_phone,
        "#replaced-text",
        "Votre place a été reprise sur un autre téléphone",
    )
    .await;
    let hidden = js(
        &laptop,
        "return document.getElementById('reclaims').hidden;",
    )
    .await;
    assert_eq!(hidden, true, "the answered request leaves the console");
    let count = js(
        &laptop,
        "return document.querySelectorAll('#participants li').length;",
    )
    .await;
    assert_eq!(count, 1, "still one Zoé");

    // Another Zoé picks the suggested name instead.
    let third = driver.phone().await;
    join_page(&third, &server, &code, "zoé").await;
    click(&third, "#use-suggestion").await;
    wait_text(&third, "#hello", "Bonjour zoé 2").await;
}
