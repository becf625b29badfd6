//! `atelier-load`: simulated phones against a real Atelier server.
//!
//! N sessions × M phones join, a facilitator console per session runs scripted bingo rounds
//! and a fresque (teams of 5), some phones drop and resume; every timed event is matched to
//! the action that caused it (same `seq`), and a JSON summary goes to stdout: latencies per
//! action type (p50/p95/p99/max per recipient, and until all recipients had it), join times,
//! errors, drops, resumes, delivery checks, and the server's RSS and CPU.
//!
//! `--spawn target/release/atelier [--pin]` starts the server on a temporary data directory
//! (pinned to core 0, this program on core 1); `--url http://host:port [--server-pid PID]`
//! uses a running one. `--cold-start N --data-dir DIR` only times N starts until /healthz.

mod badges;
mod client;
mod model;
mod phone;
mod report;
mod server;
mod staff;
mod verify;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Parser;
use serde_json::json;
use tokio::sync::{Semaphore, watch};

use client::{Rng, now_us};
use model::{Progress, SessionShared};
use server::ProcSample;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "atelier-load",
    about = "Load generator for Atelier: simulated phones"
)]
pub struct Args {
    /// Start this `atelier` binary on a temporary data directory (or --data-dir).
    #[arg(long, conflicts_with = "url")]
    spawn: Option<PathBuf>,
    /// Use a running server (http://host:port).
    #[arg(long)]
    url: Option<String>,
    /// With --url: the server's pid, for its RSS and CPU.
    #[arg(long)]
    server_pid: Option<u32>,
    /// With --spawn: server on core 0 (taskset), this program on core 1.
    #[arg(long)]
    pin: bool,
    /// Organiser token: the server is started with it (--spawn) or must know it (--url).
    #[arg(long, default_value = "atelier-load-admin-token-0123456789")]
    admin_token: String,
    /// With --spawn: data directory to use and keep (default: a temporary one, removed).
    #[arg(long)]
    data_dir: Option<PathBuf>,
    /// Only time N cold starts of --spawn on --data-dir until /healthz answers.
    #[arg(long)]
    cold_start: Option<usize>,
    #[arg(long, default_value_t = 1)]
    sessions: u32,
    /// Phones per session.
    #[arg(long, default_value_t = 50)]
    participants: u32,
    /// Activities of each session, in order.
    #[arg(long, value_delimiter = ',', default_value = "bingo,fresque")]
    activities: Vec<String>,
    /// Bingo definitions drawn (each: draw, every phone taps once, reveal).
    #[arg(long, default_value_t = 3)]
    rounds: u32,
    /// Longest think time of a phone before it taps (uniform in 0..think).
    #[arg(long, default_value_t = 2000)]
    think_ms: u64,
    /// Fresque actions (place or move) per phone per deal.
    #[arg(long, default_value_t = 4)]
    moves: u32,
    /// Mean pause between two fresque actions of a phone (keeps it far below 10 frames/s).
    #[arg(long, default_value_t = 600)]
    move_gap_ms: u64,
    /// Fresque packs dealt.
    #[arg(long, default_value_t = 1)]
    deals: u32,
    #[arg(long, default_value_t = 5)]
    team_size: u32,
    /// Share of phones that drop their connection during one bingo round and resume.
    #[arg(long, default_value_t = 0.05)]
    resume_fraction: f64,
    /// Handshakes in flight at once while joining (the server's accept backlog is 1,024).
    #[arg(long, default_value_t = 256)]
    connect_concurrency: usize,
    /// Timeout of a TCP connect, an upgrade, a hello, an awaited echo (seconds).
    #[arg(long, default_value_t = 30)]
    timeout_s: u64,
    /// Quiet time after everybody joined, before the idle RSS sample and the play.
    #[arg(long, default_value_t = 2000)]
    idle_ms: u64,
    /// Each facilitator starts within this random delay after the start signal.
    #[arg(long, default_value_t = 0)]
    stagger_ms: u64,
    /// Runtime worker threads (default: the cores this process may use).
    #[arg(long)]
    threads: Option<usize>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Only open --participants WebSockets per session without a hello, and report the
    /// server's memory per open socket (the transport's share of an idle phone).
    #[arg(long)]
    sockets_only: bool,
    /// Only issue N badges through `POST /api/badges`, --badge-concurrency at a time, on a
    /// hosted server (--spawn starts it with a public URL, so every badge takes a status-list
    /// index): badges per second and failures.
    #[arg(long)]
    badges: Option<usize>,
    #[arg(long, default_value_t = 100)]
    badge_concurrency: usize,
    /// Only flood `POST /api/verify` with C anonymous clients at once (real badges and
    /// blank-node rings) while one phone times its actions: CPU per verification, and the
    /// phone's round trips idle and during the flood.
    #[arg(long)]
    verify_flood: Option<usize>,
    /// Free-form label copied into the summary.
    #[arg(long, default_value = "")]
    label: String,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    client::start_clock();
    if args.pin {
        // Pin this process (all threads created later inherit it) to core 1.
        let status = std::process::Command::new("taskset")
            .args(["-a", "-p", "-c", "1", &std::process::id().to_string()])
            .stdout(std::process::Stdio::null())
            .status()
            .context("taskset")?;
        if !status.success() {
            bail!("taskset failed");
        }
    }
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let runtime = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()?
    };
    let load_before = loadavg();
    let mut summary = runtime.block_on(run(args, threads))?;
    summary["machine"] = json!({
        "cpus": std::fs::read_to_string("/proc/cpuinfo").map(|c| c.matches("processor\t").count()).unwrap_or(0),
        "cpu_model": std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|c| c.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).map(|m| m.trim().to_string())),
        "loadavg_before": load_before,
        "loadavg_after": loadavg(),
    });
    println!("{}", serde_json::to_string_pretty(&summary)?);
    // Thousands of sockets are still owned by the runtime: do not wait for them.
    runtime.shutdown_timeout(Duration::from_millis(100));
    Ok(())
}

