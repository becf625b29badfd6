//! Anonymous feedback and the organiser's per-session figures.
//!
//! A feedback row holds no name, e-mail or participant id, and only the day it was given; who
//! already answered is kept apart in `feedback_given`, only to refuse a second answer, and the
//! two tables are never joined.

use std::collections::BTreeMap;

use super::StoreRow;
use time::OffsetDateTime;

use super::{Result, Store, StoreError};

/// A feedback about to be stored; `pid` goes to `feedback_given` only.
#[derive(Debug, Clone)]
pub struct NewFeedback<'a> {
    pub session_id: i64,
    pub pid: u32,
    pub lang: &'a str,
    pub overall: u8,
    /// Activity (`bingo`, `fresque`) → rating 1..=5.
    pub ratings: &'a BTreeMap<String, u8>,
    pub comment: Option<&'a str>,
}

/// One stored feedback, with its session's code, title, language and creation time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRow {
    pub session_code: String,
    pub session_title: String,
    pub session_created: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub lang: String,
    pub overall: u8,
    pub ratings: BTreeMap<String, u8>,
    pub comment: Option<String>,
}

/// Which feedback an organiser looks at; `None` fields do not filter.
#[derive(Debug, Clone, Default)]
pub struct FeedbackFilter {
    pub session_id: Option<i64>,
    /// Inclusive, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Inclusive, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// The facilitator who owns the session.
    pub owner_id: Option<i64>,
    /// The session's deck id.
    pub deck: Option<String>,
}

/// A session with the figures the organiser console shows.
#[derive(Debug, Clone)]
pub struct SessionSummary {
    pub id: i64,
    pub code: String,
    pub config: String,
    pub created_at: String,
    pub owner: Option<String>,
    pub participants: i64,
    pub badges: i64,
    pub feedback_count: i64,
    pub feedback_average: Option<f64>,
}

/// Today's date (UTC) as `YYYY-MM-DD`: feedback is dated to the day, no finer.
pub fn today() -> String {
    let now = OffsetDateTime::now_utc().date();
    format!(
        "{:04}-{:02}-{:02}",
        now.year(),
        u8::from(now.month()),
        now.day()
    )
}

fn feedback_from_row(r: &impl StoreRow) -> Result<FeedbackRow> {
    let ratings: String = r.col("ratings")?;
    let ratings = serde_json::from_str(&ratings)
        .map_err(|e| StoreError::Corrupt(format!("feedback ratings: {e}")))?;
    let config: String = r.col("config")?;
    let config: serde_json::Value = serde_json::from_str(&config).unwrap_or_default();
    let overall: i64 = r.col("overall")?;
    Ok(FeedbackRow {
        session_code: r.col("code")?,
        session_title: config["title"].as_str().unwrap_or_default().to_string(),
        session_created: r.col("session_created")?,
        date: r.col("created")?,
        lang: r.col("lang")?,
        overall: u8::try_from(overall)
            .map_err(|_| StoreError::Corrupt(format!("feedback rating {overall}")))?,
        ratings,
        comment: r.col("comment")?,
    })
}

