//! The `atelier` command: serve workshops (default), or work with badges from the shell.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use atelier::badge::verify::{VerifyContext, verify};
use atelier::deck::Lang;
use atelier::issuer::{IssueRequest, Issuer};
use atelier::session::code::clean_name;
use atelier::store::Store;

use atelier::auth::hash_password;
use atelier::config::{GlobalArgs, ServeConfig, ServerArgs};
use atelier::room::RoomSettings;
use atelier::server;
use atelier::store::{Role, StoreError};
use atelier::web::api::USERNAME_MAX_CHARS;

/// mimalloc instead of glibc's allocator: serialising and fanning out events allocates and
/// frees small buffers on every turn, and glibc's allocator (its free-list consolidation
/// above all) took ~12% of a saturated server's CPU (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc 3.3's defaults keep freed memory for a while and, on Linux, commit its first 1 GiB
/// arena eagerly and let the kernel reclaim freed pages lazily: the server then shows 1.3–2× the
/// resident memory of glibc for the same phones. Both are turned off (measured: 2,000 phones
/// idle in 38 MB, not 49–75 MB). The arena is reserved by the first allocation, before `main`,
/// so this runs from `.preinit_array`, before any constructor or allocation.
/// The option numbers are positions in mimalloc 3.3's `mi_option_t`, which its Rust bindings
/// do not name; the crate versions are pinned and the version checked, so an upgrade cannot
/// silently set other options (and a test fails until they are checked again).
#[cfg(target_os = "linux")]
extern "C" fn tune_allocator() {
    // SAFETY: plain calls into mimalloc's static option table; they take no pointers and
    // allocate nothing.
    unsafe {
        if libmimalloc_sys::mi_version() != MIMALLOC_VERSION {
            return;
        }
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 0);
    }
}

#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".preinit_array")]
static TUNE_ALLOCATOR: extern "C" fn() = tune_allocator;
/// `MI_MALLOC_VERSION` of the bundled mimalloc, whose option numbers follow.
#[cfg(target_os = "linux")]
const MIMALLOC_VERSION: i32 = 30302;
#[cfg(target_os = "linux")]
const ARENA_EAGER_COMMIT: i32 = 4;
#[cfg(target_os = "linux")]
const PURGE_DELAY: i32 = 15;

#[cfg(all(test, target_os = "linux"))]
mod allocator_tests {
    /// The tuning ran before `main`, on the mimalloc it was written for.
    #[test]
    fn the_allocator_is_tuned_before_main() {
        // SAFETY: reads of mimalloc's option table.
        unsafe {
            assert_eq!(libmimalloc_sys::mi_version(), super::MIMALLOC_VERSION);
            assert_eq!(libmimalloc_sys::mi_option_get(super::ARENA_EAGER_COMMIT), 0);
            assert_eq!(libmimalloc_sys::mi_option_get(super::PURGE_DELAY), 0);
        }
    }
}

