//! Layout in real browsers (WCAG 2.2 AA, issue 7): every phone screen at 360×640 CSS px, at the
//! default text size and at 200 % text (the browser's font size setting, as a user with large
//! text has it), has no horizontal scroll, keeps every control on the page, unclipped, and its
//! text unclipped, with tap targets of at least 24×24 px (2.5.8); the facilitator console
//! and the projector too, on their desktop windows; and what the facilitator and the network
//! do during a workshop does not shift the phone's layout (cumulative layout shift under 0.1).

mod common;

use std::fmt::Write as _;

use common::browser::{
    self, Driver, PAGE_WAIT, screenshot, sign_in, until, until_within, wait_text, wait_visible,
};
use common::{ADMIN_TOKEN, Client, TestServer};
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough password";
/// WCAG 2.5.8 Target Size (Minimum), level AA.
const MIN_TARGET_PX: f64 = 24.0;
/// The phones' window, in CSS px: a small Android phone.
const PHONE: (u32, u32) = (360, 640);

/// Measures the page as laid out now: the root font size, the page's width against the
/// window's, every visible control (on the page? zero-sized? smaller than 24×24?) and every
/// visible text (cut off by a box that hides its overflow, or off the page?).
const PROBE: &str = r##"
const minTarget = arguments[0];
const page = document.scrollingElement;
// A phone's width is its screen's: a mobile browser widens the layout viewport to fit
// content that overflows (and zooms out), so the page's own width would hide the overflow.
const width = arguments[1] || page.clientWidth;
const describe = (el) => {
  const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().replace(/\s+/g, " ").slice(0, 40);
  const id = el.id ? "#" + el.id : "";
  const cls = typeof el.className === "string" && el.className ? "." + el.className.trim().split(/\s+/).join(".") : "";
  return `${el.tagName.toLowerCase()}${id}${cls} "${text}"`;
};
const shown = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
const round = (n) => Math.round(n * 10) / 10;
const out = {
  rootFont: parseFloat(getComputedStyle(document.documentElement).fontSize),
  scrollWidth: page.scrollWidth,
  clientWidth: width,
  // Only a phone's layout viewport can widen (a desktop's includes its scroll bar).
  viewportWidth: arguments[1] ? window.innerWidth : width,
  controls: 0,
  smallest: null,
  offPage: [],
  small: [],
  clipped: [],
  smallestText: null,
};
// A link inside a sentence is exempt from the target size (2.5.8 "inline").
const inline = (el) => el.tagName === "A" && getComputedStyle(el).display === "inline" &&
  [...el.parentElement.childNodes].some((n) => n !== el && n.nodeType === 3 && n.textContent.trim());
