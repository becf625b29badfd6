//! Bingo des Open Badges (issue 4): personal 5×5 grids of the 25 deck terms.
//!
//! Vocabulary: a *step* is one draw (definition mode) or one call (listening mode);
//! prize ties are decided per step (see [`Prize`]).

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::games::{Actor, Audience, CardId, Emit, ParticipantId, Viewer, rng, shuffle};

/// Cells on a grid: always the whole 25-card deck.
pub const GRID_CELLS: usize = 25;
const SIDE: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The facilitator reads definitions; each participant taps one cell per definition.
    Definition,
    /// The facilitator calls terms during the talk; participants mark called terms.
    Listening,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Running,
    Paused,
    Ended,
}

/// Prizes, awarded in this order.
///
/// Tie rule: a prize is won at the step (draw or call) during which its first valid
/// claim arrives; every valid claim for it that arrives before the next draw/call
/// shares that place. A completed line that is not claimed before the next draw is
/// not lost, but it counts at the step where it is finally claimed (as in a hall
/// bingo, a line counts when it is called out). One claim can win several prizes at
/// once (e.g. a tap that completes two lines when nobody has a line yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Prize {
    FirstLine,
    TwoLines,
    FullCard,
}

impl Prize {
    pub const ALL: [Prize; 3] = [Prize::FirstLine, Prize::TwoLines, Prize::FullCard];

    fn qualifies(self, lines: usize, marks: usize) -> bool {
        match self {
            Prize::FirstLine => lines >= 1,
            Prize::TwoLines => lines >= 2,
            Prize::FullCard => marks == GRID_CELLS,
        }
    }
}

/// One of the 12 winning lines of a 5×5 grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "index", rename_all = "snake_case")]
pub enum Line {
    Row(u8),
    Column(u8),
    /// Top-left to bottom-right.
    Diagonal,
    /// Top-right to bottom-left.
    AntiDiagonal,
}

impl Line {
    /// All 12 lines, in a stable order.
    pub fn all() -> [Line; 12] {
        let mut out = [Line::Diagonal; 12];
        for i in 0..SIDE {
            out[i] = Line::Row(i as u8);
            out[SIDE + i] = Line::Column(i as u8);
        }
        out[10] = Line::Diagonal;
        out[11] = Line::AntiDiagonal;
        out
    }

    /// Cell indices (row-major, 0..25) of this line.
    pub fn cells(self) -> [usize; SIDE] {
        let mut c = [0; SIDE];
        for (k, cell) in c.iter_mut().enumerate() {
            *cell = match self {
                Line::Row(r) => usize::from(r) * SIDE + k,
                Line::Column(col) => k * SIDE + usize::from(col),
                Line::Diagonal => k * SIDE + k,
                Line::AntiDiagonal => k * SIDE + (SIDE - 1 - k),
            };
        }
        c
    }
}

/// Lines fully marked on a grid (`marked[cell]`, row-major).
pub fn completed_lines(marked: &[bool; GRID_CELLS]) -> Vec<Line> {
    Line::all()
        .into_iter()
        .filter(|l| l.cells().iter().all(|&c| marked[c]))
        .collect()
}

/// Commands as sent by clients (`{"type":"tap","card":"open-badge"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BingoCommand {
    /// Staff, definition mode: next definition, random among undrawn unless `card` is given.
    Draw {
        #[serde(default)]
        card: Option<CardId>,
        /// The server's clock (Unix ms) when the room accepted the draw (it stamps it, replacing
        /// whatever a client sent): shown as the step's clock time and the start of its
        /// countdown. Carried in the command so that replays give the same state.
        #[serde(default)]
        at: Option<u64>,
    },
    /// Staff, definition mode: close the current definition and publish its result.
    Reveal,
    /// Staff, listening mode: this term was just said.
    Call {
        card: CardId,
        /// The server's clock (Unix ms) when it was called (see `Draw`).
        #[serde(default)]
        at: Option<u64>,
    },
    /// Participant, definition mode: my answer to the current definition.
    Tap {
        card: CardId,
    },
    /// Participant, listening mode: mark a called term.
    Mark {
        card: CardId,
    },
    /// Participant: "Bingo !".
    Claim,
    Pause,
    Resume,
    End,
    /// Staff: the projector plays a sound on each win (off by default).
    SetSound {
        on: bool,
    },
    /// Staff: seconds shown counting down for each definition (0 = none; else
    /// [`COUNTDOWN_MIN`]..=[`COUNTDOWN_MAX`]). Display only: the facilitator still reveals.
    SetCountdown {
        seconds: u32,
    },
}

