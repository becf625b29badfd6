//! The WebSocket protocol's client frames, decoded defensively. Server frames are built
//! where they happen (`welcome`, `error`, `bye` here; events by the session and games).
//! Every message is documented in `docs/protocol.md`.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::games::ParticipantId;
use crate::games::bingo::BingoCommand;
use crate::games::fresque::FresqueCommand;
use crate::session::Phase;
use crate::session::badges::BadgeAction;

/// The first frame of a connection: who is this?
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Hello {
    /// A phone joining with the code on the projector.
    Join { code: String, name: String },
    /// A phone coming back (screen unlocked, network back, server restarted).
    Resume { token: String },
    /// A phone that lost its token asks to take back the participant of that name: the
    /// facilitator confirms (`reclaim.decide`), then it resumes that participant.
    Reclaim { code: String, name: String },
    /// The facilitator console; the user comes from the cookie or bearer token of the upgrade request.
    Staff { code: String },
    /// The projector: read-only, authorised by the session's screen key.
    Screen { code: String, key: String },
}

/// Every later frame: an action on the session.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    NextPhase,
    SetPhase {
        phase: Phase,
    },
    RemoveParticipant {
        pid: ParticipantId,
    },
    /// `joining.set`: the facilitator opens or closes joining.
    SetJoining {
        open: bool,
    },
    /// `reclaim.decide`: the facilitator lets a new device take back a participant, or not.
    DecideReclaim {
        request: u64,
        accept: bool,
    },
    /// `bingo.*` frames: the game's own command, without the prefix.
    Bingo(BingoCommand),
    /// `fresque.*` frames.
    Fresque(FresqueCommand),
    /// `badge.*` frames.
    Badge(BadgeAction),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("frames must be JSON objects: {0}")]
    NotJson(String),
    #[error("missing \"type\" field")]
    NoType,
    #[error("unknown message type {0:?}")]
    UnknownType(String),
    #[error("bad fields for {kind:?}: {detail}")]
    BadFields { kind: String, detail: String },
}

impl DecodeError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotJson(_) => "bad_json",
            Self::NoType => "missing_type",
            Self::UnknownType(_) => "unknown_type",
            Self::BadFields { .. } => "bad_fields",
        }
    }
}

pub fn decode_hello(text: &str) -> Result<Hello, DecodeError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    let kind = type_of(&value)?.to_string();
    if !matches!(
        kind.as_str(),
        "join" | "resume" | "reclaim" | "staff" | "screen"
    ) {
        return Err(DecodeError::UnknownType(kind));
    }
    serde_json::from_value(value).map_err(|e| DecodeError::BadFields {
        kind,
        detail: e.to_string(),
    })
}

/// A client's heartbeat, `{"type":"ping"}`: the transport answers `{"type":"pong"}` at once and
/// the room never sees it. Phones send one every few seconds so that they notice a connection
/// that died without closing (docs/protocol.md, "Heartbeat").
pub fn is_ping(text: &str) -> bool {
    #[derive(Deserialize)]
    #[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
    enum Heartbeat {
        Ping,
    }
    // Short by nature: anything longer is an action, not worth a second parse.
    text.len() <= 32 && serde_json::from_str::<Heartbeat>(text).is_ok()
}

/// The answer to a [`is_ping`] heartbeat.
pub const PONG: &str = r#"{"type":"pong"}"#;

pub fn decode_action(text: &str) -> Result<Action, DecodeError> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
    let kind = type_of(&value)?.to_string();
    let bad = |detail: String| DecodeError::BadFields {
        kind: kind.clone(),
        detail,
    };
    match kind.as_str() {
        "phase.next" => Ok(Action::NextPhase),
        "phase.set" => {
            #[derive(Deserialize)]
            struct F {
                phase: Phase,
            }
            let f: F = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
            Ok(Action::SetPhase { phase: f.phase })
        }
        "participant.remove" => {
            #[derive(Deserialize)]
            struct F {
                pid: ParticipantId,
            }
            let f: F = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
            Ok(Action::RemoveParticipant { pid: f.pid })
        }
        "joining.set" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct F {
                #[serde(rename = "type")]
                _type: String,
                open: bool,
            }
            let f: F = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
            Ok(Action::SetJoining { open: f.open })
        }
        "reclaim.decide" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            struct F {
                #[serde(rename = "type")]
                _type: String,
                request: u64,
                accept: bool,
            }
            let f: F = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
            Ok(Action::DecideReclaim {
                request: f.request,
                accept: f.accept,
            })
        }
        _ => {
            if let Some(game_type) = kind.strip_prefix("bingo.") {
                game_command(value, game_type, &kind).map(Action::Bingo)
            } else if let Some(game_type) = kind.strip_prefix("fresque.") {
                game_command(value, game_type, &kind).map(Action::Fresque)
            } else if let Some(badge_type) = kind.strip_prefix("badge.") {
                game_command(value, badge_type, &kind).map(Action::Badge)
            } else {
                Err(DecodeError::UnknownType(kind))
            }
        }
    }
}

