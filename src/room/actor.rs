//! The room task: the single owner of one session's live state.
//!
//! Each turn it takes a batch of messages, applies the accepted commands to the state,
//! stores them in one transaction, and only then sends anything (welcomes, events, replies).
//! So nothing a client was told can be lost by a crash, and a storage failure rolls the
//! room back to what is stored.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::time::Instant;

use futures_util::FutureExt as _;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use subtle::ConstantTimeEq;
use tokio::sync::{mpsc, oneshot};

use super::{
    Arrival, AttachError, ConnId, Frame, Outbound, RoomError, RoomMsg, Rooms, shared_frame,
};
use crate::deck::Lang;
use crate::games::bingo::BingoCommand;
use crate::games::fresque::FresqueCommand;
use crate::games::{Actor, Audience, Emit, ParticipantId, Viewer};
use crate::issuer::IssueRequest;
use crate::protocol::{Action, error_value};
use crate::session::badges::BadgeCommand;
use crate::session::code::new_join_code;
use crate::session::{Command, Phase, SessionConfig, SessionState};
use crate::store::{
    Batch, EventRecord, Lease, SessionRow, Store, StoreError, hash_token, now_rfc3339,
};

/// Messages handled per turn: one transaction covers them all (group commit).
const MAX_BATCH: usize = 128;
/// WebSocket close code sent to a participant the facilitator removed.
const CLOSE_REMOVED: u16 = 4003;
/// WebSocket close code sent to a device whose participant was taken back on another one.
const CLOSE_REPLACED: u16 = 4004;
/// WebSocket close code for a request to take back a participant that the facilitator refused.
const CLOSE_REFUSED: u16 = 4005;
/// WebSocket close code when the server shuts down; phones reconnect.
const CLOSE_GOING_AWAY: u16 = 1001;
/// WebSocket close code when this node lost the session's lease (another node serves it
/// now): the resynchronisation path, so phones reconnect and resume, and get the session from
/// whichever node serves it (a fresh snapshot), as after falling behind.
const CLOSE_RESYNC: u16 = 4000;

/// One line of a session's command log.
#[derive(Debug, Serialize, Deserialize)]
struct LogRecord {
    actor: Actor,
    command: Command,
}

pub(super) struct Loaded {
    row: SessionRow,
    state: SessionState,
    lease: Lease,
}

/// Takes the session's lease, then rebuilds the session from its latest snapshot and the
/// commands stored after it: a node reads a session only once it owns it, so no other node
/// adds to the history it replays ([`crate::store::lease`]).
pub(super) async fn load(store: &Store, code: &str) -> Result<Loaded, RoomError> {
    let row = store
        .session_by_code(code)
        .await?
        .ok_or(RoomError::UnknownCode)?;
    let lease = match store.acquire_lease(row.id).await {
        Ok(lease) => lease,
        Err(StoreError::LeaseHeld(left)) => return Err(RoomError::Elsewhere(left)),
        Err(e) => return Err(e.into()),
    };
    let state = replay(store, &row).await?;
    Ok(Loaded { row, state, lease })
}

/// The state of a session whose lease this node holds: its latest snapshot and the commands
/// stored after it, replayed.
async fn replay(store: &Store, row: &SessionRow) -> Result<SessionState, RoomError> {
    let code = &row.code;
    let history = store.history(row.id).await?;
    let corrupt = |what: String| RoomError::Corrupt(format!("session {code}: {what}"));
    let mut state = match history.snapshot {
        Some((_, json)) => serde_json::from_str::<SessionState>(&json)
            .map_err(|e| corrupt(format!("snapshot: {e}")))?,
        None => {
            let config: SessionConfig =
                serde_json::from_str(&row.config).map_err(|e| corrupt(format!("config: {e}")))?;
            SessionState::new(config).map_err(|e| corrupt(format!("config: {e}")))?
        }
    };
    for event in history.events {
        let record: LogRecord = serde_json::from_str(&event.record)
            .map_err(|e| corrupt(format!("event {}: {e}", event.seq)))?;
        state
            .apply(record.actor, &record.command)
            .map_err(|e| corrupt(format!("event {} no longer applies: {e}", event.seq)))?;
        if state.seq != event.seq {
            return Err(corrupt(format!(
                "event {} replayed as {}",
                event.seq, state.seq
            )));
        }
    }
    Ok(state)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Participant(ParticipantId),
    Facilitator,
    Screen,
    /// A phone waiting for the facilitator to let it take back a participant: it hears
    /// nothing of the session until then.
    Claimant,
}

/// A phone's request to take back participant `pid` on this device (see [`Arrival::Reclaim`]).
struct Claim {
    pid: ParticipantId,
    /// Its resume token once accepted (the other devices' tokens are revoked).
    token: String,
}

/// Requests waiting for the facilitator at once, per session: a phone spamming requests does
/// not flood the console.
const MAX_CLAIMS: usize = 20;

struct Conn {
    role: Role,
    outbox: mpsc::Sender<Outbound>,
}

/// Something to send once the batch is stored.
enum Out {
    Emit(Audience, Value),
    ToConn(ConnId, Value),
    /// A connection's first frame. Until it is sent, that connection gets nothing else of the
    /// turn: what came before it in the turn is in its snapshot already.
    Welcome(ConnId, Value),
    Close(ConnId, u16, Value),
    Presence(ParticipantId, bool),
}

