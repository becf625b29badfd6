//! The server under test: spawning it (optionally pinned), its RSS and CPU from /proc,
//! a minimal HTTP client for the JSON API, and the cold-start measurement.

use std::net::{SocketAddr, TcpListener as StdListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on every Linux we run on).
const CLK_TCK: f64 = 100.0;

/// A server process this program started.
pub struct Spawned {
    pub child: Child,
    pub data_dir: PathBuf,
    pub remove_dir: bool,
}

/// Starts `atelier` on `addr` with `data_dir` (pinned to core 0 with `pin`).
pub fn spawn(
    binary: &Path,
    addr: SocketAddr,
    data_dir: &Path,
    admin_token: &str,
    pin: bool,
    public_url: Option<&str>,
) -> anyhow::Result<Child> {
    std::fs::create_dir_all(data_dir)?;
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(data_dir.join("server.log"))?;
    let mut command = if pin {
        let mut c = Command::new("taskset");
        c.args(["-c", "0"]).arg(binary);
        c
    } else {
        Command::new(binary)
    };
    command
        .arg("--addr")
        .arg(addr.to_string())
        .arg("--data-dir")
        .arg(data_dir)
        .arg("--admin-token")
        .arg(admin_token)
        .args(
            public_url
                .map(|url| ["--public-url", url])
                .into_iter()
                .flatten(),
        )
        .env("RUST_LOG", "atelier=warn,warn")
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log);
    command
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))
}

/// Asks the server to stop (SIGTERM, graceful), then kills it after `grace`.
pub fn stop(child: &mut Child, grace: Duration) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A free port on 127.0.0.1 (the tiny race with another program is acceptable here).
pub fn free_addr() -> anyhow::Result<SocketAddr> {
    let listener = StdListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?)
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    std::env::temp_dir().join(format!("atelier-load-{tag}-{}-{nanos}", std::process::id()))
}

/// Polls `/healthz` until it answers 200; returns how long that took from `since`.
pub async fn wait_healthy(
    addr: SocketAddr,
    since: Instant,
    limit: Duration,
) -> anyhow::Result<Duration> {
    loop {
        if let Ok(Ok((200, _))) = tokio::time::timeout(
            Duration::from_millis(500),
            http(addr, "GET", "/healthz", None, None),
        )
        .await
        {
            return Ok(since.elapsed());
        }
        if since.elapsed() > limit {
            bail!("the server did not answer /healthz within {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// One HTTP/1.1 request with `Connection: close`; returns status and body.
pub async fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    bearer: Option<&str>,
    json_body: Option<&str>,
) -> anyhow::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(token) = bearer {
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = json_body.unwrap_or("");
    if json_body.is_some() {
        request.push_str("Content-Type: application/json\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw);
    let (head, rest) = text.split_once("\r\n\r\n").context("no HTTP header")?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .context("no HTTP status")?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Ok((status, body))
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || after.len() < n {
            break;
        }
        out.push_str(&after[..n]);
        rest = after[n..].trim_start_matches("\r\n");
    }
    out
}

/// Memory and CPU of a process, from /proc.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct ProcSample {
    pub rss_kb: u64,
    pub hwm_kb: u64,
    pub cpu_s: f64,
    pub threads: u64,
}

pub fn sample(pid: u32) -> Option<ProcSample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start at ") ".
    let after = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line, i.e. 11 and 12 after the name.
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some(ProcSample {
        rss_kb: field("VmRSS:"),
        hwm_kb: field("VmHWM:"),
        cpu_s: (utime + stime) / CLK_TCK,
        threads: field("Threads:"),
    })
}

/// The soft limit on open files of this process, from /proc/self/limits.
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

/// Times `runs` starts of the server on `data_dir` until `/healthz` answers.
pub async fn cold_start(
    binary: &Path,
    data_dir: &Path,
    admin_token: &str,
    pin: bool,
    runs: usize,
) -> anyhow::Result<Vec<f64>> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let addr = free_addr()?;
        let t0 = Instant::now();
        let mut child = spawn(binary, addr, data_dir, admin_token, pin, None)?;
        let took = wait_healthy(addr, t0, Duration::from_secs(60)).await;
        stop(&mut child, Duration::from_secs(20));
        times.push(took?.as_secs_f64() * 1000.0);
    }
    Ok(times)
}
