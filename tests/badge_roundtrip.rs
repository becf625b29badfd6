//! Issue → bake → extract → verify, and every way a badge must be refused.

mod common;

use atelier::badge::BadgeError;
use atelier::badge::bake::{bake_png, bake_svg, extract_png, extract_svg};
use atelier::badge::credential::recipient_has_email;
use atelier::badge::jsonld::Canonicalizer;
use atelier::badge::keys::{IssuerKey, KeyStore};
use atelier::badge::proof;
use atelier::badge::status::issue_status_list;
use atelier::badge::verify::{
    StaticDocuments, Verdict, VerifyContext, VerifyReport, verify, verify_credential,
};
use common::badges::*;
use png::text_metadata::{EncodableTextChunk, ITXtChunk};
use serde_json::Value;
use time::macros::datetime;

fn ctx<'a>(docs: &'a StaticDocuments) -> VerifyContext<'a> {
    VerifyContext {
        canonicalizer: Canonicalizer::shared(),
        resolver: Some(docs),
        status: Some(docs),
        now: now(),
    }
}

async fn check(vc: &Value, docs: &StaticDocuments) -> VerifyReport {
    verify_credential(vc.clone(), &ctx(docs)).await
}

#[tokio::test]
async fn did_key_badge_round_trips_through_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::load_or_create(dir.path()).unwrap();
    for email in [None, Some("Ada@Example.org")] {
        let badge = issue_badge(&store, None, email, None, None);
        assert!(badge.vc.get("credentialStatus").is_none());
        let json = serde_json::to_string(&badge.vc).unwrap();

        let png = bake_png(&artwork_png(), &json).unwrap();
        assert_eq!(extract_png(&png).unwrap(), json);
        let report = verify(&png, &VerifyContext::offline()).await;
        assert!(report.is_valid(), "{report}");
        let summary = report.summary.as_ref().unwrap();
        assert_eq!(summary.recipient_name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(
            summary.achievement_name.as_deref(),
            Some("Réparer une crevaison")
        );
        assert_eq!(summary.has_hashed_email, email.is_some());
        let text = report.to_string();
        assert!(text.starts_with("VALID"), "{text}");

        let svg = bake_svg(&artwork_svg(), &json).unwrap();
        assert_eq!(extract_svg(&svg).unwrap(), json);
        let report = verify(svg.as_bytes(), &VerifyContext::offline()).await;
        assert!(report.is_valid(), "{report}");

        if email.is_some() {
            assert!(recipient_has_email(&badge.vc, "ada@example.org"));
            assert!(!recipient_has_email(&badge.vc, "eve@example.org"));
            let hash = badge.vc["credentialSubject"]["identifier"][0]["identityHash"]
                .as_str()
                .unwrap();
            assert!(hash.starts_with("sha256$") && hash.len() == 7 + 64);
        }
        let dump = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        let suffix = if email.is_some() { "email" } else { "noemail" };
        std::fs::write(dump.join(format!("ada-{suffix}.png")), &png).unwrap();
        std::fs::write(dump.join(format!("ada-{suffix}.svg")), &svg).unwrap();
    }
}

#[tokio::test]
async fn rebaking_replaces_and_two_chunks_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::load_or_create(dir.path()).unwrap();
    let json = serde_json::to_string(&issue_badge(&store, None, None, None, None).vc).unwrap();
    let once = bake_png(&artwork_png(), "{\"old\":true}").unwrap();
    let twice = bake_png(&once, &json).unwrap();
    assert_eq!(extract_png(&twice).unwrap(), json);
    assert_eq!(
        twice.len(),
        once.len() - "{\"old\":true}".len() + json.len()
    );

    // Splice a second credential chunk in after IHDR (8-byte signature + 25-byte IHDR).
    let mut extra = Vec::new();
    ITXtChunk::new("openbadgecredential", "{}")
        .encode(&mut extra)
        .unwrap();
    let mut doubled = twice[..33].to_vec();
    doubled.extend_from_slice(&extra);
    doubled.extend_from_slice(&twice[33..]);
    assert!(matches!(
        extract_png(&doubled),
        Err(BadgeError::DuplicateCredential)
    ));
    let report = verify(&doubled, &VerifyContext::offline()).await;
    assert!(!report.is_valid());
    assert!(report.errors()[0].contains("more than one"), "{report}");
    assert!(matches!(
        extract_png(&artwork_png()),
        Err(BadgeError::NoCredential)
    ));
}

