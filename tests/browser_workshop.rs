//! Issue 17: a whole workshop as one acceptance test. "Sensibilisation aux Open Badges", in
//! French, played as people play it: a facilitator's laptop (1366×768, signed in), the
//! projector, and eight phones: three real Chromium phones (360×640), one of them Dutch (its
//! owner picks "NL" on the join page), and five scripted WebSocket phones. Each step asserts
//! what the screens SHOW (counts, names, cards, scores, the badge), not only that they load:
//!
//! 1. the phones join: the projector and the console list the eight names;
//! 2. the bingo (definition mode) until a first line: the console chooses the definitions,
//!    every phone taps the right cell, the Dutch phone claims "Bingo!" and wins; the projector
//!    names the winner and the console the prize;
//! 3. the fresque with two teams: the console leaves the bingo under way (accepting its
//!    question), the phones place their cards, one phone dies and is marked away, the server
//!    is killed with SIGKILL and restarted on the same data and port; every phone comes back
//!    to its team's board and hand, the console to the teams and who is away; the reveal
//!    puts each team's score on the projector and on its phones;
//! 4. the badge desk, open to everyone: each phone receives its badge, in its name;
//! 5. the feedback form, answered on the phones, is in the organiser's CSV export;
//! 6. the Dutch phone shows Dutch all along, every other screen French.
//!
//! The server is the real binary, one process from start to end (killed once): a SIGKILL
//! needs a process of its own, and its default away delay (20 s) is waited for once, while the
//! other phones keep placing their cards. The fresque console is being rewritten: its staff
//! actions (forming teams, dealing, revealing) go over a staff WebSocket, exactly as its
//! buttons send them, and what it shows is read by visible text only, never by its classes.

mod common;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::ADMIN_TOKEN;
use common::browser::{
    self, Driver, PAGE_WAIT, click, dialog_text, screenshot, sign_in, wait_visible,
};
use fantoccini::{Client, Locator};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

const PASSWORD: &str = "a long enough password";
/// A debug build signs badges and restarts slowly on two shared cores: the longest wait for
/// those (a failing step still fails, only later).
const SLOW_WAIT: Duration = Duration::from_secs(30);
/// The server marks a participant away after 20 s without a socket (`room::AWAY_AFTER`),
/// checked every second; the rest is slack for a loaded machine.
const AWAY_WAIT: Duration = Duration::from_secs(40);

// ---------------------------------------------------------------------------------------------
// The server: the real binary, on a data directory and an address that survive a SIGKILL.

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// `atelier serve` on `addr` (`127.0.0.1:0` the first time, then the same port again).
    async fn start(data: &Path, addr: &str) -> Server {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(server_log())
            .expect("server log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_atelier"))
            .args(["serve", "--addr", addr, "--admin-token", ADMIN_TOKEN])
            .arg("--data-dir")
            .arg(data)
            .env_remove("ATELIER_PUBLIC_URL")
            .env_remove("ATELIER_TRUSTED_PROXIES")
            .env_remove("ATELIER_ALLOW_HOSTS")
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .expect("the server starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = tokio::time::timeout(SLOW_WAIT, async {
            while let Some(line) = lines.next_line().await.expect("server stdout") {
                if let Some(rest) = line.strip_prefix("Atelier is listening on http://") {
                    return rest
                        .split_whitespace()
                        .next()
                        .unwrap()
                        .parse::<SocketAddr>()
                        .unwrap();
                }
            }
            panic!(
                "the server exited before listening (see {:?})",
                server_log()
            )
        })
        .await
        .expect("the server prints its address in time");
        // Keep draining stdout so that the server never blocks on it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Server { child, addr }
    }

    /// SIGKILL: no shutdown, no last write.
    async fn kill(mut self) {
        self.child.start_kill().expect("SIGKILL");
        self.child.wait().await.expect("the server is reaped");
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

fn server_log() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser_workshop-server.log")
}

// ---------------------------------------------------------------------------------------------
// Scripted phones: a WebSocket whose frames a reader task queues, so the phone answers the
// server's pings (a phone silent for 25 s is dropped) however long the test works elsewhere.

type Sink = SplitSink<WebSocketStream<MaybeTlsStream<TcpStream>>, Message>;

/// An open WebSocket: its sending half, and the frames its reader task received.
struct Socket {
    sink: Sink,
    frames: mpsc::UnboundedReceiver<Value>,
    reader: tokio::task::JoinHandle<()>,
}

impl Socket {
    /// Connects, says `hello`, and returns the welcome.
    async fn open(addr: SocketAddr, hello: Value) -> (Socket, Value) {
        let (ws, _) = tokio::time::timeout(common::WAIT, connect_async(format!("ws://{addr}/ws")))
            .await
            .expect("connect in time")
            .expect("connect");
        let (mut sink, mut stream) = ws.split();
        sink.send(Message::Text(hello.to_string().into()))
            .await
            .expect("hello");
        let (tx, mut frames) = mpsc::unbounded_channel::<Value>();
        let reader = tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                if let Message::Text(text) = message
                    && tx
                        .send(serde_json::from_str(&text).expect("JSON frame"))
                        .is_err()
                {
                    return;
                }
            }
        });
        let welcome: Value = tokio::time::timeout(common::WAIT, frames.recv())
            .await
            .expect("a welcome in time")
            .expect("a welcome");
        assert_eq!(
            welcome["type"], "welcome",
            "{hello} answered with {welcome}"
        );
        let socket = Socket {
            sink,
            frames,
            reader,
        };
        (socket, welcome)
    }
}

struct Scripted {
    name: &'static str,
    pid: u64,
    token: String,
    socket: Socket,
    /// The hand the server last sent (`fresque.hand`).
    hand: Vec<String>,
}

impl Scripted {
    async fn join(addr: SocketAddr, code: &str, name: &'static str) -> (Scripted, Value) {
        let (socket, welcome) =
            Socket::open(addr, json!({"type": "join", "code": code, "name": name})).await;
        let phone = Scripted {
            name,
            pid: welcome["you"]["pid"].as_u64().expect("pid"),
            token: welcome["token"].as_str().expect("token").to_string(),
            socket,
            hand: Vec::new(),
        };
        (phone, welcome)
    }

    /// Comes back with the stored token (after the restart); returns the welcome.
    async fn resume(&mut self, addr: SocketAddr) -> Value {
        let (socket, welcome) =
            Socket::open(addr, json!({"type": "resume", "token": self.token})).await;
        // (The old socket died with the server.)
        self.socket.reader.abort();
        self.socket = socket;
        welcome
    }

    async fn send(&mut self, frame: Value) {
        self.socket
            .sink
            .send(Message::Text(frame.to_string().into()))
            .await
            .expect("send");
    }

    /// Skips frames until one of `kind` satisfying `wanted` arrives.
    async fn expect_where(
        &mut self,
        kind: &str,
        within: Duration,
        wanted: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.socket.frames.recv())
                .await
                .unwrap_or_else(|_| panic!("{}: no {kind} in time", self.name))
                .unwrap_or_else(|| {
                    panic!("{}: connection closed while waiting for {kind}", self.name)
                });
            assert_ne!(frame["type"], "error", "{}: {frame}", self.name);
            if frame["type"] == "fresque.hand" {
                self.hand = strings(&frame["hand"]);
            }
            if frame["type"] == kind && wanted(&frame) {
                return frame;
            }
        }
    }

    async fn expect(&mut self, kind: &str) -> Value {
        self.expect_where(kind, common::WAIT, |_| true).await
    }

    /// The phone dies: its socket is dropped without a goodbye.
    fn drop_socket(self) {
        self.socket.reader.abort();
        drop(self.socket.sink);
    }
}

