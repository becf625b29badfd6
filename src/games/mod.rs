//! Pure game rules for the workshop activities.
//!
//! Every game is a deterministic state machine: no I/O, no clock, no global RNG.
//! The room engine logs each accepted command with its `seed` and replays the log
//! after a restart, so `apply(state, actor, command, seed)` must always produce the
//! same state and the same events.

pub mod bingo;
pub mod fresque;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

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
    /// The facilitator console: everything, it runs the session.
    Staff,
    /// The projector: read-only and seen by the whole room (and reachable by anyone who has
    /// its URL), so a game may withhold from it what the room must not see yet (the
    /// fresque's boards before the reveal). Games with nothing to hide show it the staff's view.
    Screen,
    Participant(ParticipantId),
}

impl Viewer {
    /// The console or the projector: both get the session's staff view (participants,
    /// presence), whatever a game withholds from the projector.
    pub fn is_staff(self) -> bool {
        matches!(self, Viewer::Staff | Viewer::Screen)
    }
}

/// Who an event must reach. The room serialises each event ONCE and fans it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    All,
    /// Consoles and projectors.
    Staff,
    /// Consoles only: what the projector must not receive (a fresque board before the reveal).
    Console,
    /// Projectors only: what stands in for a `Console` event on the big screen.
    Screen,
    Participant(ParticipantId),
    Participants(Vec<ParticipantId>),
}

/// One event for one audience; `event` is an object with a `"type"` like `"bingo.drawn"`.
#[derive(Debug, Clone, PartialEq)]
pub struct Emit {
    pub to: Audience,
    pub event: serde_json::Value,
}

impl Emit {
    pub fn new(to: Audience, event: serde_json::Value) -> Self {
        Emit { to, event }
    }
}

/// Seeded generator. `stream` separates independent uses of one seed (e.g. one
/// stream per participant or per team) so that they never share random numbers.
pub(crate) fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

/// Uniform integer in `0..n` (`n > 0`), by rejection so there is no modulo bias.
///
/// Implemented here rather than with `rand`'s helpers because `rand` does not
/// promise value stability across versions, and replays must give the same result
/// after an upgrade; only the ChaCha stream itself is relied upon.
pub(crate) fn below(rng: &mut ChaCha8Rng, n: usize) -> usize {
    if n <= 1 {
        return 0;
    }
    let n = n as u64;
    let zone = u64::MAX - (u64::MAX % n);
    loop {
        let x = rng.next_u64();
        if x < zone {
            return (x % n) as usize;
        }
    }
}

/// Fisher–Yates shuffle on top of [`below`] (same value-stability reason).
pub(crate) fn shuffle<T>(items: &mut [T], rng: &mut ChaCha8Rng) {
    for i in (1..items.len()).rev() {
        let j = below(rng, i + 1);
        items.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shuffle_is_deterministic_and_a_permutation() {
        let mut a: Vec<u32> = (0..25).collect();
        let mut b = a.clone();
        shuffle(&mut a, &mut rng(7, 1));
        shuffle(&mut b, &mut rng(7, 1));
        assert_eq!(a, b);
        let mut sorted = a.clone();
        sorted.sort();
        assert_eq!(sorted, (0..25).collect::<Vec<_>>());
        let mut c: Vec<u32> = (0..25).collect();
        shuffle(&mut c, &mut rng(7, 2));
        assert_ne!(a, c, "different streams give different orders");
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = rng(1, 0);
        for n in 1..50 {
            assert!(below(&mut r, n) < n);
        }
        assert_eq!(below(&mut r, 0), 0);
    }

    /// Pins the ChaCha8 stream and our shuffle so that an accidental change of
    /// generator or algorithm (which would break replays of stored logs) fails loudly.
    #[test]
    fn shuffle_value_is_pinned() {
        let mut a: Vec<u32> = (0..10).collect();
        shuffle(&mut a, &mut rng(42, 0));
        assert_eq!(a, [1, 5, 9, 6, 3, 2, 0, 8, 4, 7]);
    }
}
