//! Configuration: command-line flags, each with an environment twin.
//!
//! `--data-dir`, `--database-url` and `--public-url` concern every command and are accepted before or after the
//! subcommand; `--addr` and `--admin-token` concern the server only and are accepted before
//! `serve`, after it, or without it (`atelier` alone serves).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::store::DatabaseUrl;

/// Where the server listens when `--addr` is not given.
pub const DEFAULT_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 8080);

/// Flags every command shares.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Where the database, signing keys and extra decks live.
    #[arg(
        long = "data-dir",
        env = "ATELIER_DATA_DIR",
        default_value = "atelier-data",
        global = true
    )]
    pub data_dir: PathBuf,
    /// Public base URL (e.g. https://atelier.example.org): used in join links and QR codes.
    #[arg(long, env = "ATELIER_PUBLIC_URL", value_parser = parse_public_url, global = true)]
    pub public_url: Option<String>,
    /// PostgreSQL instead of SQLite in the data directory, for a hosted Atelier
    /// (postgres://USER:PASSWORD@HOST/DATABASE); keys and decks stay in the data directory.
    /// Never logged.
    #[arg(
        long = "database-url",
        env = "ATELIER_DATABASE_URL",
        value_name = "URL",
        value_parser = DatabaseUrlParser,
        hide_env_values = true,
        global = true
    )]
    pub database_url: Option<DatabaseUrl>,
}

/// Parses `--database-url` without ever repeating it: clap's own message for a refused value
/// quotes the value, and this one may hold a password.
#[derive(Clone)]
struct DatabaseUrlParser;

impl clap::builder::TypedValueParser for DatabaseUrlParser {
    type Value = DatabaseUrl;

    fn parse_ref(
        &self,
        _cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<DatabaseUrl, clap::Error> {
        let refused = |message: String| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("--database-url: {message}\n"),
            )
        };
        value
            .to_str()
            .ok_or_else(|| refused("the URL must be UTF-8".into()))?
            .parse()
            .map_err(refused)
    }
}

/// Flags of the server alone.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ServerArgs {
    /// Address to listen on [default: 127.0.0.1:8080]; use 0.0.0.0:8080 to let phones on the
    /// same network in.
    #[arg(long, env = "ATELIER_ADDR")]
    pub addr: Option<SocketAddr>,
    /// Organiser API token for automation (Bearer). Never logged.
    #[arg(long, env = "ATELIER_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// A reverse proxy (address or CIDR range, repeatable) whose X-Forwarded-For header names
    /// the client: only then are those headers believed, and only then do
    /// per-client limits apply to each client rather than to the proxy.
    #[arg(long = "trusted-proxy", env = "ATELIER_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_net)]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Another host name this server answers to (repeatable), besides addresses, localhost and
    /// the public URL's host: e.g. the laptop's `name.local`. Requests for any other name are
    /// refused (DNS rebinding).
    #[arg(
        long = "allow-host",
        env = "ATELIER_ALLOW_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// With --database-url: seconds without renewal after which another node may take over a
    /// session this node serves [default: 10]. Shorter: a dead node's sessions come back
    /// sooner; longer: a node survives longer pauses (its renewals come every third of it).
    #[arg(long = "lease-ttl", env = "ATELIER_LEASE_TTL", value_parser = parse_lease_ttl)]
    pub lease_ttl: Option<Duration>,
}

impl ServerArgs {
    /// These flags where given after `serve`, else where given before it.
    pub fn or(self, before: ServerArgs) -> ServerArgs {
        ServerArgs {
            addr: self.addr.or(before.addr),
            admin_token: self.admin_token.or(before.admin_token),
            trusted_proxies: either(self.trusted_proxies, before.trusted_proxies),
            allowed_hosts: either(self.allowed_hosts, before.allowed_hosts),
            lease_ttl: self.lease_ttl.or(before.lease_ttl),
        }
    }
}

fn either<T>(after: Vec<T>, before: Vec<T>) -> Vec<T> {
    if after.is_empty() { before } else { after }
}

/// A lease's length in seconds (decimals allowed), from one second to ten minutes: shorter
/// than a second, renewals would be lost in ordinary scheduling delays; longer, a dead node's
/// sessions would wait that long.
fn parse_lease_ttl(raw: &str) -> Result<Duration, String> {
    let seconds: f64 = raw
        .trim()
        .parse()
        .map_err(|_| format!("{raw:?} is not a number of seconds"))?;
    if !(1.0..=600.0).contains(&seconds) {
        return Err("the lease lasts from 1 to 600 seconds".into());
    }
    Ok(Duration::from_secs_f64(seconds))
}

/// An address (`10.0.0.5`, one host) or a range (`10.0.0.0/24`).
fn parse_net(raw: &str) -> Result<ipnet::IpNet, String> {
    let raw = raw.trim();
    raw.parse::<ipnet::IpNet>()
        .or_else(|_| raw.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
        .map_err(|_| format!("{raw:?} is not an address or a CIDR range such as 10.0.0.0/24"))
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// PostgreSQL; `None`: SQLite in the data directory.
    pub database_url: Option<DatabaseUrl>,
    pub public_url: Option<String>,
    pub admin_token: Option<String>,
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub allowed_hosts: Vec<String>,
    /// Sessions' leases on PostgreSQL (ignored on SQLite).
    pub leases: crate::store::LeaseSettings,
    pub limits: crate::web::conn::HttpLimits,
}

impl ServeConfig {
    pub fn new(global: GlobalArgs, server: ServerArgs) -> Self {
        Self {
            addr: server.addr.unwrap_or(DEFAULT_ADDR),
            data_dir: global.data_dir,
            database_url: global.database_url,
            public_url: global.public_url,
            admin_token: server.admin_token,
            trusted_proxies: server.trusted_proxies,
            allowed_hosts: server.allowed_hosts,
            leases: server
                .lease_ttl
                .map(crate::store::LeaseSettings::with_ttl)
                .unwrap_or_default(),
            limits: Default::default(),
        }
    }

    /// Embedded defaults with another data directory and address: what tests start.
    pub fn for_data_dir(path: PathBuf, addr: SocketAddr) -> Self {
        Self {
            addr,
            data_dir: path,
            database_url: None,
            public_url: None,
            admin_token: None,
            trusted_proxies: Vec::new(),
            allowed_hosts: Vec::new(),
            leases: Default::default(),
            limits: Default::default(),
        }
    }
}

/// Accepts an http(s) URL without query or fragment and drops a trailing slash.
fn parse_public_url(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .ok_or("the public URL must start with http:// or https://")?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(
            "the public URL must be a plain base such as https://atelier.example.org".into(),
        );
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_urls_are_checked() {
        assert_eq!(
            parse_public_url("https://a.example/").unwrap(),
            "https://a.example"
        );
        assert!(parse_public_url("ftp://a").is_err());
        assert!(parse_public_url("https://a.example/?x").is_err());
    }

    #[test]
    fn lease_lengths_are_checked() {
        assert_eq!(parse_lease_ttl("2.5").unwrap(), Duration::from_millis(2500));
        assert_eq!(parse_lease_ttl(" 10 ").unwrap(), Duration::from_secs(10));
        for refused in ["0.5", "601", "ten", "-3", "NaN"] {
            assert!(parse_lease_ttl(refused).is_err(), "{refused}");
        }
    }
}
