//! Disconnect storm: 1,000 random disconnect/resume cycles of phones during a bingo, while a
//! stalled console (never reads) and a slow console are connected. Every client ends with the
//! server's state (the state it tracked from its welcome and events equals a fresh welcome),
//! the healthy console receives every event, and the stalled client is dropped (close 4000, or
//! the write timeout when its socket filled first)
//! within a bounded number of frames.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{ADMIN_TOKEN, TestServer};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, client_async, connect_async};

const PHONES: usize = 20;
const CYCLES: usize = 1_000;
/// Definitions drawn during the storm (one more after it); the last card is never drawn. The
/// facilitator's commands stay within the burst the server's rate limit allows (30 frames).
const STORM_DRAWS: usize = 12;
const WRONG_CARD: usize = 24;
const WAIT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------------------------
// What a client tracks from its welcome and the events after it.

#[derive(Debug, Default, Clone)]
struct PhoneModel {
    welcome_seq: Option<u64>,
    max_seq: u64,
    grid: Vec<String>,
    phase: Value,
    step: u64,
    marked: BTreeSet<u64>,
    missed: BTreeSet<u64>,
    drawn: Vec<String>,
    current: Value,
    lines: u64,
    /// Steps of the `bingo.drawn` events received (the observer checks none is missing).
    drawn_steps: Vec<u64>,
}

impl PhoneModel {
    fn apply(&mut self, frame: &Value) {
        let kind = frame["type"].as_str().unwrap_or_default();
        if kind == "welcome" {
            let bingo = &frame["bingo"];
            let cells = |v: &Value| -> BTreeSet<u64> {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.as_u64().unwrap())
                    .collect()
            };
            let seq = frame["seq"].as_u64().unwrap();
            *self = PhoneModel {
                welcome_seq: Some(seq),
                max_seq: seq,
                grid: strings(&bingo["grid"]),
                phase: frame["session"]["phase"].clone(),
                step: bingo["step"].as_u64().unwrap(),
                marked: cells(&bingo["marked"]),
                missed: cells(&bingo["missed"]),
                drawn: strings(&bingo["drawn"]),
                current: bingo["current"].clone(),
                lines: bingo["lines"].as_u64().unwrap(),
                drawn_steps: std::mem::take(&mut self.drawn_steps),
            };
            return;
        }
        let Some(welcome_seq) = self.welcome_seq else {
            return; // before the welcome: already in it
        };
        if let Some(seq) = frame["seq"].as_u64() {
            if seq <= welcome_seq {
                return;
            }
            self.max_seq = self.max_seq.max(seq);
        }
        match kind {
            "phase.changed" => self.phase = frame["phase"].clone(),
            "bingo.drawn" => {
                self.step = frame["step"].as_u64().unwrap();
                self.drawn_steps.push(self.step);
                self.current = json!({"step": self.step, "revealed": false, "card": null,
                                      "answered": false, "correct": null});
                // The round's clock time, stamped by the server.
                if frame["at"].is_u64() {
                    self.current["at"] = frame["at"].clone();
                }
            }
            "bingo.tapped" => {
                self.current["answered"] = json!(true);
                self.current["correct"] = frame["correct"].clone();
                if frame["correct"] == true {
                    self.marked.insert(frame["cell"].as_u64().unwrap());
                }
                self.lines = frame["lines"].as_u64().unwrap();
            }
            "bingo.revealed" => {
                let card = frame["card"].as_str().unwrap().to_string();
                self.current["revealed"] = json!(true);
                self.current["card"] = json!(card);
                if let Some(cell) = self.grid.iter().position(|c| *c == card)
                    && !self.marked.contains(&(cell as u64))
                {
                    self.missed.insert(cell as u64);
                }
                self.drawn.push(card);
            }
            _ => {}
        }
    }

    fn view(&self) -> Value {
        json!({"phase": self.phase, "step": self.step, "marked": self.marked, "missed": self.missed,
               "drawn": self.drawn, "current": self.current, "lines": self.lines})
    }
}