/// Decodes a game frame as the game's command: `{"type":"bingo.tap",...}` → `tap`.
fn game_command<T: serde::de::DeserializeOwned>(
    mut value: Value,
    game_type: &str,
    kind: &str,
) -> Result<T, DecodeError> {
    value["type"] = Value::String(game_type.to_string());
    serde_json::from_value(value).map_err(|e| {
        let detail = e.to_string();
        if detail.starts_with("unknown variant") {
            DecodeError::UnknownType(kind.to_string())
        } else {
            DecodeError::BadFields {
                kind: kind.to_string(),
                detail,
            }
        }
    })
}

fn type_of(value: &Value) -> Result<&str, DecodeError> {
    match value {
        Value::Object(map) => map
            .get("type")
            .and_then(Value::as_str)
            .ok_or(DecodeError::NoType),
        _ => Err(DecodeError::NotJson("not an object".into())),
    }
}

/// The `error` frame: a stable machine code and a sentence a person can read.
pub fn error_value(code: &str, message: &str) -> Value {
    json!({"type": "error", "code": code, "message": message})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hellos_decode() {
        assert!(matches!(
            decode_hello(r#"{"type":"join","code":"ACDEFG","name":"Ada"}"#),
            Ok(Hello::Join { .. })
        ));
        assert!(matches!(
            decode_hello(r#"{"type":"resume","token":"x"}"#),
            Ok(Hello::Resume { .. })
        ));
        assert_eq!(decode_hello("[1]").unwrap_err().code(), "bad_json");
        assert_eq!(decode_hello("{}").unwrap_err().code(), "missing_type");
        assert_eq!(
            decode_hello(r#"{"type":"phase.next"}"#).unwrap_err().code(),
            "unknown_type"
        );
        assert_eq!(
            decode_hello(r#"{"type":"join","code":1}"#)
                .unwrap_err()
                .code(),
            "bad_fields"
        );
    }

    #[test]
    fn actions_decode() {
        assert_eq!(
            decode_action(r#"{"type":"phase.next"}"#),
            Ok(Action::NextPhase)
        );
        assert_eq!(
            decode_action(r#"{"type":"phase.set","phase":{"kind":"activity","index":1}}"#),
            Ok(Action::SetPhase {
                phase: Phase::Activity { index: 1 }
            })
        );
        assert_eq!(
            decode_action(r#"{"type":"participant.remove","pid":"x"}"#)
                .unwrap_err()
                .code(),
            "bad_fields"
        );
        assert_eq!(
            decode_action(r#"{"type":"nope"}"#).unwrap_err().code(),
            "unknown_type"
        );
        assert_eq!(decode_action("not json").unwrap_err().code(), "bad_json");
        assert_eq!(
            decode_action(r#"{"type":"bingo.tap","card":"open-badge"}"#),
            Ok(Action::Bingo(BingoCommand::Tap {
                card: "open-badge".into()
            }))
        );
        assert_eq!(
            decode_action(r#"{"type":"bingo.fly"}"#).unwrap_err().code(),
            "unknown_type"
        );
        assert_eq!(
            decode_action(r#"{"type":"bingo.tap"}"#).unwrap_err().code(),
            "bad_fields"
        );
        assert_eq!(
            decode_action(r#"{"type":"fresque.deal"}"#),
            Ok(Action::Fresque(FresqueCommand::Deal))
        );
    }
}
