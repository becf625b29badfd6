//! HTTP and WebSocket transport: thin handlers that authenticate, decode, and hand work to
//! the rooms and the store. No game rule lives here.

pub mod accounts;
pub mod api;
pub mod assets;
pub mod badges;
pub mod conn;
pub mod feedback;
pub mod guard;
pub mod hosted;
pub mod limit;
pub mod organiser;
pub mod pages;
pub mod verify_page;
pub mod ws;

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use axum_extra::extract::CookieJar;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::auth::Principal;
use crate::config::ServeConfig;
use crate::deck::DeckLibrary;
use crate::i18n::I18n;
use crate::issuer::Issuer;
use crate::room::Rooms;
use crate::store::Store;

/// Name of the facilitator/organiser browser-session cookie.
pub const SESSION_COOKIE: &str = "atelier_session";

pub struct AppState {
    pub store: Store,
    pub decks: Arc<DeckLibrary>,
    pub i18n: Arc<I18n>,
    pub issuer: Arc<Issuer>,
    /// Claim-code attempts per address.
    pub claim_attempts: limit::AttemptLimiter,
    /// Wrong join codes and resume tokens per address.
    pub hello_failures: limit::AttemptLimiter,
    /// Failed sign-ins per address (page and API share it).
    pub login_failures: limit::AttemptLimiter,
    /// Failed sign-ins per account named, from anywhere: guessing one account's password from
    /// many addresses (or from behind one proxy) meets a limit too.
    pub account_failures: limit::AttemptLimiter<[u8; 16]>,
    pub rooms: Arc<Rooms>,
    pub config: ServeConfig,
    /// Base of the links we hand out (join URLs, QR codes): `--public-url`, or the listen address.
    pub base_url: String,
    /// Open WebSocket connections, for the connection cap.
    pub connections: AtomicUsize,
    /// Turns to read a large request body (`conn::HttpLimits::large_bodies`).
    pub large_bodies: Arc<tokio::sync::Semaphore>,
    /// Turns to run an argon2 password check (each takes ~19 MiB for ~75 ms).
    pub password_checks: tokio::sync::Semaphore,
    /// Credentials taken away, per account: their live sockets check their token again.
    pub revocations: accounts::Revocations,
}

pub type Shared = Arc<AppState>;

impl AppState {
    pub fn join_url(&self, code: &str) -> String {
        format!("{}/j/{code}", self.base_url)
    }

    /// The account a username and password sign in to (`/login` and `/api/login`).
    ///
    /// The attempt is counted against the client's address and against the account named
    /// before the password is checked, so that attempts sent at once cannot all slip under
    /// the limit; a success gives both back. One argon2 verification runs whether or not the
    /// username exists (`auth::check_sign_in`), on the blocking pool, at most
    /// [`auth::PARALLEL_PASSWORD_CHECKS`](crate::auth::PARALLEL_PASSWORD_CHECKS) at a time.
    pub async fn sign_in(
        &self,
        client: std::net::IpAddr,
        username: &str,
        password: &str,
    ) -> Result<SignIn, crate::store::StoreError> {
        let username = username.trim();
        let account = account_key(username);
        if !self.login_failures.allow(client) {
            return Ok(SignIn::Limited);
        }
        if !self.account_failures.allow(account) {
            self.login_failures.give_back(&client);
            return Ok(SignIn::Limited);
        }
        let give_back = || {
            self.login_failures.give_back(&client);
            self.account_failures.give_back(&account);
        };
        let Ok(Ok(_turn)) =
            tokio::time::timeout(PASSWORD_CHECK_WAIT, self.password_checks.acquire()).await
        else {
            give_back();
            return Ok(SignIn::Busy);
        };
        let found = self.store.user_by_name(username).await?;
        let password = password.to_string();
        let checked =
            tokio::task::spawn_blocking(move || crate::auth::check_sign_in(found, &password))
                .await
                .unwrap_or(None);
        Ok(match checked {
            Some(user) => {
                give_back();
                SignIn::Welcome(user)
            }
            None => SignIn::Wrong,
        })
    }
}

/// Longest a sign-in waits for its turn at the password check before the client is told to
/// retry (a flood of sign-ins queues; it never piles up 19 MiB checks).
const PASSWORD_CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// What a sign-in came to.
pub enum SignIn {
    Welcome(crate::store::User),
    /// Wrong username or password (the answer does not say which).
    Wrong,
    /// Too many failures from this address or for this account: wait.
    Limited,
    /// Too many password checks waiting: retry in a moment.
    Busy,
}