#[derive(Debug, Default, Clone)]
struct StaffModel {
    welcome_seq: Option<u64>,
    participants: BTreeMap<u64, String>,
    online: BTreeSet<u64>,
    step: u64,
    drawn: Vec<String>,
    current: Value,
    rounds: usize,
    /// Sequence numbers of the events received after the welcome.
    seqs: BTreeSet<u64>,
    frames: usize,
}

impl StaffModel {
    fn apply(&mut self, frame: &Value) {
        self.frames += 1;
        let kind = frame["type"].as_str().unwrap_or_default();
        if kind == "welcome" {
            let bingo = &frame["bingo"];
            let current = &bingo["current"];
            *self = StaffModel {
                welcome_seq: frame["seq"].as_u64(),
                participants: frame["participants"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        (
                            p["pid"].as_u64().unwrap(),
                            p["name"].as_str().unwrap().to_string(),
                        )
                    })
                    .collect(),
                online: frame["online"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_u64().unwrap())
                    .collect(),
                step: bingo["step"].as_u64().unwrap(),
                drawn: strings(&bingo["drawn"]),
                current: if current.is_null() {
                    Value::Null
                } else {
                    json!({"step": current["step"], "card": current["card"],
                           "revealed": current["revealed"], "answered": current["answered"]})
                },
                rounds: bingo["rounds"].as_array().unwrap().len(),
                seqs: BTreeSet::new(),
                frames: self.frames,
            };
            return;
        }
        let Some(welcome_seq) = self.welcome_seq else {
            return;
        };
        if let Some(seq) = frame["seq"].as_u64() {
            if seq <= welcome_seq {
                return;
            }
            self.seqs.insert(seq);
        }
        match kind {
            "participant.joined" => {
                self.participants.insert(
                    frame["pid"].as_u64().unwrap(),
                    frame["name"].as_str().unwrap().to_string(),
                );
            }
            "presence" => {
                let pid = frame["pid"].as_u64().unwrap();
                if frame["online"] == true {
                    self.online.insert(pid);
                } else {
                    self.online.remove(&pid);
                }
            }
            "bingo.definition" => {
                let card = frame["card"].as_str().unwrap().to_string();
                self.step = frame["step"].as_u64().unwrap();
                self.current =
                    json!({"step": self.step, "card": card, "revealed": false, "answered": 0});
                self.drawn.push(card);
            }
            "bingo.answers" => self.current["answered"] = frame["answered"].clone(),
            "bingo.revealed" => {
                self.current["revealed"] = json!(true);
                self.rounds += 1;
            }
            _ => {}
        }
    }

    fn view(&self) -> Value {
        json!({"participants": self.participants, "online": self.online, "step": self.step,
               "drawn": self.drawn, "current": self.current, "rounds": self.rounds})
    }
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Connections: a reader task applies every frame to the model and queues it for waiters.

enum Model {
    Phone(PhoneModel),
    Staff(StaffModel),
}

type Sink = SplitSink<WebSocketStream<MaybeTlsStream<TcpStream>>, Message>;

struct Conn {
    sink: Sink,
    frames: mpsc::UnboundedReceiver<Value>,
    model: Arc<Mutex<Model>>,
    /// The close code, once the server closed the connection.
    closed: watch::Receiver<Option<u16>>,
    reader: JoinHandle<()>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        // Drops the socket at once (no close frame): an abrupt disconnection.
        self.reader.abort();
    }
}

