//! One simulated phone: joins, plays the bingo (one tap per definition, after a think time)
//! and the fresque (places and moves cards of its team), maybe drops its connection and
//! resumes with its token, and records every timed event it receives.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{Semaphore, watch};
use tokio::time::{Instant, sleep, sleep_until};

use crate::client::{Head, Rng, Ws, hello, next_text, now_us, open, send};
use crate::model::{Act, ActionRec, Audience, Ev, PhoneReport, Progress, Recv, SessionShared};

#[derive(Clone)]
pub struct PhoneConfig {
    pub addr: SocketAddr,
    pub timeout: Duration,
    pub think: Duration,
    pub move_gap: Duration,
    pub moves: u32,
    pub session: u32,
    pub idx: u32,
    pub code: String,
    /// The bingo step at which this phone drops its connection and resumes.
    pub drop_at_step: Option<u64>,
    pub seed: u64,
}

enum Next {
    Tap,
    Disconnect,
    Fresque,
}

enum Pending {
    Tap { t0: u64 },
    Fresque { act: Act, card: String, t0: u64 },
}

struct Phone {
    cfg: PhoneConfig,
    shared: Arc<SessionShared>,
    rng: Rng,
    report: PhoneReport,
    pid: u64,
    token: String,
    grid: Vec<String>,
    closed_cards: HashSet<String>,
    /// Bingo step this phone still owes an answer to (it tells the director once).
    owed_step: Option<u64>,
    team: Option<u64>,
    hand: Vec<String>,
    board: Vec<String>,
    moves_left: u32,
    fresque_idle_tries: u32,
    pending: Option<Pending>,
    next: Option<(Instant, Next)>,
    // Per-connection ordering checks.
    welcome_seq: u64,
    conn_last_seq: u64,
    last_seq: u64,
}

pub async fn run(
    cfg: PhoneConfig,
    shared: Arc<SessionShared>,
    progress: Arc<Progress>,
    gate: Arc<Semaphore>,
    mut finish: watch::Receiver<bool>,
) -> PhoneReport {
    let mut phone = Phone {
        rng: Rng::new(cfg.seed),
        report: PhoneReport {
            session: cfg.session,
            idx: cfg.idx,
            ..PhoneReport::default()
        },
        cfg,
        shared,
        pid: 0,
        token: String::new(),
        grid: Vec::new(),
        closed_cards: HashSet::new(),
        owed_step: None,
        team: None,
        hand: Vec::new(),
        board: Vec::new(),
        moves_left: 0,
        fresque_idle_tries: 0,
        pending: None,
        next: None,
        welcome_seq: 0,
        conn_last_seq: 0,
        last_seq: 0,
    };
    // Join, a few attempts, no more than `gate` handshakes in flight across the run.
    let mut ws = None;
    for attempt in 0..3 {
        let permit = gate.acquire().await.expect("gate open");
        let t0 = now_us();
        let hello_frame =
            json!({"type": "join", "code": phone.cfg.code, "name": format!("P{}", phone.cfg.idx)});
        let result = async {
            let mut socket = open(phone.cfg.addr, None, phone.cfg.timeout).await?;
            let welcome = hello(&mut socket, &hello_frame, phone.cfg.timeout).await?;
            anyhow::Ok((socket, welcome))
        }
        .await;
        drop(permit);
        match result {
            Ok((socket, (welcome, before))) => {
                phone.report.join_us = now_us() - t0;
                phone.report.before_welcome += before;
                phone.pid = welcome["you"]["pid"].as_u64().unwrap_or(0);
                phone.token = welcome["token"].as_str().unwrap_or_default().to_string();
                phone.report.first_seq = welcome["seq"].as_u64().unwrap_or(0);
                phone.welcome(&welcome);
                ws = Some(socket);
                break;
            }
            Err(e) => {
                phone.report.connect_failures += 1;
                *phone.report.errors.entry(format!("join: {e}")).or_default() += 1;
                sleep(Duration::from_millis(200 << attempt)).await;
            }
        }
    }
    let Some(mut ws) = ws else {
        progress.bump(&progress.failed);
        return phone.report;
    };
    phone.report.joined = true;
    progress.bump(&progress.joined);

    loop {
        let wake = phone.next.as_ref().map(|(at, _)| *at);
        tokio::select! {
            frame = next_text(&mut ws) => match frame {
                Some(Ok(text)) => phone.on_frame(&text),
                other => {
                    if *finish.borrow() { break; }
                    phone.report.drops += 1;
                    if let Some(Err(e)) = other {
                        *phone.report.errors.entry(format!("drop: {e}")).or_default() += 1;
                    }
                    match phone.resume().await {
                        Some(socket) => ws = socket,
                        None => break,
                    }
                }
            },
            _ = sleep_until(wake.unwrap_or_else(Instant::now)), if wake.is_some() => {
                let Some((_, next)) = phone.next.take() else { continue };
                let ok = match next {
                    Next::Tap => phone.tap(&mut ws).await,
                    Next::Fresque => phone.fresque_move(&mut ws).await,
                    Next::Disconnect => {
                        let _ = tokio::time::timeout(Duration::from_secs(2), ws.close(None)).await;
                        drop(ws);
                        let pause = 200 + phone.rng.below(1300);
                        sleep(Duration::from_millis(pause)).await;
                        match phone.resume().await {
                            Some(socket) => { ws = socket; true }
                            None => break,
                        }
                    }
                };
                if !ok {
                    phone.report.drops += 1;
                    match phone.resume().await {
                        Some(socket) => ws = socket,
                        None => break,
                    }
                }
            }
            _ = finish.changed() => {
                phone.read_to_final_seq(&mut ws).await;
                break;
            }
        }
    }
    // Whatever this phone still owed its director, it will not deliver.
    phone.settle_bingo();
    if phone.moves_left > 0 {
        phone.moves_left = 0;
        phone.shared.finished_step();
    }
    // The socket (if any) is dropped here: the server sees the connection end.
    phone.report.team = phone.team;
    phone.report
}

