//! Workshop sessions: their rows, their command log (appended through the group writer, read
//! back as a history to replay) and participants' resume tokens.

use sqlx::Row;
use tokio::sync::oneshot;

use super::writer::{ToWriter, WriteJob};
use super::{
    Batch, EventRecord, History, Result, SessionRow, Store, StoreError, hash_token, now_rfc3339,
};

impl Store {
    /// Creates a session row; `Conflict` if the code is taken (the caller draws another).
    pub async fn create_session(
        &self,
        code: &str,
        owner_id: Option<i64>,
        config: &str,
        screen_key: &str,
    ) -> Result<SessionRow> {
        let created_at = now_rfc3339();
        let result = sqlx::query("INSERT INTO sessions (code, owner_id, config, screen_key, created_at) VALUES (?, ?, ?, ?, ?)")
            .bind(code)
            .bind(owner_id)
            .bind(config)
            .bind(screen_key)
            .bind(&created_at)
            .execute(&self.pool)
            .await;
        match result {
            Ok(done) => Ok(SessionRow {
                id: done.last_insert_rowid(),
                code: code.to_string(),
                owner_id,
                config: config.to_string(),
                screen_key: screen_key.to_string(),
                created_at,
            }),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn session_by_code(&self, code: &str) -> Result<Option<SessionRow>> {
        let row = sqlx::query("SELECT id, code, owner_id, config, screen_key, created_at FROM sessions WHERE code = ?")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(session_from_row).transpose()
    }

    /// Sessions newest first; only the owner's unless `owner` is `None` (organisers).
    pub async fn list_sessions(&self, owner: Option<i64>) -> Result<Vec<SessionRow>> {
        let rows = match owner {
            Some(id) => {
                sqlx::query("SELECT id, code, owner_id, config, screen_key, created_at FROM sessions WHERE owner_id = ? ORDER BY id DESC")
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT id, code, owner_id, config, screen_key, created_at FROM sessions ORDER BY id DESC")
                    .fetch_all(&self.pool)
                    .await?
            }
        };
        rows.iter().map(session_from_row).collect()
    }

    // ---- the command log --------------------------------------------------------------

    /// Writes one batch atomically. Nothing of it may be told to a client before this returns Ok.
    ///
    /// The batch goes to the group writer ([`group_writer`]), which stores the batches of every
    /// room waiting at that moment in one transaction.
    pub async fn append(&self, session_id: i64, batch: Batch) -> Result<()> {
        let (done, written) = oneshot::channel();
        let job = WriteJob {
            session_id,
            batch,
            done,
        };
        if self.writer.send(ToWriter::Write(job)).await.is_err() {
            return Err(StoreError::Write("the database writer has stopped".into()));
        }
        match written.await {
            Ok(result) => result.map_err(StoreError::Write),
            Err(_) => Err(StoreError::Write("the database writer has stopped".into())),
        }
    }

    /// The latest snapshot and every event after it.
    pub async fn history(&self, session_id: i64) -> Result<History> {
        let snapshot = sqlx::query("SELECT seq, state FROM snapshots WHERE session_id = ?")
            .bind(session_id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| -> Result<(u64, String)> {
                Ok((r.try_get::<i64, _>("seq")? as u64, r.try_get("state")?))
            })
            .transpose()?;
        let after = snapshot.as_ref().map_or(0, |(seq, _)| *seq as i64);
        let events = sqlx::query(
            "SELECT seq, record FROM events WHERE session_id = ? AND seq > ? ORDER BY seq",
        )
        .bind(session_id)
        .bind(after)
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(EventRecord {
                seq: r.try_get::<i64, _>("seq")? as u64,
                record: r.try_get("record")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        Ok(History { snapshot, events })
    }

    /// The session code and participant id a resume token belongs to.
    pub async fn participant_for_token(&self, token: &str) -> Result<Option<(String, u32)>> {
        let row = sqlx::query(
            "SELECT s.code, t.pid FROM participant_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = ?",
        )
        .bind(hash_token(token))
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("code")?, r.try_get::<i64, _>("pid")? as u32)))
            .transpose()
    }
}

fn session_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<SessionRow> {
    Ok(SessionRow {
        id: r.try_get("id")?,
        code: r.try_get("code")?,
        owner_id: r.try_get("owner_id")?,
        config: r.try_get("config")?,
        screen_key: r.try_get("screen_key")?,
        created_at: r.try_get("created_at")?,
    })
}
