//! Server-rendered pages (askama; every value is HTML-escaped by the template engine).
//! Behaviour lives in the ES modules under `static/`, fed by `data-` attributes: the
//! Content-Security-Policy allows no inline script.

use std::time::Duration;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;

use super::api::{NewSession, create_session};
use super::{SESSION_COOKIE, Shared, origin_allowed, principal_from};
use crate::auth::{Principal, hash_password, new_token, verify_password};
use crate::games::bingo::Mode;
use crate::session::code::normalise_join_code;
use crate::store::{Role, SessionRow, StoreError, TokenKind};

/// How long a facilitator stays signed in on a laptop: a long workshop day and then some.
const COOKIE_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/", get(home))
        .route("/join", get(join_form))
        .route("/j/{code}", get(phone))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/signin/{token}", get(signin_page).post(signin))
        .route("/f", get(dashboard))
        .route("/f/sessions", post(create_from_form))
        .route("/f/s/{code}", get(console))
        .route("/screen/{code}", get(screen))
        .route("/qr/{file}", get(qr))
        .route("/o", get(organiser))
        .route("/o/users", post(create_facilitator))
}

fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "page error").into_response()
        }
    }
}

fn page_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        render(&MessagePage {
            title: "Atelier",
            message,
        }),
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage<'a> {
    title: &'a str,
    message: &'a str,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage<'a> {
    error: Option<&'a str>,
}

async fn home() -> Response {
    render(&HomePage { error: None })
}

#[derive(Deserialize)]
struct JoinQuery {
    code: String,
}

async fn join_form(Query(q): Query<JoinQuery>) -> Response {
    match normalise_join_code(&q.code) {
        Some(code) => Redirect::to(&format!("/j/{code}")).into_response(),
        None => (
            StatusCode::BAD_REQUEST,
            render(&HomePage {
                error: Some("Ce code n'existe pas. Vérifiez les 6 caractères affichés à l'écran."),
            }),
        )
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "phone.html")]
struct PhonePage {
    code: String,
    title: String,
}

async fn phone(State(state): State<Shared>, Path(code): Path<String>) -> Response {
    let Some(code) = normalise_join_code(&code) else {
        return (
            StatusCode::NOT_FOUND,
            render(&HomePage {
                error: Some("Ce code n'existe pas. Vérifiez les 6 caractères affichés à l'écran."),
            }),
        )
            .into_response();
    };
    match state.store.session_by_code(&code).await {
        Ok(Some(row)) => render(&PhonePage {
            title: session_title(&row),
            code,
        }),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            render(&HomePage {
                error: Some("Aucun atelier n'a ce code."),
            }),
        )
            .into_response(),
        Err(e) => internal(e),
    }
}

fn session_title(row: &SessionRow) -> String {
    serde_json::from_str::<serde_json::Value>(&row.config)
        .ok()
        .and_then(|c| c["title"].as_str().map(str::to_string))
        .unwrap_or_default()
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "page failed");
    page_error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Erreur du serveur. Réessayez dans un instant.",
    )
}

// ---- sign-in ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    error: Option<&'a str>,
}

async fn login_page() -> Response {
    render(&LoginPage { error: None })
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

fn session_cookie(state: &Shared, token: String) -> Cookie<'static> {
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
    jar: CookieJar,
    Form(form): Form<Credentials>,
) -> Response {
    if !origin_allowed(&state, &headers) {
        return page_error(StatusCode::FORBIDDEN, "Requête refusée.");
    }
    let user = match state.store.user_by_name(form.username.trim()).await {
        Ok(Some((user, hash))) if verify_password(&form.password, &hash) => user,
        Ok(_) => {
            return (
                StatusCode::UNAUTHORIZED,
                render(&LoginPage {
                    error: Some("Nom d'utilisateur ou mot de passe incorrect."),
                }),
            )
                .into_response();
        }
        Err(e) => return internal(e),
    };
    let token = new_token();
    if let Err(e) = state
        .store
        .store_auth_token(&token, user.id, TokenKind::Cookie, COOKIE_TTL)
        .await
    {
        return internal(e);
    }
    let target = if user.role == Role::Organiser {
        "/o"
    } else {
        "/f"
    };
    (jar.add(session_cookie(&state, token)), Redirect::to(target)).into_response()
}

