//! Starting and stopping the server: storage, rooms, the router, the listener, and the
//! messages a facilitator needs on the console.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::auth::new_token;
use crate::config::ServeConfig;
use crate::deck::DeckLibrary;
use crate::i18n::I18n;
use crate::issuer::Issuer;
use crate::room::{RoomSettings, Rooms};
use crate::store::{Role, Store, StoreError};
use crate::web::conn::Connections;
use crate::web::limit::AttemptLimiter;
use crate::web::{self, AppState, Shared};

/// Claim-code attempts one address may make per window: enough for typos, far too few to guess.
const CLAIM_ATTEMPTS_PER_WINDOW: u32 = 10;
const CLAIM_ATTEMPT_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);
/// Wrong join codes or resume tokens one address may send per window: generous, since a
/// whole venue may share one address, yet hopeless for guessing 244 million codes.
const HELLO_FAILURES_PER_WINDOW: u32 = 300;
/// Failed sign-ins one address may make per window before being told to wait.
const LOGIN_FAILURES_PER_WINDOW: u32 = 20;
/// Failed sign-ins for one account per window, from all addresses together.
const ACCOUNT_FAILURES_PER_WINDOW: u32 = 20;

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("cannot create the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Deck(#[from] crate::deck::DeckError),
    #[error("{0}")]
    Messages(#[from] crate::i18n::I18nError),
    #[error("badge issuer: {0}")]
    Issuer(#[from] crate::issuer::IssuerError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A running server: its address, and a way to stop it gracefully.
pub struct Running {
    pub addr: SocketAddr,
    pub state: Shared,
    /// The one-time organiser sign-in link, when no organiser exists yet.
    pub signin_url: Option<String>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Running {
    /// Graceful stop: rooms store a snapshot and tell their phones, then the listener closes.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Resolves when the server stopped (after `shutdown` or a signal).
    pub async fn wait(self) {
        let _ = self.task.await;
    }

    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }
}

pub async fn start(
    config: ServeConfig,
    room_settings: RoomSettings,
) -> Result<Running, ServerError> {
    let dir = &config.data_dir;
    crate::store::create_private_dir(dir).map_err(|source| ServerError::DataDir {
        path: dir.display().to_string(),
        source,
    })?;
    let decks = Arc::new(DeckLibrary::load(&[
        PathBuf::from("cards"),
        dir.join("decks"),
    ])?);
    let store = match &config.database_url {
        Some(url) => {
            tracing::info!(database = %url, "using PostgreSQL");
            Store::open_postgres_with(url, config.leases).await?
        }
        None => Store::open(dir).await?,
    };
    // The sign-in check's dummy hash, made now rather than during the first unknown sign-in
    // (which would then take twice as long as the others).
    tokio::task::spawn_blocking(crate::auth::dummy_hash);
    let listener = listen(config.addr).map_err(|source| ServerError::Bind {
        addr: config.addr,
        source,
    })?;
    let addr = listener.local_addr().map_err(|source| ServerError::Bind {
        addr: config.addr,
        source,
    })?;
    let base_url = match &config.public_url {
        Some(url) => url.clone(),
        None if addr.ip().is_unspecified() => format!(
            "http://{}",
            lan_addresses(addr)
                .first()
                .copied()
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], addr.port())))
        ),
        None => format!("http://{addr}"),
    };
    // Whatever the server was started with (an admin token can create facilitators, never the
    // organiser), the first organiser needs a way in.
    let signin_url = if store.count_users(Role::Organiser).await? == 0 {
        let token = new_token();
        store.store_signin_link(&token).await?;
        Some(format!("{base_url}/signin/{token}"))
    } else {
        None
    };
    // What kind of badges this data directory's server issues, for `atelier issue` and the
    // other commands on the same directory: they must never issue another kind.
    store
        .set_setting(
            crate::issuer::PUBLIC_URL_SETTING,
            config.public_url.as_deref().unwrap_or_default(),
        )
        .await?;
    let issuer = Arc::new(Issuer::open(store.clone(), dir, config.public_url.clone()).await?);
    let rooms = Rooms::new(store.clone(), Arc::clone(&issuer), room_settings);
    let config_limits = config.limits.clone();
    let connections = Arc::new(Connections::new(
        &config.limits,
        config.trusted_proxies.clone(),
    ));
    let state = Arc::new(AppState {
        store: store.clone(),
        decks,
        i18n: Arc::new(I18n::load()?),
        issuer,
        claim_attempts: AttemptLimiter::new(CLAIM_ATTEMPTS_PER_WINDOW, CLAIM_ATTEMPT_WINDOW),
        hello_failures: AttemptLimiter::new(HELLO_FAILURES_PER_WINDOW, CLAIM_ATTEMPT_WINDOW),
        login_failures: AttemptLimiter::new(LOGIN_FAILURES_PER_WINDOW, CLAIM_ATTEMPT_WINDOW),
        account_failures: AttemptLimiter::new(ACCOUNT_FAILURES_PER_WINDOW, CLAIM_ATTEMPT_WINDOW),
        rooms: Arc::clone(&rooms),
        config,
        base_url,
        connections: AtomicUsize::new(0),
        large_bodies: Arc::new(tokio::sync::Semaphore::new(config_limits.large_bodies)),
        password_checks: tokio::sync::Semaphore::new(crate::auth::PARALLEL_PASSWORD_CHECKS),
        revocations: Default::default(),
    });
    let app = web::router(Arc::clone(&state));
    let (stop, mut stopped) = watch::channel(false);
    crate::retention::spawn(store.clone(), Arc::clone(&rooms), stop.subscribe());
    let task = tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|s| *s).await;
            rooms.shutdown().await;
        };
        crate::web::conn::serve(listener, app, connections, config_limits, shutdown).await;
        store.close().await;
    });
    Ok(Running {
        addr,
        state,
        signin_url,
        stop,
        task,
    })
}

/// Connections the kernel may hold for us before we accept them (capped by
/// `net.core.somaxconn`). A class of phones joining at once opens hundreds of connections in
/// the same second: with the default of 128 the kernel dropped SYNs, and those phones waited
/// for TCP's one-second retransmission.
const LISTEN_BACKLOG: u32 = 4096;

fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Addresses phones on the same network can use, when listening on all interfaces.
pub fn lan_addresses(addr: SocketAddr) -> Vec<SocketAddr> {
    let Ok(interfaces) = if_addrs::get_if_addrs() else {
        return Vec::new();
    };
    interfaces
        .into_iter()
        .filter(|i| !i.is_loopback())
        .map(|i| i.ip())
        .filter(|ip| matches!(ip, IpAddr::V4(_)) || addr.is_ipv6())
        .map(|ip| SocketAddr::new(ip, addr.port()))
        .collect()
}