#[tokio::test]
async fn did_web_badges_survive_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = KeyStore::load_or_create(dir.path()).unwrap();
    let old = issue_badge(
        &store,
        Some(PUBLIC_URL),
        Some("ada@example.org"),
        None,
        None,
    );
    store.rotate().unwrap();
    let new = issue_badge(&store, Some(PUBLIC_URL), None, None, None);
    assert_eq!(old.identity.did, "did:web:badges.example.org");
    assert_eq!(old.identity.did, new.identity.did);
    assert_ne!(
        old.identity.verification_method,
        new.identity.verification_method
    );

    let did_doc = store.did_web_document(PUBLIC_URL).unwrap();
    let docs = StaticDocuments::default().with(old.identity.did.clone(), did_doc);
    for badge in [&old, &new] {
        let report = check(&badge.vc, &docs).await;
        assert!(report.is_valid(), "{report}");
    }
    // Without a resolver a did:web badge cannot be checked: not "invalid", "not fully
    // checked", and the report says what was out of reach.
    let report = verify_credential(old.vc.clone(), &VerifyContext::offline()).await;
    assert!(!report.is_valid());
    assert_eq!(report.verdict(), Verdict::Incomplete, "{report}");
    assert!(
        report.errors()[0].contains("cannot be fetched from here"),
        "{report}"
    );

    // A DID document that dropped the old key no longer vouches for old badges.
    let fresh = tempfile::tempdir().unwrap();
    let other = KeyStore::load_or_create(fresh.path()).unwrap();
    let docs = StaticDocuments::default().with(
        old.identity.did.clone(),
        other.did_web_document(PUBLIC_URL).unwrap(),
    );
    let report = check(&old.vc, &docs).await;
    assert!(
        report.errors()[0].contains("not an assertion method"),
        "{report}"
    );
}

/// Every string, number and boolean in the credential (outside the proof) is covered.
fn leaf_pointers(v: &Value, path: String, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                if path.is_empty() && (k == "proof" || k == "@context") {
                    continue;
                }
                leaf_pointers(
                    child,
                    format!("{path}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                leaf_pointers(child, format!("{path}/{i}"), out);
            }
        }
        _ => out.push(path),
    }
}

#[tokio::test]
async fn tampering_with_any_field_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::load_or_create(dir.path()).unwrap();
    let badge = issue_badge(&store, None, Some("ada@example.org"), None, None);
    let docs = StaticDocuments::default();
    let mut pointers = Vec::new();
    leaf_pointers(&badge.vc, String::new(), &mut pointers);
    assert!(pointers.len() > 25, "{pointers:?}");
    for pointer in &pointers {
        let mut forged = badge.vc.clone();
        let Some(slot) = forged.pointer_mut(pointer) else {
            continue;
        };
        *slot = match slot {
            Value::String(s) if s.starts_with("did:key:") => Value::String(format!("{s}x")),
            Value::String(s) => Value::String(format!("{s}X")),
            Value::Bool(b) => Value::Bool(!*b),
            Value::Number(_) => Value::from(12345),
            _ => Value::String("X".into()),
        };
        let report = check(&forged, &docs).await;
        assert!(!report.is_valid(), "tampering {pointer} went unnoticed");
    }
    // Adding a property no context defines is refused rather than silently ignored.
    let mut forged = badge.vc.clone();
    forged["credentialSubject"]["grade"] = Value::String("A+".into());
    assert!(!check(&forged, &docs).await.is_valid());
    // Removing a field is tampering too.
    let mut forged = badge.vc.clone();
    forged["credentialSubject"]["identifier"]
        .as_array_mut()
        .unwrap()
        .remove(0);
    assert!(!check(&forged, &docs).await.is_valid());
}

#[tokio::test]
async fn wrong_key_and_forged_verification_method_fail() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::load_or_create(dir.path()).unwrap();
    let badge = issue_badge(&store, None, None, None, None);
    let docs = StaticDocuments::default();
    let mallory = IssuerKey::from_seed(9, [7u8; 32]);

    // Signed by Mallory but claiming the issuer's key: the signature does not match.
    let claimed = store.current().did_key_verification_method();
    let forged = proof::sign(
        Canonicalizer::shared(),
        &badge.vc,
        &mallory,
        &claimed,
        now(),
    )
    .unwrap();
    let report = check(&forged, &docs).await;
    assert!(!report.is_valid());
    assert!(
        report.errors()[0].contains("signature does not match"),
        "{report}"
    );

    // Signed by Mallory with her own (honest) verification method: not the issuer's key.
    let forged = proof::sign(
        Canonicalizer::shared(),
        &badge.vc,
        &mallory,
        &mallory.did_key_verification_method(),
        now(),
    )
    .unwrap();
    let report = check(&forged, &docs).await;
    assert!(report.errors()[0].contains("but the issuer is"), "{report}");

    // A did:web badge whose proof points at a did:key.
    let web = issue_badge(&store, Some(PUBLIC_URL), None, None, None);
    let forged = proof::sign(
        Canonicalizer::shared(),
        &web.vc,
        store.current(),
        &store.current().did_key_verification_method(),
        now(),
    )
    .unwrap();
    let docs = StaticDocuments::default().with(
        web.identity.did.clone(),
        store.did_web_document(PUBLIC_URL).unwrap(),
    );
    assert!(!check(&forged, &docs).await.is_valid());
    assert!(check(&web.vc, &docs).await.is_valid());
}

