//! The group writer: the one task that stores rooms' batches, many rooms per transaction, on
//! either database; and, on SQLite, the checkpointer beside it.

use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{
    Acquire, ConnectOptions, PgConnection, PgPool, Postgres, QueryBuilder, Sqlite,
    SqliteConnection, SqlitePool,
};
use tokio::sync::{Notify, mpsc, oneshot};

use super::{Batch, Dialect, EventRecord, Result, now_rfc3339};

/// Rows per multi-row INSERT: 4 parameters each stays far below SQLite's 32,766 (and
/// PostgreSQL's 65,535).
const ROWS_PER_INSERT: usize = 256;

/// Opens the writer's connection and starts the group writer and the checkpointer.
pub(super) async fn start_sqlite(
    options: SqliteConnectOptions,
    pool: SqlitePool,
    jobs: mpsc::Receiver<ToWriter>,
) -> Result<()> {
    let connection = open_writer(&options).await?;
    let written = Arc::new(Notify::new());
    let writer = Writer::Sqlite {
        options: Box::new(options),
        connection: Some(connection),
    };
    tokio::spawn(group_writer(writer, jobs, Some(Arc::clone(&written))));
    tokio::spawn(checkpointer(pool, written));
    Ok(())
}

/// Starts the group writer on PostgreSQL, which takes a connection of the pool for each
/// group: PostgreSQL keeps its cache in shared memory, so the SQLite writer's reason for a
/// connection of its own does not apply, and a connection lost with a node restart of
/// PostgreSQL is replaced by the pool.
///
/// `node` is this node's id: each group's transaction stores only the batches of sessions
/// whose lease this node holds at the batch's epoch ([`super::lease`]).
pub(super) fn start_postgres(pool: PgPool, jobs: mpsc::Receiver<ToWriter>, node: String) {
    tokio::spawn(group_writer(Writer::Postgres { pool, node }, jobs, None));
}

/// What the group writer is asked to do.
pub(super) enum ToWriter {
    Write(WriteJob),
    /// Write what came before, close the connection, stop, then answer.
    Close(oneshot::Sender<()>),
}

/// One room's batch, waiting for the group writer.
pub(super) struct WriteJob {
    pub(super) session_id: i64,
    /// The fencing token of the room's lease (`None` on SQLite).
    pub(super) epoch: Option<i64>,
    pub(super) batch: Batch,
    pub(super) done: oneshot::Sender<std::result::Result<(), WriteFailure>>,
}

/// Why a batch was not stored.
#[derive(Debug, Clone)]
pub(super) enum WriteFailure {
    /// The session's lease is another node's now: refused by the guard of its transaction.
    NotOwner,
    /// The group's transaction failed (shared by every batch in it).
    Failed(String),
}

/// Batches stored in one transaction at most. Bounds how long one failure (a full disk) takes
/// down, and the transaction's size.
const GROUP_MAX: usize = 256;
/// Batches waiting for the writer before rooms wait to hand theirs over.
pub(super) const WRITER_QUEUE: usize = 4096;

/// Where the group writer writes.
enum Writer {
    /// Its own connection (see [`group_writer`]), reopened after a failed write.
    Sqlite {
        options: Box<SqliteConnectOptions>,
        connection: Option<SqliteConnection>,
    },
    Postgres {
        pool: PgPool,
        /// This node's id, which the leases of the sessions it writes must name.
        node: String,
    },
}

impl Writer {
    /// Writes the batches of `group` atomically: all or none, but for those refused by the
    /// lease guard (on PostgreSQL), whose places are `true` in the answer.
    async fn write_group(&mut self, group: &[WriteJob]) -> Result<Vec<bool>> {
        match self {
            Writer::Sqlite {
                options,
                connection,
            } => {
                write_group_sqlite(options, connection, group).await?;
                Ok(vec![false; group.len()])
            }
            Writer::Postgres { pool, node } => {
                let mut connection: PoolConnection<Postgres> = pool.acquire().await?;
                let written = write_group_postgres(&mut connection, node, group).await;
                if written.is_err() {
                    // As on SQLite: a connection whose write failed is not reused.
                    connection.close_on_drop();
                }
                written
            }
        }
    }

