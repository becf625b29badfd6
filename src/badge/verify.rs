//! Verifying a badge (PNG, SVG or JSON): extraction, proof, issuer/key binding, validity dates
//! and revocation, with a report a person can read.
//!
//! Nothing is fetched from the network here. `did:key` is resolved locally; `did:web` (or any
//! other controller document) and status lists come through the [`DocumentResolver`] and
//! [`StatusListSource`] traits, which the server backs with its own key store and database (or
//! HTTP). When a status list cannot be obtained the badge is *not* declared valid: the report says
//! that its revocation status could not be checked.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use serde_json::Value;
use time::OffsetDateTime;

use crate::badge::BadgeError;
use crate::badge::bake::{extract_png, extract_svg, is_png};
use crate::badge::jsonld::{Canonicalizer, UNTRUSTED_JSON_VALUES, VC_V2_CONTEXT, is_known_context};
use crate::badge::shape::{self, SchemaError};
use crate::badge::signed::{self, SignedError, SignedFacts};

mod account;
mod dates;
mod signature;
mod status;

use account::Detail;
pub use account::{Account, AccountArg};

use dates::{check_dates, check_signed_dates, fmt_date};
use signature::check_proof;
use status::check_status;

/// Largest file accepted for verification.
pub const MAX_BADGE_BYTES: usize = 16 * 1024 * 1024;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Supplies controller documents (DID documents) for non-`did:key` issuers, e.g. `did:web`.
/// Given the DID (or URL) without fragment, returns the document.
pub trait DocumentResolver: Send + Sync {
    fn resolve<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Value, BadgeError>>;
}

/// Supplies the `BitstringStatusListCredential` published at a URL.
pub trait StatusListSource: Send + Sync {
    fn status_list<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<Value, BadgeError>>;
}

/// An in-memory map of URL/DID → JSON document, usable as both sources (tests, or the server's
/// own DID document and status list).
#[derive(Clone, Debug, Default)]
pub struct StaticDocuments(pub HashMap<String, Value>);

impl StaticDocuments {
    pub fn with(mut self, id: impl Into<String>, doc: Value) -> Self {
        self.0.insert(id.into(), doc);
        self
    }

    fn get(&self, id: &str) -> Result<Value, BadgeError> {
        self.0
            .get(id)
            .cloned()
            .ok_or_else(|| BadgeError::Did(format!("no document for {id}")))
    }
}

impl DocumentResolver for StaticDocuments {
    fn resolve<'a>(&'a self, id: &'a str) -> BoxFuture<'a, Result<Value, BadgeError>> {
        Box::pin(async move { self.get(id) })
    }
}

impl StatusListSource for StaticDocuments {
    fn status_list<'a>(&'a self, url: &'a str) -> BoxFuture<'a, Result<Value, BadgeError>> {
        Box::pin(async move {
            self.get(url)
                .map_err(|_| BadgeError::Status(format!("status list {url} is not available")))
        })
    }
}

/// What a verification may consult.
pub struct VerifyContext<'a> {
    pub canonicalizer: &'a Canonicalizer,
    pub resolver: Option<&'a dyn DocumentResolver>,
    pub status: Option<&'a dyn StatusListSource>,
    /// The instant validity dates are checked against.
    pub now: OffsetDateTime,
}

impl VerifyContext<'static> {
    /// Offline context: did:key only, no status source, checked at the current time.
    pub fn offline() -> Self {
        Self {
            canonicalizer: Canonicalizer::shared(),
            resolver: None,
            status: None,
            now: OffsetDateTime::now_utc(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadgeFormat {
    Png,
    Svg,
    Json,
}

/// What the badge says, for display.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BadgeSummary {
    pub credential_id: Option<String>,
    pub issuer_id: Option<String>,
    pub issuer_name: Option<String>,
    pub achievement_name: Option<String>,
    pub recipient_name: Option<String>,
    pub has_hashed_email: bool,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
}

/// How one check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    /// What it needs could not be reached from here (the issuer's keys, its status list).
    Unchecked,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Unchecked => "unchecked",
        }
    }
}

/// An argument of a [`Line`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineArg {
    Text(String),
    /// An instant, for pages to write as people read dates, in their language.
    Date(OffsetDateTime),
}

