//! The projector, read from 10 metres: at 1920×1080 and 1280×720 every state (lobby, bingo
//! definition, answer, win, end with the hardest terms, badge desk, feedback, end of the
//! workshop, fresque in play, each scene of the reveal, a team's timeline, the debrief) fits the screen without scrolling or clipping, every text
//! is at least 28 px and clear of the join chip, colours pass axe-core's contrast rule (AA),
//! there is no page chrome, and the join code (and, on demand, the QR code) stays reachable.

mod common;

use common::browser::{self, Driver, audit, screenshot, until, wait_text, wait_visible};
use common::{ADMIN_TOKEN, Client as WsClient, TestServer};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

const SIZES: [(u32, u32); 2] = [(1920, 1080), (1280, 720)];

async fn js(browser: &Client, script: &str) -> Value {
    browser
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// Every finite animation of the page has finished (an entrance moves text while it plays).
const SETTLED: &str = "document.getAnimations().every((a) => a.effect?.getComputedTiming().iterations === Infinity || a.playState === 'finished' || a.playState === 'idle')";

/// What breaks a projector page: scrolling, text cut off by the screen's edge or hidden under
/// the join chip, visible text under 28 px, page chrome.
const PROBLEMS: &str = r#"
    const problems = [];
    const root = document.documentElement;
    const W = window.innerWidth, H = window.innerHeight;
    if (root.scrollWidth > W + 1) problems.push(`scrolls sideways: ${root.scrollWidth} > ${W}`);
    if (root.scrollHeight > H + 1) problems.push(`scrolls down: ${root.scrollHeight} > ${H}`);
    const chip = document.getElementById("join-chip");
    const chipRect = chip && !chip.hidden && !document.body.classList.contains("join-open") ? chip.getBoundingClientRect() : null;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const small = new Set(), cut = new Set(), covered = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent.trim();
      const el = node.parentElement;
      if (!text || !el || el.closest("[hidden], .visually-hidden")) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || style.display === "none") continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rect = range.getBoundingClientRect();
      if (rect.width === 0 || rect.height === 0) continue;
      const size = parseFloat(style.fontSize);
      const label = `"${text.slice(0, 40)}"`;
      if (size < 28) small.add(`${size}px ${label}`);
      if (rect.left < -1 || rect.top < -1 || rect.right > W + 1 || rect.bottom > H + 1) cut.add(`${label} at ${Math.round(rect.left)},${Math.round(rect.top)}–${Math.round(rect.right)},${Math.round(rect.bottom)}`);
      // Clipped by a box that hides its overflow (the text is laid out but not seen).
      for (let box = el; box && box !== document.body; box = box.parentElement) {
        const s = getComputedStyle(box);
        if (s.overflowX === "visible" && s.overflowY === "visible") continue;
        const b = box.getBoundingClientRect();
        if (rect.bottom > b.bottom + 1 || rect.right > b.right + 1 || rect.top < b.top - 1 || rect.left < b.left - 1) {
          cut.add(`${label} clipped by ${box.tagName.toLowerCase()}.${[...box.classList].join(".")}`);
          break;
        }
      }
      if (chipRect && !chip.contains(el) && rect.left < chipRect.right && rect.right > chipRect.left && rect.top < chipRect.bottom && rect.bottom > chipRect.top) covered.add(label);
    }
    if (small.size) problems.push(`text under 28 px: ${[...small].slice(0, 8).join("; ")}`);
    if (cut.size) problems.push(`text cut off: ${[...cut].slice(0, 8).join("; ")}`);
    if (covered.size) problems.push(`text under the join chip: ${[...covered].slice(0, 8).join("; ")}`);
    const langs = document.querySelector(".langs");
    if (langs && langs.getBoundingClientRect().height > 0 && getComputedStyle(langs).display !== "none") problems.push("the language footer shows");
    return problems;
"#;