#[tokio::test]
async fn revoked_expired_and_unknown_status_fail() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::load_or_create(dir.path()).unwrap();
    let did = store.identity(Some(PUBLIC_URL)).unwrap();
    let did_doc = store.did_web_document(PUBLIC_URL).unwrap();
    let good = issue_badge(&store, Some(PUBLIC_URL), None, Some(3), None);
    let revoked = issue_badge(&store, Some(PUBLIC_URL), None, Some(94567), None);
    let list = issue_status_list(
        Canonicalizer::shared(),
        store.current(),
        &did,
        STATUS_URL,
        &[94567, 12],
        datetime!(2026-05-31 00:00:00 UTC),
    )
    .unwrap();
    let docs = StaticDocuments::default()
        .with(did.did.clone(), did_doc.clone())
        .with(STATUS_URL, list.clone());
    assert!(check(&good.vc, &docs).await.is_valid());
    let report = check(&revoked.vc, &docs).await;
    assert!(!report.is_valid());
    assert_eq!(report.verdict(), Verdict::Invalid);
    assert!(
        report.errors().iter().any(|e| e.contains("revoked")),
        "{report}"
    );

    // No status list available: not declared valid, not invalid either ("not fully
    // checked"), and the report says why; the signature was checked.
    let docs_without_list = StaticDocuments::default().with(did.did.clone(), did_doc.clone());
    let report = check(&good.vc, &docs_without_list).await;
    assert!(!report.is_valid());
    assert_eq!(report.verdict(), Verdict::Incomplete, "{report}");
    assert!(
        report.errors()[0].contains("could not be checked"),
        "{report}"
    );
    assert!(
        report
            .checks
            .iter()
            .any(|c| c.name == "proof" && c.passed())
    );
    // The revoked badge stays invalid even where the list cannot be reached? No: without the
    // list nobody here can tell; it is "not fully checked", never "valid".
    assert_eq!(
        check(&revoked.vc, &docs_without_list).await.verdict(),
        Verdict::Incomplete
    );

    // A status list that was tampered with (everything un-revoked) is rejected.
    let mut forged_list = list.clone();
    forged_list["credentialSubject"]["encodedList"] =
        Value::String(atelier::badge::status::encode_list(&[], 0).unwrap());
    let docs_forged = StaticDocuments::default()
        .with(did.did.clone(), did_doc)
        .with(STATUS_URL, forged_list);
    assert!(!check(&revoked.vc, &docs_forged).await.is_valid());

    // Expired and not-yet-valid badges.
    let expired = issue_badge(
        &store,
        None,
        None,
        None,
        Some(datetime!(2026-05-31 00:00:00 UTC)),
    );
    let report = check(&expired.vc, &docs).await;
    assert!(
        report.errors().iter().any(|e| e.contains("expired")),
        "{report}"
    );
    let mut early = VerifyContext::offline();
    early.now = datetime!(2020-01-01 00:00:00 UTC);
    let report = verify_credential(good.vc.clone(), &early).await;
    assert!(
        report
            .errors()
            .iter()
            .any(|e| e.contains("not valid before")),
        "{report}"
    );
}

#[tokio::test]
async fn hostile_inputs_are_reported_not_panicked_on() {
    let ctx = VerifyContext::offline();
    for input in [
        &b""[..],
        b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR",
        b"{",
        b"{}",
        b"[1,2]",
        b"<svg><openbadges:credential>{\"a\":1}</openbadges:credential></svg>",
        br#"{"@context":["https://www.w3.org/ns/credentials/v2",{"@vocab":"urn:x#"}],"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":"did:key:z6Mk","credentialSubject":{"achievement":{}}}"#,
        br#"{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"type":["VerifiableCredential","OpenBadgeCredential"],"issuer":"did:key:z6Mk","credentialSubject":{"achievement":{}},"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofPurpose":"assertionMethod","verificationMethod":"did:key:z6Mk#z6Mk","proofValue":"zzz"}}"#,
    ] {
        let report = verify(input, &ctx).await;
        assert!(!report.is_valid());
        assert!(!report.errors().is_empty());
    }
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert!(!verify(deep.as_bytes(), &ctx).await.is_valid());
}

