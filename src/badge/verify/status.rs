//! Revocation and suspension: the status lists a badge names, checked like badges.

use serde_json::Value;
use time::OffsetDateTime;

use super::dates::{Dated, dates_in_force, parse_date};
use super::signature::check_proof;
use super::{
    Detail, Found, Line, Outcome, Problem, VerifyContext, failed, found, issuer_id, str_at, types,
    unchecked,
};
use crate::badge::signed::SignedStatus;
use crate::badge::status::{decode_list, is_set};

/// How far in the future a status list's `validFrom` may be (clocks differ; lists are fresh).
const STATUS_LIST_CLOCK_SKEW: time::Duration = time::Duration::minutes(5);

/// A status list's dates.
fn check_list_dates(list: &Value, now: OffsetDateTime) -> Result<Detail, Detail> {
    let from = parse_date(list, "validFrom")?
        .ok_or_else(|| Detail::new("list-no-from", "status list has no validFrom"))?;
    let until = parse_date(list, "validUntil")?;
    dates_in_force(from, until, now, Dated::StatusList)
}

/// The type of the status entries this verifier understands.
const BITSTRING_ENTRY: &str = "https://www.w3.org/ns/credentials/status#BitstringStatusListEntry";

pub(super) async fn check_status(
    entries: &[SignedStatus],
    issuer: &str,
    ctx: &VerifyContext<'_>,
) -> Result<Found, Problem> {
    let bad = |detail: Detail| failed(Line::new("status-failed"), detail);
    let mut purposes = Vec::new();
    for entry in entries {
        if !entry.types.iter().any(|t| t == BITSTRING_ENTRY) {
            let types = format!("{:?}", entry.types);
            return Err(bad(Detail::new(
                "status-type",
                format!("unsupported credentialStatus type {types}"),
            )
            .code("types", types)));
        }
        let purpose = entry.purpose.as_deref().ok_or_else(|| {
            bad(Detail::new(
                "status-no-purpose",
                "credentialStatus has no statusPurpose",
            ))
        })?;
        let index: u64 = entry
            .index
            .as_deref()
            .and_then(|i| i.parse().ok())
            .ok_or_else(|| {
                bad(Detail::new(
                    "status-no-index",
                    "credentialStatus has no valid statusListIndex",
                ))
            })?;
        let url = entry.list.as_deref().ok_or_else(|| {
            bad(Detail::new(
                "status-no-list",
                "credentialStatus has no statusListCredential",
            ))
        })?;
        let out_of_reach =
            |detail: Detail| unchecked(Line::new("status-unreachable").text("url", url), detail);
        let source = ctx.status.ok_or_else(|| {
            out_of_reach(
                Detail::new(
                    "list-not-here",
                    format!(
                        "revocation status could not be checked: status list {url} is not available here"
                    ),
                )
                .code("url", url),
            )
        })?;
        let list_vc = source.status_list(url).await.map_err(|e| {
            out_of_reach(
                Detail::new(
                    "list-unreachable",
                    format!("revocation status could not be checked: {e}"),
                )
                .code("url", url)
                .code("error", e.to_string()),
            )
        })?;
        let list_detail =
            |key: &'static str, english: String| Detail::new(key, english).code("url", url);
        if !types(&list_vc).contains(&"BitstringStatusListCredential") {
            return Err(bad(list_detail(
                "list-type",
                format!("{url} is not a BitstringStatusListCredential"),
            )));
        }
        if issuer_id(&list_vc).as_deref() != Some(issuer) {
            return Err(bad(list_detail(
                "list-issuer",
                format!("status list {url} was not issued by {issuer}"),
            )
            .code("issuer", issuer)));
        }
        check_proof(&list_vc, issuer, ctx)
            .await
            .map_err(|p| Problem {
                detail: list_detail(
                    "list-proof",
                    format!("status list {url}: {}", p.detail.english),
                )
                .within("why", p.detail.account),
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
            return Err(bad(list_detail(
                "list-purpose",
                format!("status list {url} is not for {purpose}"),
            )
            .code("purpose", purpose)));
        }
        let encoded = str_at(&list_vc, "/credentialSubject/encodedList").ok_or_else(|| {
            bad(list_detail(
                "list-no-encoded",
                format!("status list {url} has no encodedList"),
            ))
        })?;
        let unreadable = |e: crate::badge::BadgeError| {
            bad(list_detail("list-unreadable", e.to_string()).code("error", e.to_string()))
        };
        let list = decode_list(encoded).map_err(unreadable)?;
        if is_set(&list, index).map_err(unreadable)? {
            return Err(match purpose {
                "revocation" => failed(
                    Line::new("status-revoked"),
                    Detail::new("status-revoked", "the badge has been revoked by its issuer"),
                ),
                "suspension" => failed(
                    Line::new("status-suspended"),
                    Detail::new("status-suspended", "the badge is suspended by its issuer"),
                ),
                other => bad(Detail::new(
                    "status-set",
                    format!("status bit set for purpose {other}"),
                )
                .code("purpose", other)),
            });
        }
        purposes.push(purpose);
    }
    let notes: Vec<String> = purposes.iter().map(|p| format!("not {p}")).collect();
    Ok(found(
        Line::new("status-ok"),
        Detail::new(
            "status-ok",
            format!(
                "{} (status list checked)",
                notes.join(", ").replace("not revocation", "not revoked")
            ),
        )
        .code("purposes", purposes.join(", ")),
    ))
}