/// Shortest countdown per definition, in seconds.
pub const COUNTDOWN_MIN: u32 = 5;
/// Longest countdown per definition, in seconds.
pub const COUNTDOWN_MAX: u32 = 600;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BingoError {
    #[error("a bingo deck needs exactly 25 distinct, non-empty card ids: {0}")]
    InvalidDeck(String),
    #[error("only the facilitator may do that")]
    Forbidden,
    #[error("only a participant may do that")]
    NotAParticipant,
    #[error("you are not in this bingo")]
    NotInGame,
    #[error("not available in this bingo mode")]
    WrongMode,
    #[error("the bingo is paused")]
    Paused,
    #[error("the bingo is not paused")]
    NotPaused,
    #[error("the bingo has ended")]
    Ended,
    #[error("this card is not in the deck")]
    UnknownCard,
    #[error("this definition was already drawn")]
    AlreadyDrawn,
    #[error("every definition has been drawn")]
    DeckExhausted,
    #[error("no definition is waiting for an answer")]
    NoOpenDefinition,
    #[error("you already answered this definition")]
    AlreadyAnswered,
    #[error("this cell's definition has already been played")]
    CellClosed,
    #[error("nothing to reveal")]
    NothingToReveal,
    #[error("this term has already been called")]
    AlreadyCalled,
    #[error("this term has not been called yet")]
    NotCalled,
    #[error("this cell is already marked")]
    AlreadyMarked,
    #[error("a countdown is 0 (none) or between 5 and 600 seconds")]
    InvalidCountdown,
}

