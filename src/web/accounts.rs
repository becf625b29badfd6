//! Accounts once they exist: organisers list, disable, re-enable and delete facilitators and
//! revoke their tokens (`/o/accounts` and the API); everyone changes their own password
//! (`/password`, `POST /api/password`) and signs out (`/logout`, `POST /api/logout`).
//!
//! Whatever takes a credential away also ends the live WebSockets opened with it: each staff
//! socket listens to its account's [`Revocations`] and checks its token again when told.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{delete, get, post};
use axum::{Form, Json, Router};
use axum_extra::extract::CookieJar;
use dashmap::DashMap;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::watch;

use super::organiser::organiser;
use super::pages::{internal, page_error, render, signed_in, tr};
use super::{ApiError, ApiJson, Authed, Shared, origin_allowed, token_from};
use crate::auth::{Principal, hash_password, verify_password};
use crate::i18n::Tr;
use crate::store::{Role, StoreError, TokenKind};

pub fn routes() -> Router<Shared> {
    Router::new()
        .route("/o/accounts", get(accounts_page))
        .route("/o/users", post(create_facilitator))
        .route("/o/users/{id}/{change}", post(change_account))
        .route("/password", get(password_page).post(change_password_form))
        .route("/api/users", get(list_users_api))
        .route("/api/users/{id}", delete(delete_user_api))
        .route("/api/users/{id}/disable", post(disable_api))
        .route("/api/users/{id}/enable", post(enable_api))
        .route("/api/users/{id}/tokens", delete(revoke_tokens_api))
        .route("/api/password", post(change_password_api))
        .route("/api/logout", post(logout_api))
}

/// A signal per account: bumped when a credential of that account is taken away (sign-out,
/// disabled, deleted, new password, tokens revoked). Staff sockets of the account then check
/// their own token again and close if it is gone.
#[derive(Default)]
pub struct Revocations {
    by_user: DashMap<i64, watch::Sender<u64>>,
}

impl Revocations {
    pub fn subscribe(&self, user_id: i64) -> watch::Receiver<u64> {
        self.by_user
            .entry(user_id)
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    pub fn revoke(&self, user_id: i64) {
        if let Some(sender) = self.by_user.get(&user_id) {
            sender.send_modify(|n| *n += 1);
        }
        // Nobody listening any more: forget the account.
        self.by_user
            .remove_if(&user_id, |_, sender| sender.receiver_count() == 0);
    }
}

struct UserItem {
    id: i64,
    username: String,
    role: String,
    facilitator: bool,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "organiser_accounts.html")]
struct AccountsPage<'a> {
    t: Tr<'a>,
    user: String,
    tab: &'static str,
    notice: Option<String>,
    error: Option<String>,
    users: Vec<UserItem>,
}

async fn accounts_with(
    state: &Shared,
    t: Tr<'_>,
    principal: &Principal,
    notice: Option<String>,
    error: Option<String>,
) -> Response {
    let accounts = match state.store.list_accounts().await {
        Ok(accounts) => accounts,
        Err(e) => return internal(t, e),
    };
    let users = accounts
        .into_iter()
        .map(|a| UserItem {
            id: a.user.id,
            facilitator: a.user.role == Role::Facilitator,
            disabled: a.disabled,
            username: a.user.username,
            role: t.get(if a.user.role == Role::Organiser {
                "role-organiser"
            } else {
                "role-facilitator"
            }),
        })
        .collect();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (
        status,
        render(&AccountsPage {
            t,
            user: principal.display_name().to_string(),
            tab: "accounts",
            notice,
            error,
            users,
        }),
    )
        .into_response()
}

async fn accounts_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    match organiser(&state, &headers, false).await {
        Ok(p) => accounts_with(&state, tr(&state, &headers, None), &p, None, None).await,
        Err(response) => response,
    }
}

#[derive(Deserialize)]
struct NewAccount {
    username: String,
    password: String,
}

async fn create_facilitator(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<NewAccount>,
) -> Response {
    let principal = match organiser(&state, &headers, true).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let t = tr(&state, &headers, None);
    let username = form.username.trim();
    if username.is_empty() || username.chars().count() > super::api::USERNAME_MAX_CHARS {
        return accounts_with(
            &state,
            t,
            &principal,
            None,
            Some(t.get("organiser-username-bad")),
        )
        .await;
    }
    let hash = match hash_password(username, &form.password) {
        Ok(hash) => hash,
        Err(e) => {
            return accounts_with(&state, t, &principal, None, Some(t.get(e.message_id()))).await;
        }
    };
    match state
        .store
        .create_user(username, &hash, Role::Facilitator)
        .await
    {
        Ok(_) => {
            let created = t.with("organiser-created", "name", username);
            accounts_with(&state, t, &principal, Some(created), None).await
        }
        Err(StoreError::Conflict) => {
            accounts_with(&state, t, &principal, None, Some(t.get("username-taken"))).await
        }
        Err(e) => internal(t, e),
    }
}

