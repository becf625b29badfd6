//! Matching received events to the actions that caused them, percentiles, delivery checks.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Value, json};

use crate::model::{Act, ActionRec, Audience, DirectorReport, Ev, PhoneReport};

/// p50/p95/p99/max (nearest rank) of microsecond samples, in milliseconds.
pub fn percentiles(samples: &mut [u64]) -> Value {
    if samples.is_empty() {
        return json!({"count": 0});
    }
    samples.sort_unstable();
    let at = |q: f64| {
        let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
        samples[rank - 1] as f64 / 1000.0
    };
    let mean = samples.iter().sum::<u64>() as f64 / samples.len() as f64 / 1000.0;
    json!({
        "count": samples.len(),
        "p50_ms": at(0.50),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": samples[samples.len() - 1] as f64 / 1000.0,
        "mean_ms": (mean * 1000.0).round() / 1000.0,
    })
}

fn covered(phone: &PhoneReport, seq: u64) -> bool {
    seq <= phone.first_seq || phone.gaps.iter().any(|&(a, b)| seq > a && seq <= b)
}

fn expects(phone: &PhoneReport, action: &ActionRec) -> bool {
    match action.audience {
        Audience::Phones => true,
        Audience::Phone(i) => phone.idx == i,
        Audience::Team(t) => phone.team == Some(t),
    }
}

pub fn summarise(phones: &[PhoneReport], directors: &[DirectorReport]) -> Value {
    let mut actions: Vec<ActionRec> = directors
        .iter()
        .flat_map(|d| d.actions.iter().copied())
        .collect();
    actions.extend(phones.iter().flat_map(|p| p.actions.iter().copied()));
    let index: HashMap<(u32, u64, Ev), usize> = actions
        .iter()
        .enumerate()
        .map(|(i, a)| ((a.session, a.seq, a.act.event()), i))
        .collect();
    let mut per_recipient: HashMap<Act, Vec<u64>> = HashMap::new();
    let mut until_all: Vec<u64> = vec![0; actions.len()];
    let mut by_session: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, a) in actions.iter().enumerate() {
        by_session.entry(a.session).or_default().push(i);
    }
    let (mut missed, mut expected, mut delivered) = (0u64, 0u64, 0u64);
    let mut missed_by_act: BTreeMap<&'static str, u64> = BTreeMap::new();
    for phone in phones.iter().filter(|p| p.joined) {
        let mut got: HashSet<(u64, Ev)> = HashSet::with_capacity(phone.recvs.len());
        for r in &phone.recvs {
            got.insert((r.seq, r.ev));
            let Some(&ai) = index.get(&(phone.session, r.seq, r.ev)) else {
                continue;
            };
            let action = &actions[ai];
            if !expects(phone, action) {
                continue;
            }
            let latency = r.t.saturating_sub(action.t0);
            per_recipient.entry(action.act).or_default().push(latency);
            until_all[ai] = until_all[ai].max(latency);
        }
        for &ai in by_session.get(&phone.session).into_iter().flatten() {
            let action = &actions[ai];
            if !expects(phone, action) || covered(phone, action.seq) {
                continue;
            }
            expected += 1;
            if got.contains(&(action.seq, action.act.event())) {
                delivered += 1;
            } else {
                missed += 1;
                *missed_by_act.entry(action.act.name()).or_default() += 1;
            }
        }
    }
    let mut latency = serde_json::Map::new();
    let mut broadcast_recipient = Vec::new();
    let mut broadcast_all = Vec::new();
    for act in Act::ALL {
        let mut samples = per_recipient.remove(&act).unwrap_or_default();
        let mut all: Vec<u64> = actions
            .iter()
            .enumerate()
            .filter(|(_, a)| a.act == act)
            .map(|(i, _)| until_all[i])
            .collect();
        if act.is_broadcast() {
            broadcast_recipient.extend_from_slice(&samples);
            broadcast_all.extend_from_slice(&all);
        }
        if all.is_empty() {
            continue;
        }
        // For facilitator broadcasts of a small run: each one, in the order they were sent.
        let each: Option<Vec<f64>> = (act.is_broadcast() && all.len() <= 16).then(|| {
            let mut timed: Vec<(u64, u64)> = actions
                .iter()
                .enumerate()
                .filter(|(_, a)| a.act == act)
                .map(|(i, a)| (a.t0, until_all[i]))
                .collect();
            timed.sort_unstable();
            timed.iter().map(|&(_, us)| us as f64 / 1000.0).collect()
        });
        latency.insert(
            act.name().to_string(),
            json!({
                "actions": all.len(),
                "until_all_received_each_ms": each,
                "per_recipient": percentiles(&mut samples),
                "until_all_received": percentiles(&mut all),
            }),
        );
    }
    let mut errors: BTreeMap<String, u64> = BTreeMap::new();
    for (k, v) in phones
        .iter()
        .flat_map(|p| p.errors.iter())
        .chain(directors.iter().flat_map(|d| d.errors.iter()))
    {
        *errors.entry(k.clone()).or_default() += v;
    }
    let mut join: Vec<u64> = phones
        .iter()
        .filter(|p| p.joined)
        .map(|p| p.join_us)
        .collect();
    let sum = |f: &dyn Fn(&PhoneReport) -> u32| phones.iter().map(|p| f(p) as u64).sum::<u64>();
    json!({
        "latency": latency,
        "facilitator_broadcasts": {
            "per_recipient": percentiles(&mut broadcast_recipient),
            "until_all_received": percentiles(&mut broadcast_all),
        },
        "join": {"per_phone": percentiles(&mut join), "connect_failures": sum(&|p| p.connect_failures)},
        "errors": errors,
        "error_count": errors.values().sum::<u64>(),
        "drops": sum(&|p| p.drops),
        "resumes": {"ok": sum(&|p| p.resumes_ok), "failed": sum(&|p| p.resumes_failed)},
        "staff": {
            "resyncs": directors.iter().map(|d| d.resyncs).sum::<u32>(),
            "resyncs_while_joining": directors.iter().map(|d| d.resyncs_before_start).sum::<u32>(),
            "lost_echoes": directors.iter().map(|d| d.lost_echoes).sum::<u32>(),
        },
        "delivery": {
            "expected": expected,
            "delivered": delivered,
            "missed": missed,
            "missed_by_action": missed_by_act,
            "out_of_order": sum(&|p| p.out_of_order),
            "stale_after_welcome": sum(&|p| p.stale),
            "events_before_welcome": sum(&|p| p.before_welcome),
            "lost_echoes": sum(&|p| p.lost_echoes),
        },
    })
}
