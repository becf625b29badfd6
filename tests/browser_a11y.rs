//! Accessibility and weight, in real browsers, through a whole workshop: every screen
//! (join, lobby, bingo, fresque, badge, feedback, projector, facilitator console, organiser
//! console, verifier, privacy) is audited with axe-core (no serious or critical violation);
//! a phone plays the bingo and the fresque with the keyboard only; the phone's total transfer
//! to join and play stays under the 150 KB budget.

mod common;

use common::browser::{
    self, Driver, audit, screenshot, sign_in, transferred_bytes, until, wait_text, wait_visible,
};
use common::{ADMIN_TOKEN, Client, TestServer};
use fantoccini::Locator;
use fantoccini::key::Key;
use serde_json::{Value, json};

const PASSWORD: &str = "mot de passe solide";
/// The phone's budget to join and play (issue: under 150 KB in total).
const PHONE_BUDGET_BYTES: u64 = 150 * 1024;

async fn active(browser: &fantoccini::Client, js: &str) -> Value {
    browser
        .execute(
            &format!("const a = document.activeElement; return {js};"),
            vec![],
        )
        .await
        .unwrap()
}

/// Presses keys on whatever has the focus, as a keyboard user does.
async fn press(browser: &fantoccini::Client, key: Key) {
    browser
        .active_element()
        .await
        .unwrap()
        .send_keys(&key.to_string())
        .await
        .unwrap();
}

