//! A badge's signature: its proofs, and the keys they name, resolved and bound to the issuer.

use ed25519_dalek::VerifyingKey;
use serde_json::{Map, Value};

use super::{Detail, Line, Problem, VerifyContext, failed, off_workers, unchecked};
use crate::badge::BadgeError;
use crate::badge::jsonld::{Canonicalizer, Dataset};
use crate::badge::keys::decode_ed25519_multibase;
use crate::badge::proof::{CRYPTOSUITE, PROOF_TYPE, proofs_of, verify_proof};

/// Resolves a verification method to its key and controller, refusing keys that the controller
/// does not list under `assertionMethod`. A controller document that cannot be obtained here
/// is "not checked", not "invalid": the badge may well be valid where it can be fetched.
async fn resolve_key(vm: &str, ctx: &VerifyContext<'_>) -> Result<(VerifyingKey, String), Problem> {
    let bad = |detail: Detail| failed(Line::new("proof-failed"), detail);
    let (base, _) = vm.split_once('#').ok_or_else(|| bad(no_fragment(vm)))?;
    let out_of_reach =
        |detail: Detail| unchecked(Line::new("proof-unreachable").text("where", base), detail);
    let resolver = match base.strip_prefix("did:key:") {
        Some(_) => None,
        None => Some(ctx.resolver.ok_or_else(|| {
            out_of_reach(
                Detail::new(
                    "keys-not-here",
                    format!(
                        "the issuer's keys ({base}) cannot be fetched from here: the signature could not be checked"
                    ),
                )
                .code("where", base),
            )
        })?),
    };
    let doc = match resolver {
        Some(resolver) => Some(resolver.resolve(base).await.map_err(|e| {
            out_of_reach(
                Detail::new(
                    "keys-unreachable",
                    format!(
                        "the issuer's keys ({base}) could not be fetched ({e}): the signature could not be checked"
                    ),
                )
                .code("where", base)
                .code("error", e.to_string()),
            )
        })?),
        None => None,
    };
    resolve_in(vm, doc).map_err(bad)
}

/// The key of `vm` in `doc` (None for did:key, which holds its key).
fn resolve_in(vm: &str, doc: Option<Value>) -> Result<(VerifyingKey, String), Detail> {
    let (base, fragment) = vm.split_once('#').ok_or_else(|| no_fragment(vm))?;
    if let Some(multibase) = base.strip_prefix("did:key:") {
        if fragment != multibase {
            return Err(Detail::new(
                "key-malformed-did-key",
                format!("malformed did:key verification method {vm}"),
            )
            .code("method", vm));
        }
        let key = decode_ed25519_multibase(multibase).map_err(undecodable)?;
        return Ok((key, base.to_owned()));
    }
    let doc = doc.ok_or_else(|| {
        Detail::new("key-no-document", format!("no document for {base}")).code("where", base)
    })?;
    if doc.get("id").and_then(Value::as_str) != Some(base) {
        return Err(Detail::new(
            "key-document-id",
            format!("the document resolved for {base} has another id"),
        )
        .code("where", base));
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
        Detail::new(
            "key-not-assertion",
            format!("{vm} is not an assertion method of {base} (unknown or revoked key)"),
        )
        .code("method", vm)
        .code("where", base)
    })?;
    let controller = method
        .get("controller")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Detail::new("key-no-controller", format!("{vm} has no controller")).code("method", vm)
        })?;
    if controller != base {
        return Err(Detail::new(
            "key-other-controller",
            format!("{vm} is controlled by {controller}, not {base}"),
        )
        .code("method", vm)
        .code("controller", controller)
        .code("where", base));
    }
    let multibase = method
        .get("publicKeyMultibase")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            Detail::new(
                "key-no-multibase",
                format!("{vm} has no publicKeyMultibase"),
            )
            .code("method", vm)
        })?;
    let key = decode_ed25519_multibase(multibase).map_err(undecodable)?;
    Ok((key, controller.to_owned()))
}

fn no_fragment(vm: &str) -> Detail {
    Detail::new(
        "key-no-fragment",
        format!("verification method {vm} has no fragment"),
    )
    .code("method", vm)
}

fn undecodable(e: BadgeError) -> Detail {
    Detail::raw("key-undecodable", e.to_string(), e)
}

/// Checks every `eddsa-rdfc-2022` proof of `doc` and that its key belongs to `issuer`; returns
/// the technical account and the RDF they sign.
pub(super) async fn check_proof(
    doc: &Value,
    issuer: &str,
    ctx: &VerifyContext<'_>,
) -> Result<(Detail, Dataset), Problem> {
    let bad = |detail: Detail| failed(Line::new("proof-failed"), detail);
    let none = || {
        Detail::new(
            "proof-none",
            format!("no {PROOF_TYPE} proof with {CRYPTOSUITE}"),
        )
        .code("type", PROOF_TYPE)
        .code("cryptosuite", CRYPTOSUITE)
    };
    let proofs: Vec<_> = proofs_of(doc)
        .into_iter()
        .filter(|p| {
            p.get("type").and_then(Value::as_str) == Some(PROOF_TYPE)
                && p.get("cryptosuite").and_then(Value::as_str) == Some(CRYPTOSUITE)
        })
        .collect();
    if proofs.is_empty() {
        return Err(bad(none()));
    }
    let mut methods = Vec::new();
    let mut signed = None;
    for proof in proofs {
        if proof.get("proofPurpose").and_then(Value::as_str) != Some("assertionMethod") {
            return Err(bad(Detail::new(
                "proof-purpose",
                "proofPurpose must be assertionMethod",
            )));
        }
        let vm = proof
            .get("verificationMethod")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                bad(Detail::new(
                    "proof-no-method",
                    "proof has no verificationMethod",
                ))
            })?;
        let (key, controller) = resolve_key(vm, ctx).await?;
        if controller != issuer {
            return Err(failed(
                Line::new("proof-wrong-issuer"),
                Detail::new(
                    "proof-wrong-issuer",
                    format!("signed with a key of {controller}, but the issuer is {issuer}"),
                )
                .code("controller", controller)
                .code("issuer", issuer),
            ));
        }
        signed = Some(
            check_signature(ctx.canonicalizer, doc, proof, key)
                .await
                .map_err(bad)?,
        );
        methods.push(vm.to_owned());
    }
    // Unreachable (there was at least one proof), and said as before if it were not.
    let signed = signed.ok_or_else(|| {
        let mut detail = none();
        detail.english = "no proof".into();
        bad(detail)
    })?;
    let methods = methods.join(", ");
    Ok((
        Detail::new("proof-ok", format!("signature valid, key {methods}")).code("keys", methods),
        signed,
    ))
}

async fn check_signature(
    canonicalizer: &Canonicalizer,
    doc: &Value,
    proof: &Map<String, Value>,
    key: VerifyingKey,
) -> Result<Dataset, Detail> {
    let (canonicalizer, doc, proof) = (canonicalizer.clone(), doc.clone(), proof.clone());
    off_workers(move || verify_proof(&canonicalizer, &doc, &proof, &key))
        .await
        .map_err(|e| Detail::raw("internal", e.clone(), e))?
        .map_err(|e| match e {
            BadgeError::SignatureMismatch => Detail::new("proof-mismatch", e.to_string()),
            other => Detail::raw("proof-error", other.to_string(), other),
        })
}
