//! Server-rendered pages (askama; every value is HTML-escaped by the template engine).
//! Behaviour lives in the ES modules under `static/`, fed by `data-` attributes: the
//! Content-Security-Policy allows no inline script.

use std::time::Duration;

use askama::Template;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::api::{NewSession, create_session};
use super::{SESSION_COOKIE, Shared, SignIn, origin_allowed, principal_from};
use crate::auth::{Principal, hash_password, new_token};
use crate::games::bingo::Mode;
use crate::i18n::{Tr, negotiate};
use crate::session::code::normalise_join_code;
use crate::store::{Role, SessionRow, StoreError, TokenKind};

/// Cookie remembering a person's language choice (set by `?lang=` on any page).
pub const LANG_COOKIE: &str = "atelier_lang";

/// How long a facilitator stays signed in on a laptop: a long workshop day and then some.
pub(crate) const COOKIE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(home))
        .route("/me", get(my_data))
        .route("/join", get(join_form))
        .route("/j/{code}", get(phone))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/signin/{token}", get(signin_page).post(signin))
        .route("/f", get(dashboard))
        .route("/f/sessions", post(create_from_form))
        .route("/f/s/{code}", get(console))
        .route("/screen/{code}", get(screen))
        .route("/s/{code}/deck/{file}", get(staff_deck))
        .route("/qr/{file}", get(qr))
}

/// The translator for a request: `?lang=`, the language cookie, the session's language,
/// then Accept-Language.
pub(crate) fn tr<'a>(state: &'a Shared, headers: &HeaderMap, session_lang: Option<&str>) -> Tr<'a> {
    let jar = CookieJar::from_headers(headers);
    let explicit = jar.get(LANG_COOKIE).map(|c| c.value().to_string());
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Tr {
        i18n: &state.i18n,
        lang: negotiate(explicit.as_deref(), session_lang, accept),
    }
}

/// Middleware: `?lang=xx` on any page sets the language cookie and is honoured at once.
pub async fn remember_lang(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let chosen = request.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|pair| pair.strip_prefix("lang="))
            .and_then(crate::deck::Lang::parse)
    });
    let Some(lang) = chosen else {
        return next.run(request).await;
    };
    // Make this very request see the choice, as if the cookie were already set.
    let cookie = format!("{LANG_COOKIE}={}", lang.code());
    let others: Vec<String> = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|c| !c.is_empty() && !c.starts_with(&format!("{LANG_COOKIE}=")))
        .map(str::to_string)
        .collect();
    let merged = others
        .into_iter()
        .chain([cookie.clone()])
        .collect::<Vec<_>>()
        .join("; ");
    request.headers_mut().remove(header::COOKIE);
    if let Ok(value) = merged.parse() {
        request.headers_mut().insert(header::COOKIE, value);
    }
    let mut response = next.run(request).await;
    let set = format!("{cookie}; Path=/; Max-Age=31536000; SameSite=Lax");
    if let Ok(value) = set.parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

pub(crate) fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page error").into_response()
        }
    }
}

/// A page with only a message, in the reader's language.
pub(crate) fn page_error(t: Tr, status: StatusCode, message_id: &str) -> Response {
    let message = t.get(message_id);
    (
        status,
        render(&MessagePage {
            t,
            message: &message,
        }),
    )
        .into_response()
}

pub(crate) fn internal(t: Tr, e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "page failed");
    page_error(t, StatusCode::INTERNAL_SERVER_ERROR, "error-server")
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    t: Tr<'a>,
    message: &'a str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    t: Tr<'a>,
    error: Option<String>,
}

async fn home(State(state): State<Shared>, headers: HeaderMap) -> Response {
    render(&HomePage {
        t: tr(&state, &headers, None),
        error: None,
    })
}

#[derive(Deserialize)]
struct JoinQuery {
    code: String,
}

