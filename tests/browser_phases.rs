//! Issue 17: every phase change, in every order the facilitator can make it, with phones
//! saying what they show after each. ("Badges" before the desk opened used to leave every
//! phone blank.)
//!
//! `Phase::goto` lets a session go from any phase but Closed to any other one. The console
//! offers "Phase suivante", "Retour à l'accueil" and "Revenir à <the activity left last>";
//! the jumps it has no button for (into Badges or Feedback out of order, back to Badges from
//! Feedback, and closing from anywhere but Feedback) are made over the staff WebSocket,
//! exactly as the console would send them. Between them the two tests below make each of the
//! 25 source → target pairs `goto` allows at least once, the 15 the console offers through its
//! buttons; after each, every phone must show that phase's screen, and only it.

mod common;

use atelier::deck::Lang;
use atelier::i18n::I18n;
use common::browser::{
    self, Driver, PAGE_WAIT, click, dialog_text, sign_in, wait_text, wait_visible,
};
use common::{Client as WsClient, TestServer};
use fantoccini::Client;
use serde_json::{Value, json};

const PASSWORD: &str = "a long enough password";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Lobby,
    Bingo,
    Fresque,
    Badges,
    Feedback,
    Closed,
}
use Phase::*;

impl Phase {
    /// As the protocol writes it (the session's activities are bingo, then fresque).
    fn wire(self) -> Value {
        match self {
            Lobby => json!({"kind": "lobby"}),
            Bingo => json!({"kind": "activity", "index": 0}),
            Fresque => json!({"kind": "activity", "index": 1}),
            Badges => json!({"kind": "badges"}),
            Feedback => json!({"kind": "feedback"}),
            Closed => json!({"kind": "closed"}),
        }
    }

    /// The Fluent id of its name (console, phase label).
    fn label(self) -> &'static str {
        match self {
            Lobby => "phase-lobby",
            Bingo => "phase-bingo",
            Fresque => "phase-fresque",
            Badges => "phase-badges",
            Feedback => "phase-feedback",
            Closed => "phase-closed",
        }
    }

    fn is_activity(self) -> bool {
        matches!(self, Bingo | Fresque)
    }
}

/// How the facilitator makes a change.
#[derive(Clone, Copy, Debug)]
enum By {
    /// "Phase suivante", no question asked.
    Next,
    /// "Phase suivante" in an activity under way: the console asks first; the answer is yes.
    NextConfirmed,
    /// "Retour à l'accueil".
    ToLobby,
    /// "Revenir à …" (the activity left last).
    BackTo,
    /// `phase.set` over the staff WebSocket: the console has no button for this jump.
    Socket,
}

/// What a phone shows: each view's key text, `null` when that view is not on screen. An
/// element counts as shown when the browser renders it (`checkVisibility`: no `hidden` or
/// `display: none` on it or above it, not transparent, not `visibility: hidden`).
const PHONE_SCREEN: &str = r##"
    const shown = (e) => !!e && e.checkVisibility({ opacityProperty: true, visibilityProperty: true });
    const text = (css) => { const e = document.querySelector(css); return shown(e) ? e.textContent.trim() : null; };
    const cells = [...document.querySelectorAll("#activity-bingo .bp-cell")].filter(shown).length;
    return {
      join: shown(document.getElementById("join")),
      lobby: text("#phase-text"),
      bingo: cells ? `${cells} · ${text("#activity-bingo .bp-prompt-main")}` : null,
      fresque: text("#activity-fresque .fq-waiting-text"),
      desk: text("#activity-badge .badge-desk .status"),
      feedback: text("#activity-badge .fb-form h2"),
    };
"##;

/// What the console shows of the flow: the phase, and the "Revenir à …" button if offered.
const CONSOLE_FLOW: &str = r#"
    const shown = (e) => !!e && e.checkVisibility({ opacityProperty: true, visibilityProperty: true });
    const back = document.getElementById("back-to-activity");
    return {
      phase: document.getElementById("phase").textContent.trim(),
      back: shown(back) ? back.textContent.trim() : null,
    };
