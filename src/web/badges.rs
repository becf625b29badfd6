//! Badge routes: the issuer's public documents (did:web, status list), the verifier for
//! anyone, private downloads for the recipient, and the organiser's issuing and revoking.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, Authed, Shared, origin_allowed};
use crate::badge::verify::VerifyReport;
use crate::deck::Lang;
use crate::issuer::{IssueRequest, IssuerError, STATUS_LIST_PATH};
use crate::web::pages;
use crate::web::verify_page::render_verify;
use axum::extract::ConnectInfo;
use std::net::SocketAddr;

/// Largest badge file accepted for verification: a baked PNG with its embedded images is far smaller.
pub const VERIFY_MAX_BYTES: usize = 4 * 1024 * 1024;

pub fn routes() -> Router<Shared> {
    Router::new()
        // did:web: `/.well-known/did.json` for a public URL that is a bare host, `/did.json`
        // for one with a path (`https://h/atelier` is `did:web:h:atelier`, resolved at
        // `https://h/atelier/did.json`, which the proxy forwards here as `/did.json`).
        .route("/.well-known/did.json", get(did_document))
        .route("/did.json", get(did_document))
        .route(STATUS_LIST_PATH, get(status_list))
        .route("/verify", get(verify_page).post(verify_upload))
        .route("/api/verify", post(verify_api))
        .route("/api/badges", post(issue).get(list))
        .route("/api/badges/{id}/revoke", post(revoke))
        .route("/b/{id}/{file}", get(download))
        .route("/b/{id}", get(badge_page))
        .route("/claim", get(claim_page).post(claim))
        .route("/qr/claim/{file}", get(claim_qr))
        .layer(DefaultBodyLimit::max(VERIFY_MAX_BYTES))
}

impl From<IssuerError> for ApiError {
    fn from(e: IssuerError) -> Self {
        match e {
            IssuerError::UnknownBadge(_) => ApiError::not_found("badge"),
            IssuerError::UnknownAchievement(id) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid",
                format!("no achievement {id}"),
            ),
            IssuerError::Badge(crate::badge::BadgeError::InvalidInput(message)) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message)
            }
            other => ApiError::internal(other),
        }
    }
}

/// Public documents that browser-based verifiers fetch from another origin.
const ANYONE: (header::HeaderName, &str) = (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");

async fn did_document(State(state): State<Shared>) -> Result<Response, ApiError> {
    let document = state
        .issuer
        .did_document()
        .ok_or_else(|| ApiError::not_found("did:web document (needs an https --public-url)"))?;
    Ok(([ANYONE], Json(document)).into_response())
}

async fn status_list(State(state): State<Shared>) -> Result<Response, ApiError> {
    let list = state
        .issuer
        .status_list()
        .await?
        .ok_or_else(|| ApiError::not_found("status list (needs a --public-url)"))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vc+ld+json"),
            (header::CACHE_CONTROL, "no-cache"),
            ANYONE,
        ],
        list.to_string(),
    )
        .into_response())
}

/// One check: `outcome` is `passed`, `failed` or `unchecked` (could not be checked here);
/// `line` is what a page says (the Fluent message `verify-line-KEY` and its arguments, dates in
/// RFC 3339), `detail` the technical account.
fn check_json(check: &crate::badge::verify::Check) -> Value {
    use crate::badge::verify::LineArg;
    let args: serde_json::Map<String, Value> = check
        .line
        .args
        .iter()
        .map(|(name, value)| {
            let value = match value {
                LineArg::Text(text) => text.clone(),
                LineArg::Date(when) => crate::badge::proof::format_utc(*when),
            };
            (name.to_string(), Value::String(value))
        })
        .collect();
    json!({
        "name": check.name,
        "outcome": check.outcome.code(),
        "passed": check.passed(),
        "line": {"key": check.line.key, "args": args},
        "detail": check.detail,
    })
}

/// The JSON form of a verification report.
pub fn report_json(report: &VerifyReport) -> Value {
    json!({
        "verdict": report.verdict().code(),
        "valid": report.is_valid(),
        "format": report.format.map(|f| format!("{f:?}").to_lowercase()),
        "summary": report.summary.as_ref().map(|s| json!({
            "credential_id": s.credential_id,
            "issuer_id": s.issuer_id,
            "issuer_name": s.issuer_name,
            "achievement_name": s.achievement_name,
            "recipient_name": s.recipient_name,
            "valid_from": s.valid_from,
            "valid_until": s.valid_until,
        })),
        "checks": report.checks.iter().map(check_json).collect::<Vec<_>>(),
        "errors": report.errors(),
    })
}