#[derive(Deserialize)]
struct Change {
    /// The box that confirms a deletion (a wrong click deletes nothing).
    #[serde(default)]
    confirm: Option<String>,
}

/// `POST /o/users/{id}/{disable|enable|delete|revoke}` from the accounts page.
async fn change_account(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((id, change)): Path<(i64, String)>,
    Form(form): Form<Change>,
) -> Response {
    let principal = match organiser(&state, &headers, true).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let t = tr(&state, &headers, None);
    let account = match state.store.account(id).await {
        Ok(Some(account)) if account.user.role == Role::Facilitator => account,
        Ok(_) => return page_error(t, StatusCode::NOT_FOUND, "error-not-found"),
        Err(e) => return internal(t, e),
    };
    let name = account.user.username.as_str();
    let (result, done) = match change.as_str() {
        "disable" => (state.store.set_disabled(id, true).await, "account-disabled"),
        "enable" => (state.store.set_disabled(id, false).await, "account-enabled"),
        "delete" if form.confirm.as_deref() == Some("yes") => {
            (state.store.delete_facilitator(id).await, "account-deleted")
        }
        "delete" => {
            let error = t.with("account-delete-confirm", "name", name);
            return accounts_with(&state, t, &principal, None, Some(error)).await;
        }
        "revoke" => (
            state.store.revoke_tokens(id).await.map(|_| true),
            "account-revoked",
        ),
        _ => return page_error(t, StatusCode::NOT_FOUND, "error-not-found"),
    };
    match result {
        Ok(_) => {
            state.revocations.revoke(id);
            tracing::info!(
                account = name,
                change,
                by = principal.display_name(),
                "account changed"
            );
            let notice = t.with(done, "name", name);
            accounts_with(&state, t, &principal, Some(notice), None).await
        }
        Err(e) => internal(t, e),
    }
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage<'a> {
    t: Tr<'a>,
    error: Option<String>,
    back: &'static str,
}

fn back_to(principal: &Principal) -> &'static str {
    if principal.is_organiser() { "/o" } else { "/f" }
}

async fn password_page(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let principal = match signed_in(&state, &headers).await {
        Ok(p) => p,
        Err(redirect) => return redirect,
    };
    let t = tr(&state, &headers, None);
    render(&PasswordPage {
        t,
        error: None,
        back: back_to(&principal),
    })
}

#[derive(Deserialize)]
struct NewPassword {
    current: String,
    new: String,
}

/// Why a password change was refused: a message id for pages, a code for the API.
enum Refusal {
    WrongCurrent,
    Weak(crate::auth::AuthError),
    NoAccount,
    Store(StoreError),
}

/// Checks the current password, stores the new one and revokes every token of the account
/// (the caller signs in again, or gets a fresh cookie from the page).
async fn change_password(
    state: &Shared,
    principal: &Principal,
    form: &NewPassword,
) -> Result<i64, Refusal> {
    let Principal::User(user) = principal else {
        return Err(Refusal::NoAccount);
    };
    let stored = state
        .store
        .password_hash(user.id)
        .await
        .map_err(Refusal::Store)?
        .ok_or(Refusal::NoAccount)?;
    let current = form.current.clone();
    let matches = match state.password_checks.acquire().await {
        Ok(_turn) => tokio::task::spawn_blocking(move || verify_password(&current, &stored))
            .await
            .unwrap_or(false),
        Err(_) => false,
    };
    if !matches {
        return Err(Refusal::WrongCurrent);
    }
    let hash = hash_password(&user.username, &form.new).map_err(Refusal::Weak)?;
    state
        .store
        .set_password(user.id, &hash)
        .await
        .map_err(Refusal::Store)?;
    state.revocations.revoke(user.id);
    tracing::info!(account = %user.username, "password changed");
    Ok(user.id)
}