"#;

/// Waits until `summary` (a function body returning a flat object) returns `expected`: the
/// page is watched for changes (DOM mutations, loaded resources) and checked after each, so
/// nothing sleeps. Panics with what the page showed last.
async fn settle(browser: &Client, summary: &str, expected: &Value, what: &str) {
    let script = format!(
        r#"
        const [expected, limit] = [arguments[0], arguments[1]];
        const done = arguments[arguments.length - 1];
        const summary = () => {{ {summary} }};
        const canon = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
        let last = null;
        let finished = false;
        const observer = new MutationObserver(() => check());
        const finish = (ok) => {{
          if (finished) return;
          finished = true;
          observer.disconnect();
          document.removeEventListener("load", check, true);
          clearTimeout(timer);
          done({{ ok, last }});
        }};
        function check() {{
          last = summary();
          if (canon(last) === canon(expected)) finish(true);
        }}
        observer.observe(document, {{ subtree: true, childList: true, attributes: true, characterData: true }});
        document.addEventListener("load", check, true);
        const timer = setTimeout(() => finish(false), limit);
        check();
        "#
    );
    let answer = browser
        .execute_async(
            &script,
            vec![expected.clone(), json!(PAGE_WAIT.as_millis() as u64)],
        )
        .await
        .unwrap_or_else(|e| panic!("{what}: script failed: {e}"));
    if answer["ok"] != true {
        let page = browser.source().await.unwrap_or_default();
        panic!(
            "{what}: expected {expected}\n  but the page showed {}\npage:\n{page}",
            answer["last"]
        );
    }
}

/// What `summary` returns right now.
async fn now(browser: &Client, summary: &str) -> Value {
    browser
        .execute(summary, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}"))
}

/// A phone joins `code` with `name` through the join page.
async fn join(phone: &Client, server: &TestServer, code: &str, name: &str, tr: &I18n) {
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
    // Out of the lobby the greeting is not on screen: its text says the welcome came.
    let hello = tr.tr_args(Lang::Fr, "phone-hello", &[("name", name)]);
    settle(
        phone,
        r#"return { hello: document.getElementById("hello").textContent };"#,
        &json!({ "hello": hello }),
        &format!("{name} joins"),
    )
    .await;
}

/// Reloads the page (a locked screen, a restored tab) and checks it is a new page.
async fn reload(phone: &Client) {
    phone
        .execute("window.beforeReload = true; return true;", vec![])
        .await
        .unwrap();
    phone.refresh().await.unwrap();
    let fresh = phone
        .execute("return window.beforeReload === undefined;", vec![])
        .await
        .unwrap();
    assert_eq!(fresh, true, "the page did not reload");
}

/// The session as the test drives it, and what every page must show.
struct Workshop<'a> {
    tr: &'a I18n,
    server: &'a TestServer,
    code: String,
    /// Facilitator "claire"'s API token (the staff WebSocket).
    token: String,
    console: Option<Client>,
    phones: Vec<(&'static str, Client)>,
    phase: Phase,
    /// The activity the session left last: the console's "Revenir à …" goes there.
    left: Option<Phase>,
    /// The console drew a definition: the bingo is under way.
    drawn: bool,
    /// Every change made, "from → to (how)", for the report.
    log: Vec<String>,
}