/// `POST /api/verify` with the badge file as the body: anyone may verify.
async fn verify_api(State(state): State<Shared>, body: Bytes) -> Json<Value> {
    let report = state.issuer.verify(&body).await;
    Json(report_json(&report))
}

async fn verify_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    render_verify(&state, &headers, None)
}

async fn verify_upload(
    State(state): State<Shared>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let mut file = None;
    while let Ok(Some(field)) = form.next_field().await {
        if field.name() == Some("badge") {
            file = field.bytes().await.ok();
            break;
        }
    }
    let report = match file {
        Some(bytes) if !bytes.is_empty() => state.issuer.verify(&bytes).await,
        _ => state.issuer.verify(b"").await,
    };
    render_verify(&state, &headers, Some(&report))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueBody {
    name: String,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    achievement: Option<String>,
    #[serde(default)]
    lang: Option<String>,
}

/// Organisers issue a badge by hand (automation, a participant whose phone died).
async fn issue(
    State(state): State<Shared>,
    headers: HeaderMap,
    Authed(principal): Authed,
    super::ApiJson(body): super::ApiJson<IssueBody>,
) -> Result<impl IntoResponse, ApiError> {
    if !principal.is_organiser() {
        return Err(ApiError::forbidden());
    }
    if !origin_allowed(&state, &headers) {
        return Err(ApiError::forbidden());
    }
    let name = crate::session::code::clean_name(&body.name)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()))?;
    let email = body
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(email) = email
        && !plausible_email(email)
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "this is not an e-mail address",
        ));
    }
    let lang = body
        .lang
        .as_deref()
        .and_then(Lang::parse)
        .unwrap_or_default();
    let issued = state
        .issuer
        .issue(IssueRequest {
            name: &name,
            email,
            achievement_id: body.achievement.as_deref(),
            lang,
            session_id: None,
            pid: None,
        })
        .await?;
    let links = private_links(&state, &issued.id);
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": issued.id, "credential": issued.credential, "links": links})),
    ))
}

/// An e-mail address as people type them: something@domain.tld, no spaces, bounded.
pub fn plausible_email(email: &str) -> bool {
    email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
}

/// The private links of a badge as absolute URLs (they carry its secret).
pub fn private_links(state: &Shared, id: &str) -> Value {
    let mut links = state.issuer.private_paths(id);
    if let Value::Object(map) = &mut links {
        for value in map.values_mut() {
            if let Some(path) = value.as_str() {
                *value = Value::String(format!("{}{path}", state.base_url));
            }
        }
    }
    links
}

async fn list(
    State(state): State<Shared>,
    Authed(principal): Authed,
) -> Result<Json<Value>, ApiError> {
    if !principal.is_organiser() {
        return Err(ApiError::forbidden());
    }
    let rows = state.store.badges(None).await?;
    let badges: Vec<Value> = rows
        .iter()
        .map(|b| json!({"id": b.id, "achievement": b.achievement_id, "recipient_name": b.recipient_name, "issued_at": b.issued_at, "revoked_at": b.revoked_at}))
        .collect();
    Ok(Json(json!({"badges": badges})))
}

async fn revoke(
    State(state): State<Shared>,
    headers: HeaderMap,
    Authed(principal): Authed,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if !principal.is_organiser() || !origin_allowed(&state, &headers) {
        return Err(ApiError::forbidden());
    }
    let id = full_id(&id);
    let changed = state.issuer.revoke(&id).await?;
    Ok(Json(json!({"id": id, "revoked": true, "changed": changed})))
}

/// A badge id from a path: the bare uuid or the whole `urn:uuid:`.
pub(super) fn full_id(id: &str) -> String {
    if id.starts_with("urn:uuid:") {
        id.to_string()
    } else {
        format!("urn:uuid:{id}")
    }
}

#[derive(Deserialize)]
struct Key {
    k: Option<String>,
    lang: Option<String>,
}