const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex]:not([tabindex="-1"]), .fq-card';
for (const el of document.querySelectorAll(selector)) {
  // A native control hidden under its label (the feedback scales): the label is the target.
  const target = el.matches("input") && getComputedStyle(el).opacity === "0" && el.labels && el.labels[0] ? el.labels[0] : el;
  if (!shown(target) || target.closest(".visually-hidden")) continue;
  out.controls += 1;
  const r = target.getBoundingClientRect();
  const left = r.left + window.scrollX;
  if (r.width < 1 || r.height < 1 || left < -1 || left + r.width > width + 1) {
    out.offPage.push(`${describe(target)} at x ${round(left)}..${round(left + r.width)}, ${round(r.width)}×${round(r.height)}`);
    continue;
  }
  if (!inline(target) && (out.smallest === null || Math.min(r.width, r.height) < out.smallest.size)) {
    out.smallest = { size: round(Math.min(r.width, r.height)), what: describe(target) };
  }
  if (!inline(target) && (r.width < minTarget || r.height < minTarget)) {
    out.small.push(`${describe(target)} ${round(r.width)}×${round(r.height)}`);
  }
}
// Text cut off: each line box of each visible text against every ancestor that hides its
// overflow (padding box), and against the page's width.
const hides = (style) => ["hidden", "clip"].includes(style.overflowX) || ["hidden", "clip"].includes(style.overflowY);
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
const range = document.createRange();
const seen = new Set();
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!node.textContent.trim() || !el || seen.has(el) || !shown(el) || el.closest(".visually-hidden, script, style")) continue;
  range.selectNodeContents(node);
  const lines = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
  const style = getComputedStyle(el);
  const size = parseFloat(style.fontSize);
  if (lines.length && (out.smallestText === null || size < out.smallestText.size)) {
    out.smallestText = { size: round(size), what: describe(el) };
  }
  // A line's glyph box is taller than its line box when the line height is under ~1.2: that
  // much sticking out above and below is the font's leading, not cut letters.
  const leading = Math.max(0, ...lines.map((l) => (l.height - (parseFloat(style.lineHeight) || l.height)) / 2));
  let cut = null;
  for (let box = el; box && box !== document.body && !cut; box = box.parentElement) {
    if (!hides(getComputedStyle(box))) continue;
    const b = box.getBoundingClientRect();
    const inner = {
      left: b.left + box.clientLeft, top: b.top + box.clientTop,
      right: b.left + box.clientLeft + box.clientWidth, bottom: b.top + box.clientTop + box.clientHeight,
    };
    for (const l of lines) {
      const sides = { left: inner.left - l.left, right: l.right - inner.right, top: inner.top - l.top - leading, bottom: l.bottom - leading - inner.bottom };
      const [side, over] = Object.entries(sides).sort((a, b) => b[1] - a[1])[0];
      if (over > 1) {
        cut = `by ${describe(box)} (${round(over)} px on the ${side}; ${style.fontSize} text in ${lines.length} line boxes, ` +
          `box ${box.clientWidth}×${box.clientHeight}, content ${box.scrollWidth}×${box.scrollHeight})`;
        break;
      }
    }
  }
  for (const l of lines) {
    if (!cut && (l.left + window.scrollX < -1 || l.right + window.scrollX > width + 1)) cut = "off the page";
  }
  if (cut) {
    seen.add(el);
    out.clipped.push(`${describe(el)} ${cut}`);
  }
}
// What sticks out on the right, when the page is too wide: the innermost elements.
out.wide = [];
if (page.scrollWidth > width + 1) {
  for (const el of document.body.querySelectorAll("*")) {
    if (!shown(el) || el.getBoundingClientRect().right + window.scrollX <= width + 1) continue;
    if ([...el.children].some((c) => shown(c) && c.getBoundingClientRect().right + window.scrollX > width + 1)) continue;
    out.wide.push(`${describe(el)} to x ${round(el.getBoundingClientRect().right + window.scrollX)}`);
    if (out.wide.length === 5) break;
  }
}
return out;
"##;

/// What the probe found on one screen, in one browser.
struct Layout {
    what: String,
    report: Value,
}

impl Layout {
    /// `screen_width`: a phone's width in CSS px (None for a desktop window).
    async fn measure(
        browser: &fantoccini::Client,
        what: &str,
        screen_width: Option<u32>,
    ) -> Layout {
        let report = browser
            .execute(PROBE, vec![json!(MIN_TARGET_PX), json!(screen_width)])
            .await
            .unwrap_or_else(|e| panic!("probe on {what}: {e}"));
        Layout {
            what: what.to_string(),
            report,
        }
    }

    /// The problems on this screen: horizontal scroll, controls off the page or zero-sized,
    /// text cut off, and (when `targets`) targets under 24×24 px.
    fn problems(&self, root_font_px: f64, targets: bool) -> Vec<String> {
        let r = &self.report;
        let mut found = Vec::new();
        let font = r["rootFont"].as_f64().unwrap_or(0.0);
        if (font - root_font_px).abs() > 0.1 {
            found.push(format!(
                "{}: root font {font} px, expected {root_font_px} px (the text size setting did not apply)",
                self.what
            ));
        }
        let (scroll, client) = (
            r["scrollWidth"].as_f64().unwrap(),
            r["clientWidth"].as_f64().unwrap(),
        );
        if scroll > client + 1.0 {
            found.push(format!(
                "{}: scrolls horizontally ({scroll} px of content in {client} px): {}",
                self.what, r["wide"]
            ));
        }
        let viewport = r["viewportWidth"].as_f64().unwrap();
        if viewport > client + 1.0 {
            found.push(format!(
                "{}: the browser zoomed out to a {viewport} px wide layout to fit the content in {client} px",
                self.what
            ));
        }
        // Text sized in px ignores the reader's setting: at 200 % it would stay small.
        if let Some(size) = r["smallestText"]["size"].as_f64()
            && size < font / 2.0
        {
            found.push(format!(
                "{}: text of {size} px, under half the reader's {font} px: {}",
                self.what,
                r["smallestText"]["what"].as_str().unwrap_or("-")
            ));
        }
        // (The projector's lobby has none by design: no page chrome on a screen read from afar.)
        if r["controls"].as_u64() == Some(0) && self.what != "projector lobby" {
            found.push(format!("{}: no control found", self.what));
        }
        let lists: &[(&str, &str)] = if targets {
            &[
                ("offPage", "off the page or zero-sized"),
                ("clipped", "text cut off"),
                ("small", "target under 24×24 px"),
            ]
        } else {
            &[
                ("offPage", "off the page or zero-sized"),
                ("clipped", "text cut off"),
            ]
        };
        for (key, label) in lists {
            for item in r[*key].as_array().into_iter().flatten() {
                found.push(format!(
                    "{}: {label}: {}",
                    self.what,
                    item.as_str().unwrap()
                ));
            }
        }
        found
    }