#[tokio::test]
async fn every_screen_passes_axe_and_a_keyboard_plays_the_whole_workshop() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let state = server.running.as_ref().unwrap().state.clone();
    let hash = atelier::auth::hash_password("staff", PASSWORD).unwrap();
    state
        .store
        .create_user("claire", &hash, atelier::store::Role::Facilitator)
        .await
        .unwrap();
    state
        .store
        .create_user("odile", &hash, atelier::store::Role::Organiser)
        .await
        .unwrap();
    let driver = Driver::start().await;

    // Facilitator: sign-in page, dashboard, a new session, its console.
    let laptop = driver.desktop().await;
    laptop.goto(&server.url("/login")).await.unwrap();
    audit(&laptop, "sign-in page").await;
    sign_in(&laptop, &server.url("/login"), "claire", PASSWORD).await;
    wait_text(&laptop, "h1", "Mes ateliers").await;
    audit(&laptop, "facilitator dashboard").await;
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
    audit(&laptop, "facilitator console (lobby)").await;
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
    audit(&projector, "projector (lobby)").await;

    // Phone: the home page, the join form, the lobby (typing is keyboard use too).
    let phone = driver.phone().await;
    phone.goto(&server.url("/")).await.unwrap();
    audit(&phone, "home / join form").await;
    phone
        .goto(&server.url(&format!("/j/{code}")))
        .await
        .unwrap();
    let name = wait_visible(&phone, "#name").await;
    audit(&phone, "phone name form").await;
    name.send_keys("Ada").await.unwrap();
    press(&phone, Key::Enter).await;
    wait_text(&phone, "#hello", "Ada").await;
    audit(&phone, "phone lobby").await;

    // The facilitator drives from the console's socket (same session, admin token).
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;

    // Bingo, keyboard only: Tab to the grid, arrows to the cell of the drawn term, Enter.
    until(
        &phone,
        "document.querySelectorAll('#activity-bingo [data-card]').length === 25",
        "the grid",
    )
    .await;
    let grid: Vec<String> = serde_json::from_value(
        phone.execute("return [...document.querySelectorAll('#activity-bingo button[data-card]')].map((b) => b.dataset.card);", vec![]).await.unwrap(),
    )
    .unwrap();
    assert_eq!(grid.len(), 25);
    let target = 7; // row 2, column 3
    staff
        .send(json!({"type": "bingo.draw", "card": grid[target]}))
        .await;
    staff.expect("bingo.definition").await;
    until(&projector, "document.querySelector('#activity-bingo') && !document.querySelector('#activity-bingo').hidden", "the projector's bingo").await;
    phone
        .execute(
            "document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0);",
            vec![],
        )
        .await
        .unwrap();
    for _ in 0..60 {
        if active(&phone, "Boolean(a && a.dataset && a.dataset.card)").await == json!(true) {
            break;
        }
        press(&phone, Key::Tab).await;
    }
    assert_eq!(
        active(&phone, "Boolean(a && a.dataset && a.dataset.card)").await,
        json!(true),
        "Tab reaches the grid"
    );
    let at: usize = serde_json::from_value::<String>(active(&phone, "a.dataset.card").await)
        .map(|card| grid.iter().position(|c| *c == card).unwrap())
        .unwrap();
    let (row, col) = (at / 5, at % 5);
    let (to_row, to_col) = (target / 5, target % 5);
    for _ in row..to_row {
        press(&phone, Key::Down).await;
    }
    for _ in to_row..row {
        press(&phone, Key::Up).await;
    }
    for _ in col..to_col {
        press(&phone, Key::Right).await;
    }
    for _ in to_col..col {
        press(&phone, Key::Left).await;
    }
    assert_eq!(
        active(&phone, "a.dataset.card").await,
        json!(grid[target]),
        "arrows move between cells"
    );
    press(&phone, Key::Enter).await;
    until(&phone, &format!("document.querySelector('#activity-bingo button[data-card=\"{}\"]').getAttribute('aria-pressed') === 'true'", grid[target]), "the cell is marked").await;
    audit(&phone, "phone bingo").await;
    audit(&projector, "projector bingo").await;
    wait_visible(&laptop, "#activity-bingo").await;
    audit(&laptop, "console bingo").await;

    // Fresque, keyboard only: select a card of the hand with Enter, place it with Enter.
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    staff
        .send(json!({"type": "fresque.form_teams", "count": 1}))
        .await;
    staff.send(json!({"type": "fresque.deal"})).await;
    until(
        &phone,
        "document.querySelectorAll('#activity-fresque .fq-hand li').length > 0",
        "the hand",
    )
    .await;
    phone
        .find(Locator::Css("#activity-fresque .fq-hand li .fq-face"))
        .await
        .unwrap()
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap();
    until(
        &phone,
        "document.querySelector('.fq-actions') && !document.querySelector('.fq-actions').hidden",
        "the action bar",
    )
    .await;
    for _ in 0..20 {
        if active(&phone, "a.classList.contains('fq-first')").await == json!(true) {
            break;
        }
        press(&phone, Key::Tab).await;
    }
    assert_eq!(
        active(&phone, "a.classList.contains('fq-first')").await,
        json!(true),
        "Tab reaches \"place first\""
    );
    press(&phone, Key::Enter).await;
    until(
        &phone,
        "document.querySelectorAll('#activity-fresque .fq-board li').length === 1",
        "the card is on the board",
    )
    .await;
    audit(&phone, "phone fresque").await;
    until(
        &projector,
        "!document.querySelector('#activity-fresque').hidden",
        "the projector's fresque",
    )
    .await;
    audit(&projector, "projector fresque").await;
    audit(&laptop, "console fresque").await;

    // The phone's weight to join and play (join, lobby, bingo, fresque), compressed sizes.
    let bytes = transferred_bytes(&phone).await;
    eprintln!("phone transferred {bytes} bytes to join and play");
    assert!(bytes > 0);
    assert!(
        bytes <= PHONE_BUDGET_BYTES,
        "the phone transferred {bytes} bytes to join and play (budget {PHONE_BUDGET_BYTES})"
    );

    // Badges: the form submitted with the keyboard.
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    staff
        .send(json!({"type": "badge.open", "mode": "automatic"}))
        .await;
    let badge_name = wait_visible(&phone, "#badge-name").await;
    audit(&phone, "phone badge form").await;
    badge_name.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_text(&phone, ".badge-card", "Ada").await;
    audit(&phone, "phone badge").await;
    audit(&laptop, "console badge desk").await;
    audit(&projector, "projector badges").await;

    // Feedback.
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    wait_visible(&phone, ".feedback-box form").await;
    audit(&phone, "phone feedback").await;

    // With the badge (its picture) and the feedback form: reported, not budgeted.
    eprintln!(
        "phone transferred {} bytes with the badge and the feedback form",
        transferred_bytes(&phone).await
    );

    // Public pages.
    for (path, what) in [
        ("/verify", "verifier"),
        ("/privacy", "privacy page"),
        ("/me", "my data"),
        ("/claim", "claim page"),
    ] {
        phone.goto(&server.url(path)).await.unwrap();
        wait_visible(&phone, "h1").await;
        audit(&phone, what).await;
    }

    // Organiser console.
    let organiser = driver.desktop().await;
    sign_in(&organiser, &server.url("/login"), "odile", PASSWORD).await;
    wait_visible(&organiser, "#sessions").await;
    audit(&organiser, "organiser console").await;
    for path in ["/o/badges", "/o/issuer", "/o/accounts"] {
        organiser.goto(&server.url(path)).await.unwrap();
        wait_visible(&organiser, "h1").await;
        audit(&organiser, path).await;
    }
    screenshot(&phone, "a11y-phone-last").await;
    for browser in [laptop, projector, phone, organiser] {
        browser.close().await.unwrap();
    }
}