async fn join_form(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<JoinQuery>,
) -> Response {
    match normalise_join_code(&q.code) {
        Some(code) => Redirect::to(&format!("/j/{code}")).into_response(),
        None => {
            let t = tr(&state, &headers, None);
            (
                StatusCode::BAD_REQUEST,
                render(&HomePage {
                    t,
                    error: Some(t.get("join-code-unknown")),
                }),
            )
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "phone.html")]
struct PhonePage<'a> {
    t: Tr<'a>,
    code: String,
    title: String,
    deck: String,
}

/// What a session row says about itself, for pages.
struct SessionInfo {
    title: String,
    lang: String,
    deck: String,
}

fn session_info(row: &SessionRow) -> SessionInfo {
    let config = serde_json::from_str::<serde_json::Value>(&row.config).unwrap_or_default();
    let field = |name: &str| config[name].as_str().unwrap_or_default().to_string();
    SessionInfo {
        title: field("title"),
        lang: field("lang"),
        deck: field("deck"),
    }
}

async fn phone(
    State(state): State<Shared>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(code): Path<String>,
) -> Response {
    let page = |status: StatusCode, id: &str| {
        let t = tr(&state, &headers, None);
        (
            status,
            render(&HomePage {
                t,
                error: Some(t.get(id)),
            }),
        )
            .into_response()
    };
    // Wrong codes count against the address here as on the WebSocket: a 200 or a 404 tells a
    // guesser as much as a refused hello.
    if state.hello_failures.is_blocked(&peer.ip()) {
        return page(StatusCode::TOO_MANY_REQUESTS, "join-slow-down");
    }
    let unknown = |id: &str| {
        state.hello_failures.allow(peer.ip());
        page(StatusCode::NOT_FOUND, id)
    };
    let Some(code) = normalise_join_code(&code) else {
        return unknown("join-code-unknown");
    };
    match state.store.session_by_code(&code).await {
        Ok(Some(row)) => {
            let info = session_info(&row);
            let t = tr(&state, &headers, Some(&info.lang));
            render(&PhonePage {
                t,
                code,
                title: info.title,
                deck: info.deck,
            })
        }
        Ok(None) => unknown("join-session-unknown"),
        Err(e) => internal(tr(&state, &headers, None), e),
    }
}

// ---- sign-in ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    t: Tr<'a>,
    error: Option<String>,
}

async fn login_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    render(&LoginPage {
        t: tr(&state, &headers, None),
        error: None,
    })
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

pub(crate) fn session_cookie(state: &Shared, token: String) -> Cookie<'static> {
    let secure = state
        .config
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"));
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(time::Duration::seconds(COOKIE_TTL.as_secs() as i64))
        .build()
}

async fn login(
    State(state): State<Shared>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    jar: CookieJar,
    Form(form): Form<Credentials>,
) -> Response {
    let t = tr(&state, &headers, None);
    if !origin_allowed(&state, &headers) {
        return page_error(t, StatusCode::FORBIDDEN, "error-refused");
    }
    let refused = |status: StatusCode, message: &str| {
        (
            status,
            render(&LoginPage {
                t,
                error: Some(t.get(message)),
            }),
        )
            .into_response()
    };
    let user = match state
        .sign_in(peer.ip(), &form.username, &form.password)
        .await
    {
        Ok(SignIn::Welcome(user)) => user,
        Ok(SignIn::Wrong) => return refused(StatusCode::UNAUTHORIZED, "login-failed"),
        Ok(SignIn::Limited) => return refused(StatusCode::TOO_MANY_REQUESTS, "login-slow-down"),
        Ok(SignIn::Busy) => return refused(StatusCode::SERVICE_UNAVAILABLE, "login-busy"),
        Err(e) => return internal(t, e),
    };
    let token = new_token();
    if let Err(e) = state
        .store
        .store_auth_token(&token, user.id, TokenKind::Cookie, COOKIE_TTL)
        .await
    {
        return internal(t, e);
    }
    let target = if user.role == Role::Organiser {
        "/o"
    } else {
        "/f"
    };
    (jar.add(session_cookie(&state, token)), Redirect::to(target)).into_response()
}