impl Workshop<'_> {
    fn t(&self, id: &str) -> String {
        self.tr.tr(Lang::Fr, id)
    }

    /// What a phone shows in `phase`: only that phase's view.
    fn phone_screen(&self, phase: Phase) -> Value {
        let mut screen = json!({"join": false, "lobby": null, "bingo": null, "fresque": null,
            "desk": null, "feedback": null});
        match phase {
            Lobby => screen["lobby"] = json!(self.t("phone-waiting")),
            Bingo => {
                let prompt = if self.drawn {
                    self.tr
                        .tr_args(Lang::Fr, "bingo-phone-listen", &[("step", "1")])
                } else {
                    self.t("bingo-phone-wait-first")
                };
                screen["bingo"] = json!(format!("25 · {prompt}"));
            }
            // No team is formed in this session: the fresque says it is about to start.
            Fresque => screen["fresque"] = json!(self.t("fresque-wait-teams")),
            // The desk is never opened here: the phone says it will open (the issue's blank).
            Badges => screen["desk"] = json!(self.t("badge-not-open")),
            // A desk that never opened is no news in Feedback: only the form shows.
            Feedback => screen["feedback"] = json!(self.t("feedback-title")),
            // The workshop is over (the phone says so), and the form still takes an opinion.
            Closed => {
                screen["lobby"] = json!(self.t("phone-closed"));
                screen["feedback"] = json!(self.t("feedback-title"));
            }
        }
        screen
    }

    fn console_flow(&self) -> Value {
        let back = self
            .left
            .filter(|left| *left != self.phase && self.phase != Closed)
            .map(|left| {
                self.tr.tr_args(
                    Lang::Fr,
                    "console-back-to",
                    &[("activity", &self.t(left.label()))],
                )
            });
        json!({"phase": self.t(self.phase.label()), "back": back})
    }

    /// Every page shows the current phase's screen (waiting for it to).
    async fn check(&self, why: &str) {
        if let Some(console) = &self.console {
            settle(
                console,
                CONSOLE_FLOW,
                &self.console_flow(),
                &format!("console, {why}"),
            )
            .await;
        }
        let expected = self.phone_screen(self.phase);
        for (name, phone) in &self.phones {
            settle(
                phone,
                PHONE_SCREEN,
                &expected,
                &format!("{name}'s phone, {why}"),
            )
            .await;
        }
    }

    /// Moves the session to `target` the way `by` says, then checks every page.
    /// Leaving an activity under way asks first, whichever button: the question names it.
    async fn confirm_leaving(&self, console: &Client, from: Phase, why: &str) {
        let question = dialog_text(console).await;
        let activity = self.t(from.label());
        assert_eq!(
            question,
            self.tr
                .tr_args(Lang::Fr, "console-end-confirm", &[("activity", &activity)]),
            "{why}"
        );
        console.accept_alert().await.unwrap();
    }

    async fn go(&mut self, by: By, target: Phase) {
        let from = self.phase;
        let why = format!("{from:?} → {target:?} ({by:?})");
        // What the phones showed has stayed (no late re-render blanked it meanwhile).
        let before = self.phone_screen(from);
        for (name, phone) in &self.phones {
            assert_eq!(
                now(phone, PHONE_SCREEN).await,
                before,
                "{name}'s phone changed on its own in {from:?}, before {why}"
            );
        }
        match by {
            By::Socket => {
                let (mut staff, welcome) =
                    WsClient::staff(self.server.addr, &self.code, &self.token).await;
                assert_eq!(welcome["type"], "welcome", "{welcome}");
                staff
                    .send(json!({"type": "phase.set", "phase": target.wire()}))
                    .await;
                let changed = staff.expect("phase.changed").await;
                assert_eq!(changed["phase"], target.wire(), "{why}: {changed}");
                staff.close().await;
            }
            _ => {
                let console = self.console.as_ref().expect("a console");
                match by {
                    By::Next => {
                        assert_eq!(Some(target), next(from), "{why}");
                        click(console, "#next-phase").await;
                    }
                    By::NextConfirmed => {
                        assert_eq!(Some(target), next(from), "{why}");
                        click(console, "#next-phase").await;
                        self.confirm_leaving(console, from, &why).await;
                    }
                    By::ToLobby => {
                        assert_eq!(target, Lobby, "{why}");
                        click(console, "#to-lobby").await;
                        if from == Bingo && self.drawn {
                            self.confirm_leaving(console, from, &why).await;
                        }
                    }
                    By::BackTo => {
                        assert_eq!(
                            Some(target),
                            self.left,
                            "{why}: the console goes back to the activity left last"
                        );
                        click(console, "#back-to-activity").await;
                        if from == Bingo && self.drawn {
                            self.confirm_leaving(console, from, &why).await;
                        }
                    }
                    By::Socket => unreachable!(),
                }
            }
        }
        if from.is_activity() && from != target {
            self.left = Some(from);
        }
        self.phase = target;
        self.log.push(why.clone());
        self.check(&format!("after {why}")).await;
    }
}