    /// Closes the writer's own connection, if it has one.
    async fn close(&mut self) {
        if let Writer::Sqlite { connection, .. } = self {
            close_writer(connection).await;
        }
    }
}

/// The only writer of room batches. SQLite has one writer at a time anyway: with each room
/// committing on its own, 300 busy rooms queued ~100 ms for a pool connection to write ~1 ms
/// each (measured: BENCHMARKS.md). Here every batch that arrived while the previous group was
/// being written goes into the next transaction, so a commit's cost is shared by all the rooms
/// in it and the group grows with the load. On PostgreSQL the same grouping shares a commit
/// (its WAL flush, and the round trips to the database server) among the rooms of a group.
///
/// On SQLite it writes through a connection of its own, not one of the pool's: a connection
/// must drop its page cache whenever another one has written, so pool connections taking
/// turns at writing re-read the pages of every write from the file (a quarter of the SQLite
/// thread's time in `perf`). The only writer's cache stays valid.
async fn group_writer(
    mut writer: Writer,
    mut jobs: mpsc::Receiver<ToWriter>,
    written: Option<Arc<Notify>>,
) {
    let mut group = Vec::new();
    let mut closing = None;
    while let Some(message) = jobs.recv().await {
        match message {
            ToWriter::Write(job) => group.push(job),
            ToWriter::Close(reply) => closing = Some(reply),
        }
        while closing.is_none() && group.len() < GROUP_MAX {
            match jobs.try_recv() {
                Ok(ToWriter::Write(job)) => group.push(job),
                Ok(ToWriter::Close(reply)) => closing = Some(reply),
                Err(_) => break,
            }
        }
        if !group.is_empty() {
            match writer.write_group(&group).await {
                Ok(fenced) => {
                    if let Some(written) = &written {
                        written.notify_one();
                    }
                    for (job, fenced) in group.drain(..).zip(fenced) {
                        let answer = if fenced {
                            Err(WriteFailure::NotOwner)
                        } else {
                            Ok(())
                        };
                        let _ = job.done.send(answer);
                    }
                }
                Err(e) => {
                    let e = e.to_string();
                    tracing::warn!(error = %e, batches = group.len(), "a group of batches was not stored");
                    for job in group.drain(..) {
                        let _ = job.done.send(Err(WriteFailure::Failed(e.clone())));
                    }
                }
            }
        }
        if let Some(reply) = closing {
            // Batches sent after this point find the writer gone and are refused.
            writer.close().await;
            let _ = reply.send(());
            return;
        }
    }
}

/// Opens the group writer's connection, which never checkpoints: SQLite's automatic checkpoint
/// runs inside the commit that takes the WAL past 1,000 pages, `fsync` of the database
/// included, and every room of that group waited for it. [`checkpointer`] does it beside the
/// writer instead.
async fn open_writer(options: &SqliteConnectOptions) -> Result<SqliteConnection> {
    let mut connection = options.connect().await?;
    sqlx::query("PRAGMA wal_autocheckpoint = 0")
        .execute(&mut connection)
        .await?;
    Ok(connection)
}

/// Pause between the group writer's first write and the checkpoint that follows it: one
/// checkpoint covers every group written meanwhile, and an idle server does none.
const CHECKPOINT_AFTER: Duration = Duration::from_secs(1);

/// Checkpoints the WAL into the database after writes, on a pool connection. PASSIVE never
/// waits for the writer or for readers (it copies what it can; the next one copies the rest),
/// so the rooms' commits no longer pay for checkpoints.
async fn checkpointer(pool: SqlitePool, written: Arc<Notify>) {
    loop {
        written.notified().await;
        tokio::time::sleep(CHECKPOINT_AFTER).await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::warn!(error = %e, "checkpointing the database failed");
        }
    }
}

