//! Badges: the issuer's settings, achievements, issued badges, the status list's counter, and
//! the badge desk's claim codes.

use super::StoreRow;

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
        on_db!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                    .bind(key)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    pub async fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        on_db!(self, |pool| {
            sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    // ---- achievements -------------------------------------------------------------------

    pub async fn insert_achievement(&self, id: &str, spec: &str) -> Result<()> {
        on_db!(self, |pool| {
            sqlx::query("INSERT INTO achievements (id, spec, created_at) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(spec)
                .bind(now_rfc3339())
                .execute(pool)
                .await?;
            Ok(())
        })
    }

    pub async fn update_achievement(&self, id: &str, spec: &str) -> Result<bool> {
        on_db!(self, |pool| {
            let done = sqlx::query("UPDATE achievements SET spec = $1 WHERE id = $2")
                .bind(spec)
                .bind(id)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn set_achievement_image(
        &self,
        id: &str,
        image: Option<(&[u8], &str)>,
    ) -> Result<bool> {
        on_db!(self, |pool| {
            let done =
                sqlx::query("UPDATE achievements SET image = $1, image_type = $2 WHERE id = $3")
                    .bind(image.map(|(bytes, _)| bytes))
                    .bind(image.map(|(_, kind)| kind))
                    .bind(id)
                    .execute(pool)
                    .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    pub async fn achievement(&self, id: &str) -> Result<Option<AchievementRow>> {
        on_db!(self, |pool| {
            let row =
                sqlx::query("SELECT id, spec, image, image_type FROM achievements WHERE id = $1")
                    .bind(id)
                    .fetch_optional(pool)
                    .await?;
            row.as_ref().map(achievement_from_row).transpose()
        })
    }

    /// Achievements, oldest first (the first one is the default).
    pub async fn achievements(&self) -> Result<Vec<AchievementRow>> {
        on_db!(self, |pool| {
            sqlx::query(
                "SELECT id, spec, image, image_type FROM achievements ORDER BY created_at, id",
            )
            .fetch_all(pool)
            .await?
            .iter()
            .map(achievement_from_row)
            .collect()
        })
    }

    // ---- badges -------------------------------------------------------------------------

    /// Reserves the next free position in the status list: one atomic statement, so that
    /// any number of concurrent issues get distinct positions.
    pub async fn reserve_status_index(&self) -> Result<u64> {
        on_db!(self, |pool| {
            let index: i64 = sqlx::query_scalar(
                "UPDATE status_counter SET next_index = next_index + 1 WHERE id = 1
             RETURNING next_index - 1",
            )
            .fetch_one(pool)
            .await?;
            Ok(index as u64)
        })
    }

    /// How many status-list positions were reserved (the next one to give out).
    pub async fn status_positions(&self) -> Result<u64> {
        on_db!(self, |pool| {
            let next: i64 =
                sqlx::query_scalar("SELECT next_index FROM status_counter WHERE id = 1")
                    .fetch_one(pool)
                    .await?;
            Ok(next as u64)
        })
    }

    /// Moves the counter past every stored index (after `StatusIndexTaken`).
    pub async fn resync_status_counter(&self) -> Result<()> {
        on_db!(self, |pool, dialect| {
            sqlx::query(dialect.pick(
                "UPDATE status_counter SET next_index = MAX(next_index,
                 COALESCE((SELECT MAX(status_index) + 1 FROM badges), 0)) WHERE id = 1",
                "UPDATE status_counter SET next_index = GREATEST(next_index,
                 COALESCE((SELECT MAX(status_index) + 1 FROM badges), 0)) WHERE id = 1",
            ))
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    pub async fn insert_badge(&self, badge: &NewBadge<'_>) -> Result<()> {
        on_db!(self, |pool| {
            let result = sqlx::query(
            "INSERT INTO badges (id, achievement_id, session_id, pid, recipient_name, status_index, credential, issued_at, lang)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
        .execute(pool)
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
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    Err(StoreError::Conflict)
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    /// Shows or hides a badge's public page; false when there is no such badge.
    pub async fn set_badge_public(&self, id: &str, public: bool) -> Result<bool> {
        on_db!(self, |pool| {
            let done = sqlx::query("UPDATE badges SET public_page = $1 WHERE id = $2")
                .bind(i64::from(public))
                .bind(id)
                .execute(pool)
                .await?;
            Ok(done.rows_affected() > 0)
        })
    }

    pub async fn badge(&self, id: &str) -> Result<Option<BadgeRow>> {
        on_db!(self, |pool| {
            let row = sqlx::query(select_badges!("WHERE id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?;
            row.as_ref().map(badge_from_row).transpose()
        })
    }

    /// Badges newest first; of one session when given.
    pub async fn badges(&self, session_id: Option<i64>) -> Result<Vec<BadgeRow>> {
        on_db!(self, |pool| {
            let rows = match session_id {
                Some(id) => {
                    sqlx::query(select_badges!(
                        "WHERE session_id = $1 ORDER BY issued_at DESC, id"
                    ))
                    .bind(id)
                    .fetch_all(pool)
                    .await?
                }
                None => {
                    sqlx::query(select_badges!("ORDER BY issued_at DESC, id"))
                        .fetch_all(pool)
                        .await?
                }
            };
            rows.iter().map(badge_from_row).collect()
        })
    }

    /// Marks a badge revoked; false if unknown or already revoked.
    pub async fn revoke_badge(&self, id: &str) -> Result<bool> {
        on_db!(self, |pool| {
            let done = sqlx::query(
                "UPDATE badges SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            )
            .bind(now_rfc3339())
            .bind(id)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        })
    }

    /// Status-list positions of revoked badges.
    pub async fn revoked_indexes(&self) -> Result<Vec<u64>> {
        on_db!(self, |pool| {
            let rows: Vec<i64> = sqlx::query_scalar("SELECT status_index FROM badges WHERE revoked_at IS NOT NULL AND status_index IS NOT NULL ORDER BY status_index")
            .fetch_all(pool)
            .await?;
            Ok(rows.into_iter().map(|i| i as u64).collect())
        })
    }

    /// The session (id, code) a claim code opens, with its end of validity.
    pub async fn claim_code(&self, code: &str) -> Result<Option<(i64, String, String)>> {
        on_db!(self, |pool| {
            let row = sqlx::query(
            "SELECT c.session_id, s.code, c.valid_until FROM claim_codes c JOIN sessions s ON s.id = c.session_id WHERE c.code = $1",
        )
        .bind(code)
        .fetch_optional(pool)
        .await?;
            row.map(|r| Ok((r.col("session_id")?, r.col("code")?, r.col("valid_until")?)))
                .transpose()
        })
    }

    /// The badge a participant of a session already has, if any (signing is idempotent).
    pub async fn badge_of(&self, session_id: i64, pid: u32) -> Result<Option<BadgeRow>> {
        on_db!(self, |pool| {
            let row = sqlx::query(select_badges!(
                "WHERE session_id = $1 AND pid = $2 ORDER BY issued_at LIMIT 1"
            ))
            .bind(session_id)
            .bind(i64::from(pid))
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(badge_from_row).transpose()
        })
    }
}

fn badge_from_row(r: &impl StoreRow) -> Result<BadgeRow> {
    Ok(BadgeRow {
        id: r.col("id")?,
        achievement_id: r.col("achievement_id")?,
        session_id: r.col("session_id")?,
        pid: r.col::<Option<i64>>("pid")?.map(|p| p as u32),
        recipient_name: r.col("recipient_name")?,
        status_index: r.col::<Option<i64>>("status_index")?.map(|i| i as u64),
        credential: r.col("credential")?,
        issued_at: r.col("issued_at")?,
        revoked_at: r.col("revoked_at")?,
        lang: r.col("lang")?,
        public_page: r.col::<i64>("public_page")? != 0,
    })
}

fn achievement_from_row(r: &impl StoreRow) -> Result<AchievementRow> {
    let image: Option<Vec<u8>> = r.col("image")?;
    let kind: Option<String> = r.col("image_type")?;
    Ok(AchievementRow {
        id: r.col("id")?,
        spec: r.col("spec")?,
        image: image.zip(kind),
    })
}
