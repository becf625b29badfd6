//! Workshop sessions: their rows, their command log (appended through the group writer, read
//! back as a history to replay) and participants' resume tokens.

use super::StoreRow;
use tokio::sync::oneshot;

use super::writer::{ToWriter, WriteFailure, WriteJob};
use super::{
    Batch, EventRecord, History, Lease, Result, SessionRow, Store, StoreError, hash_token,
    now_rfc3339,
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
        on_db!(self, |pool| {
            let created_at = now_rfc3339();
            let result: std::result::Result<i64, _> = sqlx::query_scalar(
                "INSERT INTO sessions (code, owner_id, config, screen_key, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(code)
            .bind(owner_id)
            .bind(config)
            .bind(screen_key)
            .bind(&created_at)
            .fetch_one(pool)
            .await;
            match result {
                Ok(id) => Ok(SessionRow {
                    id,
                    code: code.to_string(),
                    owner_id,
                    config: config.to_string(),
                    screen_key: screen_key.to_string(),
                    created_at,
                }),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    Err(StoreError::Conflict)
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    pub async fn session_by_code(&self, code: &str) -> Result<Option<SessionRow>> {
        on_db!(self, |pool| {
            let row = sqlx::query("SELECT id, code, owner_id, config, screen_key, created_at FROM sessions WHERE code = $1")
            .bind(code)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(session_from_row).transpose()
        })
    }

    /// Sessions newest first; only the owner's unless `owner` is `None` (organisers).
    pub async fn list_sessions(&self, owner: Option<i64>) -> Result<Vec<SessionRow>> {
        on_db!(self, |pool| {
            let rows = match owner {
            Some(id) => {
                sqlx::query("SELECT id, code, owner_id, config, screen_key, created_at FROM sessions WHERE owner_id = $1 ORDER BY id DESC")
                    .bind(id)
                    .fetch_all(pool)
                    .await?
            }
            None => {
                sqlx::query("SELECT id, code, owner_id, config, screen_key, created_at FROM sessions ORDER BY id DESC")
                    .fetch_all(pool)
                    .await?
            }
        };
            rows.iter().map(session_from_row).collect()
        })
    }

    // ---- the command log --------------------------------------------------------------

    /// Writes one batch of the session whose `lease` the caller holds, atomically. Nothing of
    /// it may be told to a client before this returns Ok.
    ///
    /// The batch goes to the group writer ([`group_writer`]), which stores the batches of every
    /// room waiting at that moment in one transaction. On PostgreSQL that transaction checks
    /// the lease's epoch first: [`StoreError::NotOwner`] if another node took the session
    /// over (nothing of the batch is stored, and the lease is known lost).
    pub async fn append(&self, lease: &Lease, batch: Batch) -> Result<()> {
        let (done, written) = oneshot::channel();
        let job = WriteJob {
            session_id: lease.session_id(),
            epoch: lease.epoch(),
            batch,
            done,
        };
        if self.writer.send(ToWriter::Write(job)).await.is_err() {
            return Err(StoreError::Write("the database writer has stopped".into()));
        }
        match written.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(WriteFailure::NotOwner)) => {
                if let Some(epoch) = lease.epoch() {
                    self.leases.lose(lease.session_id(), epoch);
                }
                Err(StoreError::NotOwner)
            }
            Ok(Err(WriteFailure::Failed(e))) => Err(StoreError::Write(e)),
            Err(_) => Err(StoreError::Write("the database writer has stopped".into())),
        }
    }

    /// The latest snapshot and every event after it.
    pub async fn history(&self, session_id: i64) -> Result<History> {
        on_db!(self, |pool| {
            let snapshot = sqlx::query("SELECT seq, state FROM snapshots WHERE session_id = $1")
                .bind(session_id)
                .fetch_optional(pool)
                .await?
                .map(|r| -> Result<(u64, String)> {
                    Ok((r.col::<i64>("seq")? as u64, r.col("state")?))
                })
                .transpose()?;
            let after = snapshot.as_ref().map_or(0, |(seq, _)| *seq as i64);
            let events = sqlx::query(
                "SELECT seq, record FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq",
            )
            .bind(session_id)
            .bind(after)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok(EventRecord {
                    seq: r.col::<i64>("seq")? as u64,
                    record: r.col("record")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
            Ok(History { snapshot, events })
        })
    }

    /// The session code and participant id a resume token belongs to.
    pub async fn participant_for_token(&self, token: &str) -> Result<Option<(String, u32)>> {
        on_db!(self, |pool| {
            let row = sqlx::query(
            "SELECT s.code, t.pid FROM participant_tokens t JOIN sessions s ON s.id = t.session_id WHERE t.token_hash = $1",
        )
        .bind(hash_token(token))
        .fetch_optional(pool)
        .await?;
            row.map(|r| Ok((r.col("code")?, r.col::<i64>("pid")? as u32)))
                .transpose()
        })
    }
}

fn session_from_row(r: &impl StoreRow) -> Result<SessionRow> {
    Ok(SessionRow {
        id: r.col("id")?,
        code: r.col("code")?,
        owner_id: r.col("owner_id")?,
        config: r.col("config")?,
        screen_key: r.col("screen_key")?,
        created_at: r.col("created_at")?,
    })
}
