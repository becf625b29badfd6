//! Live sessions. Each loaded session is owned by one task (an actor, see [`actor`]): it alone
//! reads and writes that session's state, so no lock is ever held across an await. The
//! registry maps join codes to those tasks, loads sessions on demand and unloads idle ones.

mod actor;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use dashmap::DashMap;
use tokio::sync::{mpsc, oneshot};

use crate::games::ParticipantId;
use crate::issuer::Issuer;
use crate::protocol::Action;
use crate::store::{Store, StoreError};

/// Commands waiting for a room; senders wait when it is full, which slows a flood at its source.
const ROOM_INBOX: usize = 1024;
/// Frames waiting to be written to one connection. A client that lets this fill up is
/// disconnected (and resumes with a fresh snapshot) instead of slowing everyone else.
pub const CONNECTION_OUTBOX: usize = 256;
/// The same for the facilitator console and the projector: they hear of every participant, so
/// a mass join queues far more for them than for a phone (~3 frames per join once coalesced,
/// ~400 per room turn), and there are only a few of them. Still bounded: a console that stops
/// reading is dropped with 4000 after a storm of this size (tests/storm.rs).
pub const STAFF_OUTBOX: usize = 1024;

pub type ConnId = u64;

/// A serialised event, shared by all its recipients.
///
/// Behind an `Arc` to keep [`Outbound`] at 16 bytes: every connection's outbox allocates a block
/// of 32 slots up front, which at 40 bytes a slot (a bare `Utf8Bytes` and the close code) cost
/// 1.3 KB per idle phone; at 16 bytes it is 0.5 KB.
pub type Frame = Arc<Utf8Bytes>;

/// What a room sends to one connection's writer task.
#[derive(Debug, Clone)]
pub enum Outbound {
    Text(Frame),
    /// Send this frame, then close with a WebSocket close code.
    Close {
        code: u16,
        frame: Frame,
    },
}

/// A frame to send, from a value serialised once.
pub fn shared_frame(text: String) -> Frame {
    Arc::new(Utf8Bytes::from(text))
}

/// Who is attaching to a room, already authenticated by the transport.
#[derive(Debug, Clone)]
pub enum Arrival {
    /// A phone joining; `token` is its new resume token (the room stores only its hash).
    NewParticipant {
        name: String,
        token: String,
    },
    /// A phone resuming with a token the transport already looked up.
    Participant {
        pid: ParticipantId,
        token: String,
    },
    /// A phone asking to take back the participant called `name`; `token` becomes its
    /// resume token if the facilitator agrees.
    Reclaim {
        name: String,
        token: String,
    },
    Facilitator,
    Screen {
        key: String,
    },
}

#[derive(Debug)]
pub enum AttachError {
    /// The room was unloading; ask the registry again.
    Retry,
    Refused {
        code: &'static str,
        message: String,
    },
    /// The name is taken in this session: another one is suggested (or the phone asks to
    /// take that participant back).
    NameTaken {
        suggestion: String,
    },
}

pub(crate) enum RoomMsg {
    Attach {
        conn: ConnId,
        arrival: Arrival,
        outbox: mpsc::Sender<Outbound>,
        reply: oneshot::Sender<Result<(), AttachError>>,
    },
    Action {
        conn: ConnId,
        action: Action,
    },
    Detach {
        conn: ConnId,
    },
    Shutdown {
        done: oneshot::Sender<()>,
    },
    /// Reads the session's current phase (for HTTP handlers that depend on it).
    Phase {
        reply: oneshot::Sender<crate::session::Phase>,
    },
    /// Whether a claim code is this session's live one (for `/claim`).
    ClaimCodeLive {
        code: String,
        reply: oneshot::Sender<bool>,
    },
    /// What the session stores about one participant (their right of access).
    Personal {
        pid: ParticipantId,
        reply: oneshot::Sender<serde_json::Value>,
    },
    /// Erases personal data: the whole session's (`None`) or one participant's.
    Erase {
        pid: Option<ParticipantId>,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// A signing task's report: the badge id, or why it failed.
    BadgeSigned {
        pid: ParticipantId,
        result: Result<String, String>,
    },
    /// Sends an event that is not part of the session's state (no `seq`, not stored) to the
    /// staff screens, e.g. live feedback statistics.
    NotifyStaff {
        event: serde_json::Value,
    },
}

#[derive(Clone)]
pub struct RoomHandle {
    id: u64,
    tx: mpsc::Sender<RoomMsg>,
}

impl RoomHandle {
    /// Attaches a connection; on success the room has sent (or will send first) its `welcome`.
    pub async fn attach(
        &self,
        conn: ConnId,
        arrival: Arrival,
        outbox: mpsc::Sender<Outbound>,
    ) -> Result<(), AttachError> {
        let (reply, answer) = oneshot::channel();
        let msg = RoomMsg::Attach {
            conn,
            arrival,
            outbox,
            reply,
        };
        if self.tx.send(msg).await.is_err() {
            return Err(AttachError::Retry);
        }
        answer.await.unwrap_or(Err(AttachError::Retry))
    }

    /// Hands an action to the room; false if the room is gone.
    pub async fn act(&self, conn: ConnId, action: Action) -> bool {
        self.tx.send(RoomMsg::Action { conn, action }).await.is_ok()
    }

    /// The session's current phase; `None` if the room is gone.
    pub async fn phase(&self) -> Option<crate::session::Phase> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(RoomMsg::Phase { reply }).await.ok()?;
        answer.await.ok()
    }

    /// Whether `code` is the session's live claim code: its desk is in claim-code mode with
    /// that code, still valid, and the session is not closed.
    pub async fn claim_code_live(&self, code: &str) -> bool {
        let (reply, answer) = oneshot::channel();
        let asked = RoomMsg::ClaimCodeLive {
            code: code.to_string(),
            reply,
        };
        if self.tx.send(asked).await.is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }

