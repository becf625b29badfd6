//! `--badges N`: the closing moment of a hosted workshop, as the organiser's automation (or a
//! room's badge desk) sees it: N badges issued through `POST /api/badges`, C at a time, on a
//! server with a public URL (each badge reserves a status-list index). Reports the rate and
//! every failure; no failure is acceptable.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tokio::sync::Semaphore;

use crate::Args;
use crate::server;

/// The public URL the spawned server gets: https, so badges are did:web with a status list.
const PUBLIC_URL: &str = "https://badges.example.test";

pub async fn run(args: &Args, count: usize) -> anyhow::Result<Value> {
    let binary = args.spawn.as_ref().context("--badges needs --spawn")?;
    let addr = server::free_addr()?;
    let dir = server::temp_dir("badges");
    let child = server::spawn(
        binary,
        addr,
        &dir,
        &args.admin_token,
        args.pin,
        Some(PUBLIC_URL),
    )?;
    let pid = child.id();
    let mut child = child;
    server::wait_healthy(addr, Instant::now(), Duration::from_secs(args.timeout_s)).await?;
    let before = server::sample(pid);
    let permits = Arc::new(Semaphore::new(args.badge_concurrency.max(1)));
    let token = Arc::new(args.admin_token.clone());
    let started = Instant::now();
    let tasks: Vec<_> = (0..count)
        .map(|i| {
            let permits = Arc::clone(&permits);
            let token = Arc::clone(&token);
            tokio::spawn(async move {
                let _permit = permits.acquire().await?;
                let body = json!({"name": format!("Participant {i}"), "lang": "fr"}).to_string();
                let t0 = Instant::now();
                let (status, reply) =
                    server::http(addr, "POST", "/api/badges", Some(&token), Some(&body)).await?;
                anyhow::Ok((status, reply, t0.elapsed()))
            })
        })
        .collect();
    let mut statuses = BTreeMap::<u16, usize>::new();
    let mut latencies = Vec::with_capacity(count);
    let mut indexes = std::collections::HashSet::new();
    let mut first_failure = None;
    for task in tasks {
        let (status, reply, took) = task.await??;
        *statuses.entry(status).or_default() += 1;
        latencies.push(took.as_secs_f64() * 1000.0);
        if status == 201 {
            let issued: Value = serde_json::from_str(&reply)?;
            let index = issued
                .pointer("/credential/credentialStatus/statusListIndex")
                .and_then(Value::as_str)
                .context("a hosted badge without a status entry")?
                .to_string();
            indexes.insert(index);
        } else if first_failure.is_none() {
            first_failure = Some(format!("{status}: {reply}"));
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let after = server::sample(pid);
    server::stop(&mut child, Duration::from_secs(10));
    let _ = std::fs::remove_dir_all(&dir);
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    let failures = count - statuses.get(&201).copied().unwrap_or(0);
    if indexes.len() != count - failures {
        bail!(
            "status-list indexes reused: {} distinct for {} badges",
            indexes.len(),
            count - failures
        );
    }
    Ok(json!({
        "mode": "badges",
        "label": args.label,
        "badges": count,
        "concurrency": args.badge_concurrency,
        "failures": failures,
        "first_failure": first_failure,
        "statuses": statuses,
        "elapsed_s": elapsed,
        "badges_per_s": count as f64 / elapsed,
        "latency_ms": {"p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": at(1.0)},
        "distinct_status_indexes": indexes.len(),
        "server_cpu_s": match (before, after) {
            (Some(b), Some(a)) => Some(a.cpu_s - b.cpu_s),
            _ => None,
        },
    }))
}
