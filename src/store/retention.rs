//! Erasing personal data (RGPD): a session's names and e-mails, or one participant's.

use super::{Lease, Result, Store, StoreError, now_rfc3339};

impl Store {
    /// Erases personal data of a session (or of one participant) atomically: the state is
    /// replaced by a scrubbed snapshot at `seq`, the command log up to `seq` (it holds the
    /// names) is deleted, resume tokens are dropped, and badges keep only what revocation needs.
    /// Like [`Store::append`], only under the session's lease: on PostgreSQL the transaction
    /// checks it first ([`StoreError::NotOwner`] if another node took the session over).
    pub async fn erase_personal_data(
        &self,
        lease: &Lease,
        seq: u64,
        scrubbed_state: &str,
        pid: Option<u32>,
    ) -> Result<()> {
        let session_id = lease.session_id();
        on_db!(self, |pool| {
            let mut tx = pool.begin().await?;
            if let Some(epoch) = lease.epoch() {
                // The same guard as the group writer's (src/store/writer.rs).
                let owned: Option<i64> = sqlx::query_scalar(
                    "SELECT epoch FROM session_leases WHERE session_id = $1 AND owner = $2 FOR SHARE",
                )
                .bind(session_id)
                .bind(self.leases.node())
                .fetch_optional(&mut *tx)
                .await?;
                if owned != Some(epoch) {
                    self.leases.lose(session_id, epoch);
                    return Err(StoreError::NotOwner);
                }
            }
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