    /// What the session stores about participant `pid`.
    pub async fn personal_data(&self, pid: ParticipantId) -> Option<serde_json::Value> {
        let (reply, answer) = oneshot::channel();
        self.tx.send(RoomMsg::Personal { pid, reply }).await.ok()?;
        answer.await.ok()
    }

    /// Shows a transient event on the console and projector (not stored).
    pub async fn notify_staff(&self, event: serde_json::Value) {
        let _ = self.tx.send(RoomMsg::NotifyStaff { event }).await;
    }

    pub async fn detach(&self, conn: ConnId) {
        let _ = self.tx.send(RoomMsg::Detach { conn }).await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    #[error("no session has this code")]
    UnknownCode,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the session's stored history cannot be replayed: {0}")]
    Corrupt(String),
    /// Another node holds the session's lease and kept renewing it: it serves the session.
    #[error("another node serves this session")]
    Elsewhere(Duration),
}

#[derive(Debug, Clone)]
pub struct RoomSettings {
    /// How long a room with no connection stays in memory.
    pub idle_unload: Duration,
    /// A snapshot is stored every this many commands, bounding the replay on load.
    pub snapshot_every: u64,
    /// A participant without a socket for this long is away: the time a locked screen or a
    /// Wi-Fi change takes to come back, so a blip does not count.
    pub away_after: Duration,
}

/// Beyond the lease's expiry as the database reported it: the time to ask again.
const LEASE_MARGIN: Duration = Duration::from_millis(20);

/// A participant is away after this long without a socket.
pub const AWAY_AFTER: Duration = Duration::from_secs(20);

impl Default for RoomSettings {
    fn default() -> Self {
        Self {
            idle_unload: Duration::from_secs(300),
            snapshot_every: 256,
            away_after: AWAY_AFTER,
        }
    }
}

/// All loaded rooms, by join code.
pub struct Rooms {
    map: DashMap<String, RoomHandle>,
    store: Store,
    issuer: Arc<Issuer>,
    settings: RoomSettings,
    next_room_id: AtomicU64,
    next_conn_id: AtomicU64,
}

impl Rooms {
    pub fn new(store: Store, issuer: Arc<Issuer>, settings: RoomSettings) -> Arc<Self> {
        Arc::new(Self {
            map: DashMap::new(),
            store,
            issuer,
            settings,
            next_room_id: AtomicU64::new(1),
            next_conn_id: AtomicU64::new(1),
        })
    }

    pub fn new_conn_id(&self) -> ConnId {
        self.next_conn_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn loaded_count(&self) -> usize {
        self.map.len()
    }

    /// The room for `code`, loading it from storage if needed.
    pub async fn get(self: &Arc<Self>, code: &str) -> Result<RoomHandle, RoomError> {
        if let Some(handle) = self.map.get(code) {
            return Ok(handle.clone());
        }
        // Load without holding any map lock; if another task won the race, use its room.
        let loaded = match actor::load(&self.store, code).await {
            // A lease that its holder stops renewing (a node that died) expires: wait for
            // that once, then take the session over. One still renewed is another live
            // node's: this one does not serve that session.
            Err(RoomError::Elsewhere(left)) if left <= self.store.lease_settings().ttl => {
                tokio::time::sleep(left + LEASE_MARGIN).await;
                actor::load(&self.store, code).await?
            }
            other => other?,
        };
        let handle = match self.map.entry(code.to_string()) {
            dashmap::Entry::Occupied(existing) => existing.get().clone(),
            dashmap::Entry::Vacant(slot) => {
                let (tx, rx) = mpsc::channel(ROOM_INBOX);
                let id = self.next_room_id.fetch_add(1, Ordering::Relaxed);
                let handle = RoomHandle { id, tx: tx.clone() };
                slot.insert(handle.clone());
                tokio::spawn(actor::run(loaded, rx, tx, id, Arc::clone(self)));
                handle
            }
        };
        Ok(handle)
    }

    /// Removes a room from the registry if it is still the one with `id`.
    fn forget(&self, code: &str, id: u64) {
        self.map.remove_if(code, |_, handle| handle.id == id);
    }

    /// Erases the personal data of a session, or of one of its participants: names, e-mails,
    /// resume tokens, the command log that held them; badges keep their revocation status.
    pub async fn erase(
        self: &Arc<Self>,
        code: &str,
        pid: Option<ParticipantId>,
    ) -> Result<(), RoomError> {
        for _ in 0..3 {
            let room = self.get(code).await?;
            let (reply, answer) = oneshot::channel();
            if room.tx.send(RoomMsg::Erase { pid, reply }).await.is_err() {
                continue;
            }
            return match answer.await {
                Ok(result) => result.map_err(RoomError::Corrupt),
                Err(_) => continue,
            };
        }
        Err(RoomError::Corrupt(
            "the session's room kept going away".into(),
        ))
    }

    /// Tells every room to store a snapshot and say goodbye to its connections.
    pub async fn shutdown(&self) {
        let handles: Vec<RoomHandle> = self.map.iter().map(|e| e.value().clone()).collect();
        for handle in handles {
            let (done, finished) = oneshot::channel();
            if handle.tx.send(RoomMsg::Shutdown { done }).await.is_ok() {
                let _ = finished.await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Outbound;

    /// Every connection's outbox allocates 32 slots up front (tokio's mpsc): the slot size is
    /// memory per idle phone.
    #[test]
    fn an_outbox_slot_stays_small() {
        assert!(std::mem::size_of::<Outbound>() <= 16);
    }
}
