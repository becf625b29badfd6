//! Known-answer test: the 1EdTech OB 3.0 Linked Data Proof test vector (tests/data/ob3/SOURCE.md).

use atelier::badge::jsonld::Canonicalizer;
use atelier::badge::keys::decode_ed25519_multibase;
use atelier::badge::proof::{proof_hashes, proofs_of, verify_proof};
use serde_json::Value;

const VECTOR: &str = include_str!("data/ob3/1edtech-ob-testvector.json");
const KEY: &str = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn reproduces_published_hashes_and_verifies() {
    let doc: Value = serde_json::from_str(VECTOR).unwrap();
    let canon = Canonicalizer::shared();
    let proof = proofs_of(&doc)[0].clone();
    let mut unsecured = doc.clone();
    unsecured.as_object_mut().unwrap().remove("proof");
    let mut config = proof.clone();
    config.remove("proofValue");
    config.insert("@context".into(), doc["@context"].clone());
    let (config_hash, doc_hash) = proof_hashes(canon, &unsecured, &Value::Object(config)).unwrap();
    let (doc_hex, config_hex) = (hex(&doc_hash), hex(&config_hash));
    assert!(
        doc_hex.starts_with("87f65a76") && doc_hex.ends_with("0773"),
        "{doc_hex}"
    );
    assert!(
        config_hex.starts_with("d34009ce") && config_hex.ends_with("5d19"),
        "{config_hex}"
    );
    let key = decode_ed25519_multibase(KEY).unwrap();
    verify_proof(canon, &doc, &proof, &key).unwrap();
    let mut tampered = doc.clone();
    tampered["name"] = Value::String("Teamwork Badge!".into());
    assert!(verify_proof(canon, &tampered, &proof, &key).is_err());
}