async fn logout(State(state): State<Shared>, headers: HeaderMap, jar: CookieJar) -> Response {
    if !origin_allowed(&state, &headers) {
        return page_error(
            tr(&state, &headers, None),
            StatusCode::FORBIDDEN,
            "error-refused",
        );
    }
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let user = state
            .store
            .user_for_token(cookie.value())
            .await
            .ok()
            .flatten();
        let _ = state.store.delete_auth_token(cookie.value()).await;
        // The consoles this browser opened close now, not at their next reconnection.
        if let Some(user) = user {
            state.revocations.revoke(user.id);
        }
    }
    (
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/"),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "signin.html")]
struct SigninPage<'a> {
    t: Tr<'a>,
    token: &'a str,
    error: Option<String>,
}

async fn signin_page(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let t = tr(&state, &headers, None);
    match state.store.signin_link_valid(&token).await {
        Ok(true) => render(&SigninPage {
            t,
            token: &token,
            error: None,
        }),
        Ok(false) => page_error(t, StatusCode::NOT_FOUND, "signin-used"),
        Err(e) => internal(t, e),
    }
}

async fn signin(
    State(state): State<Shared>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<Credentials>,
) -> Response {
    let t = tr(&state, &headers, None);
    if !origin_allowed(&state, &headers) {
        return page_error(t, StatusCode::FORBIDDEN, "error-refused");
    }
    let again = |error: String| {
        render(&SigninPage {
            t,
            token: &token,
            error: Some(error),
        })
    };
    let username = form.username.trim();
    if username.is_empty() || username.chars().count() > super::api::USERNAME_MAX_CHARS {
        return again(t.get("signin-username-bad"));
    }
    let hash = match hash_password(username, &form.password) {
        Ok(hash) => hash,
        Err(e) => return again(t.get(e.message_id())),
    };
    let user = match state
        .store
        .redeem_signin_link(&token, username, &hash)
        .await
    {
        Ok(Some(user)) => user,
        Ok(None) => return page_error(t, StatusCode::NOT_FOUND, "signin-used"),
        Err(StoreError::Conflict) => return again(t.get("username-taken")),
        Err(e) => return internal(t, e),
    };
    let cookie_token = new_token();
    if let Err(e) = state
        .store
        .store_auth_token(&cookie_token, user.id, TokenKind::Cookie, COOKIE_TTL)
        .await
    {
        return internal(t, e);
    }
    // The first thing an organiser does: name the organisation that issues the badges.
    (
        jar.add(session_cookie(&state, cookie_token)),
        Redirect::to("/o/issuer?done=welcome"),
    )
        .into_response()
}

// ---- facilitator -----------------------------------------------------------------------

/// The signed-in user, or a redirect to the login page.
pub(crate) async fn signed_in(state: &Shared, headers: &HeaderMap) -> Result<Principal, Response> {
    match principal_from(state, headers).await {
        Ok(Some(p)) => Ok(p),
        Ok(None) => Err(Redirect::to("/login").into_response()),
        Err(e) => Err(e.into_response()),
    }
}

struct SessionItem {
    code: String,
    title: String,
    created_at: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage<'a> {
    t: Tr<'a>,
    user: &'a str,
    organiser: bool,
    sessions: Vec<SessionItem>,
    error: Option<String>,
    /// The card decks available (id, name in the page's language): the built-in one and any
    /// dropped in `cards/` or `DATA_DIR/decks/`.
    decks: Vec<(String, String)>,
    /// The achievements a session may recognise (id, label in the page's language).
    achievements: Vec<(String, String)>,
}

