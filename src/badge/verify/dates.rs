//! Validity dates: the badge's, and its status lists'.

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Detail, Found, Line, Problem, failed, found};
use crate::badge::signed::SignedFacts;

/// The validity dates that were signed (not the JSON's surface).
pub(super) fn check_signed_dates(
    facts: &SignedFacts,
    now: OffsetDateTime,
) -> Result<Found, Problem> {
    let mut dates = Map::new();
    if let Some(from) = &facts.valid_from {
        dates.insert("validFrom".into(), Value::String(from.clone()));
    }
    if let Some(until) = &facts.valid_until {
        dates.insert("validUntil".into(), Value::String(until.clone()));
    }
    check_dates(&Value::Object(dates), now)
}

pub(super) fn parse_date(vc: &Value, field: &str) -> Result<Option<OffsetDateTime>, Detail> {
    match vc.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => OffsetDateTime::parse(s, &Rfc3339).map(Some).map_err(|_| {
            Detail::new(
                "date-invalid",
                format!("{field} {s:?} is not a valid date-time"),
            )
            .code("field", field)
            .code("value", s)
        }),
        Some(_) => Err(
            Detail::new("date-not-string", format!("{field} must be a string"))
                .code("field", field),
        ),
    }
}

/// A badge's validity dates, for a person.
pub(super) fn check_dates(vc: &Value, now: OffsetDateTime) -> Result<Found, Problem> {
    let bad = |detail: Detail| failed(Line::new("validity-failed"), detail);
    let from = parse_date(vc, "validFrom")
        .map_err(bad)?
        .ok_or_else(|| bad(Detail::new("badge-no-from", "badge has no validFrom")))?;
    let until = parse_date(vc, "validUntil").map_err(bad)?;
    let line = match until {
        _ if from > now => Line::new("validity-not-yet").date("from", from),
        Some(until) if until <= now => Line::new("validity-expired").date("until", until),
        Some(until) => Line::new("validity-between")
            .date("from", from)
            .date("until", until),
        None => Line::new("validity-since").date("from", from),
    };
    match dates_in_force(from, until, now, Dated::Badge) {
        Ok(detail) => Ok(found(line, detail)),
        Err(detail) => Err(failed(line, detail)),
    }
}

/// What has validity dates.
#[derive(Clone, Copy)]
pub(super) enum Dated {
    Badge,
    StatusList,
}

/// Whether `from`–`until` holds `now`, in words.
pub(super) fn dates_in_force(
    from: OffsetDateTime,
    until: Option<OffsetDateTime>,
    now: OffsetDateTime,
    what: Dated,
) -> Result<Detail, Detail> {
    let (english, not_yet, expired) = match what {
        Dated::Badge => ("badge", "badge-not-yet", "badge-expired"),
        Dated::StatusList => ("status list", "list-not-yet", "list-expired"),
    };
    if from > now {
        return Err(Detail::new(
            not_yet,
            format!("{english} is not valid before {}", fmt_date(from)),
        )
        .date("from", from));
    }
    match until {
        Some(until) if until <= now => Err(Detail::new(
            expired,
            format!("{english} expired on {}", fmt_date(until)),
        )
        .date("until", until)),
        Some(until) => Ok(Detail::new(
            "dates-between",
            format!("valid from {} until {}", fmt_date(from), fmt_date(until)),
        )
        .date("from", from)
        .date("until", until)),
        None => Ok(
            Detail::new("dates-since", format!("valid since {}", fmt_date(from)))
                .date("from", from),
        ),
    }
}

pub(super) fn fmt_date(t: OffsetDateTime) -> String {
    crate::badge::proof::format_utc(t)
}