/// The key of an account in the failure counts: a digest of the username as typed (any
/// length, any name, existing or not: the map's memory stays bounded, and the limit does not
/// reveal which accounts exist).
fn account_key(username: &str) -> [u8; 16] {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(username.to_lowercase().as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        // Browsers ask for it on their own (bookmarks, tabs without a page's `<link rel=icon>`).
        .route(
            "/favicon.ico",
            get(|| async { axum::response::Redirect::permanent("/static/favicon.svg") }),
        )
        .route("/ws", get(ws::upgrade))
        .merge(api::routes())
        .merge(badges::routes())
        .merge(hosted::routes())
        .merge(pages::routes())
        .merge(feedback::routes())
        .merge(organiser::routes())
        .merge(accounts::routes())
        .route("/static/{*file}", get(assets::serve))
        .route("/i18n/{file}", get(assets::messages))
        .fallback(not_found)
        .layer(axum::extract::DefaultBodyLimit::max(guard::FORM_MAX_BYTES))
        // A request (body included) has a deadline, and a body may not stall; a WebSocket's
        // life starts after its handshake's response, outside both.
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(
            state.config.limits.body_idle_timeout,
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            state.config.limits.request_timeout,
        ))
        .layer(axum::middleware::from_fn(api_error_envelope))
        .layer(axum::middleware::from_fn(pages::remember_lang))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&state),
            guard::guard,
        ))
        .layer(axum::middleware::from_fn(security_headers))
        // gzip for pages, scripts and messages: phones on weak venue Wi-Fi load in a fraction.
        .layer(tower_http::compression::CompressionLayer::new())
        .with_state(state)
}

/// Headers every response carries: no inline scripts, no framing, no MIME sniffing.
async fn security_headers(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    // The only inline script a page may run is the import map (`assets::import_map`), by its hash.
    static CSP: std::sync::LazyLock<HeaderValue> = std::sync::LazyLock::new(|| {
        HeaderValue::from_str(&format!(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self' {}; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            assets::import_map_csp_source()
        ))
        .expect("a CSP is a header value")
    });
    headers
        .entry("content-security-policy")
        .or_insert_with(|| CSP.clone());
    set(headers, "x-content-type-options", "nosniff");
    // `same-origin`, not `no-referrer`: the latter makes browsers send `Origin: null` on our own
    // form posts, which the CSRF check must then refuse.
    set(headers, "referrer-policy", "same-origin");
    set(headers, "x-frame-options", "DENY");
    response
}

/// Unknown paths: the JSON envelope under `/api/`, a plain 404 elsewhere.
async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        ApiError::not_found("this API route").into_response()
    } else {
        StatusCode::NOT_FOUND.into_response()
    }
}

/// The API speaks one language: an error that axum or a layer answered in plain text (a body
/// the JSON extractor refused, a wrong method, a body over the size limit, a bad path
/// parameter) becomes the envelope `{"error": {"code", "message"}}` with the same status.
async fn api_error_envelope(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = match axum::body::to_bytes(body, 4096).await {
        Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_string(),
        Err(_) => String::new(),
    };
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_lowercase()
    } else {
        text
    };
    let mut envelope = ApiError::new(status, error_code(status), message).into_response();
    // What the original said beside its body stays (`Allow` on a 405, `Retry-After`…).
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            envelope.headers_mut().insert(name.clone(), value.clone());
        }
    }
    envelope
}

/// The stable code of an error that has no more precise one.
fn error_code(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::CONFLICT => "conflict",
        StatusCode::GONE => "gone",
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "invalid_body",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        s if s.is_server_error() => "internal",
        _ => "error",
    }
}

/// An error answered as JSON `{"error": {"code", "message"}}` with a status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "sign in, or send an organiser or facilitator token",
        )
    }
    pub fn forbidden() -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "you may not do this")
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }
    pub fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "something went wrong on the server",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(json!({"error": {"code": self.code, "message": self.message}})),
        )
            .into_response()
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        ApiError::internal(e)
    }
}

/// A JSON request body whose refusals speak the API's language: malformed JSON is 400
/// `bad_json`, well-formed JSON of the wrong shape (a missing field, an unknown value) 422
/// `invalid_body`, a missing JSON content type 415, with serde's explanation as the message.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => {
                let code = match &rejection {
                    JsonRejection::JsonSyntaxError(_) => "bad_json",
                    JsonRejection::JsonDataError(_) => "invalid_body",
                    other => error_code(other.status()),
                };
                Err(ApiError::new(
                    rejection.status(),
                    code,
                    rejection.body_text(),
                ))
            }
        }
    }
}

/// The credential a request carries: its `Bearer` token, else its session cookie.
pub fn token_from(headers: &HeaderMap) -> Option<String> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match bearer {
        Some(token) => Some(token.to_string()),
        None => CookieJar::from_headers(headers)
            .get(SESSION_COOKIE)
            .map(|cookie| cookie.value().to_string()),
    }
}

/// Finds who is calling from a `Bearer` token or the session cookie.
pub async fn principal_from(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Principal>, ApiError> {
    let Some(token) = token_from(headers) else {
        return Ok(None);
    };
    if let Some(admin) = &state.config.admin_token
        && bool::from(token.as_bytes().ct_eq(admin.as_bytes()))
    {
        return Ok(Some(Principal::AdminToken));
    }
    Ok(state
        .store
        .user_for_token(&token)
        .await?
        .map(Principal::User))
}

/// Extractor: an authenticated organiser or facilitator, else 401.
pub struct Authed(pub Principal);

impl FromRequestParts<Shared> for Authed {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        principal_from(state, &parts.headers)
            .await?
            .map(Authed)
            .ok_or_else(ApiError::unauthorized)
    }
}

/// Whether a request's `Origin` (if any) is this server's own or the public URL: browsers
/// always send it on WebSocket handshakes and cross-site form posts, so a foreign one is refused.
pub fn origin_allowed(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let own = [format!("http://{host}"), format!("https://{host}")];
    own.iter().any(|o| o == origin) || state.config.public_url.as_deref() == Some(origin)
}
