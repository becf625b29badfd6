//! Badges: the issuer's settings, achievements, issued badges, the status list's counter, and
//! the badge desk's claim codes.

use sqlx::Row;

use super::{Result, Store, StoreError, now_rfc3339};

/// `SELECT … FROM badges` followed by a literal clause, as one static (audited) string.
macro_rules! select_badges {
    ($clause:literal) => {
        concat!(
            "SELECT id, achievement_id, session_id, pid, recipient_name, status_index, credential, issued_at, revoked_at, lang, public_page FROM badges ",
            $clause
        )
    };
}

/// One issued badge as stored.
#[derive(Debug, Clone)]
pub struct BadgeRow {
    pub id: String,
    pub achievement_id: String,
    pub session_id: Option<i64>,
    pub pid: Option<u32>,
    pub recipient_name: Option<String>,
    pub status_index: Option<u64>,
    pub credential: Option<String>,
    pub issued_at: String,
    pub revoked_at: Option<String>,
    /// Language the badge was issued in (`None` for badges from before it was recorded).
    pub lang: Option<String>,
    /// Whether its public page is shown (hosted only; the participant may opt out).
    pub public_page: bool,
}

/// A badge about to be stored.
#[derive(Debug, Clone)]
pub struct NewBadge<'a> {
    pub id: &'a str,
    pub achievement_id: &'a str,
    pub session_id: Option<i64>,
    pub pid: Option<u32>,
    pub recipient_name: &'a str,
    pub status_index: Option<u64>,
    pub credential: &'a str,
    pub lang: &'a str,
}

#[derive(Debug, Clone)]
pub struct AchievementRow {
    pub id: String,
    pub spec: String,
    pub image: Option<(Vec<u8>, String)>,
}

impl Store {
    // ---- settings ---------------------------------------------------------------------

    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM settings WHERE key = ?")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- achievements -------------------------------------------------------------------