impl Conn {
    async fn open(addr: SocketAddr, staff: bool, model: Model, delay: Option<Duration>) -> Conn {
        let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
        if staff {
            request.headers_mut().insert(
                "authorization",
                format!("Bearer {ADMIN_TOKEN}").parse().unwrap(),
            );
        }
        let ws = if delay.is_some() {
            // A slow client also has a small window, so that it really falls behind.
            let stream = small_window(addr).await;
            client_async(request, MaybeTlsStream::Plain(stream))
                .await
                .expect("connect")
                .0
        } else {
            tokio::time::timeout(WAIT, connect_async(request))
                .await
                .expect("connect in time")
                .expect("connect")
                .0
        };
        let (sink, mut stream) = ws.split();
        let (tx, frames) = mpsc::unbounded_channel();
        let (close_tx, closed) = watch::channel(None);
        let model = Arc::new(Mutex::new(model));
        let tracked = Arc::clone(&model);
        let reader = tokio::spawn(async move {
            let mut code = 1006;
            while let Some(Ok(message)) = stream.next().await {
                match message {
                    Message::Text(text) => {
                        let frame: Value = serde_json::from_str(&text).expect("JSON frame");
                        match &mut *tracked.lock().unwrap() {
                            Model::Phone(m) => m.apply(&frame),
                            Model::Staff(m) => m.apply(&frame),
                        }
                        let _ = tx.send(frame);
                        if let Some(delay) = delay {
                            // A slow client: it takes its time with every frame.
                            tokio::time::sleep(delay).await;
                        }
                    }
                    Message::Close(frame) => {
                        code = frame.map_or(1005, |f| u16::from(f.code));
                        break;
                    }
                    _ => {}
                }
            }
            let _ = close_tx.send(Some(code));
        });
        Conn {
            sink,
            frames,
            model,
            closed,
            reader,
        }
    }

    async fn send(&mut self, value: Value) {
        let _ = self
            .sink
            .send(Message::Text(value.to_string().into()))
            .await;
    }

    /// The next frame of type `kind` satisfying `wanted`.
    async fn expect(&mut self, kind: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        loop {
            let frame = tokio::time::timeout(WAIT, self.frames.recv())
                .await
                .unwrap_or_else(|_| panic!("no {kind} in time"))
                .unwrap_or_else(|| panic!("closed while waiting for {kind}"));
            assert_ne!(frame["type"], "error", "waiting for {kind}: {frame}");
            if frame["type"] == kind && wanted(&frame) {
                return frame;
            }
        }
    }

    fn phone(&self) -> PhoneModel {
        match &*self.model.lock().unwrap() {
            Model::Phone(m) => m.clone(),
            Model::Staff(_) => unreachable!(),
        }
    }

    fn staff(&self) -> StaffModel {
        match &*self.model.lock().unwrap() {
            Model::Staff(m) => m.clone(),
            Model::Phone(_) => unreachable!(),
        }
    }
}

async fn staff_conn(addr: SocketAddr, code: &str, delay: Option<Duration>) -> (Conn, Value) {
    let mut conn = Conn::open(addr, true, Model::Staff(StaffModel::default()), delay).await;
    conn.send(json!({"type": "staff", "code": code})).await;
    let welcome = conn.expect("welcome", |_| true).await;
    (conn, welcome)
}

async fn phone_conn(addr: SocketAddr, token: &str) -> (Conn, Value) {
    let mut conn = Conn::open(addr, false, Model::Phone(PhoneModel::default()), None).await;
    conn.send(json!({"type": "resume", "token": token})).await;
    let welcome = conn.expect("welcome", |_| true).await;
    (conn, welcome)
}

// ---------------------------------------------------------------------------------------------

struct Shared {
    addr: SocketAddr,
    deck: Vec<String>,
    cycles: AtomicUsize,
    progress: watch::Sender<usize>,
    /// The open definition: (step, card).
    open: watch::Receiver<Option<(u64, String)>>,
}

