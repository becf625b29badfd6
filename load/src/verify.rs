//! `--verify-flood C`: anonymous clients send `POST /api/verify` C at a time, without pause,
//! half with a real signed badge (the most an accepted document costs: canonicalisation and
//! a signature check) and half with that badge carrying a ring of 600 blank nodes (what froze
//! the server before: 42 s of canonicalisation each). Meanwhile one phone in a session sends
//! an action every 120 ms and times its answer. Reports the server's CPU per verification and
//! the phone's round trips, against the same phone on the idle server just before.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::{Args, client, server};

/// Round trips timed on the idle server, then under the flood.
const SAMPLES: usize = 100;

pub async fn run(args: &Args, concurrency: usize) -> anyhow::Result<Value> {
    let binary = args
        .spawn
        .as_ref()
        .context("--verify-flood needs --spawn")?;
    let addr = server::free_addr()?;
    let dir = server::temp_dir("verify");
    let mut child = server::spawn(binary, addr, &dir, &args.admin_token, args.pin, None)?;
    let pid = child.id();
    let timeout = Duration::from_secs(args.timeout_s);
    server::wait_healthy(addr, Instant::now(), timeout).await?;

    // A real badge, and the same badge with a blank-node ring.
    let body = json!({"name": "Ada Lovelace", "lang": "fr"}).to_string();
    let (status, issued) = server::http(
        addr,
        "POST",
        "/api/badges",
        Some(&args.admin_token),
        Some(&body),
    )
    .await?;
    if status != 201 {
        bail!("issuing the sample badge: {status} {issued}");
    }
    let credential = serde_json::from_str::<Value>(&issued)?["credential"].clone();
    let mut ring = credential.clone();
    ring["https://example.org/ring"] = Value::Array(
        (0..600)
            .map(|i| json!({"@id": format!("_:b{i}"), "https://example.org/next": {"@id": format!("_:b{}", (i + 1) % 600)}}))
            .collect(),
    );
    let bodies = Arc::new([credential.to_string(), ring.to_string()]);

    // One phone in a session: an action the room answers (a tap in the lobby is refused with
    // an error frame: the same path through the room as any action).
    let body = json!({"title": "Verify flood", "lang": "fr", "activities": ["bingo"]}).to_string();
    let (_, session) = server::http(
        addr,
        "POST",
        "/api/sessions",
        Some(&args.admin_token),
        Some(&body),
    )
    .await?;
    let code = serde_json::from_str::<Value>(&session)?["code"]
        .as_str()
        .context("no session code")?
        .to_string();
    let mut phone = client::open(addr, None, timeout).await?;
    client::hello(
        &mut phone,
        &json!({"type": "join", "code": code, "name": "Phone"}),
        timeout,
    )
    .await?;
    let idle = round_trips(&mut phone, SAMPLES).await?;

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let before = server::sample(pid);
    let started = Instant::now();
    let flood: Vec<_> = (0..concurrency)
        .map(|i| {
            let (stop, done, bodies) = (Arc::clone(&stop), Arc::clone(&done), Arc::clone(&bodies));
            tokio::spawn(async move {
                let mut longest = Duration::ZERO;
                while !stop.load(Ordering::Relaxed) {
                    let t0 = Instant::now();
                    let (status, _) =
                        server::http(addr, "POST", "/api/verify", None, Some(&bodies[i % 2]))
                            .await?;
                    if status != 200 {
                        bail!("/api/verify answered {status}");
                    }
                    longest = longest.max(t0.elapsed());
                    done.fetch_add(1, Ordering::Relaxed);
                }
                anyhow::Ok(longest)
            })
        })
        .collect();
    let loaded = round_trips(&mut phone, SAMPLES).await?;
    stop.store(true, Ordering::Relaxed);
    let mut longest_verify = Duration::ZERO;
    for task in flood {
        longest_verify = longest_verify.max(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after = server::sample(pid);
    server::stop(&mut child, Duration::from_secs(10));
    let _ = std::fs::remove_dir_all(&dir);
    let verifications = done.load(Ordering::Relaxed);
    let cpu_s = match (before, after) {
        (Some(b), Some(a)) => a.cpu_s - b.cpu_s,
        _ => f64::NAN,
    };
    Ok(json!({
        "mode": "verify_flood",
        "label": args.label,
        "concurrency": concurrency,
        "verifications": verifications,
        "elapsed_s": elapsed,
        "verifications_per_s": verifications as f64 / elapsed,
        "server_cpu_s": cpu_s,
        "server_cpu_ms_per_verification": cpu_s * 1000.0 / verifications.max(1) as f64,
        "longest_verification_ms": longest_verify.as_secs_f64() * 1000.0,
        "phone_round_trip_ms": {"idle": idle, "during_flood": loaded},
    }))
}

/// `n` actions, one every 120 ms (under the per-connection rate limit of 10 a second), each timed until its answer: percentiles in ms.
async fn round_trips(phone: &mut client::Ws, n: usize) -> anyhow::Result<Value> {
    let mut times = Vec::with_capacity(n);
    let mut tick = tokio::time::interval(Duration::from_millis(120));
    for _ in 0..n {
        tick.tick().await;
        let t0 = Instant::now();
        client::send(phone, &json!({"type": "bingo.tap", "card": "x"})).await?;
        loop {
            let text = client::next_text(phone)
                .await
                .context("the phone's connection ended")??;
            if text.contains("\"error\"") {
                break;
            }
        }
        times.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    Ok(json!({"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": at(1.0)}))
}
