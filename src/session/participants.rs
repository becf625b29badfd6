//! The session's participants and their presence.
//!
//! A participant is *connected* (a socket, or one lost less than the room's away delay ago:
//! the time a locked screen takes to come back), *away* (no socket for longer: the room
//! stores a `Presence` command saying since when) or *removed* by the facilitator. Counters
//! and team forming count the connected; the cap on joins counts everyone not removed (an
//! away person keeps their place).

use std::collections::{BTreeMap, HashMap};
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::games::ParticipantId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participant {
    pub name: String,
    /// Removed by the facilitator: kept so that ids are never reused, but gone from the game.
    pub removed: bool,
    /// Away since this time (Unix milliseconds, from the stored command): no socket for longer
    /// than the away delay. `None`: connected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub away: Option<u64>,
}

/// The session's participants by id (read through `Deref`), with what joins need kept up to
/// date: the lowercased names in use and the numbers of participants not removed and of
/// those connected, so a join costs O(log N) instead of lowercasing every name. Stored as the
/// plain map; the rest is rebuilt when a snapshot is loaded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Participants {
    map: BTreeMap<ParticipantId, Participant>,
    /// Lowercased name → participants (not removed) holding it.
    names: HashMap<String, u32>,
    active: usize,
    connected: usize,
}

impl Participants {
    pub(super) fn insert(&mut self, pid: ParticipantId, participant: Participant) {
        if let Some(old) = self.map.insert(pid, participant.clone()) {
            self.forget(&old);
        }
        if !participant.removed {
            *self
                .names
                .entry(participant.name.to_lowercase())
                .or_default() += 1;
            self.active += 1;
            if participant.away.is_none() {
                self.connected += 1;
            }
        }
    }

    fn forget(&mut self, participant: &Participant) {
        if participant.removed {
            return;
        }
        let key = participant.name.to_lowercase();
        if let Some(n) = self.names.get_mut(&key) {
            *n -= 1;
            if *n == 0 {
                self.names.remove(&key);
            }
        }
        self.active -= 1;
        if participant.away.is_none() {
            self.connected -= 1;
        }
    }

    /// Marks a participant removed (its name is free again).
    pub(super) fn mark_removed(&mut self, pid: ParticipantId) {
        if let Some(p) = self.map.get(&pid).cloned() {
            self.insert(pid, Participant { removed: true, ..p });
        }
    }

    pub(super) fn set_name(&mut self, pid: ParticipantId, name: String) {
        if let Some(p) = self.map.get(&pid).cloned() {
            self.insert(pid, Participant { name, ..p });
        }
    }

    pub(super) fn set_away(&mut self, pid: ParticipantId, away: Option<u64>) {
        if let Some(p) = self.map.get(&pid).cloned() {
            self.insert(pid, Participant { away, ..p });
        }
    }

    /// Whether a participant (not removed) has this name, compared case-insensitively.
    pub fn name_taken(&self, name: &str) -> bool {
        self.names.contains_key(&name.to_lowercase())
    }

    /// Participants not removed (connected or away).
    pub fn active(&self) -> usize {
        self.active
    }

    /// Participants not removed and not away.
    pub fn connected(&self) -> usize {
        self.connected
    }
}

impl Deref for Participants {
    type Target = BTreeMap<ParticipantId, Participant>;
    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl From<BTreeMap<ParticipantId, Participant>> for Participants {
    fn from(map: BTreeMap<ParticipantId, Participant>) -> Self {
        let mut participants = Participants::default();
        for (pid, p) in map {
            participants.insert(pid, p);
        }
        participants
    }
}

impl Serialize for Participants {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Participants {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        BTreeMap::deserialize(deserializer).map(Participants::from)
    }
}

impl Participants {
    /// The plain map (for the property test comparing with a rebuilt set).
    #[cfg(test)]
    pub(super) fn map(&self) -> &BTreeMap<ParticipantId, Participant> {
        &self.map
    }
}