async fn dashboard_with(
    state: &Shared,
    t: Tr<'_>,
    principal: &Principal,
    error: Option<String>,
) -> Response {
    let owner = if principal.is_organiser() {
        None
    } else {
        principal.user_id()
    };
    let rows = match state.store.list_sessions(owner).await {
        Ok(rows) => rows,
        Err(e) => return internal(t, e),
    };
    let sessions = rows
        .iter()
        .map(|r| SessionItem {
            code: r.code.clone(),
            title: session_info(r).title,
            created_at: r.created_at.clone(),
        })
        .collect();
    let decks = state
        .decks
        .list()
        .iter()
        .map(|d| (d.id.clone(), d.name.get(t.lang).to_string()))
        .collect();
    let achievements = match state.issuer.achievement_labels(t.lang).await {
        Ok(labels) => labels,
        Err(e) => return internal(t, e),
    };
    render(&DashboardPage {
        t,
        user: principal.display_name(),
        organiser: principal.is_organiser(),
        sessions,
        error,
        decks,
        achievements,
    })
}

async fn dashboard(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match signed_in(&state, &headers).await {
        Ok(principal) => dashboard_with(&state, tr(&state, &headers, None), &principal, None).await,
        Err(redirect) => redirect,
    }
}

#[derive(Deserialize)]
struct SessionForm {
    title: String,
    lang: String,
    /// "bingo,fresque", "fresque,bingo", "bingo", "fresque" or "".
    activities: String,
    /// "definition" or "listening".
    bingo_mode: Option<String>,
    /// "three-packs" or "two-packs".
    pack_variant: Option<String>,
    /// A deck id; the default deck when absent.
    deck: Option<String>,
    /// An achievement id; "" or absent: the workshop's badge for the chosen activities.
    achievement: Option<String>,
    /// Most participants at once; "" or absent: the default.
    max_participants: Option<String>,
}

async fn create_from_form(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<SessionForm>,
) -> Response {
    let t = tr(&state, &headers, None);
    let principal = match signed_in(&state, &headers).await {
        Ok(p) => p,
        Err(redirect) => return redirect,
    };
    if !origin_allowed(&state, &headers) {
        return page_error(t, StatusCode::FORBIDDEN, "error-refused");
    }
    let activities = form
        .activities
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let new = NewSession {
        title: form.title,
        lang: form.lang,
        activities,
        deck: form.deck.filter(|d| !d.is_empty()),
        scenario: None,
        pack_variant: form.pack_variant.filter(|v| !v.is_empty()),
        bingo_mode: Some(if form.bingo_mode.as_deref() == Some("listening") {
            Mode::Listening
        } else {
            Mode::Definition
        }),
        achievement: form.achievement.filter(|a| !a.is_empty()),
        // Not a number: 0, which the check refuses with its message.
        max_participants: form
            .max_participants
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|m| m.parse().unwrap_or(0)),
    };
    match create_session(&state, &principal, new).await {
        Ok(row) => Redirect::to(&format!("/f/s/{}", row.code)).into_response(),
        Err(e) => (
            e.status,
            dashboard_with(&state, t, &principal, Some(e.message)).await,
        )
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "console.html")]
struct ConsolePage<'a> {
    t: Tr<'a>,
    code: String,
    title: String,
    join_url: String,
    screen_url: String,
}

async fn console(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(code): Path<String>,
) -> Response {
    let principal = match signed_in(&state, &headers).await {
        Ok(p) => p,
        Err(redirect) => return redirect,
    };
    let row = match state.store.session_by_code(&code).await {
        Ok(Some(row)) if principal.may_run(&row) => row,
        Ok(_) => {
            return page_error(
                tr(&state, &headers, None),
                StatusCode::NOT_FOUND,
                "not-your-session",
            );
        }
        Err(e) => return internal(tr(&state, &headers, None), e),
    };
    let info = session_info(&row);
    render(&ConsolePage {
        t: tr(&state, &headers, Some(&info.lang)),
        title: info.title,
        join_url: state.join_url(&row.code),
        screen_url: format!("/screen/{}?k={}", row.code, row.screen_key),
        code: row.code,
    })
}

#[derive(Deserialize)]
struct ScreenQuery {
    k: String,
}

#[derive(Template)]
#[template(path = "screen.html")]
struct ScreenPage<'a> {
    t: Tr<'a>,
    code: String,
    key: String,
    title: String,
    join_url: String,
    join_host: String,
}

