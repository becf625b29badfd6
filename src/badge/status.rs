//! W3C Bitstring Status List v1.0: the signed list that revokes badges.
//!
//! Bit `i` (counted from the most significant bit of the first byte) is 1 when the badge with
//! `statusListIndex` `i` is revoked. The list is GZIP-compressed and written as multibase
//! base64url (`u…`) in `encodedList`; the spec's minimum of 16 KiB (131 072 entries) is what keeps
//! a single revoked badge from standing out.

use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::badge::BadgeError;
use crate::badge::jsonld::{Canonicalizer, VC_V2_CONTEXT};
use crate::badge::keys::{IssuerIdentity, IssuerKey};
use crate::badge::proof::{self, format_utc};

/// Minimum list length in bits (16 KiB), per the specification.
pub const MIN_LIST_BITS: usize = 16 * 1024 * 8;
/// Largest decoded list accepted from outside (a GZIP bomb stops here).
const MAX_LIST_BYTES: u64 = 16 * 1024 * 1024;

/// `encodedList` for a list of `bits` entries (rounded up to the minimum) with `revoked` set.
pub fn encode_list(revoked: &[u64], bits: usize) -> Result<String, BadgeError> {
    let bits = bits.max(MIN_LIST_BITS).div_ceil(8) * 8;
    let mut list = vec![0u8; bits / 8];
    for &index in revoked {
        let i = usize::try_from(index)
            .ok()
            .filter(|i| *i < bits)
            .ok_or_else(|| BadgeError::Status(format!("index {index} outside the list")))?;
        list[i / 8] |= 0x80 >> (i % 8);
    }
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(&list)?;
    Ok(format!("u{}", URL_SAFE_NO_PAD.encode(gz.finish()?)))
}

/// Decodes an `encodedList` into the raw bitstring.
pub fn decode_list(encoded: &str) -> Result<Vec<u8>, BadgeError> {
    let b64 = encoded
        .strip_prefix('u')
        .ok_or_else(|| BadgeError::Status("encodedList is not multibase base64url".into()))?;
    // Tolerate padding, which some issuers emit.
    let gz = URL_SAFE_NO_PAD
        .decode(b64.trim_end_matches('='))
        .map_err(|_| BadgeError::Status("encodedList is not valid base64url".into()))?;
    let mut list = Vec::new();
    GzDecoder::new(gz.as_slice())
        .take(MAX_LIST_BYTES + 1)
        .read_to_end(&mut list)
        .map_err(|_| BadgeError::Status("encodedList is not valid GZIP".into()))?;
    if list.len() as u64 > MAX_LIST_BYTES {
        return Err(BadgeError::Status("encodedList is too large".into()));
    }
    Ok(list)
}

/// Whether bit `index` is set in `list`.
pub fn is_set(list: &[u8], index: u64) -> Result<bool, BadgeError> {
    let i = usize::try_from(index)
        .ok()
        .filter(|i| i / 8 < list.len())
        .ok_or_else(|| BadgeError::Status(format!("index {index} is outside the status list")))?;
    Ok(list[i / 8] & (0x80 >> (i % 8)) != 0)
}

/// List length for `revoked` among the first `issued` positions (every badge's bit must be in
/// the list, revoked or not, or a verifier refuses the badge): whole multiples of the 16 KiB
/// minimum, so that the length reveals nothing finer than "more than 131 072 badges".
fn list_bits(revoked: &[u64], issued: u64) -> usize {
    let highest = revoked.iter().max().map_or(0, |m| m.saturating_add(1));
    let needed = usize::try_from(highest.max(issued)).unwrap_or(usize::MAX);
    needed
        .div_ceil(MIN_LIST_BITS)
        .max(1)
        .saturating_mul(MIN_LIST_BITS)
}

/// Whether `index` is set in a status list credential (its signature is not checked here; see
/// [`crate::badge::verify`] for the full check).
pub fn status_of(list_credential: &Value, index: u64) -> Result<bool, BadgeError> {
    let encoded = list_credential
        .pointer("/credentialSubject/encodedList")
        .and_then(Value::as_str)
        .ok_or_else(|| BadgeError::Status("the status list has no encodedList".into()))?;
    is_set(&decode_list(encoded)?, index)
}