/// What "Phase suivante" leads to (`Phase::next` with two activities).
fn next(phase: Phase) -> Option<Phase> {
    Some(match phase {
        Lobby => Bingo,
        Bingo => Fresque,
        Fresque => Badges,
        Badges => Feedback,
        Feedback => Closed,
        Closed => return None,
    })
}

/// The facilitator signs in and opens the session's console, live once it shows the phase.
async fn open_console(driver: &Driver, server: &TestServer, code: &str, tr: &I18n) -> Client {
    let laptop = driver.desktop().await;
    sign_in(&laptop, &server.url("/login"), "claire", PASSWORD).await;
    wait_text(&laptop, "h1", "Mes ateliers").await;
    laptop
        .goto(&server.url(&format!("/f/s/{code}")))
        .await
        .unwrap();
    wait_text(&laptop, "#join-code", code).await;
    settle(
        &laptop,
        CONSOLE_FLOW,
        &json!({"phase": tr.tr(Lang::Fr, "phase-lobby"), "back": null}),
        "console opened",
    )
    .await;
    laptop
}

/// The main walk: one session (bingo, then fresque), the console, a phone from the start and
/// one that joins while the badge desk is about to open. Every pair but "→ Closed" from
/// elsewhere than Feedback, which the second test makes.
#[tokio::test]
async fn every_phase_change_shows_on_the_phones() {
    if !browser::available() {
        return;
    }
    let started = std::time::Instant::now();
    let tr = I18n::load().expect("messages");
    let server = TestServer::start().await;
    let token = server.facilitator_token("claire").await;
    let session = server
        .create_session_as(&token, &["bingo", "fresque"])
        .await;
    let code = session["code"].as_str().unwrap().to_string();
    let driver = Driver::start().await;
    let console = open_console(&driver, &server, &code, &tr).await;
    let ada = driver.phone_sized(360, 640, 100).await;
    join(&ada, &server, &code, "Ada", &tr).await;

    let mut w = Workshop {
        tr: &tr,
        server: &server,
        code: code.clone(),
        token,
        console: Some(console),
        phones: vec![("Ada", ada)],
        phase: Lobby,
        left: None,
        drawn: false,
        log: Vec::new(),
    };
    w.check("after joining").await;

    w.go(By::Next, Bingo).await;
    // The console draws a definition: from now on the bingo is under way, and leaving it
    // with "Phase suivante" asks first.
    let console = w.console.clone().unwrap();
    click(&console, "[data-action=draw]").await;
    wait_text(&console, ".bc-kicker", "Définition 1").await;
    w.drawn = true;
    w.check("after the first definition").await;

    w.go(By::NextConfirmed, Fresque).await;
    w.go(By::BackTo, Bingo).await;
    w.go(By::ToLobby, Lobby).await;
    w.go(By::BackTo, Bingo).await;
    reload(&w.phones[0].1).await;
    w.check("after Ada reloaded in the bingo").await;

    w.go(By::Socket, Badges).await;
    // Bea joins late, while the desk is about to open.
    let bea = driver.phone_sized(360, 640, 100).await;
    join(&bea, &server, &code, "Bea", &tr).await;
    w.phones.push(("Bea", bea));
    w.check("after Bea joined").await;

    w.go(By::BackTo, Bingo).await;
    w.go(By::Socket, Feedback).await;
    w.go(By::BackTo, Bingo).await;
    w.go(By::NextConfirmed, Fresque).await;
    w.go(By::ToLobby, Lobby).await;
    w.go(By::BackTo, Fresque).await;
    w.go(By::Socket, Feedback).await;
    reload(&w.phones[1].1).await;
    w.check("after Bea reloaded in Feedback").await;
    w.go(By::BackTo, Fresque).await;
    w.go(By::Next, Badges).await;
    w.go(By::BackTo, Fresque).await;
    w.go(By::Next, Badges).await;
    w.go(By::ToLobby, Lobby).await;
    w.go(By::Socket, Feedback).await;
    w.go(By::ToLobby, Lobby).await;
    w.go(By::Socket, Badges).await;
    reload(&w.phones[0].1).await;
    w.check("after Ada reloaded in Badges").await;
    w.go(By::Next, Feedback).await;
    w.go(By::Socket, Badges).await;
    w.go(By::Next, Feedback).await;
    w.go(By::Next, Closed).await;
    reload(&w.phones[0].1).await;
    w.check("after Ada reloaded in Closed").await;
    // Closed is final: the console offers no phase button any more; the phones stay.
    let shown = console
        .execute(
            "return ['next-phase', 'to-lobby', 'back-to-activity'].filter((id) => !document.getElementById(id).hidden);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(shown, json!([]), "phase buttons left in a closed session");
    w.check("after the console showed the session closed").await;

    // Every pair of phases `goto` allows between the five open ones, and Feedback → Closed.
    let all = [Lobby, Bingo, Fresque, Badges, Feedback];
    for from in all {
        for to in all.into_iter().chain([Closed]) {
            if from == to || (to == Closed && from != Feedback) {
                continue;
            }
            let pair = format!("{from:?} → {to:?} (");
            assert!(
                w.log.iter().any(|made| made.starts_with(&pair)),
                "{from:?} → {to:?} never made: {:#?}",
                w.log
            );
        }
    }
    eprintln!(
        "{} phase changes in {:.1} s:\n  {}",
        w.log.len(),
        started.elapsed().as_secs_f64(),
        w.log.join("\n  ")
    );
    let Workshop {
        console, phones, ..
    } = w;
    for browser in console
        .into_iter()
        .chain(phones.into_iter().map(|(_, p)| p))
    {
        browser.close().await.unwrap();
    }
}

/// Closed is final, so closing from each other phase takes a session of its own. The console
/// closes only from Feedback ("Phase suivante"); closing earlier goes over the staff
/// WebSocket. The phone follows, then says the workshop is over.
#[tokio::test]
async fn closing_from_any_phase_shows_on_the_phone() {
    if !browser::available() {
        return;
    }
    let tr = I18n::load().expect("messages");
    let server = TestServer::start().await;
    let token = server.facilitator_token("claire").await;
    let driver = Driver::start().await;
    let phone = driver.phone_sized(360, 640, 100).await;
    for from in [Lobby, Bingo, Fresque, Badges] {
        let session = server
            .create_session_as(&token, &["bingo", "fresque"])
            .await;
        let code = session["code"].as_str().unwrap().to_string();
        join(&phone, &server, &code, "Ada", &tr).await;
        let mut w = Workshop {
            tr: &tr,
            server: &server,
            code,
            token: token.clone(),
            console: None,
            phones: vec![("Ada", phone.clone())],
            phase: Lobby,
            left: None,
            drawn: false,
            log: Vec::new(),
        };
        w.check("after joining").await;
        if from != Lobby {
            w.go(By::Socket, from).await;
        }
        w.go(By::Socket, Closed).await;
    }
    phone.close().await.unwrap();
}