/// One phone's part of the storm: connect, resume, maybe tap, read a little, disconnect.
async fn storm_phone(shared: Arc<Shared>, token: String, seed: u64) -> BTreeSet<u64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut max_seq = 0;
    let mut marks = BTreeSet::new();
    loop {
        let cycle = shared.cycles.fetch_add(1, Ordering::SeqCst);
        if cycle >= CYCLES {
            return marks;
        }
        if rng.random_range(0..10) == 0 {
            // Gone before the welcome even arrives.
            let mut conn = Conn::open(
                shared.addr,
                false,
                Model::Phone(PhoneModel::default()),
                None,
            )
            .await;
            conn.send(json!({"type": "resume", "token": token})).await;
        } else {
            let (mut conn, welcome) = phone_conn(shared.addr, &token).await;
            let model = conn.phone();
            // Nothing the phone was told before is missing from its new snapshot.
            let seq = welcome["seq"].as_u64().unwrap();
            assert!(seq >= max_seq, "resumed at {seq} after seeing {max_seq}");
            assert!(
                model.marked.is_superset(&marks),
                "marks lost: {marks:?} → {:?}",
                model.marked
            );
            let open = shared.open.borrow().clone();
            if let Some((step, card)) = open
                && model.current["step"] == step
                && model.current["answered"] == false
                && model.current["revealed"] == false
                && rng.random_range(0..2) == 0
            {
                let card = if rng.random_range(0..4) == 0 {
                    &shared.deck[WRONG_CARD]
                } else {
                    &card
                };
                conn.send(json!({"type": "bingo.tap", "card": card})).await;
            }
            // Stay for a few frames or a few milliseconds (whichever comes first).
            let frames = rng.random_range(0..4);
            let stay = Duration::from_millis(rng.random_range(0..15));
            let _ = tokio::time::timeout(stay, async {
                for _ in 0..frames {
                    if conn.frames.recv().await.is_none() {
                        break;
                    }
                }
            })
            .await;
            let model = conn.phone();
            max_seq = max_seq.max(model.max_seq);
            marks.extend(model.marked.iter().copied());
            if rng.random_range(0..2) == 0 {
                let _ = conn.sink.send(Message::Close(None)).await;
            }
        }
        shared
            .progress
            .send_modify(|done| *done = (*done).max(cycle + 1));
    }
}

unsafe extern "C" {
    fn setsockopt(fd: i32, level: i32, name: i32, value: *const i32, len: u32) -> i32;
}

/// Linux `IPPROTO_TCP` and `TCP_MAXSEG`.
const IPPROTO_TCP: i32 = 6;
const TCP_MAXSEG: i32 = 2;

/// A socket that announces a small window and a small segment size:
/// on loopback (64 KiB segments) the kernel would otherwise buffer megabytes for it, and it
/// would take tens of thousands of events before the server's own bound is reached.
async fn small_window(addr: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(2048).unwrap();
    let mss: i32 = 536;
    // SAFETY: a plain setsockopt on a socket we own, with a pointer to a live i32.
    let set = unsafe {
        use std::os::fd::AsRawFd;
        setsockopt(
            socket.as_raw_fd(),
            IPPROTO_TCP,
            TCP_MAXSEG,
            &mss,
            std::mem::size_of::<i32>() as u32,
        )
    };
    assert_eq!(set, 0, "TCP_MAXSEG");
    socket.connect(addr).await.unwrap()
}

