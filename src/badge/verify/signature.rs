//! A badge's signature: its proofs, and the keys they name, resolved and bound to the issuer.

use ed25519_dalek::VerifyingKey;
use serde_json::{Map, Value};

use super::{Line, Problem, VerifyContext, failed, off_workers, unchecked};
use crate::badge::jsonld::{Canonicalizer, Dataset};
use crate::badge::keys::decode_ed25519_multibase;
use crate::badge::proof::{CRYPTOSUITE, PROOF_TYPE, proofs_of, verify_proof};

/// Resolves a verification method to its key and controller, refusing keys that the controller
/// does not list under `assertionMethod`. A controller document that cannot be obtained here
/// is "not checked", not "invalid": the badge may well be valid where it can be fetched.
async fn resolve_key(vm: &str, ctx: &VerifyContext<'_>) -> Result<(VerifyingKey, String), Problem> {
    let bad = |detail: String| failed(Line::new("proof-failed"), detail);
    let (base, _) = vm
        .split_once('#')
        .ok_or_else(|| bad(format!("verification method {vm} has no fragment")))?;
    let out_of_reach =
        |detail: String| unchecked(Line::new("proof-unreachable").text("where", base), detail);
    let resolver = match base.strip_prefix("did:key:") {
        Some(_) => None,
        None => Some(ctx.resolver.ok_or_else(|| {
            out_of_reach(format!(
                "the issuer's keys ({base}) cannot be fetched from here: the signature could not be checked"
            ))
        })?),
    };
    let doc = match resolver {
        Some(resolver) => Some(resolver.resolve(base).await.map_err(|e| {
            out_of_reach(format!(
                "the issuer's keys ({base}) could not be fetched ({e}): the signature could not be checked"
            ))
        })?),
        None => None,
    };
    resolve_in(vm, doc).map_err(bad)
}

/// The key of `vm` in `doc` (None for did:key, which holds its key).
fn resolve_in(vm: &str, doc: Option<Value>) -> Result<(VerifyingKey, String), String> {
    let (base, fragment) = vm
        .split_once('#')
        .ok_or_else(|| format!("verification method {vm} has no fragment"))?;
    if let Some(multibase) = base.strip_prefix("did:key:") {
        if fragment != multibase {
            return Err(format!("malformed did:key verification method {vm}"));
        }
        let key = decode_ed25519_multibase(multibase).map_err(|e| e.to_string())?;
        return Ok((key, base.to_owned()));
    }
    let doc = doc.ok_or_else(|| format!("no document for {base}"))?;
    if doc.get("id").and_then(Value::as_str) != Some(base) {
        return Err(format!("the document resolved for {base} has another id"));
    }
    let absolute = |id: &str| {
        if id.starts_with('#') {
            format!("{base}{id}")
        } else {
            id.to_owned()
        }
    };
    let as_list = |key: &str| match doc.get(key) {
        Some(Value::Array(a)) => a.clone(),
        Some(v) => vec![v.clone()],
        None => Vec::new(),
    };
    let verification_methods = as_list("verificationMethod");
    let mut method: Option<Map<String, Value>> = None;
    for entry in as_list("assertionMethod") {
        match &entry {
            Value::String(id) if absolute(id) == vm => {
                method = verification_methods
                    .iter()
                    .filter_map(Value::as_object)
                    .find(|m| {
                        m.get("id").and_then(Value::as_str).map(absolute).as_deref() == Some(vm)
                    })
                    .cloned();
            }
            Value::Object(m)
                if m.get("id").and_then(Value::as_str).map(absolute).as_deref() == Some(vm) =>
            {
                method = Some(m.clone());
            }
            _ => {}
        }
        if method.is_some() {
            break;
        }
    }
    let method = method.ok_or_else(|| {
        format!("{vm} is not an assertion method of {base} (unknown or revoked key)")
    })?;
    let controller = method
        .get("controller")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{vm} has no controller"))?;
    if controller != base {
        return Err(format!("{vm} is controlled by {controller}, not {base}"));
    }
    let multibase = method
        .get("publicKeyMultibase")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{vm} has no publicKeyMultibase"))?;
    let key = decode_ed25519_multibase(multibase).map_err(|e| e.to_string())?;
    Ok((key, controller.to_owned()))
}

/// Checks every `eddsa-rdfc-2022` proof of `doc` and that its key belongs to `issuer`; returns
/// the technical account and the RDF they sign.
pub(super) async fn check_proof(
    doc: &Value,
    issuer: &str,
    ctx: &VerifyContext<'_>,
) -> Result<(String, Dataset), Problem> {
    let bad = |detail: String| failed(Line::new("proof-failed"), detail);
    let proofs: Vec<_> = proofs_of(doc)
        .into_iter()
        .filter(|p| {
            p.get("type").and_then(Value::as_str) == Some(PROOF_TYPE)
                && p.get("cryptosuite").and_then(Value::as_str) == Some(CRYPTOSUITE)
        })
        .collect();
    if proofs.is_empty() {
        return Err(bad(format!("no {PROOF_TYPE} proof with {CRYPTOSUITE}")));
    }
    let mut methods = Vec::new();
    let mut signed = None;
    for proof in proofs {
        if proof.get("proofPurpose").and_then(Value::as_str) != Some("assertionMethod") {
            return Err(bad("proofPurpose must be assertionMethod".into()));
        }
        let vm = proof
            .get("verificationMethod")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("proof has no verificationMethod".into()))?;
        let (key, controller) = resolve_key(vm, ctx).await?;
        if controller != issuer {
            return Err(failed(
                Line::new("proof-wrong-issuer"),
                format!("signed with a key of {controller}, but the issuer is {issuer}"),
            ));
        }
        signed = Some(
            check_signature(ctx.canonicalizer, doc, proof, key)
                .await
                .map_err(bad)?,
        );
        methods.push(vm.to_owned());
    }
    let signed = signed.ok_or_else(|| bad("no proof".into()))?;
    Ok((
        format!("signature valid, key {}", methods.join(", ")),
        signed,
    ))
}

async fn check_signature(
    canonicalizer: &Canonicalizer,
    doc: &Value,
    proof: &Map<String, Value>,
    key: VerifyingKey,
) -> Result<Dataset, String> {
    let (canonicalizer, doc, proof) = (canonicalizer.clone(), doc.clone(), proof.clone());
    off_workers(move || verify_proof(&canonicalizer, &doc, &proof, &key))
        .await?
        .map_err(|e| e.to_string())
}
