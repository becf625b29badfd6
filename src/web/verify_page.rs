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
    /// The technical account, in the reader's language: words, and values as the badge or a
    /// library gave them (ids, URLs, error messages), which the page shows as code.
    pub detail: Vec<DetailPart>,
}

/// A piece of a technical account.
#[derive(Clone)]
pub struct DetailPart {
    /// A technical value, shown as code (`<code>`), the same in every language.
    pub code: bool,
    pub text: String,
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
                detail: account_parts(t, &c.account),
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

/// Where the `i`th technical value of an account goes in its translated text: a character of
/// Unicode's private use area, which no message holds, so that values are never read as words
/// nor formatted by Fluent.
fn slot(i: usize) -> char {
    u32::try_from(i)
        .ok()
        .and_then(|i| char::from_u32(0xE000 + i))
        .unwrap_or('\u{E000}')
}

/// A technical account, written in the reader's language: the message `verify-detail-KEY`,
/// dates as people read them, technical values as code.
pub fn account_parts(t: &Tr<'_>, account: &crate::badge::verify::Account) -> Vec<DetailPart> {
    use crate::badge::verify::AccountArg;
    let mut values: Vec<Vec<DetailPart>> = Vec::new();
    let args: Vec<(&str, String)> = account
        .args
        .iter()
        .map(|(name, value)| {
            let value = match value {
                AccountArg::Date(when) => return (*name, human_date(t, *when)),
                AccountArg::Code(text) => vec![DetailPart {
                    code: true,
                    text: text.clone(),
                }],
                AccountArg::Account(inner) => account_parts(t, inner),
            };
            values.push(value);
            (*name, slot(values.len() - 1).to_string())
        })
        .collect();
    let text = t.args(&format!("verify-detail-{}", account.key), &args);
    // The message's words, its `technical names` (as code), and the values in their slots.
    let mut parts = Vec::new();
    let mut piece = String::new();
    let mut in_name = false;
    fn flush(piece: &mut String, code: bool, parts: &mut Vec<DetailPart>) {
        if !piece.is_empty() {
            parts.push(DetailPart {
                code,
                text: std::mem::take(piece),
            });
        }
    }
    for c in text.chars() {
        let value = (c as usize).checked_sub(0xE000).and_then(|i| values.get(i));
        if let Some(value) = value {
            flush(&mut piece, in_name, &mut parts);
            parts.extend(value.iter().cloned());
        } else if c == '`' {
            flush(&mut piece, in_name, &mut parts);
            in_name = !in_name;
        } else {
            piece.push(c);
        }
    }
    flush(&mut piece, in_name, &mut parts);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::badge::verify::{Account, AccountArg};
    use crate::deck::Lang;
    use crate::i18n::I18n;

    fn parts(lang: Lang, account: &Account) -> Vec<(bool, String)> {
        let i18n = I18n::load().unwrap();
        let t = Tr { i18n: &i18n, lang };
        account_parts(&t, account)
            .into_iter()
            .map(|p| (p.code, p.text))
            .collect()
    }

    fn words(text: &str) -> (bool, String) {
        (false, text.to_string())
    }

    fn code(text: &str) -> (bool, String) {
        (true, text.to_string())
    }

    #[test]
    fn verify_details_are_words_names_and_values_in_the_readers_language() {
        let mismatch = Account {
            key: "proof-mismatch",
            args: Vec::new(),
        };
        let list = Account {
            key: "list-proof",
            args: vec![
                ("url", AccountArg::Code("https://h/status/1?a=<b>".into())),
                ("why", AccountArg::Account(Box::new(mismatch))),
            ],
        };
        assert_eq!(
            parts(Lang::Fr, &list),
            [
                words("Liste de statut "),
                code("https://h/status/1?a=<b>"),
                words(" : "),
                words(
                    "La signature ne correspond pas au document : il a été modifié après avoir été signé."
                ),
            ]
        );
        let no_from = Account {
            key: "badge-no-from",
            args: Vec::new(),
        };
        assert_eq!(
            parts(Lang::Nl, &no_from),
            [words("De badge heeft geen "), code("validFrom"), words(".")]
        );
        let expired = Account {
            key: "badge-expired",
            args: vec![(
                "until",
                AccountArg::Date(time::macros::datetime!(2026-05-31 00:00 UTC)),
            )],
        };
        assert_eq!(
            parts(Lang::Fr, &expired),
            [words("Le badge a expiré le 31 mai 2026, 00:00 UTC.")]
        );
    }
}
