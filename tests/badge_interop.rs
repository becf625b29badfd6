//! Third-party interoperability: badges issued here are checked by Digital Bazaar's verifier and
//! the official 1EdTech JSON schema (tests/js/verify.mjs), offline.
//!
//! Needs Node.js and npm. The test runs `npm ci` in tests/js when node_modules is missing. Without
//! Node it is skipped with a message, except when the `CI` environment variable is set: then it
//! fails, so that CI cannot pass without running it.

mod common;

use std::path::{Path, PathBuf};

use atelier::badge::bake::{bake_png, bake_svg};
use atelier::badge::jsonld::Canonicalizer;
use atelier::badge::keys::{IssuerKey, KeyStore};
use atelier::badge::proof;
use atelier::badge::status::issue_status_list;
use common::badges::*;
use common::verifier::{node_ready, run_js_at};
use png::text_metadata::{EncodableTextChunk, ITXtChunk};
use serde_json::Value;
use time::macros::datetime;

const NOW: &str = "2026-06-01T12:00:00Z";

/// A case: description, file to verify, documents (URL, file) the verifier may load.
type Case<'a> = (String, PathBuf, Vec<(&'a str, PathBuf)>);

fn write_json(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec_pretty(v).unwrap()).unwrap();
    path
}

#[test]
fn digital_bazaar_verifier_and_official_schema_agree() {
    if !node_ready() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let keys_dir = tempfile::tempdir().unwrap();
    let mut store = KeyStore::load_or_create(keys_dir.path()).unwrap();
    let canon = Canonicalizer::shared();
    let mut accept: Vec<Case> = Vec::new();
    let mut reject: Vec<Case> = Vec::new();

    // Offline did:key badges, baked, with and without e-mail.
    let plain = issue_badge(&store, None, None, None, None);
    let png = dir.join("plain.png");
    std::fs::write(
        &png,
        bake_png(&artwork_png(), &plain.vc.to_string()).unwrap(),
    )
    .unwrap();
    accept.push(("did:key PNG without e-mail".into(), png.clone(), vec![]));
    let with_email = issue_badge(&store, None, Some("ada@example.org"), None, None);
    let svg = dir.join("email.svg");
    std::fs::write(
        &svg,
        bake_svg(&artwork_svg(), &with_email.vc.to_string()).unwrap(),
    )
    .unwrap();
    accept.push(("did:key SVG with e-mail".into(), svg, vec![]));
    accept.push((
        "did:key JSON with e-mail".into(),
        write_json(dir, "email.json", &with_email.vc),
        vec![],
    ));

    // Hosted (did:web) badges with a status list, before and after a key rotation.
    let old = issue_badge(
        &store,
        Some(PUBLIC_URL),
        Some("ada@example.org"),
        Some(1),
        None,
    );
    store.rotate().unwrap();
    let new = issue_badge(&store, Some(PUBLIC_URL), None, Some(2), None);
    let revoked = issue_badge(&store, Some(PUBLIC_URL), None, Some(7), None);
    let did = store.identity(Some(PUBLIC_URL)).unwrap();
    let did_doc = write_json(
        dir,
        "did.json",
        &store.did_web_document(PUBLIC_URL).unwrap(),
    );
    let list = issue_status_list(
        canon,
        store.current(),
        &did,
        STATUS_URL,
        &[7],
        datetime!(2026-05-31 00:00:00 UTC),
    )
    .unwrap();
    let list_file = write_json(dir, "status.json", &list);
    let hosted_docs = || {
        vec![
            (did.did.as_str(), did_doc.clone()),
            (STATUS_URL, list_file.clone()),
        ]
    };
    let old_png = dir.join("old.png");
    std::fs::write(
        &old_png,
        bake_png(&artwork_png(), &old.vc.to_string()).unwrap(),
    )
    .unwrap();
    accept.push((
        "did:web PNG signed before rotation".into(),
        old_png,
        hosted_docs(),
    ));
    accept.push((
        "did:web badge signed after rotation".into(),
        write_json(dir, "new.json", &new.vc),
        hosted_docs(),
    ));
    reject.push((
        "revoked badge".into(),
        write_json(dir, "revoked.json", &revoked.vc),
        hosted_docs(),
    ));

    // Tampering, wrong key, forged verification method, expiry, two chunks.
    for (i, (pointer, value)) in [
        ("/credentialSubject/identifier/1/identityHash", "Eve"),
        ("/credentialSubject/achievement/name", "Something else"),
        ("/issuer/name", "Another issuer"),
        ("/validFrom", "2026-05-01T00:00:00Z"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut forged = with_email.vc.clone();
        *forged.pointer_mut(pointer).unwrap() = Value::String(value.into());
        reject.push((
            format!("tampered {pointer}"),
            write_json(dir, &format!("tampered{i}.json"), &forged),
            vec![],
        ));
    }
    let mallory = IssuerKey::from_seed(9, [7u8; 32]);
    let issuer_vm = plain.identity.verification_method.clone();
    let wrong_key = proof::sign(canon, &plain.vc, &mallory, &issuer_vm, now()).unwrap();
    reject.push((
        "wrong key".into(),
        write_json(dir, "wrongkey.json", &wrong_key),
        vec![],
    ));
    let own_vm = mallory.did_key_verification_method();
    let forged_vm = proof::sign(canon, &plain.vc, &mallory, &own_vm, now()).unwrap();
    reject.push((
        "verification method of another DID".into(),
        write_json(dir, "forgedvm.json", &forged_vm),
        vec![],
    ));
    let expired = issue_badge(
        &store,
        None,
        None,
        None,
        Some(datetime!(2026-05-31 00:00:00 UTC)),
    );
    reject.push((
        "expired".into(),
        write_json(dir, "expired.json", &expired.vc),
        vec![],
    ));
    let baked = std::fs::read(&png).unwrap();
    let mut extra = Vec::new();
    ITXtChunk::new("openbadgecredential", plain.vc.to_string())
        .encode(&mut extra)
        .unwrap();
    let mut doubled = baked[..33].to_vec();
    doubled.extend_from_slice(&extra);
    doubled.extend_from_slice(&baked[33..]);
    let doubled_path = dir.join("doubled.png");
    std::fs::write(&doubled_path, doubled).unwrap();
    reject.push((
        "PNG with two credential chunks".into(),
        doubled_path,
        vec![],
    ));

    let mut failures = Vec::new();
    for (name, file, docs) in &accept {
        let docs: Vec<(&str, &Path)> = docs.iter().map(|(u, p)| (*u, p.as_path())).collect();
        let r = run_js_at(file, &docs, Some(NOW));
        if !(r.ok && r.output["verified"] == true && r.output["schemaValid"] == true) {
            failures.push(format!("{name} should verify: {}", r.output));
        }
    }
    for (name, file, docs) in &reject {
        let docs: Vec<(&str, &Path)> = docs.iter().map(|(u, p)| (*u, p.as_path())).collect();
        let r = run_js_at(file, &docs, Some(NOW));
        eprintln!("{name}: {}", r.output["errors"]);
        if r.ok || r.output["verified"] == true {
            failures.push(format!("{name} should be rejected: {}", r.output));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
