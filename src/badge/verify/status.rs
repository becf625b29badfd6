//! Revocation and suspension: the status lists a badge names, checked like badges.

use serde_json::Value;
use time::OffsetDateTime;

use super::signature::check_proof;
use super::{
    Found, Line, Outcome, Problem, VerifyContext, dates_in_force, failed, found, issuer_id,
    parse_date, str_at, types, unchecked,
};
use crate::badge::signed::SignedStatus;
use crate::badge::status::{decode_list, is_set};

/// How far in the future a status list's `validFrom` may be (clocks differ; lists are fresh).
const STATUS_LIST_CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// A status list's dates.
fn check_list_dates(list: &Value, now: OffsetDateTime) -> Result<String, String> {
    let from = parse_date(list, "validFrom")?.ok_or("status list has no validFrom")?;
    let until = parse_date(list, "validUntil")?;
    dates_in_force(from, until, now, "status list")
}

/// The type of the status entries this verifier understands.
const BITSTRING_ENTRY: &str = "https://www.w3.org/ns/credentials/status#BitstringStatusListEntry";

pub(super) async fn check_status(
    entries: &[SignedStatus],
    issuer: &str,
    ctx: &VerifyContext<'_>,
) -> Result<Found, Problem> {
    let bad = |detail: String| failed(Line::new("status-failed"), detail);
    let mut notes = Vec::new();
    for entry in entries {
        if !entry.types.iter().any(|t| t == BITSTRING_ENTRY) {
            return Err(bad(format!(
                "unsupported credentialStatus type {:?}",
                entry.types
            )));
        }
        let purpose = entry
            .purpose
            .as_deref()
            .ok_or_else(|| bad("credentialStatus has no statusPurpose".into()))?;
        let index: u64 = entry
            .index
            .as_deref()
            .and_then(|i| i.parse().ok())
            .ok_or_else(|| bad("credentialStatus has no valid statusListIndex".into()))?;
        let url = entry
            .list
            .as_deref()
            .ok_or_else(|| bad("credentialStatus has no statusListCredential".into()))?;
        let out_of_reach = |why: String| {
            unchecked(
                Line::new("status-unreachable").text("url", url),
                format!("revocation status could not be checked: {why}"),
            )
        };
        let source = ctx
            .status
            .ok_or_else(|| out_of_reach(format!("status list {url} is not available here")))?;
        let list_vc = source
            .status_list(url)
            .await
            .map_err(|e| out_of_reach(e.to_string()))?;
        if !types(&list_vc).contains(&"BitstringStatusListCredential") {
            return Err(bad(format!("{url} is not a BitstringStatusListCredential")));
        }
        if issuer_id(&list_vc).as_deref() != Some(issuer) {
            return Err(bad(format!("status list {url} was not issued by {issuer}")));
        }
        check_proof(&list_vc, issuer, ctx)
            .await
            .map_err(|p| Problem {
                detail: format!("status list {url}: {}", p.detail),
                line: match p.outcome {
                    Outcome::Unchecked => Line::new("status-unreachable").text("url", url),
                    _ => Line::new("status-failed"),
                },
                outcome: p.outcome,
            })?;
        // A status list is signed when it is served, possibly a moment after this check
        // began or by a server whose clock runs a little ahead: tolerate that much.
        check_list_dates(&list_vc, ctx.now + STATUS_LIST_CLOCK_SKEW).map_err(bad)?;
        if str_at(&list_vc, "/credentialSubject/statusPurpose") != Some(purpose) {
            return Err(bad(format!("status list {url} is not for {purpose}")));
        }
        let encoded = str_at(&list_vc, "/credentialSubject/encodedList")
            .ok_or_else(|| bad(format!("status list {url} has no encodedList")))?;
        let list = decode_list(encoded).map_err(|e| bad(e.to_string()))?;
        if is_set(&list, index).map_err(|e| bad(e.to_string()))? {
            return Err(match purpose {
                "revocation" => failed(
                    Line::new("status-revoked"),
                    "the badge has been revoked by its issuer",
                ),
                "suspension" => failed(
                    Line::new("status-suspended"),
                    "the badge is suspended by its issuer",
                ),
                other => bad(format!("status bit set for purpose {other}")),
            });
        }
        notes.push(format!("not {purpose}"));
    }
    Ok(found(
        Line::new("status-ok"),
        format!(
            "{} (status list checked)",
            notes.join(", ").replace("not revocation", "not revoked")
        ),
    ))
}
