//! The fresque in real browsers: two phones of one team drag cards by touch and see each
//! other's moves, one uses the keyboard path (select, then "move up"), the facilitator deals
//! and reveals from the console, the projector shows the boards and the debrief.

mod common;

use std::time::Duration;

use common::browser::{self, Driver, PAGE_WAIT, screenshot, sign_in, wait_text, wait_visible};
use common::{ADMIN_TOKEN, TestServer};
use fantoccini::actions::{InputSource, PointerAction, TouchActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough password";

/// The ids of the cards in a list of the page (`.fq-board` or `.fq-hand`), in order.
async fn cards(browser: &Client, list: &str) -> Vec<String> {
    let found = browser
        .execute(
            "return [...document.querySelectorAll(arguments[0] + ' > li[data-card]')].map((li) => li.dataset.card);",
            vec![json!(list)],
        )
        .await
        .expect("script runs");
    serde_json::from_value(found).unwrap_or_default()
}

/// Waits until the cards of `list` satisfy `wanted`; returns them.
async fn wait_cards(
    browser: &Client,
    list: &str,
    wanted: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let deadline = tokio::time::Instant::now() + PAGE_WAIT;
    loop {
        let found = cards(browser, list).await;
        if wanted(&found) {
            return found;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("{list} never reached the expected cards; last seen {found:?}");
        }
        // WebDriver has no "DOM changed" event: poll briefly, like the harness does.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Drags with a finger: touch the card's grip, slide in small steps to the centre of
/// `target` (moved down by `dy` pixels), lift.
async fn touch_drag(browser: &Client, card: &str, target: &str, dy: f64) {
    let grip = browser
        .find(Locator::Css(&format!("li[data-card='{card}'] .fq-grip")))
        .await
        .expect("the card has a grip");
    let to = browser
        .find(Locator::Css(target))
        .await
        .expect("drop target");
    // Like a person, first scroll so that the card is near the top of the screen.
    browser
        .execute(
            "arguments[0].scrollIntoView({block: 'start'}); window.scrollBy(0, -60);",
            vec![serde_json::to_value(&grip).unwrap()],
        )
        .await
        .expect("scroll");
    let (gx, gy, gw, gh) = grip.rectangle().await.expect("rectangle");
    let (tx, ty, tw, th) = to.rectangle().await.expect("rectangle");
    let dx = (tx + tw / 2.0) - (gx + gw / 2.0);
    let dy = (ty + th / 2.0 + dy) - (gy + gh / 2.0);
    let mut finger = TouchActions::new("finger".into())
        .then(PointerAction::MoveToElement {
            element: grip.clone(),
            duration: None,
            x: 0.0,
            y: 0.0,
        })
        .then(PointerAction::Down { button: 0 })
        .then(PointerAction::Pause {
            duration: Duration::from_millis(100),
        });
    let steps = 12;
    for _ in 0..steps {
        finger = finger.then(PointerAction::MoveBy {
            duration: Some(Duration::from_millis(30)),
            x: (dx / steps as f64).round(),
            y: (dy / steps as f64).round(),
        });
    }
    finger = finger
        .then(PointerAction::Pause {
            duration: Duration::from_millis(150),
        })
        .then(PointerAction::Up { button: 0 });
    browser
        .perform_actions(finger)
        .await
        .expect("touch actions");
    browser.release_actions().await.expect("release");
}

/// Clicks (taps) an element once it is visible, retrying when a live update had just
/// replaced it.
async fn click(browser: &Client, css: &str) {
    let deadline = tokio::time::Instant::now() + PAGE_WAIT;
    loop {
        let result = wait_visible(browser, css).await.click().await;
        match result {
            Ok(_) => return,
            Err(e) if tokio::time::Instant::now() > deadline => panic!("click {css}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// Clicks a button that asks for confirmation, and accepts the dialog once it shows. The
/// console re-renders on every live update: a click can reach a button as it is replaced and
/// open nothing (CI saw "no such alert" right after a click), so the click is made again until
/// the dialog shows; nothing is sent without the confirmation.
async fn click_and_confirm(browser: &Client, css: &str) {
    let deadline = tokio::time::Instant::now() + PAGE_WAIT;
    loop {
        click(browser, css).await;
        let shown_by = tokio::time::Instant::now() + Duration::from_secs(2);
        while tokio::time::Instant::now() < shown_by {
            if browser.get_alert_text().await.is_ok() {
                browser.accept_alert().await.expect("accept the dialog");
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no confirmation dialog after clicking {css}"
        );
    }
}

/// Focuses an element and presses Enter, as a keyboard user would (retrying when the
/// element was just re-rendered by a live update).
async fn press_enter(browser: &Client, css: &str) {
    let deadline = tokio::time::Instant::now() + PAGE_WAIT;
    loop {
        let pressed = match browser.find(Locator::Css(css)).await {
            Ok(element) => element.send_keys(&Key::Enter.to_string()).await.is_ok(),
            Err(_) => false,
        };
        if pressed {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "could not press Enter on {css}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn join(driver: &Driver, server: &TestServer, code: &str, name: &str) -> Client {
    let phone = driver.phone().await;
    phone
        .goto(&server.url(&format!("/j/{code}")))
        .await
        .unwrap();
    wait_visible(&phone, "#name")
        .await
        .send_keys(name)
        .await
        .unwrap();
    click(&phone, "#join-form button[type=submit]").await;
    wait_text(&phone, "#hello", name).await;
    phone
}

#[tokio::test]
async fn a_team_orders_cards_by_touch_and_keyboard_and_the_facilitator_reveals() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let created = server
        .http()
        .post(server.url("/api/users"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"username": "claire", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let login: Value = server
        .http()
        .post(server.url("/api/login"))
        .json(&json!({"username": "claire", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let session = server.create_session_as(token, &["fresque"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let path = |url: &Value| {
        let url = url.as_str().unwrap();
        url[url.find("://").map_or(0, |i| i + 3)..]
            .split_once('/')
            .map(|(_, p)| format!("/{p}"))
            .unwrap()
    };

    let driver = Driver::start().await;
    // The facilitator signs in and opens the console; the projector opens its link.
    let laptop = driver.desktop().await;
    sign_in(&laptop, &server.url("/login"), "claire", PASSWORD).await;
    wait_text(&laptop, "h1", "Mes ateliers").await;
    laptop
        .goto(&server.url(&path(&session["facilitator_url"])))
        .await
        .unwrap();
    wait_text(&laptop, "#join-code", &code).await;
    let projector = driver.desktop().await;
    projector
        .goto(&server.url(&path(&session["screen_url"])))
        .await
        .unwrap();
    wait_text(&projector, ".join-panel", &code).await;

    let ada = join(&driver, &server, &code, "Ada").await;
    let bob = join(&driver, &server, &code, "Bob").await;
    wait_text(&laptop, "#count", "2").await;

    // Into the fresque; one team of two.
    click(&laptop, "#next-phase").await;
    wait_text(&ada, ".fq-waiting", "l'animateur forme les équipes").await;
    let number = wait_visible(&laptop, "#fq-team-number").await;
    number.clear().await.unwrap();
    number.send_keys("1").await.unwrap();
    click(&laptop, ".fq-form-submit").await;
    wait_text(&ada, ".fq-waiting", "Équipe 1").await;
    wait_text(&bob, ".fq-waiting", "Équipe 1").await;
    wait_text(&laptop, ".fq-teams", "Bob").await;
    click(&laptop, ".fq-deal").await;
    let ada_hand = wait_cards(&ada, ".fq-hand", |c| c.len() == 5).await;
    let bob_hand = wait_cards(&bob, ".fq-hand", |c| c.len() == 5).await;
    wait_text(&ada, ".fq-status", "Paquet 1 sur 3").await;
    wait_text(&ada, ".fq-scenario", "Innover et créer").await;

    // Ada drags a card from her hand onto the empty timeline, by touch; Bob sees it.
    touch_drag(&ada, &ada_hand[0], ".fq-board", 0.0).await;
    wait_cards(&ada, ".fq-board", |c| c == [ada_hand[0].clone()]).await;
    wait_cards(&bob, ".fq-board", |c| c == [ada_hand[0].clone()]).await;
    // Bob's phone highlights what moved and who moved it (phones get no names yet, so a
    // teammate is "someone in the team").
    wait_text(
        &bob,
        &format!("li.fq-flash[data-card='{}'] .fq-by", ada_hand[0]),
        "Quelqu'un de l'équipe",
    )
    .await;
    // Bob drags one of his below it, by touch. (His hand keeps its room while he drags, so
    // the timeline stays put: as his card comes in above Ada's, hers moves down by a card,
    // and he lets go below it.)
    let below = format!(".fq-board li[data-card='{}']", ada_hand[0]);
    let (_, _, _, height) = bob
        .find(Locator::Css(&below))
        .await
        .unwrap()
        .rectangle()
        .await
        .unwrap();
    touch_drag(&bob, &bob_hand[0], &below, height + 30.0).await;
    let both = vec![ada_hand[0].clone(), bob_hand[0].clone()];
    wait_cards(&bob, ".fq-board", |c| c == both).await;
    wait_cards(&ada, ".fq-board", |c| c == both).await;
    // Ada drags Bob's card above hers (a move within the timeline); Bob's phone follows.
    touch_drag(
        &ada,
        &bob_hand[0],
        &format!(".fq-board li[data-card='{}']", ada_hand[0]),
        -20.0,
    )
    .await;
    let swapped = vec![bob_hand[0].clone(), ada_hand[0].clone()];
    wait_cards(&ada, ".fq-board", |c| c == swapped).await;
    wait_cards(&bob, ".fq-board", |c| c == swapped).await;

    // The rest without dragging: tap a card in the hand, then "place last".
    for (phone, hand) in [(&ada, &ada_hand), (&bob, &bob_hand)] {
        for card in &hand[1..] {
            click(phone, &format!(".fq-hand li[data-card='{card}'] .fq-face")).await;
            click(phone, ".fq-actions .fq-last").await;
            wait_cards(phone, ".fq-hand", |c| !c.contains(card)).await;
        }
    }
    let full = wait_cards(&ada, ".fq-board", |c| c.len() == 10).await;
    wait_cards(&bob, ".fq-board", |c| c == full).await;

    // Done with the hand: "Terminé" clears the selection.
    for phone in [&ada, &bob] {
        click(phone, ".fq-actions .fq-deselect").await;
        wait_cards(phone, ".fq-board", |c| c == full).await;
    }

    // The keyboard path: Bob selects the last card with Enter and moves it up with Enter.
    let last = full[9].clone();
    press_enter(&bob, &format!(".fq-board li[data-card='{last}'] .fq-face")).await;
    wait_text(&bob, ".fq-actions", "position 10 sur 10").await;
    press_enter(&bob, ".fq-actions .fq-up").await;
    let mut expected = full.clone();
    expected.swap(8, 9);
    wait_cards(&bob, ".fq-board", |c| c == expected).await;
    wait_cards(&ada, ".fq-board", |c| c == expected).await;
    wait_text(&bob, ".fq-actions", "position 9 sur 10").await;
    // Focus stayed on "move up", so a second Enter moves it again.
    let focused = bob
        .execute(
            "return document.activeElement.classList.contains('fq-up');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(focused, json!(true), "focus stays on the move-up button");
    // The back of a card.
    click(
        &ada,
        &format!(".fq-board li[data-card='{}'] .fq-flip", expected[0]),
    )
    .await;
    wait_visible(
        &ada,
        &format!(".fq-board li[data-card='{}'] .fq-back", expected[0]),
    )
    .await;
    screenshot(&ada, "fresque-phone-board").await;
    screenshot(&bob, "fresque-phone-keyboard").await;

    // Console and projector follow every board live.
    wait_text(&laptop, ".fq-team", "10 cartes posées sur 10").await;
    wait_text(&projector, ".fq-boards", "Équipe 1").await;
    screenshot(&laptop, "fresque-console").await;
    screenshot(&projector, "fresque-screen-boards").await;

    // Reveal (two packs were never dealt: the console asks first).
    click_and_confirm(&laptop, ".fq-reveal").await;
    wait_text(&ada, ".fq-score", "%").await;
    let score = wait_text(&bob, ".fq-score", "%").await;
    assert!(score.contains("paires"), "{score}");
    wait_visible(&ada, ".fq-board .fq-verdict").await;
    wait_text(&projector, ".fq-team-score", "%").await;
    screenshot(&ada, "fresque-phone-revealed").await;

    // Debrief: the projector walks through the reference order.
    click(&laptop, ".fq-debrief-next").await;
    wait_text(&projector, ".fq-debrief", "Étape 1 sur 25").await;
    click(&laptop, ".fq-debrief-next").await;
    wait_text(&projector, ".fq-debrief", "Étape 2 sur 25").await;
    wait_text(&ada, ".fq-debrief", "Étape 2 sur 25").await;
    screenshot(&projector, "fresque-screen-debrief").await;
    screenshot(&ada, "fresque-phone-debrief").await;
    // One team on the projector.
    click(&laptop, ".fq-show-0").await;
    wait_visible(&projector, ".fq-board-big").await;
    screenshot(&projector, "fresque-screen-team").await;
    screenshot(&laptop, "fresque-console-revealed").await;

    for browser in [laptop, projector, ada, bob] {
        browser.close().await.unwrap();
    }
}
