//! What the simulated clients record, and what they share with their session's director.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tokio::sync::Notify;

/// Server events whose arrival is timed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Ev {
    PhaseChanged,
    Drawn,
    Revealed,
    Tapped,
    Board,
    Team,
    FresqueRevealed,
}

impl Ev {
    pub fn of(ty: &str) -> Option<Ev> {
        Some(match ty {
            "phase.changed" => Ev::PhaseChanged,
            "bingo.drawn" => Ev::Drawn,
            "bingo.revealed" => Ev::Revealed,
            "bingo.tapped" => Ev::Tapped,
            "fresque.board" => Ev::Board,
            "fresque.team" => Ev::Team,
            "fresque.revealed" => Ev::FresqueRevealed,
            _ => return None,
        })
    }
}

/// Client actions whose effect is timed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Act {
    PhaseNext,
    Draw,
    Reveal,
    Tap,
    FormTeams,
    Deal,
    Place,
    Move,
    FresqueReveal,
}

impl Act {
    pub const ALL: [Act; 9] = [
        Act::PhaseNext,
        Act::Draw,
        Act::Reveal,
        Act::Tap,
        Act::FormTeams,
        Act::Deal,
        Act::Place,
        Act::Move,
        Act::FresqueReveal,
    ];
    /// Name in the report: the action and the event that is timed.
    pub fn name(self) -> &'static str {
        match self {
            Act::PhaseNext => "phase.next→phase.changed (all phones)",
            Act::Draw => "bingo.draw→bingo.drawn (all phones)",
            Act::Reveal => "bingo.reveal→bingo.revealed (all phones)",
            Act::Tap => "bingo.tap→bingo.tapped (the phone)",
            Act::FormTeams => "fresque.form_teams→fresque.team (all phones)",
            Act::Deal => "fresque.deal→fresque.team (all phones)",
            Act::Place => "fresque.place→fresque.board (team)",
            Act::Move => "fresque.move→fresque.board (team)",
            Act::FresqueReveal => "fresque.reveal→fresque.revealed (all phones)",
        }
    }
    pub fn event(self) -> Ev {
        match self {
            Act::PhaseNext => Ev::PhaseChanged,
            Act::Draw => Ev::Drawn,
            Act::Reveal => Ev::Revealed,
            Act::Tap => Ev::Tapped,
            Act::FormTeams | Act::Deal => Ev::Team,
            Act::Place | Act::Move => Ev::Board,
            Act::FresqueReveal => Ev::FresqueRevealed,
        }
    }
    /// Facilitator broadcasts: the figure the peers were measured on.
    pub fn is_broadcast(self) -> bool {
        matches!(
            self,
            Act::PhaseNext | Act::Draw | Act::Reveal | Act::FresqueReveal
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Audience {
    Phones,
    Phone(u32),
    Team(u64),
}

/// An accepted action: who should hear of it, under which `seq`, sent when.
#[derive(Clone, Copy, Debug)]
pub struct ActionRec {
    pub session: u32,
    pub act: Act,
    pub seq: u64,
    pub t0: u64,
    pub audience: Audience,
}

/// A timed event as one phone received it.
#[derive(Clone, Copy, Debug)]
pub struct Recv {
    pub seq: u64,
    pub ev: Ev,
    pub t: u64,
}

/// Everything one simulated phone saw.
#[derive(Debug, Default)]
pub struct PhoneReport {
    pub session: u32,
    pub idx: u32,
    pub joined: bool,
    pub join_us: u64,
    pub connect_failures: u32,
    pub first_seq: u64,
    pub team: Option<u64>,
    pub recvs: Vec<Recv>,
    /// `(last seq seen, seq of the welcome after reconnecting)`: events in between are in
    /// the snapshot, not expected live.
    pub gaps: Vec<(u64, u64)>,
    pub actions: Vec<ActionRec>,
    pub errors: HashMap<String, u64>,
    pub drops: u32,
    pub resumes_ok: u32,
    pub resumes_failed: u32,
    pub out_of_order: u32,
    pub stale: u32,
    pub before_welcome: u32,
    pub lost_echoes: u32,
}

/// Everything one facilitator console saw.
#[derive(Debug, Default)]
pub struct DirectorReport {
    pub actions: Vec<ActionRec>,
    pub errors: HashMap<String, u64>,
    pub resyncs: u32,
    /// Of `resyncs`: while the phones were joining (before the script started).
    pub resyncs_before_start: u32,
    pub lost_echoes: u32,
    pub finished: bool,
}

/// What a session's phones and its director share: a countdown of phones done with a step.
#[derive(Default)]
pub struct SessionShared {
    pub done: AtomicUsize,
    pub members: AtomicUsize,
    pub notify: Notify,
    /// `seq` of the script's last event (0 until the director has heard it): at the end of
    /// the run a phone reads on until it has seen it, so a run that ends the moment the
    /// director hears its own echo does not count the phones' copies as missed.
    pub final_seq: AtomicU64,
}

impl SessionShared {
    pub fn finished_step(&self) {
        self.done.fetch_add(1, Ordering::AcqRel);
        self.notify.notify_one();
    }
}

/// Progress of the whole run.
#[derive(Default)]
pub struct Progress {
    pub joined: AtomicUsize,
    pub failed: AtomicUsize,
    pub sessions_done: AtomicUsize,
    pub notify: Notify,
}

impl Progress {
    pub fn bump(&self, counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::AcqRel);
        self.notify.notify_one();
    }
}