async fn logout(State(state): State<Shared>, jar: CookieJar) -> Response {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        let _ = state.store.delete_auth_token(cookie.value()).await;
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
    token: &'a str,
    error: Option<&'a str>,
}

async fn signin_page(State(state): State<Shared>, Path(token): Path<String>) -> Response {
    match state.store.signin_link_valid(&token).await {
        Ok(true) => render(&SigninPage {
            token: &token,
            error: None,
        }),
        Ok(false) => page_error(
            StatusCode::NOT_FOUND,
            "Ce lien a déjà servi ou n'existe pas.",
        ),
        Err(e) => internal(e),
    }
}

async fn signin(
    State(state): State<Shared>,
    headers: HeaderMap,
    jar: CookieJar,
    Path(token): Path<String>,
    Form(form): Form<Credentials>,
) -> Response {
    if !origin_allowed(&state, &headers) {
        return page_error(StatusCode::FORBIDDEN, "Requête refusée.");
    }
    let username = form.username.trim();
    if username.is_empty() || username.chars().count() > 60 {
        return render(&SigninPage {
            token: &token,
            error: Some("Choisissez un nom d'utilisateur (60 caractères au plus)."),
        });
    }
    let hash = match hash_password(&form.password) {
        Ok(hash) => hash,
        Err(e) => {
            return render(&SigninPage {
                token: &token,
                error: Some(&e.to_string()),
            });
        }
    };
    let user = match state
        .store
        .redeem_signin_link(&token, username, &hash)
        .await
    {
        Ok(Some(user)) => user,
        Ok(None) => {
            return page_error(
                StatusCode::NOT_FOUND,
                "Ce lien a déjà servi ou n'existe pas.",
            );
        }
        Err(StoreError::Conflict) => {
            return render(&SigninPage {
                token: &token,
                error: Some("Ce nom d'utilisateur est déjà pris."),
            });
        }
        Err(e) => return internal(e),
    };
    let cookie_token = new_token();
    if let Err(e) = state
        .store
        .store_auth_token(&cookie_token, user.id, TokenKind::Cookie, COOKIE_TTL)
        .await
    {
        return internal(e);
    }
    (
        jar.add(session_cookie(&state, cookie_token)),
        Redirect::to("/o"),
    )
        .into_response()
}

// ---- facilitator -----------------------------------------------------------------------

/// The signed-in user, or a redirect to the login page.
async fn signed_in(state: &Shared, headers: &HeaderMap) -> Result<Principal, Response> {
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
    user: &'a str,
    organiser: bool,
    sessions: Vec<SessionItem>,
    error: Option<&'a str>,
}

async fn dashboard_with(state: &Shared, principal: &Principal, error: Option<&str>) -> Response {
    let owner = if principal.is_organiser() {
        None
    } else {
        principal.user_id()
    };
    let rows = match state.store.list_sessions(owner).await {
        Ok(rows) => rows,
        Err(e) => return internal(e),
    };
    let sessions = rows
        .iter()
        .map(|r| SessionItem {
            code: r.code.clone(),
            title: session_title(r),
            created_at: r.created_at.clone(),
        })
        .collect();
    render(&DashboardPage {
        user: principal.display_name(),
        organiser: principal.is_organiser(),
        sessions,
        error,
    })
}

