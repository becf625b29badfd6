//! Configuration: command-line flags, each with an environment twin.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct DataDir {
    /// Where the database, signing keys and extra decks live.
    #[arg(
        long = "data-dir",
        env = "ATELIER_DATA_DIR",
        default_value = "atelier-data"
    )]
    pub path: PathBuf,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ServeConfig {
    /// Address to listen on; use 0.0.0.0:8080 to let phones on the same network in.
    #[arg(long, env = "ATELIER_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    #[command(flatten)]
    pub data_dir: DataDir,
    /// Public base URL (e.g. https://atelier.example.org): used in join links and QR codes.
    #[arg(long, env = "ATELIER_PUBLIC_URL", value_parser = parse_public_url, global = true)]
    pub public_url: Option<String>,
    /// Organiser API token for automation (Bearer). Never logged.
    #[arg(long, env = "ATELIER_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
}

impl ServeConfig {
    /// Embedded defaults with another data directory and address: what tests start.
    pub fn for_data_dir(path: PathBuf, addr: SocketAddr) -> Self {
        Self {
            addr,
            data_dir: DataDir { path },
            public_url: None,
            admin_token: None,
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
}
