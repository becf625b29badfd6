//! Connecting to PostgreSQL: the database URL (a secret: it may hold a password) and the pool.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use super::Result;

/// Connections of one server to PostgreSQL: the group writer's groups, the rooms' reads, the
/// pages' and the API's queries, the issuers. Well below PostgreSQL's default
/// `max_connections` (100), leaving room for other nodes and for `pg_dump`.
const MAX_CONNECTIONS: u32 = 16;
/// How long a query waits for a free connection before it fails.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

/// A `postgres://` (or `postgresql://`) URL, checked when given. It may hold a password, so
/// neither `Debug` nor `Display` shows it: they show the URL with the password replaced.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The URL itself, to connect with; never to be logged.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL without its password, for messages.
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return "postgres://…".into();
        };
        // The user information ends at the last '@' before the host (a password may hold '@'
        // only percent-encoded, but a careless one is hidden as well).
        // Parameters may hold one too (`?password=…`): they are left out altogether.
        let rest = match rest.split_once('?') {
            Some((before, _)) => format!("{before}?…"),
            None => rest.to_string(),
        };
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        match rest[..authority_end].rfind('@') {
            Some(at) => {
                let user = rest[..at].split(':').next().unwrap_or_default();
                let password = if rest[..at].contains(':') { ":***" } else { "" };
                format!("{scheme}://{user}{password}{}", &rest[at..])
            }
            None => format!("{scheme}://{rest}"),
        }
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;

    /// Accepts what sqlx's PostgreSQL driver accepts; the error never repeats the URL (it may
    /// hold a password and end up in a log).
    fn from_str(raw: &str) -> std::result::Result<Self, String> {
        let raw = raw.trim();
        if !(raw.starts_with("postgres://") || raw.starts_with("postgresql://")) {
            return Err(
                "the database URL must start with postgres:// (e.g. postgres://atelier@localhost/atelier)"
                    .into(),
            );
        }
        PgConnectOptions::from_str(raw)
            .map_err(|_| "the database URL is not a valid PostgreSQL URL".to_string())?;
        Ok(DatabaseUrl(raw.to_string()))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// A pool of connections to the database at `url`. Statements are logged at debug level only
/// (never their bound values); the URL is not logged.
pub(super) async fn connect(url: &DatabaseUrl) -> Result<PgPool> {
    let options = PgConnectOptions::from_str(url.expose())?.application_name("atelier");
    Ok(PgPoolOptions::new()
        .max_connections(MAX_CONNECTIONS)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_checked_and_never_show_their_password() {
        let url: DatabaseUrl = "postgres://atelier:s3cret@db.example:5432/atelier"
            .parse()
            .unwrap();
        assert_eq!(
            url.expose(),
            "postgres://atelier:s3cret@db.example:5432/atelier"
        );
        for shown in [format!("{url}"), format!("{url:?}"), url.redacted()] {
            assert!(!shown.contains("s3cret"), "{shown}");
            assert!(shown.contains("db.example:5432/atelier"), "{shown}");
        }
        let plain: DatabaseUrl = "postgresql://localhost/atelier".parse().unwrap();
        assert_eq!(plain.redacted(), "postgresql://localhost/atelier");
        let parameter: DatabaseUrl = "postgres://localhost/atelier?password=s3cret"
            .parse()
            .unwrap();
        assert_eq!(parameter.redacted(), "postgres://localhost/atelier?…");
        assert!("sqlite://x.db".parse::<DatabaseUrl>().is_err());
        let refused = "postgres://u:pw@host:notaport/db"
            .parse::<DatabaseUrl>()
            .unwrap_err();
        assert!(!refused.contains("pw"), "{refused}");
    }
}
