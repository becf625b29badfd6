//! Timing of badge issuance (build + sign `eddsa-rdfc-2022` + bake the PNG) beside Digital
//! Bazaar's reference signer (tests/js/sign.mjs) on the same credential, in the same run. No
//! assertion on speed: `cargo bench --bench badge_issue` (figures in BENCHMARKS.md).
//!
//! Rust and JS rounds alternate and the best round of each is kept: on a shared 2-core machine
//! the minimum is the figure least disturbed by other load, and alternating exposes both sides to
//! the same conditions.

#[path = "../tests/common/badges.rs"]
mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use atelier::badge::bake::bake_png;
use atelier::badge::credential::{IssueOptions, Recipient, build_credential, issue};
use atelier::badge::jsonld::Canonicalizer;
use atelier::badge::keys::KeyStore;
use common::*;

const ROUNDS: usize = 5;
const N: u32 = 200;

/// Per-badge time of issuing (build, sign, serialise) and baking `N` badges, each to its own
/// recipient (name, e-mail; the credential id and salt are new for each). With
/// `distinct_created`, every badge has its own `created`, so no proof configuration repeats.
fn issue_round(store: &KeyStore, art: &[u8], distinct_created: bool) -> Duration {
    let identity = store.identity(None).unwrap();
    let (issuer, achievement) = (issuer(), achievement());
    let canon = Canonicalizer::shared();
    let start = Instant::now();
    for i in 0..N {
        let recipient = Recipient {
            name: format!("Participant n°{i}"),
            email: Some(format!("participant.{i}@example.org")),
        };
        let offset = if distinct_created { i } else { 0 };
        let options = IssueOptions::new(now() + Duration::from_secs(offset.into()));
        let vc = issue(
            canon,
            store.current(),
            &identity,
            &issuer,
            &achievement,
            &recipient,
            &options,
        )
        .unwrap();
        std::hint::black_box(bake_png(art, &vc.to_string()).unwrap());
    }
    start.elapsed() / N
}

/// Milliseconds per credential of the reference signer, or why it could not run.
fn js_round(credential: &Path) -> Result<f64, String> {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js");
    if !js.join("node_modules").exists() {
        return Err("tests/js/node_modules missing (run npm ci there)".into());
    }
    let out = Command::new("node")
        .arg(js.join("sign.mjs"))
        .arg(credential)
        .arg(N.to_string())
        .output()
        .map_err(|e| format!("node: {e}"))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let line: serde_json::Value =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("sign.mjs output: {e}"))?;
    line["msPerCredential"]
        .as_f64()
        .ok_or_else(|| "sign.mjs printed no msPerCredential".into())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::load_or_create(dir.path()).unwrap();
    let identity = store.identity(None).unwrap();
    let art = artwork_png();
    let recipient = Recipient {
        name: "Ada Lovelace".into(),
        email: Some("ada@example.org".into()),
    };
    let unsigned = build_credential(
        &identity.did,
        &issuer(),
        &achievement(),
        &recipient,
        &IssueOptions::new(now()),
    )
    .unwrap();
    let file = dir.path().join("credential.json");
    std::fs::write(&file, unsigned.to_string()).unwrap();
    let canon = Canonicalizer::shared();
    canon.canonical_nquads(&unsigned).unwrap();

    let (mut same, mut distinct, mut c14n, mut bake) =
        (Duration::MAX, Duration::MAX, Duration::MAX, Duration::MAX);
    let mut js: Result<f64, String> = Err("not run".into());
    for _ in 0..ROUNDS {
        same = same.min(issue_round(&store, &art, false));
        distinct = distinct.min(issue_round(&store, &art, true));
        let start = Instant::now();
        for _ in 0..N {
            std::hint::black_box(canon.canonical_nquads(&unsigned).unwrap());
        }
        c14n = c14n.min(start.elapsed() / N);
        let json = unsigned.to_string();
        let start = Instant::now();
        for _ in 0..N {
            std::hint::black_box(bake_png(&art, &json).unwrap());
        }
        bake = bake.min(start.elapsed() / N);
        js = match (js_round(&file), js) {
            (Ok(now), Ok(best)) => Ok(now.min(best)),
            (Ok(now), Err(_)) => Ok(now),
            (Err(e), _) => Err(e),
        };
    }
    eprintln!(
        "credential {} bytes; best of {ROUNDS} rounds of {N}",
        unsigned.to_string().len()
    );
    eprintln!(
        "Rust, per badge: issue+bake {:.3} ms (same `created`, proof configuration memoised), \
         {:.3} ms (every `created` different); canonicalisation of the credential by full JSON-LD \
         processing (what verification does) {:.3} ms, \
         bake PNG {:.4} ms",
        ms(same),
        ms(distinct),
        ms(c14n),
        ms(bake)
    );
    eprintln!(
        "target 0.3 ms: {:.1}x away; 0.1 ms: {:.1}x away",
        ms(distinct) / 0.3,
        ms(distinct) / 0.1
    );
    match js {
        Ok(js) => eprintln!(
            "JS reference (Digital Bazaar, sign only): {js:.3} ms per credential; \
             Rust is {:.1}x faster (memo) / {:.1}x faster (no memo)",
            js / ms(same),
            js / ms(distinct)
        ),
        Err(e) => eprintln!("JS reference not measured: {e}"),
    }
}