/// What a check says, for a person: the message `verify-line-KEY` of the Fluent files and its
/// arguments. The technical account is `Check::detail` (English) and `Check::account`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub key: &'static str,
    pub args: Vec<(&'static str, LineArg)>,
}

impl Line {
    fn new(key: &'static str) -> Self {
        Self {
            key,
            args: Vec::new(),
        }
    }
    fn text(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.args.push((name, LineArg::Text(value.into())));
        self
    }
    fn date(mut self, name: &'static str, value: OffsetDateTime) -> Self {
        self.args.push((name, LineArg::Date(value)));
        self
    }
}

/// One verification step and its outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub name: &'static str,
    pub outcome: Outcome,
    pub line: Line,
    /// The technical account, in English (the API, the command line).
    pub detail: String,
    /// The same account for pages, in the reader's language.
    pub account: Account,
}

impl Check {
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Passed
    }
}

/// A check that went through: what a person reads, and the technical account.
pub struct Found {
    line: Line,
    detail: Detail,
}

/// A check that did not: failed (the badge is not valid) or could not be made here.
pub struct Problem {
    outcome: Outcome,
    line: Line,
    detail: Detail,
}

fn found(line: Line, detail: Detail) -> Found {
    Found { line, detail }
}

fn failed(line: Line, detail: Detail) -> Problem {
    Problem {
        outcome: Outcome::Failed,
        line,
        detail,
    }
}

fn unchecked(line: Line, detail: Detail) -> Problem {
    Problem {
        outcome: Outcome::Unchecked,
        line,
        detail,
    }
}

/// The three verdicts a person can act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every check passed.
    Valid,
    /// A check failed: the reason is in the report.
    Invalid,
    /// Nothing failed, but something could not be checked from here (what is said).
    Incomplete,
}

impl Verdict {
    /// The stable code of the API and the pages.
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
            Verdict::Incomplete => "incomplete",
        }
    }

    /// `atelier verify`'s exit code (README): 0 valid, 1 invalid, 2 not fully checked.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Valid => 0,
            Verdict::Invalid => 1,
            Verdict::Incomplete => 2,
        }
    }
}

/// The outcome of [`verify`].
#[derive(Clone, Debug)]
pub struct VerifyReport {
    pub format: Option<BadgeFormat>,
    pub summary: Option<BadgeSummary>,
    pub checks: Vec<Check>,
    /// The extracted credential, when it could be parsed.
    pub credential: Option<Value>,
}

impl VerifyReport {
    pub fn verdict(&self) -> Verdict {
        if self.checks.is_empty() || self.checks.iter().any(|c| c.outcome == Outcome::Failed) {
            Verdict::Invalid
        } else if self.checks.iter().any(|c| c.outcome == Outcome::Unchecked) {
            Verdict::Incomplete
        } else {
            Verdict::Valid
        }
    }

    pub fn is_valid(&self) -> bool {
        self.verdict() == Verdict::Valid
    }

    /// The reasons the badge is not valid, or not fully checked (empty when valid).
    pub fn errors(&self) -> Vec<String> {
        self.checks
            .iter()
            .filter(|c| !c.passed())
            .map(|c| format!("{}: {}", c.name, c.detail))
            .collect()
    }

    /// Adds a check; true when it passed.
    pub fn push(&mut self, name: &'static str, result: Result<Found, Problem>) -> bool {
        let (outcome, line, detail) = match result {
            Ok(f) => (Outcome::Passed, f.line, f.detail),
            Err(p) => (p.outcome, p.line, p.detail),
        };
        self.checks.push(Check {
            name,
            outcome,
            line,
            detail: detail.english,
            account: detail.account,
        });
        outcome == Outcome::Passed
    }

