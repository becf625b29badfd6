//! Numbered migrations, compiled in, one list per database. Migration N stands for the same
//! change on both (`migrations/sqlite/` and `migrations/postgres/`), so a schema version means
//! the same tables whichever database holds them. SQLite records how many ran in
//! `PRAGMA user_version` (as it always did: existing databases upgrade as before);
//! PostgreSQL in the one-row table `atelier_schema`.

use sqlx::PgPool;

use super::{Db, Result, Store};

/// SQLite's numbered migrations; `PRAGMA user_version` records how many ran. `PRAGMA user_version` records how many ran.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_core",
        include_str!("../../migrations/sqlite/0001_core.sql"),
    ),
    (
        "0002_badges",
        include_str!("../../migrations/sqlite/0002_badges.sql"),
    ),
    (
        "0003_feedback",
        include_str!("../../migrations/sqlite/0003_feedback.sql"),
    ),
    (
        "0004_claims",
        include_str!("../../migrations/sqlite/0004_claims.sql"),
    ),
    (
        "0005_retention",
        include_str!("../../migrations/sqlite/0005_retention.sql"),
    ),
    (
        "0006_hosted_badges",
        include_str!("../../migrations/sqlite/0006_hosted_badges.sql"),
    ),
    (
        "0007_status_counter",
        include_str!("../../migrations/sqlite/0007_status_counter.sql"),
    ),
    (
        "0008_accounts",
        include_str!("../../migrations/sqlite/0008_accounts.sql"),
    ),
    (
        "0009_session_leases",
        include_str!("../../migrations/sqlite/0009_session_leases.sql"),
    ),
];

/// PostgreSQL's, in the same order and with the same numbers.
const POSTGRES_MIGRATIONS: &[(&str, &str)] = &[
    (
        "0001_core",
        include_str!("../../migrations/postgres/0001_core.sql"),
    ),
    (
        "0002_badges",
        include_str!("../../migrations/postgres/0002_badges.sql"),
    ),
    (
        "0003_feedback",
        include_str!("../../migrations/postgres/0003_feedback.sql"),
    ),
    (
        "0004_claims",
        include_str!("../../migrations/postgres/0004_claims.sql"),
    ),
    (
        "0005_retention",
        include_str!("../../migrations/postgres/0005_retention.sql"),
    ),
    (
        "0006_hosted_badges",
        include_str!("../../migrations/postgres/0006_hosted_badges.sql"),
    ),
    (
        "0007_status_counter",
        include_str!("../../migrations/postgres/0007_status_counter.sql"),
    ),
    (
        "0008_accounts",
        include_str!("../../migrations/postgres/0008_accounts.sql"),
    ),
    (
        "0009_session_leases",
        include_str!("../../migrations/postgres/0009_session_leases.sql"),
    ),
];

/// The key of the advisory lock that migrations hold on PostgreSQL: servers starting at the
/// same time on one database take turns, and the second finds the work done.
const MIGRATION_LOCK: i64 = 0x4154_454c_4945_5201;

impl Store {
    pub(super) async fn migrate(&self) -> Result<()> {
        match &self.db {
            Db::Sqlite(pool) => migrate_sqlite(pool).await,
            Db::Postgres(pool) => migrate_postgres(pool).await,
        }
    }
}

async fn migrate_sqlite(pool: &sqlx::SqlitePool) -> Result<()> {
    let mut conn = pool.acquire().await?;
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

/// Every pending migration in one transaction (PostgreSQL's DDL is transactional: a failed
/// upgrade leaves the previous schema), under an advisory lock.
async fn migrate_postgres(pool: &PgPool) -> Result<()> {
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(MIGRATION_LOCK)
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS atelier_schema (
             id      BIGINT PRIMARY KEY CHECK (id = 1),
             version BIGINT NOT NULL
         );
         INSERT INTO atelier_schema (id, version) VALUES (1, 0) ON CONFLICT (id) DO NOTHING",
    )
    .execute(&mut *tx)
    .await?;
    let done: i64 = sqlx::query_scalar("SELECT version FROM atelier_schema WHERE id = 1")
        .fetch_one(&mut *tx)
        .await?;
    let done = usize::try_from(done).unwrap_or(0);
    if done > POSTGRES_MIGRATIONS.len() {
        return Err(super::StoreError::Corrupt(format!(
            "the database's schema (version {done}) is newer than this Atelier knows: upgrade Atelier"
        )));
    }
    for (index, (name, sql)) in POSTGRES_MIGRATIONS.iter().enumerate().skip(done) {
        tracing::info!(migration = name, "applying database migration");
        sqlx::raw_sql(sqlx::AssertSqlSafe(*sql))
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE atelier_schema SET version = $1 WHERE id = 1")
            .bind(index as i64 + 1)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}