#[derive(Parser)]
#[command(
    name = "atelier",
    version,
    about = "Live Open Badges workshops: bingo, fresque, signed badges"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    global: GlobalArgs,
    /// The server's flags, also accepted without `serve` (`atelier --addr …`).
    #[command(flatten)]
    server: ServerArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve workshops (the default).
    Serve(ServerArgs),
    /// Issue a signed badge by hand, with the data directory's key and configuration.
    Issue {
        /// The recipient's name, as printed in the badge.
        #[arg(long)]
        name: String,
        /// The recipient's e-mail: only its salted hash goes into the badge.
        #[arg(long)]
        email: Option<String>,
        /// Achievement id (urn:uuid:…); the default achievement when absent.
        #[arg(long)]
        achievement: Option<String>,
        /// Language of the badge texts: fr, nl or en.
        #[arg(long, default_value = "fr")]
        lang: String,
        /// Output file, new: .png (baked), .svg (baked) or .json (the credential).
        #[arg(long)]
        out: PathBuf,
        /// Start a new data directory (database and signing key) if there is none.
        #[arg(long)]
        create: bool,
    },
    /// Verify a badge (PNG, SVG or JSON). Exit code: 0 valid, 1 not valid, 2 valid as far as
    /// could be checked here (the issuer's keys or status list out of reach), 3 unreadable file.
    Verify { file: PathBuf },
    /// Revoke a badge by its id; its status list changes at once.
    Revoke { id: String },
    /// Create a new signing key; badges signed with older keys keep verifying.
    RotateKey,
    /// Write a consistent copy of the database to FILE, even while the server runs.
    /// (The signing keys in DATA_DIR/keys and DATA_DIR/link.key are secrets: back them up apart.)
    Backup { file: PathBuf },
    /// Accounts of organisers and facilitators.
    #[command(subcommand)]
    User(UserCommand),
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The password is asked on the terminal (twice, not shown), or read as
    /// one line from standard input when that is not a terminal.
    Add {
        /// The account's username (what it signs in with).
        name: String,
        /// Organisers manage accounts, the issuer, badges and feedback; facilitators run
        /// their own sessions.
        #[arg(long, value_enum, default_value_t = RoleArg::Facilitator)]
        role: RoleArg,
        /// Start a new data directory if there is none.
        #[arg(long)]
        create: bool,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Organiser,
    Facilitator,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        // Logs on stderr: stdout carries results (badge ids, verification reports, URLs).
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal, never in a log file or a pipe.
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "atelier=info,warn".into()),
        )
        .init();
    let cli = Cli::parse();
    let data_dir = cli.global.data_dir.clone();
    let public_url = cli.global.public_url.clone();
    let database = Database {
        dir: data_dir.clone(),
        url: cli.global.database_url.clone(),
    };
    match cli.command {
        None => serve(ServeConfig::new(cli.global, cli.server)).await,
        Some(Command::Serve(after)) => {
            serve(ServeConfig::new(cli.global, after.or(cli.server))).await
        }
        Some(Command::Issue {
            name,
            email,
            achievement,
            lang,
            out,
            create,
        }) => {
            // Everything that can be refused is refused before anything is signed or stored.
            let lang = Lang::parse(&lang).context("--lang must be fr, nl or en")?;
            let name = clean_name(&name)?;
            let kind = out
                .extension()
                .and_then(|e| e.to_str())
                .filter(|e| ["png", "svg", "json"].contains(e))
                .context("--out must end in .png, .svg or .json")?
                .to_string();
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&out)
                .with_context(|| {
                    format!("cannot create {} (it must be a new file)", out.display())
                })?;
            let written = async {
                let issuer = open_issuer(&database, public_url, create).await?;
                let issued = issuer
                    .issue(IssueRequest {
                        name: &name,
                        email: email.as_deref(),
                        achievement_id: achievement.as_deref(),
                        lang,
                        session_id: None,
                        pid: None,
                    })
                    .await?;
                let row = issuer.badge(&issued.id, None).await?;
                let bytes = match kind.as_str() {
                    "png" => issuer.baked_png(&row, lang).await?,
                    "svg" => issuer.baked_svg(&row, lang).await?.into_bytes(),
                    _ => serde_json::to_vec_pretty(&issued.credential)?,
                };
                file.write_all(&bytes)
                    .with_context(|| format!("writing {}", out.display()))?;
                anyhow::Ok(issued.id)
            }
            .await;
            match written {
                Ok(id) => {
                    println!("{id}");
                    Ok(())
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&out);
                    Err(e)
                }
            }
        }
        Some(Command::Verify { file }) => {
            let bytes = match std::fs::read(&file) {
                Ok(bytes) => bytes,
                Err(e) => {
                    eprintln!("Error: reading {}: {e}", file.display());
                    std::process::exit(3);
                }
            };
            // With this Atelier's data directory, its own revocations and did:web count too.
            let report = if database.url.is_some() || data_dir.join(DATABASE).exists() {
                match open_issuer(&database, public_url, false).await {
                    Ok(issuer) => issuer.verify(&bytes).await,
                    // Not a verdict: exit 1 would say "not valid".
                    Err(e) => {
                        eprintln!("Error: {e:#}");
                        std::process::exit(3);
                    }
                }
            } else {
                verify(&bytes, &VerifyContext::offline()).await
            };
            println!("{report}");
            // 0 valid, 1 invalid, 2 not fully checked (README).
            std::process::exit(report.verdict().exit_code());
        }
        Some(Command::Revoke { id }) => {
            let issuer = open_issuer(&database, public_url, false).await?;
            let id = if id.starts_with("urn:uuid:") {
                id
            } else {
                format!("urn:uuid:{id}")
            };
            if issuer.revoke(&id).await? {
                println!("revoked {id}");
            } else {
                println!("{id} was already revoked");
            }
            Ok(())
        }
        Some(Command::Backup { file }) => {
            if file.exists() {
                bail!("{} exists already: choose a new file", file.display());
            }
            let store = open_store(&database, false).await?;
            store.backup(&file).await?;
            println!("database copied to {}", file.display());
            Ok(())
        }
        Some(Command::RotateKey) => {
            let issuer = open_issuer(&database, public_url, false).await?;
            println!("new signing key {}", issuer.rotate_key()?);
            Ok(())
        }
        Some(Command::User(UserCommand::Add { name, role, create })) => {
            let role = match role {
                RoleArg::Organiser => Role::Organiser,
                RoleArg::Facilitator => Role::Facilitator,
            };
            add_user(&database, name.trim(), role, create).await
        }
    }
}

/// The database's file name in a data directory.
const DATABASE: &str = "atelier.db";

/// Where a command finds the installation's data: the data directory (keys, decks, and the
/// SQLite database) and, on a hosted Atelier, the PostgreSQL database.
struct Database {
    dir: PathBuf,
    url: Option<atelier::store::DatabaseUrl>,
}

