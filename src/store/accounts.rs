//! Managing accounts after they exist: disabling, deleting, new passwords, revoking tokens.
//! Each change that takes a credential away deletes the account's tokens in the same
//! transaction: a cookie or API token never outlives the right it stood for.

use sqlx::Row;

use super::{Result, Role, Store, User, user_from_row};

/// An account as the organiser's list shows it.
#[derive(Debug, Clone)]
pub struct Account {
    pub user: User,
    pub disabled: bool,
}

fn account_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Account> {
    Ok(Account {
        user: user_from_row(row)?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
    })
}

impl Store {
    pub async fn list_accounts(&self) -> Result<Vec<Account>> {
        sqlx::query("SELECT id, username, role, disabled FROM users ORDER BY username")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(account_from_row)
            .collect()
    }

    pub async fn account(&self, id: i64) -> Result<Option<Account>> {
        sqlx::query("SELECT id, username, role, disabled FROM users WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .as_ref()
            .map(account_from_row)
            .transpose()
    }

    /// Disables (and revokes every token of) or re-enables a facilitator's account; false when
    /// there is no such facilitator (organisers are not disabled this way: the last one would
    /// lock the organisation out).
    pub async fn set_disabled(&self, id: i64, disabled: bool) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query("UPDATE users SET disabled = ? WHERE id = ? AND role = ?")
            .bind(i64::from(disabled))
            .bind(id)
            .bind(Role::Facilitator.as_str())
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        if changed && disabled {
            sqlx::query("DELETE FROM auth_tokens WHERE user_id = ?")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// Deletes a facilitator's account: its tokens go with it, its sessions stay (without an
    /// owner: organisers still run and see them).
    pub async fn delete_facilitator(&self, id: i64) -> Result<bool> {
        Ok(sqlx::query("DELETE FROM users WHERE id = ? AND role = ?")
            .bind(id)
            .bind(Role::Facilitator.as_str())
            .execute(&self.pool)
            .await?
            .rows_affected()
            > 0)
    }

    /// A new password hash; every token of the account is revoked with the old password.
    pub async fn set_password(&self, id: i64, password_hash: &str) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let changed = sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            > 0;
        sqlx::query("DELETE FROM auth_tokens WHERE user_id = ?")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// The stored password hash of an account (to check the current password before a change).
    pub async fn password_hash(&self, id: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT password_hash FROM users WHERE id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Revokes every token (cookies and API tokens) of an account; how many there were.
    pub async fn revoke_tokens(&self, id: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM auth_tokens WHERE user_id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected())
    }
}