/// Writes the batches of `group` atomically on SQLite's writer connection.
async fn write_group_sqlite(
    options: &SqliteConnectOptions,
    connection: &mut Option<SqliteConnection>,
    group: &[WriteJob],
) -> Result<()> {
    let conn = match connection {
        Some(conn) => conn,
        None => connection.insert(open_writer(options).await?),
    };
    let group: Vec<&WriteJob> = group.iter().collect();
    let written = write_batches_sqlite(conn, &group).await;
    if written.is_err() {
        // A failed write can leave the connection out of step with SQLite: on a full disk
        // SQLite may roll the transaction back itself, sqlx's own ROLLBACK then fails ("no
        // transaction is active") and sqlx-sqlite's count of open transactions stays at one,
        // so its next BEGIN is a SAVEPOINT and so on. A join was refused in CI after the disk
        // had room again; rather than reason about that state, the connection is closed and
        // the next group opens a fresh one.
        close_writer(connection).await;
    }
    written
}

/// Closes the writer's connection, if open; [`write_group_sqlite`] opens a new one when needed.
async fn close_writer(connection: &mut Option<SqliteConnection>) {
    if let Some(connection) = connection.take() {
        let _ = sqlx::Connection::close(connection).await;
    }
}

/// Defines the function that writes a group's batches on one database (`$conn` its
/// connection type, `$db` its sqlx database): the statements are the same on both but for
/// the JSON functions that erase an e-mail, and sqlx's types differ.
///
/// Every statement is a round trip (to sqlx's SQLite thread, or to the PostgreSQL server),
/// and on a saturated machine each hand-off waits for the scheduler: a group of 200 rooms
/// written with one INSERT per room took 100–230 ms on SQLite. So the rows of all the group's
/// rooms go into multi-row INSERTs together (a few statements per group, not one per room),
/// and only the rare statements (claim codes, erased e-mails, snapshots) are issued per room.
macro_rules! batch_writer {
    ($write_rows:ident, $write_rare:ident, $conn:ty, $db:ty, $dialect:expr) => {
        /// The statements that store the batches of `group`, in the caller's transaction (or
        /// as one statement, when that is all they take).
        async fn $write_rows(conn: &mut $conn, group: &[&WriteJob]) -> Result<()> {
            /// One multi-row INSERT of `events`, each with its session (at most
            /// [`ROWS_PER_INSERT`], the databases' limits on bound parameters in mind).
            fn insert_events<'a>(
                events: &'a [(i64, &'a EventRecord)],
                at: &'a str,
            ) -> QueryBuilder<$db> {
                let mut insert =
                    QueryBuilder::<$db>::new("INSERT INTO events (session_id, seq, record, at) ");
                insert.push_values(events, |mut row, (session_id, event)| {
                    row.push_bind(*session_id)
                        .push_bind(event.seq as i64)
                        .push_bind(&event.record)
                        .push_bind(at);
                });
                insert
            }

            /// One multi-row INSERT of resume tokens: (token hash, session, pid).
            fn insert_tokens<'a>(tokens: &'a [(&'a [u8], i64, u32)]) -> QueryBuilder<$db> {
                let mut insert = QueryBuilder::<$db>::new(
                    "INSERT INTO participant_tokens (token_hash, session_id, pid) ",
                );
                insert.push_values(tokens, |mut row, (token_hash, session_id, pid)| {
                    row.push_bind(*token_hash)
                        .push_bind(*session_id)
                        .push_bind(i64::from(*pid));
                });
                insert
            }

            let at = now_rfc3339();
            let events: Vec<(i64, &EventRecord)> = group
                .iter()
                .flat_map(|job| job.batch.events.iter().map(|e| (job.session_id, e)))
                .collect();
            let tokens: Vec<(&[u8], i64, u32)> = group
                .iter()
                .flat_map(|job| {
                    job.batch
                        .new_tokens
                        .iter()
                        .map(|(hash, pid)| (hash.as_slice(), job.session_id, *pid))
                })
                .collect();
            for chunk in events.chunks(ROWS_PER_INSERT) {
                insert_events(chunk, &at).build().execute(&mut *conn).await?;
            }
            for chunk in tokens.chunks(ROWS_PER_INSERT) {
                insert_tokens(chunk).build().execute(&mut *conn).await?;
            }
            for job in group.iter().filter(|job| job.batch.has_rare_statements()) {
                $write_rare(&mut *conn, job.session_id, &job.batch).await?;
            }
            Ok(())
        }

        /// The statements of one batch that are not plain rows (claim codes, erased e-mails,
        /// the snapshot), inside the caller's transaction.
        async fn $write_rare(tx: &mut $conn, session_id: i64, batch: &Batch) -> Result<()> {
            let dialect: Dialect = $dialect;
            for pid in &batch.forget_emails {
                sqlx::query(dialect.pick(
                    "UPDATE events SET record = json_replace(record, '$.command.command.email', NULL)
                     WHERE session_id = $1 AND json_extract(record, '$.actor.pid') = $2
                       AND json_extract(record, '$.command.type') = 'badge'
                       AND json_extract(record, '$.command.command.type') = 'request'",
                    "UPDATE events
                     SET record = jsonb_set(record::jsonb, '{command,command,email}', 'null'::jsonb, false)::text
                     WHERE session_id = $1 AND record::jsonb #>> '{actor,pid}' = CAST($2 AS TEXT)
                       AND record::jsonb #>> '{command,type}' = 'badge'
                       AND record::jsonb #>> '{command,command,type}' = 'request'",
                ))
                .bind(session_id)
                .bind(i64::from(*pid))
                .execute(&mut *tx)
                .await?;
                sqlx::query(dialect.pick(
                    "UPDATE snapshots SET state = json_replace(state, $1, NULL) WHERE session_id = $2",
                    "UPDATE snapshots
                     SET state = jsonb_set(state::jsonb, ARRAY['badges', 'requests', $1, 'email'], 'null'::jsonb, false)::text
                     WHERE session_id = $2",
                ))
                .bind(match dialect {
                    Dialect::Sqlite => format!("$.badges.requests.\"{pid}\".email"),
                    Dialect::Postgres => pid.to_string(),
                })
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
            }
            for (pid, keep) in &batch.revoke_tokens {
                sqlx::query(
                    "DELETE FROM participant_tokens WHERE session_id = $1 AND pid = $2 AND token_hash != $3",
                )
                .bind(session_id)
                .bind(i64::from(*pid))
                .bind(keep.as_slice())
                .execute(&mut *tx)
                .await?;
            }
            if batch.void_claim_codes {
                sqlx::query("DELETE FROM claim_codes WHERE session_id = $1")
                    .bind(session_id)
                    .execute(&mut *tx)
                    .await?;
            }
            for (code, valid_until) in &batch.claim_codes {
                sqlx::query(
                    "INSERT INTO claim_codes (code, session_id, valid_until) VALUES ($1, $2, $3)
                     ON CONFLICT (code) DO UPDATE SET session_id = excluded.session_id, valid_until = excluded.valid_until",
                )
                .bind(code)
                .bind(session_id)
                .bind(valid_until)
                .execute(&mut *tx)
                .await?;
            }
            if let Some((seq, state)) = &batch.snapshot {
                sqlx::query(
                    "INSERT INTO snapshots (session_id, seq, state) VALUES ($1, $2, $3)
                     ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq, state = excluded.state
                     WHERE excluded.seq >= snapshots.seq",
                )
                .bind(session_id)
                .bind(*seq as i64)
                .bind(state)
                .execute(&mut *tx)
                .await?;
            }
            Ok(())
        }
    };
}