impl Phone {
    fn err(&mut self, what: String) {
        *self.report.errors.entry(what).or_default() += 1;
    }

    /// Reads the frames still on their way, up to the script's last event (bounded by the
    /// timeout): the run ends when the directors hear their own echoes, not the phones.
    async fn read_to_final_seq(&mut self, ws: &mut Ws) {
        let final_seq = self.shared.final_seq.load(Ordering::Acquire);
        let deadline = Instant::now() + self.cfg.timeout;
        while self.last_seq < final_seq {
            match tokio::time::timeout_at(deadline, next_text(ws)).await {
                Ok(Some(Ok(text))) => self.on_frame(&text),
                _ => break,
            }
        }
    }

    /// Takes the state a welcome (first join or resume) carries.
    fn welcome(&mut self, welcome: &Value) {
        let seq = welcome["seq"].as_u64().unwrap_or(0);
        self.welcome_seq = seq;
        self.conn_last_seq = seq;
        self.last_seq = self.last_seq.max(seq);
        let bingo = &welcome["bingo"];
        if let Some(grid) = bingo["grid"].as_array() {
            self.grid = grid
                .iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect();
        }
        if let Some(drawn) = bingo["drawn"].as_array() {
            self.closed_cards
                .extend(drawn.iter().filter_map(|c| c.as_str().map(str::to_string)));
        }
        let fresque = &welcome["fresque"];
        if let Some(team) = fresque["team"].as_object() {
            self.team = team.get("id").and_then(Value::as_u64);
            self.board = strings(team.get("board"));
        }
        if fresque["hand"].is_array() {
            self.hand = strings(Some(&fresque["hand"]));
        }
    }

    /// Reconnects with the resume token (the phone's `localStorage`), a few attempts.
    async fn resume(&mut self) -> Option<Ws> {
        self.pending_lost();
        for attempt in 0..5 {
            let result = async {
                let mut socket = open(self.cfg.addr, None, self.cfg.timeout).await?;
                let welcome = hello(
                    &mut socket,
                    &json!({"type": "resume", "token": self.token}),
                    self.cfg.timeout,
                )
                .await?;
                anyhow::Ok((socket, welcome))
            }
            .await;
            match result {
                Ok((socket, (welcome, before))) => {
                    self.report.resumes_ok += 1;
                    self.report.before_welcome += before;
                    let last = self.last_seq;
                    self.welcome(&welcome);
                    self.report.gaps.push((last, self.welcome_seq));
                    self.after_resume(&welcome);
                    return Some(socket);
                }
                Err(e) => {
                    self.report.resumes_failed += 1;
                    self.err(format!("resume: {e}"));
                    sleep(Duration::from_millis(300 << attempt)).await;
                }
            }
        }
        self.settle_bingo();
        None
    }

