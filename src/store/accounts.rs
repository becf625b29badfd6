//! Accounts: creating them, signing in (passwords, cookies and API tokens, the first
//! organiser's one-time link), and managing them after they exist: disabling, deleting, new
//! passwords, revoking tokens. Each change that takes a credential away deletes the account's
//! tokens in the same transaction: a cookie or API token never outlives the right it stood for.

use std::time::Duration;

use super::StoreRow;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Result, Role, Store, StoreError, TokenKind, User, hash_token, now_rfc3339};

/// An account as the organiser's list shows it.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: User,
    pub disabled: bool,
}

fn account_from_row(row: &impl StoreRow) -> Result<Account> {
    Ok(Account {
        user: user_from_row(row)?,
        disabled: row.col::<i64>("disabled")? != 0,
    })
}

impl Store {
    pub async fn list_accounts(&self) -> Result<Vec<Account>> {
        on_db!(self, |pool, dialect| {
            sqlx::query(dialect.pick(
                "SELECT id, username, role, disabled FROM users ORDER BY username",
                "SELECT id, username, role, disabled FROM users ORDER BY lower(username), username",
            ))
            .fetch_all(pool)
            .await?
            .iter()
            .map(account_from_row)
            .collect()
        })
    }

    pub async fn account(&self, id: i64) -> Result<Option<Account>> {
        on_db!(self, |pool| {
            sqlx::query("SELECT id, username, role, disabled FROM users WHERE id = $1")
                .bind(id)
                .fetch_optional(pool)
                .await?
                .as_ref()
                .map(account_from_row)
                .transpose()
        })
    }

    /// Disables (and revokes every token of) or re-enables a facilitator's account; false when
    /// there is no such facilitator (organisers are not disabled this way: the last one would
    /// lock the organisation out).
    pub async fn set_disabled(&self, id: i64, disabled: bool) -> Result<bool> {
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2 AND role = $3")
                .bind(i64::from(disabled))
                .bind(id)
                .bind(Role::Facilitator.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
            if changed && disabled {
                sqlx::query("DELETE FROM auth_tokens WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(changed)
        })
    }

    /// Deletes a facilitator's account: its tokens go with it, its sessions stay (without an
    /// owner: organisers still run and see them).
    pub async fn delete_facilitator(&self, id: i64) -> Result<bool> {
        on_db!(self, |pool| {
            Ok(sqlx::query("DELETE FROM users WHERE id = $1 AND role = $2")
                .bind(id)
                .bind(Role::Facilitator.as_str())
                .execute(pool)
                .await?
                .rows_affected()
                > 0)
        })
    }

    /// A new password hash; every token of the account is revoked with the old password.
    pub async fn set_password(&self, id: i64, password_hash: &str) -> Result<bool> {
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            let changed = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                .bind(password_hash)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
            sqlx::query("DELETE FROM auth_tokens WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(changed)
        })
    }