async fn run(args: Args, threads: usize) -> anyhow::Result<serde_json::Value> {
    if let Some(count) = args.badges {
        return badges::run(&args, count).await;
    }
    if let Some(concurrency) = args.verify_flood {
        return verify::run(&args, concurrency).await;
    }
    if let Some(runs) = args.cold_start {
        let binary = args.spawn.as_ref().context("--cold-start needs --spawn")?;
        let dir = args
            .data_dir
            .as_ref()
            .context("--cold-start needs --data-dir")?;
        let times = server::cold_start(binary, dir, &args.admin_token, args.pin, runs).await?;
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        return Ok(json!({
            "mode": "cold_start",
            "label": args.label,
            "data_dir": dir,
            "runs_ms": times,
            "min_ms": sorted.first(),
            "median_ms": sorted.get(sorted.len() / 2),
            "max_ms": sorted.last(),
        }));
    }

    let phones_total = args.sessions as usize * args.participants as usize;
    let needed = phones_total + args.sessions as usize + 64;
    let nofile = server::open_files_limit().unwrap_or(0);
    if nofile < needed as u64 {
        bail!("{needed} sockets needed but the open-files limit is {nofile}: raise it (ulimit -n)");
    }

    // The server.
    let mut spawned = None;
    let (addr, pid): (SocketAddr, Option<u32>) = if let Some(binary) = &args.spawn {
        let addr = server::free_addr()?;
        let (dir, remove) = match &args.data_dir {
            Some(dir) => (dir.clone(), false),
            None => (server::temp_dir("data"), true),
        };
        let t0 = Instant::now();
        let child = server::spawn(binary, addr, &dir, &args.admin_token, args.pin, None)?;
        let pid = child.id();
        spawned = Some(server::Spawned {
            child,
            data_dir: dir,
            remove_dir: remove,
        });
        server::wait_healthy(addr, t0, Duration::from_secs(60)).await?;
        (addr, Some(pid))
    } else {
        let url = args.url.as_deref().context("--spawn or --url")?;
        let hostport = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let addr = tokio::net::lookup_host(&hostport)
            .await?
            .next()
            .context("cannot resolve the server")?;
        (addr, args.server_pid)
    };
    let result = drive(&args, threads, addr, pid).await;
    if let Some(mut s) = spawned {
        server::stop(&mut s.child, Duration::from_secs(30));
        if s.remove_dir {
            let _ = std::fs::remove_dir_all(&s.data_dir);
        }
    }
    result
}

