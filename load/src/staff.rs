//! The facilitator console of one session: connects as staff, waits for the start signal,
//! then runs the script (phase changes, bingo draws and reveals, fresque teams, deal, reveal)
//! and waits for the phones between steps, reading its own socket all the time.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::time::Instant;

use crate::client::{Rng, Ws, hello, next_text, now_us, open, send};
use crate::model::{Act, ActionRec, Audience, DirectorReport, Progress, SessionShared};

#[derive(Clone)]
pub struct Script {
    pub activities: Vec<String>,
    pub rounds: u32,
    pub think: Duration,
    pub move_gap: Duration,
    pub moves: u32,
    pub team_size: u32,
    pub deals: u32,
    pub stagger: Duration,
}

pub struct Staff {
    addr: SocketAddr,
    token: String,
    code: String,
    timeout: Duration,
    session: u32,
    ws: Option<Ws>,
    pub report: DirectorReport,
}

impl Staff {
    pub async fn connect(
        addr: SocketAddr,
        token: &str,
        code: &str,
        timeout: Duration,
        session: u32,
    ) -> anyhow::Result<Self> {
        let mut staff = Staff {
            addr,
            token: token.to_string(),
            code: code.to_string(),
            timeout,
            session,
            ws: None,
            report: DirectorReport::default(),
        };
        staff.ws = Some(staff.open().await?);
        Ok(staff)
    }

    async fn open(&self) -> anyhow::Result<Ws> {
        let mut ws = open(self.addr, Some(&self.token), self.timeout).await?;
        hello(
            &mut ws,
            &json!({"type": "staff", "code": self.code}),
            self.timeout,
        )
        .await?;
        Ok(ws)
    }

    fn err(&mut self, what: String) {
        *self.report.errors.entry(what).or_default() += 1;
    }

    /// The console lost its socket (it fell behind, or the network): reconnect.
    async fn reconnect(&mut self) {
        self.ws = None;
        self.report.resyncs += 1;
        for attempt in 0..5 {
            match self.open().await {
                Ok(ws) => {
                    self.ws = Some(ws);
                    return;
                }
                Err(e) => {
                    self.err(format!("staff reconnect: {e}"));
                    tokio::time::sleep(Duration::from_millis(300 << attempt)).await;
                }
            }
        }
    }

    /// Reads (and drops) frames until `until` says stop, or the deadline.
    async fn pump(&mut self, deadline: Instant, shared: &SessionShared, until: impl Fn() -> bool) {
        while !until() && Instant::now() < deadline {
            let Some(ws) = self.ws.as_mut() else {
                self.reconnect().await;
                continue;
            };
            tokio::select! {
                frame = next_text(ws) => match frame {
                    Some(Ok(_)) => {}
                    Some(Err(_)) | None => self.reconnect().await,
                },
                _ = shared.notify.notified() => {}
                _ = tokio::time::sleep_until(deadline) => {}
            }
        }
    }

    /// Sends an action and waits for the event it causes, as the console sees it.
    async fn act(&mut self, act: Act, frame: Value, expect: &str, reason: Option<&str>) -> bool {
        let Some(ws) = self.ws.as_mut() else {
            self.reconnect().await;
            return false;
        };
        let t0 = now_us();
        if send(ws, &frame).await.is_err() {
            self.report.lost_echoes += 1;
            self.reconnect().await;
            return false;
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            let Some(ws) = self.ws.as_mut() else {
                return false;
            };
            let text = match tokio::time::timeout_at(deadline, next_text(ws)).await {
                Err(_) => {
                    self.report.lost_echoes += 1;
                    self.err(format!("{} timed out", frame["type"]));
                    return false;
                }
                Ok(Some(Ok(text))) => text,
                Ok(_) => {
                    self.report.lost_echoes += 1;
                    self.reconnect().await;
                    return false;
                }
            };
            let Ok(value) = serde_json::from_str::<Value>(&text) else {
                continue;
            };
            let ty = value["type"].as_str().unwrap_or_default();
            if ty == "error" {
                self.err(format!("{}: {}", frame["type"], value["code"]));
                return false;
            }
            if ty == expect && reason.is_none_or(|r| value["reason"] == r) {
                self.report.actions.push(ActionRec {
                    session: self.session,
                    act,
                    seq: value["seq"].as_u64().unwrap_or(0),
                    t0,
                    audience: Audience::Phones,
                });
                return true;
            }
        }
    }
}