/// The store of an existing data directory; a new one only with `create`, so that a mistyped
/// `--data-dir` never silently starts a second database with a second signing key. With
/// `--database-url` the database is PostgreSQL's, and the data directory (its signing keys)
/// must exist all the same.
async fn open_store(database: &Database, create: bool) -> anyhow::Result<Store> {
    let data_dir = database.dir.as_path();
    if let Some(url) = &database.url {
        if !data_dir.is_dir() {
            if !create {
                bail!(
                    "{} is not an Atelier data directory: point --data-dir at the server's (its \
                     signing keys are there), or add --create to start a new one with a new \
                     signing key",
                    data_dir.display()
                );
            }
            atelier::store::create_private_dir(data_dir)
                .with_context(|| format!("creating {}", data_dir.display()))?;
        }
        return Store::open_postgres(url)
            .await
            .with_context(|| format!("opening the PostgreSQL database {url}"));
    }
    if !data_dir.join(DATABASE).exists() {
        if !create {
            bail!(
                "{} is not an Atelier data directory (no {DATABASE}): point --data-dir at the \
                 server's, or add --create to start a new one with a new signing key",
                data_dir.display()
            );
        }
        atelier::store::create_private_dir(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
    }
    Ok(Store::open(data_dir).await?)
}

/// The issuer of a data directory, with the public URL its server runs with: the command line
/// issues the same kind of badges (with a status list and did:web when hosted), and refuses a
/// different --public-url rather than issue badges no verifier could check.
async fn open_issuer(
    database: &Database,
    public_url: Option<String>,
    create: bool,
) -> anyhow::Result<Issuer> {
    let data_dir = database.dir.as_path();
    let store = open_store(database, create).await?;
    // None: no server ran here yet; Some(""): its server runs offline.
    let stored = store.setting(atelier::issuer::PUBLIC_URL_SETTING).await?;
    let public_url = match (public_url, stored.as_deref()) {
        (Some(_), Some("")) => bail!(
            "the server of {} runs offline (no --public-url): issue without --public-url, so \
             that this badge is of the same kind as the others",
            data_dir.display()
        ),
        (Some(given), Some(stored)) if given != stored => bail!(
            "the server of {} runs with --public-url {stored}: pass that one (or none), so \
             that this badge is of the same kind as the others",
            data_dir.display()
        ),
        (None, Some(stored)) if !stored.is_empty() => {
            eprintln!("using the public URL of this data directory's server: {stored}");
            Some(stored.to_string())
        }
        (given, _) => given,
    };
    Ok(Issuer::open(store, data_dir, public_url).await?)
}

/// `atelier user add`: the way to make the first organiser from a shell, whatever the server
/// was started with.
async fn add_user(database: &Database, name: &str, role: Role, create: bool) -> anyhow::Result<()> {
    if name.is_empty() || name.chars().count() > USERNAME_MAX_CHARS {
        bail!("the username must have 1 to {USERNAME_MAX_CHARS} characters");
    }
    let store = open_store(database, create).await?;
    let password = read_password()?;
    let hash = hash_password(name, &password)?;
    match store.create_user(name, &hash, role).await {
        Ok(user) => {
            println!(
                "{} account {} created: sign in at /login",
                role.as_str(),
                user.username
            );
            Ok(())
        }
        Err(StoreError::Conflict) => bail!("the username {name} is taken"),
        Err(e) => Err(e.into()),
    }
}

/// A new password: asked twice without echo at a terminal, else one line of standard input
/// (for scripts: `printf '%s\n' "$PASSWORD" | atelier user add …`).
fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_string())
    }
}

async fn serve(config: ServeConfig) -> anyhow::Result<()> {
    // Before anything is announced: a SIGTERM that a service manager (or a test) sends the
    // moment the server says it listens must stop it gracefully, not kill it.
    let stop_signal = StopSignal::install()?;
    let data_dir = config.data_dir.clone();
    let on_postgres = config.database_url.is_some();
    let running = server::start(config, RoomSettings::default()).await?;
    let addr = running.addr;
    println!(
        "Atelier is listening on http://{addr} (data in {})",
        data_dir.display()
    );
    if addr.ip().is_unspecified() {
        for lan in server::lan_addresses(addr) {
            println!("  phones on this network open: http://{lan}");
        }
    }
    if let Some(link) = &running.signin_url {
        println!(
            "No organiser yet. Open this one-time link to create the organiser account:\n  {link}\n\
             or, in a shell: {} user add --role organiser NAME --data-dir {}{}",
            std::env::args().next().unwrap_or_else(|| "atelier".into()),
            data_dir.display(),
            // The URL may hold a password: not repeated here.
            if on_postgres {
                " --database-url URL (the server's)"
            } else {
                ""
            }
        );
    }
    let stop = running.stopper();
    tokio::spawn(async move {
        stop_signal.wait().await;
        println!("Stopping: saving sessions and telling phones…");
        let _ = stop.send(true);
    });
    running.wait().await;
    Ok(())
}

/// SIGTERM and SIGINT (Ctrl-C), listened to from the moment it is made.
struct StopSignal {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
}

impl StopSignal {
    fn install() -> anyhow::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                term: signal(SignalKind::terminate()).context("listening for SIGTERM")?,
                interrupt: signal(SignalKind::interrupt()).context("listening for SIGINT")?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn wait(mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.interrupt.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}