    pub async fn insert_achievement(&self, id: &str, spec: &str) -> Result<()> {
        sqlx::query("INSERT INTO achievements (id, spec, created_at) VALUES (?, ?, ?)")
            .bind(id)
            .bind(spec)
            .bind(now_rfc3339())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn update_achievement(&self, id: &str, spec: &str) -> Result<bool> {
        let done = sqlx::query("UPDATE achievements SET spec = ? WHERE id = ?")
            .bind(spec)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_achievement_image(
        &self,
        id: &str,
        image: Option<(&[u8], &str)>,
    ) -> Result<bool> {
        let done = sqlx::query("UPDATE achievements SET image = ?, image_type = ? WHERE id = ?")
            .bind(image.map(|(bytes, _)| bytes))
            .bind(image.map(|(_, kind)| kind))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn achievement(&self, id: &str) -> Result<Option<AchievementRow>> {
        let row = sqlx::query("SELECT id, spec, image, image_type FROM achievements WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(achievement_from_row).transpose()
    }

    /// Achievements, oldest first (the first one is the default).
    pub async fn achievements(&self) -> Result<Vec<AchievementRow>> {
        sqlx::query("SELECT id, spec, image, image_type FROM achievements ORDER BY created_at, id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(achievement_from_row)
            .collect()
    }

    // ---- badges -------------------------------------------------------------------------

    /// Reserves the next free position in the status list: one atomic statement, so that
    /// any number of concurrent issues get distinct positions.
    pub async fn reserve_status_index(&self) -> Result<u64> {
        let index: i64 = sqlx::query_scalar(
            "UPDATE status_counter SET next_index = next_index + 1 WHERE id = 1
             RETURNING next_index - 1",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(index as u64)
    }

    /// How many status-list positions were reserved (the next one to give out).
    pub async fn status_positions(&self) -> Result<u64> {
        let next: i64 = sqlx::query_scalar("SELECT next_index FROM status_counter WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(next as u64)
    }

    /// Moves the counter past every stored index (after `StatusIndexTaken`).
    pub async fn resync_status_counter(&self) -> Result<()> {
        sqlx::query(
            "UPDATE status_counter SET next_index = MAX(next_index,
                 COALESCE((SELECT MAX(status_index) + 1 FROM badges), 0)) WHERE id = 1",
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn insert_badge(&self, badge: &NewBadge<'_>) -> Result<()> {
        let result = sqlx::query(
            "INSERT INTO badges (id, achievement_id, session_id, pid, recipient_name, status_index, credential, issued_at, lang)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(badge.id)
        .bind(badge.achievement_id)
        .bind(badge.session_id)
        .bind(badge.pid.map(i64::from))
        .bind(badge.recipient_name)
        .bind(badge.status_index.map(|i| i as i64))
        .bind(badge.credential)
        .bind(now_rfc3339())
        .bind(badge.lang)
        .execute(&self.pool)
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(e))
                if e.is_unique_violation() && e.message().contains("status_index") =>
            {
                Err(StoreError::StatusIndexTaken(
                    badge.status_index.unwrap_or_default(),
                ))
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict),
            Err(e) => Err(e.into()),
        }
    }

    /// Shows or hides a badge's public page; false when there is no such badge.
    pub async fn set_badge_public(&self, id: &str, public: bool) -> Result<bool> {
        let done = sqlx::query("UPDATE badges SET public_page = ? WHERE id = ?")
            .bind(i64::from(public))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    pub async fn badge(&self, id: &str) -> Result<Option<BadgeRow>> {
        let row = sqlx::query(select_badges!("WHERE id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(badge_from_row).transpose()
    }

    /// Badges newest first; of one session when given.
    pub async fn badges(&self, session_id: Option<i64>) -> Result<Vec<BadgeRow>> {
        let rows = match session_id {
            Some(id) => {
                sqlx::query(select_badges!(
                    "WHERE session_id = ? ORDER BY issued_at DESC, id"
                ))
                .bind(id)
                .fetch_all(&self.pool)
                .await?
            }
            None => {
                sqlx::query(select_badges!("ORDER BY issued_at DESC, id"))
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(badge_from_row).collect()
    }

    /// Marks a badge revoked; false if unknown or already revoked.
    pub async fn revoke_badge(&self, id: &str) -> Result<bool> {
        let done =
            sqlx::query("UPDATE badges SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(now_rfc3339())
                .bind(id)
                .execute(&self.pool)
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Status-list positions of revoked badges.
    pub async fn revoked_indexes(&self) -> Result<Vec<u64>> {
        let rows: Vec<i64> = sqlx::query_scalar("SELECT status_index FROM badges WHERE revoked_at IS NOT NULL AND status_index IS NOT NULL ORDER BY status_index")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|i| i as u64).collect())
    }

    /// The session (id, code) a claim code opens, with its end of validity.
    pub async fn claim_code(&self, code: &str) -> Result<Option<(i64, String, String)>> {
        let row = sqlx::query(
            "SELECT c.session_id, s.code, c.valid_until FROM claim_codes c JOIN sessions s ON s.id = c.session_id WHERE c.code = ?",
        )
        .bind(code)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok((
                r.try_get("session_id")?,
                r.try_get("code")?,
                r.try_get("valid_until")?,
            ))
        })
        .transpose()
    }

    /// The badge a participant of a session already has, if any (signing is idempotent).
    pub async fn badge_of(&self, session_id: i64, pid: u32) -> Result<Option<BadgeRow>> {
        let row = sqlx::query(select_badges!(
            "WHERE session_id = ? AND pid = ? ORDER BY issued_at LIMIT 1"
        ))
        .bind(session_id)
        .bind(i64::from(pid))
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(badge_from_row).transpose()
    }
}

fn badge_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<BadgeRow> {
    Ok(BadgeRow {
        id: r.try_get("id")?,
        achievement_id: r.try_get("achievement_id")?,
        session_id: r.try_get("session_id")?,
        pid: r.try_get::<Option<i64>, _>("pid")?.map(|p| p as u32),
        recipient_name: r.try_get("recipient_name")?,
        status_index: r
            .try_get::<Option<i64>, _>("status_index")?
            .map(|i| i as u64),
        credential: r.try_get("credential")?,
        issued_at: r.try_get("issued_at")?,
        revoked_at: r.try_get("revoked_at")?,
        lang: r.try_get("lang")?,
        public_page: r.try_get::<i64, _>("public_page")? != 0,
    })
}

fn achievement_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<AchievementRow> {
    let image: Option<Vec<u8>> = r.try_get("image")?;
    let kind: Option<String> = r.try_get("image_type")?;
    Ok(AchievementRow {
        id: r.try_get("id")?,
        spec: r.try_get("spec")?,
        image: image.zip(kind),
    })
}
