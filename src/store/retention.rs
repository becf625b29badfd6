//! Erasing personal data (RGPD): a session's names and e-mails, or one participant's.

use super::{Result, Store, now_rfc3339};

impl Store {
    /// Erases personal data of a session (or of one participant) atomically: the state is
    /// replaced by a scrubbed snapshot at `seq`, the command log up to `seq` (it holds the
    /// names) is deleted, resume tokens are dropped, and badges keep only what revocation needs.
    pub async fn erase_personal_data(
        &self,
        session_id: i64,
        seq: u64,
        scrubbed_state: &str,
        pid: Option<u32>,
    ) -> Result<()> {
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO snapshots (session_id, seq, state) VALUES ($1, $2, $3)
             ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq, state = excluded.state",
            )
            .bind(session_id)
            .bind(seq as i64)
            .bind(scrubbed_state)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM events WHERE session_id = $1 AND seq <= $2")
                .bind(session_id)
                .bind(seq as i64)
                .execute(&mut *tx)
                .await?;
            let pid = pid.map(i64::from);
            sqlx::query(
                "DELETE FROM participant_tokens WHERE session_id = $1 AND ($2 IS NULL OR pid = $3)",
            )
            .bind(session_id)
            .bind(pid)
            .bind(pid)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE badges SET recipient_name = NULL, credential = NULL WHERE session_id = $1 AND ($2 IS NULL OR pid = $3)")
            .bind(session_id)
            .bind(pid)
            .bind(pid)
            .execute(&mut *tx)
            .await?;
            if pid.is_none() {
                sqlx::query("UPDATE sessions SET erased_at = $1 WHERE id = $2")
                    .bind(now_rfc3339())
                    .bind(session_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Codes of sessions not erased yet whose last activity is older than `cutoff` (RFC 3339).
    pub async fn sessions_to_erase(&self, cutoff: &str) -> Result<Vec<String>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "SELECT s.code FROM sessions s
             WHERE s.erased_at IS NULL
               AND COALESCE((SELECT MAX(e.at) FROM events e WHERE e.session_id = s.id), s.created_at) < $1",
        )
        .bind(cutoff)
        .fetch_all(pool)
        .await?)
        })
    }
}