async fn dashboard(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match signed_in(&state, &headers).await {
        Ok(principal) => dashboard_with(&state, &principal, None).await,
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
}

async fn create_from_form(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<SessionForm>,
) -> Response {
    let principal = match signed_in(&state, &headers).await {
        Ok(p) => p,
        Err(redirect) => return redirect,
    };
    if !origin_allowed(&state, &headers) {
        return page_error(StatusCode::FORBIDDEN, "Requête refusée.");
    }
    let activities = form
        .activities
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    match create_session(
        &state,
        &principal,
        NewSession {
            title: form.title,
            lang: form.lang,
            activities,
            deck: None,
            scenario: None,
            pack_variant: form.pack_variant.filter(|v| !v.is_empty()),
            bingo_mode: match form.bingo_mode.as_deref() {
                Some("listening") => Some(Mode::Listening),
                _ => Some(Mode::Definition),
            },
        },
    )
    .await
    {
        Ok(row) => Redirect::to(&format!("/f/s/{}", row.code)).into_response(),
        Err(e) => (
            e.status,
            dashboard_with(&state, &principal, Some(&e.message)).await,
        )
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "console.html")]
struct ConsolePage {
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
        Ok(_) => return page_error(StatusCode::NOT_FOUND, "Aucun de vos ateliers n'a ce code."),
        Err(e) => return internal(e),
    };
    render(&ConsolePage {
        title: session_title(&row),
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
struct ScreenPage {
    code: String,
    key: String,
    title: String,
    join_url: String,
    join_host: String,
}

async fn screen(
    State(state): State<Shared>,
    Path(code): Path<String>,
    Query(q): Query<ScreenQuery>,
) -> Response {
    let row = match state.store.session_by_code(&code).await {
        Ok(Some(row)) => row,
        Ok(None) => return page_error(StatusCode::NOT_FOUND, "Aucun atelier n'a ce code."),
        Err(e) => return internal(e),
    };
    let join_url = state.join_url(&row.code);
    let join_host = state
        .base_url
        .split("://")
        .nth(1)
        .unwrap_or(&state.base_url)
        .to_string();
    render(&ScreenPage {
        title: session_title(&row),
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

// ---- organiser -------------------------------------------------------------------------

struct UserItem {
    username: String,
    role: &'static str,
}

#[derive(Template)]
#[template(path = "organiser.html")]
struct OrganiserPage<'a> {
    user: &'a str,
    users: Vec<UserItem>,
    error: Option<&'a str>,
    created: Option<&'a str>,
}

async fn organiser_with(
    state: &Shared,
    principal: &Principal,
    error: Option<&str>,
    created: Option<&str>,
) -> Response {
    let users = match state.store.list_users().await {
        Ok(users) => users,
        Err(e) => return internal(e),
    };
    let users = users
        .into_iter()
        .map(|u| UserItem {
            username: u.username,
            role: if u.role == Role::Organiser {
                "organisateur"
            } else {
                "animateur"
            },
        })
        .collect();
    render(&OrganiserPage {
        user: principal.display_name(),
        users,
        error,
        created,
    })
}

async fn organiser(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match signed_in(&state, &headers).await {
        Ok(p) if p.is_organiser() => organiser_with(&state, &p, None, None).await,
        Ok(_) => page_error(StatusCode::FORBIDDEN, "Réservé aux organisateurs."),
        Err(redirect) => redirect,
    }
}

async fn create_facilitator(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<Credentials>,
) -> Response {
    let principal = match signed_in(&state, &headers).await {
        Ok(p) if p.is_organiser() => p,
        Ok(_) => return page_error(StatusCode::FORBIDDEN, "Réservé aux organisateurs."),
        Err(redirect) => return redirect,
    };
    if !origin_allowed(&state, &headers) {
        return page_error(StatusCode::FORBIDDEN, "Requête refusée.");
    }
    let username = form.username.trim();
    if username.is_empty() || username.chars().count() > 60 {
        return organiser_with(
            &state,
            &principal,
            Some("Nom d'utilisateur : 1 à 60 caractères."),
            None,
        )
        .await;
    }
    let hash = match hash_password(&form.password) {
        Ok(hash) => hash,
        Err(e) => return organiser_with(&state, &principal, Some(&e.to_string()), None).await,
    };
    match state
        .store
        .create_user(username, &hash, Role::Facilitator)
        .await
    {
        Ok(_) => organiser_with(&state, &principal, None, Some(username)).await,
        Err(StoreError::Conflict) => {
            organiser_with(
                &state,
                &principal,
                Some("Ce nom d'utilisateur est déjà pris."),
                None,
            )
            .await
        }
        Err(e) => internal(e),
    }
}
