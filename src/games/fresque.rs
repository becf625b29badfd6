//! Fresque de la reconnaissance (issue 5): teams order the deck chronologically on a
//! shared timeline.
//!
//! Each team plays its own copy of every pack. Per team, the cards dealt so far are
//! always exactly `board + members' hands + pool` (no loss, no duplicate): every
//! command moves cards between those places and nothing else creates or drops one.
//! The pool only holds cards while a team has no member present; the next member to
//! arrive receives it.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::games::{Actor, Audience, CardId, Emit, ParticipantId, Viewer, rng, shuffle};

mod scoring;
pub use scoring::{CardResult, CardScore, Colour, Misplacement, Score, card_results, score};

/// Index of a team in the game (0-based; screens show `id + 1`).
pub type TeamId = u32;

/// Upper bound for `form_teams`, so a typo cannot create thousands of empty teams.
pub const MAX_TEAMS: u32 = 64;

/// Reference data of one card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefEntry {
    pub card: CardId,
    /// Reference rank; cards that are alternatives of each other share a rank.
    pub rank: u32,
    /// Other ranks accepted where the chronology is debatable.
    #[serde(default)]
    pub alternatives: Vec<u32>,
}

/// The reference chronology (validated: non-empty, distinct non-empty ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    entries: Vec<RefEntry>,
}

impl Reference {
    pub fn new(entries: Vec<RefEntry>) -> Result<Self, FresqueError> {
        if entries.is_empty() {
            return Err(FresqueError::InvalidReference("no card".into()));
        }
        let mut seen = BTreeSet::new();
        for e in &entries {
            if e.card.is_empty() {
                return Err(FresqueError::InvalidReference("empty card id".into()));
            }
            if !seen.insert(e.card.as_str()) {
                return Err(FresqueError::InvalidReference(format!(
                    "duplicate card {:?}",
                    e.card
                )));
            }
        }
        Ok(Reference { entries })
    }

    pub fn entries(&self) -> &[RefEntry] {
        &self.entries
    }

    pub fn get(&self, card: &str) -> Option<&RefEntry> {
        self.entries.iter().find(|e| e.card == card)
    }