batch_writer!(
    write_rows_sqlite,
    write_rare_statements_sqlite,
    SqliteConnection,
    Sqlite,
    Dialect::Sqlite
);
batch_writer!(
    write_rows_postgres,
    write_rare_statements_postgres,
    PgConnection,
    Postgres,
    Dialect::Postgres
);

/// Writes the batches of `group` atomically on SQLite: in one statement if they fit one, else
/// in a transaction. No lease to check: SQLite is one process's database, which owns every
/// session ([`super::lease`]).
async fn write_batches_sqlite(conn: &mut SqliteConnection, group: &[&WriteJob]) -> Result<()> {
    let rare_statements = group.iter().any(|job| job.batch.has_rare_statements());
    let tokens = group.iter().any(|job| !job.batch.new_tokens.is_empty());
    let events: usize = group.iter().map(|job| job.batch.events.len()).sum();
    // Rows that fit one statement, and nothing else: one statement is atomic by itself, and
    // BEGIN and COMMIT would be two more round trips.
    if !rare_statements && !tokens && events <= ROWS_PER_INSERT {
        return write_rows_sqlite(conn, group).await;
    }
    let mut tx = conn.begin().await?;
    write_rows_sqlite(&mut tx, group).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes a group on PostgreSQL in one transaction that first checks the rooms' leases: one
/// guard statement for the whole group (not one per batch or per statement) reads the leases
/// of the group's sessions that name this node, `FOR SHARE` and in the order of their ids
/// (the renewer locks them in that order too). A batch whose epoch is not the one found, or
/// that carries none, is left out and answered [`WriteFailure::NotOwner`]; the others are
/// written. The share lock holds until the commit, so a node taking a session over waits for
/// this transaction and then reads what it stored; a guard that runs after the take-over
/// sees the new epoch. Every answer is `true` for a batch refused.
///
/// This costs a group three round trips more than the single statement of a small group
/// (BEGIN, the guard, COMMIT), shared by every room in the group.
async fn write_group_postgres(
    conn: &mut PgConnection,
    node: &str,
    group: &[WriteJob],
) -> Result<Vec<bool>> {
    let sessions: Vec<i64> = group.iter().map(|job| job.session_id).collect();
    let mut tx = conn.begin().await?;
    let owned: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT session_id, epoch FROM session_leases
         WHERE owner = $1 AND session_id = ANY($2)
         ORDER BY session_id FOR SHARE",
    )
    .bind(node)
    .bind(&sessions)
    .fetch_all(&mut *tx)
    .await?;
    let owned: std::collections::HashMap<i64, i64> = owned.into_iter().collect();
    let fenced: Vec<bool> = group
        .iter()
        .map(|job| {
            job.epoch
                .is_none_or(|epoch| owned.get(&job.session_id) != Some(&epoch))
        })
        .collect();
    let kept: Vec<&WriteJob> = group
        .iter()
        .zip(&fenced)
        .filter_map(|(job, fenced)| (!fenced).then_some(job))
        .collect();
    if !kept.is_empty() {
        write_rows_postgres(&mut tx, &kept).await?;
    }
    tx.commit().await?;
    Ok(fenced)
}