    /// An action in flight when the connection went: its echo is lost with it.
    fn pending_lost(&mut self) {
        match self.pending.take() {
            Some(Pending::Tap { .. }) => {
                self.report.lost_echoes += 1;
            }
            Some(Pending::Fresque { .. }) => {
                self.report.lost_echoes += 1;
                self.moves_left = self.moves_left.saturating_sub(1);
            }
            None => {}
        }
        if matches!(self.next, Some((_, Next::Disconnect))) {
            self.next = None;
        }
    }

    /// After a resume: answer the open definition if not answered yet, go on with the fresque.
    fn after_resume(&mut self, welcome: &Value) {
        let current = &welcome["bingo"]["current"];
        if self.owed_step.is_some() {
            let open = current.is_object()
                && current["revealed"] == json!(false)
                && current["answered"] != json!(true);
            if open {
                self.schedule(self.cfg.think / 4, Next::Tap);
            } else {
                self.settle_bingo();
            }
        }
        if self.moves_left > 0 {
            self.schedule(self.cfg.move_gap, Next::Fresque);
        } else if self.next.is_some() && !matches!(self.next, Some((_, Next::Tap))) {
            self.next = None;
        }
    }

    fn schedule(&mut self, within: Duration, next: Next) {
        let ms = within.as_millis() as u64;
        let delay = Duration::from_millis(if ms == 0 { 0 } else { self.rng.below(ms) });
        self.next = Some((Instant::now() + delay, next));
    }

    /// Tells the director this phone is done with the current bingo step (once).
    fn settle_bingo(&mut self) {
        if self.owed_step.take().is_some() {
            self.shared.finished_step();
        }
    }