    fn summary(&self) -> String {
        let r = &self.report;
        format!(
            "{:<34} root {:>2} px  width {:>4}/{:<4} controls {:>3}  smallest target {:>5} px ({})  smallest text {} px",
            self.what,
            r["rootFont"],
            r["scrollWidth"],
            r["clientWidth"],
            r["controls"],
            r["smallest"]["size"],
            r["smallest"]["what"].as_str().unwrap_or("-"),
            r["smallestText"]["size"],
        )
    }

    fn smallest_text(&self) -> f64 {
        self.report["smallestText"]["size"].as_f64().unwrap_or(0.0)
    }
}

/// Clicks the element; again if the page re-rendered it between finding and clicking.
async fn click(browser: &fantoccini::Client, css: &str) {
    let deadline = tokio::time::Instant::now() + PAGE_WAIT;
    loop {
        match wait_visible(browser, css).await.click().await {
            Ok(_) => return,
            // Re-rendered (stale) or between two renders (not interactable yet): again.
            Err(e)
                if (e.to_string().contains("stale")
                    || e.to_string().contains("not interactable"))
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => panic!("click {css}: {e}"),
        }
    }
}

/// Presses Enter on the element (as a keyboard user does); again if the page re-rendered it.
async fn press_enter(browser: &fantoccini::Client, css: &str) {
    let deadline = tokio::time::Instant::now() + PAGE_WAIT;
    loop {
        let result = wait_visible(browser, css)
            .await
            .send_keys(&fantoccini::key::Key::Enter.to_string())
            .await;
        match result {
            Ok(_) => return,
            // Re-rendered (stale) or between two renders (not interactable yet): again.
            Err(e)
                if (e.to_string().contains("stale")
                    || e.to_string().contains("not interactable"))
                    && tokio::time::Instant::now() < deadline =>
            {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Err(e) => {
                let html = browser
                    .execute(
                        "const e = document.querySelector(arguments[0]); return e ? e.outerHTML + ' in ' + e.parentElement.parentElement.outerHTML : 'none';",
                        vec![json!(css)],
                    )
                    .await
                    .unwrap_or_default();
                panic!("Enter on {css}: {e}\n{}", html.as_str().unwrap_or(""))
            }
        }
    }
}

/// The path of an absolute URL.
fn path(url: &Value) -> String {
    let url = url.as_str().unwrap();
    url[url.find("://").map_or(0, |i| i + 3)..]
        .split_once('/')
        .map(|(_, p)| format!("/{p}"))
        .unwrap()
}

/// One phone of the test: its window and text size.
struct Phone {
    name: &'static str,
    text_percent: u32,
    browser: fantoccini::Client,
}

impl Phone {
    fn root_px(&self) -> f64 {
        16.0 * f64::from(self.text_percent) / 100.0
    }

    fn who(&self) -> String {
        format!("{}, {}%", self.name, self.text_percent)
    }

    fn label(&self, screen: &str) -> String {
        format!("{screen} ({})", self.who())
    }
}

#[tokio::test]
async fn every_screen_reflows_at_360_px_and_200_percent_text() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let token = server.facilitator_token("claire").await;
    let session = server
        .create_session_as(&token, &["bingo", "fresque"])
        .await;
    let code = session["code"].as_str().unwrap().to_string();
    let driver = Driver::start().await;

    let mut layouts: Vec<Layout> = Vec::new();
    let mut problems: Vec<String> = Vec::new();

    // The facilitator with large text on a laptop; the projector as the room sees it.
    let laptop = driver.desktop_text(200).await;
    sign_in(&laptop, &server.url("/login"), "claire", PASSWORD).await;
    wait_visible(&laptop, "#new-session").await;
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

    // Two phones of 360×640: default text, and 200 % text.
    let phones = [
        Phone {
            name: "Ada",
            text_percent: 100,
            browser: driver.phone_sized(PHONE.0, PHONE.1, 100).await,
        },
        Phone {
            name: "Bea",
            text_percent: 200,
            browser: driver.phone_sized(PHONE.0, PHONE.1, 200).await,
        },
    ];
    macro_rules! check_phones {
        ($screen:expr) => {
            let mut smallest = Vec::new();
            for phone in &phones {
                let layout =
                    Layout::measure(&phone.browser, &phone.label($screen), Some(PHONE.0)).await;
                let found = layout.problems(phone.root_px(), true);
                eprintln!("{}\n{}", layout.summary(), found.join("\n"));
                problems.extend(found);
                smallest.push(layout.smallest_text());
                layouts.push(layout);
            }
            // The smallest text grows with the setting too (a size fitted to a box may grow
            // less than the setting, but it grows).
            if smallest[1] <= smallest[0] {
                problems.push(format!(
                    "{}: the smallest text is {} px at 200 % as at 100 % ({} px)",
                    $screen, smallest[1], smallest[0]
                ));
            }
        };
    }
    macro_rules! check_staff {
        ($screen:expr) => {
            let layout =
                Layout::measure(&laptop, &format!("console {} (200%)", $screen), None).await;
            problems.extend(layout.problems(32.0, true));
            layouts.push(layout);
            let layout = Layout::measure(&projector, &format!("projector {}", $screen), None).await;
            problems.extend(layout.problems(16.0, false));
            layouts.push(layout);
        };
    }

    for phone in &phones {
        phone.browser.goto(&server.url("/")).await.unwrap();
        wait_visible(&phone.browser, "#code").await;
    }
    check_phones!("home");
    for phone in &phones {
        phone
            .browser
            .goto(&server.url(&format!("/j/{code}")))
            .await
            .unwrap();
        wait_visible(&phone.browser, "#name").await;
    }
    check_phones!("join");
    for phone in &phones {
        wait_visible(&phone.browser, "#name")
            .await
            .send_keys(phone.name)
            .await
            .unwrap();
        click(&phone.browser, "#join-form button[type=submit]").await;
        wait_text(&phone.browser, "#hello", phone.name).await;
        // Every module mounted (the badge desk comes last).
        wait_text(&phone.browser, "#phase-text", "atelier").await;
        until(
            &phone.browser,
            "document.querySelector('#activity-badge')",
            "the modules",
        )
        .await;
    }
    wait_text(&laptop, "#count", "2").await;
    check_phones!("lobby");
    check_staff!("lobby");

    // Bingo: a definition open, then revealed.
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    staff.send(json!({"type": "bingo.draw"})).await;
    let drawn = staff.expect("bingo.definition").await;
    let card = drawn["card"].as_str().unwrap().to_string();
    for phone in &phones {
        until(
            &phone.browser,
            "document.querySelector('.bp-grid.open') && document.querySelector('.bp-grid').dataset.fitted",
            "the open grid",
        )
        .await;
    }
    check_phones!("bingo (open)");
    check_staff!("bingo (open)");
    screenshot(&phones[0].browser, "layout-phone-360-bingo").await;
    screenshot(&phones[1].browser, "layout-phone-360-text-200-bingo").await;
    for phone in &phones {
        click(
            &phone.browser,
            &format!("#activity-bingo button[data-card='{card}']"),
        )
        .await;
        until(
            &phone.browser,
            &format!("document.querySelector('#activity-bingo button[data-card=\"{card}\"]').classList.contains('marked')"),
            "the cell is marked",
        )
        .await;
    }
    staff.send(json!({"type": "bingo.reveal"})).await;
    staff.expect("bingo.revealed").await;
    for phone in &phones {
        wait_text(&phone.browser, ".bp-prompt", "C'était").await;
    }
    check_phones!("bingo (revealed)");
    staff.send(json!({"type": "bingo.end"})).await;
    staff.expect("bingo.ended").await;
    for phone in &phones {
        until(
            &phone.browser,
            "!document.querySelector('.bp-summary').hidden",
            "the bingo summary",
        )
        .await;
    }
    check_phones!("bingo (ended)");
    check_staff!("bingo (ended)");

    // Fresque: one team, a pack dealt, a card placed, one selected and its back shown.
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    staff
        .send(json!({"type": "fresque.form_teams", "count": 1}))
        .await;
    staff.send(json!({"type": "fresque.deal"})).await;
    for phone in &phones {
        until(
            &phone.browser,
            "document.querySelectorAll('#activity-fresque .fq-hand li').length > 0",
            "the hand",
        )
        .await;
    }
    check_phones!("fresque (hand)");
    for phone in &phones {
        let before = phone
            .browser
            .execute(
                "return document.querySelectorAll('#activity-fresque .fq-board li').length;",
                vec![],
            )
            .await
            .unwrap();
        click(&phone.browser, "#activity-fresque .fq-hand li .fq-face").await;
        click(&phone.browser, ".fq-actions .fq-first").await;
        until(
            &phone.browser,
            &format!(
                "document.querySelectorAll('#activity-fresque .fq-board li').length > {before}"
            ),
            "the card is on the board",
        )
        .await;
    }
    for phone in &phones {
        click(&phone.browser, ".fq-actions .fq-deselect").await;
        click(&phone.browser, "#activity-fresque .fq-board li .fq-flip").await;
        wait_visible(&phone.browser, "#activity-fresque .fq-board li .fq-back").await;
        click(&phone.browser, "#activity-fresque .fq-hand li .fq-face").await;
        wait_visible(&phone.browser, ".fq-actions").await;
    }
    check_phones!("fresque (selected, back)");
    screenshot(&phones[1].browser, "layout-phone-360-text-200-fresque").await;
    check_staff!("fresque (playing)");
    staff.send(json!({"type": "fresque.reveal"})).await;
    staff.expect("fresque.revealed").await;
    staff
        .send(json!({"type": "fresque.debrief", "index": 0}))
        .await;
    staff.expect("fresque.debrief").await;
    for phone in &phones {
        wait_visible(&phone.browser, ".fq-debrief").await;
    }
    check_phones!("fresque (revealed)");
    check_staff!("fresque (revealed)");

    // Badges: the form, then the badge; then the feedback form.
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    staff
        .send(json!({"type": "badge.open", "mode": "automatic"}))
        .await;
    for phone in &phones {
        wait_visible(&phone.browser, "#badge-name").await;
    }
    check_phones!("badge form");
    check_staff!("badges");
    for phone in &phones {
        click(&phone.browser, ".badge-form button[type=submit]").await;
    }
    for phone in &phones {
        wait_text(&phone.browser, ".badge-card", phone.name).await;
        wait_visible(&phone.browser, ".feedback-box form").await;
    }
    check_phones!("badge and feedback");
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    for phone in &phones {
        click(&phone.browser, "fieldset[data-name=overall] .fb-choice.r4").await;
        click(&phone.browser, ".fb-send").await;
        wait_text(&phone.browser, ".fb-thanks", "Merci").await;
    }
    check_phones!("feedback (thanks)");
    check_staff!("feedback");

    // The badge's own page (its private link), and the public pages a phone may open.
    let mut pages = Vec::new();
    for phone in &phones {
        let href = phone
            .browser
            .execute(
                "return [...document.querySelectorAll('.badge-card a')].pop().href;",
                vec![],
            )
            .await
            .unwrap();
        pages.push(path(&href));
    }
    for (phone, page) in phones.iter().zip(&pages) {
        phone.browser.goto(&server.url(page)).await.unwrap();
        wait_visible(&phone.browser, ".badge-card").await;
    }
    check_phones!("badge page");
    for page in ["/verify", "/claim", "/me", "/privacy"] {
        for phone in &phones {
            phone.browser.goto(&server.url(page)).await.unwrap();
            wait_visible(&phone.browser, "h1").await;
        }
        check_phones!(page);
    }

    let mut table = String::new();
    for layout in &layouts {
        writeln!(table, "{}", layout.summary()).unwrap();
    }
    eprintln!("{table}");
    assert!(
        problems.is_empty(),
        "{} layout problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
    for phone in phones {
        phone.browser.close().await.unwrap();
    }
    laptop.close().await.unwrap();
    projector.close().await.unwrap();
}

/// Records the page's layout shifts (buffered: those before it was installed too) in
/// `window.__shifts`, with the nodes that moved.
const SHIFT_OBSERVER: &str = r##"
if (!window.__shifts) {
  window.__shifts = [];
  // What the connection banner said, for the test to await (it hides itself after a while).
  window.__net = [];
  const net = document.getElementById("net");
  new MutationObserver(() => { if (!net.hidden) window.__net.push(net.textContent); })
    .observe(net, { attributes: true, childList: true, characterData: true, subtree: true });
  const describe = (n) => n.nodeType === 1
    ? `${n.tagName.toLowerCase()}${n.id ? "#" + n.id : ""}${typeof n.className === "string" && n.className ? "." + n.className.trim().split(/\s+/).join(".") : ""}`
    : "#text";
  const rect = (r) => `${Math.round(r.x)},${Math.round(r.y)} ${Math.round(r.width)}×${Math.round(r.height)}`;
  window.__recordShifts = (entries) => {
    for (const e of entries) window.__shifts.push({
      value: e.value, input: e.hadRecentInput, at: Math.round(e.startTime),
      sources: (e.sources || []).map((s) => s.node ? `${describe(s.node)} ${rect(s.previousRect)} → ${rect(s.currentRect)}` : "(gone)"),
    });
  };
  window.__shiftObserver = new PerformanceObserver((list) => window.__recordShifts(list.getEntries()));
  window.__shiftObserver.observe({ type: "layout-shift", buffered: true });
}
"##;

/// Lets two frames render, then returns (and forgets) the layout shifts recorded so far.
const TAKE_SHIFTS: &str = r##"
const done = arguments[arguments.length - 1];
requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => {
  window.__recordShifts(window.__shiftObserver.takeRecords());
  done(window.__shifts.splice(0));
}, 0)));
"##;