impl Store {
    /// Stores a participant's feedback; `Conflict` if they already gave one in this session.
    /// The duplicate check and the anonymous row are written in one transaction.
    pub async fn insert_feedback(&self, feedback: &NewFeedback<'_>) -> Result<()> {
        on_db!(self, |pool| {
            let ratings = serde_json::to_string(feedback.ratings)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let mut tx = pool.begin().await?;
            let given = sqlx::query("INSERT INTO feedback_given (session_id, pid) VALUES ($1, $2)")
                .bind(feedback.session_id)
                .bind(i64::from(feedback.pid))
                .execute(&mut *tx)
                .await;
            match given {
                Ok(_) => {}
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Err(StoreError::Conflict);
                }
                Err(e) => return Err(e.into()),
            }
            sqlx::query(
                "INSERT INTO feedback (id, session_id, lang, created, overall, ratings, comment)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(feedback.session_id)
            .bind(feedback.lang)
            .bind(today())
            .bind(i64::from(feedback.overall))
            .bind(ratings)
            .bind(feedback.comment)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Whether this participant already gave feedback in this session.
    pub async fn feedback_given(&self, session_id: i64, pid: u32) -> Result<bool> {
        on_db!(self, |pool| {
            let found: Option<i32> = sqlx::query_scalar(
                "SELECT 1 FROM feedback_given WHERE session_id = $1 AND pid = $2",
            )
            .bind(session_id)
            .bind(i64::from(pid))
            .fetch_optional(pool)
            .await?;
            Ok(found.is_some())
        })
    }

    /// How many feedbacks a session has, and their average overall rating.
    pub async fn feedback_stats(&self, session_id: i64) -> Result<(i64, Option<f64>)> {
        on_db!(self, |pool| {
            let row = sqlx::query(
                // PostgreSQL's AVG of integers is a NUMERIC; both give a double this way.
                "SELECT COUNT(*) AS n, CAST(AVG(overall) AS DOUBLE PRECISION) AS average
                 FROM feedback WHERE session_id = $1",
            )
            .bind(session_id)
            .fetch_one(pool)
            .await?;
            Ok((row.col("n")?, row.col("average")?))
        })
    }

    /// A session's non-empty comments, in the (random) order of their ids.
    pub async fn feedback_comments(&self, session_id: i64) -> Result<Vec<String>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "SELECT comment FROM feedback WHERE session_id = $1 AND comment IS NOT NULL AND comment <> '' ORDER BY id",
        )
        .bind(session_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Feedback matching `filter`, by day, then session, then (random) id.
    pub async fn feedback(&self, filter: &FeedbackFilter) -> Result<Vec<FeedbackRow>> {
        on_db!(self, |pool, dialect| {
            sqlx::query(dialect.pick(
                "SELECT s.code, s.config, s.created_at AS session_created,
                        f.created, f.lang, f.overall, f.ratings, f.comment
                 FROM feedback f JOIN sessions s ON s.id = f.session_id
                 WHERE ($1 IS NULL OR f.session_id = $1)
                   AND ($2 IS NULL OR f.created >= $2)
                   AND ($3 IS NULL OR f.created <= $3)
                   AND ($4 IS NULL OR s.owner_id = $4)
                   AND ($5 IS NULL OR json_extract(s.config, '$.deck') = $5)
                 ORDER BY f.created, s.code, f.id",
                "SELECT s.code, s.config, s.created_at AS session_created,
                        f.created, f.lang, f.overall, f.ratings, f.comment
                 FROM feedback f JOIN sessions s ON s.id = f.session_id
                 WHERE ($1 IS NULL OR f.session_id = $1)
                   AND ($2 IS NULL OR f.created >= $2)
                   AND ($3 IS NULL OR f.created <= $3)
                   AND ($4 IS NULL OR s.owner_id = $4)
                   AND ($5 IS NULL OR s.config::jsonb ->> 'deck' = $5)
                 ORDER BY f.created, s.code, f.id",
            ))
            .bind(filter.session_id)
            .bind(filter.from.as_deref())
            .bind(filter.to.as_deref())
            .bind(filter.owner_id)
            .bind(filter.deck.as_deref())
            .fetch_all(pool)
            .await?
            .iter()
            .map(feedback_from_row)
            .collect()
        })
    }

    /// How many participants ever joined a session (one resume token each).
    pub async fn participant_count(&self, session_id: i64) -> Result<i64> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(DISTINCT pid) FROM participant_tokens WHERE session_id = $1",
            )
            .bind(session_id)
            .fetch_one(pool)
            .await?)
        })
    }

    /// Every session, newest first, with its facilitator, participants, badges and feedback.
    pub async fn session_summaries(&self) -> Result<Vec<SessionSummary>> {
        on_db!(self, |pool| {
            sqlx::query(
            "SELECT s.id, s.code, s.config, s.created_at, u.username AS owner,
                    (SELECT COUNT(DISTINCT t.pid) FROM participant_tokens t WHERE t.session_id = s.id) AS participants,
                    (SELECT COUNT(*) FROM badges b WHERE b.session_id = s.id) AS badges,
                    (SELECT COUNT(*) FROM feedback f WHERE f.session_id = s.id) AS feedback_count,
                    (SELECT CAST(AVG(f.overall) AS DOUBLE PRECISION) FROM feedback f WHERE f.session_id = s.id) AS feedback_average
             FROM sessions s LEFT JOIN users u ON u.id = s.owner_id
             ORDER BY s.id DESC",
        )
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            Ok(SessionSummary {
                id: r.col("id")?,
                code: r.col("code")?,
                config: r.col("config")?,
                created_at: r.col("created_at")?,
                owner: r.col("owner")?,
                participants: r.col("participants")?,
                badges: r.col("badges")?,
                feedback_count: r.col("feedback_count")?,
                feedback_average: r.col("feedback_average")?,
            })
        })
        .collect()
        })
    }

    /// Deck ids sessions were created with, for the console's filter.
    pub async fn session_decks(&self) -> Result<Vec<String>> {
        on_db!(self, |pool, dialect| {
            Ok(sqlx::query_scalar(dialect.pick(
                "SELECT DISTINCT json_extract(config, '$.deck') AS deck FROM sessions
                 WHERE json_extract(config, '$.deck') IS NOT NULL ORDER BY deck",
                "SELECT DISTINCT config::jsonb ->> 'deck' AS deck FROM sessions
                 WHERE config::jsonb ->> 'deck' IS NOT NULL ORDER BY deck",
            ))
            .fetch_all(pool)
            .await?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn feedback_is_stored_once_and_anonymously() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let session = store
            .create_session("ACDEFG", None, r#"{"title":"T","deck":"open-badges"}"#, "k")
            .await
            .unwrap();
        let ratings = BTreeMap::from([("bingo".to_string(), 4u8)]);
        let new = NewFeedback {
            session_id: session.id,
            pid: 7,
            lang: "fr",
            overall: 5,
            ratings: &ratings,
            comment: Some("Très bien, merci"),
        };
        store.insert_feedback(&new).await.unwrap();
        assert!(matches!(
            store.insert_feedback(&new).await,
            Err(StoreError::Conflict)
        ));
        assert!(store.feedback_given(session.id, 7).await.unwrap());
        assert!(!store.feedback_given(session.id, 8).await.unwrap());
        assert_eq!(
            store.feedback_stats(session.id).await.unwrap(),
            (1, Some(5.0))
        );
        let rows = store.feedback(&FeedbackFilter::default()).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].ratings, ratings);
        assert_eq!(rows[0].date, today());
        let filtered = FeedbackFilter {
            deck: Some("other".into()),
            ..Default::default()
        };
        assert!(store.feedback(&filtered).await.unwrap().is_empty());
        let later = FeedbackFilter {
            from: Some("9999-01-01".into()),
            ..Default::default()
        };
        assert!(store.feedback(&later).await.unwrap().is_empty());
    }
}