impl BingoError {
    /// Stable machine code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            BingoError::InvalidDeck(_) => "invalid_deck",
            BingoError::Forbidden => "forbidden",
            BingoError::NotAParticipant => "not_a_participant",
            BingoError::NotInGame => "not_in_game",
            BingoError::WrongMode => "wrong_mode",
            BingoError::Paused => "paused",
            BingoError::NotPaused => "not_paused",
            BingoError::Ended => "ended",
            BingoError::UnknownCard => "unknown_card",
            BingoError::AlreadyDrawn => "already_drawn",
            BingoError::DeckExhausted => "deck_exhausted",
            BingoError::NoOpenDefinition => "no_open_definition",
            BingoError::AlreadyAnswered => "already_answered",
            BingoError::CellClosed => "cell_closed",
            BingoError::NothingToReveal => "nothing_to_reveal",
            BingoError::AlreadyCalled => "already_called",
            BingoError::NotCalled => "not_called",
            BingoError::AlreadyMarked => "already_marked",
            BingoError::InvalidCountdown => "invalid_countdown",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Player {
    /// The 25 card ids, row-major; never changes after the first join.
    grid: Vec<CardId>,
    marked: [bool; GRID_CELLS],
    /// Present in the room; only active players count in "found / of".
    active: bool,
    claims: u32,
    refused_claims: u32,
    prizes: Vec<Prize>,
}

impl Player {
    fn cell_of(&self, card: &str) -> Option<usize> {
        self.grid.iter().position(|c| c == card)
    }
    fn marks(&self) -> usize {
        self.marked.iter().filter(|&&m| m).count()
    }
    fn lines(&self) -> Vec<Line> {
        completed_lines(&self.marked)
    }
}

/// One drawn definition (definition mode).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Round {
    card: CardId,
    step: u32,
    /// participant → tapped the right cell?
    answers: BTreeMap<ParticipantId, bool>,
    /// Set at reveal: (found, answered, of), counted over the then-active players.
    result: Option<RoundResult>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct RoundResult {
    found: u32,
    answered: u32,
    of: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrizeAward {
    pub prize: Prize,
    /// Step during which the place was taken; claims during this step share it.
    pub step: u32,
    pub winners: Vec<ParticipantId>,
    /// Clock time (Unix ms, the console's) of that step's draw or call, if it sent one
    /// (left out when unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct RefusedClaim {
    participant: ParticipantId,
    step: u32,
}

/// Full bingo state; serialisable for the room's periodic snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "Stored")]
pub struct Bingo {
    deck: Vec<CardId>,
    mode: Mode,
    phase: Phase,
    /// Number of draws (definition) or calls (listening) so far.
    step: u32,
    players: BTreeMap<ParticipantId, Player>,
    /// Definition mode: drawn definitions, in order (the last may be open).
    rounds: Vec<Round>,
    /// Listening mode: called terms, in order.
    called: Vec<CardId>,
    prizes: Vec<PrizeAward>,
    refused: Vec<RefusedClaim>,
    /// Step → clock time (Unix ms) of its draw or call, when the console sent one.
    times: BTreeMap<u32, u64>,
    /// The projector plays a sound on each win.
    sound: bool,
    /// Seconds shown counting down for each definition; 0 = none.
    countdown: u32,
    /// Active players: kept up to date so that a tap costs O(log N), not O(N). Derived, not
    /// stored: recounted when a snapshot is loaded.
    #[serde(skip)]
    active: u32,
    /// Answers of active players to the last definition drawn (same).
    #[serde(skip)]
    answered: u32,
    /// Hashes of every player's grid, so that checking a new grid against the others is
    /// O(1) instead of O(N) (same).
    #[serde(skip)]
    grid_hashes: HashSet<u64>,
}

/// What a snapshot holds of a [`Bingo`]: everything but the derived counters.
#[derive(Deserialize)]
struct Stored {
    deck: Vec<CardId>,
    mode: Mode,
    phase: Phase,
    step: u32,
    players: BTreeMap<ParticipantId, Player>,
    rounds: Vec<Round>,
    called: Vec<CardId>,
    prizes: Vec<PrizeAward>,
    refused: Vec<RefusedClaim>,
    // Absent from snapshots taken before issue 18.
    #[serde(default)]
    times: BTreeMap<u32, u64>,
    #[serde(default)]
    sound: bool,
    #[serde(default)]
    countdown: u32,
}

impl From<Stored> for Bingo {
    fn from(s: Stored) -> Self {
        let mut bingo = Bingo {
            deck: s.deck,
            mode: s.mode,
            phase: s.phase,
            step: s.step,
            players: s.players,
            rounds: s.rounds,
            called: s.called,
            prizes: s.prizes,
            refused: s.refused,
            times: s.times,
            sound: s.sound,
            countdown: s.countdown,
            active: 0,
            answered: 0,
            grid_hashes: HashSet::new(),
        };
        (bingo.active, bingo.answered) = bingo.recount();
        bingo.grid_hashes = bingo.players.values().map(|p| grid_hash(&p.grid)).collect();
        bingo
    }
}

type R = Result<Vec<Emit>, BingoError>;

impl Bingo {
    /// `cards`: the deck's 25 term ids.
    pub fn new(cards: Vec<CardId>, mode: Mode) -> Result<Self, BingoError> {
        if cards.len() != GRID_CELLS {
            return Err(BingoError::InvalidDeck(format!(
                "got {} cards",
                cards.len()
            )));
        }
        let mut seen = BTreeSet::new();
        for c in &cards {
            if c.is_empty() {
                return Err(BingoError::InvalidDeck("empty card id".into()));
            }
            if !seen.insert(c.as_str()) {
                return Err(BingoError::InvalidDeck(format!("duplicate card id {c:?}")));
            }
        }
        Ok(Bingo {
            deck: cards,
            mode,
            phase: Phase::Running,
            step: 0,
            players: BTreeMap::new(),
            rounds: Vec::new(),
            called: Vec::new(),
            prizes: Vec::new(),
            refused: Vec::new(),
            times: BTreeMap::new(),
            sound: false,
            countdown: 0,
            active: 0,
            answered: 0,
            grid_hashes: HashSet::new(),
        })
    }

    /// (active players, answers of active players to the last definition), counted the slow
    /// way: what the kept counters must always equal.
    fn recount(&self) -> (u32, u32) {
        let active = self.players.values().filter(|p| p.active).count() as u32;
        let answered = self.rounds.last().map_or(0, |r| {
            r.answers
                .keys()
                .filter(|id| self.players.get(id).is_some_and(|p| p.active))
                .count() as u32
        });
        (active, answered)
    }

    /// Whether `pid` answered the last definition drawn.
    fn answered_last(&self, pid: ParticipantId) -> bool {
        self.rounds
            .last()
            .is_some_and(|r| r.answers.contains_key(&pid))
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The participant's grid (row-major card ids), if they ever joined.
    pub fn grid(&self, pid: ParticipantId) -> Option<&[CardId]> {
        self.players.get(&pid).map(|p| p.grid.as_slice())
    }

    /// Completed lines of a participant (empty if unknown).
    pub fn lines_of(&self, pid: ParticipantId) -> Vec<Line> {
        self.players
            .get(&pid)
            .map(Player::lines)
            .unwrap_or_default()
    }

    pub fn prizes(&self) -> &[PrizeAward] {
        &self.prizes
    }

    /// Joins (or rejoins) a participant. A new participant gets a personal grid
    /// shuffled from `seed` and their id; a returning one keeps their grid and marks.
    pub fn add_participant(&mut self, pid: ParticipantId, seed: u64) -> Vec<Emit> {
        if let Some(p) = self.players.get_mut(&pid) {
            if p.active {
                return Vec::new();
            }
            p.active = true;
            self.active += 1;
            if self.answered_last(pid) {
                self.answered += 1;
            }
        } else {
            let grid = self.fresh_grid(pid, seed);
            self.grid_hashes.insert(grid_hash(&grid));
            self.players.insert(
                pid,
                Player {
                    grid,
                    marked: [false; GRID_CELLS],
                    active: true,
                    claims: 0,
                    refused_claims: 0,
                    prizes: Vec::new(),
                },
            );
            self.active += 1;
        }
        vec![self.participant_event(pid)]
    }

    /// Shuffles until the grid differs from every existing one: equal grids are
    /// astronomically unlikely (1 in 25!) but the rule says grids differ, so make
    /// it a guarantee. Bounded, so it can never loop forever.
    fn fresh_grid(&self, pid: ParticipantId, seed: u64) -> Vec<CardId> {
        let mut r = rng(seed, u64::from(pid));
        let mut grid = self.deck.clone();
        for _ in 0..64 {
            shuffle(&mut grid, &mut r);
            // Only a hash equal to another grid's needs the exact comparison.
            if !self.grid_hashes.contains(&grid_hash(&grid))
                || !self.players.values().any(|p| p.grid == grid)
            {
                break;
            }
        }
        grid
    }

    /// Marks a participant as gone; their grid and marks are kept for a rejoin.
    pub fn remove_participant(&mut self, pid: ParticipantId) -> Vec<Emit> {
        match self.players.get_mut(&pid) {
            Some(p) if p.active => {
                p.active = false;
                self.active -= 1;
                if self.answered_last(pid) {
                    self.answered -= 1;
                }
                vec![self.participant_event(pid)]
            }
            _ => Vec::new(),
        }
    }

    pub fn apply(
        &mut self,
        actor: Actor,
        cmd: BingoCommand,
        seed: u64,
    ) -> Result<Vec<Emit>, BingoError> {
        // Every branch validates fully before mutating, so errors leave `self` as is.
        match cmd {
            BingoCommand::Draw { card, at } => {
                self.staff(actor)?;
                self.running()?;
                self.need_mode(Mode::Definition)?;
                self.draw(card, at, seed)
            }
            BingoCommand::Reveal => {
                self.staff(actor)?;
                self.running()?;
                self.need_mode(Mode::Definition)?;
                match self.rounds.last() {
                    Some(r) if r.result.is_none() => Ok(self.reveal_current()),
                    _ => Err(BingoError::NothingToReveal),
                }
            }
            BingoCommand::Call { card, at } => {
                self.staff(actor)?;
                self.running()?;
                self.need_mode(Mode::Listening)?;
                self.call(card, at)
            }
            BingoCommand::Tap { card } => {
                let pid = self.player(actor)?;
                self.running()?;
                self.need_mode(Mode::Definition)?;
                self.tap(pid, card)
            }
            BingoCommand::Mark { card } => {
                let pid = self.player(actor)?;
                self.running()?;
                self.need_mode(Mode::Listening)?;
                self.mark(pid, card)
            }
            BingoCommand::Claim => {
                let pid = self.player(actor)?;
                self.running()?;
                Ok(self.claim(pid))
            }
            BingoCommand::Pause => {
                self.staff(actor)?;
                self.running()?;
                self.phase = Phase::Paused;
                Ok(vec![self.phase_event()])
            }
            BingoCommand::Resume => {
                self.staff(actor)?;
                match self.phase {
                    Phase::Paused => {
                        self.phase = Phase::Running;
                        Ok(vec![self.phase_event()])
                    }
                    Phase::Ended => Err(BingoError::Ended),
                    Phase::Running => Err(BingoError::NotPaused),
                }
            }
            BingoCommand::End => {
                self.staff(actor)?;
                if self.phase == Phase::Ended {
                    return Err(BingoError::Ended);
                }
                let mut out = Vec::new();
                if self.rounds.last().is_some_and(|r| r.result.is_none()) {
                    out.extend(self.reveal_current());
                }
                self.phase = Phase::Ended;
                out.push(Emit::new(
                    Audience::All,
                    json!({"type": "bingo.ended", "stats": self.stats()}),
                ));
                Ok(out)
            }
            BingoCommand::SetSound { on } => {
                self.staff(actor)?;
                self.not_ended()?;
                self.sound = on;
                Ok(vec![Emit::new(
                    Audience::Staff,
                    json!({"type": "bingo.sound", "on": on}),
                )])
            }
            BingoCommand::SetCountdown { seconds } => {
                self.staff(actor)?;
                self.not_ended()?;
                if seconds != 0 && !(COUNTDOWN_MIN..=COUNTDOWN_MAX).contains(&seconds) {
                    return Err(BingoError::InvalidCountdown);
                }
                self.countdown = seconds;
                Ok(vec![Emit::new(
                    Audience::All,
                    json!({"type": "bingo.countdown", "seconds": seconds}),
                )])
            }
        }
    }

    fn not_ended(&self) -> Result<(), BingoError> {
        match self.phase {
            Phase::Ended => Err(BingoError::Ended),
            _ => Ok(()),
        }
    }

    /// Whether the projector plays a sound on each win.
    pub fn sound(&self) -> bool {
        self.sound
    }

    /// Seconds counted down per definition (0 = none).
    pub fn countdown(&self) -> u32 {
        self.countdown
    }

    fn staff(&self, actor: Actor) -> Result<(), BingoError> {
        match actor {
            Actor::Facilitator => Ok(()),
            Actor::Participant(_) => Err(BingoError::Forbidden),
        }
    }

    fn player(&self, actor: Actor) -> Result<ParticipantId, BingoError> {
        match actor {
            Actor::Facilitator => Err(BingoError::NotAParticipant),
            Actor::Participant(pid) => match self.players.get(&pid) {
                Some(p) if p.active => Ok(pid),
                _ => Err(BingoError::NotInGame),
            },
        }
    }

    fn running(&self) -> Result<(), BingoError> {
        match self.phase {
            Phase::Running => Ok(()),
            Phase::Paused => Err(BingoError::Paused),
            Phase::Ended => Err(BingoError::Ended),
        }
    }

    fn need_mode(&self, mode: Mode) -> Result<(), BingoError> {
        if self.mode == mode {
            Ok(())
        } else {
            Err(BingoError::WrongMode)
        }
    }

    fn is_drawn(&self, card: &str) -> bool {
        self.rounds.iter().any(|r| r.card == card)
    }

    fn draw(&mut self, card: Option<CardId>, at: Option<u64>, seed: u64) -> R {
        let card = match card {
            Some(c) => {
                if !self.deck.contains(&c) {
                    return Err(BingoError::UnknownCard);
                }
                if self.is_drawn(&c) {
                    return Err(BingoError::AlreadyDrawn);
                }
                c
            }
            None => {
                let left: Vec<&CardId> = self.deck.iter().filter(|c| !self.is_drawn(c)).collect();
                if left.is_empty() {
                    return Err(BingoError::DeckExhausted);
                }
                let i = crate::games::below(&mut rng(seed, 0), left.len());
                left[i].clone()
            }
        };
        // Drawing closes an unrevealed definition: the phones still learn their
        // missed cell and the stats stay complete.
        let mut out = Vec::new();
        if self.rounds.last().is_some_and(|r| r.result.is_none()) {
            out.extend(self.reveal_current());
        }
        self.step += 1;
        self.rounds.push(Round {
            card: card.clone(),
            step: self.step,
            answers: BTreeMap::new(),
            result: None,
        });
        self.answered = 0;
        if let Some(at) = at {
            self.times.insert(self.step, at);
        }
        let remaining = GRID_CELLS - self.rounds.len();
        // Phones must not learn the answer: they get the step, staff gets the card.
        out.push(Emit::new(
            Audience::All,
            json!({"type": "bingo.drawn", "step": self.step, "remaining": remaining,
                   "active": self.active_count(), "at": at, "countdown": self.countdown}),
        ));
        out.push(Emit::new(
            Audience::Staff,
            json!({"type": "bingo.definition", "step": self.step, "card": card}),
        ));
        Ok(out)
    }

    fn active_count(&self) -> u32 {
        self.active
    }

    fn reveal_current(&mut self) -> Vec<Emit> {
        let active: BTreeSet<ParticipantId> = self
            .players
            .iter()
            .filter(|(_, p)| p.active)
            .map(|(&id, _)| id)
            .collect();
        let Some(round) = self.rounds.last_mut() else {
            return Vec::new();
        };
        let answered = round
            .answers
            .keys()
            .filter(|id| active.contains(id))
            .count() as u32;
        let found = round
            .answers
            .iter()
            .filter(|(id, ok)| **ok && active.contains(id))
            .count() as u32;
        let result = RoundResult {
            found,
            answered,
            of: active.len() as u32,
        };
        round.result = Some(result);
        vec![Emit::new(
            Audience::All,
            json!({"type": "bingo.revealed", "step": round.step, "card": round.card,
                   "found": found, "answered": answered, "of": result.of}),
        )]
    }

    fn call(&mut self, card: CardId, at: Option<u64>) -> R {
        if !self.deck.contains(&card) {
            return Err(BingoError::UnknownCard);
        }
        if self.called.contains(&card) {
            return Err(BingoError::AlreadyCalled);
        }
        self.step += 1;
        self.called.push(card.clone());
        if let Some(at) = at {
            self.times.insert(self.step, at);
        }
        Ok(vec![Emit::new(
            Audience::All,
            json!({"type": "bingo.called", "step": self.step, "card": card,
                   "remaining": GRID_CELLS - self.called.len(), "at": at}),
        )])
    }

    fn tap(&mut self, pid: ParticipantId, card: CardId) -> R {
        let Some(round) = self.rounds.last() else {
            return Err(BingoError::NoOpenDefinition);
        };
        if round.result.is_some() {
            return Err(BingoError::NoOpenDefinition);
        }
        if round.answers.contains_key(&pid) {
            return Err(BingoError::AlreadyAnswered);
        }
        let player = self.players.get(&pid).ok_or(BingoError::NotInGame)?;
        let cell = player.cell_of(&card).ok_or(BingoError::UnknownCard)?;
        // Earlier definitions are all revealed, so tapping their cells can only be a
        // slip of the finger: refuse instead of costing the player this definition.
        if player.marked[cell] || (card != round.card && self.is_drawn(&card)) {
            return Err(BingoError::CellClosed);
        }
        let correct = card == round.card;
        let step = round.step;
        if let Some(r) = self.rounds.last_mut() {
            r.answers.insert(pid, correct);
        }
        // `pid` is active (checked by `player`) and had not answered.
        self.answered += 1;
        if correct && let Some(p) = self.players.get_mut(&pid) {
            p.marked[cell] = true;
        }
        let answered = self.answered;
        let mut out = vec![Emit::new(
            Audience::Participant(pid),
            json!({"type": "bingo.tapped", "step": step, "card": card, "cell": cell,
                   "correct": correct, "lines": self.lines_of(pid).len()}),
        )];
        out.push(Emit::new(
            Audience::Staff,
            json!({"type": "bingo.answers", "step": step, "answered": answered,
                   "of": self.active_count()}),
        ));
        out.push(self.participant_event(pid));
        Ok(out)
    }

    fn mark(&mut self, pid: ParticipantId, card: CardId) -> R {
        let player = self.players.get(&pid).ok_or(BingoError::NotInGame)?;
        let cell = player.cell_of(&card).ok_or(BingoError::UnknownCard)?;
        if !self.called.contains(&card) {
            return Err(BingoError::NotCalled);
        }
        if player.marked[cell] {
            return Err(BingoError::AlreadyMarked);
        }
        if let Some(p) = self.players.get_mut(&pid) {
            p.marked[cell] = true;
        }
        Ok(vec![
            Emit::new(
                Audience::Participant(pid),
                json!({"type": "bingo.marked", "card": card, "cell": cell,
                       "lines": self.lines_of(pid).len()}),
            ),
            self.participant_event(pid),
        ])
    }

    fn claim(&mut self, pid: ParticipantId) -> Vec<Emit> {
        let step = self.step;
        let Some(player) = self.players.get(&pid) else {
            return Vec::new();
        };
        let lines = player.lines();
        let marks = player.marks();
        let already: Vec<Prize> = player.prizes.clone();
        let valid = Prize::FirstLine.qualifies(lines.len(), marks);
        let mut awarded = Vec::new();
        let mut out = Vec::new();
        if valid {
            for prize in Prize::ALL {
                if !prize.qualifies(lines.len(), marks) || already.contains(&prize) {
                    continue;
                }
                let changed = match self.prizes.iter_mut().find(|a| a.prize == prize) {
                    None => {
                        self.prizes.push(PrizeAward {
                            prize,
                            step,
                            winners: vec![pid],
                            at: self.times.get(&step).copied(),
                        });
                        true
                    }
                    Some(a) if a.step == step => {
                        a.winners.push(pid);
                        true
                    }
                    Some(_) => false,
                };
                if changed {
                    awarded.push(prize);
                    if let Some(a) = self.prizes.iter().find(|a| a.prize == prize) {
                        out.push(Emit::new(
                            Audience::All,
                            json!({"type": "bingo.prize", "prize": prize, "step": a.step,
                                   "winners": a.winners, "new_winner": pid, "at": a.at}),
                        ));
                    }
                }
            }
        } else {
            self.refused.push(RefusedClaim {
                participant: pid,
                step,
            });
        }
        if let Some(p) = self.players.get_mut(&pid) {
            p.claims += 1;
            if !valid {
                p.refused_claims += 1;
            }
            p.prizes.extend(awarded.iter().copied());
        }
        let checked = json!({"type": "bingo.claim_checked", "participant": pid, "step": step,
            "valid": valid, "lines": lines.len(), "completed_lines": lines, "marks": marks,
            "awarded": awarded});
        // Participant and staff get the same verdict; refused claims show on the console.
        let mut verdict = vec![
            Emit::new(Audience::Participant(pid), checked.clone()),
            Emit::new(Audience::Staff, checked),
        ];
        verdict.append(&mut out);
        verdict.push(self.participant_event(pid));
        verdict
    }

    fn phase_event(&self) -> Emit {
        Emit::new(
            Audience::All,
            json!({"type": "bingo.phase", "phase": self.phase}),
        )
    }

    /// Staff-side summary of one participant (console list).
    fn participant_summary(&self, pid: ParticipantId) -> Value {
        match self.players.get(&pid) {
            Some(p) => json!({"id": pid, "active": p.active, "marks": p.marks(),
                "lines": p.lines().len(), "claims": p.claims,
                "refused_claims": p.refused_claims, "prizes": p.prizes}),
            None => Value::Null,
        }
    }

    fn participant_event(&self, pid: ParticipantId) -> Emit {
        Emit::new(
            Audience::Staff,
            json!({"type": "bingo.participant", "participant": self.participant_summary(pid),
                   "active": self.active_count()}),
        )
    }

    /// Per-card success rates and the three hardest terms.
    ///
    /// Definition mode: found / active participants at the reveal. Listening mode:
    /// active participants who marked the term / active participants now. Cards
    /// never drawn or called are left out.
    pub fn stats(&self) -> Value {
        let mut cards: Vec<(CardId, u32, u32)> = Vec::new();
        match self.mode {
            Mode::Definition => {
                for r in &self.rounds {
                    if let Some(res) = r.result {
                        cards.push((r.card.clone(), res.found, res.of));
                    }
                }
            }
            Mode::Listening => {
                let active: Vec<&Player> = self.players.values().filter(|p| p.active).collect();
                for c in &self.called {
                    let found = active
                        .iter()
                        .filter(|p| p.cell_of(c).is_some_and(|i| p.marked[i]))
                        .count() as u32;
                    cards.push((c.clone(), found, active.len() as u32));
                }
            }
        }
        // Lowest rate first, compared exactly (a/b < c/d ⇔ ad < cb); stable sort keeps
        // draw order among equal rates.
        let mut hardest: Vec<&(CardId, u32, u32)> = cards.iter().filter(|c| c.2 > 0).collect();
        hardest.sort_by(|a, b| {
            (u64::from(a.1) * u64::from(b.2)).cmp(&(u64::from(b.1) * u64::from(a.2)))
        });
        let per_card: Vec<Value> = cards
            .iter()
            .map(|(c, f, o)| json!({"card": c, "found": f, "of": o, "rate": rate(*f, *o)}))
            .collect();
        let hardest: Vec<Value> = hardest
            .iter()
            .take(3)
            .map(|(c, f, o)| json!({"card": c, "found": f, "of": o, "rate": rate(*f, *o)}))
            .collect();
        json!({"cards": per_card, "hardest": hardest, "prizes": self.prizes})
    }

    /// Everything `viewer` may see, for a fresh snapshot. Participants never see the
    /// card of an unrevealed definition.
    pub fn view(&self, viewer: Viewer) -> Value {
        let stats = if self.phase == Phase::Ended {
            self.stats()
        } else {
            Value::Null
        };
        match viewer {
            // The projector shows the definition drawn: it sees what the console sees.
            Viewer::Staff | Viewer::Screen => {
                let current = self.rounds.last().map(|r| {
                    let mut c = json!({"step": r.step, "card": r.card, "revealed": r.result.is_some(),
                        "answered": self.answered,
                        "result": r.result.map(|x| json!({"found": x.found, "answered": x.answered, "of": x.of}))});
                    self.with_time(&mut c, r.step);
                    c
                });
                let rounds: Vec<Value> = self
                    .rounds
                    .iter()
                    .filter_map(|r| {
                        r.result.map(|x| {
                            json!({"step": r.step, "card": r.card,
                            "found": x.found, "answered": x.answered, "of": x.of})
                        })
                    })
                    .collect();
                let participants: Vec<Value> = self
                    .players
                    .keys()
                    .map(|&id| self.participant_summary(id))
                    .collect();
                let refused: Vec<Value> = self
                    .refused
                    .iter()
                    .map(|r| json!({"participant": r.participant, "step": r.step}))
                    .collect();
                json!({"game": "bingo", "viewer": "staff", "mode": self.mode, "phase": self.phase,
                    "step": self.step, "deck": self.deck, "drawn": self.staff_drawn(),
                    "current": current, "rounds": rounds, "active": self.active_count(),
                    "participants": participants, "refused_claims": refused,
                    "prizes": self.prizes, "stats": stats, "sound": self.sound,
                    "countdown": self.countdown})
            }
            Viewer::Participant(pid) => {
                let Some(p) = self.players.get(&pid) else {
                    return json!({"game": "bingo", "viewer": "participant", "joined": false,
                        "mode": self.mode, "phase": self.phase});
                };
                let public: Vec<&CardId> = match self.mode {
                    Mode::Definition => self
                        .rounds
                        .iter()
                        .filter(|r| r.result.is_some())
                        .map(|r| &r.card)
                        .collect(),
                    Mode::Listening => self.called.iter().collect(),
                };
                let marked: Vec<usize> = (0..GRID_CELLS).filter(|&i| p.marked[i]).collect();
                // Missed: a revealed definition whose cell is not marked (definition mode only;
                // in listening mode an unmarked called term can still be marked).
                let missed: Vec<usize> = match self.mode {
                    Mode::Definition => public
                        .iter()
                        .filter_map(|c| p.cell_of(c))
                        .filter(|&i| !p.marked[i])
                        .collect(),
                    Mode::Listening => Vec::new(),
                };
                let current = match self.mode {
                    Mode::Definition => self.rounds.last().map(|r| {
                        let mut c = json!({"step": r.step, "revealed": r.result.is_some(),
                            "card": if r.result.is_some() { json!(r.card) } else { Value::Null },
                            "answered": r.answers.contains_key(&pid),
                            "correct": r.answers.get(&pid)});
                        self.with_time(&mut c, r.step);
                        c
                    }),
                    Mode::Listening => None,
                };
                json!({"game": "bingo", "viewer": "participant", "joined": true, "id": pid,
                    "mode": self.mode, "phase": self.phase, "step": self.step,
                    "grid": p.grid, "marked": marked, "missed": missed, "drawn": public,
                    "current": current, "lines": p.lines().len(), "completed_lines": p.lines(),
                    "claims": p.claims,
                    "my_prizes": p.prizes, "prizes": self.prizes, "stats": stats,
                    "countdown": self.countdown})
            }
        }
    }

    /// Adds `at`, the clock time of `step`'s draw, to a view's `current` when it is known.
    fn with_time(&self, current: &mut Value, step: u32) {
        if let Some(at) = self.times.get(&step) {
            current["at"] = json!(at);
        }
    }

    fn staff_drawn(&self) -> Vec<&CardId> {
        match self.mode {
            Mode::Definition => self.rounds.iter().map(|r| &r.card).collect(),
            Mode::Listening => self.called.iter().collect(),
        }
    }
}

/// A fixed-key hash of a grid (the same in every run; only used to skip comparisons).
fn grid_hash(grid: &[CardId]) -> u64 {
    let mut hasher = DefaultHasher::new();
    grid.hash(&mut hasher);
    hasher.finish()
}

fn rate(found: u32, of: u32) -> Value {
    if of == 0 {
        Value::Null
    } else {
        json!(f64::from(found) / f64::from(of))
    }
}

#[cfg(test)]
mod tests;
