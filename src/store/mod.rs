//! Persistence: the one module that talks to the database. Everything else sees this small
//! interface, so another backend (PostgreSQL for a regional deployment) can be added here.
//!
//! SQLite in WAL mode with `synchronous = NORMAL`: a committed transaction survives the
//! process being killed (`kill -9`), which is the durability promise made to clients; only
//! an operating-system crash could lose the last commits.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Acquire, ConnectOptions, QueryBuilder, Row, Sqlite, SqliteConnection, SqlitePool};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::{Notify, mpsc, oneshot};

pub mod accounts;
pub mod feedback;

/// `SELECT … FROM badges` followed by a literal clause, as one static (audited) string.
macro_rules! select_badges {
    ($clause:literal) => {
        concat!(
            "SELECT id, achievement_id, session_id, pid, recipient_name, status_index, credential, issued_at, revoked_at, lang, public_page FROM badges ",
            $clause
        )
    };
}

/// Numbered migrations, compiled in; `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_core", include_str!("../../migrations/0001_core.sql")),
    (
        "0002_badges",
        include_str!("../../migrations/0002_badges.sql"),
    ),
    (
        "0003_feedback",
        include_str!("../../migrations/0003_feedback.sql"),
    ),
    (
        "0004_claims",
        include_str!("../../migrations/0004_claims.sql"),
    ),
    (
        "0005_retention",
        include_str!("../../migrations/0005_retention.sql"),
    ),
    (
        "0006_hosted_badges",
        include_str!("../../migrations/0006_hosted_badges.sql"),
    ),
    (
        "0007_status_counter",
        include_str!("../../migrations/0007_status_counter.sql"),
    ),
    (
        "0008_accounts",
        include_str!("../../migrations/0008_accounts.sql"),
    ),
];

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A row with this key exists already (a username, a join code, feedback already given).
    #[error("this exists already")]
    Conflict,
    /// Another badge holds this status-list index (the counter was behind the table, e.g.
    /// after restoring an old backup): the issuer reserves another one and signs again.
    #[error("status-list index {0} is taken")]
    StatusIndexTaken(u64),
    /// A room's batch was not stored (shared by every batch of the failed group).
    #[error("database write failed: {0}")]
    Write(String),
    /// The database's files (permissions, a backup's target).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Rows per multi-row INSERT: 4 parameters each stays far below SQLite's 32,766.
const ROWS_PER_INSERT: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Organiser,
    Facilitator,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Organiser => "organiser",
            Role::Facilitator => "facilitator",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        match s {
            "organiser" => Ok(Role::Organiser),
            "facilitator" => Ok(Role::Facilitator),
            other => Err(StoreError::Corrupt(format!("unknown role {other:?}"))),
        }
    }
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Cookie,
    Api,
}

#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: i64,
    pub code: String,
    pub owner_id: Option<i64>,
    pub config: String,
    pub screen_key: String,
    pub created_at: String,
}

/// One accepted command as stored: `record` is the JSON the room replays.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub seq: u64,
    pub record: String,
}

/// What a room writes in one transaction: commands accepted in one batch, the resume
/// tokens they created, and now and then a snapshot.
#[derive(Debug, Default)]
pub struct Batch {
    pub events: Vec<EventRecord>,
    pub new_tokens: Vec<(Vec<u8>, u32)>,
    /// Claim codes opened in this batch: (code, valid until).
    pub claim_codes: Vec<(String, String)>,
    /// The session's claim codes stored before are void (before `claim_codes` is stored).
    pub void_claim_codes: bool,
    /// Participants whose e-mail must be forgotten (their badge is signed, or refused): it is
    /// removed from their stored request and from the snapshot.
    pub forget_emails: Vec<u32>,
    /// Participants taken back on another device: every resume token of theirs but the one
    /// given (the new device's) stops working.
    pub revoke_tokens: Vec<(u32, Vec<u8>)>,
    pub snapshot: Option<(u64, String)>,
}