/// The layout shifts of one stage of the workshop, on one phone.
struct Shifts {
    stage: String,
    /// Which phone (index in the test's list), and who it is.
    phone: usize,
    who: String,
    /// Sum of the shifts without recent input (what CLS counts).
    score: f64,
    /// Sum of the shifts that followed the user's own input (excluded from CLS).
    after_input: f64,
    sources: Vec<String>,
}

async fn take_shifts(
    browser: &fantoccini::Client,
    stage: &str,
    phone: usize,
    who: String,
) -> Shifts {
    let entries = browser
        .execute_async(TAKE_SHIFTS, vec![])
        .await
        .expect("layout shifts");
    let mut shifts = Shifts {
        stage: stage.to_string(),
        phone,
        who,
        score: 0.0,
        after_input: 0.0,
        sources: Vec::new(),
    };
    for entry in entries.as_array().into_iter().flatten() {
        let value = entry["value"].as_f64().unwrap_or(0.0);
        let excluded = entry["input"] == json!(true);
        if excluded {
            shifts.after_input += value;
        } else {
            shifts.score += value;
        }
        for source in entry["sources"].as_array().into_iter().flatten() {
            shifts.sources.push(format!(
                "{:.4} at {} ms{}: {}",
                value,
                entry["at"],
                if excluded { " (after input)" } else { "" },
                source.as_str().unwrap_or("?")
            ));
        }
    }
    shifts
}

