//! The bingo in real browsers: the facilitator drives it from the console, a phone taps
//! the right cells and claims, the projector shows the definition, the reveal and the
//! winner. Two more players join over WebSockets. Screenshots of every main state are
//! saved as bingo-*.png (see `common::browser::screenshot_dir`).

mod common;

use common::browser::{
    self, Driver, click, dialog_text, screenshot, sign_in, wait_text, wait_visible,
};
use common::{Client as WsClient, TestServer};
use fantoccini::{Client, Locator};
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough password";

async fn js(browser: &Client, script: &str) -> Value {
    browser
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// Waits until `script` returns a value `ok` accepts; returns it.
async fn until_js(
    browser: &Client,
    what: &str,
    script: &str,
    ok: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + common::WAIT;
    loop {
        let value = js(browser, script).await;
        if ok(&value) {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: last saw {value}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The console draws `card` through its "choose the definition" list.
async fn draw_from_console(laptop: &Client, card: &str, step: usize) {
    wait_visible(laptop, &format!("#bingo-pick option[value='{card}']")).await;
    laptop
        .find(Locator::Id("bingo-pick"))
        .await
        .unwrap()
        .select_by_value(card)
        .await
        .unwrap();
    click(laptop, "[data-action=draw-picked]").await;
    wait_text(laptop, ".bc-kicker", &format!("Définition {step}")).await;
}

/// The phone's layout fits 390×844: no scrolling to reach the Bingo button, no term cut off.
async fn assert_phone_fits(phone: &Client) {
    wait_visible(phone, ".bp-grid[data-fitted]").await;
    let layout = js(
        phone,
        r#"const claim = document.querySelector('.bp-claim').getBoundingClientRect();
           const cells = [...document.querySelectorAll('.bp-cell')];
           const cut = [...document.querySelectorAll('.bp-term')].filter(
             (l) => l.scrollWidth > l.clientWidth + 1 || l.scrollHeight > l.clientHeight + 1).map((l) => l.textContent);
           const sizes = [...document.querySelectorAll('.bp-term')].map((l) => parseFloat(l.style.fontSize));
           return {claimBottom: claim.bottom, height: innerHeight, wide: document.documentElement.scrollWidth > innerWidth,
                   cells: cells.length, buttons: cells.filter((b) => b.tagName === 'BUTTON' && b.hasAttribute('aria-pressed')).length,
                   cut, smallest: Math.min(...sizes)};"#,
    )
    .await;
    assert_eq!(layout["cells"], 25, "{layout}");
    assert_eq!(layout["buttons"], 25, "cells are toggle buttons: {layout}");
    assert!(
        layout["claimBottom"].as_f64().unwrap() <= layout["height"].as_f64().unwrap(),
        "the Bingo button is below the fold: {layout}"
    );
    assert_eq!(layout["wide"], false, "horizontal scrolling: {layout}");
    assert_eq!(layout["cut"], json!([]), "terms cut off: {layout}");
    assert!(
        layout["smallest"].as_f64().unwrap() >= 9.0,
        "terms too small: {layout}"
    );
}

#[tokio::test]
async fn a_phone_plays_a_line_and_the_projector_shows_the_winner() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let token = server.facilitator_token("claire").await;
    let session = server
        .create_session_as(&token, &["bingo", "fresque"])
        .await;
    let code = session["code"].as_str().unwrap().to_string();
    let deck: Value = server
        .http()
        .get(server.url("/decks/open-badges/fr.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let term = |card: &str| deck["cards"][card]["term"].as_str().unwrap().to_string();

    let driver = Driver::start().await;
    let laptop = open_console(&driver, &server, &code).await;
    let screen_href = wait_visible(&laptop, "#screen-link")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let projector = driver.desktop().await;
    projector.goto(&server.url(&screen_href)).await.unwrap();
    wait_text(&projector, ".join-panel", &code).await;

    // Ada plays on a phone; Bob and Cléo over plain WebSockets.
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
    click(&phone, "#join-form button[type=submit]").await;
    wait_text(&phone, "#hello", "Ada").await;
    let (mut bob, bob_w) = WsClient::join(server.addr, &code, "Bob").await;
    let (mut cleo, _) = WsClient::join(server.addr, &code, "Cléo").await;
    wait_text(&projector, "#participants", "Cléo").await;

    // Into the bingo, once every page has mounted its bingo screen from its welcome (the shell
    // renders the welcome's phase when mounting ends, which would hide a phase that changed
    // meanwhile: see the report on the shell).
    wait_visible(&phone, "#activity-bingo .bp-grid").await;
    wait_visible(&projector, "#activity-bingo .bingo-screen").await;
    wait_visible(&laptop, "#activity-bingo .bingo-console").await;
    click(&laptop, "#next-phase").await;
    wait_visible(&phone, "#activity-bingo:not([hidden]) .bp-cell").await;
    wait_visible(&projector, "#activity-bingo:not([hidden]) .bs-rules").await;
    wait_visible(&laptop, "#activity-bingo:not([hidden]) [data-action=draw]").await;
    bob.expect("phase.changed").await;
    cleo.expect("phase.changed").await;
    let grid: Vec<String> = serde_json::from_value(
        js(
            &phone,
            "return [...document.querySelectorAll('.bp-cell')].map((b) => b.dataset.card);",
        )
        .await,
    )
    .unwrap();
    assert_eq!(grid.len(), 25);
    assert_phone_fits(&phone).await;
    screenshot(&projector, "bingo-screen-rules").await;
    screenshot(&phone, "bingo-phone-start").await;

    // Definition 1: the first cell of Ada's grid.
    draw_from_console(&laptop, &grid[0], 1).await;
    wait_visible(&phone, ".bp-prompt[data-state=open]").await;
    wait_text(&projector, ".bs-progress", "Définition 1/25").await;
    let bob_wrong = bob_w["bingo"]["grid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| **c != json!(grid[0]))
        .unwrap()
        .clone();
    bob.send(json!({"type": "bingo.tap", "card": bob_wrong}))
        .await;
    assert_eq!(bob.expect("bingo.tapped").await["correct"], false);
    wait_text(&projector, ".bs-answers", "1/3").await;
    screenshot(&projector, "bingo-screen-definition").await;
    screenshot(&phone, "bingo-phone-grid").await;

    click(&phone, &format!(".bp-cell[data-card='{}']", grid[0])).await;
    wait_visible(
        &phone,
        &format!(
            ".bp-cell.marked[aria-pressed=true][data-card='{}']",
            grid[0]
        ),
    )
    .await;
    wait_visible(&phone, ".bp-prompt[data-state=right]").await;
    cleo.send(json!({"type": "bingo.tap", "card": grid[0]}))
        .await;
    cleo.expect("bingo.tapped").await;
    wait_text(&projector, ".bs-answers", "3/3").await;
    screenshot(&phone, "bingo-phone-answered").await;

    click(&laptop, "[data-action=reveal]").await;
    wait_text(&projector, ".bs-term", &term(&grid[0])).await;
    // The share of phones that found it, once the facilitator moved on.
    wait_text(&projector, ".bs-rate", "2/3 l'ont trouvé · 67 %").await;
    wait_visible(&phone, ".bp-prompt[data-state=revealed]").await;
    screenshot(&projector, "bingo-screen-reveal").await;

    // Bob cries "Bingo !" with no line: the console shows the refused claim.
    bob.send(json!({"type": "bingo.claim"})).await;
    assert_eq!(bob.expect("bingo.claim_checked").await["valid"], false);
    wait_text(&laptop, ".bc-refused", "Bob").await;

    // Definitions 2 to 5 complete Ada's first row.
    for (i, card) in grid[1..5].iter().enumerate() {
        draw_from_console(&laptop, card, i + 2).await;
        wait_text(&phone, ".bp-status", &format!("Définition {}/25", i + 2)).await;
        click(&phone, &format!(".bp-cell[data-card='{card}']")).await;
        wait_visible(&phone, &format!(".bp-cell.marked[data-card='{card}']")).await;
    }
    wait_visible(&phone, ".bp-claim.ready[aria-disabled=false]").await;
    assert_eq!(
        js(
            &phone,
            "return document.querySelectorAll('.bp-cell.in-line').length;"
        )
        .await,
        5
    );
    screenshot(&phone, "bingo-phone-line").await;

    // The facilitator turns the win sound on: the projector hears it (a staff event).
    assert_eq!(
        js(
            &laptop,
            "return document.querySelector('#bingo-sound').checked;"
        )
        .await,
        false,
        "the sound is off by default"
    );
    click(&laptop, "#bingo-sound").await;
    until_js(
        &laptop,
        "the sound setting comes back from the server",
        "return document.querySelector('#bingo-sound').checked;",
        |v| *v == json!(true),
    )
    .await;
    // Asked to click once so that the browser lets it play, unless it already may.
    until_js(
        &projector,
        "the projector knows the sound is on",
        "const h = document.querySelector('.bs-sound-hint'); return h.hidden ? (window.AudioContext ? 'running?' : 'none') : h.textContent;",
        |v| v.as_str().is_some_and(|t| t.contains("cliquez une fois") || t == "running?"),
    )
    .await;

    click(&phone, ".bp-claim").await;
    wait_visible(&phone, ".bp-claim-hint[data-verdict=won]").await;
    wait_text(&projector, ".bs-prize[data-prize=first_line]", "Ada").await;
    wait_text(&projector, ".bs-banner", "Ada").await;
    wait_text(&laptop, ".bc-prizes", "Ada").await;
    // The winner's name in large type, the prize with its winner, round and clock time, the
    // win said once to screen readers, and the chime played (the sound is never the only sign).
    until_js(
        &projector,
        "the win is announced",
        "return document.querySelector('[data-live=win]').textContent;",
        |v| v.as_str().is_some_and(|t| t.contains("Ada")),
    )
    .await;
    let win = js(
        &projector,
        r#"const name = document.querySelector('.bs-banner .bs-win-name');
           const when = document.querySelector('.bs-prize[data-prize=first_line] .bs-when');
           return {name: name.textContent, size: parseFloat(getComputedStyle(name).fontSize),
                   banner: document.querySelector('.bs-banner').textContent.replace(/\s+/g, ' ').trim(),
                   winners: document.querySelector('.bs-prize[data-prize=first_line] .bs-winners').textContent,
                   when: when.textContent, live: document.querySelector('[data-live=win]').textContent,
                   liveAttr: document.querySelector('[data-live=win]').getAttribute('aria-live'),
                   chimes: document.querySelector('.bingo-screen').dataset.chimes};"#,
    )
    .await;
    assert_eq!(win["name"], "Ada", "{win}");
    assert!(
        win["size"].as_f64().unwrap() >= 28.0,
        "the winner's name is too small: {win}"
    );
    assert_eq!(win["banner"], "Bingo ! Ada : Première ligne", "{win}");
    assert_eq!(win["winners"], "Ada", "{win}");
    let when = win["when"].as_str().unwrap();
    assert!(when.starts_with("Tour 5 · "), "{win}");
    let clock = when.trim_start_matches("Tour 5 · ");
    assert!(
        clock.len() == 5
            && clock.as_bytes()[2] == b':'
            && clock.replace(':', "").chars().all(|c| c.is_ascii_digit()),
        "the clock time of the round: {win}"
    );
    assert_eq!(
        win["live"], "Bingo\u{a0}! Ada\u{a0}: Première ligne",
        "{win}"
    );
    assert_eq!(win["liveAttr"], "polite", "{win}");
    assert_eq!(win["chimes"], "1", "{win}");
    // Reduced motion: every animation of bingo.css (the banner's pop, the cheering name, the
    // confetti, the urgent countdown) is declared only for readers who did not ask for less
    // motion; the confetti are not even shown to the others.
    let motion = js(
        &projector,
        r#"const sheet = [...document.styleSheets].find((s) => /\/bingo\.([0-9a-f]+\.)?css$/.test(s.href || ''));
           const out = {animated: [], unguarded: [], confettiShownByDefault: null};
           const walk = (rules, media) => {
             for (const rule of rules) {
               if (rule instanceof CSSMediaRule) walk(rule.cssRules, rule.conditionText);
               else if (rule instanceof CSSStyleRule) {
                 if (rule.style.animationName && rule.style.animationName !== 'none') {
                   out.animated.push(rule.selectorText);
                   if (!(media || '').includes('prefers-reduced-motion: no-preference')) out.unguarded.push(rule.selectorText);
                 }
                 if (rule.selectorText === '.bs-confetti' && !media) out.confettiShownByDefault = rule.style.display !== 'none';
               }
             }
           };
           walk(sheet.cssRules, null);
           return out;"#,
    )
    .await;
    assert!(
        motion["animated"].as_array().unwrap().len() >= 3,
        "{motion}"
    );
    assert_eq!(motion["unguarded"], json!([]), "{motion}");
    assert_eq!(motion["confettiShownByDefault"], false, "{motion}");
    screenshot(&projector, "bingo-screen-win").await;
    screenshot(&projector, "bingo-screen-winners").await;
    screenshot(&phone, "bingo-phone-won").await;
    // Turned off again: no chime for the next prizes.
    click(&laptop, "#bingo-sound").await;
    until_js(
        &projector,
        "the projector knows the sound is off",
        "return document.querySelector('.bs-sound-hint').hidden;",
        |v| *v == json!(true),
    )
    .await;

    // A countdown of 30 s per definition, set on the console: shown on the console, the
    // projector and the phones from the next draw; the facilitator still reveals.
    assert!(
        js(
            &projector,
            "return document.querySelector('.bs-countdown').hidden;"
        )
        .await
            == json!(true),
        "no countdown by default"
    );
    laptop
        .find(Locator::Id("bingo-countdown"))
        .await
        .unwrap()
        .select_by_value("30")
        .await
        .unwrap();

    // A wrong answer on the next definition.
    draw_from_console(&laptop, &grid[12], 6).await;
    wait_visible(&phone, ".bp-prompt[data-state=open]").await;
    for (browser, css) in [
        (&laptop, ".bc-countdown"),
        (&projector, ".bs-countdown"),
        (&phone, ".bp-countdown"),
    ] {
        until_js(
            browser,
            &format!("{css} counts down from 30 s"),
            &format!(
                "const e = document.querySelector('{css}'); return e && !e.hidden ? e.textContent : null;"
            ),
            |v| {
                v.as_str()
                    .and_then(|t| t.strip_suffix(" s"))
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|n| (20..=30).contains(&n))
            },
        )
        .await;
    }
    assert_eq!(
        js(
            &laptop,
            "return document.querySelector('#bingo-countdown').value;"
        )
        .await,
        "30"
    );
    screenshot(&laptop, "bingo-console-countdown").await;
    assert_phone_fits(&phone).await;
    click(&phone, &format!(".bp-cell[data-card='{}']", grid[24])).await;
    wait_visible(&phone, &format!(".bp-cell.wrong[data-card='{}']", grid[24])).await;
    wait_visible(&phone, ".bp-prompt[data-state=wrong]").await;
    screenshot(&phone, "bingo-phone-wrong").await;
    screenshot(&laptop, "bingo-console").await;

    // Pause and resume.
    click(&laptop, "[data-action=pause]").await;
    wait_visible(&projector, ".bs-paused:not([hidden])").await;
    wait_visible(&phone, ".bp-prompt[data-state=paused]").await;
    screenshot(&projector, "bingo-screen-paused").await;
    screenshot(&phone, "bingo-phone-paused").await;
    click(&laptop, "[data-action=pause]").await;
    wait_visible(&phone, ".bp-prompt[data-state=wrong]").await;

    // "Phase suivante" in the middle of the bingo asks first, and says how to come back;
    // refused, nothing changes.
    click(&laptop, "#next-phase").await;
    let question = dialog_text(&laptop).await;
    assert!(question.contains("Revenir à Bingo"), "{question}");
    laptop.dismiss_alert().await.unwrap();
    wait_text(&laptop, "#phase", "Bingo").await;
    // Accepted, the session moves on; "Revenir à …" brings the bingo back as it was.
    click(&laptop, "#next-phase").await;
    dialog_text(&laptop).await;
    laptop.accept_alert().await.unwrap();
    wait_text(&laptop, "#back-to-activity", "Revenir à Bingo").await;
    click(&laptop, "#back-to-activity").await;
    wait_text(&laptop, "#phase", "Bingo").await;
    wait_visible(&phone, "#activity-bingo:not([hidden]) .bp-cell.marked").await;
    wait_text(&phone, ".bp-status", "Définition 6/25").await;

    // The end: the debrief's hardest terms on the projector.
    click(&laptop, "[data-action=end]").await;
    click(&laptop, "[data-action=end-confirm]").await;
    wait_visible(&projector, ".bs-hardest li").await;
    wait_visible(&phone, ".bp-summary:not([hidden])").await;
    wait_visible(&laptop, ".bc-stats:not([hidden])").await;
    // The three hardest terms, lowest share first (ties in draw order): nobody found
    // definition 6, only Ada found definitions 2 to 5.
    let hardest = vec![term(&grid[12]), term(&grid[1]), term(&grid[2])];
    let shown = js(
        &projector,
        "return [...document.querySelectorAll('.bs-hardest .bs-hard-term')].map((e) => e.textContent.replace(/\\u00ad/g, ''));",
    )
    .await;
    assert_eq!(shown, json!(hardest));
    let rates = js(
        &projector,
        "return [...document.querySelectorAll('.bs-hardest .bs-hard-rate')].map((e) => e.textContent.replace(/\\s+/g, ' '));",
    )
    .await;
    assert_eq!(
        rates,
        json!([
            "0/3 l'ont trouvé · 0 %",
            "1/3 l'ont trouvé · 33 %",
            "1/3 l'ont trouvé · 33 %"
        ])
    );
    let on_console = js(
        &laptop,
        "return [...document.querySelectorAll('.bc-stats li strong')].map((e) => e.textContent);",
    )
    .await;
    assert_eq!(on_console.as_array().unwrap().len(), 3, "{on_console}");
    assert!(
        on_console[0]
            .as_str()
            .unwrap()
            .starts_with(&term(&grid[12])),
        "{on_console}"
    );
    // The prizes stay listed with their winner and round at the end.
    wait_text(
        &projector,
        ".bs-prize[data-prize=first_line] .bs-when",
        "Tour 5",
    )
    .await;
    screenshot(&projector, "bingo-screen-hardest").await;
    screenshot(&projector, "bingo-screen-ended").await;
    screenshot(&phone, "bingo-phone-ended").await;
    screenshot(&laptop, "bingo-console-ended").await;

    // The same phone in Dutch: longer terms still fit.
    phone
        .goto(&server.url(&format!("/j/{code}?lang=nl")))
        .await
        .unwrap();
    wait_text(&phone, ".bp-prompt", "afgelopen").await;
    js(&phone, "window.scrollTo(0, 0); return true;").await;
    assert_phone_fits_cells(&phone).await;
    screenshot(&phone, "bingo-phone-ended-nl").await;

    for browser in [laptop, projector, phone] {
        browser.close().await.unwrap();
    }
}

/// Only the cells (the Bingo button is gone once the bingo has ended).
async fn assert_phone_fits_cells(phone: &Client) {
    wait_visible(phone, ".bp-grid[data-fitted]").await;
    let cut = js(
        phone,
        r#"return [...document.querySelectorAll('.bp-term')].filter(
             (l) => l.clientWidth > 0 && (l.scrollWidth > l.clientWidth + 1 || l.scrollHeight > l.clientHeight + 1)).map((l) => l.textContent);"#,
    )
    .await;
    assert_eq!(cut, json!([]), "terms cut off");
}

/// The facilitator (account "claire") signs in and opens the session's console.
async fn open_console(driver: &Driver, server: &TestServer, code: &str) -> Client {
    let laptop = driver.desktop().await;
    sign_in(&laptop, &server.url("/login"), "claire", PASSWORD).await;
    wait_text(&laptop, "h1", "Mes ateliers").await;
    laptop
        .goto(&server.url(&format!("/f/s/{code}")))
        .await
        .unwrap();
    wait_text(&laptop, "#join-code", code).await;
    // The console is live once it shows the phase (its controls work from then on).
    wait_text(&laptop, "#phase", "Accueil").await;
    laptop
}

#[tokio::test]
async fn listening_mode_the_console_calls_and_the_phone_marks() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let token = server.facilitator_token("claire").await;
    let created: Value = server
        .http()
        .post(server.url("/api/sessions"))
        .bearer_auth(&token)
        .json(&json!({"title": "Écoute", "lang": "fr", "activities": ["bingo"], "bingo_mode": "listening"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = created["code"].as_str().unwrap().to_string();
    let driver = Driver::start().await;
    let laptop = open_console(&driver, &server, &code).await;
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
    click(&phone, "#join-form button[type=submit]").await;
    wait_visible(&phone, "#activity-bingo .bp-grid").await;
    wait_visible(&laptop, "#activity-bingo .bc-calls").await;
    click(&laptop, "#next-phase").await;
    wait_visible(&phone, "#activity-bingo:not([hidden]) .bp-cell").await;
    let grid: Vec<String> = serde_json::from_value(
        js(
            &phone,
            "return [...document.querySelectorAll('.bp-cell')].map((b) => b.dataset.card);",
        )
        .await,
    )
    .unwrap();

    // A term not called yet: the phone explains instead of marking.
    click(&phone, &format!(".bp-cell[data-card='{}']", grid[1])).await;
    wait_text(&phone, ".bp-prompt-sub", "pas encore été appelé").await;

    // The console calls two terms; the phone marks one of them.
    for card in [&grid[0], &grid[7]] {
        click(&laptop, &format!(".bc-call[data-card='{card}']")).await;
        wait_visible(
            &laptop,
            &format!(".bc-call[aria-pressed=true][data-card='{card}']"),
        )
        .await;
    }
    wait_text(&phone, ".bp-status", "2 termes appelés").await;
    click(&phone, &format!(".bp-cell[data-card='{}']", grid[0])).await;
    wait_visible(&phone, &format!(".bp-cell.marked[data-card='{}']", grid[0])).await;
    wait_text(&laptop, ".bc-participants", "1/25").await;
    screenshot(&phone, "bingo-phone-listening").await;
    screenshot(&laptop, "bingo-console-listening").await;

    for browser in [laptop, phone] {
        browser.close().await.unwrap();
    }
}
