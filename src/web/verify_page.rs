//! The public verifier's page (`/verify`), and the lines of a verification report that the
//! badge pages show too, in the reader's language.

use askama::Template;
use axum::http::HeaderMap;
use axum::response::Response;

use super::Shared;
use super::pages::{human_date, human_rfc3339, render, tr};
use crate::i18n::Tr;

/// One line of a verification report, in the reader's language.
pub struct CheckItem {
    /// `ok`, `bad` or `unknown` (could not be checked here): the line's class and mark.
    pub class: &'static str,
    pub mark: &'static str,
    pub label: String,
    /// What the check found, in words.
    pub text: String,
    /// The technical account (English, for whoever wants the details).
    pub detail: String,
}

pub fn check_items(t: &Tr<'_>, report: &crate::badge::verify::VerifyReport) -> Vec<CheckItem> {
    use crate::badge::verify::{LineArg, Outcome};
    report
        .checks
        .iter()
        .map(|c| {
            let args: Vec<(&str, String)> = c
                .line
                .args
                .iter()
                .map(|(name, value)| {
                    let value = match value {
                        LineArg::Text(text) => text.clone(),
                        LineArg::Date(when) => human_date(t, *when),
                    };
                    (*name, value)
                })
                .collect();
            let (class, mark) = match c.outcome {
                Outcome::Passed => ("ok", "✓"),
                Outcome::Failed => ("bad", "✗"),
                Outcome::Unchecked => ("unknown", "?"),
            };
            CheckItem {
                class,
                mark,
                label: t.get(&format!("verify-check-{}", c.name.replace('_', "-"))),
                text: t.args(&format!("verify-line-{}", c.line.key), &args),
                detail: c.detail.clone(),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "verify.html")]
struct VerifyPage<'a> {
    t: Tr<'a>,
    submitted: bool,
    /// `valid`, `invalid` or `incomplete` (could not be fully checked).
    verdict: &'static str,
    issuer: String,
    achievement: String,
    recipient: String,
    valid_from: String,
    valid_until: String,
    checks: Vec<CheckItem>,
}

/// The public verifier: an upload form, and the result of the last upload.
pub fn render_verify(
    state: &Shared,
    headers: &HeaderMap,
    report: Option<&crate::badge::verify::VerifyReport>,
) -> Response {
    let t = tr(state, headers, None);
    let summary = report.and_then(|r| r.summary.as_ref());
    let text = |f: fn(&crate::badge::verify::BadgeSummary) -> Option<String>| {
        summary.and_then(f).unwrap_or_default()
    };
    let checks = report.map(|r| check_items(&t, r)).unwrap_or_default();
    let verdict = report.map_or("", |r| r.verdict().code());
    let valid_from = human_rfc3339(&t, &text(|s| s.valid_from.clone()));
    let valid_until = human_rfc3339(&t, &text(|s| s.valid_until.clone()));
    render(&VerifyPage {
        submitted: report.is_some(),
        verdict,
        issuer: text(|s| s.issuer_name.clone().or_else(|| s.issuer_id.clone())),
        achievement: text(|s| s.achievement_name.clone()),
        recipient: text(|s| s.recipient_name.clone()),
        valid_from,
        valid_until,
        checks,
        t,
    })
}