/// `/b/{uuid}/badge.png|badge.svg|credential.json?k=SECRET`: the recipient's downloads.
/// Organisers (signed in) need no secret.
async fn download(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<Key>,
) -> Result<Response, ApiError> {
    let id = full_id(&id);
    let organiser =
        matches!(super::principal_from(&state, &headers).await, Ok(Some(p)) if p.is_organiser());
    let key = if organiser {
        None
    } else {
        Some(q.k.as_deref().ok_or_else(|| ApiError::not_found("badge"))?)
    };
    let row = state.issuer.badge(&id, key).await?;
    let lang = q.lang.as_deref().and_then(Lang::parse).unwrap_or_default();
    let uuid = id.trim_start_matches("urn:uuid:");
    let disposition = |ext: &str| {
        format!(
            "attachment; filename=\"open-badge-{}.{ext}\"",
            &uuid[..8.min(uuid.len())]
        )
    };
    let private = (header::CACHE_CONTROL, "private, no-store".to_string());
    Ok(match file.as_str() {
        "badge.png" => {
            let png = state.issuer.baked_png(&row, lang).await?;
            (
                [
                    (header::CONTENT_TYPE, "image/png".to_string()),
                    (header::CONTENT_DISPOSITION, disposition("png")),
                    private,
                ],
                png,
            )
                .into_response()
        }
        "badge.svg" => {
            let svg = state.issuer.baked_svg(&row, lang).await?;
            (
                [
                    (header::CONTENT_TYPE, "image/svg+xml".to_string()),
                    (header::CONTENT_DISPOSITION, disposition("svg")),
                    private,
                ],
                svg,
            )
                .into_response()
        }
        "picture.png" => {
            let png = state.issuer.picture_png(&row, lang).await?;
            (
                [
                    (header::CONTENT_TYPE, "image/png".to_string()),
                    (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
                ],
                png,
            )
                .into_response()
        }
        "credential.json" => {
            let json = row
                .credential
                .clone()
                .ok_or_else(|| ApiError::not_found("badge"))?;
            (
                [
                    (header::CONTENT_TYPE, "application/ld+json".to_string()),
                    (header::CONTENT_DISPOSITION, disposition("json")),
                    private,
                ],
                json,
            )
                .into_response()
        }
        _ => return Err(ApiError::not_found("file")),
    })
}

/// `/b/{uuid}?k=SECRET`: the recipient's page for their badge, with the downloads.
async fn badge_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<Key>,
) -> Response {
    let id = full_id(&id);
    let key = q.k.as_deref().unwrap_or_default();
    let Ok(row) = state.issuer.badge(&id, Some(key)).await else {
        return pages::page_error(
            pages::tr(&state, &headers, None),
            StatusCode::NOT_FOUND,
            "error-not-found",
        );
    };
    let t = pages::tr(&state, &headers, None);
    let credential: Value = row
        .credential
        .as_deref()
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or_default();
    let links = state.issuer.private_paths(&id);
    let link = |k: &str| links[k].as_str().unwrap_or_default().to_string();
    let sharing = super::hosted::sharing(&state, &row, &credential);
    let revoked_on = row
        .revoked_at
        .as_deref()
        .map(|when| pages::human_rfc3339(&t, when))
        .unwrap_or_default();
    pages::render(&BadgePage {
        revoked_on,
        // Without a status list, only this installation's register knows of a revocation.
        offline: row.status_index.is_none(),
        picture: link("picture"),
        uuid: id.trim_start_matches("urn:uuid:").to_string(),
        key: key.to_string(),
        sharing,
        t,
        name: row.recipient_name.unwrap_or_default(),
        achievement: credential
            .pointer("/credentialSubject/achievement/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        png: link("png"),
        svg: link("svg"),
        json: link("json"),
        page: link("page"),
    })
}

#[derive(askama::Template)]
#[template(path = "badge.html")]
struct BadgePage<'a> {
    t: crate::i18n::Tr<'a>,
    /// When the badge was revoked, for people ("" while it is not).
    revoked_on: String,
    /// Issued without a status list (an offline Atelier).
    offline: bool,
    uuid: String,
    /// The private link's secret (the language links and the sharing forms keep it).
    key: String,
    sharing: Option<super::hosted::Sharing>,
    picture: String,
    name: String,
    achievement: String,
    png: String,
    svg: String,
    json: String,
    page: String,
}

