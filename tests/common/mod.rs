//! Test harness: the real server on port 0 with a temporary data directory, real
//! WebSocket clients, and small helpers to await exactly the frame a test expects.
#![allow(dead_code)]

pub mod badges;
pub mod browser;
pub mod pg;
pub mod process;
pub mod verifier;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use atelier::config::ServeConfig;
use atelier::room::RoomSettings;
use atelier::server::{self, Running};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// Records that the running test did not check what it is for, and why: a line on stderr and
/// one in `target/tmp/skipped-tests.log`, which `scripts/test` counts and prints at the end
/// (libtest hides a passing test's stderr, so a skip would otherwise read as "ok").
pub fn skipped(reason: &str) {
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .map(|stem| stem.split('-').next().unwrap_or_default().to_string())
        .unwrap_or_default();
    eprintln!("SKIPPED: {binary}::{test}: {reason}");
    let log = concat!(env!("CARGO_TARGET_TMPDIR"), "/skipped-tests.log");
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
    {
        use std::io::Write as _;
        let _ = writeln!(file, "{binary}::{test}\t{reason}");
    }
}

/// The store a test's servers use: SQLite in their data directory (the default), or a fresh
/// PostgreSQL database. [`on_both_stores!`] runs a test once with each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

tokio::task_local! {
    static BACKEND: Backend;
}

impl Backend {
    /// The store of the test running on this task (SQLite outside [`Backend::run`]).
    pub fn current() -> Backend {
        BACKEND
            .try_with(|backend| *backend)
            .unwrap_or(Backend::Sqlite)
    }

    /// Runs a test with this store; a PostgreSQL variant is skipped (and logged as skipped)
    /// only when `ATELIER_TEST_SKIP_POSTGRES` says so.
    pub async fn run<F: std::future::Future<Output = ()>>(self, test: F) {
        if self == Backend::Postgres
            && let Some(reason) = pg::skip_reason()
        {
            skipped(&reason);
            return;
        }
        BACKEND.scope(self, test).await
    }

    /// A new database for a server of this store: `None` for SQLite (in the data directory).
    pub async fn new_database(self) -> Option<String> {
        match self {
            Backend::Sqlite => None,
            Backend::Postgres => Some(pg::fresh_database().await),
        }
    }
}

