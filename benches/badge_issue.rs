//! Badge issuance benchmark: build + sign (eddsa-rdfc-2022) and bake the PNG, per badge.
//! Run with `cargo bench --bench badge_issue`; figures go to BENCHMARKS.md.

#[path = "../tests/common/badges.rs"]
mod fixtures;

use std::time::Instant;

use atelier::badge::bake::bake_png;
use atelier::badge::credential::{IssueOptions, Recipient, issue};
use atelier::badge::jsonld::Canonicalizer;
use atelier::badge::keys::KeyStore;
use fixtures::*;

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::load_or_create(dir.path()).unwrap();
    let identity = store.identity(None).unwrap();
    let (issuer, achievement, art) = (issuer(), achievement(), artwork_png());
    let recipient = Recipient {
        name: "Ada Lovelace".into(),
        email: Some("ada@example.org".into()),
    };
    let canon = Canonicalizer::shared();
    let n = 200;
    let start = Instant::now();
    let mut json = String::new();
    for _ in 0..n {
        let options = IssueOptions::new(now());
        let vc = issue(
            canon,
            store.current(),
            &identity,
            &issuer,
            &achievement,
            &recipient,
            &options,
        );
        json = vc.unwrap().to_string();
    }
    let sign = start.elapsed() / n;
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(bake_png(&art, &json).unwrap());
    }
    let bake = start.elapsed() / n;
    let vc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(canon.canonical_nquads(&vc).unwrap());
    }
    let c14n = start.elapsed() / n;
    let config = serde_json::json!({"@context": vc["@context"], "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022", "created": "2026-01-01T00:00:00Z",
        "verificationMethod": "did:key:z6Mk#z6Mk", "proofPurpose": "assertionMethod"});
    let start = Instant::now();
    for _ in 0..n {
        std::hint::black_box(canon.canonical_nquads(&config).unwrap());
    }
    let c14n_config = start.elapsed() / n;
    eprintln!(
        "canonicalisation of the proof configuration alone (context processing dominates): {c14n_config:?}"
    );
    eprintln!(
        "per badge: build+sign {sign:?} (of which one canonicalisation of the credential {c14n:?}), bake PNG {bake:?}; credential {} bytes",
        json.len()
    );
}