/// What identifies a staff event that restates the latest value of something (a count, a
/// participant's summary, the whole roster, a presence): of those, only the last of a turn is
/// sent. A mass join would otherwise queue several frames per join to every console.
#[derive(PartialEq, Eq, Hash)]
enum Latest {
    Event(&'static str, u64),
    Presence(ParticipantId),
}

fn latest_key(item: &Out) -> Option<Latest> {
    match item {
        Out::Emit(Audience::Staff, event) => match event["type"].as_str()? {
            "fresque.roster" => Some(Latest::Event("fresque.roster", 0)),
            "bingo.answers" => Some(Latest::Event("bingo.answers", 0)),
            "bingo.participant" => Some(Latest::Event(
                "bingo.participant",
                event["participant"]["id"].as_u64()?,
            )),
            _ => None,
        },
        Out::Presence(pid, _) => Some(Latest::Presence(*pid)),
        _ => None,
    }
}

/// Queues `frame` for `conn`; a full outbox marks the connection as lagging (it is dropped
/// and resumes with a fresh snapshot).
fn queue(conns: &HashMap<ConnId, Conn>, lagging: &mut Vec<ConnId>, conn: ConnId, frame: &Frame) {
    if let Some(c) = conns.get(&conn)
        && c.outbox
            .try_send(Outbound::Text(Arc::clone(frame)))
            .is_err()
    {
        lagging.push(conn);
    }
}

/// Drops the staff events superseded by a later one of the same turn. The last one keeps its
/// place: whatever was sent before it is older than what it states.
fn coalesce(out: Vec<Out>) -> Vec<Out> {
    let mut seen = HashSet::new();
    let mut keep: Vec<bool> = out
        .iter()
        .rev()
        .map(|item| latest_key(item).is_none_or(|key| seen.insert(key)))
        .collect();
    keep.reverse();
    out.into_iter()
        .zip(keep)
        .filter_map(|(item, keep)| keep.then_some(item))
        .collect()
}

/// An erasure request: whose data (`None`: the whole session's), and where to answer.
type Erasure = (Option<ParticipantId>, oneshot::Sender<Result<(), String>>);

struct Room {
    id: u64,
    row: SessionRow,
    state: SessionState,
    /// The session's lease: every batch is stored under it.
    lease: Lease,
    /// The lease was lost (another node took the session over): the room stops without
    /// writing anything more.
    moved: bool,
    rooms: Arc<Rooms>,
    conns: HashMap<ConnId, Conn>,
    by_pid: HashMap<ParticipantId, Vec<ConnId>>,
    /// Consoles and projectors: a few connections that most turns send something to, kept apart
    /// so that reaching them does not walk every phone of a large room.
    staff: Vec<ConnId>,
    commands_since_snapshot: u64,
    // The batch being built this turn.
    batch: Batch,
    out: Vec<Out>,
    attach_replies: Vec<(ConnId, oneshot::Sender<Result<(), AttachError>>)>,
    originators: Vec<ConnId>,
    shutdown_replies: Vec<oneshot::Sender<()>>,
    /// Badges approved in this batch: signed once it is stored.
    to_issue: Vec<ParticipantId>,
    /// This room's own inbox, for signing tasks to report back.
    inbox: mpsc::Sender<RoomMsg>,
    /// Participants whose badge a signing task is working on: a second approval, or the phone
    /// asking again, while one runs does not start another (one badge per participant).
    signing: HashSet<ParticipantId>,
    /// Erasure requests, carried out after this turn's commands are stored.
    erasures: Vec<Erasure>,
    /// Participants without a socket who are not away yet, since when: away once the
    /// away delay has passed.
    absent: HashMap<ParticipantId, Instant>,
    /// Some away member may hold cards whose grace period will end.
    release_pending: bool,
    /// Phones asking to take back a participant, by their connection.
    claims: HashMap<ConnId, Claim>,
}

/// The wall clock in Unix milliseconds (stored in presence commands).
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

pub(super) async fn run(
    loaded: Loaded,
    mut rx: mpsc::Receiver<RoomMsg>,
    inbox: mpsc::Sender<RoomMsg>,
    id: u64,
    rooms: Arc<Rooms>,
) {
    let code = loaded.row.code.clone();
    tracing::debug!(%code, "room loaded");
    let mut room = Room {
        id,
        row: loaded.row,
        state: loaded.state,
        lease: loaded.lease,
        moved: false,
        rooms,
        conns: HashMap::new(),
        by_pid: HashMap::new(),
        staff: Vec::new(),
        commands_since_snapshot: 0,
        batch: Batch::default(),
        out: Vec::new(),
        attach_replies: Vec::new(),
        originators: Vec::new(),
        shutdown_replies: Vec::new(),
        to_issue: Vec::new(),
        inbox,
        signing: HashSet::new(),
        erasures: Vec::new(),
        absent: HashMap::new(),
        release_pending: true,
        claims: HashMap::new(),
    };
    // Nobody is connected to a room just loaded: whoever does not come back goes away.
    room.track_absent();
    // Badges approved before a restart but not yet signed.
    for pid in room.state.badges.pending_issues() {
        room.sign(pid);
    }
    let mut quiet_since = Instant::now();
    loop {
        let idle = room
            .conns
            .is_empty()
            .then(|| quiet_since + room.rooms.settings.idle_unload);
        let tick = room.next_tick();
        let first = tokio::select! {
            msg = rx.recv() => match msg {
                Some(msg) => Some(msg),
                None => break,
            },
            () = tokio::time::sleep_until(idle.unwrap_or_else(Instant::now)), if idle.is_some() => break,
            () = tokio::time::sleep_until(tick.unwrap_or_else(Instant::now)), if tick.is_some() => None,
            () = room.lease.lost() => {
                room.moved(Vec::new(), Vec::new());
                break;
            }
        };
        match first {
            Some(first) => {
                quiet_since = Instant::now();
                room.handle(first);
                for _ in 1..MAX_BATCH {
                    match rx.try_recv() {
                        Ok(msg) => room.handle(msg),
                        Err(_) => break,
                    }
                }
            }
            None => room.tick(),
        }
        room.commit().await;
        if !room.shutdown_replies.is_empty() || room.moved {
            break;
        }
    }
    room.unload(rx).await;
    tracing::debug!(%code, "room unloaded");
}

impl Room {
    fn handle(&mut self, msg: RoomMsg) {
        match msg {
            RoomMsg::Attach {
                conn,
                arrival,
                outbox,
                reply,
            } => match self.attach(conn, arrival, outbox) {
                Ok(()) => self.attach_replies.push((conn, reply)),
                Err(refusal) => {
                    let _ = reply.send(Err(refusal));
                }
            },
            RoomMsg::Action { conn, action } => self.act(conn, action),
            RoomMsg::Detach { conn } => self.detach(conn),
            RoomMsg::Phase { reply } => {
                let _ = reply.send(self.state.phase);
            }
            RoomMsg::ClaimCodeLive { code, reply } => {
                let live = self.state.phase != Phase::Closed
                    && self.state.badges.claim_code_live(&code, &now_rfc3339());
                let _ = reply.send(live);
            }
            RoomMsg::NotifyStaff { event } => self.out.push(Out::Emit(Audience::Staff, event)),
            RoomMsg::BadgeSigned { pid, result } => self.badge_signed(pid, result),
            RoomMsg::Erase { pid, reply } => self.erasures.push((pid, reply)),
            RoomMsg::Personal { pid, reply } => {
                let _ = reply.send(self.personal_data(pid));
            }
            RoomMsg::Shutdown { done } => {
                for (&conn, _) in self.conns.iter() {
                    let bye = json!({"type": "bye", "reason": "server_shutdown"});
                    self.out.push(Out::Close(conn, CLOSE_GOING_AWAY, bye));
                }
                self.shutdown_replies.push(done);
            }
        }
    }