/// A test run once on each store: `name::sqlite` and `name::postgres`, with the attributes
/// given (`#[tokio::test]`, or a multi-threaded one). The body sees the test file's items.
#[macro_export]
macro_rules! on_both_stores {
    ($(#[$attr:meta])* async fn $name:ident() $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            async fn body() $body

            $(#[$attr])*
            async fn sqlite() {
                $crate::common::Backend::Sqlite.run(body()).await
            }

            $(#[$attr])*
            async fn postgres() {
                $crate::common::Backend::Postgres.run(body()).await
            }
        }
    };
}

/// The store of a test that opens one directly: on SQLite in `dir`, on PostgreSQL in a fresh
/// database (its URL returned too, to open it again).
pub async fn open_store(dir: &Path) -> (atelier::store::Store, Option<String>) {
    match Backend::current().new_database().await {
        None => (
            atelier::store::Store::open(dir).await.expect("store opens"),
            None,
        ),
        Some(url) => (reopen_store(dir, Some(&url)).await, Some(url)),
    }
}

/// Opens the same store again.
pub async fn reopen_store(dir: &Path, database: Option<&str>) -> atelier::store::Store {
    match database {
        None => atelier::store::Store::open(dir).await.expect("store opens"),
        Some(url) => atelier::store::Store::open_postgres(&url.parse().expect("database URL"))
            .await
            .expect("store opens"),
    }
}

/// A test's own connection to a server's database, to look at what is stored (or to age it):
/// the statements are written once, with `$1` placeholders, for both databases.
pub enum RawDb {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl RawDb {
    /// The server's database: its PostgreSQL one, or `atelier.db` in its data directory.
    pub async fn of(server: &TestServer) -> RawDb {
        match &server.database {
            Some(url) => RawDb::Postgres(sqlx::PgPool::connect(url).await.expect("database")),
            None => RawDb::Sqlite(
                sqlx::SqlitePool::connect(&format!(
                    "sqlite://{}",
                    server.dir.join("atelier.db").display()
                ))
                .await
                .expect("database"),
            ),
        }
    }

    /// The first column of every row, as text.
    pub async fn texts(&self, sql: &'static str) -> Vec<String> {
        match self {
            RawDb::Sqlite(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
            RawDb::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(pool).await,
        }
        .expect(sql)
    }

    /// A statement without parameters; how many rows it changed.
    pub async fn run(&self, sql: &'static str) -> u64 {
        match self {
            RawDb::Sqlite(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()),
            RawDb::Postgres(pool) => sqlx::query(sql)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()),
        }
        .expect(sql)
    }

    /// A statement with one text parameter; how many rows it changed.
    pub async fn execute(&self, sql: &'static str, parameter: &str) -> u64 {
        match self {
            RawDb::Sqlite(pool) => sqlx::query(sql)
                .bind(parameter)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()),
            RawDb::Postgres(pool) => sqlx::query(sql)
                .bind(parameter)
                .execute(pool)
                .await
                .map(|done| done.rows_affected()),
        }
        .expect(sql)
    }
}

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";
/// Upper bound for any single wait: a failing test fails instead of hanging.
pub const WAIT: Duration = Duration::from_secs(10);

pub struct TestServer {
    pub running: Option<Running>,
    pub addr: SocketAddr,
    pub dir: PathBuf,
    /// The rooms' settings, kept across restarts.
    pub rooms: RoomSettings,
    /// The PostgreSQL database, kept across restarts; `None`: SQLite in `dir`.
    pub database: Option<String>,
    _temp: Option<tempfile::TempDir>,
}

impl TestServer {
    pub async fn start() -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let dir = temp.path().to_path_buf();
        let database = Backend::current().new_database().await;
        let mut server = Self::start_full(
            &dir,
            database,
            "127.0.0.1:0".parse().unwrap(),
            RoomSettings::default(),
            |_| {},
        )
        .await;
        server._temp = Some(temp);
        server
    }

    /// A server as hosted for a region: with a public URL (badges carry a status list entry,
    /// and an https URL makes the issuer did:web).
    pub async fn start_hosted(public_url: &str) -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let database = Backend::current().new_database().await;
        let mut server = Self::start_full(
            temp.path(),
            database,
            "127.0.0.1:0".parse().unwrap(),
            RoomSettings::default(),
            |config| config.public_url = Some(public_url.to_string()),
        )
        .await;
        server._temp = Some(temp);
        server
    }

    /// A server whose configuration `adjust` changes first (shorter timeouts, a trusted
    /// proxy…), on a fresh data directory.
    pub async fn start_with(adjust: impl FnOnce(&mut ServeConfig)) -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let database = Backend::current().new_database().await;
        let mut server = Self::start_full(
            temp.path(),
            database,
            "127.0.0.1:0".parse().unwrap(),
            RoomSettings::default(),
            adjust,
        )
        .await;
        server._temp = Some(temp);
        server
    }

    /// A server whose rooms use `rooms` (a shorter away delay…), kept across restarts.
    pub async fn start_with_rooms(rooms: RoomSettings) -> Self {
        let temp = tempfile::tempdir().expect("temp dir");
        let database = Backend::current().new_database().await;
        let mut server = Self::start_full(
            temp.path(),
            database,
            "127.0.0.1:0".parse().unwrap(),
            rooms,
            |_| {},
        )
        .await;
        server._temp = Some(temp);
        server
    }

    /// Starts on a data directory of the test's own (decks in it, or a restored backup), with
    /// the test's store: SQLite in it, or a fresh PostgreSQL database.
    pub async fn start_in(dir: &Path) -> Self {
        let database = Backend::current().new_database().await;
        Self::start_on(dir, database).await
    }

    /// Starts on an existing data directory and database (`None`: SQLite in `dir`).
    pub async fn start_on(dir: &Path, database: Option<String>) -> Self {
        Self::start_full(
            dir,
            database,
            "127.0.0.1:0".parse().unwrap(),
            RoomSettings::default(),
            |_| {},
        )
        .await
    }

    /// Another server on the same data directory and database, running beside this one (two
    /// processes of one installation), with `public_url`.
    pub async fn beside(&self, public_url: Option<&str>) -> Self {
        Self::start_full(
            &self.dir,
            self.database.clone(),
            "127.0.0.1:0".parse().unwrap(),
            self.rooms.clone(),
            |config| config.public_url = public_url.map(str::to_string),
        )
        .await
    }

    /// The test admin token on `dir`, `database` and `addr`, with `adjust` applied last.
    async fn start_full(
        dir: &Path,
        database: Option<String>,
        addr: SocketAddr,
        rooms: RoomSettings,
        adjust: impl FnOnce(&mut ServeConfig),
    ) -> Self {
        let mut config = ServeConfig::for_data_dir(dir.to_path_buf(), addr);
        config.admin_token = Some(ADMIN_TOKEN.into());
        config.database_url = database
            .as_deref()
            .map(|url| url.parse().expect("database URL"));
        adjust(&mut config);
        let running = server::start(config, rooms.clone())
            .await
            .expect("server starts");
        // The store a test asked for is the one it gets.
        let expected = if database.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        };
        assert_eq!(running.state.store.kind(), expected);
        TestServer {
            addr: running.addr,
            running: Some(running),
            dir: dir.to_path_buf(),
            rooms,
            database,
            _temp: None,
        }
    }

    /// Graceful stop, then a new server on the same data directory.
    pub async fn restart(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
        let temp = self._temp.take();
        let mut next = Self::start_full(
            &self.dir,
            self.database.clone(),
            "127.0.0.1:0".parse().unwrap(),
            self.rooms.clone(),
            |_| {},
        )
        .await;
        next._temp = temp;
        *self = next;
    }

    /// Graceful stop, then a new server on the same data directory and the same address, so
    /// open pages find it again when they reconnect. `while_down` runs between the two.
    pub async fn restart_in_place<F: std::future::Future<Output = ()>>(
        &mut self,
        while_down: impl FnOnce() -> F,
    ) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
        while_down().await;
        let temp = self._temp.take();
        let mut next = Self::start_full(
            &self.dir,
            self.database.clone(),
            self.addr,
            self.rooms.clone(),
            |_| {},
        )
        .await;
        next._temp = temp;
        *self = next;
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn http(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    /// Creates a session through the API as the organiser; returns its JSON.
    pub async fn create_session(&self, activities: &[&str]) -> Value {
        self.create_session_as(ADMIN_TOKEN, activities).await
    }

    pub async fn create_session_as(&self, token: &str, activities: &[&str]) -> Value {
        let response = self
            .http()
            .post(self.url("/api/sessions"))
            .bearer_auth(token)
            .json(&json!({"title": "Atelier test", "lang": "fr", "activities": activities}))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 201, "session creation");
        response.json().await.expect("json")
    }

    /// Issues a badge by hand as the organiser (`POST /api/badges`); returns the answer
    /// (`id`, `credential`, `links`).
    pub async fn issue_badge(&self, body: Value) -> Value {
        let response = self
            .http()
            .post(self.url("/api/badges"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&body)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 201, "badge issued");
        response.json().await.expect("json")
    }

    /// Saves the issuer profile as the organiser would on `/o/issuer`.
    pub async fn set_issuer(&self, form: &[(&str, &str)]) {
        let saved = self
            .http()
            .post(self.url("/o/issuer"))
            .bearer_auth(ADMIN_TOKEN)
            .form(form)
            .send()
            .await
            .expect("request");
        // Saved, then redirected (and followed) to the issuer page.
        assert_eq!(saved.status(), 200, "issuer saved");
        assert!(
            saved.url().path().starts_with("/o/issuer"),
            "{}",
            saved.url()
        );
    }

    /// Creates a facilitator account and returns an API token for it.
    pub async fn facilitator_token(&self, username: &str) -> String {
        let response = self
            .http()
            .post(self.url("/api/users"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({"username": username, "password": "a long enough password"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let login: Value = self
            .http()
            .post(self.url("/api/login"))
            .json(&json!({"username": username, "password": "a long enough password"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        login["token"].as_str().unwrap().to_string()
    }
}

pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    pub async fn connect(addr: SocketAddr) -> Self {
        Self::connect_with(addr, None).await
    }

    /// Connects, with a bearer token on the upgrade request when given (staff).
    pub async fn connect_with(addr: SocketAddr, bearer: Option<&str>) -> Self {
        let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
        if let Some(token) = bearer {
            request
                .headers_mut()
                .insert("authorization", format!("Bearer {token}").parse().unwrap());
        }
        let (ws, _) = tokio::time::timeout(WAIT, connect_async(request))
            .await
            .expect("connect in time")
            .expect("connect");
        Client { ws }
    }

    /// Connects from the loopback address `from` (127.x.y.z: another client address for the
    /// server); the upgrade's refusal (its HTTP status) when the server refuses it.
    pub async fn connect_from(addr: SocketAddr, from: [u8; 4]) -> Result<Self, u16> {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::from((from, 0))).unwrap();
        let tcp = tokio::time::timeout(WAIT, socket.connect(addr))
            .await
            .expect("connect in time")
            .expect("connect");
        let upgrade =
            tokio_tungstenite::client_async(format!("ws://{addr}/ws"), MaybeTlsStream::Plain(tcp));
        match tokio::time::timeout(WAIT, upgrade)
            .await
            .expect("upgrade in time")
        {
            Ok((ws, _)) => Ok(Client { ws }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(response.status().as_u16())
            }
            Err(e) => panic!("upgrade failed: {e}"),
        }
    }

    /// Connects with a `Cookie` header on the upgrade (a console signed in with its browser).
    pub async fn connect_with_cookie(addr: SocketAddr, cookie: &str) -> Self {
        let mut request = format!("ws://{addr}/ws").into_client_request().unwrap();
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
        let (ws, _) = tokio::time::timeout(WAIT, connect_async(request))
            .await
            .expect("connect in time")
            .expect("connect");
        Client { ws }
    }

    /// Waits for the server to close the connection; its close code (`None`: dropped
    /// without a close frame). Frames before the close are skipped.
    pub async fn closed(&mut self) -> Option<u16> {
        tokio::time::timeout(WAIT, async {
            while let Some(frame) = self.ws.next().await {
                match frame {
                    Ok(Message::Close(close)) => return close.map(|c| u16::from(c.code)),
                    Ok(_) => continue,
                    Err(_) => return None,
                }
            }
            None
        })
        .await
        .expect("the server closes the connection in time")
    }

    pub async fn send(&mut self, value: Value) {
        self.ws
            .send(Message::Text(value.to_string().into()))
            .await
            .expect("send");
    }

    pub async fn send_raw(&mut self, message: Message) {
        self.ws.send(message).await.expect("send");
    }

    /// The next JSON frame (pings are answered by the library and skipped).
    pub async fn next(&mut self) -> Value {
        self.try_next()
            .await
            .expect("connection closed while waiting for a frame")
    }

    /// The next JSON frame, or None when the server closed the connection.
    pub async fn try_next(&mut self) -> Option<Value> {
        loop {
            let frame = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a frame in time");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return Some(serde_json::from_str(&text).expect("JSON frame"));
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Skips frames until one of `kind` arrives.
    pub async fn expect(&mut self, kind: &str) -> Value {
        loop {
            let frame = self.next().await;
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    pub async fn join(addr: SocketAddr, code: &str, name: &str) -> (Self, Value) {
        let mut client = Self::connect(addr).await;
        client
            .send(json!({"type": "join", "code": code, "name": name}))
            .await;
        let welcome = client.next().await;
        assert_eq!(welcome["type"], "welcome", "join answered with {welcome}");
        (client, welcome)
    }

    pub async fn resume(addr: SocketAddr, token: &str) -> (Self, Value) {
        let mut client = Self::connect(addr).await;
        client.send(json!({"type": "resume", "token": token})).await;
        let welcome = client.next().await;
        (client, welcome)
    }

    pub async fn staff(addr: SocketAddr, code: &str, token: &str) -> (Self, Value) {
        let mut client = Self::connect_with(addr, Some(token)).await;
        client.send(json!({"type": "staff", "code": code})).await;
        let welcome = client.next().await;
        (client, welcome)
    }

    /// The projector: the session's screen key is the `?k=` of its `screen_url`.
    pub async fn screen(addr: SocketAddr, session: &Value) -> (Self, Value) {
        let code = session["code"].as_str().expect("a session code");
        let key = session["screen_url"]
            .as_str()
            .and_then(|url| url.split("?k=").nth(1))
            .expect("a screen URL with its key");
        let mut client = Self::connect(addr).await;
        client
            .send(json!({"type": "screen", "code": code, "key": key}))
            .await;
        let welcome = client.next().await;
        assert_eq!(welcome["type"], "welcome", "screen answered with {welcome}");
        (client, welcome)
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
