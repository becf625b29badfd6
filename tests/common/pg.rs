//! A throw-away PostgreSQL for the tests that run against both stores.
//!
//! Each test binary that needs one starts its own cluster, the first time a test asks for a
//! database: `initdb` in a temporary directory (as `nobody` when the tests run as root, since
//! PostgreSQL refuses to run as root), then `postgres` on a free loopback port. Every test gets
//! a database of its own (`CREATE DATABASE`), so tests stay independent and run in parallel.
//!
//! The cluster is stopped and its directory removed when the test binary exits, however it
//! exits (a failed test, a panic, a kill): `postgres` runs under a small shell that waits on a
//! pipe from this process and, once the pipe closes, stops it and removes the directory.
//!
//! `ATELIER_TEST_DATABASE_URL` (a URL of a role that may create databases) uses an existing
//! server instead. Without PostgreSQL the PostgreSQL variants fail, unless
//! `ATELIER_TEST_SKIP_POSTGRES=1` says to skip them (each skip is logged like every skip).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::Connection;

/// An existing server to use instead of a throw-away cluster.
pub const URL_VAR: &str = "ATELIER_TEST_DATABASE_URL";
/// Set (to anything but `0`): the PostgreSQL variants are skipped, and say so.
pub const SKIP_VAR: &str = "ATELIER_TEST_SKIP_POSTGRES";

struct Cluster {
    /// Connects as a role that may create databases, to the `postgres` database.
    admin_url: url::Url,
    /// The shell that stops the cluster when this process ends; kept so that its pipe stays
    /// open until then.
    _watchdog: Option<Child>,
    /// The server's log, quoted when it does not answer.
    log: Option<PathBuf>,
}

static CLUSTER: OnceLock<Result<Cluster, String>> = OnceLock::new();
static DATABASES: AtomicUsize = AtomicUsize::new(0);

/// Why the PostgreSQL variant of a test is skipped, when the skip variable says so.
pub fn skip_reason() -> Option<String> {
    match std::env::var(SKIP_VAR) {
        Ok(value) if !value.is_empty() && value != "0" => {
            Some(format!("PostgreSQL variant skipped ({SKIP_VAR} is set)"))
        }
        _ => None,
    }
}

/// A new, empty database on the test cluster: its URL. Panics (the test fails) when
/// PostgreSQL cannot be started or reached.
pub async fn fresh_database() -> String {
    let cluster = match CLUSTER.get_or_init(start_cluster) {
        Ok(cluster) => cluster,
        Err(e) => panic!(
            "this test needs PostgreSQL, which could not be started: {e}\n\
             (bash scripts/install-test-deps installs it; {SKIP_VAR}=1 skips the PostgreSQL \
             variants of the tests)"
        ),
    };
    let name = format!(
        "atelier_test_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = connect_admin(cluster).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("CREATE DATABASE");
    let _ = admin.close().await;
    let mut url = cluster.admin_url.clone();
    url.set_path(&name);
    url.to_string()
}

/// The admin connection, retried while the server starts up (30 s at most).
async fn connect_admin(cluster: &Cluster) -> sqlx::PgConnection {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match sqlx::PgConnection::connect(cluster.admin_url.as_str()).await {
            Ok(connection) => return connection,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => {
                let log = cluster
                    .log
                    .as_ref()
                    .and_then(|path| std::fs::read_to_string(path).ok())
                    .unwrap_or_default();
                panic!("PostgreSQL does not answer: {e}\nits log:\n{log}");
            }
        }
    }
}

fn start_cluster() -> Result<Cluster, String> {
    if let Ok(raw) = std::env::var(URL_VAR) {
        let admin_url = url::Url::parse(&raw).map_err(|_| format!("{URL_VAR} is not a URL"))?;
        return Ok(Cluster {
            admin_url,
            _watchdog: None,
            log: None,
        });
    }
    let bin = binaries().ok_or(
        "initdb was not found in PATH nor in /usr/lib/postgresql/*/bin \
         (Debian package postgresql)",
    )?;
    let as_root = is_root();
    let dir = tempfile::Builder::new()
        .prefix("atelier-pg-")
        .tempdir()
        .map_err(|e| format!("temporary directory: {e}"))?
        .keep();
    if as_root {
        // initdb and postgres refuse to run as root: they run as nobody, in a directory of
        // nobody's.
        run(Command::new("chown").arg("nobody:").arg(&dir))?;
    }
    let data = dir.join("data");
    run(as_user(as_root, &bin.join("initdb"))
        .current_dir(&dir)
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]))?;
    let port = free_port()?;
    let log = dir.join("postgres.log");
    // Stops the server and removes the directory once stdin closes (when this process ends).
    let script = r#"
        "$1" -D "$2" -p "$3" -k "$4" -c listen_addresses=127.0.0.1 -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
            >"$4/postgres.log" 2>&1 &
        server=$!
        cat >/dev/null
        kill -INT "$server"
        wait "$server"
        rm -rf "$4"
    "#;
    let watchdog = as_user(as_root, Path::new("sh"))
        .current_dir(&dir)
        .args(["-c", script, "sh"])
        .arg(bin.join("postgres"))
        .arg(&data)
        .arg(port.to_string())
        .arg(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting postgres: {e}"))?;
    let admin_url = url::Url::parse(&format!("postgres://postgres@127.0.0.1:{port}/postgres"))
        .map_err(|e| e.to_string())?;
    Ok(Cluster {
        admin_url,
        _watchdog: Some(watchdog),
        log: Some(log),
    })
}

/// A PostgreSQL program (`pg_dump`, `pg_restore`): beside the server programs, else on the
/// PATH.
pub fn program(name: &str) -> PathBuf {
    binaries()
        .map(|bin| bin.join(name))
        .filter(|path| path.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// The directory of PostgreSQL's server programs: where `initdb` is on the PATH, else
/// Debian's versioned directory (newest first).
fn binaries() -> Option<PathBuf> {
    let in_path = std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).find(|dir| dir.join("initdb").is_file()));
    if let Some(dir) = in_path {
        // A symbolic link such as /usr/local/bin/initdb: postgres is beside its target.
        let target = std::fs::canonicalize(dir.join("initdb")).ok()?;
        return target.parent().map(Path::to_path_buf);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok().map(|e| e.path().join("bin")))
        .filter(|bin| bin.join("initdb").is_file())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `program` as is, or as nobody when running as root.
fn as_user(as_root: bool, program: &Path) -> Command {
    if as_root {
        let mut command = Command::new("runuser");
        command.args(["-u", "nobody", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let out = command
        .output()
        .map_err(|e| format!("{:?}: {e}", command.get_program()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{:?} failed: {}{}",
            command.get_program(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// A loopback port nobody listens on at the moment.
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|addr| addr.port())
        .map_err(|e| e.to_string())
}
