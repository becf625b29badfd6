//! Badges that travel, on a hosted Atelier (`--public-url`): each badge's public page (HTML for
//! people, the credential for programs, by content negotiation), the Open Badges 2.0 hosted
//! documents backpacks fetch, and the participant's choice to hide the public page.
//! Without a public URL every route here answers 404: an offline badge points nowhere.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;
use serde_json::Value;

use super::badges::full_id;
use super::pages;
use super::verify_page::{CheckItem, check_items};
use super::{Shared, origin_allowed};
use crate::badge::share::{Certification, linkedin_add_url};
use crate::deck::Lang;
use crate::issuer::IssuerError;
use crate::store::BadgeRow;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/badges/{id}", get(public_badge))
        .route("/badges/{id}/image.png", get(public_image))
        .route("/badges/{id}/credential.json", get(public_credential))
        .route("/b/{id}/public", post(set_public))
        .route("/ob2/issuer", get(ob2_issuer))
        .route("/ob2/classes/{achievement}/{lang}", get(ob2_class))
        .route(
            "/ob2/classes/{achievement}/{lang}/image",
            get(ob2_class_image),
        )
        .route("/ob2/assertions/{id}", get(ob2_assertion))
}

/// What a client asked for in `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    Html,
    /// The credential: `application/ld+json`, `application/vc+ld+json`, `application/json`…
    Json(&'static str),
}

/// Picks HTML or JSON from an `Accept` header by quality (ties go to the earlier entry; no
/// header, or one naming neither, gets HTML: a person with a browser is the common case).
pub fn negotiate(accept: Option<&str>) -> Wanted {
    let Some(accept) = accept else {
        return Wanted::Html;
    };
    let mut best: Option<(f32, Wanted)> = None;
    for entry in accept.split(',') {
        let mut parts = entry.split(';');
        let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q=").map(str::trim))
            .find_map(|q| q.parse::<f32>().ok())
            .unwrap_or(1.0);
        let wanted = match media.as_str() {
            "text/html" | "application/xhtml+xml" => Wanted::Html,
            "application/vc+ld+json" | "application/vc" => Wanted::Json("application/vc+ld+json"),
            "application/ld+json" => Wanted::Json("application/ld+json"),
            "application/json" => Wanted::Json("application/json"),
            _ => continue,
        };
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, wanted));
        }
    }
    best.map_or(Wanted::Html, |(_, wanted)| wanted)
}

/// The badge behind a public URL: hosted, still holding its credential, not hidden.
async fn public_row(state: &Shared, id: &str) -> Option<(BadgeRow, Value)> {
    state.issuer.public_url()?;
    let row = state.store.badge(&full_id(id)).await.ok()??;
    if !row.public_page {
        return None;
    }
    let credential = serde_json::from_str(row.credential.as_deref()?).ok()?;
    Some((row, credential))
}

