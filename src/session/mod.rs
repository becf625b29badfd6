//! One workshop session as a pure state machine: participants, phase, and (in their own
//! modules) the activities. No I/O: the room task feeds it commands and stores them first.

pub mod badges;
pub mod code;
pub mod participants;
pub mod phase;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::deck::Deck;
use crate::games::bingo::{self, Bingo, BingoCommand, BingoError};
use crate::games::fresque::{Fresque, FresqueCommand, FresqueError, RefEntry, Reference};
use crate::games::{Actor, Audience, CardId, Emit, ParticipantId, Viewer};
use badges::{BadgeCommand, BadgeDesk, BadgeError, ClaimCode};
pub use participants::{Participant, Participants};
pub use phase::{ActivityKind, Phase, PhaseError};

/// What a facilitator chose when creating the session; never changes afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionConfig {
    pub code: String,
    pub title: String,
    /// Default language of the session's pages (`fr`, `nl` or `en`).
    pub lang: String,
    pub activities: Vec<ActivityKind>,
    /// The deck whose texts phones and projector show.
    pub deck: String,
    /// The fresque scenario (competence to recognise).
    pub scenario: String,
    /// How the fresque's cards are dealt (`three-packs`, `two-packs`).
    pub pack_variant: String,
    pub bingo_mode: bingo::Mode,
    /// The game data, copied from the deck when the session was created, so that editing a
    /// deck file never changes (or breaks the replay of) a session already run.
    pub cards: Vec<CardId>,
    pub reference: Vec<RefEntry>,
    pub packs: Vec<Vec<CardId>>,
    /// The achievement its badges recognise, chosen at creation (`None` for sessions created
    /// before there was a choice: the installation's default).
    #[serde(default)]
    pub achievement: Option<String>,
    /// Most participants at once (not counting removed ones): a join flood stops there.
    /// `None` for sessions created before there was a cap.
    #[serde(default)]
    pub max_participants: Option<u32>,
}

/// Participants a session admits unless its facilitator chose otherwise.
pub const DEFAULT_MAX_PARTICIPANTS: u32 = 300;
/// The largest cap a facilitator may choose.
pub const MAX_PARTICIPANTS_LIMIT: u32 = 2_000;

impl SessionConfig {
    /// A configuration whose game data is copied from `deck`; `None` picks the deck's defaults.
    #[allow(clippy::too_many_arguments)]
    pub fn from_deck(
        code: String,
        title: String,
        lang: String,
        activities: Vec<ActivityKind>,
        deck: &Deck,
        scenario: Option<&str>,
        pack_variant: Option<&str>,
        bingo_mode: bingo::Mode,
    ) -> Result<Self, SessionError> {
        let scenario = match scenario {
            Some(id) => deck.scenario(id).ok_or_else(|| {
                SessionError::BadOption(format!("the deck has no scenario {id:?}"))
            })?,
            None => deck.default_scenario(),
        };
        let variant = match pack_variant {
            Some(id) => deck.pack_variant(id).ok_or_else(|| {
                SessionError::BadOption(format!("the deck has no pack variant {id:?}"))
            })?,
            None => deck.default_pack_variant(),
        };
        let reference = deck
            .reference_ranks()
            .into_iter()
            .map(|(card, ranks)| RefEntry {
                card,
                rank: ranks.first().copied().unwrap_or_default().into(),
                alternatives: ranks.iter().skip(1).map(|&r| r.into()).collect(),
            })
            .collect();
        Ok(Self {
            code,
            title,
            lang,
            activities,
            deck: deck.id.clone(),
            scenario: scenario.id.clone(),
            pack_variant: variant.id.clone(),
            bingo_mode,
            cards: deck.cards.iter().map(|c| c.id.clone()).collect(),
            reference,
            packs: variant.packs.iter().map(|p| p.cards.clone()).collect(),
            achievement: None,
            max_participants: Some(DEFAULT_MAX_PARTICIPANTS),
        })
    }
}