    /// A failed check of this installation's own register (revoked here).
    pub fn push_revoked_here(&mut self, when: OffsetDateTime) {
        self.push(
            "revocation",
            Err(failed(
                Line::new("register-revoked").date("when", when),
                Detail::new(
                    "register-revoked",
                    format!("revoked by the issuer on {}", fmt_date(when)),
                )
                .date("when", when),
            )),
        );
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = match self.verdict() {
            Verdict::Valid => "VALID",
            Verdict::Invalid => "NOT VALID",
            Verdict::Incomplete => "NOT FULLY CHECKED",
        };
        let format = match self.format {
            Some(BadgeFormat::Png) => " (PNG)",
            Some(BadgeFormat::Svg) => " (SVG)",
            Some(BadgeFormat::Json) => " (JSON)",
            None => "",
        };
        writeln!(f, "{verdict}: Open Badges 3.0 credential{format}")?;
        if let Some(s) = &self.summary {
            let or_unknown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(unknown)".into());
            writeln!(f, "  Achievement: {}", or_unknown(&s.achievement_name))?;
            writeln!(f, "  Awarded to:  {}", or_unknown(&s.recipient_name))?;
            writeln!(
                f,
                "  Issuer:      {} <{}>",
                or_unknown(&s.issuer_name),
                or_unknown(&s.issuer_id)
            )?;
            writeln!(f, "  Valid from:  {}", or_unknown(&s.valid_from))?;
            if let Some(until) = &s.valid_until {
                writeln!(f, "  Valid until: {until}")?;
            }
        }
        for c in &self.checks {
            let mark = match c.outcome {
                Outcome::Passed => "ok  ",
                Outcome::Failed => "FAIL",
                Outcome::Unchecked => " -- ",
            };
            writeln!(f, "  [{mark}] {}: {}", c.name, c.detail)?;
        }
        Ok(())
    }
}

/// Finds the credential in a PNG, an SVG or a JSON file.
pub fn extract(bytes: &[u8]) -> Result<(BadgeFormat, String), BadgeError> {
    if bytes.len() > MAX_BADGE_BYTES {
        return Err(BadgeError::InvalidInput(format!(
            "file larger than {MAX_BADGE_BYTES} bytes"
        )));
    }
    if is_png(bytes) {
        return Ok((BadgeFormat::Png, extract_png(bytes)?));
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| BadgeError::InvalidInput("not a PNG, SVG or JSON file".into()))?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        Ok((BadgeFormat::Json, trimmed.to_string()))
    } else if trimmed.starts_with('<') {
        Ok((BadgeFormat::Svg, extract_svg(trimmed)?))
    } else {
        Err(BadgeError::InvalidInput(
            "not a PNG, SVG or JSON file".into(),
        ))
    }
}

/// Verifies a badge file (PNG, SVG or JSON).
pub async fn verify(bytes: &[u8], ctx: &VerifyContext<'_>) -> VerifyReport {
    let mut report = VerifyReport {
        format: None,
        summary: None,
        checks: Vec::new(),
        credential: None,
    };
    let json = match extract(bytes) {
        Ok((format, json)) => {
            report.format = Some(format);
            json
        }
        Err(e) => {
            report.push(
                "extract",
                Err(failed(
                    Line::new("extract-failed"),
                    extract_failure(bytes, e),
                )),
            );
            return report;
        }
    };
    match crate::badge::jsonld::parse_untrusted(&json) {
        Ok(vc) => verify_value(vc, ctx, report).await,
        Err(e) => {
            report.push(
                "extract",
                Err(failed(
                    Line::new("extract-failed"),
                    Detail::raw(
                        "json-invalid",
                        format!("credential is not valid JSON: {e}"),
                        &e,
                    ),
                )),
            );
            report
        }
    }
}

/// Why [`extract`] found no credential in `bytes`.
fn extract_failure(bytes: &[u8], e: BadgeError) -> Detail {
    let english = e.to_string();
    match e {
        BadgeError::InvalidInput(_) if bytes.len() > MAX_BADGE_BYTES => {
            Detail::new("extract-too-large", english).code("limit", MAX_BADGE_BYTES.to_string())
        }
        BadgeError::InvalidInput(_) => Detail::new("extract-unknown", english),
        BadgeError::Png(why) => Detail::raw("extract-png", english, why),
        BadgeError::Svg(why) => Detail::raw("extract-svg", english, why),
        BadgeError::NoCredential => Detail::new("extract-none", english),
        BadgeError::DuplicateCredential => Detail::new("extract-duplicate", english),
        other => Detail::raw("extract-error", english, other),
    }
}