/// Checks the state on screen once its entrance has played: fit, size, contrast; and keeps a
/// screenshot (`target/tmp/screenshots/screen-<name>-<width>.png`).
async fn check(projector: &Client, name: &str, width: u32) {
    until(projector, SETTLED, &format!("{name}: animations end")).await;
    let problems = js(projector, PROBLEMS).await;
    assert_eq!(problems, json!([]), "{name} at width {width}");
    audit(projector, &format!("projector, {name} at width {width}")).await;
    screenshot(projector, &format!("screen-{name}-{width}")).await;
}

/// Presses a key on the projector page (a presenter's remote sends the arrow keys).
async fn press(projector: &Client, key: &str) {
    projector
        .active_element()
        .await
        .unwrap()
        .send_keys(key)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_projector_reads_from_the_back_of_the_room() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let session = server.create_session(&["bingo"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let url = session["screen_url"].as_str().unwrap().to_string();
    let mut phones = Vec::new();
    for name in [
        "Ada", "Bruno", "Chloé", "Dara", "Eve", "Farid", "Gaspard", "Noor",
    ] {
        phones.push(WsClient::join(server.addr, &code, name).await);
    }
    let (mut staff, _) = WsClient::staff(server.addr, &code, ADMIN_TOKEN).await;
    let driver = Driver::start().await;
    for (width, height) in SIZES {
        let projector = driver.projector_sized(width, height).await;
        projector.goto(&url).await.unwrap();
        wait_text(&projector, "#count", "8 participants").await;
        wait_visible(&projector, "#join-panel .qr").await;
        check(&projector, "lobby", width).await;
        projector.close().await.unwrap();
    }

    // During an activity the join code stays on screen, and the QR code comes back on demand.
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    for (width, height) in SIZES {
        let projector = driver.projector_sized(width, height).await;
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
        check(&projector, "join-overlay", width).await;
        // Escape puts the activity back.
        press(&projector, "\u{e00c}").await;
        let hidden = js(
            &projector,
            "return document.getElementById('join-panel').hidden;",
        )
        .await;
        assert_eq!(hidden, true);
        projector.close().await.unwrap();
    }
    // The projectors stay on from here, as in a room: a win is a moment, seen live.
    let mut screens = Vec::new();
    for (width, height) in SIZES {
        let projector = driver.projector_sized(width, height).await;
        projector.goto(&url).await.unwrap();
        wait_visible(&projector, "#activity-bingo .bs-stage").await;
        screens.push((projector, width));
    }
    let bingo_screen = |state: &'static str| {
        let screens = &screens;
        async move {
            let banner = "document.querySelector('#activity-bingo .bs-banner:not([hidden])')";
            let view = |view: &str| {
                format!(
                    "document.querySelector('#activity-bingo .bs-stage')?.dataset.view === '{view}'"
                )
            };
            let shown = match state {
                // A "Bingo !" while the definition is still open, then its answer under the banner.
                "win" => format!("{banner} && {}", view("definition")),
                "win-answer" => format!("{banner} && {}", view("revealed")),
                _ => view(state),
            };
            for (projector, width) in screens {
                until(projector, &shown, state).await;
                check(projector, &format!("bingo-{state}"), *width).await;
            }
        }
    };
    // Ada's first row, definition by definition, then her "Bingo !".
    let (ada, ada_welcome) = &mut phones[0];
    let row: Vec<String> = ada_welcome["bingo"]["grid"].as_array().unwrap()[..5]
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    for (n, card) in row.iter().enumerate() {
        staff
            .send(json!({"type": "bingo.draw", "card": card}))
            .await;
        staff.expect("bingo.definition").await;
        ada.send(json!({"type": "bingo.tap", "card": card})).await;
        assert_eq!(ada.expect("bingo.tapped").await["correct"], true);
        if n == 0 {
            bingo_screen("definition").await;
        }
        if n == 4 {
            // Her line is complete: "Bingo !" before the facilitator reveals (as people do).
            ada.send(json!({"type": "bingo.claim"})).await;
            assert_eq!(ada.expect("bingo.claim_checked").await["valid"], true);
            staff.expect("bingo.prize").await;
            // The win: the name in large type and the prizes, the definition still open.
            bingo_screen("win").await;
        }
        staff.send(json!({"type": "bingo.reveal"})).await;
        staff.expect("bingo.revealed").await;
        if n == 0 {
            bingo_screen("revealed").await;
        }
    }
    // The answer comes under the banner.
    bingo_screen("win-answer").await;
    // The end: the hardest terms and the prizes, for the debrief.
    staff.send(json!({"type": "bingo.end"})).await;
    staff.expect("bingo.ended").await;
    bingo_screen("ended").await;
    // The badge desk, the feedback's live figures and the end of the workshop, on the same
    // projectors.
    for (phase, ready) in [
        ("badges", "#activity-badge:not([hidden]) .badge-screen"),
        ("feedback", "#activity-badge:not([hidden]) .badge-screen"),
        ("closed", "#phase"),
    ] {
        staff.send(json!({"type": "phase.next"})).await;
        staff.expect("phase.changed").await;
        for (projector, width) in &screens {
            wait_visible(projector, ready).await;
            check(projector, phase, *width).await;
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
    // Every pack, and every phone places its whole hand at the end of its board.
    for _ in 0..3 {
        staff.send(json!({"type": "fresque.deal"})).await;
        for (phone, _) in &mut phones {
            let hand = phone.expect("fresque.hand").await;
            for card in hand["hand"].as_array().unwrap() {
                phone
                    .send(json!({"type": "fresque.place", "card": card, "after": null}))
                    .await;
            }
        }
    }
    let driver = Driver::start().await;
    // During play: each team's progress only (no board to copy).
    for (width, height) in SIZES {
        let projector = driver.projector_sized(width, height).await;
        projector.goto(&url).await.unwrap();
        wait_visible(&projector, "#activity-fresque .fq-progress-team").await;
        check(&projector, "fresque-playing", width).await;
        projector.close().await.unwrap();
    }
    staff.send(json!({"type": "fresque.reveal"})).await;
    staff.expect("fresque.revealed").await;
    // The reveal plays as a sequence of full screens; a presenter's remote (the arrow keys)
    // moves through them without waiting.
    for (width, height) in SIZES {
        let projector = driver.projector_sized(width, height).await;
        projector.goto(&url).await.unwrap();
        for (n, scene) in ["reference", "teams", "podium"].into_iter().enumerate() {
            if n > 0 {
                press(&projector, "\u{e014}").await; // →
            }
            until(
                &projector,
                &format!("document.querySelector('#activity-fresque .fq-reveal')?.dataset.scene === '{scene}'"),
                scene,
            )
            .await;
            check(&projector, &format!("fresque-reveal-{scene}"), width).await;
        }
        projector.close().await.unwrap();
    }
    // One team's timeline, shown from the console to discuss it.
    staff
        .send(json!({"type": "fresque.show_team", "team": 0}))
        .await;
    staff.expect("fresque.show_team").await;
    for (width, height) in SIZES {
        let projector = driver.projector_sized(width, height).await;
        projector.goto(&url).await.unwrap();
        wait_visible(&projector, "#activity-fresque .fq-board-big").await;
        check(&projector, "fresque-team", width).await;
        projector.close().await.unwrap();
    }
    staff
        .send(json!({"type": "fresque.show_team", "team": null}))
        .await;
    staff.expect("fresque.show_team").await;
    // The debrief, card by card.
    staff
        .send(json!({"type": "fresque.debrief", "index": 1}))
        .await;
    staff.expect("fresque.debrief").await;
    for (width, height) in SIZES {
        let projector = driver.projector_sized(width, height).await;
        projector.goto(&url).await.unwrap();
        wait_visible(&projector, "#activity-fresque .fq-reference").await;
        check(&projector, "fresque-debrief", width).await;
        projector.close().await.unwrap();
    }
    drop(phones);
}
