//! The JSON API for organisers, facilitators and automation (Bearer token or cookie).

use std::time::Duration;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ApiError, ApiJson, Authed, Shared, SignIn, origin_allowed};
use crate::auth::{Principal, hash_password, new_token};
use crate::deck::Lang;
use crate::games::bingo::Mode;
use crate::session::code::new_join_code;
use crate::session::{ActivityKind, SessionConfig};
use crate::store::{Role, SessionRow, StoreError, TokenKind};

/// Longest session title, in characters.
pub const TITLE_MAX_CHARS: usize = 120;
/// Longest username, in characters.
pub const USERNAME_MAX_CHARS: usize = 60;
/// Languages Atelier speaks.
pub const LANGS: &[&str] = &["fr", "nl", "en"];
/// Lifetime of an API token obtained with `POST /api/login`.
const API_TOKEN_TTL: Duration = Duration::from_secs(90 * 24 * 3600);

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/api/sessions", post(create).get(list))
        .route("/api/sessions/{code}", get(read))
        .route("/api/login", post(login))
        .route("/api/users", post(create_user))
        .route(
            "/api/sessions/{code}/participants/{pid}/erase",
            post(erase_participant),
        )
        .route(
            "/api/settings/retention",
            get(get_retention).put(put_retention),
        )
        .route("/api/retention/run", post(run_retention))
        .route("/api/me", get(personal_data))
        .route(
            "/api/achievements",
            get(list_achievements).post(create_achievement),
        )
        .route("/decks/{deck}/{file}", get(deck_texts))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    pub title: String,
    #[serde(default = "default_lang")]
    pub lang: String,
    #[serde(default = "default_activities")]
    pub activities: Vec<String>,
    /// Deck id; the default deck when absent.
    #[serde(default)]
    pub deck: Option<String>,
    /// Fresque scenario id; the deck's default when absent.
    #[serde(default)]
    pub scenario: Option<String>,
    /// `three-packs` or `two-packs` (deck-defined); the deck's default when absent.
    #[serde(default)]
    pub pack_variant: Option<String>,
    /// `definition` (default) or `listening`.
    #[serde(default)]
    pub bingo_mode: Option<Mode>,
    /// The achievement its badges recognise (an id of `GET /api/achievements`); when absent,
    /// the workshop's badge for the activities the session plays.
    #[serde(default)]
    pub achievement: Option<String>,
    /// Most participants at once (1 to 2,000); 300 when absent.
    #[serde(default)]
    pub max_participants: Option<u32>,
}

fn default_lang() -> String {
    "fr".into()
}

fn default_activities() -> Vec<String> {
    vec!["bingo".into(), "fresque".into()]
}

/// Validates a new session and stores it with a fresh join code.
pub async fn create_session(
    state: &Shared,
    principal: &Principal,
    new: NewSession,
) -> Result<SessionRow, ApiError> {
    let bad = |message: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", message);
    let title = new.title.trim().to_string();
    if title.is_empty() || title.chars().count() > TITLE_MAX_CHARS {
        return Err(bad(format!(
            "the title must have 1 to {TITLE_MAX_CHARS} characters"
        )));
    }
    if !LANGS.contains(&new.lang.as_str()) {
        return Err(bad(format!(
            "the language must be one of {}",
            LANGS.join(", ")
        )));
    }
    let mut activities = Vec::new();
    for name in &new.activities {
        let kind = ActivityKind::parse(name)
            .ok_or_else(|| bad(format!("unknown activity {name:?}: use bingo or fresque")))?;
        if activities.contains(&kind) {
            return Err(bad(format!("activity {name:?} is listed twice")));
        }
        activities.push(kind);
    }
    let deck = match &new.deck {
        Some(id) => state
            .decks
            .get(id)
            .ok_or_else(|| bad(format!("unknown deck {id:?}")))?,
        None => state.decks.default_deck(),
    };
    // Chosen now and frozen in the session, like its game data: the badge says what this
    // session's participants did.
    let achievement = match new.achievement.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() => {
            state.issuer.achievement(id).await.map_err(|e| match e {
                crate::issuer::IssuerError::UnknownAchievement(_) => {
                    bad(format!("unknown achievement {id:?}"))
                }
                other => ApiError::from(other),
            })?;
            id.to_string()
        }
        _ => {
            state
                .issuer
                .achievement_for_activities(
                    activities.contains(&ActivityKind::Bingo),
                    activities.contains(&ActivityKind::Fresque),
                )
                .await?
        }
    };
    let max_participants = new
        .max_participants
        .unwrap_or(crate::session::DEFAULT_MAX_PARTICIPANTS);
    if !(1..=crate::session::MAX_PARTICIPANTS_LIMIT).contains(&max_participants) {
        return Err(bad(format!(
            "max_participants must be 1 to {}",
            crate::session::MAX_PARTICIPANTS_LIMIT
        )));
    }
    let screen_key = new_token();
    for _ in 0..16 {
        let code = new_join_code();
        let config = SessionConfig::from_deck(
            code.clone(),
            title.clone(),
            new.lang.clone(),
            activities.clone(),
            deck,
            new.scenario.as_deref(),
            new.pack_variant.as_deref(),
            new.bingo_mode.unwrap_or(Mode::Definition),
        )
        .map_err(|e| bad(e.to_string()))?;
        let config = SessionConfig {
            achievement: Some(achievement.clone()),
            max_participants: Some(max_participants),
            ..config
        };
        let config = serde_json::to_string(&config).map_err(ApiError::internal)?;
        match state
            .store
            .create_session(&code, principal.user_id(), &config, &screen_key)
            .await
        {
            Ok(row) => {
                tracing::info!(code = %row.code, by = principal.display_name(), "session created");
                return Ok(row);
            }
            Err(StoreError::Conflict) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ApiError::internal("no free join code after 16 draws"))
}