async fn change_password_form(
    State(state): State<Shared>,
    headers: HeaderMap,
    jar: CookieJar,
    Form(form): Form<NewPassword>,
) -> Response {
    let t = tr(&state, &headers, None);
    if !origin_allowed(&state, &headers) {
        return page_error(t, StatusCode::FORBIDDEN, "error-refused");
    }
    let principal = match signed_in(&state, &headers).await {
        Ok(p) => p,
        Err(redirect) => return redirect,
    };
    let again = |status: StatusCode, id: &str| {
        (
            status,
            render(&PasswordPage {
                t,
                error: Some(t.get(id)),
                back: back_to(&principal),
            }),
        )
            .into_response()
    };
    match change_password(&state, &principal, &form).await {
        Ok(user_id) => {
            // Every other device is signed out; this browser gets a fresh cookie.
            let token = crate::auth::new_token();
            if let Err(e) = state
                .store
                .store_auth_token(&token, user_id, TokenKind::Cookie, super::pages::COOKIE_TTL)
                .await
            {
                return internal(t, e);
            }
            (
                jar.add(super::pages::session_cookie(&state, token)),
                Redirect::to(&format!("{}?done=password", back_to(&principal))),
            )
                .into_response()
        }
        Err(Refusal::WrongCurrent) => again(StatusCode::FORBIDDEN, "password-current-wrong"),
        Err(Refusal::Weak(e)) => again(StatusCode::UNPROCESSABLE_ENTITY, e.message_id()),
        Err(Refusal::NoAccount) => page_error(t, StatusCode::FORBIDDEN, "error-refused"),
        Err(Refusal::Store(e)) => internal(t, e),
    }
}

async fn change_password_api(
    State(state): State<Shared>,
    Authed(principal): Authed,
    ApiJson(form): ApiJson<NewPassword>,
) -> Result<Json<Value>, ApiError> {
    match change_password(&state, &principal, &form).await {
        Ok(_) => Ok(Json(json!({"changed": true, "tokens_revoked": true}))),
        Err(Refusal::WrongCurrent) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "wrong_password",
            "the current password is not right",
        )),
        Err(Refusal::Weak(e)) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            e.code(),
            e.to_string(),
        )),
        Err(Refusal::NoAccount) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "no_account",
            "the admin token has no password",
        )),
        Err(Refusal::Store(e)) => Err(e.into()),
    }
}

/// Revokes the token the request was made with (an API token, or the session cookie).
async fn logout_api(
    State(state): State<Shared>,
    headers: HeaderMap,
    Authed(principal): Authed,
) -> Result<StatusCode, ApiError> {
    let Some(user_id) = principal.user_id() else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "no_account",
            "the admin token is revoked by restarting without it",
        ));
    };
    if let Some(token) = token_from(&headers) {
        state.store.delete_auth_token(&token).await?;
    }
    state.revocations.revoke(user_id);
    Ok(StatusCode::NO_CONTENT)
}

fn organiser_only(principal: &Principal) -> Result<(), ApiError> {
    if principal.is_organiser() {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

fn account_json(account: &crate::store::accounts::Account) -> Value {
    json!({
        "id": account.user.id,
        "username": account.user.username,
        "role": account.user.role.as_str(),
        "disabled": account.disabled,
    })
}

async fn list_users_api(
    State(state): State<Shared>,
    Authed(principal): Authed,
) -> Result<Json<Value>, ApiError> {
    organiser_only(&principal)?;
    let accounts = state.store.list_accounts().await?;
    Ok(Json(json!({
        "users": accounts.iter().map(account_json).collect::<Vec<_>>()
    })))
}

/// A facilitator's account by id, for the organiser's changes.
async fn facilitator(state: &Shared, id: i64) -> Result<crate::store::accounts::Account, ApiError> {
    match state.store.account(id).await? {
        Some(account) if account.user.role == Role::Facilitator => Ok(account),
        _ => Err(ApiError::not_found("facilitator account")),
    }
}

async fn disable_api(
    State(state): State<Shared>,
    Authed(principal): Authed,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    organiser_only(&principal)?;
    facilitator(&state, id).await?;
    state.store.set_disabled(id, true).await?;
    state.revocations.revoke(id);
    Ok(Json(account_json(&facilitator(&state, id).await?)))
}

async fn enable_api(
    State(state): State<Shared>,
    Authed(principal): Authed,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    organiser_only(&principal)?;
    facilitator(&state, id).await?;
    state.store.set_disabled(id, false).await?;
    Ok(Json(account_json(&facilitator(&state, id).await?)))
}

async fn delete_user_api(
    State(state): State<Shared>,
    Authed(principal): Authed,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    organiser_only(&principal)?;
    facilitator(&state, id).await?;
    state.store.delete_facilitator(id).await?;
    state.revocations.revoke(id);
    Ok(StatusCode::NO_CONTENT)
}

async fn revoke_tokens_api(
    State(state): State<Shared>,
    Authed(principal): Authed,
    Path(id): Path<i64>,
) -> Result<Json<Value>, ApiError> {
    organiser_only(&principal)?;
    let account = state.store.account(id).await?;
    if account.is_none() {
        return Err(ApiError::not_found("account"));
    }
    let revoked = state.store.revoke_tokens(id).await?;
    state.revocations.revoke(id);
    Ok(Json(json!({"revoked": revoked})))
}