    /// The stored password hash of an account (to check the current password before a change).
    pub async fn password_hash(&self, id: i64) -> Result<Option<String>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                    .bind(id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// Revokes every token (cookies and API tokens) of an account; how many there were.
    pub async fn revoke_tokens(&self, id: i64) -> Result<u64> {
        on_db!(self, |pool| {
            Ok(sqlx::query("DELETE FROM auth_tokens WHERE user_id = $1")
                .bind(id)
                .execute(pool)
                .await?
                .rows_affected())
        })
    }
}

/// How long a one-time sign-in link works.
pub const SIGNIN_LINK_TTL: time::Duration = time::Duration::hours(1);

/// The conditions of a link that still works (the cutoff is bound to the placeholder given);
/// a macro so that the SQL stays a literal.
macro_rules! signin_link_live {
    ($cutoff:literal) => {
        concat!(
            "used_at IS NULL AND created_at > ",
            $cutoff,
            " AND NOT EXISTS (SELECT 1 FROM users WHERE role = 'organiser')"
        )
    };
}

fn signin_link_cutoff() -> String {
    (OffsetDateTime::now_utc() - SIGNIN_LINK_TTL)
        .format(&Rfc3339)
        .unwrap_or_default()
}

impl Store {
    pub async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<User> {
        on_db!(self, |pool| {
            let result: std::result::Result<i64, _> = sqlx::query_scalar(
                "INSERT INTO users (username, password_hash, role, created_at)
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(username)
            .bind(password_hash)
            .bind(role.as_str())
            .bind(now_rfc3339())
            .fetch_one(pool)
            .await;
            if result.is_ok() && role == Role::Organiser {
                // An organiser exists: no sign-in link may make another.
                sqlx::query("DELETE FROM signin_links WHERE used_at IS NULL")
                    .execute(pool)
                    .await?;
            }
            match result {
                Ok(id) => Ok(User {
                    id,
                    username: username.to_string(),
                    role,
                }),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    Err(StoreError::Conflict)
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    /// The user and their password hash, for sign-in.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<(User, String)>> {
        on_db!(self, |pool, dialect| {
            // SQLite's column compares without case (COLLATE NOCASE); PostgreSQL's unique
            // index is on lower(username).
            let row = sqlx::query(dialect.pick(
                "SELECT id, username, role, password_hash FROM users
                 WHERE username = $1 AND disabled = 0",
                "SELECT id, username, role, password_hash FROM users
                 WHERE lower(username) = lower($1) AND disabled = 0",
            ))
            .bind(username)
            .fetch_optional(pool)
            .await?;
            row.map(|r| Ok((user_from_row(&r)?, r.col("password_hash")?)))
                .transpose()
        })
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        on_db!(self, |pool, dialect| {
            sqlx::query(dialect.pick(
                "SELECT id, username, role FROM users ORDER BY username",
                "SELECT id, username, role FROM users ORDER BY lower(username), username",
            ))
            .fetch_all(pool)
            .await?
            .iter()
            .map(user_from_row)
            .collect()
        })
    }

    pub async fn count_users(&self, role: Role) -> Result<i64> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = $1")
                    .bind(role.as_str())
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    pub async fn store_auth_token(
        &self,
        token: &str,
        user_id: i64,
        kind: TokenKind,
        ttl: Duration,
    ) -> Result<()> {
        on_db!(self, |pool| {
            let expires = OffsetDateTime::now_utc() + ttl;
            sqlx::query("INSERT INTO auth_tokens (token_hash, user_id, kind, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(hash_token(token))
            .bind(user_id)
            .bind(match kind {
                TokenKind::Cookie => "cookie",
                TokenKind::Api => "api",
            })
            .bind(now_rfc3339())
            .bind(expires.format(&Rfc3339).unwrap_or_default())
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// The user a cookie or API token belongs to, if it exists and has not expired.
    pub async fn user_for_token(&self, token: &str) -> Result<Option<User>> {
        on_db!(self, |pool| {
            let row = sqlx::query(
            "SELECT u.id, u.username, u.role FROM auth_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = $1 AND t.expires_at > $2 AND u.disabled = 0",
        )
        .bind(hash_token(token))
        .bind(now_rfc3339())
        .fetch_optional(pool)
        .await?;
            row.as_ref().map(user_from_row).transpose()
        })
    }

    pub async fn delete_auth_token(&self, token: &str) -> Result<()> {
        on_db!(self, |pool| {
            sqlx::query("DELETE FROM auth_tokens WHERE token_hash = $1")
                .bind(hash_token(token))
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    /// Stores a new one-time sign-in link; every older unused link is void from then on (the
    /// printed link is the only one that works).
    pub async fn store_signin_link(&self, token: &str) -> Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM signin_links WHERE used_at IS NULL")
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO signin_links (token_hash, created_at) VALUES ($1, $2)")
                .bind(hash_token(token))
                .bind(now_rfc3339())
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Whether a one-time sign-in link still works: unused, younger than
    /// [`SIGNIN_LINK_TTL`], and no organiser exists yet (once there is one, every link is void).
    pub async fn signin_link_valid(&self, token: &str) -> Result<bool> {
        on_db!(self, |pool| {
            let found: Option<i32> = sqlx::query_scalar(concat!(
                "SELECT 1 FROM signin_links WHERE token_hash = $1 AND ",
                signin_link_live!("$2")
            ))
            .bind(hash_token(token))
            .bind(signin_link_cutoff())
            .fetch_optional(pool)
            .await?;
            Ok(found.is_some())
        })
    }

    /// Uses up a sign-in link and creates the organiser account, atomically: a link
    /// opened twice cannot create two organisers.
    pub async fn redeem_signin_link(
        &self,
        token: &str,
        username: &str,
        password_hash: &str,
    ) -> Result<Option<User>> {
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            let used = sqlx::query(concat!(
                "UPDATE signin_links SET used_at = $1 WHERE token_hash = $2 AND ",
                signin_link_live!("$3")
            ))
            .bind(now_rfc3339())
            .bind(hash_token(token))
            .bind(signin_link_cutoff())
            .execute(&mut *tx)
            .await?;
            if used.rows_affected() != 1 {
                return Ok(None);
            }
            let inserted: std::result::Result<i64, _> = sqlx::query_scalar(
                "INSERT INTO users (username, password_hash, role, created_at)
                 VALUES ($1, $2, 'organiser', $3) RETURNING id",
            )
            .bind(username)
            .bind(password_hash)
            .bind(now_rfc3339())
            .fetch_one(&mut *tx)
            .await;
            let id = match inserted {
                Ok(id) => id,
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Err(StoreError::Conflict);
                }
                Err(e) => return Err(e.into()),
            };
            tx.commit().await?;
            Ok(Some(User {
                id,
                username: username.to_string(),
                role: Role::Organiser,
            }))
        })
    }
}

fn user_from_row(r: &impl StoreRow) -> Result<User> {
    Ok(User {
        id: r.col("id")?,
        username: r.col("username")?,
        role: Role::parse(&r.col::<String>("role")?)?,
    })
}