#[cfg(test)]
mod tests {
    use super::super::{Store, StoreError};
    use super::*;

    /// The rooms' writer never checkpoints; the checkpointer copies its commits into the
    /// database file soon after. Closing the store stops the writer and closes every
    /// connection (a file system can then be remounted, the WAL is gone).
    #[tokio::test]
    async fn commits_reach_the_database_file_and_closing_stops_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let row = store
            .create_session("CKP001", None, "{}", "screen-key")
            .await
            .unwrap();
        let batch = |seq| Batch {
            events: vec![EventRecord {
                seq,
                record: "{}".into(),
            }],
            ..Batch::default()
        };
        let lease = store.acquire_lease(row.id).await.unwrap();
        store.append(&lease, batch(1)).await.unwrap();
        // Read as immutable, SQLite ignores the WAL: only checkpointed rows are visible.
        let file_only = SqliteConnectOptions::new()
            .filename(dir.path().join("atelier.db"))
            .read_only(true)
            .immutable(true);
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let mut reader = file_only.connect().await.unwrap();
            // Before the first checkpoint even the tables exist only in the WAL.
            let rows: Option<i64> =
                sqlx::query_scalar("SELECT count(*) FROM events WHERE session_id = $1")
                    .bind(row.id)
                    .fetch_one(&mut reader)
                    .await
                    .ok();
            sqlx::Connection::close(reader).await.unwrap();
            if rows == Some(1) {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the commit never reached the database file"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        store.close().await;
        assert!(matches!(
            store.append(&lease, batch(2)).await,
            Err(StoreError::Write(_))
        ));
        assert!(!dir.path().join("atelier.db-wal").exists());
    }
}
