//! The workshop's phase machine: lobby → the chosen activities → badges → feedback → closed.

use serde::{Deserialize, Serialize};

/// An activity a session can include, in the order the facilitator chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActivityKind {
    Bingo,
    Fresque,
}

impl ActivityKind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "bingo" => Some(Self::Bingo),
            "fresque" => Some(Self::Fresque),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Bingo => "bingo",
            Self::Fresque => "fresque",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Phase {
    Lobby,
    /// The activity at `index` in the session's activity list.
    Activity {
        index: usize,
    },
    Badges,
    Feedback,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhaseError {
    #[error("the session is closed")]
    Closed,
    #[error("this session has no activity number {0}")]
    NoSuchActivity(usize),
    #[error("the session is already in that phase")]
    AlreadyThere,
}

impl Phase {
    /// The phase after this one in the workshop's running order.
    pub fn next(self, activity_count: usize) -> Result<Phase, PhaseError> {
        let first_after_activities = Phase::Badges;
        Ok(match self {
            Phase::Lobby if activity_count > 0 => Phase::Activity { index: 0 },
            Phase::Lobby => first_after_activities,
            Phase::Activity { index } if index + 1 < activity_count => {
                Phase::Activity { index: index + 1 }
            }
            Phase::Activity { .. } => first_after_activities,
            Phase::Badges => Phase::Feedback,
            Phase::Feedback => Phase::Closed,
            Phase::Closed => return Err(PhaseError::Closed),
        })
    }

    /// Jumps to any phase: facilitators go back to the lobby, replay an activity or close early.
    /// Only a closed session cannot move any more.
    pub fn goto(self, target: Phase, activity_count: usize) -> Result<Phase, PhaseError> {
        if self == Phase::Closed {
            return Err(PhaseError::Closed);
        }
        if let Phase::Activity { index } = target
            && index >= activity_count
        {
            return Err(PhaseError::NoSuchActivity(index));
        }
        if target == self {
            return Err(PhaseError::AlreadyThere);
        }
        Ok(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_walks_the_whole_workshop_then_stops() {
        let mut phase = Phase::Lobby;
        let mut seen = vec![phase];
        while let Ok(next) = phase.next(2) {
            phase = next;
            seen.push(phase);
        }
        assert_eq!(
            seen,
            vec![
                Phase::Lobby,
                Phase::Activity { index: 0 },
                Phase::Activity { index: 1 },
                Phase::Badges,
                Phase::Feedback,
                Phase::Closed
            ]
        );
        assert_eq!(Phase::Closed.next(2), Err(PhaseError::Closed));
    }

    #[test]
    fn a_session_without_activities_goes_straight_to_badges() {
        assert_eq!(Phase::Lobby.next(0), Ok(Phase::Badges));
    }

    #[test]
    fn goto_checks_the_target() {
        let in_bingo = Phase::Activity { index: 0 };
        assert_eq!(in_bingo.goto(Phase::Lobby, 1), Ok(Phase::Lobby));
        assert_eq!(
            Phase::Lobby.goto(Phase::Activity { index: 3 }, 2),
            Err(PhaseError::NoSuchActivity(3))
        );
        assert_eq!(
            Phase::Lobby.goto(Phase::Lobby, 2),
            Err(PhaseError::AlreadyThere)
        );
        assert_eq!(Phase::Closed.goto(Phase::Lobby, 2), Err(PhaseError::Closed));
        assert_eq!(Phase::Badges.goto(Phase::Closed, 2), Ok(Phase::Closed));
    }
}