    fn attach(
        &mut self,
        conn: ConnId,
        arrival: Arrival,
        outbox: mpsc::Sender<Outbound>,
    ) -> Result<(), AttachError> {
        let refuse = |code: &'static str, message: &str| AttachError::Refused {
            code,
            message: message.to_string(),
        };
        // The welcome goes out before the events of this very join (they are in its snapshot).
        let welcome_at = self.out.len();
        let (role, token) = match arrival {
            Arrival::NewParticipant { name, token } => {
                // One person, one participant: a taken name is not silently made "Zoé 2"
                // (and printed so in a badge); the phone asks for another, or to take back
                // the one of that name. (Replayed joins keep the old suffixing: see `join`.)
                if self.state.phase != Phase::Closed
                    && !self.state.joining_closed
                    && self.state.participants.name_taken(&name)
                {
                    let suggestion = crate::session::code::unique_name_by(&name, |candidate| {
                        self.state.participants.name_taken(candidate)
                    });
                    return Err(AttachError::NameTaken { suggestion });
                }
                let pid = self.state.next_pid;
                let outcome = self
                    .accept(
                        Actor::Participant(pid),
                        Command::Join {
                            name,
                            seed: rand::random(),
                        },
                        conn,
                    )
                    .map_err(|e| refuse(e.0, &e.1))?;
                let pid =
                    outcome.ok_or_else(|| refuse("internal", "join produced no participant"))?;
                self.batch.new_tokens.push((hash_token(&token), pid));
                (Role::Participant(pid), Some(token))
            }
            Arrival::Participant { pid, token } => {
                let participant = self
                    .state
                    .participant(pid)
                    .map_err(|e| refuse(e.code(), &e.to_string()))?;
                self.absent.remove(&pid);
                if participant.away.is_some() {
                    // Back: stored before the welcome is built, so the welcome shows it.
                    let back = Command::Presence { pid, away: None };
                    self.accept(Actor::Facilitator, back, conn)
                        .map_err(|e| refuse(e.0, &e.1))?;
                }
                (Role::Participant(pid), Some(token))
            }
            Arrival::Reclaim { name, token } => {
                return self.ask_to_reclaim(conn, &name, token, outbox);
            }
            Arrival::Facilitator => (Role::Facilitator, None),
            Arrival::Screen { key } => {
                if !bool::from(key.as_bytes().ct_eq(self.row.screen_key.as_bytes())) {
                    return Err(refuse("forbidden", "this projector link is not valid"));
                }
                (Role::Screen, None)
            }
        };
        self.conns.insert(conn, Conn { role, outbox });
        if matches!(role, Role::Facilitator | Role::Screen) {
            self.staff.push(conn);
        }
        if let Role::Participant(pid) = role {
            let conns = self.by_pid.entry(pid).or_default();
            conns.push(conn);
            if conns.len() == 1 {
                self.out.push(Out::Presence(pid, true));
            }
        }
        let welcome = self.welcome(role, token);
        self.out.insert(welcome_at, Out::Welcome(conn, welcome));
        Ok(())
    }