/// The public description of a session, with its links.
pub fn session_json(state: &Shared, row: &SessionRow) -> Value {
    let config: Value = serde_json::from_str(&row.config).unwrap_or(Value::Null);
    json!({
        "code": row.code,
        "title": config["title"],
        "lang": config["lang"],
        "activities": config["activities"],
        "deck": config["deck"],
        "bingo_mode": config["bingo_mode"],
        "created_at": row.created_at,
        "join_url": state.join_url(&row.code),
        "qr_url": format!("{}/qr/{}.svg", state.base_url, row.code),
        "screen_url": format!("{}/screen/{}?k={}", state.base_url, row.code, row.screen_key),
        "facilitator_url": format!("{}/f/s/{}", state.base_url, row.code),
    })
}

async fn create(
    State(state): State<Shared>,
    headers: HeaderMap,
    Authed(principal): Authed,
    ApiJson(new): ApiJson<NewSession>,
) -> Result<impl IntoResponse, ApiError> {
    if !origin_allowed(&state, &headers) {
        return Err(ApiError::forbidden());
    }
    let row = create_session(&state, &principal, new).await?;
    Ok((StatusCode::CREATED, Json(session_json(&state, &row))))
}

async fn list(
    State(state): State<Shared>,
    Authed(principal): Authed,
) -> Result<Json<Value>, ApiError> {
    let owner = if principal.is_organiser() {
        None
    } else {
        principal.user_id()
    };
    let rows = state.store.list_sessions(owner).await?;
    Ok(Json(
        json!({"sessions": rows.iter().map(|r| session_json(&state, r)).collect::<Vec<_>>()}),
    ))
}

async fn read(
    State(state): State<Shared>,
    Authed(principal): Authed,
    Path(code): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let row = state
        .store
        .session_by_code(&code)
        .await?
        .ok_or_else(|| ApiError::not_found("session"))?;
    if !principal.may_run(&row) {
        return Err(ApiError::not_found("session"));
    }
    Ok(Json(session_json(&state, &row)))
}

#[derive(Deserialize)]
struct Login {
    username: String,
    password: String,
}

/// Exchanges a username and password for an API token.
async fn login(
    State(state): State<Shared>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    ApiJson(login): ApiJson<Login>,
) -> Result<Json<Value>, ApiError> {
    let user = match state
        .sign_in(peer.ip(), &login.username, &login.password)
        .await?
    {
        SignIn::Welcome(user) => user,
        SignIn::Wrong => {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_credentials",
                "wrong username or password",
            ));
        }
        SignIn::Limited => {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "too many failed sign-ins; wait a few minutes",
            ));
        }
        SignIn::Busy => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "too many sign-ins at once; try again in a moment",
            ));
        }
    };
    let token = new_token();
    state
        .store
        .store_auth_token(&token, user.id, TokenKind::Api, API_TOKEN_TTL)
        .await?;
    Ok(Json(json!({"token": token})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    username: String,
    password: String,
}

/// Organisers create facilitator accounts.
async fn create_user(
    State(state): State<Shared>,
    headers: HeaderMap,
    Authed(principal): Authed,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<impl IntoResponse, ApiError> {
    if !principal.is_organiser() || !origin_allowed(&state, &headers) {
        return Err(ApiError::forbidden());
    }
    let username = new.username.trim();
    if username.is_empty() || username.chars().count() > USERNAME_MAX_CHARS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("the username must have 1 to {USERNAME_MAX_CHARS} characters"),
        ));
    }
    let hash = hash_password(username, &new.password)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string()))?;
    match state
        .store
        .create_user(username, &hash, Role::Facilitator)
        .await
    {
        Ok(user) => Ok((
            StatusCode::CREATED,
            Json(json!({"id": user.id, "username": user.username, "role": "facilitator"})),
        )),
        Err(StoreError::Conflict) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "taken",
            "this username is taken",
        )),
        Err(e) => Err(e.into()),
    }
}