impl Batch {
    /// Whether storing this batch takes statements of its own besides rows of events and
    /// tokens (which the group writer inserts for many rooms at once).
    fn has_rare_statements(&self) -> bool {
        !self.claim_codes.is_empty()
            || self.void_claim_codes
            || !self.forget_emails.is_empty()
            || !self.revoke_tokens.is_empty()
            || self.snapshot.is_some()
    }

    /// Whether there is anything to store.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty() && self.new_tokens.is_empty() && !self.has_rare_statements()
    }
}

/// A session's stored history, from the latest snapshot on.
#[derive(Debug)]
pub struct History {
    pub snapshot: Option<(u64, String)>,
    pub events: Vec<EventRecord>,
}

#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// Room batches go to the group writer ([`group_writer`]).
    writer: mpsc::Sender<ToWriter>,
}

/// One multi-row INSERT of `events`, each with its session (at most [`ROWS_PER_INSERT`],
/// SQLite's limit on bound parameters in mind).
fn insert_events<'a>(events: &'a [(i64, &'a EventRecord)], at: &'a str) -> QueryBuilder<Sqlite> {
    let mut insert =
        QueryBuilder::<Sqlite>::new("INSERT INTO events (session_id, seq, record, at) ");
    insert.push_values(events, |mut row, (session_id, event)| {
        row.push_bind(*session_id)
            .push_bind(event.seq as i64)
            .push_bind(&event.record)
            .push_bind(at);
    });
    insert
}

/// One multi-row INSERT of resume tokens: (token hash, session, pid).
fn insert_tokens<'a>(tokens: &'a [(&'a [u8], i64, u32)]) -> QueryBuilder<Sqlite> {
    let mut insert = QueryBuilder::<Sqlite>::new(
        "INSERT INTO participant_tokens (token_hash, session_id, pid) ",
    );
    insert.push_values(tokens, |mut row, (token_hash, session_id, pid)| {
        row.push_bind(*token_hash)
            .push_bind(*session_id)
            .push_bind(i64::from(*pid));
    });
    insert
}

/// How long a one-time sign-in link works.
pub const SIGNIN_LINK_TTL: time::Duration = time::Duration::hours(1);

/// The conditions of a link that still works (the cutoff is bound as the last parameter); a
/// macro so that the SQL stays a literal.
macro_rules! signin_link_live {
    () => {
        "used_at IS NULL AND created_at > ? \
         AND NOT EXISTS (SELECT 1 FROM users WHERE role = 'organiser')"
    };
}

fn signin_link_cutoff() -> String {
    (OffsetDateTime::now_utc() - SIGNIN_LINK_TTL)
        .format(&Rfc3339)
        .unwrap_or_default()
}

pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// SHA-256 of a secret token: what is stored, so a copied database reveals no usable token.
pub fn hash_token(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

impl Store {
    /// Opens (creating if needed) `dir/atelier.db` and runs pending migrations.
    pub async fn open(dir: &Path) -> Result<Self> {
        let path = dir.join("atelier.db");
        // Names, comments and tokens live here: the owner's alone, like the signing keys.
        // SQLite gives its WAL and shared-memory files the database file's mode; files left
        // readable by an older version are made private too.
        private_file(&path)?;
        for companion in ["atelier.db-wal", "atelier.db-shm"] {
            let companion = dir.join(companion);
            if companion.exists() {
                private_file(&companion)?;
            }
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await?;
        let (writer, jobs) = mpsc::channel(WRITER_QUEUE);
        let store = Store {
            pool: pool.clone(),
            writer,
        };
        store.migrate().await?;
        let connection = open_writer(&options).await?;
        let written = Arc::new(Notify::new());
        tokio::spawn(group_writer(
            options,
            connection,
            jobs,
            Arc::clone(&written),
        ));
        tokio::spawn(checkpointer(pool, written));
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let done: i64 = sqlx::query_scalar("PRAGMA user_version")
            .fetch_one(&mut *conn)
            .await?;
        for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(done.max(0) as usize) {
            tracing::info!(migration = name, "applying database migration");
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
                .execute(&mut *tx)
                .await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "PRAGMA user_version = {}",
                index + 1
            )))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// A consistent copy of the whole database in `target` (SQLite `VACUUM INTO`), taken while
    /// the server keeps serving: readers and the writer are not blocked.
    pub async fn backup(&self, target: &Path) -> Result<()> {
        // Created empty and private first (SQLite accepts an empty file), so that the copy is
        // never readable by others, not even while it is written.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(target).map_err(StoreError::Io)?;
        sqlx::query("VACUUM INTO ?")
            .bind(target.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Closes the database: the group writer first (it writes what it was given, then closes
    /// its connection), then the pool. Writes after this are refused.
    pub async fn close(&self) {
        let (done, closed) = oneshot::channel();
        if self.writer.send(ToWriter::Close(done)).await.is_ok() {
            let _ = closed.await;
        }
        self.pool.close().await;
    }

    // ---- accounts -------------------------------------------------------------------

    pub async fn create_user(
        &self,
        username: &str,
        password_hash: &str,
        role: Role,
    ) -> Result<User> {
        let result = sqlx::query(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
        )
        .bind(username)
        .bind(password_hash)
        .bind(role.as_str())
        .bind(now_rfc3339())
        .execute(&self.pool)
        .await;
        if result.is_ok() && role == Role::Organiser {
            // An organiser exists: no sign-in link may make another.
            sqlx::query("DELETE FROM signin_links WHERE used_at IS NULL")
                .execute(&self.pool)
                .await?;
        }
        match result {
            Ok(done) => Ok(User {
                id: done.last_insert_rowid(),
                username: username.to_string(),
                role,
            }),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(StoreError::Conflict),
            Err(e) => Err(e.into()),
        }
    }

    /// The user and their password hash, for sign-in.
    pub async fn user_by_name(&self, username: &str) -> Result<Option<(User, String)>> {
        let row =
            sqlx::query("SELECT id, username, role, password_hash FROM users WHERE username = ? AND disabled = 0")
                .bind(username)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| Ok((user_from_row(&r)?, r.try_get("password_hash")?)))
            .transpose()
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        sqlx::query("SELECT id, username, role FROM users ORDER BY username")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(user_from_row)
            .collect()
    }

    pub async fn count_users(&self, role: Role) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE role = ?")
                .bind(role.as_str())
                .fetch_one(&self.pool)
                .await?,
        )
    }

    pub async fn store_auth_token(
        &self,
        token: &str,
        user_id: i64,
        kind: TokenKind,
        ttl: Duration,
    ) -> Result<()> {
        let expires = OffsetDateTime::now_utc() + ttl;
        sqlx::query("INSERT INTO auth_tokens (token_hash, user_id, kind, created_at, expires_at) VALUES (?, ?, ?, ?, ?)")
            .bind(hash_token(token))
            .bind(user_id)
            .bind(match kind {
                TokenKind::Cookie => "cookie",
                TokenKind::Api => "api",
            })
            .bind(now_rfc3339())
            .bind(expires.format(&Rfc3339).unwrap_or_default())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The user a cookie or API token belongs to, if it exists and has not expired.
    pub async fn user_for_token(&self, token: &str) -> Result<Option<User>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role FROM auth_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = ? AND t.expires_at > ? AND u.disabled = 0",
        )
        .bind(hash_token(token))
        .bind(now_rfc3339())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    pub async fn delete_auth_token(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM auth_tokens WHERE token_hash = ?")
            .bind(hash_token(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a new one-time sign-in link; every older unused link is void from then on (the
    /// printed link is the only one that works).
    pub async fn store_signin_link(&self, token: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM signin_links WHERE used_at IS NULL")
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO signin_links (token_hash, created_at) VALUES (?, ?)")
            .bind(hash_token(token))
            .bind(now_rfc3339())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a one-time sign-in link still works: unused, younger than
    /// [`SIGNIN_LINK_TTL`], and no organiser exists yet (once there is one, every link is void).
    pub async fn signin_link_valid(&self, token: &str) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(concat!(
            "SELECT 1 FROM signin_links WHERE token_hash = ? AND ",
            signin_link_live!()
        ))
        .bind(hash_token(token))
        .bind(signin_link_cutoff())
        .fetch_optional(&self.pool)
        .await?;
        Ok(found.is_some())
    }

    /// Uses up a sign-in link and creates the organiser account, atomically: a link
    /// opened twice cannot create two organisers.
    pub async fn redeem_signin_link(
        &self,
        token: &str,
        username: &str,
        password_hash: &str,
    ) -> Result<Option<User>> {
        let mut tx = self.pool.begin().await?;
        let used = sqlx::query(concat!(
            "UPDATE signin_links SET used_at = ? WHERE token_hash = ? AND ",
            signin_link_live!()
        ))
        .bind(now_rfc3339())
        .bind(hash_token(token))
        .bind(signin_link_cutoff())
        .execute(&mut *tx)
        .await?;
        if used.rows_affected() != 1 {
            return Ok(None);
        }
        let inserted = sqlx::query("INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, 'organiser', ?)")
            .bind(username)
            .bind(password_hash)
            .bind(now_rfc3339())
            .execute(&mut *tx)
            .await;
        let id = match inserted {
            Ok(done) => done.last_insert_rowid(),
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
    }

    // ---- sessions -------------------------------------------------------------------

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
}

/// What the group writer is asked to do.
enum ToWriter {
    Write(WriteJob),
    /// Write what came before, close the connection, stop, then answer.
    Close(oneshot::Sender<()>),
}

/// One room's batch, waiting for the group writer.
struct WriteJob {
    session_id: i64,
    batch: Batch,
    done: oneshot::Sender<std::result::Result<(), String>>,
}

/// Batches stored in one transaction at most. Bounds how long one failure (a full disk) takes
/// down, and the transaction's size.
const GROUP_MAX: usize = 256;
/// Batches waiting for the writer before rooms wait to hand theirs over.
const WRITER_QUEUE: usize = 4096;

/// The only writer of room batches. SQLite has one writer at a time anyway: with each room
/// committing on its own, 300 busy rooms queued ~100 ms for a pool connection to write ~1 ms
/// each (measured: BENCHMARKS.md). Here every batch that arrived while the previous group was
/// being written goes into the next transaction, so a commit's cost is shared by all the rooms
/// in it and the group grows with the load.
///
/// It writes through a connection of its own, not one of the pool's: a connection must drop
/// its page cache whenever another one has written, so pool connections taking turns at
/// writing re-read the pages of every write from the file (a quarter of the SQLite thread's
/// time in `perf`). The only writer's cache stays valid.
async fn group_writer(
    options: SqliteConnectOptions,
    connection: SqliteConnection,
    mut jobs: mpsc::Receiver<ToWriter>,
    written: Arc<Notify>,
) {
    let mut connection = Some(connection);
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
            let result = write_group(&options, &mut connection, &group)
                .await
                .map_err(|e| e.to_string());
            match &result {
                Ok(()) => written.notify_one(),
                Err(e) => {
                    tracing::warn!(error = %e, batches = group.len(), "a group of batches was not stored")
                }
            }
            for job in group.drain(..) {
                let _ = job.done.send(result.clone());
            }
        }
        if let Some(reply) = closing {
            // Batches sent after this point find the writer gone and are refused.
            close_writer(&mut connection).await;
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

/// Writes the batches of `group` atomically: all or none.
async fn write_group(
    options: &SqliteConnectOptions,
    connection: &mut Option<SqliteConnection>,
    group: &[WriteJob],
) -> Result<()> {
    let conn = match connection {
        Some(conn) => conn,
        None => connection.insert(open_writer(options).await?),
    };
    let written = write_batches(conn, group).await;
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

/// Closes the writer's connection, if open; [`write_group`] opens a new one when needed.
async fn close_writer(connection: &mut Option<SqliteConnection>) {
    if let Some(connection) = connection.take() {
        let _ = sqlx::Connection::close(connection).await;
    }
}

/// Every statement is a round trip to sqlx's SQLite thread, and on a saturated machine each
/// hand-off waits for the scheduler: a group of 200 rooms written with one INSERT per room
/// took 100–230 ms. So the rows of all the group's rooms go into multi-row INSERTs together
/// (a few statements per group, not one per room), and only the rare statements (claim codes,
/// erased e-mails, snapshots) are issued per room.
async fn write_batches(conn: &mut SqliteConnection, group: &[WriteJob]) -> Result<()> {
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
    let rare_statements = group.iter().any(|job| job.batch.has_rare_statements());
    // Rows that fit one statement, and nothing else: SQLite runs one statement atomically by
    // itself, and BEGIN and COMMIT would be two more round trips.
    if !rare_statements && tokens.is_empty() && events.len() <= ROWS_PER_INSERT {
        if !events.is_empty() {
            insert_events(&events, &at)
                .build()
                .execute(&mut *conn)
                .await?;
        }
        return Ok(());
    }
    let mut tx = conn.begin().await?;
    for chunk in events.chunks(ROWS_PER_INSERT) {
        insert_events(chunk, &at).build().execute(&mut *tx).await?;
    }
    for chunk in tokens.chunks(ROWS_PER_INSERT) {
        insert_tokens(chunk).build().execute(&mut *tx).await?;
    }
    for job in group.iter().filter(|job| job.batch.has_rare_statements()) {
        write_rare_statements(&mut tx, job.session_id, &job.batch).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The statements of one batch that are not plain rows (claim codes, erased e-mails, the
/// snapshot), inside the caller's transaction.
async fn write_rare_statements(
    tx: &mut SqliteConnection,
    session_id: i64,
    batch: &Batch,
) -> Result<()> {
    for pid in &batch.forget_emails {
        sqlx::query(
            "UPDATE events SET record = json_replace(record, '$.command.command.email', NULL)
                 WHERE session_id = ? AND json_extract(record, '$.actor.pid') = ?
                   AND json_extract(record, '$.command.type') = 'badge'
                   AND json_extract(record, '$.command.command.type') = 'request'",
        )
        .bind(session_id)
        .bind(i64::from(*pid))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE snapshots SET state = json_replace(state, ?, NULL) WHERE session_id = ?",
        )
        .bind(format!("$.badges.requests.\"{pid}\".email"))
        .bind(session_id)
        .execute(&mut *tx)
        .await?;
    }
    for (pid, keep) in &batch.revoke_tokens {
        sqlx::query(
            "DELETE FROM participant_tokens WHERE session_id = ? AND pid = ? AND token_hash != ?",
        )
        .bind(session_id)
        .bind(i64::from(*pid))
        .bind(keep.as_slice())
        .execute(&mut *tx)
        .await?;
    }
    if batch.void_claim_codes {
        sqlx::query("DELETE FROM claim_codes WHERE session_id = ?")
            .bind(session_id)
            .execute(&mut *tx)
            .await?;
    }
    for (code, valid_until) in &batch.claim_codes {
        sqlx::query(
                "INSERT INTO claim_codes (code, session_id, valid_until) VALUES (?, ?, ?)
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
            "INSERT INTO snapshots (session_id, seq, state) VALUES (?, ?, ?)
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

impl Store {
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
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO snapshots (session_id, seq, state) VALUES (?, ?, ?)
             ON CONFLICT (session_id) DO UPDATE SET seq = excluded.seq, state = excluded.state",
        )
        .bind(session_id)
        .bind(seq as i64)
        .bind(scrubbed_state)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM events WHERE session_id = ? AND seq <= ?")
            .bind(session_id)
            .bind(seq as i64)
            .execute(&mut *tx)
            .await?;
        let pid = pid.map(i64::from);
        sqlx::query(
            "DELETE FROM participant_tokens WHERE session_id = ? AND (? IS NULL OR pid = ?)",
        )
        .bind(session_id)
        .bind(pid)
        .bind(pid)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE badges SET recipient_name = NULL, credential = NULL WHERE session_id = ? AND (? IS NULL OR pid = ?)")
            .bind(session_id)
            .bind(pid)
            .bind(pid)
            .execute(&mut *tx)
            .await?;
        if pid.is_none() {
            sqlx::query("UPDATE sessions SET erased_at = ? WHERE id = ?")
                .bind(now_rfc3339())
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Codes of sessions not erased yet whose last activity is older than `cutoff` (RFC 3339).
    pub async fn sessions_to_erase(&self, cutoff: &str) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar(
            "SELECT s.code FROM sessions s
             WHERE s.erased_at IS NULL
               AND COALESCE((SELECT MAX(e.at) FROM events e WHERE e.session_id = s.id), s.created_at) < ?",
        )
        .bind(cutoff)
        .fetch_all(&self.pool)
        .await?)
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

fn user_from_row(r: &sqlx::sqlite::SqliteRow) -> Result<User> {
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        role: Role::parse(r.try_get("role")?)?,
    })
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

/// Creates `path` empty with mode 0600 if it does not exist, else sets that mode.
fn private_file(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)
                .map_err(StoreError::Io)?;
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(StoreError::Io)?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates a data directory (and missing parents) only its owner may enter.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

#[cfg(test)]
mod tests {
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
        store.append(row.id, batch(1)).await.unwrap();
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
                sqlx::query_scalar("SELECT count(*) FROM events WHERE session_id = ?")
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
            store.append(row.id, batch(2)).await,
            Err(StoreError::Write(_))
        ));
        assert!(!dir.path().join("atelier.db-wal").exists());
    }

    /// Many rooms storing at once: their batches are grouped into shared transactions, and
    /// every one of them is stored, in order, with its tokens.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn batches_of_many_rooms_written_at_once_are_all_stored() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).await.unwrap();
        let mut sessions = Vec::new();
        for i in 0..40 {
            let row = store
                .create_session(&format!("GRP{i:03}"), None, "{}", "screen-key")
                .await
                .unwrap();
            sessions.push(row.id);
        }
        let writers: Vec<_> = sessions
            .iter()
            .map(|&id| {
                let store = store.clone();
                tokio::spawn(async move {
                    let mut seq = 0u64;
                    let mut snapshot_at = 0u64;
                    for b in 0..25u32 {
                        let events = (0..1 + b % 3)
                            .map(|_| {
                                seq += 1;
                                EventRecord {
                                    seq,
                                    record: format!("{{\"session\":{id},\"seq\":{seq}}}"),
                                }
                            })
                            .collect();
                        let new_tokens = if b % 5 == 0 {
                            vec![(hash_token(&format!("token-{id}-{b}")), b)]
                        } else {
                            Vec::new()
                        };
                        // Now and then a snapshot: a statement of its own amid shared INSERTs.
                        let snapshot = (b % 7 == 6).then(|| {
                            snapshot_at = seq;
                            (seq, format!("{{\"session\":{id},\"upto\":{seq}}}"))
                        });
                        let batch = Batch {
                            events,
                            new_tokens,
                            snapshot,
                            ..Batch::default()
                        };
                        store.append(id, batch).await.unwrap();
                    }
                    (snapshot_at, seq)
                })
            })
            .collect();
        for (&id, writer) in sessions.iter().zip(writers) {
            let (snapshot_at, last) = writer.await.unwrap();
            let history = store.history(id).await.unwrap();
            assert_eq!(
                history.snapshot,
                Some((
                    snapshot_at,
                    format!("{{\"session\":{id},\"upto\":{snapshot_at}}}")
                ))
            );
            let seqs: Vec<u64> = history.events.iter().map(|e| e.seq).collect();
            assert_eq!(
                seqs,
                (snapshot_at + 1..=last).collect::<Vec<_>>(),
                "session {id}"
            );
            assert!(
                history
                    .events
                    .iter()
                    .all(|e| e.record.contains(&format!("\"session\":{id},")))
            );
            for b in (0..25u32).step_by(5) {
                let (_, pid) = store
                    .participant_for_token(&format!("token-{id}-{b}"))
                    .await
                    .unwrap()
                    .expect("token stored");
                assert_eq!(pid, b);
            }
        }
    }
}