/// Public documents may be read by any web verifier, from any origin.
fn public_json(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

fn text(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

#[derive(askama::Template)]
#[template(path = "public_badge.html")]
struct PublicBadgePage<'a> {
    t: crate::i18n::Tr<'a>,
    page_url: String,
    /// Absolute, for link previews (`og:image`).
    image_url: String,
    image_path: String,
    json_url: String,
    achievement: String,
    description: String,
    criteria: String,
    competence: String,
    recipient: String,
    issuer: String,
    issuer_url: String,
    issued_on: String,
    valid: bool,
    /// Nothing failed, but not everything could be checked from here.
    incomplete: bool,
    revoked: bool,
    checks: Vec<CheckItem>,
}

/// `/badges/{uuid}`: the page a participant shares (LinkedIn's `certUrl`), or the credential
/// for a program that asks for JSON. Shows no e-mail: the badge holds only its salted hash.
async fn public_badge(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let t = pages::tr(&state, &headers, None);
    let Some((row, credential)) = public_row(&state, &id).await else {
        let erased = state.issuer.public_url().is_some()
            && matches!(state.store.badge(&full_id(&id)).await, Ok(Some(row)) if row.credential.is_none());
        return if erased {
            // Someone who follows a shared link learns why the page is gone.
            pages::page_error(t, StatusCode::GONE, "badge-public-erased")
        } else {
            pages::page_error(t, StatusCode::NOT_FOUND, "error-not-found")
        };
    };
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let mut response = match negotiate(accept) {
        Wanted::Json(content_type) => {
            public_json(content_type, row.credential.clone().unwrap_or_default())
        }
        Wanted::Html => {
            let report = state.issuer.verify_json(credential.clone()).await;
            let base = state.issuer.public_url().unwrap_or_default();
            let uuid = row.id.trim_start_matches("urn:uuid:");
            let checks = check_items(&t, &report);
            let issuer_url = text(&credential, "/issuer/url");
            let page = PublicBadgePage {
                page_url: format!("{base}/badges/{uuid}"),
                image_url: format!("{base}/badges/{uuid}/image.png"),
                image_path: format!("/badges/{uuid}/image.png"),
                json_url: format!("/badges/{uuid}/credential.json"),
                achievement: text(&credential, "/credentialSubject/achievement/name"),
                description: text(&credential, "/credentialSubject/achievement/description"),
                criteria: text(
                    &credential,
                    "/credentialSubject/achievement/criteria/narrative",
                ),
                competence: text(
                    &credential,
                    "/credentialSubject/achievement/alignment/0/targetName",
                ),
                recipient: row.recipient_name.clone().unwrap_or_default(),
                issuer: text(&credential, "/issuer/name"),
                issuer_url: if issuer_url.starts_with("https://")
                    || issuer_url.starts_with("http://")
                {
                    issuer_url
                } else {
                    String::new()
                },
                issued_on: pages::human_rfc3339(&t, &text(&credential, "/validFrom")),
                valid: report.is_valid(),
                incomplete: report.verdict() == crate::badge::verify::Verdict::Incomplete,
                revoked: row.revoked_at.is_some(),
                checks,
                t,
            };
            let mut response = pages::render(&page);
            // Unlisted: whoever has the link may look; search engines are asked not to index
            // a page with a person's name on it.
            response
                .headers_mut()
                .insert("x-robots-tag", HeaderValue::from_static("noindex"));
            response
        }
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

async fn public_image(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    let Some((row, _)) = public_row(&state, &id).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let lang = row
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_default();
    match state.issuer.picture_png(&row, lang).await {
        Ok(png) => (
            [
                (header::CONTENT_TYPE, "image/png"),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            png,
        )
            .into_response(),
        Err(e) => super::ApiError::from(e).into_response(),
    }
}

async fn public_credential(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    match public_row(&state, &id).await {
        Some((row, _)) => public_json("application/ld+json", row.credential.unwrap_or_default()),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct PublicChoice {
    k: String,
    public: String,
}

/// The participant shows or hides their badge's public page from their private page.
async fn set_public(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<PublicChoice>,
) -> Response {
    let t = pages::tr(&state, &headers, None);
    if !origin_allowed(&state, &headers) {
        return pages::page_error(t, StatusCode::FORBIDDEN, "error-refused");
    }
    let id = full_id(&id);
    if state.issuer.badge(&id, Some(&form.k)).await.is_err() {
        return pages::page_error(t, StatusCode::NOT_FOUND, "error-not-found");
    }
    if let Err(e) = state.issuer.set_public_page(&id, form.public == "1").await {
        return pages::internal(t, e);
    }
    let page = state.issuer.private_paths(&id)["page"]
        .as_str()
        .unwrap_or("/")
        .to_string();
    Redirect::to(&format!("{page}#share")).into_response()
}

/// The sharing part of the participant's private page (hosted only).
pub struct Sharing {
    pub public_page: bool,
    pub page_url: String,
    pub linkedin: String,
    /// The badge names its recipient by e-mail: Open Badges 2.0 backpacks can take it.
    pub has_email: bool,
}

pub fn sharing(state: &Shared, row: &BadgeRow, credential: &Value) -> Option<Sharing> {
    let page_url = state.issuer.public_page_url(&row.id)?;
    let valid_from = text(credential, "/validFrom");
    let year = valid_from
        .get(..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(0);
    let month = valid_from
        .get(5..7)
        .and_then(|m| m.parse().ok())
        .unwrap_or(1);
    let linkedin = linkedin_add_url(&Certification {
        name: &text(credential, "/credentialSubject/achievement/name"),
        organisation: &text(credential, "/issuer/name"),
        issue_year: year,
        issue_month: month,
        url: &page_url,
        id: &row.id,
    });
    let has_email = crate::badge::ob2::email_identifier(credential).is_some();
    Some(Sharing {
        public_page: row.public_page,
        page_url,
        linkedin,
        has_email,
    })
}

fn json_or_404(found: Option<Value>) -> Response {
    match found {
        Some(doc) => public_json("application/ld+json", doc.to_string()),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn ob2_issuer(State(state): State<Shared>) -> Response {
    json_or_404(state.issuer.ob2_issuer().await.ok().flatten())
}

async fn ob2_class(
    State(state): State<Shared>,
    Path((achievement, lang)): Path<(String, String)>,
) -> Response {
    let Some(lang) = Lang::parse(&lang).filter(|l| l.code() == lang) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let class = state
        .issuer
        .ob2_badge_class(&full_id(&achievement), lang)
        .await;
    json_or_404(class.ok().flatten())
}

async fn ob2_class_image(
    State(state): State<Shared>,
    Path((achievement, lang)): Path<(String, String)>,
) -> Response {
    let Some(lang) = Lang::parse(&lang).filter(|l| l.code() == lang) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !matches!(state.issuer.ob2_enabled().await, Ok(true)) {
        return StatusCode::NOT_FOUND.into_response();
    }
    match state
        .issuer
        .achievement_picture(&full_id(&achievement), lang)
        .await
    {
        Ok((bytes, content_type)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            bytes,
        )
            .into_response(),
        Err(IssuerError::UnknownAchievement(_)) => StatusCode::NOT_FOUND.into_response(),
        Err(e) => super::ApiError::from(e).into_response(),
    }
}

/// The hosted assertion; a revoked badge answers 410 Gone with `revoked: true`, as OB 2.0
/// hosted verification expects, and so does a badge whose recipient's data was erased (with
/// that reason: the badge was issued, it is no longer published here).
async fn ob2_assertion(State(state): State<Shared>, Path(id): Path<String>) -> Response {
    let Ok(Some(row)) = state.store.badge(&full_id(&id)).await else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // Hidden by its holder: the assertion goes with the public page (its salted e-mail hash
    // would confirm a guessed address).
    if !row.public_page {
        return StatusCode::NOT_FOUND.into_response();
    }
    if row.credential.is_none() {
        return match state.issuer.ob2_erased_assertion(&row).await {
            Ok(Some(doc)) => {
                let mut response = public_json("application/ld+json", doc.to_string());
                *response.status_mut() = StatusCode::GONE;
                response
            }
            _ => StatusCode::NOT_FOUND.into_response(),
        };
    }
    match state.issuer.ob2_assertion(&row).await {
        Ok(Some(doc)) => {
            let mut response = public_json("application/ld+json", doc.to_string());
            if row.revoked_at.is_some() {
                *response.status_mut() = StatusCode::GONE;
            }
            response
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers_pick_html_or_the_credential() {
        assert_eq!(negotiate(None), Wanted::Html);
        assert_eq!(
            negotiate(Some("text/html,application/xhtml+xml,*/*;q=0.8")),
            Wanted::Html
        );
        assert_eq!(
            negotiate(Some("application/ld+json")),
            Wanted::Json("application/ld+json")
        );
        assert_eq!(
            negotiate(Some("text/html;q=0.5, application/json")),
            Wanted::Json("application/json")
        );
        assert_eq!(
            negotiate(Some("application/vc+ld+json; q=0.9, text/html; q=0.2")),
            Wanted::Json("application/vc+ld+json")
        );
        assert_eq!(negotiate(Some("image/png")), Wanted::Html);
        assert_eq!(
            negotiate(Some("application/json;q=0, text/plain")),
            Wanted::Html
        );
        assert_eq!(negotiate(Some("garbage;;q=x,,")), Wanted::Html);
    }
}