async fn screen(
    State(state): State<Shared>,
    headers: HeaderMap,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    Path(code): Path<String>,
    Query(q): Query<ScreenQuery>,
) -> Response {
    if state.hello_failures.is_blocked(&peer.ip()) {
        return page_error(
            tr(&state, &headers, None),
            StatusCode::TOO_MANY_REQUESTS,
            "join-slow-down",
        );
    }
    let row = match state.store.session_by_code(&code).await {
        Ok(Some(row)) => row,
        Ok(None) => {
            state.hello_failures.allow(peer.ip());
            return page_error(
                tr(&state, &headers, None),
                StatusCode::NOT_FOUND,
                "join-session-unknown",
            );
        }
        Err(e) => return internal(tr(&state, &headers, None), e),
    };
    let info = session_info(&row);
    let join_url = state.join_url(&row.code);
    let join_host = state
        .base_url
        .split("://")
        .nth(1)
        .unwrap_or(&state.base_url)
        .to_string();
    render(&ScreenPage {
        t: tr(&state, &headers, Some(&info.lang)),
        title: info.title,
        key: q.k,
        join_url,
        join_host,
        code: row.code,
    })
}

async fn qr(State(state): State<Shared>, Path(file): Path<String>) -> Response {
    let Some(code) = file.strip_suffix(".svg").and_then(normalise_join_code) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match crate::qr::svg(&state.join_url(&code)) {
        Some(svg) => ([(header::CONTENT_TYPE, "image/svg+xml")], svg).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

#[derive(Deserialize)]
struct KeyQuery {
    k: Option<String>,
}

/// The session deck's texts with the definitions, for the console and the projector only:
/// the facilitator's cookie or the projector's screen key is required.
async fn staff_deck(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((code, file)): Path<(String, String)>,
    Query(q): Query<KeyQuery>,
) -> Response {
    let Some(lang) = file
        .strip_suffix(".json")
        .and_then(crate::deck::Lang::parse)
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let row = match state.store.session_by_code(&code).await {
        Ok(Some(row)) => row,
        Ok(None) => return StatusCode::NOT_FOUND.into_response(),
        Err(e) => return internal(tr(&state, &headers, None), e),
    };
    let by_key = q.k.as_deref().is_some_and(|k| {
        bool::from(subtle::ConstantTimeEq::ct_eq(
            k.as_bytes(),
            row.screen_key.as_bytes(),
        ))
    });
    let by_user = matches!(principal_from(&state, &headers).await, Ok(Some(p)) if p.may_run(&row));
    if !by_key && !by_user {
        return StatusCode::FORBIDDEN.into_response();
    }
    let deck_id = session_info(&row).deck;
    let deck = state
        .decks
        .get(&deck_id)
        .unwrap_or_else(|| state.decks.default_deck());
    axum::Json(deck.client_view(lang, true)).into_response()
}

/// An instant as people read it, in the page's language: "3 décembre 2026, 08:05 UTC".
pub fn human_date(t: &Tr<'_>, when: time::OffsetDateTime) -> String {
    let when = when.to_offset(time::UtcOffset::UTC);
    t.args(
        "date-time",
        &[
            ("day", when.day().to_string()),
            ("month", t.get(&format!("month-{}", u8::from(when.month())))),
            ("year", when.year().to_string()),
            ("time", format!("{:02}:{:02}", when.hour(), when.minute())),
        ],
    )
}

/// An RFC 3339 date-time as people read it (the text itself if it is not one).
pub fn human_rfc3339(t: &Tr<'_>, text: &str) -> String {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .map(|when| human_date(t, when))
        .unwrap_or_else(|_| text.to_string())
}

#[derive(Template)]
#[template(path = "me.html")]
struct MyDataPage<'a> {
    t: Tr<'a>,
}

/// "My data": the page reads this phone's resume tokens and asks `/api/me` (right of access).
async fn my_data(State(state): State<Shared>, headers: HeaderMap) -> Response {
    render(&MyDataPage {
        t: tr(&state, &headers, None),
    })
}
