//! The WebSocket endpoint: handshake checks, the hello, then a loop that forwards decoded
//! actions to the room and the room's frames to the socket, with limits on everything.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::Poll;
use std::time::Duration;

use axum::Extension;
use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::{Sink, SinkExt, StreamExt};
use std::net::{IpAddr, SocketAddr};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::time::{Instant, interval, timeout};

use super::{Shared, origin_allowed, principal_from};
use crate::auth::{Principal, new_token};
use crate::protocol::{self, Hello, decode_action, decode_hello, error_value};
use crate::room::{
    Arrival, AttachError, CONNECTION_OUTBOX, ConnId, Outbound, RoomError, RoomHandle, STAFF_OUTBOX,
};
use crate::session::code::{clean_name, normalise_join_code};
use serde_json::Value;

/// Largest frame a client may send: the biggest legitimate one (a feedback comment of 2,000
/// characters) is far smaller; anything above is abuse and closes the connection.
pub const MAX_FRAME_BYTES: usize = 16 * 1024;
/// Socket read buffer, allocated and zeroed for every connection: axum's default (128 KiB)
/// would cost that much memory per phone. Phones' frames (hello, taps, moves) are 60–250
/// bytes; a larger one (a feedback comment) grows the buffer for itself.
const READ_BUFFER_BYTES: usize = 512;
/// Socket write buffer, small for the same reason; bursts queue in the room's outbox instead.
const WRITE_BUFFER_BYTES: usize = 8 * 1024;
/// Open connections across the server: below the 20,000 open files a process may have here,
/// leaving room for the database and listening sockets.
pub const MAX_CONNECTIONS: usize = 18_000;
/// Time allowed between opening a socket and a valid first frame.
const HELLO_TIMEOUT: Duration = Duration::from_secs(15);
/// Ping period: keeps venue Wi-Fi NATs open and detects dead phones.
const PING_EVERY: Duration = Duration::from_secs(10);
/// Longest a single write to a socket may take before the client is considered gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(15);
/// A connection silent for this long (no frame, no pong) is dropped: a phone that died
/// without a goodbye stops holding its participant "connected" within 25–35 s.
const SILENCE_LIMIT: Duration = Duration::from_secs(25);
/// Sustained frames per second a client may send; a person tapping never comes close.
const RATE_PER_SECOND: f64 = 10.0;
/// Burst allowance on top of the rate (reconnection replays, quick double taps).
const RATE_BURST: f64 = 30.0;
/// Frames refused for rate before the connection is closed as a flood.
const FLOOD_STRIKES: u32 = 50;
/// Frames already queued that are written together before one flush (one system call
/// instead of one per frame when the room sends a burst).
const WRITE_BATCH: usize = 64;

/// WebSocket close code for "reconnect and resume": sent when a client fell behind.
const CLOSE_RESYNC: u16 = 4000;
const CLOSE_POLICY: u16 = 1008;

pub async fn upgrade(
    State(state): State<Shared>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    tcp_slot: Option<Extension<Arc<super::conn::Slot>>>,
    ws: WebSocketUpgrade,
) -> Response {
    if !origin_allowed(&state, &headers) {
        return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
    }
    // An address that used up its wrong codes gets no new socket (each would bring one more
    // guess) until its window ends.
    if state.hello_failures.is_blocked(&peer.ip()) {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            "too many wrong codes; wait a few minutes",
        )
            .into_response();
    }
    if state.connections.load(Ordering::Relaxed) >= MAX_CONNECTIONS {
        return (StatusCode::SERVICE_UNAVAILABLE, "too many connections").into_response();
    }
    let principal = principal_from(&state, &headers).await.ok().flatten();
    // A staff socket opened with an account's token lives only as long as that token: told of
    // any revocation for the account, it checks the token again.
    let credential = match (&principal, super::token_from(&headers)) {
        (Some(Principal::User(user)), Some(token)) => Some(Credential {
            user_id: user.id,
            token,
            revoked: state.revocations.subscribe(user.id),
        }),
        _ => None,
    };
    ws.read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_message_size(MAX_FRAME_BYTES)
        .max_frame_size(MAX_FRAME_BYTES)
        .on_upgrade(move |socket| async move {
            // The connection counts against its address for as long as the socket lives.
            let _tcp_slot = tcp_slot;
            serve(socket, state, principal, credential, peer.ip()).await
        })
}

/// Counts a connection for the cap while it lives.
struct ConnectionSlot(Shared);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Token bucket limiting how fast one connection may send.
struct RateLimit {
    tokens: f64,
    last: Instant,
    strikes: u32,
}

