//! The fresque in real browsers: two phones of one team drag cards by touch and see each
//! other's moves, one uses the keyboard path (select, then "move up"), the facilitator deals
//! and reveals from the console, the projector shows the boards and the debrief.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use atelier::room::RoomSettings;
use common::browser::{self, Driver, PAGE_WAIT, screenshot, sign_in, wait_text, wait_visible};
use common::{ADMIN_TOKEN, Client as Ws, TestServer};
use fantoccini::actions::{InputSource, PointerAction, TouchActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use serde_json::{Value, json};
use tokio::sync::mpsc;

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

/// Clicks (taps) an element once it is visible: once, and the click must land (the screens
/// update in place, so a live update never takes the element away under the pointer).
async fn click(browser: &Client, css: &str) {
    wait_visible(browser, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// Focuses an element and presses Enter, as a keyboard user would: once.
async fn press_enter(browser: &Client, css: &str) {
    wait_visible(browser, css)
        .await
        .send_keys(&Key::Enter.to_string())
        .await
        .unwrap_or_else(|e| panic!("press Enter on {css}: {e}"));
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
    let driver = Driver::start().await;
    // The facilitator signs in and opens the console; the projector opens its link.
    let (laptop, session) = console(&server, &driver, &["fresque"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let projector = driver.desktop().await;
    projector
        .goto(&server.url(&url_path(&session["screen_url"])))
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
    // Bob's phone highlights what moved and who moved it, by name (the team's names came
    // with its forming: it used to say "someone in the team" until a reconnection).
    wait_text(
        &bob,
        &format!("li.fq-flash[data-card='{}'] .fq-by", ada_hand[0]),
        "Ada",
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

    // The console follows every board live; the projector its progress only.
    wait_text(&laptop, ".fq-team", "10 cartes posées sur 10").await;
    wait_text(&projector, ".fq-progress-grid", "10 cartes posées sur 10").await;
    screenshot(&laptop, "fresque-console").await;
    screenshot(&projector, "fresque-screen-boards").await;

    // Reveal (two packs were never dealt: the console asks first).
    click(&laptop, ".fq-reveal").await;
    confirm_dialog(&laptop, "clicking reveal once").await;
    wait_text(&ada, ".fq-score", "%").await;
    let score = wait_text(&bob, ".fq-score", "%").await;
    assert!(score.contains("paires"), "{score}");
    wait_visible(&ada, ".fq-board .fq-verdict").await;
    wait_text(&projector, ".fq-reveal-score", "%").await;
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

/// A facilitator account signed in in a desktop browser, a session of `activities` and its
/// console open; returns the console and the session.
async fn console(server: &TestServer, driver: &Driver, activities: &[&str]) -> (Client, Value) {
    let token = server.facilitator_token("claire").await;
    let session = server.create_session_as(&token, activities).await;
    let laptop = driver.desktop().await;
    sign_in(&laptop, &server.url("/login"), "claire", PASSWORD).await;
    wait_text(&laptop, "h1", "Mes ateliers").await;
    laptop
        .goto(&server.url(&url_path(&session["facilitator_url"])))
        .await
        .unwrap();
    wait_text(&laptop, "#join-code", session["code"].as_str().unwrap()).await;
    (laptop, session)
}

/// The path (and query) of an absolute URL given by the API.
fn url_path(url: &Value) -> String {
    let url = url.as_str().unwrap();
    url[url.find("://").map_or(0, |i| i + 3)..]
        .split_once('/')
        .map(|(_, p)| format!("/{p}"))
        .unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A scripted phone that keeps its team's board moving until `stop`: it places its cards,
/// then moves the board's last card to the front, five times a second (the server's flood
/// limit is ten). Returns how many moves it sent.
fn stream_moves(mut phone: Ws, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<u64> {
    tokio::spawn(async move {
        let mut team: Option<u64> = None;
        let mut board: Vec<String> = Vec::new();
        let mut hand: Vec<String> = Vec::new();
        let mut sent = 0;
        let mut tick = tokio::time::interval(Duration::from_millis(200));
        while !stop.load(Ordering::Relaxed) {
            tokio::select! {
                _ = tick.tick() => {
                    let frame = if let Some(card) = hand.first() {
                        json!({"type": "fresque.place", "card": card, "after": null})
                    } else if board.len() >= 2 {
                        json!({"type": "fresque.move", "card": board.last().unwrap(), "after": null})
                    } else {
                        continue;
                    };
                    phone.send(frame).await;
                    sent += 1;
                }
                frame = phone.try_next() => {
                    let Some(frame) = frame else { break };
                    match frame["type"].as_str() {
                        Some("fresque.hand") => hand = strings(&frame["hand"]),
                        Some("fresque.team") => {
                            team = frame["team"].as_u64();
                            board = strings(&frame["board"]);
                        }
                        Some("fresque.board") if frame["team"].as_u64() == team => {
                            board = strings(&frame["board"]);
                        }
                        _ => {}
                    }
                }
            }
        }
        phone.close().await;
        sent
    })
}

/// A staff socket read without pause (a console that lags is dropped by the server): every
/// frame but the boards' moves goes to the channel.
fn staff_events(mut staff: Ws) -> mpsc::UnboundedReceiver<Value> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(frame) = staff.try_next().await {
            if frame["type"] != "fresque.board" && tx.send(frame).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next staff event of `kind` satisfying `wanted`, within `within`; panics with `what`.
async fn heard(
    events: &mut mpsc::UnboundedReceiver<Value>,
    kind: &str,
    wanted: impl Fn(&Value) -> bool,
    within: Duration,
    what: &str,
) -> Value {
    let found = tokio::time::timeout(within, async {
        while let Some(frame) = events.recv().await {
            if frame["type"] == kind && wanted(&frame) {
                return Some(frame);
            }
        }
        None
    })
    .await;
    match found {
        Ok(Some(frame)) => frame,
        _ => panic!("{what}: no {kind} within {within:?}"),
    }
}

/// Waits (briefly) for a dialog after a click; accepts it. A click is made once.
async fn confirm_dialog(browser: &Client, what: &str) {
    let shown_by = tokio::time::Instant::now() + Duration::from_secs(3);
    while tokio::time::Instant::now() < shown_by {
        if browser.get_alert_text().await.is_ok() {
            browser.accept_alert().await.expect("accept the dialog");
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no confirmation dialog after {what}");
}

/// Issue 17: the console replaced its controls on every live update, so a click could land
/// on a button just removed (a stale element, or a click that did nothing). Six phones keep
/// three boards moving (about 30 moves a second) while the facilitator clicks the projector
/// buttons, moves members between teams, deals and reveals: each click, made once, has its
/// effect.
#[tokio::test]
async fn every_console_click_lands_while_phones_stream_moves() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let driver = Driver::start().await;
    let (laptop, session) = console(&server, &driver, &["fresque"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let stop = Arc::new(AtomicBool::new(false));
    let mut streams = Vec::new();
    for name in ["Ana", "Bea", "Cyd", "Dan", "Eve", "Fio"] {
        let (phone, _) = Ws::join(server.addr, &code, name).await;
        streams.push(stream_moves(phone, stop.clone()));
    }
    let (staff, _) = Ws::staff(server.addr, &code, ADMIN_TOKEN).await;
    let mut events = staff_events(staff);
    wait_text(&laptop, "#count", "6").await;
    let within = Duration::from_secs(3);

    click(&laptop, "#next-phase").await;
    let number = wait_visible(&laptop, "#fq-team-number").await;
    number.clear().await.unwrap();
    number.send_keys("3").await.unwrap();
    click(&laptop, ".fq-form-submit").await;
    heard(
        &mut events,
        "fresque.roster",
        |f| f["teams"].as_array().is_some_and(|t| t.len() == 3),
        within,
        "form teams",
    )
    .await;
    click(&laptop, ".fq-deal").await;
    heard(
        &mut events,
        "fresque.team",
        |f| f["reason"] == "dealt",
        within,
        "deal pack 1",
    )
    .await;
    // The boards are moving.
    wait_text(&laptop, ".fq-team[data-team='2'] .fq-mini", "").await;
    tokio::time::sleep(Duration::from_secs(1)).await;

    for round in 0..8u64 {
        // The projector's buttons.
        let team = round % 3;
        click(&laptop, &format!(".fq-show-{team}")).await;
        heard(
            &mut events,
            "fresque.show_team",
            |f| f["team"] == team,
            within,
            &format!("show team {team} (round {round})"),
        )
        .await;
        click(&laptop, ".fq-show-all").await;
        heard(
            &mut events,
            "fresque.show_team",
            |f| f["team"].is_null(),
            within,
            &format!("show all (round {round})"),
        )
        .await;
        // A member moves to the next team, and back the round after.
        let (from, to) = if round % 2 == 0 { (0, 1) } else { (1, 0) };
        let select = wait_visible(
            &laptop,
            &format!(".fq-team[data-team='{from}'] .fq-move-member"),
        )
        .await;
        let pid: u64 = select
            .attr("data-focus")
            .await
            .unwrap_or_else(|e| panic!("round {round}: read the move select: {e}"))
            .and_then(|f| f.strip_prefix("move-").map(str::to_string))
            .and_then(|p| p.parse().ok())
            .expect("the select names its member");
        select
            .select_by_value(&to.to_string())
            .await
            .unwrap_or_else(|e| panic!("round {round}: choose team {to} for {pid}: {e}"));
        heard(
            &mut events,
            "fresque.team",
            |f| f["reason"] == "moved_in" && f["who"] == pid && f["team"] == to,
            within,
            &format!("move {pid} to team {to} (round {round})"),
        )
        .await;
        if round == 3 {
            click(&laptop, ".fq-deal").await;
            heard(
                &mut events,
                "fresque.team",
                |f| f["reason"] == "dealt" && f["packs_dealt"] == 2,
                within,
                "deal pack 2",
            )
            .await;
        }
    }
    // One pack is left: the reveal asks first, on the first click.
    click(&laptop, ".fq-reveal").await;
    confirm_dialog(&laptop, "clicking reveal once").await;
    heard(&mut events, "fresque.revealed", |_| true, within, "reveal").await;

    stop.store(true, Ordering::Relaxed);
    let mut moves = 0;
    for stream in streams {
        moves += stream.await.expect("a phone's stream");
    }
    assert!(
        moves > 100,
        "the phones kept the boards moving ({moves} moves)"
    );
    laptop.close().await.unwrap();
}

/// A scripted phone read without pause (a silent socket is dropped): its frames go to
/// `frames`, what is sent on `send` goes to the server; dropping `send` drops the socket
/// without a goodbye, as a phone whose page was closed.
struct Scripted {
    pid: u64,
    send: mpsc::UnboundedSender<Value>,
    frames: mpsc::UnboundedReceiver<Value>,
}

async fn scripted(server: &TestServer, code: &str, name: &str) -> Scripted {
    let (mut ws, welcome) = Ws::join(server.addr, code, name).await;
    let (send, mut outgoing) = mpsc::unbounded_channel::<Value>();
    let (forward, frames) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            tokio::select! {
                out = outgoing.recv() => match out {
                    Some(frame) => ws.send(frame).await,
                    None => break,
                },
                frame = ws.try_next() => match frame {
                    Some(frame) => {
                        let _ = forward.send(frame);
                    }
                    None => break,
                },
            }
        }
    });
    Scripted {
        pid: welcome["you"]["pid"].as_u64().unwrap(),
        send,
        frames,
    }
}

/// The cards in hand the console shows for the members other than `except`.
async fn hand_counts(console: &Client, except: u64) -> u64 {
    let counts = console
        .execute(
            "return [...document.querySelectorAll('.fq-team li[data-member]')]
                .filter((li) => li.dataset.member !== String(arguments[0]))
                .map((li) => li.querySelector('.fq-hand-count').textContent);",
            vec![json!(except)],
        )
        .await
        .unwrap();
    strings(&counts)
        .iter()
        .map(|text| number_in(text).unwrap_or(0))
        .sum()
}

/// The number in a text ("… dans 42 s" → 42).
fn number_in(text: &str) -> Option<u64> {
    text.rsplit(|c: char| !c.is_ascii_digit())
        .find(|w| !w.is_empty())
        .and_then(|w| w.parse().ok())
}

/// Issue 17: presence in the fresque panels. A phone's socket closes: the console shows the
/// member away with the countdown to their cards going to the team, the facilitator gives them
/// now, the teammates get them; the real phone shows its teammates by name (teams formed after
/// it joined) and the away one as away.
#[tokio::test]
async fn the_console_shows_an_away_member_and_gives_their_cards_to_the_team() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start_with_rooms(RoomSettings {
        away_after: Duration::from_millis(300),
        ..RoomSettings::default()
    })
    .await;
    let driver = Driver::start().await;
    let (laptop, session) = console(&server, &driver, &["fresque"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let ada = join(&driver, &server, &code, "Ada").await;
    let mut bea = scripted(&server, &code, "Bea").await;
    let _cyd = scripted(&server, &code, "Cyd").await;
    let dan = scripted(&server, &code, "Dan").await;
    wait_text(&laptop, "#count", "4").await;

    // One team of four, formed after Ada's phone joined; a pack dealt.
    click(&laptop, "#next-phase").await;
    let number = wait_visible(&laptop, "#fq-team-number").await;
    number.clear().await.unwrap();
    number.send_keys("1").await.unwrap();
    click(&laptop, ".fq-form-submit").await;
    // Ada's phone names her teammates without a reload.
    for name in ["Bea", "Cyd", "Dan", "Ada (vous)"] {
        wait_text(&ada, ".fq-waiting .fq-teammates", name).await;
    }
    let waiting = wait_text(&ada, ".fq-waiting", "Dan").await;
    assert!(!waiting.contains("Quelqu'un"), "{waiting}");
    click(&laptop, ".fq-deal").await;
    let hand = wait_cards(&ada, ".fq-hand", |c| !c.is_empty()).await;
    wait_text(&ada, ".fq-team-section .fq-teammates", "Dan").await;

    // Bea plays a card: Ada's phone says Bea moved it.
    let bea_card = loop {
        let frame = bea.frames.recv().await.expect("Bea's frames");
        if frame["type"] == "fresque.hand" && !frame["hand"].as_array().unwrap().is_empty() {
            break frame["hand"][0].as_str().unwrap().to_string();
        }
    };
    bea.send
        .send(json!({"type": "fresque.place", "card": bea_card, "after": null}))
        .unwrap();
    wait_text(
        &ada,
        &format!("li.fq-flash[data-card='{bea_card}'] .fq-by"),
        "Bea",
    )
    .await;
    // Ada puts all her cards on the timeline: hers is the emptiest hand.
    for card in &hand {
        click(&ada, &format!(".fq-hand li[data-card='{card}'] .fq-face")).await;
        click(&ada, ".fq-actions .fq-last").await;
        wait_cards(&ada, ".fq-hand", |c| !c.contains(card)).await;
    }
    click(&ada, ".fq-actions .fq-deselect").await;

    // Dan's page is closed.
    let dan_line = format!(".fq-team li[data-member='{}']", dan.pid);
    let held =
        number_in(&wait_text(&laptop, &format!("{dan_line} .fq-hand-count"), "en main").await)
            .expect("Dan's hand count");
    assert!(held > 0);
    drop(dan.send);
    wait_text(&laptop, &format!("{dan_line} .fq-presence"), "absent·e").await;
    let countdown = wait_text(
        &laptop,
        &format!("{dan_line} .fq-countdown"),
        "reviennent à l'équipe dans",
    )
    .await;
    assert!(
        countdown.contains(&format!("ses {held} cartes")),
        "{countdown}"
    );
    let first = number_in(&countdown).unwrap();
    assert!(
        (50..=60).contains(&first),
        "a minute by default: {countdown}"
    );
    // It counts down, every second.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let later =
        number_in(&wait_text(&laptop, &format!("{dan_line} .fq-countdown"), "dans").await).unwrap();
    assert!(later < first, "{first} then {later}");
    // The others are there; Ada's phone shows Dan away.
    wait_text(
        &laptop,
        &format!(".fq-team li[data-member='{}'] .fq-presence", bea.pid),
        "présent·e",
    )
    .await;
    wait_text(
        &ada,
        &format!(".fq-team-section li[data-member='{}']", dan.pid),
        "absent·e",
    )
    .await;
    ada.execute(
        "document.querySelector('.fq-team-section').scrollIntoView({block: 'center'});",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&ada, "fresque-phone-away").await;
    let release = wait_visible(&laptop, &format!("{dan_line} .fq-release")).await;
    assert_eq!(
        release.attr("aria-label").await.unwrap().as_deref(),
        Some("Rendre ses cartes maintenant (Dan)")
    );
    laptop
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({block: 'center'});",
            vec![json!(dan_line)],
        )
        .await
        .unwrap();
    screenshot(&laptop, "fresque-console-away").await;
    browser::audit(&laptop, "the console with an away member").await;
    browser::audit(&ada, "a phone with an away teammate").await;

    // A longer grace period: the countdown follows.
    let grace = wait_visible(&laptop, "#fq-grace").await;
    grace.select_by_value("120").await.unwrap();
    let longer =
        number_in(&wait_text(&laptop, &format!("{dan_line} .fq-countdown"), "dans 1").await)
            .unwrap();
    assert!(longer > 100, "{longer}");
    let shown = laptop
        .execute("return document.querySelector('#fq-grace').value;", vec![])
        .await
        .unwrap();
    assert_eq!(shown, json!("120"));

    // The facilitator gives Dan's cards now: Ada (the emptiest hand) gets them.
    let others_before = hand_counts(&laptop, dan.pid).await;
    click(&laptop, &format!("{dan_line} .fq-release")).await;
    wait_text(&laptop, &format!("{dan_line} .fq-hand-count"), "main vide").await;
    wait_text(&laptop, &format!("{dan_line} .fq-presence"), "absent·e").await;
    let hidden = laptop
        .execute(
            "return document.querySelector(arguments[0]).hidden;",
            vec![json!(format!("{dan_line} .fq-away-line"))],
        )
        .await
        .unwrap();
    assert_eq!(hidden, json!(true), "no countdown once the cards are given");
    // The teammates there hold them now (the console's counts), Ada's phone shows them.
    let others_after = hand_counts(&laptop, dan.pid).await;
    assert_eq!(
        others_after,
        others_before + held,
        "Dan's {held} cards went to the others"
    );
    let received = wait_cards(&ada, ".fq-hand", |c| c.len() as u64 >= held.min(2)).await;
    assert!(received.iter().all(|c| !hand.contains(c)), "{received:?}");

    for browser in [laptop, ada] {
        browser.close().await.unwrap();
    }
}

/// What the projector's activity says, its scenario header left out (its competence and
/// instruction may share words with the cards).
async fn projector_text(projector: &Client) -> String {
    let text = projector
        .execute(
            "const copy = document.querySelector('#activities').cloneNode(true);
             copy.querySelectorAll('.fq-scenario').forEach((el) => el.remove());
             return copy.textContent;",
            vec![],
        )
        .await
        .expect("script runs");
    text.as_str().unwrap_or_default().to_string()
}

/// The smallest font size (px) of the text shown in `css`, and where.
async fn smallest_text(browser: &Client, css: &str) -> (f64, String) {
    let found = browser
        .execute(
            "const walker = document.createTreeWalker(document.querySelector(arguments[0]), NodeFilter.SHOW_TEXT);
             let min = 1e9, where = '';
             while (walker.nextNode()) {
               const node = walker.currentNode, el = node.parentElement;
               if (!node.textContent.trim() || !el.getClientRects().length || el.closest('.visually-hidden')) continue;
               const size = parseFloat(getComputedStyle(el).fontSize);
               if (size < min) { min = size; where = `${el.className}: ${node.textContent.trim().slice(0, 40)}`; }
             }
             return [min, where];",
            vec![json!(css)],
        )
        .await
        .expect("script runs");
    (
        found[0].as_f64().unwrap(),
        found[1].as_str().unwrap().to_string(),
    )
}

/// Waits until the animations in `css` (and under it) have all run.
async fn animations_done(browser: &Client, css: &str) {
    let deadline = tokio::time::Instant::now() + PAGE_WAIT;
    loop {
        let running = browser
            .execute(
                "return document.querySelector(arguments[0]).getAnimations({subtree: true})
                   .filter((a) => a.playState !== 'finished').length;",
                vec![json!(css)],
            )
            .await
            .expect("script runs");
        if running == json!(0) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the animations of {css} never ended"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A scripted phone's next hand that is not empty.
async fn dealt_hand(phone: &mut Scripted) -> Vec<String> {
    loop {
        let frame = tokio::time::timeout(PAGE_WAIT, phone.frames.recv())
            .await
            .expect("a hand within the page wait")
            .expect("the phone's frames");
        if frame["type"] == "fresque.hand" && !frame["hand"].as_array().unwrap().is_empty() {
            return strings(&frame["hand"]);
        }
    }
}

/// Places `order` on a scripted phone's timeline, in that order, the first after `first_after`
/// (under the server's flood limit).
async fn place_in_order(phone: &Scripted, order: &[String], first_after: Option<&String>) {
    for (i, card) in order.iter().enumerate() {
        let after = if i == 0 {
            json!(first_after)
        } else {
            json!(order[i - 1])
        };
        phone
            .send
            .send(json!({"type": "fresque.place", "card": card, "after": after}))
            .unwrap();
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Issue 18: no copying, and the reveal as a moment. Three teams of one (a real phone, two
/// scripted): while they play the projector shows how far each team is, never a card, even
/// focused on one team; the reveal builds the reference, marks each team's misplaced cards
/// and names the teams on a podium in score order; the phone shows its place, its score and
/// the card it got most wrong; the console lists the cards most misplaced first.
#[tokio::test]
async fn the_projector_hides_the_boards_until_a_reveal_with_a_podium() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let driver = Driver::start().await;
    let (laptop, session) = console(&server, &driver, &["fresque"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let projector = driver.projector_sized(1920, 1080).await;
    projector
        .goto(&server.url(&url_path(&session["screen_url"])))
        .await
        .unwrap();
    wait_text(&projector, ".join-panel", &code).await;
    let ada = join(&driver, &server, &code, "Ada").await;
    let mut bea = scripted(&server, &code, "Bea").await;
    let mut cyd = scripted(&server, &code, "Cyd").await;
    wait_text(&laptop, "#count", "3").await;
    let within = Duration::from_secs(5);

    click(&laptop, "#next-phase").await;
    wait_text(&ada, ".fq-waiting", "l'animateur forme les équipes").await;
    // The reference order, from a staff socket's welcome.
    let (staff, welcome) = Ws::staff(server.addr, &code, ADMIN_TOKEN).await;
    let entries = welcome["fresque"]["reference_order"]
        .as_array()
        .expect("the staff view has the reference order")
        .clone();
    let reference: Vec<String> = entries
        .iter()
        .map(|e| e["card"].as_str().unwrap().to_string())
        .collect();
    // A card's accepted ranks, lowest and highest (its rank and the debatable ones).
    let ranks = |card: &str| -> (u64, u64) {
        let e = entries.iter().find(|e| e["card"] == card).unwrap();
        let all: Vec<u64> = std::iter::once(e["rank"].as_u64().unwrap())
            .chain(
                e["alternatives"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_u64().unwrap()),
            )
            .collect();
        (*all.iter().min().unwrap(), *all.iter().max().unwrap())
    };
    let mut events = staff_events(staff);
    let number = wait_visible(&laptop, "#fq-team-number").await;
    number.clear().await.unwrap();
    number.send_keys("3").await.unwrap();
    click(&laptop, ".fq-form-submit").await;
    let roster = heard(
        &mut events,
        "fresque.roster",
        |f| f["teams"].as_array().is_some_and(|t| t.len() == 3),
        within,
        "form teams",
    )
    .await;
    let team_of = |pid: u64| -> u64 {
        roster["teams"]
            .as_array()
            .unwrap()
            .iter()
            .position(|ids| ids.as_array().unwrap().contains(&json!(pid)))
            .expect("in a team") as u64
    };
    let (bea_team, cyd_team) = (team_of(bea.pid), team_of(cyd.pid));
    let ada_team = (0..3).find(|t| *t != bea_team && *t != cyd_team).unwrap();
    click(&laptop, ".fq-deal").await;
    let by_reference = |cards: &[String]| -> Vec<String> {
        let mut cards = cards.to_vec();
        cards.sort_by_key(|c| reference.iter().position(|r| r == c));
        cards
    };
    // Bea puts the reference order, Cyd the reverse.
    let bea_order = by_reference(&dealt_hand(&mut bea).await);
    let mut cyd_order = by_reference(&dealt_hand(&mut cyd).await);
    cyd_order.reverse();
    place_in_order(&bea, &bea_order, None).await;
    place_in_order(&cyd, &cyd_order[..6], None).await;

    // The projector shows each team's progress, no card.
    wait_text(
        &projector,
        &format!(".fq-progress-team[data-team='{bea_team}']"),
        "10 cartes posées sur 10",
    )
    .await;
    wait_text(
        &projector,
        &format!(".fq-progress-team[data-team='{cyd_team}']"),
        "6 cartes posées sur 10",
    )
    .await;
    wait_text(
        &projector,
        &format!(".fq-progress-team[data-team='{ada_team}']"),
        "0 carte posée sur 10",
    )
    .await;
    wait_text(
        &projector,
        ".fq-hidden-note",
        "cachées jusqu'au dévoilement",
    )
    .await;
    // The console sees the boards (and so the terms the projector must not show).
    wait_text(
        &laptop,
        &format!(".fq-team[data-team='{cyd_team}']"),
        "6 cartes posées sur 10",
    )
    .await;
    let terms = strings(
        &laptop
            .execute(
                "return [...document.querySelectorAll('.fq-mini .fq-term')].map((e) => e.textContent);",
                vec![],
            )
            .await
            .unwrap(),
    );
    assert_eq!(
        terms.len(),
        16,
        "the console shows every placed card: {terms:?}"
    );
    let no_card_shown = |text: &str, what: &str| {
        for term in &terms {
            assert!(
                !text.contains(term.as_str()),
                "{what} shows {term:?}: {text}"
            );
        }
    };
    no_card_shown(
        &projector_text(&projector).await,
        "the projector while playing",
    );
    assert_eq!(
        projector
            .find_all(Locator::Css(".fq-progress-team progress"))
            .await
            .unwrap()
            .len(),
        3
    );
    let (size, at) = smallest_text(&projector, ".fq-progress-grid").await;
    assert!(size >= 28.0, "projector text at {size} px: {at}");
    // Focused on one team, still its progress only.
    click(&laptop, &format!(".fq-show-{bea_team}")).await;
    wait_text(&projector, ".fq-progress-big", "10 cartes posées sur 10").await;
    no_card_shown(
        &projector_text(&projector).await,
        "the projector on one team",
    );
    click(&laptop, ".fq-show-all").await;
    wait_visible(&projector, ".fq-progress-grid").await;

    // Ada (the real phone) puts the reference order but one card last: the first that then
    // comes after a card surely later than it (a debatable card may go anywhere).
    let ada_hand = wait_cards(&ada, ".fq-hand", |c| c.len() == 10).await;
    let mut ada_order = by_reference(&ada_hand);
    let moved = ada_order
        .iter()
        .position(|c| ada_order.iter().any(|d| ranks(d).0 > ranks(c).1))
        .expect("a card with a later one");
    let card = ada_order.remove(moved);
    ada_order.push(card);
    for (i, card) in ada_order.iter().enumerate() {
        click(&ada, &format!(".fq-hand li[data-card='{card}'] .fq-face")).await;
        click(
            &ada,
            if i == 0 {
                ".fq-actions .fq-first"
            } else {
                ".fq-actions .fq-last"
            },
        )
        .await;
        wait_cards(&ada, ".fq-hand", |c| !c.contains(card)).await;
        // "Done": the action bar would cover the next card of the hand.
        click(&ada, ".fq-actions .fq-deselect").await;
    }
    wait_cards(&ada, ".fq-board", |c| c == ada_order).await;
    place_in_order(&cyd, &cyd_order[6..], Some(&cyd_order[5])).await;
    wait_text(
        &projector,
        &format!(".fq-progress-team[data-team='{cyd_team}']"),
        "10 cartes posées sur 10",
    )
    .await;
    wait_text(
        &projector,
        &format!(".fq-progress-team[data-team='{ada_team}']"),
        "10 cartes posées sur 10",
    )
    .await;
    screenshot(&projector, "fresque-screen-playing").await;

    // The reveal.
    click(&laptop, ".fq-reveal").await;
    confirm_dialog(&laptop, "clicking reveal once").await;
    let revealed = heard(&mut events, "fresque.revealed", |_| true, within, "reveal").await;
    let results = revealed["results"].as_array().unwrap().clone();
    let percent = |team: u64| results[team as usize]["score"]["percent"].as_i64().unwrap();
    assert_eq!(percent(bea_team), 100);
    assert!(
        percent(ada_team) < 100 && percent(ada_team) > percent(cyd_team),
        "{results:?}"
    );
    // The reveal plays as scenes, one screen each; the arrow keys (a presenter's remote) move
    // through them. First the reference, built card by card.
    let scene = |name: &'static str| {
        let projector = &projector;
        async move {
            wait_visible(projector, &format!(".fq-reveal[data-scene='{name}']")).await;
        }
    };
    let next = || async {
        projector
            .active_element()
            .await
            .unwrap()
            .send_keys("\u{e014}")
            .await
            .unwrap();
    };
    scene("reference").await;
    animations_done(&projector, ".fq-build").await;
    let built = projector
        .execute(
            "return [...document.querySelectorAll('.fq-build li')].map((li) => li.dataset.card);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(strings(&built), reference);
    screenshot(&projector, "fresque-screen-reference").await;
    // Then the teams' marks and scores.
    next().await;
    scene("teams").await;
    wait_text(
        &projector,
        &format!(".fq-reveal-team[data-team='{cyd_team}'] .fq-misplaced-title"),
        "mal placée",
    )
    .await;
    animations_done(&projector, ".fq-reveal-teams").await;
    screenshot(&projector, "fresque-screen-reveal").await;
    // Each team's misplaced cards are marked (an icon and words, not colour alone).
    for r in &results {
        let team = r["team"].as_u64().unwrap();
        let wrong: Vec<String> = r["score"]["cards"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["right"] == false)
            .map(|c| c["card"].as_str().unwrap().to_string())
            .collect();
        let panel = format!(".fq-reveal-team[data-team='{team}']");
        let marked = cards(&projector, &format!("{panel} .fq-misplaced-list")).await;
        assert_eq!(marked, wrong, "team {team}'s misplaced cards");
        // (Its text shows once the panel has appeared.)
        let title = format!("{panel} .fq-misplaced-title");
        if wrong.is_empty() {
            wait_text(&projector, &title, "Aucune carte mal placée").await;
        } else {
            let said = wait_text(&projector, &title, "mal placée").await;
            assert!(said.contains('✗'), "{said}");
        }
    }
    assert!(
        !cards(
            &projector,
            &format!(".fq-reveal-team[data-team='{ada_team}'] .fq-misplaced-list")
        )
        .await
        .is_empty(),
        "Ada's team moved a card"
    );
    // The podium names the teams in score order, once the scores have counted up.
    next().await;
    scene("podium").await;
    let podium = ".fq-podium.fq-big .fq-podium-list";
    wait_text(&projector, &format!("{podium} li:first-child"), "100 %").await;
    wait_text(
        &projector,
        &format!("{podium} li:last-child"),
        &format!("{} %", percent(cyd_team)),
    )
    .await;
    let order = projector
        .execute(
            "return [...document.querySelectorAll(arguments[0] + ' > li')].map((li) => Number(li.dataset.team));",
            vec![json!(podium)],
        )
        .await
        .unwrap();
    assert_eq!(order, json!([bea_team, ada_team, cyd_team]));
    let first = wait_text(&projector, &format!("{podium} li:first-child"), "1re place").await;
    assert!(
        first.contains(&format!("Équipe {}", bea_team + 1)),
        "{first}"
    );
    wait_text(&projector, &format!("{podium} li:nth-child(2)"), "2e place").await;
    wait_text(&projector, &format!("{podium} li:nth-child(3)"), "3e place").await;
    wait_text(&projector, ".fq-podium.fq-big h2", "Podium").await;
    // The podium comes last: once every animation has ended.
    animations_done(&projector, "#activities").await;
    let (size, at) = smallest_text(&projector, ".fq-reveal").await;
    assert!(size >= 28.0, "projector text at {size} px: {at}");
    projector
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    screenshot(&projector, "fresque-screen-podium").await;

    // Ada's phone: her place, her score and the card her team got most wrong.
    wait_text(&ada, ".fq-rank", "2e place sur 3 équipes").await;
    wait_text(&ada, ".fq-score", &format!("{} %", percent(ada_team))).await;
    let worst = revealed["cards"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| {
            c["misplaced_by"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["team"] == ada_team)
                .map(|m| {
                    (
                        c["card"].as_str().unwrap().to_string(),
                        m["disagreements"].as_u64().unwrap(),
                    )
                })
        })
        .fold(None::<(String, u64)>, |best, (card, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((card, n)),
        })
        .expect("Ada's team misplaced a card")
        .0;
    let block = wait_visible(&ada, ".fq-worst").await;
    assert_eq!(
        block.attr("data-card").await.unwrap().as_deref(),
        Some(worst.as_str())
    );
    let position = ada_order.iter().position(|c| *c == worst).unwrap();
    wait_text(
        &ada,
        ".fq-worst-yours",
        &format!("l'a posée en position {}", position + 1),
    )
    .await;
    let at = reference.iter().position(|c| *c == worst).unwrap();
    let where_ = if at == 0 {
        "La référence la place en premier".to_string()
    } else {
        format!(
            "La référence la place en position {} sur {}",
            at + 1,
            reference.len()
        )
    };
    wait_text(&ada, ".fq-worst-reference", &where_).await;
    wait_text(&ada, ".fq-result .fq-podium .fq-mine", "(votre équipe)").await;
    ada.execute(
        "document.querySelector('.fq-result').scrollIntoView({block: 'start'});",
        vec![],
    )
    .await
    .unwrap();
    screenshot(&ada, "fresque-phone-result").await;
    browser::audit(&ada, "a phone's result").await;

    // The console lists the cards most misplaced first, each with how many teams placed it
    // right and where the others put it.
    // (The cards of the packs never dealt, which no team placed, are only counted.)
    let expected: Vec<String> = revealed["cards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["teams"] != 0)
        .map(|c| c["card"].as_str().unwrap().to_string())
        .collect();
    let listed = wait_cards(&laptop, ".fq-cards-debrief", |c| c.len() == expected.len()).await;
    assert_eq!(listed, expected);
    wait_text(
        &laptop,
        ".fq-cards-unplaced",
        "15 cartes qu'aucune équipe n'a posées",
    )
    .await;
    let wrong_teams: Vec<u64> = revealed["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["teams"].as_u64().unwrap() - c["right"].as_u64().unwrap())
        .collect();
    assert!(
        wrong_teams.windows(2).all(|w| w[0] >= w[1]),
        "{wrong_teams:?}"
    );
    let top = wait_text(&laptop, ".fq-cards-debrief li:first-child", "/3").await;
    assert!(top.contains("par l'Équipe"), "{top}");
    // A card chosen there is the debrief's card on the projector, with its count.
    click(&laptop, ".fq-cards-debrief li:first-child .fq-card-show").await;
    wait_text(&projector, ".fq-debrief .fq-right-count", "/3").await;
    wait_text(&laptop, ".fq-cards-debrief li.fq-current", "/3").await;
    laptop
        .execute(
            "document.querySelector('.fq-cards-debrief-box').scrollIntoView({block: 'start'});",
            vec![],
        )
        .await
        .unwrap();
    screenshot(&laptop, "fresque-console-debrief").await;
    screenshot(&projector, "fresque-screen-debrief-card").await;
    let (size, at) = smallest_text(&projector, ".fq-debrief").await;
    assert!(size >= 28.0, "projector text at {size} px: {at}");

    for browser in [laptop, projector, ada] {
        browser.close().await.unwrap();
    }
}