/// One staff action over a short-lived staff WebSocket (the facilitator's API token), sent as
/// the console's buttons send it. Returns the staff welcome (a snapshot of the session) and
/// the frames that followed the action, read until `done` is satisfied.
async fn staff(
    addr: SocketAddr,
    code: &str,
    token: &str,
    action: Option<Value>,
    done: impl Fn(&[Value]) -> bool,
) -> (Value, Vec<Value>) {
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (mut ws, _) = tokio::time::timeout(common::WAIT, connect_async(request))
        .await
        .expect("connect in time")
        .expect("connect");
    let text = |v: &Value| Message::Text(v.to_string().into());
    ws.send(text(&json!({"type": "staff", "code": code})))
        .await
        .unwrap();
    let welcome = read_frame(&mut ws).await;
    assert_eq!(welcome["type"], "welcome", "{welcome}");
    let mut frames = Vec::new();
    if let Some(action) = action {
        ws.send(text(&action)).await.unwrap();
        while !done(&frames) {
            let frame = read_frame(&mut ws).await;
            assert_ne!(frame["type"], "error", "{action} refused: {frame}");
            frames.push(frame);
        }
    }
    let _ = ws.close(None).await;
    (welcome, frames)
}

async fn read_frame(ws: &mut WebSocketStream<MaybeTlsStream<TcpStream>>) -> Value {
    loop {
        let frame = tokio::time::timeout(common::WAIT, ws.next())
            .await
            .expect("a staff frame in time")
            .expect("the staff connection stays open")
            .expect("a frame");
        if let Message::Text(text) = frame {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// The staff's view of the fresque teams right now.
async fn fresque_teams(addr: SocketAddr, code: &str, token: &str) -> Vec<Value> {
    let (welcome, _) = staff(addr, code, token, None, |_| true).await;
    welcome["fresque"]["teams"].as_array().unwrap().clone()
}

/// Deals the next pack; returns each member's hand size (`fresque.team`, reason "dealt").
async fn deal(addr: SocketAddr, code: &str, token: &str) -> (Vec<Value>, BTreeMap<u64, usize>) {
    let dealt = |f: &Value| f["type"] == "fresque.team" && f["reason"] == "dealt";
    let (_, frames) = staff(
        addr,
        code,
        token,
        Some(json!({"type": "fresque.deal"})),
        |frames| frames.iter().filter(|f| dealt(f)).count() == 2,
    )
    .await;
    let teams: Vec<Value> = frames.into_iter().filter(dealt).collect();
    let hands = teams
        .iter()
        .flat_map(|t| t["members"].as_array().unwrap().clone())
        .map(|m| {
            (
                m["id"].as_u64().unwrap(),
                m["hand"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    (teams, hands)
}

// ---------------------------------------------------------------------------------------------
// What a page shows. WebDriver has no "the page changed" event: these poll the DOM briefly
// (as `common::browser::wait_text` does) and fail with what the page showed last.

/// The text an element shows: its text if the browser renders it (soft hyphens and runs of
/// white space removed), else null.
const SHOWN: &str = r#"
    const shown = (e) => !!e && e.checkVisibility({ opacityProperty: true, visibilityProperty: true });
    const text = (e) => e.textContent.replace(/\u00ad/g, "").replace(/\s+/g, " ").trim();
"#;

/// Runs `script` (after `SHOWN`'s helpers) until `check` accepts its result; returns it.
async fn until(
    browser: &Client,
    within: Duration,
    what: &str,
    script: &str,
    args: Vec<Value>,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + within;
    let script = format!("{SHOWN}\n{script}");
    // Everything it showed meanwhile, for the failure's message.
    let mut seen: Vec<Value> = Vec::new();
    loop {
        let last = browser
            .execute(&script, args.clone())
            .await
            .unwrap_or_else(|e| panic!("{what}: script failed: {e}"));
        if check(&last) {
            return last;
        }
        if seen.last() != Some(&last) {
            seen.push(last);
        }
        if Instant::now() > deadline {
            let body = browser
                .execute("return document.body.innerText;", vec![])
                .await
                .unwrap_or_default();
            panic!(
                "{what}: never as expected; it showed, in turn: {}\npage text:\n{}",
                seen.iter()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", then "),
                body.as_str().unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until `css` shows exactly `text`.
async fn shows(browser: &Client, css: &str, text: &str) {
    shows_within(browser, css, text, PAGE_WAIT).await;
}

async fn shows_within(browser: &Client, css: &str, text: &str, within: Duration) {
    until(
        browser,
        within,
        &format!("{css} showing {text:?}"),
        "const e = document.querySelector(arguments[0]); return shown(e) ? text(e) : null;",
        vec![json!(css)],
        |v| v == text,
    )
    .await;
}

/// Waits until `css` shows a text containing `part`.
async fn shows_part(browser: &Client, css: &str, part: &str) {
    shows_part_within(browser, css, part, PAGE_WAIT).await;
}

async fn shows_part_within(browser: &Client, css: &str, part: &str, within: Duration) {
    until(
        browser,
        within,
        &format!("{css} showing {part:?}"),
        "const e = document.querySelector(arguments[0]); return shown(e) ? text(e) : null;",
        vec![json!(css)],
        |v| v.as_str().is_some_and(|t| t.contains(part)),
    )
    .await;
}

/// Waits until the texts of every element `css` shows are `expected` (in any order).
async fn shows_all(browser: &Client, css: &str, expected: &[String]) {
    let mut want = expected.to_vec();
    want.sort();
    until(
        browser,
        PAGE_WAIT,
        &format!("{css} showing {want:?}"),
        "return [...document.querySelectorAll(arguments[0])].filter(shown).map(text).sort();",
        vec![json!(css)],
        |v| *v == json!(want),
    )
    .await;
}

/// Waits until some block shown inside `root` (the root itself, or any element in it)
/// shows every text of `all` and none of `none`: a team's card with its name, its members and
/// its score, whatever the markup.
async fn shows_block(browser: &Client, root: &str, all: &[&str], none: &[&str]) {
    until(
        browser,
        PAGE_WAIT,
        &format!("a block of {root} showing {all:?} without {none:?}"),
        r#"const [root, all, none] = arguments;
           const r = document.querySelector(root);
           if (!shown(r)) return false;
           return [r, ...r.querySelectorAll("*")].filter(shown).map(text)
             .some((t) => all.every((a) => t.includes(a)) && !none.some((n) => t.includes(n)));"#,
        vec![json!(root), json!(all), json!(none)],
        |v| *v == json!(true),
    )
    .await;
}

async fn js(browser: &Client, script: &str, args: Vec<Value>) -> Value {
    browser
        .execute(script, args)
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// The cards of a fresque list on a phone (`.fq-board`, `.fq-hand`), in order.
async fn cards(browser: &Client, list: &str) -> Vec<String> {
    let found = js(
        browser,
        "return [...document.querySelectorAll(`#activity-fresque ${arguments[0]} > li[data-card]`)].map((li) => li.dataset.card);",
        vec![json!(list)],
    )
    .await;
    serde_json::from_value(found).unwrap_or_default()
}

/// Waits until a fresque list shows exactly `expected`.
async fn shows_cards(browser: &Client, list: &str, expected: &[String], what: &str) {
    until(
        browser,
        PAGE_WAIT,
        &format!("{what}: {list} showing {expected:?}"),
        "return [...document.querySelectorAll(`#activity-fresque ${arguments[0]} > li[data-card]`)].filter(shown).map((li) => li.dataset.card);",
        vec![json!(list)],
        |v| *v == json!(expected),
    )
    .await;
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The browser phones and their language.

struct Phone {
    name: &'static str,
    dutch: bool,
    browser: Client,
    pid: u64,
}

impl Phone {
    /// The phone's words: French, or Dutch on the Dutch phone.
    fn say(&self, fr: &str, nl: &str) -> String {
        if self.dutch { nl } else { fr }.to_string()
    }

    /// Words of the other language never show on this phone (a missing translation, or a
    /// page that forgot the reader's choice).
    async fn speaks_only_its_language(&self, when: &str) {
        let foreign: &[&str] = if self.dutch {
            &[
                "Équipe",
                "Paquet",
                "Ma main",
                "Définition",
                "Bonne réponse",
                "Votre",
                "Vous",
                "Félicitations",
                "Merci",
            ]
        } else {
            &[
                "Team ",
                "Pak ",
                "Mijn hand",
                "Omschrijving",
                "Juist",
                "Jouw",
                "Je zit",
                "Proficiat",
                "Bedankt",
            ]
        };
        let text = js(&self.browser, "return document.body.innerText;", vec![]).await;
        let text = text.as_str().unwrap_or_default();
        let leaked: Vec<&&str> = foreign.iter().filter(|w| text.contains(**w)).collect();
        assert!(
            leaked.is_empty(),
            "{}'s phone ({}) shows {leaked:?} {when}:\n{text}",
            self.name,
            if self.dutch { "Dutch" } else { "French" }
        );
    }
}

/// A person opens the join link on a 360×640 phone, (on the Dutch phone, picks "NL" at the
/// foot of the page), types a name and enters.
async fn join_in_browser(
    driver: &Driver,
    server: &Server,
    code: &str,
    name: &'static str,
    dutch: bool,
) -> Phone {
    let browser = driver.phone_sized(360, 640, 100).await;
    browser
        .goto(&server.url(&format!("/j/{code}")))
        .await
        .unwrap();
    // The session's language, and the browser's: French.
    shows(&browser, "label[for=name]", "Votre prénom ou pseudo").await;
    shows(&browser, "#join-form button[type=submit]", "Entrer").await;
    if dutch {
        click(&browser, "nav.langs a[hreflang=nl]").await;
        shows(&browser, "label[for=name]", "Je voornaam of schuilnaam").await;
        shows(&browser, "#join-form button[type=submit]", "Binnengaan").await;
    }
    let phone = Phone {
        name,
        dutch,
        browser,
        pid: 0,
    };
    wait_visible(&phone.browser, "#name")
        .await
        .send_keys(name)
        .await
        .unwrap();
    click(&phone.browser, "#join-form button[type=submit]").await;
    shows(
        &phone.browser,
        "#hello",
        &phone.say(&format!("Bonjour {name} !"), &format!("Hallo {name}!")),
    )
    .await;
    shows(
        &phone.browser,
        "#phase-text",
        &phone.say(
            "Vous êtes dans l'atelier. L'animateur va bientôt commencer.",
            "Je bent in de workshop. De begeleider begint zo meteen.",
        ),
    )
    .await;
    phone
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
    shows_part(laptop, ".bc-kicker", &format!("Définition {step}")).await;
}

/// "Ma main : 3 cartes" / "Mijn hand: 3 kaarten".
fn hand_title(phone: &Phone, count: usize) -> String {
    match count {
        0 => phone.say("Ma main : vide", "Mijn hand: leeg"),
        1 => phone.say("Ma main : 1 carte", "Mijn hand: 1 kaart"),
        n => phone.say(
            &format!("Ma main : {n} cartes"),
            &format!("Mijn hand: {n} kaarten"),
        ),
    }
}

fn board_title(phone: &Phone, count: usize) -> String {
    match count {
        0 => phone.say(
            "Fresque de l'équipe : aucune carte",
            "Fresco van het team: geen kaarten",
        ),
        1 => phone.say(
            "Fresque de l'équipe : 1 carte",
            "Fresco van het team: 1 kaart",
        ),
        n => phone.say(
            &format!("Fresque de l'équipe : {n} cartes"),
            &format!("Fresco van het team: {n} kaarten"),
        ),
    }
}

fn placed_of(placed: usize, dealt: usize) -> String {
    if placed <= 1 {
        format!("{placed} carte posée sur {dealt}")
    } else {
        format!("{placed} cartes posées sur {dealt}")
    }
}

/// A browser phone places a card of its hand first on its team's timeline, the way without
/// dragging: tap the card, then "place first".
async fn place_first(phone: &Phone, card: &str) {
    click(
        &phone.browser,
        &format!(".fq-hand li[data-card='{card}'] .fq-face"),
    )
    .await;
    shows_part(
        &phone.browser,
        ".fq-actions .fq-first",
        &phone.say("premier", "eerst"),
    )
    .await;
    click(&phone.browser, ".fq-actions .fq-first").await;
    until(
        &phone.browser,
        PAGE_WAIT,
        &format!("{} places {card}", phone.name),
        "return [...document.querySelectorAll('#activity-fresque .fq-board > li[data-card]')].map((li) => li.dataset.card)[0] === arguments[0]
             && !document.querySelector(`#activity-fresque .fq-hand > li[data-card='${arguments[0]}']`);",
        vec![json!(card)],
        |v| *v == json!(true),
    )
    .await;
}

/// The browser phones in the team of `by` (but `by`'s own) highlight the card `by` just
/// placed, with `by`'s name (for 3.5 s: checked at once).
async fn teammates_see(
    phones: &[Phone],
    team_of: &impl Fn(u64) -> usize,
    by: u64,
    name: &str,
    card: &str,
) {
    for phone in phones {
        if phone.pid != by && team_of(phone.pid) == team_of(by) {
            shows_part(
                &phone.browser,
                &format!("#activity-fresque .fq-board li.fq-flash[data-card='{card}'] .fq-by"),
                name,
            )
            .await;
        }
    }
}

/// Waits until the page's connection banner (`#net`) is off the screen.
async fn banner_gone(browser: &Client, what: &str) {
    until(
        browser,
        PAGE_WAIT,
        &format!("{what}: the connection banner goes away"),
        "const e = document.getElementById('net'); return shown(e) ? text(e) : null;",
        vec![],
        Value::is_null,
    )
    .await;
}

/// Marks what a page shows of the fresque now, to tell it from what it shows after
/// reconnecting (a new welcome mounts the activity afresh).
async fn mark_fresque(browser: &Client) {
    js(
        browser,
        "document.querySelectorAll('#activity-fresque > *').forEach((e) => e.dataset.beforeKill = '1'); return true;",
        vec![],
    )
    .await;
}

/// Waits until the page shows its fresque mounted again from a new welcome.
async fn fresque_remounted(browser: &Client, what: &str) {
    until(
        browser,
        SLOW_WAIT,
        &format!("{what} reconnects and shows the fresque again"),
        "const c = document.querySelector('#activity-fresque');
         return !!c && c.children.length > 0 && ![...c.children].some((e) => e.dataset.beforeKill);",
        vec![],
        |v| *v == json!(true),
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// The workshop

#[tokio::test]
async fn a_whole_workshop_from_joining_to_the_feedback_export() {
    if !browser::available() {
        return;
    }
    let started = std::time::Instant::now();
    let step = |what: &str| eprintln!("{:6.1} s  {what}", started.elapsed().as_secs_f64());
    let _ = std::fs::remove_file(server_log());
    let data = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(data.path(), "127.0.0.1:0").await;
    let addr = server.addr;
    let http = reqwest::Client::new();

    // The facilitator's account, and her session: the bingo, then the fresque, in French.
    let created = http
        .post(server.url("/api/users"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"username": "claire", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let login: Value = http
        .post(server.url("/api/login"))
        .json(&json!({"username": "claire", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().unwrap().to_string();
    let response = http
        .post(server.url("/api/sessions"))
        .bearer_auth(&token)
        .json(
            &json!({"title": "Sensibilisation aux Open Badges", "lang": "fr",
                      "activities": ["bingo", "fresque"]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "session creation");
    let session: Value = response.json().await.unwrap();
    let code = session["code"].as_str().unwrap().to_string();
    let deck_id = session["deck"]
        .as_str()
        .unwrap_or("open-badges")
        .to_string();
    let mut decks = BTreeMap::new();
    for lang in ["fr", "nl"] {
        let deck: Value = http
            .get(server.url(&format!("/decks/{deck_id}/{lang}.json")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        decks.insert(lang, deck);
    }
    let term = |lang: &str, card: &str| {
        decks[lang]["cards"][card]["term"]
            .as_str()
            .unwrap()
            .to_string()
    };

    // ---- 1. Joining -----------------------------------------------------------------------
    step("joining");
    let driver = Driver::start().await;
    let laptop = driver.laptop().await;
    sign_in(&laptop, &server.url("/login"), "claire", PASSWORD).await;
    shows(&laptop, "h1", "Mes ateliers").await;
    laptop
        .goto(&server.url(&format!("/f/s/{code}")))
        .await
        .unwrap();
    shows(&laptop, "#join-code", &code).await;
    shows(&laptop, "#phase", "Accueil").await;
    let screen_href = wait_visible(&laptop, "#screen-link")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let projector = driver.desktop().await;
    projector.goto(&server.url(&screen_href)).await.unwrap();
    shows(&projector, ".join-panel .code", &code).await;

    // Eight people: three on real phones (Noor's in Dutch), five scripted.
    let mut phones = Vec::new();
    let mut scripted = Vec::new();
    let mut grids: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (name, browser, dutch) in [
        ("Ada", true, false),
        ("Chloé", false, false),
        ("Bruno", true, false),
        ("Dara", false, false),
        ("Noor", true, true),
        ("Eve", false, false),
        ("Farid", false, false),
        ("Gaspard", false, false),
    ] {
        if browser {
            phones.push(join_in_browser(&driver, &server, &code, name, dutch).await);
        } else {
            let (phone, welcome) = Scripted::join(addr, &code, name).await;
            grids.insert(name, strings(&welcome["bingo"]["grid"]));
            scripted.push(phone);
        }
    }
    let names = [
        "Ada", "Bruno", "Chloé", "Dara", "Eve", "Farid", "Gaspard", "Noor",
    ]
    .map(String::from);
    let (welcome, _) = staff(addr, &code, &token, None, |_| true).await;
    let pid_of: BTreeMap<String, u64> = welcome["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["pid"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(pid_of.keys().cloned().collect::<Vec<_>>(), names.to_vec());
    for phone in &mut phones {
        phone.pid = pid_of[phone.name];
    }
    let name_of = |pid: u64| pid_of.iter().find(|(_, p)| **p == pid).unwrap().0.clone();

    // The projector counts and names them; the console lists them, all connected.
    shows(&projector, "#count", "8 participants").await;
    shows_all(&projector, "#participants li", &names).await;
    shows(&laptop, "#count", "8").await;
    shows(&laptop, "#presence-summary", "8 connecté·es sur 8").await;
    shows_all(&laptop, "#participants li > span:first-child", &names).await;
    shows_all(
        &laptop,
        "#participants li.online > span:first-child",
        &names,
    )
    .await;
    screenshot(&projector, "workshop-1-projector-lobby").await;
    screenshot(&laptop, "workshop-1-console-lobby").await;
    screenshot(&phones[2].browser, "workshop-1-phone-nl-lobby").await;
    for phone in &phones {
        phone.speaks_only_its_language("in the lobby").await;
    }

    // ---- 2. The bingo, until a first line --------------------------------------------------
    step("bingo");
    click(&laptop, "#next-phase").await;
    shows(&laptop, "#phase", "Bingo des Open Badges").await;
    shows(&projector, ".bs-answers", "8 joueurs").await;
    for phone in &phones {
        shows(
            &phone.browser,
            ".bp-prompt-main",
            &phone.say("Le bingo va commencer.", "De bingo begint zo."),
        )
        .await;
    }
    for phone in &mut scripted {
        phone.expect("phase.changed").await;
    }
    // Each browser phone shows its own grid of the 25 terms, in its language.
    for phone in &mut phones {
        let cells = js(
            &phone.browser,
            "return [...document.querySelectorAll('#activity-bingo .bp-cell')].map((b) =>
               [b.dataset.card, b.querySelector('.bp-term').textContent.replace(/\\u00ad/g, '')]);",
            vec![],
        )
        .await;
        let cells: Vec<(String, String)> = serde_json::from_value(cells).unwrap();
        assert_eq!(cells.len(), 25, "{}'s grid", phone.name);
        let lang = if phone.dutch { "nl" } else { "fr" };
        for (card, shown) in &cells {
            assert_eq!(*shown, term(lang, card), "{}'s cell {card}", phone.name);
        }
        grids.insert(
            phone.name,
            cells.into_iter().map(|(card, _)| card).collect(),
        );
    }
    assert_ne!(
        grids["Noor"]
            .iter()
            .map(|c| term("nl", c))
            .collect::<Vec<_>>(),
        grids["Noor"]
            .iter()
            .map(|c| term("fr", c))
            .collect::<Vec<_>>(),
        "the Dutch terms differ from the French ones"
    );
    screenshot(&phones[2].browser, "workshop-2-phone-nl-grid").await;

    // The facilitator chooses the definitions of the first row of Noor's grid; everyone finds
    // each one (every grid holds the 25 terms).
    let line: Vec<String> = grids["Noor"][..5].to_vec();
    for (i, card) in line.iter().enumerate() {
        let step = i + 1;
        draw_from_console(&laptop, card, step).await;
        shows(&projector, ".bs-progress", &format!("Définition {step}/25")).await;
        for phone in &phones {
            shows(
                &phone.browser,
                ".bp-prompt-main",
                &phone.say(
                    &format!("Définition {step} : quel terme ?"),
                    &format!("Omschrijving {step}: welk begrip?"),
                ),
            )
            .await;
            click(&phone.browser, &format!(".bp-cell[data-card='{card}']")).await;
            wait_visible(
                &phone.browser,
                &format!(".bp-cell.marked[data-card='{card}']"),
            )
            .await;
            shows(
                &phone.browser,
                ".bp-prompt-main",
                &phone.say("Bonne réponse !", "Juist!"),
            )
            .await;
        }
        for phone in &mut scripted {
            assert!(
                grids[phone.name].contains(card),
                "{}'s grid has {card}",
                phone.name
            );
            phone.send(json!({"type": "bingo.tap", "card": card})).await;
            let tapped = phone.expect("bingo.tapped").await;
            assert_eq!(tapped["correct"], true, "{}: {tapped}", phone.name);
        }
        shows(&projector, ".bs-answers", "8/8 réponses").await;
        click(&laptop, "[data-action=reveal]").await;
        shows(&projector, ".bs-term", &term("fr", card)).await;
        shows_part(&projector, ".bs-rate", "8/8 l'ont trouvé · 100 %").await;
        for phone in &phones {
            shows(
                &phone.browser,
                ".bp-prompt-main",
                &phone.say(
                    &format!("C'était « {} » : trouvé !", term("fr", card)),
                    &format!("Het was ‘{}’: gevonden!", term("nl", card)),
                ),
            )
            .await;
        }
        if step == 1 {
            screenshot(&projector, "workshop-2-projector-reveal").await;
        }
    }

    // Noor's row is full: she cries "Bingo!" and wins the first line.
    let noor = &phones[2];
    wait_visible(&noor.browser, ".bp-claim.ready[aria-disabled=false]").await;
    shows(&noor.browser, ".bp-claim", "Bingo!").await;
    shows(
        &noor.browser,
        ".bp-claim-hint",
        "Rij vol! Druk op ‘Bingo!’ (Eerste rij).",
    )
    .await;
    click(&noor.browser, ".bp-claim").await;
    shows(
        &noor.browser,
        ".bp-claim-hint",
        "Bingo goedgekeurd! Je wint: Eerste rij.",
    )
    .await;
    shows(&projector, ".bs-banner", "Bingo ! Noor : Première ligne").await;
    shows_part(&projector, ".bs-prize[data-prize=first_line]", "Noor").await;
    shows(
        &laptop,
        ".bc-prizes li[data-prize=first_line]",
        "Première ligne Noor (tour 5)",
    )
    .await;
    shows_part(
        &phones[0].browser,
        ".bp-prizes",
        "Première ligne : 1 gagnant",
    )
    .await;
    screenshot(&projector, "workshop-2-projector-winner").await;
    screenshot(&laptop, "workshop-2-console-prize").await;
    screenshot(&noor.browser, "workshop-2-phone-nl-won").await;
    for phone in &phones {
        phone.speaks_only_its_language("in the bingo").await;
    }

    // ---- 3. The fresque, two teams ---------------------------------------------------------
    step("fresque");
    // Leaving the bingo under way asks first.
    click(&laptop, "#next-phase").await;
    assert_eq!(
        dialog_text(&laptop).await,
        "Terminer Bingo des Open Badges maintenant, en cours de partie ? Rien n’est perdu : \
         « Revenir à Bingo des Open Badges » dans ce panneau y retourne."
    );
    laptop.accept_alert().await.unwrap();
    shows(&laptop, "#phase", "Fresque de la reconnaissance").await;
    shows(
        &laptop,
        "#back-to-activity",
        "Revenir à Bingo des Open Badges",
    )
    .await;
    shows_part(
        &projector,
        "#activity-fresque",
        "Les équipes vont être formées.",
    )
    .await;
    for phone in &phones {
        shows(
            &phone.browser,
            "#activity-fresque .fq-waiting-text",
            &phone.say(
                "La fresque va commencer : l'animateur forme les équipes.",
                "Het fresco begint zo: de begeleider vormt de teams.",
            ),
        )
        .await;
    }
    for phone in &mut scripted {
        phone.expect("phase.changed").await;
    }

    // Two teams (over the staff socket: see the module's comment).
    let (_, frames) = staff(
        addr,
        &code,
        &token,
        Some(json!({"type": "fresque.form_teams", "count": 2})),
        |f| f.iter().any(|f| f["type"] == "fresque.roster"),
    )
    .await;
    let roster = frames.last().unwrap();
    let teams: Vec<Vec<u64>> = serde_json::from_value(roster["teams"].clone()).unwrap();
    assert_eq!(teams.len(), 2, "{roster}");
    assert!(
        teams.iter().all(|t| t.len() == 4),
        "two teams of four: {roster}"
    );
    let team_of = |pid: u64| teams.iter().position(|t| t.contains(&pid)).unwrap();
    let members = |team: usize| teams[team].iter().map(|&p| name_of(p)).collect::<Vec<_>>();
    for phone in &phones {
        let n = team_of(phone.pid) + 1;
        shows(
            &phone.browser,
            "#activity-fresque .fq-waiting-text",
            &phone.say(
                &format!("Vous êtes dans l'Équipe {n} (4 personnes). Le premier paquet de cartes arrive bientôt."),
                &format!("Je zit in Team {n} (4 personen). Het eerste pak kaarten komt er zo aan."),
            ),
        )
        .await;
    }
    for phone in &mut scripted {
        let team = phone.expect("fresque.team").await;
        assert_eq!(team["team"], team_of(phone.pid), "{}: {team}", phone.name);
    }
    // The console shows each team with its members.
    for team in 0..2 {
        let label = format!("Équipe {}", team + 1);
        let mine = members(team);
        let others = members(1 - team);
        let all: Vec<&str> = [label.as_str()]
            .into_iter()
            .chain(mine.iter().map(String::as_str))
            .collect();
        let none: Vec<&str> = others.iter().map(String::as_str).collect();
        shows_block(&laptop, "#activity-fresque", &all, &none).await;
    }
    shows_part(&projector, "#activity-fresque", "Équipe 2").await;
    screenshot(&laptop, "workshop-3-console-teams").await;

    // The first pack.
    let (_, hand_sizes) = deal(addr, &code, &token).await;
    for phone in &phones {
        let n = team_of(phone.pid) + 1;
        let size = hand_sizes[&phone.pid];
        assert!(size >= 2, "{}: {hand_sizes:?}", phone.name);
        shows_part(
            &phone.browser,
            ".fq-status",
            &phone.say(
                &format!("Équipe {n} · Paquet 1 sur 3"),
                &format!("Team {n} · Pak 1 van 3"),
            ),
        )
        .await;
        shows(&phone.browser, "#fq-hand-title", &hand_title(phone, size)).await;
        until(
            &phone.browser,
            PAGE_WAIT,
            &format!("{}'s hand", phone.name),
            "return document.querySelectorAll('#activity-fresque .fq-hand > li[data-card]').length;",
            vec![],
            |v| *v == json!(size),
        )
        .await;
    }
    for phone in &mut scripted {
        // (A dealt hand: not the echo of a card placed before.)
        let hand = phone
            .expect_where("fresque.hand", common::WAIT, |f| {
                f["received"].as_array().is_some_and(|r| !r.is_empty())
            })
            .await;
        assert_eq!(
            hand["hand"].as_array().unwrap().len(),
            hand_sizes[&phone.pid],
            "{}",
            phone.name
        );
    }
    screenshot(&phones[2].browser, "workshop-3-phone-nl-hand").await;

    // Eve places her cards, then her phone dies; the others place theirs meanwhile. (With an
    // empty hand: an away member's cards go to the team 60 s after, which would change the
    // teammates' hands at a moment this test does not choose.)
    let eve_at = scripted.iter().position(|p| p.name == "Eve").unwrap();
    for phone in &mut scripted {
        for card in phone.hand.clone() {
            phone
                .send(json!({"type": "fresque.place", "card": card, "after": null}))
                .await;
            let pid = phone.pid;
            phone
                .expect_where("fresque.board", common::WAIT, |f| {
                    f["by"] == pid && f["card"] == card.as_str()
                })
                .await;
            phone.hand.retain(|c| *c != card);
        }
    }
    let eve = scripted.remove(eve_at);
    let eve_pid = eve.pid;
    let eve_team = team_of(eve_pid);
    eve.drop_socket();
    let eve_left = Instant::now();
    for phone in &phones {
        for card in cards(&phone.browser, ".fq-hand").await {
            place_first(phone, &card).await;
        }
    }
    for phone in &phones {
        shows(&phone.browser, "#fq-board-title", &board_title(phone, 10)).await;
        shows(&phone.browser, "#fq-hand-title", &hand_title(phone, 0)).await;
    }
    for team in 0..2 {
        let label = format!("Équipe {}", team + 1);
        let other = format!("Équipe {}", 2 - team);
        shows_block(
            &projector,
            "#activity-fresque",
            &[&label, &placed_of(10, 10)],
            &[&other],
        )
        .await;
    }
    screenshot(&projector, "workshop-3-projector-boards").await;

    // 20 s without a socket: the console says Eve is away.
    shows_part_within(&laptop, "#participants li.away", "Eve", AWAY_WAIT).await;
    eprintln!(
        "Eve shown away {:.1} s after her phone died",
        eve_left.elapsed().as_secs_f64()
    );
    shows_part(&laptop, "#participants li.away", "absent·e depuis").await;
    shows(&laptop, "#presence-summary", "7 connecté·es sur 8").await;
    // Her team's panel on the console marks her away too (her hand is empty: no countdown).
    shows_part(&laptop, "#activity-fresque li.fq-member-away", "Eve").await;
    shows_part(&laptop, "#activity-fresque li.fq-member-away", "absent·e").await;

    // The second pack goes to those there: Eve gets nothing.
    let (dealt, hand_sizes) = deal(addr, &code, &token).await;
    assert_eq!(
        hand_sizes[&eve_pid], 0,
        "an away member is dealt nothing: {dealt:?}"
    );
    for t in &dealt {
        let in_hands: usize = t["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["hand"].as_u64().unwrap() as usize)
            .sum();
        assert_eq!(
            in_hands + 10,
            t["dealt"].as_u64().unwrap() as usize,
            "the whole pack in the hands of those there: {t}"
        );
    }
    for phone in &phones {
        let size = hand_sizes[&phone.pid];
        shows_part(
            &phone.browser,
            ".fq-status",
            &phone.say("Paquet 2 sur 3", "Pak 2 van 3"),
        )
        .await;
        shows(&phone.browser, "#fq-hand-title", &hand_title(phone, size)).await;
    }
    for phone in &mut scripted {
        // (A dealt hand: not the echo of a card placed before.)
        let hand = phone
            .expect_where("fresque.hand", common::WAIT, |f| {
                f["received"].as_array().is_some_and(|r| !r.is_empty())
            })
            .await;
        assert_eq!(
            hand["hand"].as_array().unwrap().len(),
            hand_sizes[&phone.pid],
            "{}",
            phone.name
        );
    }
    // Everyone places one card of it and keeps the rest in hand.
    for phone in &mut scripted {
        let card = phone.hand[0].clone();
        phone
            .send(json!({"type": "fresque.place", "card": card, "after": null}))
            .await;
        let pid = phone.pid;
        phone
            .expect_where("fresque.board", common::WAIT, |f| {
                f["by"] == pid && f["card"] == card.as_str()
            })
            .await;
        phone.hand.retain(|c| *c != card);
        // Teammates' phones highlight the card with who placed it, by name.
        teammates_see(&phones, &team_of, phone.pid, phone.name, &card).await;
    }
    for phone in &phones {
        let card = cards(&phone.browser, ".fq-hand").await[0].clone();
        place_first(phone, &card).await;
        teammates_see(&phones, &team_of, phone.pid, phone.name, &card).await;
    }

    // What everyone has before the crash: the server's teams, each phone's board and hand.
    let before = fresque_teams(addr, &code, &token).await;
    let mut shown_before = Vec::new();
    for phone in &phones {
        let team = team_of(phone.pid);
        let board = cards(&phone.browser, ".fq-board").await;
        let hand = cards(&phone.browser, ".fq-hand").await;
        assert_eq!(
            json!(board),
            before[team]["board"],
            "{}'s board",
            phone.name
        );
        let counted = before[team]["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == phone.pid)
            .unwrap()["hand"]
            .clone();
        assert_eq!(json!(hand.len()), counted, "{}'s hand", phone.name);
        assert!(!hand.is_empty(), "{} keeps cards in hand", phone.name);
        let status = js(
            &phone.browser,
            "return document.querySelector('#activity-fresque .fq-status').textContent;",
            vec![],
        )
        .await;
        shown_before.push((board, hand, status));
    }
    for phone in &scripted {
        let team = team_of(phone.pid);
        let counted = before[team]["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == phone.pid)
            .unwrap()["hand"]
            .clone();
        assert_eq!(json!(phone.hand.len()), counted, "{}'s hand", phone.name);
    }
    assert_eq!(
        before[eve_team]["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == eve_pid)
            .unwrap()["away"],
        true,
        "{before:?}"
    );
    screenshot(&phones[2].browser, "workshop-3-phone-nl-before-kill").await;
    screenshot(&laptop, "workshop-3-console-before-kill").await;

    // kill -9, then the same binary on the same data and port.
    for browser in phones
        .iter()
        .map(|p| &p.browser)
        .chain([&laptop, &projector])
    {
        mark_fresque(browser).await;
    }
    step("kill -9");
    server.kill().await;
    let down_at = Instant::now();
    for phone in &phones {
        shows(
            &phone.browser,
            "#net",
            &phone.say(
                "Connexion perdue… reconnexion en cours. Vos réponses sont conservées.",
                "Verbinding verbroken… we maken opnieuw verbinding. Je antwoorden blijven bewaard.",
            ),
        )
        .await;
    }
    for screen in [&laptop, &projector] {
        shows(
            screen,
            "#net",
            "Connexion perdue… reconnexion en cours. Vos réponses sont conservées.",
        )
        .await;
    }
    screenshot(&phones[2].browser, "workshop-3-phone-nl-offline").await;
    server = Server::start(data.path(), &addr.to_string()).await;
    assert_eq!(server.addr, addr);
    eprintln!("server down for {:.1} s", down_at.elapsed().as_secs_f64());

    // The scripted phones resume with their token: the same team, board and hand.
    for phone in &mut scripted {
        let welcome = phone.resume(addr).await;
        let team = team_of(phone.pid);
        assert_eq!(
            welcome["fresque"]["team"]["id"], team,
            "{}: {welcome}",
            phone.name
        );
        assert_eq!(
            welcome["fresque"]["team"]["board"], before[team]["board"],
            "{}'s board",
            phone.name
        );
        assert_eq!(
            strings(&welcome["fresque"]["hand"]),
            phone.hand,
            "{}'s hand",
            phone.name
        );
    }
    // The browser phones come back by themselves to the same screen.
    for (phone, (board, hand, status)) in phones.iter().zip(&shown_before) {
        fresque_remounted(&phone.browser, &format!("{}'s phone", phone.name)).await;
        shows_cards(&phone.browser, ".fq-board", board, phone.name).await;
        shows_cards(&phone.browser, ".fq-hand", hand, phone.name).await;
        shows(
            &phone.browser,
            ".fq-status",
            status.as_str().unwrap().trim(),
        )
        .await;
        shows(
            &phone.browser,
            "#fq-hand-title",
            &hand_title(phone, hand.len()),
        )
        .await;
        shows(
            &phone.browser,
            "#fq-board-title",
            &board_title(phone, board.len()),
        )
        .await;
    }
    screenshot(&phones[2].browser, "workshop-3-phone-nl-after-restart").await;
    // "Connexion rétablie." shows for a moment, then leaves the screen to the game.
    for phone in &phones {
        banner_gone(&phone.browser, phone.name).await;
    }
    banner_gone(&laptop, "the console").await;
    banner_gone(&projector, "the projector").await;
    // The server kept everything.
    assert_eq!(
        fresque_teams(addr, &code, &token).await,
        before,
        "the teams after the restart"
    );
    // The console: the teams with their members, Eve away, the others connected.
    fresque_remounted(&laptop, "the console").await;
    shows(&laptop, "#presence-summary", "7 connecté·es sur 8").await;
    shows_part(&laptop, "#participants li.away", "Eve").await;
    let present: Vec<String> = names.iter().filter(|n| *n != "Eve").cloned().collect();
    shows_all(
        &laptop,
        "#participants li.online > span:first-child",
        &present,
    )
    .await;
    for team in 0..2 {
        let label = format!("Équipe {}", team + 1);
        let mine = members(team);
        let others = members(1 - team);
        let all: Vec<&str> = [label.as_str()]
            .into_iter()
            .chain(mine.iter().map(String::as_str))
            .collect();
        let none: Vec<&str> = others.iter().map(String::as_str).collect();
        shows_block(&laptop, "#activity-fresque", &all, &none).await;
    }
    screenshot(&laptop, "workshop-3-console-after-restart").await;
    // The projector: both boards as they were.
    fresque_remounted(&projector, "the projector").await;
    for (team, kept) in before.iter().enumerate() {
        let label = format!("Équipe {}", team + 1);
        let other = format!("Équipe {}", 2 - team);
        let placed = placed_of(
            kept["board"].as_array().unwrap().len(),
            kept["dealt"].as_u64().unwrap() as usize,
        );
        shows_block(
            &projector,
            "#activity-fresque",
            &[&label, &placed],
            &[&other],
        )
        .await;
    }

    step("reveal");
    // The reveal: each team's score on the projector and on its phones.
    let (_, frames) = staff(
        addr,
        &code,
        &token,
        Some(json!({"type": "fresque.reveal"})),
        |f| f.iter().any(|f| f["type"] == "fresque.revealed"),
    )
    .await;
    let results = frames.last().unwrap()["results"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(results.len(), 2);
    // The score line as the page words it (the Fluent message of each language).
    let tr = atelier::i18n::I18n::load().expect("messages");
    let score = |team: usize, dutch: bool| {
        let s = &results.iter().find(|r| r["team"] == team).unwrap()["score"];
        assert!(s["percent"].is_u64(), "a score: {s}");
        let lang = if dutch {
            atelier::deck::Lang::Nl
        } else {
            atelier::deck::Lang::Fr
        };
        let (percent, agreeing, pairs) = (
            s["percent"].to_string(),
            s["agreeing"].to_string(),
            s["pairs"].to_string(),
        );
        tr.tr_args(
            lang,
            "fresque-score",
            &[
                ("percent", &percent),
                ("agreeing", &agreeing),
                ("pairs", &pairs),
            ],
        )
    };
    for team in 0..2 {
        let label = format!("Équipe {}", team + 1);
        let other = format!("Équipe {}", 2 - team);
        shows_block(
            &projector,
            "#activity-fresque",
            &[&label, &score(team, false)],
            &[&other],
        )
        .await;
    }
    for phone in &phones {
        shows(
            &phone.browser,
            ".fq-result h2",
            &phone.say("Résultat", "Resultaat"),
        )
        .await;
        shows(
            &phone.browser,
            ".fq-score",
            &score(team_of(phone.pid), phone.dutch),
        )
        .await;
    }
    screenshot(&projector, "workshop-3-projector-scores").await;
    screenshot(&phones[2].browser, "workshop-3-phone-nl-score").await;
    for phone in &phones {
        phone.speaks_only_its_language("in the fresque").await;
    }

    // ---- 4. Badges, the desk open to everyone ----------------------------------------------
    step("badges");
    click(&laptop, "#next-phase").await;
    shows(&laptop, "#phase", "Badges").await;
    for phone in &phones {
        shows(
            &phone.browser,
            ".badge-desk .status",
            &phone.say(
                "L'animateur ouvrira bientôt la délivrance des badges.",
                "De begeleider opent zo dadelijk de uitreiking van de badges.",
            ),
        )
        .await;
    }
    shows(&projector, ".badge-screen .big", "Les badges arrivent…").await;
    wait_visible(&laptop, "#badge-mode")
        .await
        .select_by_value("automatic")
        .await
        .unwrap();
    click(&laptop, ".open-desk button[type=submit]").await;
    shows_part(
        &laptop,
        ".badge-console",
        "Ouverte : Délivrance automatique",
    )
    .await;
    shows(
        &projector,
        ".badge-screen .big",
        "Recevez votre Open Badge sur votre téléphone !",
    )
    .await;
    for phone in &mut scripted {
        phone
            .send(json!({"type": "badge.request", "name": phone.name, "lang": "fr"}))
            .await;
    }
    for phone in &phones {
        shows(
            &phone.browser,
            ".badge-desk h2",
            &phone.say("Votre Open Badge", "Jouw Open Badge"),
        )
        .await;
        shows(
            &phone.browser,
            "label[for=badge-name]",
            &phone.say("Nom à inscrire sur le badge", "Naam op de badge"),
        )
        .await;
        let field = wait_visible(&phone.browser, "#badge-name").await;
        assert_eq!(
            field.prop("value").await.unwrap().as_deref(),
            Some(phone.name),
            "the name is filled in"
        );
        shows(
            &phone.browser,
            ".badge-form button[type=submit]",
            &phone.say("Recevoir mon badge", "Mijn badge ontvangen"),
        )
        .await;
        click(&phone.browser, ".badge-form button[type=submit]").await;
    }
    for phone in &phones {
        let name = phone.name;
        shows_within(
            &phone.browser,
            ".badge-card .big",
            &phone.say(
                &format!("Félicitations {name} ! Ce badge signé vous appartient."),
                &format!("Proficiat {name}! Deze ondertekende badge is van jou."),
            ),
            SLOW_WAIT,
        )
        .await;
    }
    for phone in &mut scripted {
        let ready = phone.expect_where("badge.ready", SLOW_WAIT, |_| true).await;
        assert!(ready["links"]["png"].is_string(), "{}: {ready}", phone.name);
    }
    shows(&projector, ".badge-screen .count", "7 badges délivrés").await;
    shows_part(&laptop, ".badge-console", "7 badges délivrés").await;
    screenshot(&phones[2].browser, "workshop-4-phone-nl-badge").await;
    screenshot(&projector, "workshop-4-projector-badges").await;
    screenshot(&laptop, "workshop-4-console-badges").await;
    for phone in &phones {
        phone.speaks_only_its_language("with the badge").await;
    }
    // The PNG Ada downloads verifies, in her name.
    let png = wait_visible(
        &phones[0].browser,
        ".badge-card a[download='open-badge.png']",
    )
    .await
    .attr("href")
    .await
    .unwrap()
    .unwrap();
    let png = http
        .get(server.url(&png))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let report: Value = http
        .post(server.url("/api/verify"))
        .body(png.to_vec())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["valid"], true, "{report}");
    assert!(
        report.to_string().contains("Ada"),
        "the badge names Ada: {report}"
    );
    // Noor's badge page, in Dutch, in her name; then back to the workshop.
    let noor = &phones[2];
    let page = wait_visible(&noor.browser, ".badge-card > p.hint > a")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    noor.browser.goto(&server.url(&page)).await.unwrap();
    shows(
        &noor.browser,
        ".badge-card .big",
        "Proficiat Noor! Deze ondertekende badge is van jou.",
    )
    .await;
    assert_eq!(
        js(
            &noor.browser,
            "return document.documentElement.lang;",
            vec![]
        )
        .await,
        "nl"
    );
    screenshot(&noor.browser, "workshop-4-badge-page-nl").await;
    noor.browser
        .goto(&server.url(&format!("/j/{code}")))
        .await
        .unwrap();
    shows(
        &noor.browser,
        ".badge-card .big",
        "Proficiat Noor! Deze ondertekende badge is van jou.",
    )
    .await;

    // ---- 5. Feedback -----------------------------------------------------------------------
    step("feedback");
    click(&laptop, "#next-phase").await;
    shows(&laptop, "#phase", "Votre avis").await;
    let given = [
        ("Ada", 5, 5, 4, "Très concret, merci !"),
        ("Bruno", 4, 3, 5, "La fresque, surtout"),
        ("Noor", 5, 4, 5, "Heel leerrijk, bedankt"),
    ];
    for (phone, (name, overall, bingo, fresque, comment)) in phones.iter().zip(given) {
        assert_eq!(phone.name, name);
        let b = &phone.browser;
        shows(b, ".fb-form h2", &phone.say("Votre avis", "Jouw mening")).await;
        click(
            b,
            &format!(".fb-rating[data-name=overall] label.r{overall}"),
        )
        .await;
        click(
            b,
            &format!(".fb-rating[data-name=rating-bingo] label.r{bingo}"),
        )
        .await;
        click(
            b,
            &format!(".fb-rating[data-name=rating-fresque] label.r{fresque}"),
        )
        .await;
        wait_visible(b, ".fb-form textarea[name=comment]")
            .await
            .send_keys(comment)
            .await
            .unwrap();
        shows(
            b,
            ".fb-send",
            &phone.say("Envoyer mon avis", "Mijn mening versturen"),
        )
        .await;
        click(b, ".fb-send").await;
        shows(b, ".fb-thanks h2", &phone.say("Merci !", "Bedankt!")).await;
    }
    screenshot(&phones[2].browser, "workshop-5-phone-nl-thanks").await;
    let scripted_given = [
        (4, Some(4), None, ""),
        (3, None, Some(2), "Un peu long"),
        (5, Some(5), Some(5), "Top"),
        (2, Some(2), Some(3), "=trop rapide"),
    ];
    let mut expected = Vec::new();
    for (phone, (overall, bingo, fresque, comment)) in scripted.iter().zip(scripted_given) {
        let mut activities = serde_json::Map::new();
        if let Some(v) = bingo {
            activities.insert("bingo".into(), json!(v));
        }
        if let Some(v) = fresque {
            activities.insert("fresque".into(), json!(v));
        }
        let mut body = json!({"token": phone.token, "overall": overall, "activities": activities, "lang": "fr"});
        if !comment.is_empty() {
            body["comment"] = json!(comment);
        }
        let response = http
            .post(server.url("/api/feedback"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201, "{}'s feedback", phone.name);
        let opt = |v: Option<u8>| v.map(|v| v.to_string()).unwrap_or_default();
        let cell = if comment.starts_with('=') {
            format!("'{comment}")
        } else {
            comment.to_string()
        };
        expected.push(vec![
            "fr".to_string(),
            overall.to_string(),
            opt(bingo),
            opt(fresque),
            cell,
        ]);
    }
    for (phone, (_, overall, bingo, fresque, comment)) in phones.iter().zip(given) {
        let lang = if phone.dutch { "nl" } else { "fr" };
        expected.push(vec![
            lang.to_string(),
            overall.to_string(),
            bingo.to_string(),
            fresque.to_string(),
            comment.to_string(),
        ]);
    }
    // Seven answers (Eve is away): the projector and the console count them and average the
    // overall ratings (5, 4, 5, 4, 3, 5, 2: 4.0); the facilitator puts the comments on the
    // projector.
    for screen in [&projector, &laptop] {
        shows(screen, ".fb-stat-count", "7 avis").await;
        shows(screen, ".fb-stat-average", "Note moyenne : 4,0 / 5").await;
    }
    click(&laptop, ".fb-toggle").await;
    let comments: Vec<String> = given
        .iter()
        .map(|g| g.4)
        .chain(scripted_given.iter().map(|g| g.3))
        .filter(|c| !c.is_empty())
        .map(String::from)
        .collect();
    shows_all(&projector, ".fb-comments li", &comments).await;
    screenshot(&projector, "workshop-5-projector-feedback").await;
    // The organiser's CSV export holds every answer, and no name.
    let response = http
        .get(server.url(&format!("/api/feedback.csv?session={code}")))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let bytes = response.bytes().await.unwrap();
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a BOM")).unwrap();
    assert!(
        text.starts_with("session,date,lang,overall,bingo,fresque,comment\r\n"),
        "{text}"
    );
    let today = atelier::store::feedback::today();
    let mut rows: Vec<Vec<String>> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    for row in &mut rows {
        assert_eq!(row[0], code, "{row:?}");
        assert_eq!(row[1], today, "{row:?}");
        row.drain(..2);
    }
    rows.sort();
    expected.sort();
    assert_eq!(rows, expected, "the CSV export:\n{text}");
    for name in &names {
        assert!(
            !text.contains(name.as_str()),
            "the export names {name}:\n{text}"
        );
    }

    for phone in phones {
        phone.browser.close().await.unwrap();
    }
    laptop.close().await.unwrap();
    projector.close().await.unwrap();
    for phone in scripted {
        phone.drop_socket();
    }
    server.kill().await;
    eprintln!(
        "the whole workshop took {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