/// Verifies an already parsed credential.
pub async fn verify_credential(vc: Value, ctx: &VerifyContext<'_>) -> VerifyReport {
    let report = VerifyReport {
        format: Some(BadgeFormat::Json),
        summary: None,
        checks: Vec::new(),
        credential: None,
    };
    verify_value(vc, ctx, report).await
}

async fn verify_value(
    vc: Value,
    ctx: &VerifyContext<'_>,
    mut report: VerifyReport,
) -> VerifyReport {
    report.summary = Some(summarize(&vc));
    // What is cheap first: the JSON's shape, then the signature, then what needs documents.
    // The JSON Schema check is CPU work on a stranger's document too: off the async workers.
    let shaped = vc.clone();
    let structure = off_workers(move || {
        crate::badge::jsonld::check_json_size(&shaped)
            .map_err(|e| {
                Detail::new("structure-too-large", e.to_string())
                    .code("limit", UNTRUSTED_JSON_VALUES.to_string())
            })
            .and_then(|()| check_structure(&shaped))
            .and_then(|ok| {
                shape::check_nothing_unsigned(&shaped)
                    .map_err(|e| {
                        Detail::new("structure-unsigned", e.to_string()).code("path", e.path)
                    })
                    .map(|()| ok)
            })
            .and_then(|ok| {
                shape::check_schema(&shaped)
                    .map_err(schema_failure)
                    .map(|()| ok)
            })
    })
    .await
    .map_err(|e| Detail::raw("internal", e.clone(), e))
    .and_then(|checked| checked)
    .map(|ok| found(Line::new("structure-ok"), ok))
    .map_err(|e| failed(Line::new("structure-failed"), e));
    let structure_ok = report.push("structure", structure);
    if structure_ok {
        let issuer = issuer_id(&vc).unwrap_or_default();
        let issuer_name = str_at(&vc, "/issuer/name").unwrap_or(&issuer).to_string();
        match check_proof(&vc, &issuer, ctx).await {
            Ok((detail, dataset)) => {
                report.push(
                    "proof",
                    Ok(found(
                        Line::new("proof-ok").text("issuer", issuer_name),
                        detail,
                    )),
                );
                // From here on, what was signed decides, not the JSON's surface.
                let facts = signed::facts(&dataset).map_err(signed_failure);
                match facts.and_then(|facts| agree(&vc, facts)) {
                    Ok(facts) => {
                        if let Some(summary) = report.summary.as_mut() {
                            summary.credential_id = facts.id.clone();
                        }
                        report.push("validity", check_signed_dates(&facts, ctx.now));
                        if !facts.statuses.is_empty() {
                            report
                                .push("status", check_status(&facts.statuses, &issuer, ctx).await);
                        }
                    }
                    Err(e) => {
                        report.push("signed", Err(failed(Line::new("signed-failed"), e)));
                    }
                }
            }
            Err(problem) => {
                report.push("proof", Err(problem));
                report.push("validity", check_dates(&vc, ctx.now));
            }
        }
    }
    report.credential = Some(vc);
    report
}

/// The signed facts, once the JSON's surface agrees with them: the id and issuer a person
/// reads in the report are the ones that were signed.
fn agree(vc: &Value, facts: SignedFacts) -> Result<SignedFacts, Detail> {
    if str_at(vc, "/id") != facts.id.as_deref() {
        return Err(Detail::new(
            "signed-id",
            "the credential's id is not the one that was signed",
        ));
    }
    if issuer_id(vc) != facts.issuer {
        return Err(Detail::new(
            "signed-issuer",
            "the credential's issuer is not the one that was signed",
        ));
    }
    Ok(facts)
}

fn signed_failure(e: SignedError) -> Detail {
    let english = e.to_string();
    match e {
        SignedError::NoCredential => Detail::new("signed-none", english),
        SignedError::SeveralCredentials => Detail::new("signed-several", english),
        SignedError::SeveralValues { property, count } => Detail::new("signed-values", english)
            .code("property", property)
            .code("count", count.to_string()),
    }
}

fn schema_failure(e: SchemaError) -> Detail {
    let english = e.to_string();
    match e {
        SchemaError::Invalid(causes) if causes.is_empty() => {
            Detail::new("structure-schema-plain", english)
        }
        SchemaError::Invalid(causes) => {
            Detail::new("structure-schema", english).code("error", causes.join("; "))
        }
        SchemaError::Unavailable(why) => Detail::raw("internal", english, why),
    }
}