/// The achievements a session may recognise (staff): `[{id, name: {fr, nl, en}, label}]`.
async fn list_achievements(
    State(state): State<Shared>,
    Authed(_): Authed,
) -> Result<Json<Value>, ApiError> {
    let list = state
        .issuer
        .achievement_configs()
        .await?
        .into_iter()
        .map(|(id, config)| {
            json!({
                "id": id,
                "name": {"fr": config.name.fr, "nl": config.name.nl, "en": config.name.en},
                "criteria": {"fr": config.criteria.fr, "nl": config.criteria.nl, "en": config.criteria.en},
            })
        })
        .collect();
    Ok(Json(Value::Array(list)))
}

/// Organisers add an achievement (texts of the workshop's badge to start from; edited on
/// `/o/issuer`).
async fn create_achievement(
    State(state): State<Shared>,
    headers: HeaderMap,
    Authed(principal): Authed,
) -> Result<impl IntoResponse, ApiError> {
    if !principal.is_organiser() || !origin_allowed(&state, &headers) {
        return Err(ApiError::forbidden());
    }
    let id = state.issuer.new_achievement().await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}

/// A deck's texts in one language, for phones (no definitions: see `Deck::client_view`).
/// Public and cacheable: it is the same for every participant.
async fn deck_texts(
    State(state): State<Shared>,
    Path((deck, file)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let lang = file
        .strip_suffix(".json")
        .and_then(Lang::parse)
        .ok_or_else(|| ApiError::not_found("language"))?;
    let deck = state
        .decks
        .get(&deck)
        .ok_or_else(|| ApiError::not_found("deck"))?;
    Ok((
        [(axum::http::header::CACHE_CONTROL, "public, max-age=600")],
        Json(deck.client_view(lang, false)),
    ))
}

/// Organisers erase one participant's personal data on request (RGPD).
async fn erase_participant(
    State(state): State<Shared>,
    headers: HeaderMap,
    Authed(principal): Authed,
    Path((code, pid)): Path<(String, u32)>,
) -> Result<Json<Value>, ApiError> {
    if !principal.is_organiser() || !origin_allowed(&state, &headers) {
        return Err(ApiError::forbidden());
    }
    state
        .store
        .session_by_code(&code)
        .await?
        .ok_or_else(|| ApiError::not_found("session"))?;
    state
        .rooms
        .erase(&code, Some(pid))
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(json!({"erased": true, "session": code, "pid": pid})))
}

async fn get_retention(
    State(state): State<Shared>,
    Authed(principal): Authed,
) -> Result<Json<Value>, ApiError> {
    if !principal.is_organiser() {
        return Err(ApiError::forbidden());
    }
    Ok(Json(
        json!({"days": crate::retention::retention_days(&state.store).await?}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Retention {
    days: u32,
}

async fn put_retention(
    State(state): State<Shared>,
    headers: HeaderMap,
    Authed(principal): Authed,
    ApiJson(body): ApiJson<Retention>,
) -> Result<Json<Value>, ApiError> {
    if !principal.is_organiser() || !origin_allowed(&state, &headers) {
        return Err(ApiError::forbidden());
    }
    if body.days > crate::retention::MAX_RETENTION_DAYS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            format!("at most {} days", crate::retention::MAX_RETENTION_DAYS),
        ));
    }
    crate::retention::set_retention_days(&state.store, body.days).await?;
    Ok(Json(json!({"days": body.days})))
}

/// Runs the retention job now (it also runs hourly); returns the sessions erased.
async fn run_retention(
    State(state): State<Shared>,
    headers: HeaderMap,
    Authed(principal): Authed,
) -> Result<Json<Value>, ApiError> {
    if !principal.is_organiser() || !origin_allowed(&state, &headers) {
        return Err(ApiError::forbidden());
    }
    let erased = crate::retention::run_once(&state.store, &state.rooms)
        .await
        .map_err(ApiError::internal)?;
    Ok(Json(json!({"erased": erased})))
}

/// A participant's right of access: what is stored about them, with their resume token as
/// `Authorization: Bearer` (the phone keeps it; `/me` shows it).
async fn personal_data(
    State(state): State<Shared>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "send this phone's participant token (the page /me does it for you)",
            )
        })?;
    // Erasure drops the participant's tokens: a person whose data was erased (or a phone that
    // never joined) is told so in their terms, not asked to sign in as staff.
    let (code, pid) = state
        .store
        .participant_for_token(token.trim())
        .await?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "no_participation",
                "nothing is stored about this phone: its data was erased, or it never joined a \
                 workshop",
            )
        })?;
    let room = state.rooms.get(&code).await.map_err(ApiError::internal)?;
    let mut data = room
        .personal_data(pid)
        .await
        .ok_or_else(|| ApiError::internal("the session is not available"))?;
    data["feedback"] = json!("anonymous: stored without your name, it cannot be linked to you");
    data["retention_days"] = json!(crate::retention::retention_days(&state.store).await?);
    Ok(Json(data))
}
