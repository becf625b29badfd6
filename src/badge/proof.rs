//! Data Integrity proofs with the `eddsa-rdfc-2022` cryptosuite.
//!
//! Signing input = SHA-256(canonical proof configuration) ‖ SHA-256(canonical document), both
//! canonicalised with RDFC-1.0 (see [`crate::badge::jsonld`]); the Ed25519 signature is written
//! as `proofValue` = "z" + base58btc. The proof is emitted inside an array, as the OB 3.0 schema
//! requires.

use ed25519_dalek::{Signature, VerifyingKey};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::badge::BadgeError;
use crate::badge::jsonld::{Canonicalizer, Dataset, canonical_form};
use crate::badge::keys::IssuerKey;

pub const PROOF_TYPE: &str = "DataIntegrityProof";
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// Formats a timestamp as an XML Schema `dateTime` in UTC with `Z` and whole seconds, the form
/// that every verifier and the OB schema accept.
pub fn format_utc(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// SHA-256 of the canonical proof configuration and of the canonical document (without
/// `proof`), in that order: the two hashes that the 1EdTech vector publishes.
pub fn proof_hashes(
    canon: &Canonicalizer,
    unsecured: &Value,
    proof_config: &Value,
) -> Result<([u8; 32], [u8; 32]), BadgeError> {
    let config_nq = canon.canonical_nquads(proof_config)?;
    let doc_nq = canon.canonical_nquads(unsecured)?;
    Ok(hash_pair(&config_nq, &doc_nq))
}

fn hash_pair(config_nq: &str, doc_nq: &str) -> ([u8; 32], [u8; 32]) {
    (
        Sha256::digest(config_nq.as_bytes()).into(),
        Sha256::digest(doc_nq.as_bytes()).into(),
    )
}

/// What Ed25519 signs when issuing. The canonicaliser may reuse the RDF of credentials of the
/// same shape ([`Canonicalizer::canonical_nquads_for_signing`]); verification never does.
fn signing_input(
    canon: &Canonicalizer,
    unsecured: &Value,
    proof_config: &Value,
) -> Result<[u8; 64], BadgeError> {
    let (config_hash, doc_hash) = hash_pair(
        &canon.canonical_nquads_for_signing(proof_config)?,
        &canon.canonical_nquads_for_signing(unsecured)?,
    );
    let mut input = [0u8; 64];
    input[..32].copy_from_slice(&config_hash);
    input[32..].copy_from_slice(&doc_hash);
    Ok(input)
}

/// Splits a secured document into (document without `proof`, its `@context`).
fn unsecured_parts(doc: &Value) -> Result<(Value, Value), BadgeError> {
    let mut unsecured = doc
        .as_object()
        .cloned()
        .ok_or_else(|| BadgeError::InvalidInput("a credential must be a JSON object".into()))?;
    unsecured.remove("proof");
    let context = unsecured
        .get("@context")
        .cloned()
        .ok_or_else(|| BadgeError::InvalidInput("the credential has no @context".into()))?;
    Ok((Value::Object(unsecured), context))
}

/// Signs `doc` (any previous `proof` is replaced) and returns it with `proof: [DataIntegrityProof]`.
pub fn sign(
    canon: &Canonicalizer,
    doc: &Value,
    key: &IssuerKey,
    verification_method: &str,
    created: OffsetDateTime,
) -> Result<Value, BadgeError> {
    let (unsecured, context) = unsecured_parts(doc)?;
    let mut proof = json!({
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_utc(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    });
    let mut config = proof.clone();
    config["@context"] = context;
    let signature = key.sign(&signing_input(canon, &unsecured, &config)?);
    proof["proofValue"] = Value::String(format!(
        "z{}",
        bs58::encode(signature.to_bytes()).into_string()
    ));
    let mut secured = unsecured;
    secured["proof"] = Value::Array(vec![proof]);
    Ok(secured)
}

/// The proofs of a document, whether written as one object or an array.
pub fn proofs_of(doc: &Value) -> Vec<&Map<String, Value>> {
    match doc.get("proof") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(p)) => vec![p],
        _ => Vec::new(),
    }
}

/// Checks one `eddsa-rdfc-2022` proof of `doc` against `public_key`; returns the RDF dataset
/// that the signature covers, so that a verifier reads what was signed rather than the JSON's
/// surface (two JSON texts with the same RDF have the same signature).
pub fn verify_proof(
    canon: &Canonicalizer,
    doc: &Value,
    proof: &Map<String, Value>,
    public_key: &VerifyingKey,
) -> Result<Dataset, BadgeError> {
    if proof.get("type").and_then(Value::as_str) != Some(PROOF_TYPE)
        || proof.get("cryptosuite").and_then(Value::as_str) != Some(CRYPTOSUITE)
    {
        return Err(BadgeError::Proof(format!(
            "unsupported proof (need {PROOF_TYPE} with {CRYPTOSUITE})"
        )));
    }
    let value = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or_else(|| BadgeError::Proof("proof has no proofValue".into()))?;
    let signature = decode_proof_value(value)?;
    let (unsecured, context) = unsecured_parts(doc)?;
    let mut config = proof.clone();
    config.remove("proofValue");
    if !config.contains_key("@context") {
        config.insert("@context".into(), context);
    }
    let config_nq = canonical_form(&canon.dataset_untrusted(&Value::Object(config))?)?;
    // Whoever sent the document, it is bounded before the costly canonicalisation.
    let dataset = canon.dataset_untrusted(&unsecured)?;
    let doc_nq = canonical_form(&dataset)?;
    let (config_hash, doc_hash) = hash_pair(&config_nq, &doc_nq);
    let mut input = [0u8; 64];
    input[..32].copy_from_slice(&config_hash);
    input[32..].copy_from_slice(&doc_hash);
    public_key
        .verify_strict(&input, &signature)
        .map_err(|_| BadgeError::SignatureMismatch)?;
    Ok(dataset)
}

/// Decodes a `proofValue` ("z" + base58btc of a 64-byte Ed25519 signature).
pub fn decode_proof_value(value: &str) -> Result<Signature, BadgeError> {
    let b58 = value
        .strip_prefix('z')
        .ok_or_else(|| BadgeError::Proof("proofValue is not base58btc multibase".into()))?;
    let bytes = bs58::decode(b58)
        .into_vec()
        .map_err(|_| BadgeError::Proof("proofValue is not valid base58btc".into()))?;
    let bytes: [u8; 64] = bytes
        .try_into()
        .map_err(|_| BadgeError::Proof("proofValue has the wrong length".into()))?;
    Ok(Signature::from_bytes(&bytes))
}
