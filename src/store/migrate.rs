//! Numbered migrations, compiled in.

use super::{Result, Store};

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

impl Store {
    pub(super) async fn migrate(&self) -> Result<()> {
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
}