/// The unsigned `BitstringStatusListCredential` published at `list_url`.
pub fn build_status_list_credential(
    issuer_id: &str,
    list_url: &str,
    revoked: &[u64],
    valid_from: OffsetDateTime,
) -> Result<Value, BadgeError> {
    build_status_list_covering(issuer_id, list_url, revoked, 0, valid_from)
}

/// The status list credential, long enough for the first `issued` positions.
pub fn build_status_list_covering(
    issuer_id: &str,
    list_url: &str,
    revoked: &[u64],
    issued: u64,
    valid_from: OffsetDateTime,
) -> Result<Value, BadgeError> {
    Ok(json!({
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": format_utc(valid_from),
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encode_list(revoked, list_bits(revoked, issued))?,
        },
    }))
}

/// Builds and signs the status list credential, to be served at `list_url` whenever a badge is
/// revoked (it must be signed by the same issuer DID as the badges that point to it).
pub fn issue_status_list(
    canon: &Canonicalizer,
    key: &IssuerKey,
    identity: &IssuerIdentity,
    list_url: &str,
    revoked: &[u64],
    now: OffsetDateTime,
) -> Result<Value, BadgeError> {
    issue_status_list_covering(canon, key, identity, list_url, revoked, 0, now)
}

/// [`issue_status_list`] long enough for the first `issued` positions (the issuer passes how
/// many it has reserved).
pub fn issue_status_list_covering(
    canon: &Canonicalizer,
    key: &IssuerKey,
    identity: &IssuerIdentity,
    list_url: &str,
    revoked: &[u64],
    issued: u64,
    now: OffsetDateTime,
) -> Result<Value, BadgeError> {
    let vc = build_status_list_covering(&identity.did, list_url, revoked, issued, now)?;
    proof::sign(canon, &vc, key, &identity.verification_method, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_decode_bits() {
        let enc = encode_list(&[0, 7, 8, 94567], 0).unwrap();
        let list = decode_list(&enc).unwrap();
        assert_eq!(list.len(), MIN_LIST_BITS / 8);
        assert_eq!(list[0], 0x81);
        assert_eq!(list[1], 0x80);
        for (i, expect) in [
            (0, true),
            (1, false),
            (7, true),
            (8, true),
            (94567, true),
            (94566, false),
        ] {
            assert_eq!(is_set(&list, i).unwrap(), expect, "{i}");
        }
        assert!(is_set(&list, 1 << 40).is_err());
        assert!(encode_list(&[MIN_LIST_BITS as u64], 0).is_err());
        assert!(decode_list("zabc").is_err());
        assert!(decode_list("u!!").is_err());
        let vc = build_status_list_credential(
            "did:key:z",
            "https://x/s",
            &[200_000],
            OffsetDateTime::UNIX_EPOCH,
        )
        .unwrap();
        assert!(status_of(&vc, 200_000).unwrap());
        assert!(!status_of(&vc, 3).unwrap());
        assert_eq!(
            decode_list(vc["credentialSubject"]["encodedList"].as_str().unwrap())
                .unwrap()
                .len(),
            2 * MIN_LIST_BITS / 8
        );
    }

    #[test]
    fn the_list_covers_every_reserved_position_not_only_the_revoked_ones() {
        // 200,000 badges, none revoked: the last one must still find its (unset) bit.
        let vc = build_status_list_covering(
            "did:key:z",
            "https://x/s",
            &[],
            200_000,
            OffsetDateTime::UNIX_EPOCH,
        )
        .unwrap();
        let list = decode_list(vc["credentialSubject"]["encodedList"].as_str().unwrap()).unwrap();
        assert_eq!(list.len() * 8, 2 * MIN_LIST_BITS);
        assert!(!is_set(&list, 199_999).unwrap());
        assert!(is_set(&list, 2 * MIN_LIST_BITS as u64).is_err());
    }
}