    fn on_frame(&mut self, text: &str) {
        let t = now_us();
        let Ok(head) = serde_json::from_str::<Head>(text) else {
            self.err("unparsable frame".into());
            return;
        };
        if let Some(seq) = head.seq {
            if seq < self.conn_last_seq && seq > self.welcome_seq {
                self.report.out_of_order += 1;
            }
            if seq <= self.welcome_seq {
                self.report.stale += 1;
            }
            self.conn_last_seq = self.conn_last_seq.max(seq);
            self.last_seq = self.last_seq.max(seq);
            if let Some(ev) = Ev::of(head.ty) {
                self.report.recvs.push(Recv { seq, ev, t });
            }
        }
        let ty = head.ty.to_string();
        let seq = head.seq.unwrap_or(0);
        match ty.as_str() {
            "bingo.drawn" | "bingo.revealed" | "bingo.tapped" | "fresque.team" | "fresque.hand"
            | "fresque.board" | "error" => {}
            _ => return,
        }
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            return;
        };
        match ty.as_str() {
            "bingo.drawn" => {
                let step = value["step"].as_u64().unwrap_or(0);
                self.settle_bingo();
                self.owed_step = Some(step);
                if self.cfg.drop_at_step == Some(step) {
                    self.schedule(self.cfg.think, Next::Disconnect);
                } else {
                    self.schedule(self.cfg.think, Next::Tap);
                }
            }
            "bingo.revealed" => {
                if let Some(card) = value["card"].as_str() {
                    self.closed_cards.insert(card.to_string());
                }
                // Too late to answer this one.
                if matches!(self.next, Some((_, Next::Tap))) {
                    self.next = None;
                }
                self.settle_bingo();
            }
            "bingo.tapped" => {
                if let Some(Pending::Tap { t0 }) = self.pending.take() {
                    self.report.actions.push(ActionRec {
                        session: self.cfg.session,
                        act: Act::Tap,
                        seq,
                        t0,
                        audience: Audience::Phone(self.cfg.idx),
                    });
                }
                self.settle_bingo();
            }
            "fresque.team" => {
                if let Some(team) = value["team"].as_u64() {
                    self.team = Some(team);
                }
                self.board = strings(Some(&value["board"]));
                if value["reason"] == "dealt" && self.moves_left == 0 && self.cfg.moves > 0 {
                    self.moves_left = self.cfg.moves;
                    self.fresque_idle_tries = 0;
                    self.schedule(self.cfg.move_gap, Next::Fresque);
                }
            }
            "fresque.hand" => {
                self.hand = strings(Some(&value["hand"]));
            }
            "fresque.board" => {
                self.board = strings(Some(&value["board"]));
                let mine = value["by"].as_u64() == Some(self.pid);
                if let Some(Pending::Fresque { act, card, t0 }) = &self.pending
                    && mine
                    && value["card"].as_str() == Some(card)
                {
                    self.report.actions.push(ActionRec {
                        session: self.cfg.session,
                        act: *act,
                        seq,
                        t0: *t0,
                        audience: Audience::Team(value["team"].as_u64().unwrap_or(u64::MAX)),
                    });
                    self.pending = None;
                    self.fresque_step_done();
                }
            }
            "error" => {
                let code = value["code"].as_str().unwrap_or("?").to_string();
                self.err(format!("server error: {code}"));
                match self.pending.take() {
                    Some(Pending::Tap { .. }) => self.settle_bingo(),
                    Some(Pending::Fresque { .. }) => self.fresque_step_done(),
                    None => {}
                }
            }
            _ => {}
        }
    }

    fn fresque_step_done(&mut self) {
        self.moves_left = self.moves_left.saturating_sub(1);
        if self.moves_left == 0 {
            self.shared.finished_step();
        } else {
            let gap = self.cfg.move_gap;
            self.next = Some((
                Instant::now()
                    + gap / 2
                    + Duration::from_millis(self.rng.below(gap.as_millis() as u64 + 1)),
                Next::Fresque,
            ));
        }
    }

    /// Taps a cell that is still open (any card not revealed yet): right or wrong.
    async fn tap(&mut self, ws: &mut Ws) -> bool {
        let open: Vec<&String> = self
            .grid
            .iter()
            .filter(|c| !self.closed_cards.contains(*c))
            .collect();
        if open.is_empty() || self.owed_step.is_none() {
            self.settle_bingo();
            return true;
        }
        let card = open[self.rng.below(open.len() as u64) as usize].clone();
        let t0 = now_us();
        self.pending = Some(Pending::Tap { t0 });
        send(ws, &json!({"type": "bingo.tap", "card": card}))
            .await
            .is_ok()
    }

    /// Places a card from the hand (after the last card of the board) or moves a card.
    async fn fresque_move(&mut self, ws: &mut Ws) -> bool {
        if self.moves_left == 0 || self.pending.is_some() {
            return true;
        }
        let (act, card, after) = if let Some(card) = self.hand.first().cloned() {
            (Act::Place, card, self.board.last().cloned())
        } else if self.board.len() >= 2 {
            let i = self.rng.below(self.board.len() as u64) as usize;
            let card = self.board[i].clone();
            let others: Vec<&String> = self.board.iter().filter(|c| **c != card).collect();
            let j = self.rng.below(others.len() as u64 + 1) as usize;
            (Act::Move, card, others.get(j).map(|c| (*c).clone()))
        } else {
            // Nothing to do yet: teammates hold the cards.
            self.fresque_idle_tries += 1;
            if self.fresque_idle_tries > 20 {
                self.moves_left = 1;
                self.fresque_step_done();
            } else {
                self.schedule(self.cfg.move_gap, Next::Fresque);
            }
            return true;
        };
        let ty = if act == Act::Place {
            "fresque.place"
        } else {
            "fresque.move"
        };
        let t0 = now_us();
        self.pending = Some(Pending::Fresque {
            act,
            card: card.clone(),
            t0,
        });
        if act == Act::Place {
            self.hand.retain(|c| *c != card);
        }
        send(ws, &json!({"type": ty, "card": card, "after": after}))
            .await
            .is_ok()
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