#[tokio::test]
async fn corrupted_files_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::load_or_create(dir.path()).unwrap();
    let json = serde_json::to_string(&issue_badge(&store, None, None, None, None).vc).unwrap();
    let png = bake_png(&artwork_png(), &json).unwrap();
    let svg = bake_svg(&artwork_svg(), &json).unwrap().into_bytes();
    let ctx = VerifyContext::offline();
    // Deterministic corruption: truncations and byte flips spread over the whole file.
    for original in [&png, &svg] {
        for step in 0..60 {
            let at = original.len() * step / 60;
            let mut flipped = original.clone();
            flipped[at] ^= 0x5a;
            let _ = verify(&flipped, &ctx).await;
            let _ = verify(&original[..at], &ctx).await;
        }
    }
}

/// Baked files the OB 3.0 baking rules refuse (a compressed credential chunk, an SVG credential
/// outside CDATA) or accept (the namespace under another prefix), and JSON with a term no
/// context defines: Atelier's verdict, and where the third-party harness reads the same file,
/// its verdict too.
#[tokio::test]
async fn baking_and_term_variants_get_the_standards_verdict() {
    use common::verifier::{node_ready, run_js_at};
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::load_or_create(dir.path()).unwrap();
    let badge = issue_badge(&store, None, None, None, None);
    let json = serde_json::to_string(&badge.vc).unwrap();
    let svg = bake_svg(&artwork_svg(), &json).unwrap();

    // An SVG whose credential is escaped text instead of CDATA.
    let cdata_start = svg.find("<![CDATA[").unwrap();
    let cdata_end = svg.rfind("]]>").unwrap();
    let escaped = format!(
        "{}{}{}",
        &svg[..cdata_start],
        json.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;"),
        &svg[cdata_end + 3..]
    );
    // The same namespace bound to another prefix.
    let other_prefix = svg
        .replace("xmlns:openbadges=", "xmlns:ob=")
        .replace("<openbadges:credential>", "<ob:credential>")
        .replace("</openbadges:credential>", "</ob:credential>");
    // A PNG whose credential chunk is compressed.
    let mut compressed = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut compressed, 1, 1);
        encoder.set_color(png::ColorType::Grayscale);
        let mut chunk = ITXtChunk::new("openbadgecredential", json.clone());
        chunk.compressed = true;
        chunk.compress_text().unwrap();
        let mut writer = encoder.write_header().unwrap();
        writer.write_text_chunk(&chunk).unwrap();
        writer.write_image_data(&[0]).unwrap();
    }
    // A member no context defines, added after signing.
    let mut undefined = badge.vc.clone();
    undefined["undefinedTerm"] = Value::String("unsigned".into());
    let undefined = serde_json::to_vec(&undefined).unwrap();

    let cases: [(&str, &str, Vec<u8>, bool); 4] = [
        ("svg-escaped", "svg", escaped.into_bytes(), false),
        ("svg-prefix", "svg", other_prefix.into_bytes(), true),
        ("png-compressed", "png", compressed, false),
        ("undefined-term", "json", undefined, false),
    ];
    for (what, extension, bytes, valid) in cases {
        let report = verify(&bytes, &VerifyContext::offline()).await;
        assert_eq!(report.is_valid(), valid, "{what}: {report}");
        // The harness finds the SVG credential with a regular expression for the
        // `openbadges:` prefix (stricter than XML namespaces): the other-prefix case is
        // checked against the namespace rules by Atelier's own parser only.
        if node_ready() && what != "svg-prefix" {
            let file = dir.path().join(format!("{what}.{extension}"));
            std::fs::write(&file, &bytes).unwrap();
            let reference = run_js_at(&file, &[], None);
            assert_eq!(reference.ok, valid, "{what}: {}", reference.output);
        }
    }
}

/// A badge whose achievement carries an endorsement (a credential nested in the credential, as
/// OB 3.0 allows) is one credential with an endorsement, not "more than one credential".
#[tokio::test]
async fn an_endorsed_badge_is_read_as_one_credential() {
    let dir = tempfile::tempdir().unwrap();
    let store = KeyStore::load_or_create(dir.path()).unwrap();
    let badge = issue_badge(&store, None, None, None, None);
    let mut vc = badge.vc.clone();
    vc.as_object_mut().unwrap().remove("proof");
    vc["credentialSubject"]["achievement"]["endorsement"] = serde_json::json!([{
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
        ],
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "id": "urn:uuid:5e0a2c4c-8f0f-4b6d-9a51-6a3c2b1d0e9f",
        "name": "Endorsement by the Région",
        "issuer": {"id": "https://endorser.example.org", "type": ["Profile"], "name": "Région"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": badge.vc["credentialSubject"]["achievement"]["id"],
            "type": ["EndorsementSubject"],
            "endorsementComment": "A fine workshop."
        }
    }]);
    let identity = store.identity(None).unwrap();
    let signed = proof::sign(
        Canonicalizer::shared(),
        &vc,
        store.current(),
        &identity.verification_method,
        now(),
    )
    .unwrap();
    let report = check(&signed, &StaticDocuments::default()).await;
    assert!(report.is_valid(), "{report}");
}
