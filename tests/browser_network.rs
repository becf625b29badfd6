//! A venue's Wi-Fi whose uplink drops: the phone's socket is not closed, nothing tells the page
//! (no close, no "online" event), and TCP would only notice long after. The phone must notice by
//! itself (its heartbeat goes unanswered), say so, and be back in its room, with what happened
//! meanwhile, as soon as the network returns. Times are in `scripts/bench phone`, not here.

mod common;

use common::browser::{self, Driver, emulate_network, wait_text, wait_visible};
use common::{ADMIN_TOKEN, Client as WsClient, TestServer};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test]
async fn a_phone_notices_a_silent_outage_and_comes_back_with_what_it_missed() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let session = server.create_session(&["bingo"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let (mut staff, _) = WsClient::staff(server.addr, &code, ADMIN_TOKEN).await;
    let driver = Driver::start().await;
    let phone = driver.phone().await;
    // The emulation applies to connections made after it is on: on before the page loads.
    emulate_network(&phone, false, 0, None).await;
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
    wait_text(&phone, "#phase-text", "L'animateur").await;
    staff.expect("participant.joined").await;

    // The uplink drops: the browser keeps the socket and says nothing to the page.
    phone
        .execute(
            "window.addEventListener('online', (e) => e.stopImmediatePropagation(), true);",
            vec![],
        )
        .await
        .unwrap();
    emulate_network(&phone, true, 0, None).await;
    // The phone notices by itself (its pings go unanswered) and says so.
    wait_text(&phone, "#net", "Connexion perdue").await;
    // Meanwhile the facilitator starts the bingo.
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;

    // The network returns: the phone is back in its room, in the bingo it missed.
    emulate_network(&phone, false, 0, None).await;
    wait_text(&phone, "#net", "Connexion rétablie").await;
    wait_visible(&phone, "#activity-bingo:not([hidden]) .bp-cell").await;
}