    /// (lowest, highest) accepted rank of a card.
    fn span(&self, card: &str) -> Option<(u32, u32)> {
        self.get(card).map(|e| {
            let lo = e.alternatives.iter().copied().fold(e.rank, u32::min);
            let hi = e.alternatives.iter().copied().fold(e.rank, u32::max);
            (lo, hi)
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FresqueCommand {
    /// Staff: (re)form balanced teams, before the first deal. Exactly one of
    /// `count` (number of teams) or `size` (wanted team size).
    FormTeams {
        #[serde(default)]
        count: Option<u32>,
        #[serde(default)]
        size: Option<u32>,
    },
    /// Staff: put a participant in another team.
    MoveMember {
        participant: ParticipantId,
        team: TeamId,
    },
    /// Staff: deal the next pack to every team.
    Deal,
    /// Member: put a card from my hand on my team's timeline, after `after`
    /// (`null`/absent = first).
    Place {
        card: CardId,
        #[serde(default)]
        after: Option<CardId>,
    },
    /// Member: move any placed card of my team after `after` (`null`/absent = first).
    Move {
        card: CardId,
        #[serde(default)]
        after: Option<CardId>,
    },
    /// Member: take a placed card back into my hand.
    Return { card: CardId },
    /// Staff: score every board; boards freeze.
    Reveal,
    /// Staff: show the `index`-th card of the reference order (debrief walk-through).
    Debrief { index: u32 },
    /// Staff: show one team's board on the projector (`null` = all teams).
    ShowTeam {
        #[serde(default)]
        team: Option<TeamId>,
    },
    /// Staff (or the room when the grace period ends): an away member's hand goes to the
    /// teammates who are there.
    ReleaseHand { participant: ParticipantId },
    /// Staff: how long an away member keeps their hand before it goes to the team.
    SetGrace { seconds: u32 },
}

/// How long an away member keeps their cards, unless the facilitator chose otherwise.
pub const DEFAULT_GRACE_SECONDS: u32 = 60;
/// The longest grace period a facilitator may set.
pub const MAX_GRACE_SECONDS: u32 = 600;

fn default_grace() -> u32 {
    DEFAULT_GRACE_SECONDS
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FresqueError {
    #[error("invalid reference: {0}")]
    InvalidReference(String),
    #[error("invalid packs: {0}")]
    InvalidPacks(String),
    #[error("only the facilitator may do that")]
    Forbidden,
    #[error("only a participant may do that")]
    NotAParticipant,
    #[error("you are not in this fresque")]
    NotInGame,
    #[error("you are not in a team yet")]
    NoTeam,
    #[error("teams have not been formed yet")]
    TeamsNotFormed,
    #[error("teams cannot be re-formed once cards are dealt")]
    AlreadyDealt,
    #[error("give either a number of teams (1–64) or a team size (at least 1)")]
    InvalidTeamSpec,
    #[error("no such team")]
    UnknownTeam,
    #[error("this participant is already in that team")]
    AlreadyInTeam,
    #[error("every pack has been dealt")]
    NoMorePacks,
    #[error("this card is not in your hand")]
    NotInHand,
    #[error("this card is not on your team's timeline")]
    NotOnBoard,
    #[error("the card to place after is not on the timeline (any more)")]
    AnchorNotOnBoard,
    #[error("a card cannot be placed after itself")]
    AnchorIsSelf,
    #[error("the boards have been revealed")]
    Revealed,
    #[error("the boards have not been revealed yet")]
    NotRevealed,
    #[error("no card at this debrief position")]
    IndexOutOfRange,
    #[error("this participant is not away")]
    NotAway,
    #[error("this participant holds no card")]
    EmptyHand,
    #[error("the grace period is 0 to 600 seconds")]
    InvalidGrace,
}

impl FresqueError {
    /// Stable machine code sent to clients.
    pub fn code(&self) -> &'static str {
        match self {
            FresqueError::InvalidReference(_) => "invalid_reference",
            FresqueError::InvalidPacks(_) => "invalid_packs",
            FresqueError::Forbidden => "forbidden",
            FresqueError::NotAParticipant => "not_a_participant",
            FresqueError::NotInGame => "not_in_game",
            FresqueError::NoTeam => "no_team",
            FresqueError::TeamsNotFormed => "teams_not_formed",
            FresqueError::AlreadyDealt => "already_dealt",
            FresqueError::InvalidTeamSpec => "invalid_team_spec",
            FresqueError::UnknownTeam => "unknown_team",
            FresqueError::AlreadyInTeam => "already_in_team",
            FresqueError::NoMorePacks => "no_more_packs",
            FresqueError::NotInHand => "not_in_hand",
            FresqueError::NotOnBoard => "not_on_board",
            FresqueError::AnchorNotOnBoard => "anchor_not_on_board",
            FresqueError::AnchorIsSelf => "anchor_is_self",
            FresqueError::Revealed => "revealed",
            FresqueError::NotRevealed => "not_revealed",
            FresqueError::IndexOutOfRange => "index_out_of_range",
            FresqueError::NotAway => "not_away",
            FresqueError::EmptyHand => "empty_hand",
            FresqueError::InvalidGrace => "invalid_grace",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Team {
    /// Members present, in arrival order (the round-robin order).
    members: Vec<ParticipantId>,
    /// The shared timeline, earliest first.
    board: Vec<CardId>,
    hands: BTreeMap<ParticipantId, Vec<CardId>>,
    /// Cards waiting for a member (only while nobody is present).
    pool: Vec<CardId>,
    /// Every card dealt to this team (for the no-loss invariant and the projector).
    dealt: Vec<CardId>,
    /// Bumped on every change, so clients can drop stale updates.
    rev: u64,
    /// Round-robin position carried across deals, so the same member does not
    /// always get the extra card.
    cursor: u64,
    /// Members away (a subset of `members`): they keep their place and, until the grace
    /// period ends, their hand, but receive no card.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    away: BTreeSet<ParticipantId>,
}

impl Team {
    fn new() -> Self {
        Team {
            members: Vec::new(),
            board: Vec::new(),
            hands: BTreeMap::new(),
            pool: Vec::new(),
            dealt: Vec::new(),
            rev: 0,
            cursor: 0,
            away: BTreeSet::new(),
        }
    }

    /// Members who are there (not away), in arrival order: those who receive cards.
    fn present(&self) -> Vec<ParticipantId> {
        self.members
            .iter()
            .copied()
            .filter(|m| !self.away.contains(m))
            .collect()
    }

    /// Gives cards to the members there with the fewest cards (ties: arrival order), or
    /// to the pool when nobody is there. Returns who received what.
    fn distribute(&mut self, cards: Vec<CardId>) -> BTreeMap<ParticipantId, Vec<CardId>> {
        let mut received: BTreeMap<ParticipantId, Vec<CardId>> = BTreeMap::new();
        let present = self.present();
        for card in cards {
            let target = present
                .iter()
                .min_by_key(|m| self.hands.get(m).map_or(0, Vec::len))
                .copied();
            match target {
                Some(m) => {
                    self.hands.entry(m).or_default().push(card.clone());
                    received.entry(m).or_default().push(card);
                }
                None => self.pool.push(card),
            }
        }
        received
    }

    /// Gives a member who arrives (or comes back) a hand: the pool, then cards from the
    /// largest hands of those there until hands differ by one at most. Returns whose hand
    /// changed (the arriving member's always).
    fn hand_to(&mut self, pid: ParticipantId) -> BTreeMap<ParticipantId, Vec<CardId>> {
        let pool = std::mem::take(&mut self.pool);
        let mut received = self.distribute(pool);
        let others: Vec<ParticipantId> = self.present().into_iter().filter(|&m| m != pid).collect();
        loop {
            let mine = self.hands.get(&pid).map_or(0, Vec::len);
            let Some(richest) = others
                .iter()
                .copied()
                .max_by_key(|m| (self.hands.get(m).map_or(0, Vec::len), std::cmp::Reverse(*m)))
            else {
                break;
            };
            let Some(hand) = self.hands.get_mut(&richest) else {
                break;
            };
            if hand.len() <= mine + 1 {
                break;
            }
            let Some(card) = hand.pop() else { break };
            received.entry(richest).or_default();
            self.hands.entry(pid).or_default().push(card.clone());
            received.entry(pid).or_default().push(card);
        }
        received.entry(pid).or_default();
        received
    }

    fn hand_counts(&self) -> Value {
        Value::Array(
            self.members
                .iter()
                .map(|m| match self.away.contains(m) {
                    true => json!({"id": m, "hand": self.hands.get(m).map_or(0, Vec::len), "away": true}),
                    false => json!({"id": m, "hand": self.hands.get(m).map_or(0, Vec::len)}),
                })
                .collect(),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Member {
    /// Current team, or the team to return to after leaving.
    team: Option<TeamId>,
    active: bool,
    /// Away (no socket for a while): not in teams being formed, dealt nothing.
    #[serde(default)]
    away: bool,
}

/// Full fresque state; serialisable for the room's periodic snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fresque {
    reference: Reference,
    packs: Vec<Vec<CardId>>,
    /// Cards of all packs in reference order (rank, then reference file order).
    debrief_order: Vec<CardId>,
    packs_dealt: usize,
    teams: Vec<Team>,
    members: BTreeMap<ParticipantId, Member>,
    /// Per team, computed once at reveal.
    results: Option<Vec<Score>>,
    /// The debrief's per-card view of `results`, computed with them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    card_results: Option<Vec<CardResult>>,
    debrief: Option<u32>,
    shown_team: Option<TeamId>,
    /// Seconds an away member keeps their hand before it goes to the team.
    #[serde(default = "default_grace")]
    grace: u32,
}

type R = Result<Vec<Emit>, FresqueError>;

impl Fresque {
    /// `packs` are dealt in order; every pack card must be in the reference, once.
    pub fn new(reference: Reference, packs: Vec<Vec<CardId>>) -> Result<Self, FresqueError> {
        if packs.is_empty() || packs.iter().any(Vec::is_empty) {
            return Err(FresqueError::InvalidPacks("empty pack list or pack".into()));
        }
        let mut seen = BTreeSet::new();
        for c in packs.iter().flatten() {
            if reference.get(c).is_none() {
                return Err(FresqueError::InvalidPacks(format!(
                    "card {c:?} has no reference rank"
                )));
            }
            if !seen.insert(c.clone()) {
                return Err(FresqueError::InvalidPacks(format!(
                    "card {c:?} is in two packs"
                )));
            }
        }
        let mut order: Vec<&RefEntry> = reference
            .entries
            .iter()
            .filter(|e| seen.contains(&e.card))
            .collect();
        order.sort_by_key(|e| e.rank);
        let debrief_order = order.iter().map(|e| e.card.clone()).collect();
        Ok(Fresque {
            reference,
            packs,
            debrief_order,
            packs_dealt: 0,
            teams: Vec::new(),
            members: BTreeMap::new(),
            results: None,
            card_results: None,
            debrief: None,
            shown_team: None,
            grace: DEFAULT_GRACE_SECONDS,
        })
    }

    /// Seconds an away member keeps their hand.
    pub fn grace(&self) -> u32 {
        self.grace
    }

    /// Away members who still hold cards (the room releases them when their grace period
    /// ends); none once the boards are revealed.
    pub fn away_holding(&self) -> Vec<ParticipantId> {
        if self.revealed() {
            return Vec::new();
        }
        self.teams
            .iter()
            .flat_map(|t| {
                t.away
                    .iter()
                    .filter(|m| t.hands.get(m).is_some_and(|h| !h.is_empty()))
                    .copied()
            })
            .collect()
    }

    /// Cards held per team: (board, hands in member order, pool, dealt). For tests
    /// and for the room's consistency checks.
    pub fn team_cards(&self, team: TeamId) -> Option<TeamCards> {
        self.teams.get(team as usize).map(|t| TeamCards {
            members: t.members.clone(),
            board: t.board.clone(),
            hands: t.hands.clone(),
            pool: t.pool.clone(),
            dealt: t.dealt.clone(),
            away: t.away.clone(),
        })
    }

    pub fn team_count(&self) -> usize {
        self.teams.len()
    }

    /// Current team of a present participant.
    pub fn team_of(&self, pid: ParticipantId) -> Option<TeamId> {
        self.members
            .get(&pid)
            .filter(|m| m.active)
            .and_then(|m| m.team)
    }

    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    fn revealed(&self) -> bool {
        self.results.is_some()
    }

    /// Joins (or rejoins) a participant. Once teams exist, a newcomer goes to the
    /// smallest team (ties: lowest id); a returning member goes back to their team.
    /// `seed` is unused today (placement is deterministic) but kept so every game
    /// has the same shape.
    pub fn add_participant(&mut self, pid: ParticipantId, _seed: u64) -> Vec<Emit> {
        let previous = match self.members.get(&pid) {
            Some(m) if m.active => return Vec::new(),
            Some(m) => m.team,
            None => None,
        };
        self.members.insert(
            pid,
            Member {
                team: None,
                active: true,
                away: false,
            },
        );
        if self.teams.is_empty() {
            // Before teams exist a join only adds one id to the unassigned: say just that
            // (the whole roster on every join is O(N) bytes per join for the console).
            return vec![unassigned_event(pid, true)];
        }
        let team = previous
            .filter(|&t| (t as usize) < self.teams.len())
            .unwrap_or_else(|| self.smallest_team());
        let mut out = self.join_team(pid, team, "joined");
        out.push(self.roster_event());
        out
    }

    /// A participant leaves: their hand goes back to the team (see [`Team::distribute`]).
    pub fn remove_participant(&mut self, pid: ParticipantId) -> Vec<Emit> {
        match self.members.get_mut(&pid) {
            Some(m) if m.active => m.active = false,
            _ => return Vec::new(),
        }
        if self.teams.is_empty() {
            return vec![unassigned_event(pid, false)];
        }
        let mut out = self.leave_team(pid, "left");
        out.push(self.roster_event());
        out
    }

    /// A participant went away: they keep their team and, until the facilitator or the
    /// grace period releases it, their hand; they are dealt nothing meanwhile.
    pub fn set_away(&mut self, pid: ParticipantId) -> Vec<Emit> {
        match self.members.get_mut(&pid) {
            Some(m) if m.active && !m.away => m.away = true,
            _ => return Vec::new(),
        }
        let Some(team) = self.team_of(pid) else {
            return Vec::new();
        };
        let Some(t) = self.teams.get_mut(team as usize) else {
            return Vec::new();
        };
        t.away.insert(pid);
        t.rev += 1;
        self.team_event(team, "away", Some(pid))
    }

    /// A participant came back: into their team if they have one (as a late joiner if
    /// not), with a hand again: the pool, else cards from the largest hands until hands
    /// differ by one at most.
    pub fn set_back(&mut self, pid: ParticipantId) -> Vec<Emit> {
        match self.members.get_mut(&pid) {
            Some(m) if m.active && m.away => m.away = false,
            _ => return Vec::new(),
        }
        if self.teams.is_empty() {
            return Vec::new();
        }
        let Some(team) = self.team_of(pid) else {
            let team = self.smallest_team();
            let mut out = self.join_team(pid, team, "joined");
            out.push(self.roster_event());
            return out;
        };
        let Some(t) = self.teams.get_mut(team as usize) else {
            return Vec::new();
        };
        t.away.remove(&pid);
        let received = t.hand_to(pid);
        t.rev += 1;
        let mut out = self.team_event(team, "back", Some(pid));
        out.extend(self.hand_events(team, &received));
        out
    }

    /// An away member's hand goes to the teammates there (to the pool if nobody is).
    fn release_hand(&mut self, pid: ParticipantId) -> R {
        if self.revealed() {
            return Err(FresqueError::Revealed);
        }
        let team = self.team_of(pid).ok_or(FresqueError::NoTeam)?;
        let t = self.team_ref(team)?;
        if !t.away.contains(&pid) {
            return Err(FresqueError::NotAway);
        }
        if t.hands.get(&pid).is_none_or(Vec::is_empty) {
            return Err(FresqueError::EmptyHand);
        }
        let t = self.team_mut(team)?;
        let hand = t.hands.insert(pid, Vec::new()).unwrap_or_default();
        let received = t.distribute(hand);
        t.rev += 1;
        let mut out = self.team_event(team, "released", Some(pid));
        out.extend(self.hand_events(team, &received));
        Ok(out)
    }

    fn smallest_team(&self) -> TeamId {
        self.teams
            .iter()
            .enumerate()
            .min_by_key(|(_, t)| t.members.len() - t.away.len())
            .map_or(0, |(i, _)| i as TeamId)
    }

    /// Adds an active participant to a team (which must exist); they receive the
    /// pool if the team was empty.
    fn join_team(&mut self, pid: ParticipantId, team: TeamId, reason: &str) -> Vec<Emit> {
        let Some(t) = self.teams.get_mut(team as usize) else {
            return Vec::new();
        };
        let mut away = false;
        if let Some(m) = self.members.get_mut(&pid) {
            m.team = Some(team);
            away = m.away;
        }
        t.members.push(pid);
        if away {
            t.away.insert(pid);
        }
        t.hands.insert(pid, Vec::new());
        let received = if away {
            BTreeMap::from([(pid, Vec::new())])
        } else {
            t.hand_to(pid)
        };
        t.rev += 1;
        let mut out = self.team_event(team, reason, Some(pid));
        out.extend(self.hand_events(team, &received));
        out
    }

    /// Removes a participant from their current team, handing their cards back to
    /// the others. Keeps `Member::team` so that a rejoin finds the team again.
    fn leave_team(&mut self, pid: ParticipantId, reason: &str) -> Vec<Emit> {
        let Some(team) = self.members.get(&pid).and_then(|m| m.team) else {
            return Vec::new();
        };
        let Some(t) = self.teams.get_mut(team as usize) else {
            return Vec::new();
        };
        if !t.members.contains(&pid) {
            return Vec::new();
        }
        t.members.retain(|&m| m != pid);
        t.away.remove(&pid);
        let hand = t.hands.remove(&pid).unwrap_or_default();
        let received = t.distribute(hand);
        t.rev += 1;
        let mut out = self.team_event(team, reason, Some(pid));
        out.extend(self.hand_events(team, &received));
        out
    }

    pub fn apply(
        &mut self,
        actor: Actor,
        cmd: FresqueCommand,
        seed: u64,
    ) -> Result<Vec<Emit>, FresqueError> {
        // Every branch validates fully before mutating, so errors leave `self` as is.
        match cmd {
            FresqueCommand::FormTeams { count, size } => {
                staff(actor)?;
                self.form_teams(count, size, seed)
            }
            FresqueCommand::MoveMember { participant, team } => {
                staff(actor)?;
                if self.teams.is_empty() {
                    return Err(FresqueError::TeamsNotFormed);
                }
                if team as usize >= self.teams.len() {
                    return Err(FresqueError::UnknownTeam);
                }
                if !self.members.get(&participant).is_some_and(|m| m.active) {
                    return Err(FresqueError::NotInGame);
                }
                if self.team_of(participant) == Some(team) {
                    return Err(FresqueError::AlreadyInTeam);
                }
                let mut out = self.leave_team(participant, "moved_out");
                out.extend(self.join_team(participant, team, "moved_in"));
                out.push(self.roster_event());
                Ok(out)
            }
            FresqueCommand::Deal => {
                staff(actor)?;
                self.deal(seed)
            }
            FresqueCommand::Place { card, after } => {
                let (pid, team) = self.member(actor)?;
                self.place(pid, team, card, after)
            }
            FresqueCommand::Move { card, after } => {
                let (pid, team) = self.member(actor)?;
                self.move_card(pid, team, card, after)
            }
            FresqueCommand::Return { card } => {
                let (pid, team) = self.member(actor)?;
                self.return_card(pid, team, card)
            }
            FresqueCommand::Reveal => {
                staff(actor)?;
                if self.teams.is_empty() {
                    return Err(FresqueError::TeamsNotFormed);
                }
                if self.revealed() {
                    return Err(FresqueError::Revealed);
                }
                let results: Vec<Score> = self
                    .teams
                    .iter()
                    .map(|t| score(&t.board, &self.reference, &self.packs))
                    .collect();
                self.card_results = Some(card_results(&results, &self.debrief_order));
                self.results = Some(results);
                // The projector had progress only: now it may show any team's timeline and
                // walk the reference in the debrief.
                let boards: Vec<Value> = self
                    .teams
                    .iter()
                    .enumerate()
                    .map(|(i, t)| json!({"id": i, "board": t.board}))
                    .collect();
                Ok(vec![
                    Emit::new(
                        Audience::All,
                        json!({"type": "fresque.revealed", "results": self.results_json(),
                               "cards": self.card_results}),
                    ),
                    Emit::new(
                        Audience::Screen,
                        json!({"type": "fresque.boards", "teams": boards,
                               "reference_order": self.reference_order()}),
                    ),
                ])
            }
            FresqueCommand::Debrief { index } => {
                staff(actor)?;
                if !self.revealed() {
                    return Err(FresqueError::NotRevealed);
                }
                let entry = self
                    .debrief_entry(index)
                    .ok_or(FresqueError::IndexOutOfRange)?;
                self.debrief = Some(index);
                Ok(vec![Emit::new(
                    Audience::All,
                    json!({"type": "fresque.debrief", "debrief": entry}),
                )])
            }
            FresqueCommand::ReleaseHand { participant } => {
                staff(actor)?;
                self.release_hand(participant)
            }
            FresqueCommand::SetGrace { seconds } => {
                staff(actor)?;
                if seconds > MAX_GRACE_SECONDS {
                    return Err(FresqueError::InvalidGrace);
                }
                self.grace = seconds;
                Ok(vec![Emit::new(
                    Audience::Staff,
                    json!({"type": "fresque.grace", "seconds": seconds}),
                )])
            }
            FresqueCommand::ShowTeam { team } => {
                staff(actor)?;
                if let Some(t) = team
                    && t as usize >= self.teams.len()
                {
                    return Err(FresqueError::UnknownTeam);
                }
                self.shown_team = team;
                Ok(vec![Emit::new(
                    Audience::Staff,
                    json!({"type": "fresque.show_team", "team": team}),
                )])
            }
        }
    }

    /// The acting participant and their team.
    fn member(&self, actor: Actor) -> Result<(ParticipantId, TeamId), FresqueError> {
        let Actor::Participant(pid) = actor else {
            return Err(FresqueError::NotAParticipant);
        };
        if !self.members.get(&pid).is_some_and(|m| m.active) {
            return Err(FresqueError::NotInGame);
        }
        let team = self.team_of(pid).ok_or(FresqueError::NoTeam)?;
        if self.revealed() {
            return Err(FresqueError::Revealed);
        }
        Ok((pid, team))
    }

    fn form_teams(&mut self, count: Option<u32>, size: Option<u32>, seed: u64) -> R {
        if self.packs_dealt > 0 {
            return Err(FresqueError::AlreadyDealt);
        }
        // Those there now: an away participant joins a team when they come back.
        let mut present: Vec<ParticipantId> = self
            .members
            .iter()
            .filter(|(_, m)| m.active && !m.away)
            .map(|(&id, _)| id)
            .collect();
        let n = present.len() as u32;
        let k = match (count, size) {
            (Some(c), None) if (1..=MAX_TEAMS).contains(&c) => c,
            (None, Some(s)) if s >= 1 => n.div_ceil(s).clamp(1, MAX_TEAMS),
            _ => return Err(FresqueError::InvalidTeamSpec),
        };
        // Random mix (people sitting together need not end up together), then
        // round-robin: sizes differ by at most one.
        shuffle(&mut present, &mut rng(seed, 0));
        self.teams = (0..k).map(|_| Team::new()).collect();
        for m in self.members.values_mut() {
            m.team = None;
        }
        for (i, pid) in present.iter().enumerate() {
            let team = (i as u32) % k;
            if let Some(t) = self.teams.get_mut(team as usize) {
                t.members.push(*pid);
                t.hands.insert(*pid, Vec::new());
            }
            if let Some(m) = self.members.get_mut(pid) {
                m.team = Some(team);
            }
        }
        let mut out = Vec::new();
        for team in 0..k {
            out.extend(self.team_event(team, "formed", None));
        }
        out.push(self.roster_event());
        Ok(out)
    }

    fn deal(&mut self, seed: u64) -> R {
        if self.teams.is_empty() {
            return Err(FresqueError::TeamsNotFormed);
        }
        if self.revealed() {
            return Err(FresqueError::Revealed);
        }
        let Some(pack) = self.packs.get(self.packs_dealt).cloned() else {
            return Err(FresqueError::NoMorePacks);
        };
        self.packs_dealt += 1;
        let mut out = Vec::new();
        for (i, t) in self.teams.iter_mut().enumerate() {
            // Shuffled per team so the deck file's (chronological) pack order gives
            // nothing away; one random stream per team.
            let mut cards = pack.clone();
            shuffle(&mut cards, &mut rng(seed, i as u64));
            t.dealt.extend(cards.iter().cloned());
            let mut received: BTreeMap<ParticipantId, Vec<CardId>> = BTreeMap::new();
            let present = t.present();
            if present.is_empty() {
                t.pool.extend(cards);
            } else {
                for card in cards {
                    let m = present[(t.cursor % present.len() as u64) as usize];
                    t.cursor += 1;
                    t.hands.entry(m).or_default().push(card.clone());
                    received.entry(m).or_default().push(card);
                }
            }
            t.rev += 1;
            let team = i as TeamId;
            let snapshot = self_team_event_parts(t, team, "dealt", None, self.packs_dealt);
            out.extend(snapshot);
            out.extend(hand_events_of(t, team, &received));
        }
        Ok(out)
    }

    fn place(
        &mut self,
        pid: ParticipantId,
        team: TeamId,
        card: CardId,
        after: Option<CardId>,
    ) -> R {
        let t = self.team_ref(team)?;
        let pos_in_hand = t
            .hands
            .get(&pid)
            .and_then(|h| h.iter().position(|c| *c == card))
            .ok_or(FresqueError::NotInHand)?;
        let at = insertion_index(&t.board, after.as_deref())?;
        let t = self.team_mut(team)?;
        if let Some(h) = t.hands.get_mut(&pid) {
            h.remove(pos_in_hand);
        }
        t.board.insert(at, card.clone());
        t.rev += 1;
        let mut out = self.board_event(team, "place", pid, &card, after.as_ref());
        out.extend(self.hand_events(team, &BTreeMap::from([(pid, Vec::new())])));
        Ok(out)
    }

    fn move_card(
        &mut self,
        pid: ParticipantId,
        team: TeamId,
        card: CardId,
        after: Option<CardId>,
    ) -> R {
        let t = self.team_ref(team)?;
        let from = t
            .board
            .iter()
            .position(|c| *c == card)
            .ok_or(FresqueError::NotOnBoard)?;
        if after.as_ref() == Some(&card) {
            return Err(FresqueError::AnchorIsSelf);
        }
        let mut board = t.board.clone();
        board.remove(from);
        let at = insertion_index(&board, after.as_deref())?;
        board.insert(at, card.clone());
        let t = self.team_mut(team)?;
        t.board = board;
        t.rev += 1;
        Ok(self.board_event(team, "move", pid, &card, after.as_ref()))
    }

    fn return_card(&mut self, pid: ParticipantId, team: TeamId, card: CardId) -> R {
        let t = self.team_ref(team)?;
        let from = t
            .board
            .iter()
            .position(|c| *c == card)
            .ok_or(FresqueError::NotOnBoard)?;
        let t = self.team_mut(team)?;
        t.board.remove(from);
        t.hands.entry(pid).or_default().push(card.clone());
        t.rev += 1;
        let mut out = self.board_event(team, "return", pid, &card, None);
        out.extend(self.hand_events(team, &BTreeMap::from([(pid, vec![card])])));
        Ok(out)
    }

    fn team_ref(&self, team: TeamId) -> Result<&Team, FresqueError> {
        self.teams.get(team as usize).ok_or(FresqueError::NoTeam)
    }

    fn team_mut(&mut self, team: TeamId) -> Result<&mut Team, FresqueError> {
        self.teams
            .get_mut(team as usize)
            .ok_or(FresqueError::NoTeam)
    }

    fn board_event(
        &self,
        team: TeamId,
        action: &str,
        by: ParticipantId,
        card: &CardId,
        after: Option<&CardId>,
    ) -> Vec<Emit> {
        let Some(t) = self.teams.get(team as usize) else {
            return Vec::new();
        };
        let event = json!({"type": "fresque.board", "team": team, "rev": t.rev, "action": action,
               "by": by, "card": card, "after": after, "board": t.board,
               "hands": t.hand_counts()});
        // A move changes no count: the projector has nothing new to show.
        let progress = (action != "move").then_some(self.packs_dealt);
        to_team_members(t, team, event, progress)
    }

    fn team_event(&self, team: TeamId, reason: &str, who: Option<ParticipantId>) -> Vec<Emit> {
        match self.teams.get(team as usize) {
            Some(t) => self_team_event_parts(t, team, reason, who, self.packs_dealt),
            None => Vec::new(),
        }
    }

    fn hand_events(
        &self,
        team: TeamId,
        received: &BTreeMap<ParticipantId, Vec<CardId>>,
    ) -> Vec<Emit> {
        match self.teams.get(team as usize) {
            Some(t) => hand_events_of(t, team, received),
            None => Vec::new(),
        }
    }

    /// Who is in which team, for the console. The room sends only the last one of a turn.
    fn roster_event(&self) -> Emit {
        Emit::new(
            Audience::Staff,
            json!({"type": "fresque.roster", "teams": self.teams.iter().map(|t| &t.members).collect::<Vec<_>>(),
                   "unassigned": self.unassigned()}),
        )
    }

    fn unassigned(&self) -> Vec<ParticipantId> {
        self.members
            .iter()
            .filter(|(_, m)| m.active && m.team.is_none())
            .map(|(&id, _)| id)
            .collect()
    }

    fn results_json(&self) -> Value {
        match &self.results {
            None => Value::Null,
            Some(r) => Value::Array(
                r.iter()
                    .enumerate()
                    .map(|(i, s)| {
                        let placed = self.teams.get(i).map_or(0, |t| t.board.len());
                        let dealt = self.teams.get(i).map_or(0, |t| t.dealt.len());
                        json!({"team": i, "score": s, "placed": placed, "dealt": dealt})
                    })
                    .collect(),
            ),
        }
    }

    fn debrief_entry(&self, index: u32) -> Option<Value> {
        let card = self.debrief_order.get(index as usize)?;
        let e = self.reference.get(card)?;
        Some(
            json!({"index": index, "total": self.debrief_order.len(), "card": e.card,
                    "rank": e.rank, "alternatives": e.alternatives}),
        )
    }

    fn team_json(&self, team: TeamId, t: &Team) -> Value {
        json!({"id": team, "members": t.hand_counts(), "board": t.board,
               "pool": t.pool.len(), "dealt": t.dealt.len(), "rev": t.rev})
    }

    /// A team as the projector knows it: how far it is, and its board only once revealed.
    fn screen_team_json(&self, team: TeamId, t: &Team) -> Value {
        let mut v = json!({"id": team, "members": t.hand_counts(), "placed": t.board.len(),
               "pool": t.pool.len(), "dealt": t.dealt.len(), "rev": t.rev});
        if self.revealed() {
            v["board"] = json!(t.board);
        }
        v
    }

    /// The reference order with ranks (the debrief's order): the answer, for the console
    /// always, for the projector once revealed.
    fn reference_order(&self) -> Vec<&RefEntry> {
        self.debrief_order
            .iter()
            .filter_map(|c| self.reference.get(c))
            .collect()
    }

    /// Everything `viewer` may see. A participant sees their own team and hand only
    /// (other teams' boards stay private until the reveal's scores); the projector sees
    /// each team's progress, and its board and the reference only once revealed (the
    /// room reads the big screen: teams would copy).
    pub fn view(&self, viewer: Viewer) -> Value {
        let phase = if self.revealed() {
            "revealed"
        } else if self.teams.is_empty() {
            "lobby"
        } else {
            "playing"
        };
        let debrief = self.debrief.and_then(|i| self.debrief_entry(i));
        let common = json!({"game": "fresque", "phase": phase, "packs_dealt": self.packs_dealt,
            "packs_total": self.packs.len(), "pack_sizes": self.packs.iter().map(Vec::len).collect::<Vec<_>>(),
            "results": self.results_json(), "cards": self.card_results, "debrief": debrief});
        let mut v = match viewer {
            Viewer::Staff => {
                let teams: Vec<Value> = self
                    .teams
                    .iter()
                    .enumerate()
                    .map(|(i, t)| self.team_json(i as TeamId, t))
                    .collect();
                json!({"viewer": "staff", "teams": teams, "unassigned": self.unassigned(),
                       "shown_team": self.shown_team, "reference_order": self.reference_order(),
                       "grace": self.grace})
            }
            Viewer::Screen => {
                let teams: Vec<Value> = self
                    .teams
                    .iter()
                    .enumerate()
                    .map(|(i, t)| self.screen_team_json(i as TeamId, t))
                    .collect();
                let order = self.revealed().then(|| self.reference_order());
                json!({"viewer": "screen", "teams": teams, "unassigned": self.unassigned(),
                       "shown_team": self.shown_team, "reference_order": order})
            }
            Viewer::Participant(pid) => {
                let joined = self.members.get(&pid).is_some_and(|m| m.active);
                let team = self.team_of(pid);
                let t = team.and_then(|i| self.teams.get(i as usize).map(|t| (i, t)));
                json!({"viewer": "participant", "id": pid, "joined": joined,
                       "team": t.map(|(i, t)| self.team_json(i, t)),
                       "hand": t.and_then(|(_, t)| t.hands.get(&pid)).cloned().unwrap_or_default()})
            }
        };
        if let (Value::Object(m), Value::Object(c)) = (&mut v, common) {
            m.extend(c);
        }
        v
    }
}

/// Public copy of one team's cards (see [`Fresque::team_cards`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamCards {
    pub members: Vec<ParticipantId>,
    pub board: Vec<CardId>,
    pub hands: BTreeMap<ParticipantId, Vec<CardId>>,
    pub pool: Vec<CardId>,
    pub dealt: Vec<CardId>,
    pub away: BTreeSet<ParticipantId>,
}

fn staff(actor: Actor) -> Result<(), FresqueError> {
    match actor {
        Actor::Facilitator => Ok(()),
        Actor::Participant(_) => Err(FresqueError::Forbidden),
    }
}

/// Where to insert so the card ends up right after `after` (or first).
fn insertion_index(board: &[CardId], after: Option<&str>) -> Result<usize, FresqueError> {
    match after {
        None => Ok(0),
        Some(a) => board
            .iter()
            .position(|c| c == a)
            .map(|i| i + 1)
            .ok_or(FresqueError::AnchorNotOnBoard),
    }
}

/// The team's phones and the consoles get `event`, which carries the board; the projectors
/// get the team's progress instead (`progress`: the packs dealt so far, `None` when no count
/// changed), never a card: the room reads the big screen, and teams would copy each other.
fn to_team_members(t: &Team, team: TeamId, event: Value, progress: Option<usize>) -> Vec<Emit> {
    let mut out = Vec::with_capacity(3);
    if !t.members.is_empty() {
        out.push(Emit::new(
            Audience::Participants(t.members.clone()),
            event.clone(),
        ));
    }
    out.push(Emit::new(Audience::Console, event));
    if let Some(packs_dealt) = progress {
        out.push(progress_event(t, team, packs_dealt));
    }
    out
}

/// `fresque.progress`: how far a team is (cards placed of dealt, the pool, who holds how
/// many), for the projector, which never receives a board before the reveal.
fn progress_event(t: &Team, team: TeamId, packs_dealt: usize) -> Emit {
    Emit::new(
        Audience::Screen,
        json!({"type": "fresque.progress", "team": team, "rev": t.rev,
               "placed": t.board.len(), "dealt": t.dealt.len(), "pool": t.pool.len(),
               "members": t.hand_counts(), "packs_dealt": packs_dealt}),
    )
}

/// `fresque.team`: a full team snapshot after membership changes or a deal.
fn self_team_event_parts(
    t: &Team,
    team: TeamId,
    reason: &str,
    who: Option<ParticipantId>,
    packs_dealt: usize,
) -> Vec<Emit> {
    to_team_members(
        t,
        team,
        json!({"type": "fresque.team", "team": team, "reason": reason, "who": who,
               "rev": t.rev, "members": t.hand_counts(), "board": t.board,
               "pool": t.pool.len(), "dealt": t.dealt.len(), "packs_dealt": packs_dealt}),
        Some(packs_dealt),
    )
}

/// `fresque.hand`: the new full hand, privately, to each member whose hand changed.
fn hand_events_of(
    t: &Team,
    team: TeamId,
    received: &BTreeMap<ParticipantId, Vec<CardId>>,
) -> Vec<Emit> {
    received
        .iter()
        .filter(|(m, _)| t.members.contains(m))
        .map(|(m, new)| {
            Emit::new(
                Audience::Participant(*m),
                json!({"type": "fresque.hand", "team": team,
                       "hand": t.hands.get(m).cloned().unwrap_or_default(), "received": new}),
            )
        })
        .collect()
}

/// Before teams are formed: `pid` joined (`true`) or left the unassigned participants.
fn unassigned_event(pid: ParticipantId, unassigned: bool) -> Emit {
    Emit::new(
        Audience::Staff,
        json!({"type": "fresque.unassigned", "pid": pid, "unassigned": unassigned}),
    )
}

#[cfg(test)]
mod tests;
