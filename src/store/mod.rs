//! Persistence: the one module that talks to the database. Everything else sees this small
//! interface, [`Store`], whichever database is behind it:
//!
//! - **SQLite** (the embedded default, `DATA_DIR/atelier.db`) in WAL mode with
//!   `synchronous = NORMAL`: a committed transaction survives the process being killed
//!   (`kill -9`), which is the durability promise made to clients; only an operating-system
//!   crash could lose the last commits.
//! - **PostgreSQL** (`--database-url postgres://…`, for a hosted Atelier): a commit is durable
//!   once PostgreSQL says so (`synchronous_commit` as the server is configured, `on` by default).
//!
//! One set of methods serves both: each runs its statement on the pool of the database in use
//! ([`on_db!`]). Statements are written once with `$1`-style placeholders, which both drivers
//! read; the few that differ (JSON functions, case-insensitive usernames) name both forms
//! ([`Dialect::pick`]). Every integer column is 64-bit on both, so rows decode the same way
//! ([`StoreRow`]).
//!
//! By concern: `accounts` (users, sign-in, tokens), `sessions` (sessions, their command log
//! and resume tokens), `writer` (the group writer that stores rooms' batches), `badges`
//! (settings, achievements, badges, the status list, claim codes), `retention` (erasure),
//! `feedback`, `migrate` (numbered migrations of each database), `postgres` (connecting to
//! PostgreSQL, its URL kept out of logs).

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::postgres::PgRow;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::{mpsc, oneshot};

/// Runs `$body` with `$pool` bound to the pool of the database in use (and `$dialect`, when
/// named, to its [`Dialect`]). The body is written once and compiled for each database:
/// sqlx's query, row and transaction types differ by database, the statements do not.
macro_rules! on_db {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
    ($store:expr, |$pool:ident, $dialect:ident| $body:expr) => {
        match &$store.db {
            $crate::store::Db::Sqlite($pool) => {
                let $dialect = $crate::store::Dialect::Sqlite;
                $body
            }
            $crate::store::Db::Postgres($pool) => {
                let $dialect = $crate::store::Dialect::Postgres;
                $body
            }
        }
    };
}

pub mod accounts;
pub mod badges;
pub mod feedback;
pub mod lease;
mod migrate;
mod postgres;
pub mod retention;
pub mod sessions;
mod writer;

pub use accounts::SIGNIN_LINK_TTL;
pub use badges::{AchievementRow, BadgeRow, NewBadge};
pub use lease::{LEASE_TTL, Lease, LeaseSettings};
pub use postgres::DatabaseUrl;
use writer::ToWriter;

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
    /// The session's lease is not this node's any more (another node took it over while this
    /// one was not renewing it): the database refused the write (fencing), and the room
    /// must stop rather than go on with a state nobody else will see.
    #[error("this node no longer owns the session")]
    NotOwner,
    /// Another node holds the session's lease; it expires in this long unless renewed.
    #[error("another node serves this session (its lease expires in {0:?} unless renewed)")]
    LeaseHeld(Duration),
    /// The database's files (permissions, a backup's target).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T> = std::result::Result<T, StoreError>;

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
    db: Db,
    /// Room batches go to the group writer ([`writer`]).
    writer: mpsc::Sender<ToWriter>,
    /// The sessions' leases this node holds ([`lease`]).
    leases: Arc<lease::Leases>,
}

/// The database in use, as a pool of connections.
#[derive(Clone)]
pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Which SQL a statement that differs between the databases is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The form of a statement for this database, when the two differ.
    pub(crate) fn pick(self, sqlite: &'static str, postgres: &'static str) -> &'static str {
        match self {
            Dialect::Sqlite => sqlite,
            Dialect::Postgres => postgres,
        }
    }
}

/// A value the store reads from a row of either database.
pub(crate) trait Column:
    for<'r> sqlx::Decode<'r, Sqlite>
    + sqlx::Type<Sqlite>
    + for<'r> sqlx::Decode<'r, Postgres>
    + sqlx::Type<Postgres>
{
}

impl<T> Column for T where
    T: for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Sqlite>
        + for<'r> sqlx::Decode<'r, Postgres>
        + sqlx::Type<Postgres>
{
}

/// A row of either database, read by column name: the functions that turn rows into the
/// store's types are written once for both.
pub(crate) trait StoreRow {
    fn col<T: Column>(&self, name: &str) -> Result<T>;
}

impl StoreRow for SqliteRow {
    fn col<T: Column>(&self, name: &str) -> Result<T> {
        Ok(sqlx::Row::try_get(self, name)?)
    }
}

impl StoreRow for PgRow {
    fn col<T: Column>(&self, name: &str) -> Result<T> {
        Ok(sqlx::Row::try_get(self, name)?)
    }
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
        let (writer, jobs) = mpsc::channel(writer::WRITER_QUEUE);
        let store = Store {
            db: Db::Sqlite(pool.clone()),
            writer,
            leases: lease::Leases::new(LeaseSettings::default()),
        };
        store.migrate().await?;
        writer::start_sqlite(options, pool, jobs).await?;
        Ok(store)
    }

    /// Connects to a PostgreSQL database (which must exist) and runs pending migrations, with
    /// sessions' leases of the default length.
    pub async fn open_postgres(url: &DatabaseUrl) -> Result<Self> {
        Self::open_postgres_with(url, LeaseSettings::default()).await
    }

    /// [`Store::open_postgres`] with sessions' leases of `leases` (tests shorten them; an
    /// operator may trade a longer pause tolerated for a slower take-over).
    pub async fn open_postgres_with(url: &DatabaseUrl, leases: LeaseSettings) -> Result<Self> {
        let pool = postgres::connect(url).await?;
        let (writer, jobs) = mpsc::channel(writer::WRITER_QUEUE);
        let leases = lease::Leases::new(leases);
        let store = Store {
            db: Db::Postgres(pool.clone()),
            writer,
            leases: Arc::clone(&leases),
        };
        store.migrate().await?;
        writer::start_postgres(pool.clone(), jobs, leases.node().to_string());
        tokio::spawn(lease::renewer(pool, leases));
        Ok(store)
    }

    /// Which database this store writes to, for messages ("SQLite", "PostgreSQL").
    pub fn kind(&self) -> &'static str {
        match self.db {
            Db::Sqlite(_) => "SQLite",
            Db::Postgres(_) => "PostgreSQL",
        }
    }

    /// A consistent copy of the whole database in `target` (SQLite `VACUUM INTO`), taken while
    /// the server keeps serving: readers and the writer are not blocked.
    /// On PostgreSQL the database's own tools do this (`pg_dump`, docs/deploy.md).
    pub async fn backup(&self, target: &Path) -> Result<()> {
        let Db::Sqlite(pool) = &self.db else {
            return Err(StoreError::Io(std::io::Error::new(
                std::io::ErrorKind::Unsupported,
                "the database is PostgreSQL: back it up with pg_dump (docs/deploy.md)",
            )));
        };
        // Created empty and private first (SQLite accepts an empty file), so that the copy is
        // never readable by others, not even while it is written.
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(target).map_err(StoreError::Io)?;
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_string_lossy().into_owned())
            .execute(pool)
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
        on_db!(self, |pool| pool.close().await);
    }
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