async fn drive(
    args: &Args,
    threads: usize,
    addr: SocketAddr,
    pid: Option<u32>,
) -> anyhow::Result<serde_json::Value> {
    let timeout = Duration::from_secs(args.timeout_s);
    let server_sample = || pid.and_then(server::sample).unwrap_or_default();
    let started = server_sample();

    if args.sockets_only {
        return sockets_only(args, addr, pid, timeout).await;
    }

    // Sessions, through the API as the organiser.
    let mut codes = Vec::new();
    let body =
        json!({"title": "atelier-load", "lang": "fr", "activities": args.activities}).to_string();
    for _ in 0..args.sessions {
        let (status, reply) = server::http(
            addr,
            "POST",
            "/api/sessions",
            Some(&args.admin_token),
            Some(&body),
        )
        .await?;
        if status != 201 {
            bail!("creating a session: HTTP {status}: {reply}");
        }
        let value: serde_json::Value = serde_json::from_str(&reply)?;
        codes.push(value["code"].as_str().context("no code")?.to_string());
    }

    // One facilitator console per session.
    let progress = Arc::new(Progress::default());
    let (go_tx, go_rx) = watch::channel(false);
    let (finish_tx, finish_rx) = watch::channel(false);
    let script = staff::Script {
        activities: args.activities.clone(),
        rounds: args.rounds,
        think: Duration::from_millis(args.think_ms),
        move_gap: Duration::from_millis(args.move_gap_ms),
        moves: args.moves,
        team_size: args.team_size,
        deals: args.deals,
        stagger: Duration::from_millis(args.stagger_ms),
    };
    let shared: Vec<Arc<SessionShared>> = (0..args.sessions)
        .map(|_| Arc::new(SessionShared::default()))
        .collect();
    let mut directors = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let staff = staff::Staff::connect(addr, &args.admin_token, code, timeout, i as u32)
            .await
            .with_context(|| format!("facilitator of session {code}"))?;
        directors.push(tokio::spawn(staff::direct(
            staff,
            script.clone(),
            Arc::clone(&shared[i]),
            Arc::clone(&progress),
            go_rx.clone(),
            finish_rx.clone(),
            args.seed ^ (i as u64 + 1) << 32,
        )));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let baseline = server_sample();
    let client_baseline = server::sample(std::process::id()).unwrap_or_default();

    // The phones join (all sessions at once, `connect_concurrency` handshakes in flight).
    let gate = Arc::new(Semaphore::new(args.connect_concurrency.max(1)));
    let mut rng = Rng::new(args.seed);
    let bingo_rounds = if args.activities.iter().any(|a| a == "bingo") {
        args.rounds
    } else {
        0
    };
    let join_start = now_us();
    let mut phones = Vec::with_capacity(phones_total(args));
    for p in 0..args.participants {
        // Interleave sessions so that every room fills at the same pace.
        for (s, code) in codes.iter().enumerate() {
            let idx = s as u32 * args.participants + p;
            let drop_at_step = (bingo_rounds > 0 && rng.chance(args.resume_fraction))
                .then(|| 1 + rng.below(bingo_rounds as u64));
            let cfg = phone::PhoneConfig {
                addr,
                timeout,
                think: Duration::from_millis(args.think_ms),
                move_gap: Duration::from_millis(args.move_gap_ms),
                moves: args.moves,
                session: s as u32,
                idx,
                code: code.clone(),
                drop_at_step,
                seed: args.seed.wrapping_mul(1_000_003) ^ idx as u64,
            };
            phones.push(tokio::spawn(phone::run(
                cfg,
                Arc::clone(&shared[s]),
                Arc::clone(&progress),
                Arc::clone(&gate),
                finish_rx.clone(),
            )));
        }
    }
    let total = phones.len();
    let join_deadline = Instant::now() + timeout * 4 + Duration::from_millis(total as u64 * 20);
    loop {
        let done =
            progress.joined.load(Ordering::Acquire) + progress.failed.load(Ordering::Acquire);
        if done >= total || Instant::now() > join_deadline {
            break;
        }
        let _ = tokio::time::timeout(Duration::from_millis(50), progress.notify.notified()).await;
    }
    let all_joined_us = now_us() - join_start;
    let joined = progress.joined.load(Ordering::Acquire);
    let join_cpu = server_sample();

    // Idle: everybody connected, nothing happening.
    tokio::time::sleep(Duration::from_millis(args.idle_ms)).await;
    let idle = server_sample();

    // Play.
    let monitor_stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let monitor = {
        let stop = Arc::clone(&monitor_stop);
        tokio::spawn(async move {
            let mut peak = ProcSample::default();
            while !stop.load(Ordering::Acquire) {
                if let Some(s) = pid.and_then(server::sample)
                    && s.rss_kb > peak.rss_kb
                {
                    peak = s;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            peak
        })
    };
    // Every director needs to know how many phones of its session are in.
    let mut per_session = vec![0usize; args.sessions as usize];
    for (s, shared) in shared.iter().enumerate() {
        per_session[s] = args.participants as usize;
        shared.members.store(per_session[s], Ordering::Release);
    }
    let play_start = now_us();
    let before_play = server_sample();
    let _ = go_tx.send(true);
    let play_deadline = Instant::now()
        + Duration::from_secs(60)
        + (Duration::from_millis(args.think_ms) * 2 + Duration::from_secs(12)) * args.rounds
        + Duration::from_millis(args.move_gap_ms) * (3 * args.moves + 20) * args.deals.max(1);
    loop {
        if progress.sessions_done.load(Ordering::Acquire) >= args.sessions as usize
            || Instant::now() > play_deadline
        {
            break;
        }
        let _ = tokio::time::timeout(Duration::from_millis(50), progress.notify.notified()).await;
    }
    let play_us = now_us() - play_start;
    let after_play = server_sample();
    monitor_stop.store(true, Ordering::Release);
    let peak = monitor.await.unwrap_or_default();
    let _ = finish_tx.send(true);

    let mut phone_reports = Vec::with_capacity(total);
    for handle in phones {
        phone_reports.push(handle.await?);
    }
    let mut director_reports = Vec::new();
    for handle in directors {
        director_reports.push(handle.await?);
    }
    let client_end = server::sample(std::process::id()).unwrap_or_default();

    let mut summary = report::summarise(&phone_reports, &director_reports);
    let per_idle_conn = if joined > 0 && idle.rss_kb > 0 {
        Some((idle.rss_kb as f64 - baseline.rss_kb as f64) * 1024.0 / joined as f64)
    } else {
        None
    };
    summary["label"] = json!(args.label);
    summary["config"] = json!({
        "sessions": args.sessions,
        "participants_per_session": args.participants,
        "phones": total,
        "activities": args.activities,
        "rounds": args.rounds,
        "think_ms": args.think_ms,
        "moves": args.moves,
        "move_gap_ms": args.move_gap_ms,
        "deals": args.deals,
        "team_size": args.team_size,
        "resume_fraction": args.resume_fraction,
        "connect_concurrency": args.connect_concurrency,
        "stagger_ms": args.stagger_ms,
        "pinned": args.pin,
        "client_threads": threads,
        "mode": if args.spawn.is_some() { "spawn" } else { "url" },
    });
    summary["join"]["all_joined_ms"] = json!(all_joined_us as f64 / 1000.0);
    summary["join"]["joined"] = json!(joined);
    summary["join"]["failed"] = json!(progress.failed.load(Ordering::Acquire));
    summary["play_ms"] = json!(play_us as f64 / 1000.0);
    summary["sessions_finished"] = json!(director_reports.iter().filter(|d| d.finished).count());
    summary["server"] = json!({
        "pid": pid,
        "rss_kb": {
            "started": started.rss_kb,
            "baseline_sessions_and_consoles": baseline.rss_kb,
            "all_joined": join_cpu.rss_kb,
            "idle_after_join": idle.rss_kb,
            "peak_during_play": peak.rss_kb.max(after_play.rss_kb),
            "after_play": after_play.rss_kb,
            "high_water_mark": after_play.hwm_kb,
        },
        "bytes_per_idle_connection_beyond_baseline": per_idle_conn,
        "cpu_s": {
            "join": join_cpu.cpu_s - baseline.cpu_s,
            "play": after_play.cpu_s - before_play.cpu_s,
            "total": after_play.cpu_s,
        },
        "cpu_share_during_play": if play_us > 0 { (after_play.cpu_s - before_play.cpu_s) / (play_us as f64 / 1e6) } else { 0.0 },
        "threads": after_play.threads,
    });
    summary["load_generator"] = json!({
        "cpu_s": client_end.cpu_s - client_baseline.cpu_s,
        "rss_kb_peak": client_end.hwm_kb,
    });
    Ok(summary)
}

/// Opens sockets that never say hello (the server keeps them for 15 s): the transport's memory.
async fn sockets_only(
    args: &Args,
    addr: SocketAddr,
    pid: Option<u32>,
    timeout: Duration,
) -> anyhow::Result<serde_json::Value> {
    let sample = || pid.and_then(server::sample).unwrap_or_default();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = sample();
    let gate = Arc::new(Semaphore::new(args.connect_concurrency.max(1)));
    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..phones_total(args) {
        let gate = Arc::clone(&gate);
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.ok()?;
            client::open(addr, None, timeout).await.ok()
        }));
    }
    let mut sockets = Vec::new();
    for task in tasks {
        if let Some(ws) = task.await? {
            sockets.push(ws);
        }
    }
    let connect_ms = t0.elapsed().as_secs_f64() * 1000.0;
    tokio::time::sleep(Duration::from_millis(args.idle_ms.min(8000))).await;
    let after = sample();
    let open = sockets.len();
    drop(sockets);
    Ok(json!({
        "mode": "sockets_only",
        "label": args.label,
        "sockets": open,
        "connect_ms": connect_ms,
        "server_rss_kb": {"before": before.rss_kb, "with_sockets": after.rss_kb},
        "bytes_per_socket": if open > 0 { (after.rss_kb as f64 - before.rss_kb as f64) * 1024.0 / open as f64 } else { 0.0 },
    }))
}

/// The 1-minute load average: how busy the shared machine was (other builds count).
fn loadavg() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn phones_total(args: &Args) -> usize {
    args.sessions as usize * args.participants as usize
}