fn str_at<'v>(v: &'v Value, pointer: &str) -> Option<&'v str> {
    v.pointer(pointer).and_then(Value::as_str)
}

fn issuer_id(vc: &Value) -> Option<String> {
    match vc.get("issuer")? {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

fn types(v: &Value) -> Vec<&str> {
    match v.get("type") {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn summarize(vc: &Value) -> BadgeSummary {
    let identifiers = vc
        .pointer("/credentialSubject/identifier")
        .and_then(Value::as_array);
    let find_identity = |kind: &str| {
        identifiers.and_then(|ids| {
            ids.iter()
                .find(|i| i.get("identityType").and_then(Value::as_str) == Some(kind))
        })
    };
    let recipient_name = find_identity("name")
        .filter(|i| i.get("hashed").and_then(Value::as_bool) == Some(false))
        .and_then(|i| i.get("identityHash").and_then(Value::as_str))
        .or_else(|| str_at(vc, "/credentialSubject/name"))
        .map(str::to_owned);
    BadgeSummary {
        credential_id: str_at(vc, "/id").map(str::to_owned),
        issuer_id: issuer_id(vc),
        issuer_name: str_at(vc, "/issuer/name").map(str::to_owned),
        achievement_name: str_at(vc, "/credentialSubject/achievement/name")
            .or_else(|| str_at(vc, "/name"))
            .map(str::to_owned),
        recipient_name,
        has_hashed_email: find_identity("emailAddress").is_some(),
        valid_from: str_at(vc, "/validFrom").map(str::to_owned),
        valid_until: str_at(vc, "/validUntil").map(str::to_owned),
    }
}

fn check_structure(vc: &Value) -> Result<Detail, Detail> {
    let obj = vc.as_object().ok_or_else(|| {
        Detail::new(
            "structure-not-object",
            "the credential is not a JSON object",
        )
    })?;
    let contexts = match obj.get("@context") {
        Some(Value::Array(a)) => a.as_slice(),
        _ => {
            return Err(Detail::new(
                "structure-context-array",
                "@context must be an array",
            ));
        }
    };
    if contexts.first().and_then(Value::as_str) != Some(VC_V2_CONTEXT) {
        return Err(Detail::new(
            "structure-context-first",
            format!("the first @context must be {VC_V2_CONTEXT}"),
        )
        .code("context", VC_V2_CONTEXT));
    }
    for c in contexts {
        match c.as_str() {
            Some(url) if is_known_context(url) => {}
            Some(url) => {
                return Err(Detail::new(
                    "structure-context-unknown",
                    format!("unsupported @context {url}"),
                )
                .code("context", url));
            }
            None => {
                return Err(Detail::new(
                    "structure-context-inline",
                    "inline @context definitions are not accepted",
                ));
            }
        }
    }
    let t = types(vc);
    if !t.contains(&"VerifiableCredential")
        || !(t.contains(&"OpenBadgeCredential") || t.contains(&"AchievementCredential"))
    {
        return Err(Detail::new(
            "structure-type",
            "type must include VerifiableCredential and OpenBadgeCredential",
        ));
    }
    if issuer_id(vc).is_none() {
        return Err(Detail::new(
            "structure-no-issuer",
            "the credential has no issuer id",
        ));
    }
    if vc.pointer("/credentialSubject/achievement").is_none() {
        return Err(Detail::new(
            "structure-no-achievement",
            "credentialSubject has no achievement",
        ));
    }
    Ok(Detail::new(
        "structure-ok",
        "well-formed OpenBadgeCredential",
    ))
}

/// Signatures checked at once, by every verification in this process (the page, the API,
/// badge pages): canonicalising a stranger's document is CPU work, bounded in size
/// ([`crate::badge::jsonld::UNTRUSTED_LIMITS`]) and kept off the async workers, so that a
/// crowd of verifications never delays a phone's action.
static VERIFYING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs `work` on the blocking pool, at most two at a time across the process ([`VERIFYING`]).
async fn off_workers<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let _turn = VERIFYING.acquire().await.map_err(|e| e.to_string())?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| e.to_string())
}