/// The Core Web Vitals threshold of a "good" cumulative layout shift.
const GOOD_CLS: f64 = 0.1;

/// Shifts within 500 ms of the user's own input are not counted (`hadRecentInput`): after a
/// tap, the test lets that window pass before the facilitator acts, or the facilitator's
/// shifts would hide behind the tap.
async fn let_input_window_pass() {
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
}

/// Two phones (default text, 200 % text) follow a whole workshop while the facilitator draws and
/// reveals definitions, someone else wins, the game pauses and ends, teams are formed, packs
/// dealt, a teammate plays, the fresque is revealed and debriefed, the badge desk opens and the
/// server restarts (the connection banner comes and goes). After each step the layout shifts
/// the page reported (PerformanceObserver 'layout-shift', buffered) are summed, leaving out
/// those within 500 ms of the phone's own input as CLS does: each step (a session window of
/// Core Web Vitals, the steps being far apart in a real workshop) and the whole workshop must
/// stay under 0.1.
#[tokio::test]
async fn what_the_facilitator_and_the_network_do_does_not_shift_the_phone() {
    if !browser::available() {
        return;
    }
    let mut server = TestServer::start().await;
    let session = server.create_session(&["bingo", "fresque"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let driver = Driver::start().await;

    // Two phones of 360×640 (default text and 200 % text) and a teammate on a bare socket.
    let phones = [
        Phone {
            name: "Ada",
            text_percent: 100,
            browser: driver.phone_sized(PHONE.0, PHONE.1, 100).await,
        },
        Phone {
            name: "Bea",
            text_percent: 200,
            browser: driver.phone_sized(PHONE.0, PHONE.1, 200).await,
        },
    ];
    for phone in &phones {
        phone
            .browser
            .goto(&server.url(&format!("/j/{code}")))
            .await
            .unwrap();
        phone.browser.execute(SHIFT_OBSERVER, vec![]).await.unwrap();
        until(
            &phone.browser,
            "!document.querySelector('#join').hidden",
            "the join form",
        )
        .await;
        wait_visible(&phone.browser, "#name")
            .await
            .send_keys(phone.name)
            .await
            .unwrap();
        click(&phone.browser, "#join-form button[type=submit]").await;
        wait_text(&phone.browser, "#hello", phone.name).await;
        until(
            &phone.browser,
            "document.querySelector('#activity-badge')",
            "the modules",
        )
        .await;
    }
    let_input_window_pass().await;
    let (mut cleo, welcome) = Client::join(server.addr, &code, "Cléo").await;
    let cleo_token = welcome["token"].as_str().unwrap().to_string();
    let cleo_grid: Vec<String> = serde_json::from_value(welcome["bingo"]["grid"].clone()).unwrap();
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;

    let mut stages: Vec<Shifts> = Vec::new();
    macro_rules! stage {
        ($name:expr, $ready:expr) => {
            for phone in &phones {
                until(&phone.browser, $ready, $name).await;
            }
            for (i, phone) in phones.iter().enumerate() {
                stages.push(take_shifts(&phone.browser, $name, i, phone.who()).await);
            }
        };
    }
    stage!("joining (typed: excluded)", "true");

    // Bingo: it starts; definitions are drawn and revealed; Cléo wins the first line.
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    stage!(
        "bingo starts",
        "document.querySelector('.bp-grid') && document.querySelector('.bp-grid').dataset.fitted"
    );
    for (step, card) in cleo_grid[..5].iter().enumerate() {
        staff
            .send(json!({"type": "bingo.draw", "card": card}))
            .await;
        staff.expect("bingo.definition").await;
        stage!(
            "bingo: a definition drawn",
            &format!(
                "document.querySelector('.bp-prompt').dataset.state === 'open' && document.querySelector('.bp-status').textContent.includes('{}')",
                step + 1
            )
        );
        cleo.send(json!({"type": "bingo.tap", "card": card})).await;
        cleo.expect("bingo.tapped").await;
        // Ada answers (her own tap: excluded from the score, as CLS does).
        click(
            &phones[0].browser,
            &format!("#activity-bingo button[data-card='{card}']"),
        )
        .await;
        let_input_window_pass().await;
        staff.send(json!({"type": "bingo.reveal"})).await;
        staff.expect("bingo.revealed").await;
        stage!(
            "bingo: the definition revealed",
            "document.querySelector('.bp-prompt').dataset.state === 'revealed' || document.querySelector('.bp-prompt').dataset.state === 'right'"
        );
    }
    cleo.send(json!({"type": "bingo.claim"})).await;
    cleo.expect("bingo.prize").await;
    stage!(
        "bingo: someone else wins a prize",
        "document.querySelector('.bp-prizes li.won, .bp-prizes li.mine')"
    );
    staff.send(json!({"type": "bingo.pause"})).await;
    staff.expect("bingo.phase").await;
    stage!(
        "bingo: paused",
        "document.querySelector('.bp-prompt').dataset.state === 'paused'"
    );
    staff.send(json!({"type": "bingo.resume"})).await;
    staff.expect("bingo.phase").await;
    stage!(
        "bingo: resumed",
        "document.querySelector('.bp-prompt').dataset.state !== 'paused'"
    );

    // The network: the server restarts; the phones show the banner, come back, hide it.
    server
        .restart_in_place(|| async {
            for phone in &phones {
                until(
                    &phone.browser,
                    "window.__net.some((t) => t.includes('Connexion perdue'))",
                    "the offline banner",
                )
                .await;
            }
        })
        .await;
    // The phones retry with a backoff of up to 8 s: they are back within that, plus the
    // banner's 2.5 s.
    for phone in &phones {
        until_within(
            &phone.browser,
            "window.__net.some((t) => t.includes('Connexion rétablie')) && document.querySelector('#net').hidden",
            "the banner says the connection is back, then goes",
            std::time::Duration::from_secs(30),
        )
        .await;
    }
    stage!("reconnection banner shown and hidden", "true");
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    let (mut cleo, _) = Client::resume(server.addr, &cleo_token).await;

    staff.send(json!({"type": "bingo.end"})).await;
    staff.expect("bingo.ended").await;
    stage!(
        "bingo ends",
        "!document.querySelector('.bp-summary').hidden"
    );

    // Fresque: it starts, teams are formed, cards dealt, a teammate plays, the reveal, the
    // debrief.
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    stage!(
        "fresque starts",
        "!document.querySelector('#activity-fresque').hidden && document.querySelector('.fq-waiting')"
    );
    staff
        .send(json!({"type": "fresque.form_teams", "count": 1}))
        .await;
    stage!(
        "fresque: teams formed",
        "document.querySelector('.fq-waiting').textContent.includes('Équipe 1')"
    );
    staff.send(json!({"type": "fresque.deal"})).await;
    stage!(
        "fresque: cards dealt",
        "document.querySelectorAll('#activity-fresque .fq-hand li').length > 0"
    );
    let hand = loop {
        let message = cleo.next().await;
        if message["type"] == "fresque.hand" {
            break message["hand"].clone();
        }
    };
    let mut after: Option<String> = None;
    for (i, card) in hand.as_array().unwrap().iter().enumerate() {
        let card = card.as_str().unwrap();
        cleo.send(json!({"type": "fresque.place", "card": card, "after": after}))
            .await;
        after = Some(card.to_string());
        if i < 3 {
            stage!(
                "fresque: a teammate places a card",
                &format!(
                    "document.querySelector('#activity-fresque .fq-board li[data-card=\"{card}\"]')"
                )
            );
        }
    }
    // The phones place their whole hand, as players do before the next pack: with the
    // keyboard (Enter on the card, on "place first", on "done"), which no moving layout can
    // send elsewhere.
    for phone in &phones {
        loop {
            let left = phone
                .browser
                .execute(
                    "return document.querySelectorAll('#activity-fresque .fq-hand li').length;",
                    vec![],
                )
                .await
                .unwrap();
            if left == json!(0) {
                break;
            }
            press_enter(&phone.browser, "#activity-fresque .fq-hand li .fq-face").await;
            until(
                &phone.browser,
                "!document.querySelector('.fq-actions').hidden && document.querySelector('.fq-actions').textContent.includes('main')",
                "the action bar for a card of the hand",
            )
            .await;
            press_enter(&phone.browser, ".fq-actions .fq-first").await;
            until(
                &phone.browser,
                &format!(
                    "document.querySelectorAll('#activity-fresque .fq-hand li').length < {left}"
                ),
                "the card leaves the hand",
            )
            .await;
            press_enter(&phone.browser, ".fq-actions .fq-deselect").await;
            until(
                &phone.browser,
                "document.querySelector('.fq-actions').hidden",
                "the action bar closes",
            )
            .await;
        }
    }
    let_input_window_pass().await;
    stage!("fresque: my own moves (mostly excluded)", "true");
    staff.send(json!({"type": "fresque.deal"})).await;
    stage!(
        "fresque: the next pack dealt",
        "document.querySelector('.fq-status').textContent.includes('2 sur') && document.querySelectorAll('#activity-fresque .fq-hand li').length > 0"
    );
    staff.send(json!({"type": "fresque.reveal"})).await;
    stage!("fresque: revealed", "document.querySelector('.fq-result')");
    for index in 0..3 {
        staff
            .send(json!({"type": "fresque.debrief", "index": index}))
            .await;
        stage!(
            "fresque: debrief",
            &format!(
                "document.querySelector('.fq-debrief .fq-kicker') && document.querySelector('.fq-debrief .fq-kicker').textContent.includes('{}')",
                index + 1
            )
        );
    }

    // Badges: the desk opens; the phone asks (input); the badge arrives when signed.
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    stage!(
        "badges: the phase starts",
        "document.querySelector('.badge-desk')"
    );
    staff
        .send(json!({"type": "badge.open", "mode": "automatic"}))
        .await;
    stage!(
        "badges: the desk opens",
        "document.querySelector('#badge-name')"
    );
    for phone in &phones {
        click(&phone.browser, ".badge-form button[type=submit]").await;
    }
    // The badge is signed in the background: it may arrive within the input window or after.
    stage!(
        "badges: the signed badge arrives",
        "document.querySelector('.badge-card') && document.querySelector('.feedback-box form')"
    );
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    stage!(
        "feedback phase",
        "document.querySelector('.feedback-box form')"
    );

    let mut report = String::new();
    let mut failures = Vec::new();
    let mut totals = [0.0f64; 2];
    for s in &stages {
        totals[s.phone] += s.score;
        writeln!(
            report,
            "{:<40} {:<10} CLS {:.4}  (after own input, excluded: {:.4})",
            s.stage, s.who, s.score, s.after_input
        )
        .unwrap();
        for source in &s.sources {
            writeln!(report, "      {source}").unwrap();
        }
        if s.score >= GOOD_CLS {
            failures.push(format!("{} on {}: {:.4}", s.stage, s.who, s.score));
        }
    }
    writeln!(
        report,
        "whole workshop: CLS {:.4} at 100 %, {:.4} at 200 %",
        totals[0], totals[1]
    )
    .unwrap();
    eprintln!("{report}");
    for (total, phone) in totals.iter().zip(&phones) {
        if *total >= GOOD_CLS {
            failures.push(format!("the whole workshop on {}: {total:.4}", phone.who()));
        }
    }
    assert!(
        failures.is_empty(),
        "layout shifts of {GOOD_CLS} or more:\n{}\n\n{report}",
        failures.join("\n")
    );
    for phone in phones {
        phone.browser.close().await.unwrap();
    }
}