async fn stalled_console(
    addr: SocketAddr,
    code: &str,
) -> WebSocketStream<MaybeTlsStream<TcpStream>> {
    let stream = small_window(addr).await;
    let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
    request.headers_mut().insert(
        "authorization",
        format!("Bearer {ADMIN_TOKEN}").parse().unwrap(),
    );
    let (mut ws, _) = client_async(request, MaybeTlsStream::Plain(stream))
        .await
        .unwrap();
    ws.send(Message::Text(
        json!({"type": "staff", "code": code}).to_string().into(),
    ))
    .await
    .unwrap();
    ws
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_disconnections_leave_every_client_with_the_servers_state() {
    let seed = std::env::var("STORM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    println!("storm seed: {seed} (STORM_SEED={seed} replays the same choices)");
    let server = TestServer::start().await;
    let addr = server.addr;
    let code = server.create_session(&["bingo"]).await["code"]
        .as_str()
        .unwrap()
        .to_string();

    // Phones join; one more, the observer, stays connected throughout.
    let mut tokens = Vec::new();
    for i in 0..PHONES {
        let mut conn = Conn::open(addr, false, Model::Phone(PhoneModel::default()), None).await;
        conn.send(json!({"type": "join", "code": code, "name": format!("Phone {i:02}")}))
            .await;
        let welcome = conn.expect("welcome", |_| true).await;
        tokens.push(welcome["token"].as_str().unwrap().to_string());
    }
    let mut observer = Conn::open(addr, false, Model::Phone(PhoneModel::default()), None).await;
    observer
        .send(json!({"type": "join", "code": code, "name": "Observer"}))
        .await;
    let observer_token = observer.expect("welcome", |_| true).await["token"]
        .as_str()
        .unwrap()
        .to_string();

    let (mut staff, welcome) = staff_conn(addr, &code, None).await;
    let deck = strings(&welcome["bingo"]["deck"]);
    assert_eq!(deck.len(), 25);
    let slow_delay = Some(Duration::from_millis(5));
    let (mut slow, _) = staff_conn(addr, &code, slow_delay).await;
    let mut slow_resyncs = 0;
    let stalled = stalled_console(addr, &code).await;

    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed", |_| true).await;

    // The storm: phones come and go while the facilitator draws and reveals.
    let (open_tx, open) = watch::channel(None);
    let (progress, mut progress_rx) = watch::channel(0);
    let shared = Arc::new(Shared {
        addr,
        deck: deck.clone(),
        cycles: AtomicUsize::new(0),
        progress,
        open,
    });
    let started = std::time::Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let phones: Vec<JoinHandle<BTreeSet<u64>>> = tokens
        .iter()
        .map(|token| {
            tokio::spawn(storm_phone(
                Arc::clone(&shared),
                token.clone(),
                rng.random(),
            ))
        })
        .collect();
    for (draw, card) in deck.iter().enumerate().take(STORM_DRAWS) {
        staff
            .send(json!({"type": "bingo.draw", "card": card}))
            .await;
        let definition = staff
            .expect("bingo.definition", |f| f["card"] == card.as_str())
            .await;
        open_tx.send_replace(Some((definition["step"].as_u64().unwrap(), card.clone())));
        let until = (draw + 1) * CYCLES / STORM_DRAWS;
        tokio::time::timeout(
            Duration::from_secs(120),
            progress_rx.wait_for(|c| *c >= until),
        )
        .await
        .expect("the storm goes on")
        .expect("progress");
        staff.send(json!({"type": "bingo.reveal"})).await;
        staff.expect("bingo.revealed", |_| true).await;
        open_tx.send_replace(None);
        // The slow console reconnects whenever the server asked it to resynchronise.
        if slow.closed.borrow().is_some() {
            // 4000 from the room, or 1006 (no close frame) when its socket filled before its
            // staff outbox and the server's write timed out.
            assert!(matches!(*slow.closed.borrow(), Some(4000 | 1006)));
            slow_resyncs += 1;
            slow = staff_conn(addr, &code, slow_delay).await.0;
        }
    }
    let mut known_marks = Vec::new();
    for phone in phones {
        known_marks.push(phone.await.expect("a storm phone panicked"));
    }
    println!("storm done in {:?}", started.elapsed());
    println!(
        "{} cycles; the slow console was resynchronised {slow_resyncs} time(s) during the storm",
        shared.cycles.load(Ordering::SeqCst).min(CYCLES)
    );

    // Every phone comes back for good; one more definition; everyone taps it.
    let mut finals = Vec::new();
    for (token, marks) in tokens.iter().zip(&known_marks) {
        let (conn, _) = phone_conn(addr, token).await;
        assert!(conn.phone().marked.is_superset(marks), "marks lost");
        finals.push((conn, token.clone()));
    }
    let last = &deck[STORM_DRAWS];
    staff
        .send(json!({"type": "bingo.draw", "card": last}))
        .await;
    let step = staff
        .expect("bingo.definition", |f| f["card"] == last.as_str())
        .await["step"]
        .clone();
    for (conn, _) in finals.iter_mut() {
        conn.expect("bingo.drawn", |f| f["step"] == step).await;
        conn.send(json!({"type": "bingo.tap", "card": last})).await;
        conn.expect("bingo.tapped", |_| true).await;
    }
    staff.send(json!({"type": "bingo.reveal"})).await;
    staff.expect("bingo.revealed", |f| f["step"] == step).await;
    for (conn, _) in finals.iter_mut() {
        conn.expect("bingo.revealed", |f| f["step"] == step).await;
    }
    observer
        .expect("bingo.revealed", |f| f["step"] == step)
        .await;

    // Every phone's tracked state is the server's.
    for (conn, token) in finals
        .iter()
        .map(|(c, t)| (c, t))
        .chain([(&observer, &observer_token)])
    {
        let tracked = conn.phone();
        let (fresh, _) = phone_conn(addr, token).await;
        assert_eq!(tracked.view(), fresh.phone().view(), "a phone drifted");
    }
    // The observer, connected throughout, received every definition, in order.
    let steps = observer.phone().drawn_steps;
    assert_eq!(steps, (1..=steps.len() as u64).collect::<Vec<_>>());
    assert_eq!(steps.len(), STORM_DRAWS + 1);

    // The consoles too (every phone is online, through its final connection); the healthy
    // one received every event: no sequence number is missing.
    let (fresh, _) = staff_conn(addr, &code, None).await;
    let truth = fresh.staff();
    assert_eq!(truth.online.len(), PHONES + 1);
    let healthy = staff.staff();
    assert_eq!(healthy.view(), truth.view(), "the healthy console drifted");
    let seqs: Vec<u64> = healthy.seqs.iter().copied().collect();
    let first = healthy.welcome_seq.unwrap() + 1;
    assert_eq!(
        seqs,
        (first..=truth.welcome_seq.unwrap()).collect::<Vec<_>>(),
        "the healthy console missed events"
    );
    // The slow console catches up (reconnecting if the server asked it to resynchronise).
    loop {
        if slow.closed.borrow().is_some() {
            // 4000 from the room, or 1006 (no close frame) when its socket filled before its
            // staff outbox and the server's write timed out.
            assert!(matches!(*slow.closed.borrow(), Some(4000 | 1006)));
            slow_resyncs += 1;
            slow = staff_conn(addr, &code, slow_delay).await.0;
        }
        let model = slow.staff();
        if model.current["revealed"] == true && model.current["step"] == step {
            assert_eq!(model.view(), truth.view(), "the slow console drifted");
            break;
        }
        let _ = tokio::time::timeout(WAIT, slow.frames.recv()).await;
    }
    println!("the slow console was resynchronised {slow_resyncs} time(s) in all");
    drop(finals);

    // The stalled console was dropped: reading now gives a bounded backlog, then the end.
    let mut stalled = stalled;
    let mut backlog = 0;
    let close = loop {
        match tokio::time::timeout(WAIT, stalled.next()).await {
            Ok(Some(Ok(Message::Text(_)))) => backlog += 1,
            Ok(Some(Ok(Message::Close(frame)))) => break frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => break None,
            Err(_) => break Some(0), // still open: never dropped
        }
    };
    println!(
        "stalled console: {backlog} frames buffered, then close {close:?}; the healthy console got {}",
        healthy.frames
    );
    // Dropped either by the room when its outbox overflowed (then told 4000, if its socket
    // still had room for the close frame), or, when its socket filled first, by the write
    // timeout, without a close frame: staff outboxes hold 1,024 frames, more than this storm
    // queues once its staff events are coalesced per room turn.
    assert!(
        matches!(close, Some(4000) | None),
        "the stalled console was not dropped: {close:?}"
    );
    assert!(
        backlog < healthy.frames,
        "the stalled console was not dropped ({backlog} frames)"
    );
}
