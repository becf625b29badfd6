//! The organiser console (`/o`, organisers only): sessions with their figures, feedback across
//! sessions with filters and server-rendered SVG charts, issued badges with revocation, the
//! issuer profile and the achievement texts and images (facilitator accounts: `accounts.rs`).
//!
//! Every form posts to this server with the CSRF defence of the other pages (`Origin` check and
//! a `SameSite=Strict` cookie); after a change the browser is redirected (303) to the page, with
//! `?done=…` naming what was done.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};

use super::feedback::{ACTIVITIES, ExportQuery, feedback_filter};
use super::pages::{internal, page_error, render, signed_in, tr};
use super::{Shared, origin_allowed};
use crate::auth::Principal;
use crate::badge::artwork::validate_uploaded_image;
use crate::deck::{Lang, Localized};
use crate::i18n::Tr;
use crate::issuer::{AchievementConfig, IssuerConfig};
use crate::store::feedback::{FeedbackRow, SessionSummary};

mod badges;
mod charts;
mod issuer;
mod overview;

use badges::*;
use charts::*;
use issuer::*;
use overview::*;

/// Settings key of the issuer's uploaded image (JSON `{"type", "data"}`, data in base64).
pub const ISSUER_IMAGE_SETTING: &str = "issuer_image";
/// Largest upload request (the image itself is limited to 1 MiB by the validator, so that a
/// slightly larger file gets a clear message rather than a bare 413).
pub const UPLOAD_MAX_BYTES: usize = 3 * 1024 * 1024;
/// Feedback rows listed on the page; the exports have them all.
const FEEDBACK_LISTED: usize = 200;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/o", get(overview))
        .route("/o/badges", get(badges_page))
        .route("/o/badges/revoke", post(revoke))
        .route("/o/issuer", get(issuer_page).post(save_issuer))
        .route(
            "/o/issuer/image",
            post(issuer_image).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
        .route("/o/achievements", post(save_achievement))
        .route("/o/achievements/new", post(new_achievement))
        .route(
            "/o/achievements/image",
            post(achievement_image).layer(DefaultBodyLimit::max(UPLOAD_MAX_BYTES)),
        )
}

/// The signed-in organiser, or the response to send instead (sign-in redirect, 403 page).
/// `form`: a state-changing request, whose `Origin` must be ours.
pub(crate) async fn organiser(
    state: &Shared,
    headers: &HeaderMap,
    form: bool,
) -> Result<Principal, Response> {
    let t = tr(state, headers, None);
    let principal = match signed_in(state, headers).await {
        Ok(p) if p.is_organiser() => p,
        Ok(_) => return Err(page_error(t, StatusCode::FORBIDDEN, "organiser-only")),
        Err(redirect) => return Err(redirect),
    };
    if form && !origin_allowed(state, headers) {
        return Err(page_error(t, StatusCode::FORBIDDEN, "error-refused"));
    }
    Ok(principal)
}

/// After a change: back to the page, saying what was done.
fn done(path: &str, what: &str) -> Response {
    // `Redirect::to` answers 303 See Other: the browser follows with a GET.
    Redirect::to(&format!("{path}?done={what}")).into_response()
}

#[derive(Deserialize, Default)]
struct Done {
    done: Option<String>,
}

/// The message for `?done=…` (only known values: the query string is not echoed).
fn notice(t: Tr, done: &Done) -> Option<String> {
    let id = match done.done.as_deref()? {
        "revoked" => "org-done-revoked",
        "issuer" => "org-done-issuer",
        "image" => "org-done-image",
        "image-removed" => "org-done-image-removed",
        "achievement" => "org-done-achievement",
        "achievement-new" => "org-done-achievement-new",
        "welcome" => "org-done-welcome",
        _ => return None,
    };
    Some(t.get(id))
}

/// The session title, language and deck written in its configuration.
fn config_field(config: &str, name: &str) -> String {
    serde_json::from_str::<serde_json::Value>(config).unwrap_or_default()[name]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// `2025-03-14T09:30:00Z` → `2025-03-14 09:30`.
fn short_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

fn day_of(rfc3339: &str) -> &str {
    rfc3339.get(..10).unwrap_or(rfc3339)
}

/// An average with one decimal, with the reader's decimal separator.
fn decimal(value: f64, t: Tr) -> String {
    let text = format!("{value:.1}");
    if t.lang == Lang::En {
        text
    } else {
        text.replace('.', ",")
    }
}

fn average(values: impl Iterator<Item = u8>) -> Option<f64> {
    let (sum, n) = values.fold((0u64, 0u64), |(s, n), v| (s + u64::from(v), n + 1));
    (n > 0).then(|| sum as f64 / n as f64)
}

/// Percent-encodes a query-string value.
fn encode(value: &str) -> String {
    let mut out = String::new();
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Escapes text for SVG (XML).
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(encode("a b&c=é"), "a%20b%26c%3D%C3%A9");
    }
}
