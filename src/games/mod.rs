//! Game rules: pure, deterministic state machines with no I/O. The room engine feeds them
//! authenticated commands (with a seed for any randomness) and fans out what they emit.

pub type ParticipantId = u32;
pub type CardId = String;

/// Who sent a command. The room has already authenticated the actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "role", content = "pid", rename_all = "snake_case")]
pub enum Actor {
    Facilitator,
    Participant(ParticipantId),
}

/// Who a view is computed for (snapshots on join/resume).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Facilitator console and projector.
    Staff,
    Participant(ParticipantId),
}

/// Who an event must reach. The room serialises each event once and fans it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    All,
    Staff,
    Participant(ParticipantId),
    Participants(Vec<ParticipantId>),
}

/// One event for one audience; `event` is an object with a `"type"` such as `"bingo.drawn"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Emit {
    pub to: Audience,
    pub event: serde_json::Value,
}

impl Emit {
    pub fn new(to: Audience, event: serde_json::Value) -> Self {
        Self { to, event }
    }
}
