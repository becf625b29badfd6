//! The projector, read from 10 metres: at 1920×1080 and 1280×720 the lobby and the activity
//! screens fit without scrolling, every text is at least 28 px, there is no page chrome, and
//! the join code (and, on demand, the QR code) stays reachable during the activities.

mod common;

use common::browser::{self, Driver, screenshot, wait_text, wait_visible};
use common::{ADMIN_TOKEN, Client as WsClient, TestServer};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

async fn js(browser: &Client, script: &str) -> Value {
    browser
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// What breaks a projector page: scrolling, visible text under 28 px, page chrome.
const PROBLEMS: &str = r#"
    const problems = [];
    const root = document.documentElement;
    if (root.scrollWidth > window.innerWidth + 1) problems.push(`scrolls sideways: ${root.scrollWidth} > ${window.innerWidth}`);
    if (root.scrollHeight > window.innerHeight + 1) problems.push(`scrolls down: ${root.scrollHeight} > ${window.innerHeight}`);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const small = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      const el = node.parentElement;
      if (!text || !el || el.closest("[hidden], .visually-hidden")) continue;
      const rect = el.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 28) small.add(`${size}px "${text.slice(0, 40)}"`);
    }
    if (small.size) problems.push(`text under 28 px: ${[...small].slice(0, 8).join("; ")}`);
    const langs = document.querySelector(".langs");
    if (langs && langs.getBoundingClientRect().height > 0 && getComputedStyle(langs).display !== "none") problems.push("the language footer shows");
    return problems;
"#;

async fn assert_fits(projector: &Client, what: &str) {
    let problems = js(projector, PROBLEMS).await;
    assert_eq!(problems, json!([]), "{what}");
}

#[tokio::test]
async fn the_projector_reads_from_the_back_of_the_room() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let session = server.create_session(&["bingo"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let mut phones = Vec::new();
    for name in [
        "Ada", "Bruno", "Chloé", "Dara", "Eve", "Farid", "Gaspard", "Noor",
    ] {
        phones.push(WsClient::join(server.addr, &code, name).await.0);
    }
    let (mut staff, _) = WsClient::staff(server.addr, &code, ADMIN_TOKEN).await;
    let driver = Driver::start().await;
    for (width, height) in [(1920, 1080), (1280, 720)] {
        let projector = driver.projector_sized(width, height).await;
        let url = session["screen_url"].as_str().unwrap().to_string();
        projector.goto(&url).await.unwrap();
        wait_text(&projector, "#count", "8 participants").await;
        wait_visible(&projector, "#join-panel .qr").await;
        assert_fits(&projector, &format!("lobby at {width}×{height}")).await;
        screenshot(&projector, &format!("screen-lobby-{width}")).await;
        projector.close().await.unwrap();
    }

    // During an activity the join code stays on screen, and the QR code comes back on demand.
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    for (width, height) in [(1920, 1080), (1280, 720)] {
        let projector = driver.projector_sized(width, height).await;
        let url = session["screen_url"].as_str().unwrap().to_string();
        projector.goto(&url).await.unwrap();
        wait_visible(&projector, "#activity-bingo").await;
        wait_text(&projector, "#join-chip", &code).await;
        projector
            .find(Locator::Id("join-chip"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        wait_visible(&projector, "#join-panel .qr").await;
        let shown = js(
            &projector,
            "return document.body.classList.contains('join-open');",
        )
        .await;
        assert_eq!(shown, true);
        screenshot(&projector, &format!("screen-join-overlay-{width}")).await;
        // Escape puts the activity back.
        projector
            .active_element()
            .await
            .unwrap()
            .send_keys("\u{e00c}")
            .await
            .unwrap();
        let hidden = js(
            &projector,
            "return document.getElementById('join-panel').hidden;",
        )
        .await;
        assert_eq!(hidden, true);
        projector.close().await.unwrap();
    }
    // A definition on the screen, then its answer: both fit and read from the back.
    staff.send(json!({"type": "bingo.draw"})).await;
    staff.expect("bingo.drawn").await;
    for reveal in [false, true] {
        if reveal {
            staff.send(json!({"type": "bingo.reveal"})).await;
            staff.expect("bingo.revealed").await;
        }
        for (width, height) in [(1920, 1080), (1280, 720)] {
            let projector = driver.projector_sized(width, height).await;
            let url = session["screen_url"].as_str().unwrap().to_string();
            projector.goto(&url).await.unwrap();
            wait_visible(&projector, "#activity-bingo .bs-stage").await;
            let state = if reveal { "revealed" } else { "definition" };
            assert_fits(&projector, &format!("bingo {state} at {width}×{height}")).await;
            screenshot(&projector, &format!("screen-bingo-{state}-{width}")).await;
            projector.close().await.unwrap();
        }
    }
    drop(phones);
}

#[tokio::test]
async fn the_fresque_on_the_projector_reads_from_the_back_of_the_room() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let session = server.create_session(&["fresque"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let url = session["screen_url"].as_str().unwrap().to_string();
    let mut phones = Vec::new();
    for name in ["Ada", "Bruno", "Chloé", "Dara", "Eve", "Farid"] {
        let (client, welcome) = WsClient::join(server.addr, &code, name).await;
        phones.push((client, welcome["you"]["pid"].as_u64().unwrap()));
    }
    let (mut staff, _) = WsClient::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    staff
        .send(json!({"type": "fresque.form_teams", "count": 3}))
        .await;
    staff.expect("fresque.roster").await;
    staff.send(json!({"type": "fresque.deal"})).await;
    // Every phone places its whole hand at the end of its board.
    for (phone, _) in &mut phones {
        let hand = phone.expect("fresque.hand").await;
        for card in hand["hand"].as_array().unwrap() {
            phone
                .send(json!({"type": "fresque.place", "card": card, "after": null}))
                .await;
        }
    }
    let driver = Driver::start().await;
    let check = |state: &'static str, ready: &'static str| {
        let driver = &driver;
        let url = url.clone();
        async move {
            for (width, height) in [(1920, 1080), (1280, 720)] {
                let projector = driver.projector_sized(width, height).await;
                projector.goto(&url).await.unwrap();
                wait_visible(&projector, ready).await;
                assert_fits(&projector, &format!("fresque {state} at {width}×{height}")).await;
                screenshot(&projector, &format!("screen-fresque-{state}-{width}")).await;
                projector.close().await.unwrap();
            }
        }
    };
    // During play: each team's progress only (no board to copy), readable from the back.
    // (The reveal and the debrief do not fit 1280×720 at 28 px yet: issue 18, left.)
    check("playing", "#activity-fresque .fq-progress-team").await;
    drop(phones);
}