/// Runs one session's script once `go` turns true; keeps reading until `finish`.
pub async fn direct(
    mut staff: Staff,
    script: Script,
    shared: Arc<SessionShared>,
    progress: Arc<Progress>,
    mut go: watch::Receiver<bool>,
    mut finish: watch::Receiver<bool>,
    seed: u64,
) -> DirectorReport {
    // Before the start: keep reading join notifications so the console never falls behind.
    while !*go.borrow() {
        let Some(ws) = staff.ws.as_mut() else {
            staff.reconnect().await;
            continue;
        };
        tokio::select! {
            frame = next_text(ws) => if !matches!(frame, Some(Ok(_))) {
                staff.report.resyncs_before_start += 1;
                staff.reconnect().await;
            },
            _ = go.changed() => {}
        }
    }
    let mut rng = Rng::new(seed);
    let stagger = script.stagger.as_millis() as u64;
    if stagger > 0 {
        let until = Instant::now() + Duration::from_millis(rng.below(stagger));
        staff.pump(until, &shared, || false).await;
    }
    let members = shared.members.load(Ordering::Acquire);
    let pause = Duration::from_millis(300);
    for activity in &script.activities {
        staff
            .act(
                Act::PhaseNext,
                json!({"type": "phase.next"}),
                "phase.changed",
                None,
            )
            .await;
        staff.pump(Instant::now() + pause, &shared, || false).await;
        match activity.as_str() {
            "bingo" => {
                for _ in 0..script.rounds {
                    shared.done.store(0, Ordering::Release);
                    staff
                        .act(
                            Act::Draw,
                            json!({"type": "bingo.draw"}),
                            "bingo.drawn",
                            None,
                        )
                        .await;
                    let deadline = Instant::now() + script.think * 2 + Duration::from_secs(10);
                    staff
                        .pump(deadline, &shared, || {
                            shared.done.load(Ordering::Acquire) >= members
                        })
                        .await;
                    staff
                        .act(
                            Act::Reveal,
                            json!({"type": "bingo.reveal"}),
                            "bingo.revealed",
                            None,
                        )
                        .await;
                    staff.pump(Instant::now() + pause, &shared, || false).await;
                }
            }
            "fresque" => {
                staff
                    .act(
                        Act::FormTeams,
                        json!({"type": "fresque.form_teams", "size": script.team_size}),
                        "fresque.team",
                        Some("formed"),
                    )
                    .await;
                staff.pump(Instant::now() + pause, &shared, || false).await;
                for _ in 0..script.deals.max(1) {
                    shared.done.store(0, Ordering::Release);
                    staff
                        .act(
                            Act::Deal,
                            json!({"type": "fresque.deal"}),
                            "fresque.team",
                            Some("dealt"),
                        )
                        .await;
                    let deadline = Instant::now()
                        + script.move_gap * (3 * script.moves + 20)
                        + Duration::from_secs(10);
                    staff
                        .pump(deadline, &shared, || {
                            shared.done.load(Ordering::Acquire) >= members
                        })
                        .await;
                }
                staff
                    .act(
                        Act::FresqueReveal,
                        json!({"type": "fresque.reveal"}),
                        "fresque.revealed",
                        None,
                    )
                    .await;
            }
            other => staff.err(format!("unknown activity {other}")),
        }
    }
    staff.report.finished = true;
    if let Some(last) = staff.report.actions.last() {
        shared.final_seq.store(last.seq, Ordering::Release);
    }
    progress.bump(&progress.sessions_done);
    while !*finish.borrow() {
        let Some(ws) = staff.ws.as_mut() else { break };
        tokio::select! {
            frame = next_text(ws) => if !matches!(frame, Some(Ok(_))) { break },
            _ = finish.changed() => {}
        }
    }
    staff.report
}