impl RateLimit {
    fn new() -> Self {
        Self {
            tokens: RATE_BURST,
            last: Instant::now(),
            strikes: 0,
        }
    }
    fn allow(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.last).as_secs_f64() * RATE_PER_SECOND)
            .min(RATE_BURST);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            self.strikes += 1;
            false
        }
    }
}

/// The account token a staff socket was opened with, and its account's revocation signal.
struct Credential {
    user_id: i64,
    token: String,
    revoked: tokio::sync::watch::Receiver<u64>,
}

impl Credential {
    /// Resolves when the account had a credential revoked.
    async fn revocation(credential: &mut Option<Credential>) {
        match credential {
            Some(c) => {
                if c.revoked.changed().await.is_err() {
                    std::future::pending::<()>().await
                }
            }
            None => std::future::pending().await,
        }
    }

    /// Whether the token still opens its account (not signed out, disabled or deleted).
    async fn still_valid(&self, state: &Shared) -> bool {
        matches!(
            state.store.user_for_token(&self.token).await,
            Ok(Some(user)) if user.id == self.user_id
        )
    }
}

/// Close code telling a console that its sign-in ended (it shows the sign-in page).
const CLOSE_SIGNED_OUT: u16 = 4001;

async fn serve(
    mut socket: WebSocket,
    state: Shared,
    principal: Option<Principal>,
    mut credential: Option<Credential>,
    ip: IpAddr,
) {
    // The socket is not split: each half of a split socket takes a lock on every poll, and
    // `select!` below drops the other branches' futures before running a handler, so the
    // handlers can write while no read is pending.
    state.connections.fetch_add(1, Ordering::Relaxed);
    let _slot = ConnectionSlot(Arc::clone(&state));
    let conn = state.rooms.new_conn_id();
    let mut rate = RateLimit::new();

    // 1. The hello: who is this? Bad hellos get an error and another chance, until the deadline.
    let deadline = Instant::now() + HELLO_TIMEOUT;
    let (room, mut inbox) = loop {
        let frame = match timeout(
            deadline.saturating_duration_since(Instant::now()),
            socket.next(),
        )
        .await
        {
            Ok(Some(Ok(frame))) => frame,
            _ => return,
        };
        let text = match frame {
            Message::Text(text) => text,
            Message::Close(_) => return,
            Message::Ping(_) | Message::Pong(_) => continue,
            Message::Binary(_) => {
                let _ = send_error(&mut socket, "binary_frame", "frames must be JSON text").await;
                continue;
            }
        };
        if !rate.allow() {
            if rate.strikes > FLOOD_STRIKES {
                let _ = close(&mut socket, CLOSE_POLICY, "flood").await;
                return;
            }
            let _ = send_error(&mut socket, "rate_limited", "too many messages; slow down").await;
            continue;
        }
        // Boxed: the hello's future (store lookups) only lives until the room is joined, and
        // would otherwise size every connection's task for its whole life (~180 bytes each).
        match Box::pin(hello(&state, principal.as_ref(), &text, conn)).await {
            Ok(attached) => break attached,
            Err(refusal) => {
                let code = refusal.code;
                // Wrong codes and tokens count against the address: guessing is cut off.
                if matches!(code, "unknown_code" | "unknown_token" | "unknown_name")
                    && !state.hello_failures.allow(ip)
                {
                    let _ = send_error(
                        &mut socket,
                        "rate_limited",
                        "too many wrong codes; wait a few minutes",
                    )
                    .await;
                    let _ = close(&mut socket, CLOSE_POLICY, "guessing").await;
                    return;
                }
                let frame = Message::Text(Utf8Bytes::from(refusal.frame().to_string()));
                if socket.send(frame).await.is_err() {
                    return;
                }
            }
        }
    };

    // 2. The session: actions in, room frames out, pings to keep it alive.
    let mut last_heard = Instant::now();
    let mut ping = interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            outbound = inbox.recv() => match outbound {
                Some(Outbound::Text(text)) => {
                    match within_send_timeout(write_queued(&mut socket, &mut inbox, Arc::unwrap_or_clone(text))).await {
                        Some(Ok(None)) => {}
                        Some(Ok(Some(code))) => {
                            let _ = sent(close(&mut socket, code, "")).await;
                            break;
                        }
                        _ => break,
                    }
                }
                Some(Outbound::Close { code, frame }) => {
                    let _ = sent(socket.send(Message::Text(Arc::unwrap_or_clone(frame)))).await;
                    let _ = sent(close(&mut socket, code, "")).await;
                    break;
                }
                None => {
                    // The room dropped us (we fell behind, or it stopped): resume for a fresh snapshot.
                    let _ = sent(close(&mut socket, CLOSE_RESYNC, "resync")).await;
                    break;
                }
            },
            incoming = socket.next() => {
                let Some(Ok(frame)) = incoming else { break };
                last_heard = Instant::now();
                let text = match frame {
                    Message::Text(text) => text,
                    Message::Close(_) => break,
                    Message::Ping(_) | Message::Pong(_) => continue,
                    Message::Binary(_) => {
                        if !sent(send_error(&mut socket, "binary_frame", "frames must be JSON text")).await { break; }
                        continue;
                    }
                };
                if !rate.allow() {
                    if rate.strikes > FLOOD_STRIKES {
                        let _ = sent(close(&mut socket, CLOSE_POLICY, "flood")).await;
                        break;
                    }
                    if !sent(send_error(&mut socket, "rate_limited", "too many messages; slow down")).await { break; }
                    continue;
                }
                if protocol::is_ping(&text) {
                    if !sent(socket.send(Message::Text(Utf8Bytes::from_static(protocol::PONG)))).await { break; }
                    continue;
                }
                match decode_action(&text) {
                    Ok(action) => {
                        if !room.act(conn, action).await { break; }
                    }
                    Err(e) => {
                        if !sent(send_error(&mut socket, e.code(), &e.to_string())).await { break; }
                    }
                }
            }
            () = Credential::revocation(&mut credential) => {
                if let Some(c) = &credential
                    && !c.still_valid(&state).await
                {
                    let _ = sent(close(&mut socket, CLOSE_SIGNED_OUT, "signed_out")).await;
                    break;
                }
            }
            _ = ping.tick() => {
                if last_heard.elapsed() > SILENCE_LIMIT {
                    let _ = sent(close(&mut socket, 1001, "silent")).await;
                    break;
                }
                if !sent(socket.send(Message::Ping(Default::default()))).await { break; }
            }
        }
    }
    room.detach(conn).await;
}