/// Everything that changes a session. Each accepted command is stored in the session's
/// log before anyone hears of it, and replayed after a restart: so `apply` must be a
/// deterministic function of (state, actor, command).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Command {
    /// A new participant. The name is already cleaned; `apply` makes it unique.
    /// `seed` shuffles their bingo grid.
    Join {
        name: String,
        seed: u64,
    },
    Remove {
        pid: ParticipantId,
    },
    NextPhase,
    SetPhase {
        phase: Phase,
    },
    Bingo {
        command: BingoCommand,
        seed: u64,
    },
    Fresque {
        command: FresqueCommand,
        seed: u64,
    },
    Badge {
        command: BadgeCommand,
    },
    /// The facilitator opens or closes joining.
    SetJoining {
        open: bool,
    },
    /// The room, never a client: a participant went away (`Some(since)`, Unix milliseconds:
    /// no socket for longer than the away delay) or came back (`None`).
    Presence {
        pid: ParticipantId,
        away: Option<u64>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    #[error("only the facilitator can do that")]
    Forbidden,
    #[error("no participant {0} in this session")]
    UnknownParticipant(ParticipantId),
    #[error("this participant was removed by the facilitator")]
    Removed,
    #[error("the session is closed")]
    Closed,
    #[error("the facilitator closed joining")]
    JoiningClosed,
    #[error("the session is full ({0} participants)")]
    Full(u32),
    #[error("this participant's presence is already that")]
    PresenceUnchanged,
    #[error(transparent)]
    Phase(#[from] PhaseError),
    #[error("the {0} is not running now")]
    NotNow(&'static str),
    #[error("this session has no {0}")]
    NoSuchGame(&'static str),
    #[error("{0}")]
    BadOption(String),
    #[error(transparent)]
    Bingo(#[from] BingoError),
    #[error(transparent)]
    Fresque(#[from] FresqueError),
    #[error(transparent)]
    Badge(#[from] BadgeError),
}

impl SessionError {
    /// Stable machine-readable code for the protocol's `error` frames.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Forbidden => "forbidden",
            Self::UnknownParticipant(_) => "unknown_participant",
            Self::Removed => "removed",
            Self::Closed => "session_closed",
            Self::JoiningClosed => "joining_closed",
            Self::Full(_) => "session_full",
            Self::PresenceUnchanged => "presence_unchanged",
            Self::Phase(PhaseError::Closed) => "session_closed",
            Self::Phase(PhaseError::NoSuchActivity(_)) => "no_such_activity",
            Self::Phase(PhaseError::AlreadyThere) => "already_in_phase",
            Self::NotNow(_) => "not_now",
            Self::NoSuchGame(_) => "no_such_game",
            Self::BadOption(_) => "invalid",
            Self::Bingo(e) => e.code(),
            Self::Fresque(e) => e.code(),
            Self::Badge(e) => e.code(),
        }
    }
}

/// What an accepted command produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub emits: Vec<Emit>,
    /// Set by `Join`: the new participant's id.
    pub joined: Option<ParticipantId>,
    /// Set by `Remove`: whose connections must be closed.
    pub removed: Option<ParticipantId>,
    /// Badges now approved: the room signs them once this command is stored.
    pub to_issue: Vec<ParticipantId>,
    /// A claim code the room registers for `/claim`.
    pub new_claim_code: Option<ClaimCode>,
    /// The claim codes registered for this session no longer mint badges (the desk changed
    /// mode, or the session closed).
    pub void_claim_codes: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionState {
    pub config: SessionConfig,
    pub phase: Phase,
    pub participants: Participants,
    pub next_pid: ParticipantId,
    /// Sequence number of the last accepted command (0: none yet).
    pub seq: u64,
    pub bingo: Option<Bingo>,
    pub fresque: Option<Fresque>,
    #[serde(default)]
    pub badges: BadgeDesk,
    /// The facilitator closed joining: no new participant (those who joined still resume).
    #[serde(default)]
    pub joining_closed: bool,
}

impl SessionState {
    /// A fresh session; its games are set up from the data frozen in `config`.
    pub fn new(config: SessionConfig) -> Result<Self, SessionError> {
        let bingo = match config.activities.contains(&ActivityKind::Bingo) {
            true => Some(Bingo::new(config.cards.clone(), config.bingo_mode)?),
            false => None,
        };
        let fresque = match config.activities.contains(&ActivityKind::Fresque) {
            true => Some(Fresque::new(
                Reference::new(config.reference.clone())?,
                config.packs.clone(),
            )?),
            false => None,
        };
        Ok(Self {
            config,
            phase: Phase::Lobby,
            participants: Participants::default(),
            next_pid: 1,
            seq: 0,
            bingo,
            fresque,
            badges: BadgeDesk::default(),
            joining_closed: false,
        })
    }

    /// Applies one command; on error nothing changed. On success `seq` went up by one.
    pub fn apply(&mut self, actor: Actor, command: &Command) -> Result<Outcome, SessionError> {
        let mut outcome = match command {
            Command::Join { name, seed } => self.join(name, *seed)?,
            Command::Remove { pid } => {
                require_facilitator(actor)?;
                let participant = self
                    .participants
                    .get(pid)
                    .ok_or(SessionError::UnknownParticipant(*pid))?;
                if participant.removed {
                    return Err(SessionError::Removed);
                }
                self.participants.mark_removed(*pid);
                let mut emits = vec![Emit::new(
                    Audience::Staff,
                    json!({"type": "participant.removed", "pid": pid}),
                )];
                if let Some(bingo) = &mut self.bingo {
                    emits.extend(bingo.remove_participant(*pid));
                }
                if let Some(fresque) = &mut self.fresque {
                    emits.extend(fresque.remove_participant(*pid));
                }
                Outcome {
                    emits,
                    removed: Some(*pid),
                    ..Outcome::default()
                }
            }
            Command::Bingo { command, seed } => {
                if self.current_activity() != Some(ActivityKind::Bingo) {
                    return Err(SessionError::NotNow("bingo"));
                }
                let bingo = self
                    .bingo
                    .as_mut()
                    .ok_or(SessionError::NoSuchGame("bingo"))?;
                let emits = bingo.apply(actor, command.clone(), *seed)?;
                Outcome {
                    emits,
                    ..Outcome::default()
                }
            }
            Command::Badge { command } => {
                let system = matches!(command, BadgeCommand::Issued { .. });
                if !system && !matches!(self.phase, Phase::Badges | Phase::Feedback) {
                    return Err(SessionError::NotNow("badge desk"));
                }
                if let Actor::Participant(pid) = actor {
                    self.participant(pid)?;
                }
                let desk = self.badges.apply(actor, command)?;
                Outcome {
                    emits: desk.emits,
                    to_issue: desk.to_issue,
                    new_claim_code: desk.new_claim_code,
                    void_claim_codes: desk.void_claim_codes,
                    ..Outcome::default()
                }
            }
            Command::Fresque { command, seed } => {
                if self.current_activity() != Some(ActivityKind::Fresque) {
                    return Err(SessionError::NotNow("fresque"));
                }
                let fresque = self
                    .fresque
                    .as_mut()
                    .ok_or(SessionError::NoSuchGame("fresque"))?;
                let emits = fresque.apply(actor, command.clone(), *seed)?;
                Outcome {
                    emits,
                    ..Outcome::default()
                }
            }
            Command::NextPhase => {
                require_facilitator(actor)?;
                let next = self.phase.next(self.config.activities.len())?;
                self.set_phase(next)
            }
            Command::SetPhase { phase } => {
                require_facilitator(actor)?;
                let next = self.phase.goto(*phase, self.config.activities.len())?;
                self.set_phase(next)
            }
            Command::Presence { pid, away } => {
                require_facilitator(actor)?;
                self.presence(*pid, *away)?
            }
            Command::SetJoining { open } => {
                require_facilitator(actor)?;
                self.joining_closed = !open;
                Outcome {
                    emits: vec![Emit::new(
                        Audience::Staff,
                        json!({"type": "joining.changed", "joining": self.joining()}),
                    )],
                    ..Outcome::default()
                }
            }
        };
        if self.fresque.is_some() {
            self.name_teams(&mut outcome.emits);
        }
        self.seq += 1;
        Ok(outcome)
    }

    fn join(&mut self, name: &str, seed: u64) -> Result<Outcome, SessionError> {
        if self.phase == Phase::Closed {
            return Err(SessionError::Closed);
        }
        if self.joining_closed {
            return Err(SessionError::JoiningClosed);
        }
        if let Some(max) = self.config.max_participants
            && self.active_count() >= max as usize
        {
            return Err(SessionError::Full(max));
        }
        let name = code::unique_name_by(name, |candidate| self.participants.name_taken(candidate));
        let pid = self.next_pid;
        self.next_pid += 1;
        self.participants.insert(
            pid,
            Participant {
                name: name.clone(),
                removed: false,
                away: None,
            },
        );
        let mut emits = vec![Emit::new(
            Audience::Staff,
            json!({"type": "participant.joined", "pid": pid, "name": name}),
        )];
        if let Some(bingo) = &mut self.bingo {
            emits.extend(bingo.add_participant(pid, seed));
        }
        if let Some(fresque) = &mut self.fresque {
            emits.extend(fresque.add_participant(pid, seed));
        }
        Ok(Outcome {
            emits,
            joined: Some(pid),
            ..Outcome::default()
        })
    }

    /// A participant went away or came back (see [`participants`]): the games count only
    /// the connected, and the fresque deals to them.
    fn presence(&mut self, pid: ParticipantId, away: Option<u64>) -> Result<Outcome, SessionError> {
        let participant = self.participant(pid)?;
        if participant.away.is_some() == away.is_some() {
            return Err(SessionError::PresenceUnchanged);
        }
        self.participants.set_away(pid, away);
        let mut emits = vec![Emit::new(
            Audience::Staff,
            json!({"type": "participant.presence", "pid": pid, "away": away,
                   "connected": self.participants.connected()}),
        )];
        match away {
            Some(_) => {
                if let Some(bingo) = &mut self.bingo {
                    emits.extend(bingo.remove_participant(pid));
                }
                if let Some(fresque) = &mut self.fresque {
                    emits.extend(fresque.set_away(pid));
                }
            }
            None => {
                if let Some(bingo) = &mut self.bingo {
                    emits.extend(bingo.add_participant(pid, 0));
                }
                if let Some(fresque) = &mut self.fresque {
                    emits.extend(fresque.set_back(pid));
                }
            }
        }
        Ok(Outcome {
            emits,
            ..Outcome::default()
        })
    }

    /// Team snapshots sent to phones carry the names of the team's members: a phone is not
    /// sent everyone's name, and without them it shows teammates as "someone".
    fn name_teams(&self, emits: &mut [Emit]) {
        for emit in emits.iter_mut() {
            if !matches!(emit.to, Audience::Participants(_)) || emit.event["type"] != "fresque.team"
            {
                continue;
            }
            let names: serde_json::Map<String, Value> = emit.event["members"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| m["id"].as_u64())
                .filter_map(|id| {
                    let p = self.participants.get(&(id as ParticipantId))?;
                    Some((id.to_string(), Value::String(p.name.clone())))
                })
                .collect();
            emit.event["names"] = Value::Object(names);
        }
    }

    fn set_phase(&mut self, phase: Phase) -> Outcome {
        self.phase = phase;
        Outcome {
            emits: vec![Emit::new(
                Audience::All,
                json!({"type": "phase.changed", "phase": phase, "activity": self.activity_of(phase)}),
            )],
            ..Outcome::default()
        }
    }

    /// The activity a phase runs, if any.
    pub fn activity_of(&self, phase: Phase) -> Option<ActivityKind> {
        match phase {
            Phase::Activity { index } => self.config.activities.get(index).copied(),
            _ => None,
        }
    }

    /// Forgets participants' names and e-mails (retention, or one person's request). Ids stay,
    /// so games and scores remain consistent. Not a command: the store replaces the log.
    pub fn scrub(&mut self, pid: Option<ParticipantId>) {
        let scrubbed: Vec<ParticipantId> = self
            .participants
            .keys()
            .copied()
            .filter(|id| pid.is_none_or(|p| p == *id))
            .collect();
        for id in scrubbed {
            self.participants.set_name(id, String::new());
        }
        self.badges.scrub(pid);
    }

    pub fn current_activity(&self) -> Option<ActivityKind> {
        self.activity_of(self.phase)
    }

    /// A live participant (not removed).
    pub fn participant(&self, pid: ParticipantId) -> Result<&Participant, SessionError> {
        match self.participants.get(&pid) {
            None => Err(SessionError::UnknownParticipant(pid)),
            Some(p) if p.removed => Err(SessionError::Removed),
            Some(p) => Ok(p),
        }
    }

    pub fn active_count(&self) -> usize {
        self.participants.active()
    }

    /// Everything `viewer` may see, for the `welcome` snapshot.
    /// Whether new participants may join, and up to how many.
    fn joining(&self) -> Value {
        json!({"open": !self.joining_closed, "max": self.config.max_participants})
    }

    pub fn view(&self, viewer: Viewer) -> Value {
        let session = json!({
            "code": self.config.code,
            "title": self.config.title,
            "lang": self.config.lang,
            "activities": self.config.activities,
            "phase": self.phase,
            "activity": self.activity_of(self.phase),
            "participant_count": self.participants.connected(),
            "deck": self.config.deck,
            "scenario": self.config.scenario,
            "pack_variant": self.config.pack_variant,
            "bingo_mode": self.config.bingo_mode,
            "joining": self.joining(),
        });
        match viewer {
            Viewer::Staff | Viewer::Screen => {
                let participants: Vec<Value> = self
                    .participants
                    .iter()
                    .filter(|(_, p)| !p.removed)
                    .map(|(pid, p)| json!({"pid": pid, "name": p.name, "away": p.away}))
                    .collect();
                json!({
                    "session": session,
                    "participants": participants,
                    "bingo": self.bingo.as_ref().map(|g| g.view(viewer)),
                    "fresque": self.fresque.as_ref().map(|g| g.view(viewer)),
                    "badge": self.badges.view(viewer),
                })
            }
            Viewer::Participant(pid) => {
                let name = self.participants.get(&pid).map(|p| p.name.as_str());
                json!({
                    "session": session,
                    "you": {"pid": pid, "name": name},
                    "bingo": self.bingo.as_ref().map(|g| g.view(viewer)),
                    "fresque": self.fresque.as_ref().map(|g| g.view(viewer)),
                    "badge": self.badges.view(viewer),
                })
            }
        }
    }
}

fn require_facilitator(actor: Actor) -> Result<(), SessionError> {
    match actor {
        Actor::Facilitator => Ok(()),
        Actor::Participant(_) => Err(SessionError::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn state() -> SessionState {
        let deck = crate::deck::DeckLibrary::builtin().unwrap();
        let config = SessionConfig::from_deck(
            "ACDEFG".into(),
            "Atelier".into(),
            "fr".into(),
            vec![ActivityKind::Bingo, ActivityKind::Fresque],
            deck.default_deck(),
            None,
            None,
            bingo::Mode::Definition,
        )
        .unwrap();
        SessionState::new(config).unwrap()
    }

    #[test]
    fn joining_assigns_ids_and_unique_names() {
        let mut s = state();
        let a = s
            .apply(
                Actor::Facilitator,
                &Command::Join {
                    name: "Ada".into(),
                    seed: 1,
                },
            )
            .unwrap();
        let b = s
            .apply(
                Actor::Facilitator,
                &Command::Join {
                    name: "ada".into(),
                    seed: 2,
                },
            )
            .unwrap();
        assert_eq!((a.joined, b.joined), (Some(1), Some(2)));
        assert_eq!(s.participants[&2].name, "ada 2");
        assert_eq!(s.seq, 2);
    }

    #[test]
    fn participants_cannot_drive_the_session() {
        let mut s = state();
        s.apply(
            Actor::Facilitator,
            &Command::Join {
                name: "Ada".into(),
                seed: 1,
            },
        )
        .unwrap();
        let before = s.clone();
        for cmd in [
            Command::NextPhase,
            Command::Remove { pid: 1 },
            Command::SetPhase {
                phase: Phase::Closed,
            },
        ] {
            assert_eq!(
                s.apply(Actor::Participant(1), &cmd).unwrap_err(),
                SessionError::Forbidden
            );
        }
        assert_eq!(s, before);
    }

    #[test]
    fn a_removed_participant_frees_the_name_and_cannot_be_removed_twice() {
        let mut s = state();
        s.apply(
            Actor::Facilitator,
            &Command::Join {
                name: "Ada".into(),
                seed: 1,
            },
        )
        .unwrap();
        let out = s
            .apply(Actor::Facilitator, &Command::Remove { pid: 1 })
            .unwrap();
        assert_eq!(out.removed, Some(1));
        assert_eq!(s.participant(1).unwrap_err(), SessionError::Removed);
        assert_eq!(
            s.apply(Actor::Facilitator, &Command::Remove { pid: 1 })
                .unwrap_err(),
            SessionError::Removed
        );
        let again = s
            .apply(
                Actor::Facilitator,
                &Command::Join {
                    name: "Ada".into(),
                    seed: 1,
                },
            )
            .unwrap();
        assert_eq!(again.joined, Some(2));
        assert_eq!(s.participants[&2].name, "Ada");
    }

    #[test]
    fn nobody_joins_a_closed_session() {
        let mut s = state();
        s.apply(
            Actor::Facilitator,
            &Command::SetPhase {
                phase: Phase::Closed,
            },
        )
        .unwrap();
        assert_eq!(
            s.apply(
                Actor::Facilitator,
                &Command::Join {
                    name: "Ada".into(),
                    seed: 1
                }
            )
            .unwrap_err(),
            SessionError::Closed
        );
    }

    fn any_command() -> impl Strategy<Value = (Actor, Command)> {
        let actor = prop_oneof![
            Just(Actor::Facilitator),
            (0u32..5).prop_map(Actor::Participant)
        ];
        let phase = prop_oneof![
            Just(Phase::Lobby),
            (0usize..4).prop_map(|index| Phase::Activity { index }),
            Just(Phase::Badges),
            Just(Phase::Feedback),
            Just(Phase::Closed)
        ];
        let command = prop_oneof![
            ("[a-zA-Z ]{1,10}", any::<u64>()).prop_map(|(name, seed)| Command::Join { name, seed }),
            (0u32..6).prop_map(|pid| Command::Remove { pid }),
            Just(Command::NextPhase),
            phase.prop_map(|phase| Command::SetPhase { phase }),
            (0u32..6, proptest::option::of(0u64..1000))
                .prop_map(|(pid, away)| Command::Presence { pid, away }),
        ];
        (actor, command)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Errors change nothing, successes bump seq by one, and replaying the accepted
        /// commands on a fresh state gives the same state (what a restart does).
        #[test]
        fn errors_change_nothing_and_replay_is_exact(commands in proptest::collection::vec(any_command(), 0..40)) {
            let mut live = state();
            let mut log = Vec::new();
            for (actor, cmd) in commands {
                let before = live.clone();
                match live.apply(actor, &cmd) {
                    Ok(_) => { prop_assert_eq!(live.seq, before.seq + 1); log.push((actor, cmd)); }
                    Err(_) => prop_assert_eq!(&live, &before),
                }
            }
            // The kept name set and count equal those rebuilt from the map (a snapshot load).
            prop_assert_eq!(&Participants::from(live.participants.map().clone()), &live.participants);
            let mut replayed = state();
            for (actor, cmd) in &log {
                replayed.apply(*actor, cmd).unwrap();
            }
            prop_assert_eq!(replayed, live);
        }
    }
}