    /// A phone asks to take back the participant called `name`: it waits (hearing nothing of
    /// the session) while the console shows the request.
    fn ask_to_reclaim(
        &mut self,
        conn: ConnId,
        name: &str,
        token: String,
        outbox: mpsc::Sender<Outbound>,
    ) -> Result<(), AttachError> {
        let refuse = |code: &'static str, message: &str| AttachError::Refused {
            code,
            message: message.to_string(),
        };
        if self.state.phase == Phase::Closed {
            return Err(refuse("session_closed", "the session is closed"));
        }
        let wanted = name.to_lowercase();
        let Some((&pid, participant)) = self
            .state
            .participants
            .iter()
            .find(|(_, p)| !p.removed && p.name.to_lowercase() == wanted)
        else {
            return Err(refuse(
                "unknown_name",
                "nobody in this session has this name",
            ));
        };
        if self.claims.len() >= MAX_CLAIMS {
            return Err(refuse(
                "busy",
                "too many requests are waiting; try again in a minute",
            ));
        }
        let name = participant.name.clone();
        self.conns.insert(
            conn,
            Conn {
                role: Role::Claimant,
                outbox,
            },
        );
        self.claims.insert(conn, Claim { pid, token });
        self.out.push(Out::ToConn(
            conn,
            json!({"type": "reclaim.waiting", "name": name}),
        ));
        self.out.push(Out::Emit(
            Audience::Staff,
            json!({"type": "reclaim.requested", "request": conn, "pid": pid, "name": name}),
        ));
        Ok(())
    }

    /// The facilitator's answer to a request to take back a participant. Accepted: the other
    /// devices of that participant are closed and their tokens revoked, and the new one
    /// resumes the participant (its welcome carries its new token).
    fn decide_reclaim(&mut self, by: ConnId, request: ConnId, accept: bool) {
        let Some(claim) = self.claims.remove(&request) else {
            self.out.push(Out::ToConn(
                by,
                error_value(
                    "unknown_request",
                    "this request was withdrawn or already answered",
                ),
            ));
            return;
        };
        self.out.push(Out::Emit(
            Audience::Staff,
            json!({"type": "reclaim.decided", "request": request, "pid": claim.pid, "accepted": accept}),
        ));
        let pid = claim.pid;
        if !accept || self.state.participant(pid).is_err() {
            let bye = json!({"type": "bye", "reason": "reclaim_refused"});
            self.out.push(Out::Close(request, CLOSE_REFUSED, bye));
            return;
        }
        for &old in self.by_pid.get(&pid).into_iter().flatten() {
            let bye = json!({"type": "bye", "reason": "replaced"});
            self.out.push(Out::Close(old, CLOSE_REPLACED, bye));
        }
        let hash = hash_token(&claim.token);
        self.batch.new_tokens.push((hash.clone(), pid));
        self.batch.revoke_tokens.push((pid, hash));
        if let Some(c) = self.conns.get_mut(&request) {
            c.role = Role::Participant(pid);
        }
        self.by_pid.entry(pid).or_default().push(request);
        self.absent.remove(&pid);
        let welcome_at = self.out.len();
        if self.state.participant(pid).is_ok_and(|p| p.away.is_some()) {
            let back = Command::Presence { pid, away: None };
            if let Err((code, message)) = self.accept(Actor::Facilitator, back, request) {
                tracing::warn!(pid, code, %message, "a participant taken back is not back");
            }
        }
        self.out.push(Out::Presence(pid, true));
        let welcome = self.welcome(Role::Participant(pid), Some(claim.token));
        self.out.insert(welcome_at, Out::Welcome(request, welcome));
    }

    fn welcome(&self, role: Role, token: Option<String>) -> Value {
        let (viewer, role_name) = match role {
            Role::Participant(pid) => (Viewer::Participant(pid), "participant"),
            Role::Facilitator => (Viewer::Staff, "facilitator"),
            Role::Screen | Role::Claimant => (Viewer::Screen, "screen"),
        };
        let mut welcome = json!({"type": "welcome", "role": role_name, "seq": self.state.seq});
        if let Some(token) = token {
            welcome["token"] = Value::String(token);
        }
        if viewer.is_staff() {
            let online: Vec<ParticipantId> = self.by_pid.keys().copied().collect();
            welcome["online"] = json!(online);
            // The server's clock, for counting down grace periods whatever the console's.
            welcome["now"] = json!(now_ms());
            let claims: Vec<Value> = self
                .claims
                .iter()
                .map(|(request, claim)| {
                    let name = self
                        .state
                        .participants
                        .get(&claim.pid)
                        .map(|p| p.name.as_str());
                    json!({"request": request, "pid": claim.pid, "name": name})
                })
                .collect();
            welcome["reclaims"] = Value::Array(claims);
        }
        if let (Value::Object(target), Value::Object(view)) =
            (&mut welcome, self.state.view(viewer))
        {
            target.extend(view);
        }
        if let Viewer::Participant(pid) = viewer {
            // A participant's own badge links (they carry its secret), and the names of
            // teammates (phones are not sent everyone's name).
            if let Some(badge_id) = self
                .state
                .badges
                .requests
                .get(&pid)
                .and_then(|r| r.badge_id.as_deref())
            {
                welcome["badge"]["links"] = self.rooms.issuer.private_paths(badge_id);
            }
            if let Some(fresque) = &self.state.fresque
                && let Some(team) = fresque.team_of(pid)
            {
                let names: serde_json::Map<String, Value> = self
                    .state
                    .participants
                    .iter()
                    .filter(|(other, p)| !p.removed && fresque.team_of(**other) == Some(team))
                    .map(|(other, p)| (other.to_string(), Value::String(p.name.clone())))
                    .collect();
                welcome["teammates"] = Value::Object(names);
            }
        }
        welcome
    }

    fn act(&mut self, conn: ConnId, action: Action) {
        let Some(role) = self.conns.get(&conn).map(|c| c.role) else {
            return;
        };
        let actor = match role {
            Role::Participant(pid) => Actor::Participant(pid),
            Role::Facilitator => Actor::Facilitator,
            Role::Screen => {
                self.out.push(Out::ToConn(
                    conn,
                    error_value("read_only", "the projector cannot change the session"),
                ));
                return;
            }
            Role::Claimant => {
                self.out.push(Out::ToConn(
                    conn,
                    error_value("waiting", "the facilitator has not answered yet"),
                ));
                return;
            }
        };
        if let Action::DecideReclaim { request, accept } = action {
            match actor {
                Actor::Facilitator => self.decide_reclaim(conn, request, accept),
                Actor::Participant(_) => self.out.push(Out::ToConn(
                    conn,
                    error_value("forbidden", "only the facilitator can do that"),
                )),
            }
            return;
        }
        let command = match action {
            Action::NextPhase => Command::NextPhase,
            Action::SetPhase { phase } => Command::SetPhase { phase },
            Action::RemoveParticipant { pid } => Command::Remove { pid },
            Action::SetJoining { open } => Command::SetJoining { open },
            Action::DecideReclaim { .. } => return,
            Action::Bingo(mut command) => {
                // A round's clock time is the server's, stored with the command (whatever a
                // console's clock says).
                if let BingoCommand::Draw { at, .. } | BingoCommand::Call { at, .. } = &mut command
                {
                    *at = Some(now_ms());
                }
                Command::Bingo {
                    command,
                    seed: rand::random(),
                }
            }
            Action::Fresque(command) => Command::Fresque {
                command,
                seed: rand::random(),
            },
            Action::Badge(action) => match action.into_command(now_rfc3339(), new_join_code()) {
                Ok(command) => Command::Badge { command },
                Err(e) => {
                    self.out
                        .push(Out::ToConn(conn, error_value(e.code(), &e.to_string())));
                    return;
                }
            },
        };
        if let Err((code, message)) = self.accept(actor, command, conn) {
            self.out
                .push(Out::ToConn(conn, error_value(code, &message)));
        }
    }

    /// Applies a command; if accepted, queues it for storage and its events for sending.
    /// Returns the participant a join created.
    fn accept(
        &mut self,
        actor: Actor,
        command: Command,
        origin: ConnId,
    ) -> Result<Option<ParticipantId>, (&'static str, String)> {
        let was_closed = self.state.phase == Phase::Closed;
        let mut outcome = self
            .state
            .apply(actor, &command)
            .map_err(|e| (e.code(), e.to_string()))?;
        // A closed session's claim codes mint nothing more.
        outcome.void_claim_codes |= !was_closed && self.state.phase == Phase::Closed;
        if let Command::Badge {
            command:
                BadgeCommand::Issued { pid, .. }
                | BadgeCommand::Decide {
                    pid,
                    approve: false,
                },
        } = &command
        {
            self.batch.forget_emails.push(*pid);
        }
        let record = serde_json::to_string(&LogRecord { actor, command })
            .map_err(|e| ("internal", e.to_string()))?;
        self.batch.events.push(EventRecord {
            seq: self.state.seq,
            record,
        });
        self.commands_since_snapshot += 1;
        self.originators.push(origin);
        for Emit { to, mut event } in outcome.emits {
            event["seq"] = json!(self.state.seq);
            self.out.push(Out::Emit(to, event));
        }
        self.to_issue.extend(outcome.to_issue);
        if outcome.void_claim_codes {
            self.batch.void_claim_codes = true;
            self.batch.claim_codes.clear();
        }
        if let Some(claim) = outcome.new_claim_code {
            self.batch.claim_codes.push((claim.code, claim.valid_until));
        }
        if let Some(pid) = outcome.removed {
            self.absent.remove(&pid);
            for &conn in self.by_pid.get(&pid).into_iter().flatten() {
                let bye = json!({"type": "bye", "reason": "removed"});
                self.out.push(Out::Close(conn, CLOSE_REMOVED, bye));
            }
        }
        Ok(outcome.joined)
    }

    fn detach(&mut self, conn: ConnId) {
        let Some(gone) = self.conns.remove(&conn) else {
            return;
        };
        self.staff.retain(|&c| c != conn);
        if gone.role == Role::Claimant && self.claims.remove(&conn).is_some() {
            self.out.push(Out::Emit(
                Audience::Staff,
                json!({"type": "reclaim.withdrawn", "request": conn}),
            ));
        }
        if let Role::Participant(pid) = gone.role
            && let Some(conns) = self.by_pid.get_mut(&pid)
        {
            conns.retain(|&c| c != conn);
            if conns.is_empty() {
                self.by_pid.remove(&pid);
                self.out.push(Out::Presence(pid, false));
                if self.state.participant(pid).is_ok_and(|p| p.away.is_none()) {
                    self.absent.insert(pid, Instant::now());
                }
            }
        }
    }

    /// Every participant (not removed, not away) without a socket starts counting towards
    /// away: after a load, or a roll-back that may have undone a presence command.
    fn track_absent(&mut self) {
        let now = Instant::now();
        for (&pid, p) in self.state.participants.iter() {
            if !p.removed && p.away.is_none() && !self.by_pid.contains_key(&pid) {
                self.absent.entry(pid).or_insert(now);
            }
        }
        self.release_pending = true;
    }

    /// When the room must look at presence again: absent participants may go away, or away
    /// members' grace periods may end. Checked a few times per away delay, at most every
    /// second.
    fn next_tick(&self) -> Option<Instant> {
        if self.absent.is_empty() && !self.release_pending {
            return None;
        }
        let every = (self.rooms.settings.away_after / 4).min(Duration::from_secs(1));
        Some(Instant::now() + every.max(Duration::from_millis(10)))
    }

    /// Stores who went away, and releases the hands whose grace period ended.
    fn tick(&mut self) {
        let now = Instant::now();
        let away_after = self.rooms.settings.away_after;
        let due: Vec<ParticipantId> = self
            .absent
            .iter()
            .filter(|(_, since)| now.duration_since(**since) >= away_after)
            .map(|(&pid, _)| pid)
            .collect();
        for pid in due {
            self.absent.remove(&pid);
            let away = Command::Presence {
                pid,
                away: Some(now_ms()),
            };
            if self.accept(Actor::Facilitator, away, 0).is_ok() {
                self.release_pending = true;
            }
        }
        if !self.release_pending {
            return;
        }
        let Some(fresque) = &self.state.fresque else {
            self.release_pending = false;
            return;
        };
        let holding = fresque.away_holding();
        if holding.is_empty() {
            self.release_pending = false;
            return;
        }
        if self.state.current_activity() != Some(crate::session::ActivityKind::Fresque) {
            return;
        }
        let grace = u64::from(fresque.grace()) * 1000;
        let wall = now_ms();
        for pid in holding {
            let since = self.state.participants.get(&pid).and_then(|p| p.away);
            if since.is_some_and(|since| since.saturating_add(grace) <= wall) {
                let release = Command::Fresque {
                    command: FresqueCommand::ReleaseHand { participant: pid },
                    seed: 0,
                };
                if let Err((code, message)) = self.accept(Actor::Facilitator, release, 0) {
                    tracing::warn!(pid, code, %message, "releasing an away member's hand failed");
                }
            }
        }
    }

    /// Stores this turn's commands, then sends what they produced; on a storage failure
    /// rolls back to the stored state and tells the senders.
    async fn commit(&mut self) {
        let mut batch = std::mem::take(&mut self.batch);
        let originators = std::mem::take(&mut self.originators);
        let attach_replies = std::mem::take(&mut self.attach_replies);
        let to_issue = std::mem::take(&mut self.to_issue);
        if !batch.is_empty() {
            // A snapshot costs O(participants): taking one every max(setting, participants)
            // commands keeps its cost per command bounded however large the room (and a
            // reload replays at most that many commands).
            let every = self
                .rooms
                .settings
                .snapshot_every
                .max(self.state.participants.len() as u64);
            if self.commands_since_snapshot >= every || !self.shutdown_replies.is_empty() {
                batch.snapshot = self.snapshot();
            }
            let snapshotted = batch.snapshot.is_some();
            match self.rooms.store.append(&self.lease, batch).await {
                Ok(()) => {}
                Err(StoreError::NotOwner) => {
                    // Another node serves the session now and has read the history without
                    // this batch: nothing of it happened. Stop instead of diverging.
                    self.moved(originators, attach_replies);
                    return;
                }
                Err(e) => {
                    tracing::error!(code = %self.row.code, error = %e, "storing commands failed; rolling back");
                    self.roll_back(originators, attach_replies).await;
                    return;
                }
            }
            if snapshotted {
                self.commands_since_snapshot = 0;
            }
        }
        // Approvals are stored: sign those badges.
        for pid in to_issue {
            self.sign(pid);
        }
        for (pid, reply) in std::mem::take(&mut self.erasures) {
            let result = self.erase(pid).await;
            let _ = reply.send(result);
        }
        self.flush();
        for (_, reply) in attach_replies {
            let _ = reply.send(Ok(()));
        }
    }

    /// Signs the approved badge of `pid` in the background (signing costs milliseconds of CPU;
    /// the room goes on meanwhile) and reports back with `BadgeSigned`. Idempotent: a
    /// participant who already has a badge of this session gets that one.
    fn sign(&mut self, pid: ParticipantId) {
        let Some(request) = self.state.badges.requests.get(&pid) else {
            return;
        };
        if !self.signing.insert(pid) {
            return;
        }
        let issuer = Arc::clone(&self.rooms.issuer);
        let inbox = self.inbox.clone();
        let session_id = self.row.id;
        let name = request.name.clone();
        let email = request.email.clone();
        let achievement = self.state.config.achievement.clone();
        let lang = request
            .lang
            .as_deref()
            .or(Some(self.state.config.lang.as_str()))
            .and_then(Lang::parse)
            .unwrap_or_default();
        tokio::spawn(async move {
            let result = async {
                if let Some(existing) = issuer
                    .store()
                    .badge_of(session_id, pid)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    return Ok(existing.id);
                }
                let request = IssueRequest {
                    name: &name,
                    email: email.as_deref(),
                    achievement_id: achievement.as_deref(),
                    lang,
                    session_id: Some(session_id),
                    pid: Some(pid),
                };
                issuer
                    .issue(request)
                    .await
                    .map(|issued| issued.id)
                    .map_err(|e| e.to_string())
            };
            // Even a panic in signing reports back, so that the room never keeps this
            // participant "being signed" forever.
            let result = std::panic::AssertUnwindSafe(result)
                .catch_unwind()
                .await
                .unwrap_or_else(|_| Err("signing panicked".into()));
            // If the room is gone, the badge is stored: the next load finds it (idempotent).
            let _ = inbox.send(RoomMsg::BadgeSigned { pid, result }).await;
        });
    }

    fn badge_signed(&mut self, pid: ParticipantId, result: Result<String, String>) {
        self.signing.remove(&pid);
        match result {
            Ok(badge_id) => {
                let command = Command::Badge {
                    command: BadgeCommand::Issued {
                        pid,
                        badge_id: badge_id.clone(),
                    },
                };
                match self.accept(Actor::Facilitator, command, 0) {
                    Ok(_) => {
                        let links = self.rooms.issuer.private_paths(&badge_id);
                        let ready = json!({"type": "badge.ready", "badge_id": badge_id, "links": links, "seq": self.state.seq});
                        self.out.push(Out::Emit(Audience::Participant(pid), ready));
                    }
                    Err((code, message)) => {
                        tracing::warn!(pid, code, %message, "signed badge not recorded")
                    }
                }
            }
            Err(message) => {
                tracing::error!(code = %self.row.code, pid, %message, "signing a badge failed");
                let failed = json!({"type": "badge.failed", "code": "sign_failed", "message": "the badge could not be signed; ask again, or the facilitator can approve it again"});
                self.out
                    .push(Out::Emit(Audience::Participant(pid), failed.clone()));
                self.out.push(Out::Emit(
                    Audience::Staff,
                    json!({"type": "badge.failed", "pid": pid}),
                ));
            }
        }
    }

    /// Everything this session holds about one participant, for their right of access.
    fn personal_data(&self, pid: ParticipantId) -> Value {
        let participant = self.state.participants.get(&pid);
        let request = self.state.badges.requests.get(&pid);
        json!({
            "session": {"code": self.state.config.code, "title": self.state.config.title, "created_at": self.row.created_at},
            "participant": participant.map(|p| json!({"id": pid, "display_name": p.name, "removed": p.removed})),
            "badge_request": request.map(|r| json!({
                "name_in_badge": r.name,
                "email_kept": r.email.is_some(),
                "comment": r.comment,
                "status": r.status,
                "badge_id": r.badge_id,
            })),
            "badge_links": request.and_then(|r| r.badge_id.as_deref()).map(|id| self.rooms.issuer.private_paths(id)),
            "bingo_grid": self.state.bingo.as_ref().map(|g| g.view(Viewer::Participant(pid))["grid"].clone()),
            "fresque_team": self.state.fresque.as_ref().and_then(|f| f.team_of(pid)),
        })
    }

    /// Scrubs names and e-mails from the state, then replaces the stored log with the scrubbed
    /// snapshot; the phones concerned lose their resume token and are told.
    async fn erase(&mut self, pid: Option<ParticipantId>) -> Result<(), String> {
        let mut scrubbed = self.state.clone();
        scrubbed.scrub(pid);
        let json = serde_json::to_string(&scrubbed).map_err(|e| e.to_string())?;
        match self
            .rooms
            .store
            .erase_personal_data(&self.lease, scrubbed.seq, &json, pid)
            .await
        {
            Ok(()) => {}
            Err(StoreError::NotOwner) => {
                self.moved(Vec::new(), Vec::new());
                return Err("the session moved to another server; try again".into());
            }
            Err(e) => return Err(e.to_string()),
        }
        self.state = scrubbed;
        self.commands_since_snapshot = 0;
        let gone: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| matches!(c.role, Role::Participant(p) if pid.is_none_or(|x| x == p)))
            .map(|(conn, _)| *conn)
            .collect();
        for conn in gone {
            self.out.push(Out::Close(
                conn,
                CLOSE_REMOVED,
                json!({"type": "bye", "reason": "erased"}),
            ));
        }
        tracing::info!(code = %self.row.code, ?pid, "personal data erased");
        Ok(())
    }

    fn snapshot(&self) -> Option<(u64, String)> {
        match serde_json::to_string(&self.state) {
            Ok(json) => Some((self.state.seq, json)),
            Err(e) => {
                tracing::error!(error = %e, "cannot serialise a snapshot");
                None
            }
        }
    }

    /// The session's lease is lost: another node serves it now. This room stops without
    /// writing anything more (its last batch, if any, was refused and nothing of it was sent),
    /// and its connections are closed with [`CLOSE_RESYNC`] (`bye` `moved`): they reconnect
    /// and resume on the node that serves the session.
    fn moved(
        &mut self,
        originators: Vec<ConnId>,
        attach_replies: Vec<(ConnId, oneshot::Sender<Result<(), AttachError>>)>,
    ) {
        tracing::warn!(code = %self.row.code, "another node took the session over; closing this room");
        self.moved = true;
        drop(originators);
        self.out.clear();
        self.batch = Batch::default();
        self.to_issue.clear();
        for &conn in self.conns.keys() {
            self.out.push(Out::Close(
                conn,
                CLOSE_RESYNC,
                json!({"type": "bye", "reason": "moved"}),
            ));
        }
        // Connections attached this turn are in `conns`: they get the close as their first
        // frame, and reconnect like the others.
        for (_, reply) in attach_replies {
            let _ = reply.send(Ok(()));
        }
        self.flush();
    }

    async fn roll_back(
        &mut self,
        originators: Vec<ConnId>,
        attach_replies: Vec<(ConnId, oneshot::Sender<Result<(), AttachError>>)>,
    ) {
        // A device let in this turn (a participant taken back) whose welcome is dropped with
        // the rest: closed, it reconnects and asks again.
        let welcomed: Vec<ConnId> = self
            .out
            .iter()
            .filter_map(|item| match item {
                Out::Welcome(conn, _) => Some(*conn),
                _ => None,
            })
            .filter(|conn| !attach_replies.iter().any(|(attached, _)| attached == conn))
            .collect();
        self.out.clear();
        let message = "the server could not save this; nothing was changed, please try again";
        for (conn, reply) in attach_replies {
            self.detach(conn);
            let _ = reply.send(Err(AttachError::Refused {
                code: "storage_unavailable",
                message: message.into(),
            }));
        }
        self.out.retain(|o| matches!(o, Out::Presence(..)));
        for conn in welcomed {
            let bye = json!({"type": "bye", "reason": "server_error"});
            self.out.push(Out::Close(conn, 1011, bye));
        }
        for conn in originators.into_iter().collect::<HashSet<_>>() {
            self.out.push(Out::ToConn(
                conn,
                error_value("storage_unavailable", message),
            ));
        }
        match replay(&self.rooms.store, &self.row).await {
            Ok(state) => {
                self.state = state;
                self.track_absent();
                // A signed badge whose `Issued` was not stored: sign again (idempotent).
                for pid in self.state.badges.pending_issues() {
                    self.sign(pid);
                }
            }
            Err(e) => {
                tracing::error!(code = %self.row.code, error = %e, "cannot reload the session; closing its connections");
                for &conn in self.conns.keys() {
                    self.out.push(Out::Close(
                        conn,
                        1011,
                        json!({"type": "bye", "reason": "server_error"}),
                    ));
                }
            }
        }
        self.flush();
    }

    /// Sends everything queued. Each event is serialised once and shared by all recipients.
    fn flush(&mut self) {
        let out = coalesce(std::mem::take(&mut self.out));
        let mut lagging = Vec::new();
        // Connections attached this turn whose welcome is still ahead in `out`.
        let mut awaiting: HashSet<ConnId> = out
            .iter()
            .filter_map(|item| match item {
                Out::Welcome(conn, _) => Some(*conn),
                _ => None,
            })
            .collect();
        for item in out {
            match item {
                Out::Emit(audience, event) => {
                    let frame = shared_frame(event.to_string());
                    let mut send = |conn: ConnId| {
                        if awaiting.is_empty() || !awaiting.contains(&conn) {
                            queue(&self.conns, &mut lagging, conn, &frame)
                        }
                    };
                    match &audience {
                        Audience::All => self
                            .conns
                            .iter()
                            .filter(|(_, c)| c.role != Role::Claimant)
                            .for_each(|(&c, _)| send(c)),
                        Audience::Staff => self.staff.iter().for_each(|&c| send(c)),
                        Audience::Console => self
                            .staff
                            .iter()
                            .filter(|c| {
                                self.conns
                                    .get(c)
                                    .is_some_and(|c| c.role == Role::Facilitator)
                            })
                            .for_each(|&c| send(c)),
                        Audience::Screen => self
                            .staff
                            .iter()
                            .filter(|c| self.conns.get(c).is_some_and(|c| c.role == Role::Screen))
                            .for_each(|&c| send(c)),
                        Audience::Participant(pid) => self
                            .by_pid
                            .get(pid)
                            .into_iter()
                            .flatten()
                            .for_each(|&c| send(c)),
                        Audience::Participants(pids) => pids
                            .iter()
                            .filter_map(|pid| self.by_pid.get(pid))
                            .flatten()
                            .for_each(|&c| send(c)),
                    }
                }
                Out::ToConn(conn, value) => {
                    let frame = shared_frame(value.to_string());
                    queue(&self.conns, &mut lagging, conn, &frame);
                }
                Out::Welcome(conn, value) => {
                    let frame = shared_frame(value.to_string());
                    queue(&self.conns, &mut lagging, conn, &frame);
                    awaiting.remove(&conn);
                }
                Out::Close(conn, code, value) => {
                    if let Some(c) = self.conns.get(&conn) {
                        let _ = c.outbox.try_send(Outbound::Close {
                            code,
                            frame: shared_frame(value.to_string()),
                        });
                    }
                    self.detach(conn);
                }
                Out::Presence(pid, online) => {
                    let frame = shared_frame(
                        json!({"type": "presence", "pid": pid, "online": online}).to_string(),
                    );
                    for &conn in &self.staff {
                        if !awaiting.contains(&conn) {
                            queue(&self.conns, &mut lagging, conn, &frame);
                        }
                    }
                }
            }
        }
        // Dropping a lagging client's outbox closes its socket; it resumes with a fresh snapshot.
        for conn in lagging {
            tracing::debug!(conn, "dropping a connection that fell behind");
            self.detach(conn);
        }
        if !self.out.is_empty() {
            // Detaching produced presence updates: send them too.
            self.flush();
        }
    }

    /// Stores a final snapshot, leaves the registry, and turns away whatever still arrives.
    async fn unload(mut self, mut rx: mpsc::Receiver<RoomMsg>) {
        // A room that lost its lease writes nothing more, and leaves the lease to its owner.
        if !self.moved {
            if self.commands_since_snapshot > 0
                && let Some(snapshot) = self.snapshot()
            {
                let batch = Batch {
                    snapshot: Some(snapshot),
                    ..Batch::default()
                };
                if let Err(e) = self.rooms.store.append(&self.lease, batch).await {
                    tracing::warn!(code = %self.row.code, error = %e, "final snapshot not stored (the log is complete)");
                }
            }
            // Released before the room leaves the registry: until then, a new arrival finds
            // this room (and is told to retry), never a second room of this node.
            if let Err(e) = self.rooms.store.release_lease(&self.lease).await {
                tracing::warn!(code = %self.row.code, error = %e, "the session's lease was not released (it expires)");
            }
        }
        self.rooms.forget(&self.row.code, self.id);
        rx.close();
        while let Some(msg) = rx.recv().await {
            match msg {
                RoomMsg::Attach { reply, .. } => {
                    let _ = reply.send(Err(AttachError::Retry));
                }
                RoomMsg::Shutdown { done } => {
                    let _ = done.send(());
                }
                RoomMsg::Action { .. }
                | RoomMsg::Detach { .. }
                | RoomMsg::Phase { .. }
                | RoomMsg::ClaimCodeLive { .. }
                | RoomMsg::NotifyStaff { .. }
                | RoomMsg::BadgeSigned { .. } => {}
                RoomMsg::Personal { .. } => {}
                RoomMsg::Erase { reply, .. } => {
                    let _ = reply.send(Err("the session was unloading; try again".into()));
                }
            }
        }
        for done in self.shutdown_replies.drain(..) {
            let _ = done.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(out: &[Out]) -> Vec<String> {
        out.iter()
            .map(|item| match item {
                Out::Emit(_, event) => event.to_string(),
                Out::ToConn(conn, event) | Out::Welcome(conn, event) => format!("{conn}: {event}"),
                Out::Close(conn, code, _) => format!("close {conn} {code}"),
                Out::Presence(pid, online) => format!("presence {pid} {online}"),
            })
            .collect()
    }

    #[test]
    fn only_the_last_restatement_of_a_turn_is_sent_in_its_place() {
        let staff = |event: Value| Out::Emit(Audience::Staff, event);
        let out = vec![
            staff(json!({"type": "participant.joined", "pid": 1})),
            Out::Presence(1, true),
            staff(json!({"type": "bingo.participant", "participant": {"id": 1, "marks": 0}})),
            staff(json!({"type": "fresque.roster", "teams": [[1]]})),
            staff(json!({"type": "participant.joined", "pid": 2})),
            Out::Presence(2, true),
            staff(json!({"type": "bingo.participant", "participant": {"id": 2, "marks": 0}})),
            staff(json!({"type": "bingo.participant", "participant": {"id": 1, "marks": 1}})),
            Out::Emit(Audience::Participant(1), json!({"type": "bingo.tapped"})),
            staff(json!({"type": "bingo.answers", "answered": 1})),
            staff(json!({"type": "fresque.roster", "teams": [[1, 2]]})),
            Out::Presence(1, false),
            staff(json!({"type": "bingo.answers", "answered": 2})),
        ];
        let kept = describe(&coalesce(out));
        let expected = [
            r#"{"pid":1,"type":"participant.joined"}"#,
            r#"{"pid":2,"type":"participant.joined"}"#,
            "presence 2 true",
            r#"{"participant":{"id":2,"marks":0},"type":"bingo.participant"}"#,
            r#"{"participant":{"id":1,"marks":1},"type":"bingo.participant"}"#,
            r#"{"type":"bingo.tapped"}"#,
            r#"{"teams":[[1,2]],"type":"fresque.roster"}"#,
            "presence 1 false",
            r#"{"answered":2,"type":"bingo.answers"}"#,
        ];
        assert_eq!(kept, expected);
    }
}