/// Why a hello was refused: a stable code and a sentence; for a taken name, a name to
/// suggest instead (the phone also offers to take that participant back).
struct Refusal {
    code: &'static str,
    message: String,
    suggestion: Option<String>,
}

impl From<(&'static str, String)> for Refusal {
    fn from((code, message): (&'static str, String)) -> Self {
        Refusal {
            code,
            message,
            suggestion: None,
        }
    }
}

impl Refusal {
    fn frame(&self) -> Value {
        let mut frame = error_value(self.code, &self.message);
        if let Some(suggestion) = &self.suggestion {
            frame["suggestion"] = Value::String(suggestion.clone());
        }
        frame
    }
}

/// Writes `first` and the frames already queued after it (up to [`WRITE_BATCH`]), then
/// flushes once. Returns the close code if the room asked to close after a frame.
async fn write_queued<S>(
    sink: &mut S,
    inbox: &mut mpsc::Receiver<Outbound>,
    first: Utf8Bytes,
) -> Result<Option<u16>, axum::Error>
where
    S: Sink<Message, Error = axum::Error> + Unpin,
{
    sink.feed(Message::Text(first)).await?;
    let mut close_with = None;
    for _ in 1..WRITE_BATCH {
        match inbox.try_recv() {
            Ok(Outbound::Text(text)) => {
                sink.feed(Message::Text(Arc::unwrap_or_clone(text))).await?
            }
            Ok(Outbound::Close { code, frame }) => {
                sink.feed(Message::Text(Arc::unwrap_or_clone(frame)))
                    .await?;
                close_with = Some(code);
                break;
            }
            // Disconnected: the next `recv` sees it and closes for a resync.
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
        }
    }
    sink.flush().await?;
    Ok(close_with)
}

/// Authenticates a hello and attaches the connection to its room, with an outbox sized for
/// its role; returns the room and the outbox's receiving end.
async fn hello(
    state: &Shared,
    principal: Option<&Principal>,
    text: &str,
    conn: ConnId,
) -> Result<(RoomHandle, mpsc::Receiver<Outbound>), Refusal> {
    let hello = decode_hello(text).map_err(|e| (e.code(), e.to_string()))?;
    let capacity = match hello {
        Hello::Staff { .. } | Hello::Screen { .. } => STAFF_OUTBOX,
        Hello::Join { .. } | Hello::Resume { .. } | Hello::Reclaim { .. } => CONNECTION_OUTBOX,
    };
    let (outbox, inbox) = mpsc::channel::<Outbound>(capacity);
    let (code, arrival) = match hello {
        Hello::Join { code, name } => {
            let code = normalise_join_code(&code)
                .ok_or(("unknown_code", "this is not a join code".to_string()))?;
            let name = clean_name(&name).map_err(|e| ("bad_name", e.to_string()))?;
            (
                code,
                Arrival::NewParticipant {
                    name,
                    token: new_token(),
                },
            )
        }
        Hello::Reclaim { code, name } => {
            let code = normalise_join_code(&code)
                .ok_or(("unknown_code", "this is not a join code".to_string()))?;
            let name = clean_name(&name).map_err(|e| ("bad_name", e.to_string()))?;
            (
                code,
                Arrival::Reclaim {
                    name,
                    token: new_token(),
                },
            )
        }
        Hello::Resume { token } => {
            let (code, pid) = state
                .store
                .participant_for_token(&token)
                .await
                .map_err(|_| storage_down())?
                .ok_or((
                    "unknown_token",
                    "this device is not known here any more; join again".to_string(),
                ))?;
            (code, Arrival::Participant { pid, token })
        }
        Hello::Staff { code } => {
            let principal =
                principal.ok_or(("unauthorized", "sign in as a facilitator first".to_string()))?;
            let code = normalise_join_code(&code)
                .ok_or(("unknown_code", "no session has this code".to_string()))?;
            let row = state
                .store
                .session_by_code(&code)
                .await
                .map_err(|_| storage_down())?
                .ok_or(("unknown_code", "no session has this code".to_string()))?;
            if !principal.may_run(&row) {
                return Err((
                    "forbidden",
                    "this session belongs to another facilitator".to_string(),
                )
                    .into());
            }
            (code, Arrival::Facilitator)
        }
        Hello::Screen { code, key } => {
            let code = normalise_join_code(&code)
                .ok_or(("unknown_code", "no session has this code".to_string()))?;
            (code, Arrival::Screen { key })
        }
    };
    for _ in 0..3 {
        let room = state.rooms.get(&code).await.map_err(|e| match e {
            RoomError::UnknownCode => ("unknown_code", "no session has this code".to_string()),
            RoomError::Elsewhere(_) => (
                "session_elsewhere",
                "another server serves this session; try again".to_string(),
            ),
            other => {
                tracing::error!(error = %other, "cannot load a session");
                storage_down()
            }
        })?;
        match room.attach(conn, arrival.clone(), outbox.clone()).await {
            Ok(()) => return Ok((room, inbox)),
            Err(AttachError::Retry) => continue,
            Err(AttachError::Refused { code, message }) => return Err((code, message).into()),
            Err(AttachError::NameTaken { suggestion }) => {
                return Err(Refusal {
                    code: "name_taken",
                    message: "someone in this session already has this name".into(),
                    suggestion: Some(suggestion),
                });
            }
        }
    }
    Err(("busy", "the session is busy; try again".to_string()).into())
}

/// Whether a write to the socket finished in time. A client that stops reading (a stalled
/// phone, a dead link that TCP has not noticed) would otherwise hold this task, its buffers
/// and a connection slot forever: its pings could not even be sent.
async fn sent(send: impl Future<Output = Result<(), axum::Error>>) -> bool {
    matches!(within_send_timeout(send).await, Some(Ok(())))
}

/// Awaits a write, under [`SEND_TIMEOUT`] only if it does not complete at once: nearly every
/// write fits in the socket's buffer, and arming a timer for each one cost ~2% of a busy
/// server's CPU (`perf`, BENCHMARKS.md). `None` if the timeout struck.
async fn within_send_timeout<F: Future>(write: F) -> Option<F::Output> {
    let mut write = std::pin::pin!(write);
    if let Poll::Ready(done) = futures_util::poll!(write.as_mut()) {
        return Some(done);
    }
    timeout(SEND_TIMEOUT, write).await.ok()
}

fn storage_down() -> (&'static str, String) {
    (
        "storage_unavailable",
        "the server cannot read its data right now; try again".into(),
    )
}

async fn send_error<S>(sink: &mut S, code: &str, message: &str) -> Result<(), axum::Error>
where
    S: SinkExt<Message, Error = axum::Error> + Unpin,
{
    sink.send(Message::Text(Utf8Bytes::from(
        error_value(code, message).to_string(),
    )))
    .await
}

async fn close<S>(sink: &mut S, code: u16, reason: &'static str) -> Result<(), axum::Error>
where
    S: SinkExt<Message, Error = axum::Error> + Unpin,
{
    sink.send(Message::Close(Some(CloseFrame {
        code,
        reason: Utf8Bytes::from_static(reason),
    })))
    .await
}