#[derive(askama::Template)]
#[template(path = "claim.html")]
struct ClaimPage<'a> {
    t: crate::i18n::Tr<'a>,
    code: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct ClaimQuery {
    code: Option<String>,
}

async fn claim_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ClaimQuery>,
) -> Response {
    let code = q
        .code
        .unwrap_or_default()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    pages::render(&ClaimPage {
        t: pages::tr(&state, &headers, None),
        code,
        error: None,
    })
}

#[derive(Deserialize)]
struct ClaimForm {
    code: String,
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    lang: String,
}

/// `/claim`: a badge with the claim code a facilitator showed (for a phone that died, or
/// someone who left early). Attempts are limited per address: a code is short.
async fn claim(
    State(state): State<Shared>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    axum::Form(form): axum::Form<ClaimForm>,
) -> Response {
    let t = pages::tr(&state, &headers, None);
    let code_typed: String = form.code.trim().to_ascii_uppercase();
    let again = |status: StatusCode, error: String| {
        (
            status,
            pages::render(&ClaimPage {
                t,
                code: code_typed
                    .chars()
                    .filter(char::is_ascii_alphanumeric)
                    .take(12)
                    .collect(),
                error: Some(error),
            }),
        )
            .into_response()
    };
    if !origin_allowed(&state, &headers) {
        return pages::page_error(t, StatusCode::FORBIDDEN, "error-refused");
    }
    if !state.claim_attempts.allow(peer.ip()) {
        return again(StatusCode::TOO_MANY_REQUESTS, t.get("claim-slow-down"));
    }
    let Ok(name) = crate::session::code::clean_name(&form.name) else {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            t.get("badge-name-missing"),
        );
    };
    let email = Some(form.email.trim()).filter(|e| !e.is_empty());
    if email.is_some_and(|e| !plausible_email(e)) {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            t.get("badge-error-invalid"),
        );
    }
    let found = match state.store.claim_code(&code_typed).await {
        Ok(found) => found,
        Err(e) => return pages::internal(t, e),
    };
    let now = crate::store::now_rfc3339();
    let Some((session_id, session_code, valid_until)) =
        found.filter(|(_, _, until)| now.as_str() < until.as_str())
    else {
        return again(StatusCode::UNPROCESSABLE_ENTITY, t.get("claim-wrong"));
    };
    // The room owns the truth: a code it replaced, of a desk switched to another mode, or of a
    // closed session mints nothing (the table above may still list it, e.g. from an older
    // version that did not void codes).
    let live = match state.rooms.get(&session_code).await {
        Ok(room) => room.claim_code_live(&code_typed).await,
        Err(_) => false,
    };
    if !live {
        return again(StatusCode::UNPROCESSABLE_ENTITY, t.get("claim-wrong"));
    }
    let lang = Lang::parse(&form.lang).unwrap_or(t.lang);
    // The session's achievement, as its phones get.
    let achievement = match state.store.session_by_code(&session_code).await {
        Ok(row) => row
            .and_then(|row| serde_json::from_str::<crate::session::SessionConfig>(&row.config).ok())
            .and_then(|config| config.achievement),
        Err(e) => return pages::internal(t, e),
    };
    let request = IssueRequest {
        name: &name,
        email,
        achievement_id: achievement.as_deref(),
        lang,
        session_id: Some(session_id),
        pid: None,
    };
    let issued = match state.issuer.issue(request).await {
        Ok(issued) => issued,
        Err(e) => return pages::internal(t, e),
    };
    tracing::info!(session = %session_code, until = %valid_until, "badge claimed with a code");
    if let Ok(room) = state.rooms.get(&session_code).await {
        room.notify_staff(json!({"type": "badge.claimed"})).await;
    }
    let page = state.issuer.private_paths(&issued.id)["page"]
        .as_str()
        .unwrap_or("/")
        .to_string();
    axum::response::Redirect::to(&page).into_response()
}

async fn claim_qr(State(state): State<Shared>, Path(file): Path<String>) -> Response {
    let code: String = file
        .trim_end_matches(".svg")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(12)
        .collect();
    match crate::qr::svg(&format!("{}/claim?code={code}", state.base_url)) {
        Some(svg) => ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
