//! WebSocket connections as a phone or the facilitator console opens them, the shared clock,
//! and a small deterministic random generator.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub type Ws = WebSocketStream<TcpStream>;

static EPOCH: OnceLock<Instant> = OnceLock::new();

/// Microseconds since the start of the program: one clock for every simulated client.
pub fn now_us() -> u64 {
    EPOCH.get_or_init(Instant::now).elapsed().as_micros() as u64
}

pub fn start_clock() {
    EPOCH.get_or_init(Instant::now);
}

/// A TCP connection from a phone of its own: a server on this machine (loopback) is reached
/// from one of 127.0.0.0/8's addresses in turn, since each phone of a real room has its own
/// address and the server caps connections per address (256 by default).
pub async fn connect(addr: SocketAddr) -> std::io::Result<TcpStream> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    match addr {
        SocketAddr::V4(v4) if v4.ip().is_loopback() => {
            let n = NEXT.fetch_add(1, Ordering::Relaxed) % (250 * 250);
            let from = std::net::Ipv4Addr::new(127, 1 + (n / 250) as u8, 0, 1 + (n % 250) as u8);
            let socket = tokio::net::TcpSocket::new_v4()?;
            socket.bind(SocketAddr::from((from, 0)))?;
            socket.connect(addr).await
        }
        _ => TcpStream::connect(addr).await,
    }
}

/// Opens `/ws` with a timeout on the TCP connect and on the upgrade.
pub async fn open(addr: SocketAddr, bearer: Option<&str>, timeout: Duration) -> anyhow::Result<Ws> {
    let tcp = tokio::time::timeout(timeout, connect(addr))
        .await
        .context("connect timed out")??;
    tcp.set_nodelay(true)?;
    let mut request = format!("ws://{addr}/ws").into_client_request()?;
    if let Some(token) = bearer {
        request.headers_mut().insert(
            "Authorization",
            HeaderValue::from_str(&format!("Bearer {token}"))?,
        );
    }
    // Small buffers: thousands of clients live in this one process.
    let config = WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0);
    let (ws, _) = tokio::time::timeout(
        timeout,
        tokio_tungstenite::client_async_with_config(request, tcp, Some(config)),
    )
    .await
    .context("upgrade timed out")??;
    Ok(ws)
}

pub async fn send(ws: &mut Ws, value: &Value) -> anyhow::Result<()> {
    ws.send(Message::text(value.to_string())).await?;
    Ok(())
}

/// The two fields every server frame is routed on; the rest is parsed only when needed.
#[derive(Deserialize)]
pub struct Head<'a> {
    #[serde(rename = "type", borrow)]
    pub ty: &'a str,
    #[serde(default)]
    pub seq: Option<u64>,
}

/// Reads frames until a text frame arrives; `None` when the connection ended.
pub async fn next_text(ws: &mut Ws) -> Option<anyhow::Result<String>> {
    loop {
        match ws.next().await? {
            Ok(Message::Text(text)) => return Some(Ok(text.to_string())),
            Ok(Message::Close(frame)) => {
                return Some(Err(anyhow::anyhow!(
                    "closed by the server: {}",
                    frame.map(|f| f.code.to_string()).unwrap_or_default()
                )));
            }
            Ok(_) => continue,
            Err(e) => return Some(Err(e.into())),
        }
    }
}

/// Sends a hello and waits for the `welcome` (or fails with the server's error code).
/// Also returns how many events arrived before the welcome.
pub async fn hello(ws: &mut Ws, hello: &Value, timeout: Duration) -> anyhow::Result<(Value, u32)> {
    send(ws, hello).await?;
    let mut before = 0;
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let text = match tokio::time::timeout_at(deadline, next_text(ws)).await {
            Err(_) => bail!("welcome timed out"),
            Ok(None) => bail!("connection ended before the welcome"),
            Ok(Some(text)) => text?,
        };
        let value: Value = serde_json::from_str(&text)?;
        match value["type"].as_str() {
            Some("welcome") => return Ok((value, before)),
            Some("error") => bail!("hello refused: {}", value["code"]),
            // Events of the batch that carried this hello may precede its welcome.
            _ => before += 1,
        }
    }
}

/// xorshift64*: reproducible choices without a dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p && p > 0.0
    }
}
