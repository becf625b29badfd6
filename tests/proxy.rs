//! Atelier behind a real nginx, configured as docs/reverse-proxy.md says: per-client limits
//! apply to each client only with `--trusted-proxy`, headers a client forges do not get it
//! out of them, and a phone's WebSocket joins through the proxy.
//!
//! Needs nginx (Debian package `nginx`, installed by `scripts/install-test-deps`); without
//! it these tests fail, unless `ATELIER_SKIP_PROXY_TESTS=1`.

mod common;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use common::process::Spawned;
use common::{ADMIN_TOKEN, WAIT};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::process::{Child, Command};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// The `http` level lines of docs/reverse-proxy.md, verbatim.
const NGINX_MAP: &str = "map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      close;
}
";

/// The `server` block's proxy lines of docs/reverse-proxy.md, verbatim (Atelier on its
/// default address there; replaced by the test server's).
const NGINX_LOCATION: &str = "    client_max_body_size 5m;

    location / {
        proxy_pass http://127.0.0.1:8080;
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header Forwarded \"\";
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_read_timeout 120s;
    }
";

/// Wrong claim attempts one client address gets per 10 minutes; the next is 429.
const CLAIM_ATTEMPTS: usize = 10;

/// nginx, or None when it is missing and the tests are to be skipped.
fn nginx_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let found = std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join("nginx"))
        .find(|file| file.is_file());
    if found.is_none() && std::env::var("ATELIER_SKIP_PROXY_TESTS").as_deref() == Ok("1") {
        common::skipped(
            "nginx not found and ATELIER_SKIP_PROXY_TESTS=1: reverse-proxy tests not run",
        );
        return None;
    }
    Some(found.expect(
        "nginx not found (PATH, /usr/sbin): run `bash scripts/install-test-deps` (Debian \
         package nginx), or set ATELIER_SKIP_PROXY_TESTS=1 to skip the reverse-proxy tests",
    ))
}

/// A free loopback port: bound, read, released (nginx binds it right after).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().unwrap().port()
}

/// nginx in the foreground as one process (no `user` switch, no workers: root or not, it
/// reads and writes only its temporary directory), killed when dropped.
struct Nginx {
    child: Child,
    addr: SocketAddr,
    dir: tempfile::TempDir,
}

impl Nginx {
    async fn start(binary: &Path, port: u16, upstream: SocketAddr) -> Nginx {
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path().display();
        let location =
            NGINX_LOCATION.replace("http://127.0.0.1:8080;", &format!("http://{upstream};"));
        assert_ne!(location, NGINX_LOCATION, "the upstream is replaced");
        let conf = format!(
            "daemon off;
master_process off;
pid {d}/nginx.pid;
error_log {d}/error.log info;
events {{
    worker_connections 1024;
}}
http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;

{NGINX_MAP}
server {{
    listen 127.0.0.1:{port};
    server_name _;

{location}}}
}}
"
        );
        let conf_path = dir.path().join("nginx.conf");
        std::fs::write(&conf_path, &conf).unwrap();
        let child = Command::new(binary)
            .arg("-p")
            .arg(dir.path())
            .arg("-e")
            .arg(dir.path().join("error.log"))
            .arg("-c")
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
        let mut nginx = Nginx {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            dir,
        };
        nginx.wait_until_listening().await;
        nginx
    }

    /// Polls until nginx accepts a connection; fails at once with its log if it exits.
    async fn wait_until_listening(&mut self) {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("nginx exited ({status}):\n{}", self.log());
            }
            if tokio::net::TcpStream::connect(self.addr).await.is_ok() {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "nginx does not listen on {} after {WAIT:?}:\n{}",
                self.addr,
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// Atelier started with `args(nginx port)`, nginx in front of it. Fields drop in order:
/// nginx, then the server, then its data.
struct Proxied {
    nginx: Nginx,
    server: Spawned,
    _data: tempfile::TempDir,
}

impl Proxied {
    async fn start(args: impl FnOnce(u16) -> Vec<String>) -> Option<Proxied> {
        let binary = nginx_binary()?;
        let port = free_port();
        let data = tempfile::tempdir().expect("temp dir");
        let args = args(port);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let server = Spawned::start(data.path(), &[], &args).await;
        let nginx = Nginx::start(&binary, port, server.addr).await;
        Some(Proxied {
            nginx,
            server,
            _data: data,
        })
    }

    /// A wrong claim code posted through nginx from the loopback address `from`, with extra
    /// headers the client writes itself; the HTTP status.
    async fn claim(&self, from: [u8; 4], headers: &[(&str, String)]) -> u16 {
        let http = reqwest::Client::builder()
            .local_address(IpAddr::from(from))
            .timeout(WAIT)
            .build()
            .unwrap();
        let mut request = http.post(self.nginx.url("/claim")).form(&[
            ("code", "WRONGCODE1"),
            ("name", "Ada"),
            ("email", ""),
            ("lang", "fr"),
        ]);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let answer = request.send().await.unwrap_or_else(|e| {
            panic!(
                "claim through nginx: {e}\nnginx: {}\natelier: {}",
                self.nginx.log(),
                self.server.log()
            )
        });
        answer.status().as_u16()
    }

    /// Uses up the wrong attempts of `from` (each checked: 422), with the headers `forge(i)`
    /// gives the i-th attempt.
    async fn use_up_claims(
        &self,
        from: [u8; 4],
        forge: impl Fn(usize) -> Vec<(&'static str, String)>,
    ) {
        for i in 0..CLAIM_ATTEMPTS {
            let status = self.claim(from, &forge(i)).await;
            assert_eq!(status, 422, "attempt {} from {from:?}", i + 1);
        }
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| a.to_string()).collect()
}

/// With the proxy trusted, each client behind it has its own attempts, and a client's
/// X-Forwarded-For does not name it: nginx appends the real address, which is the one counted.
#[tokio::test]
async fn a_trusted_proxy_gives_each_client_its_own_limits() {
    let Some(proxied) = Proxied::start(|_| args(&["--trusted-proxy", "127.0.0.1/32"])).await else {
        return;
    };
    let (a, b, forger) = ([127, 0, 4, 1], [127, 0, 4, 2], [127, 0, 4, 3]);
    proxied.use_up_claims(a, |_| Vec::new()).await;
    assert_eq!(proxied.claim(a, &[]).await, 429, "A's 11th attempt");
    assert_eq!(
        proxied.claim(b, &[]).await,
        422,
        "B, another client behind the same proxy, still has its attempts"
    );
    // Each attempt claims to come from another address: all are counted as the forger's.
    proxied
        .use_up_claims(forger, |i| {
            vec![("X-Forwarded-For", format!("198.51.100.{}", 9 + i))]
        })
        .await;
    let forged = vec![("X-Forwarded-For", "198.51.100.99".to_string())];
    assert_eq!(
        proxied.claim(forger, &forged).await,
        429,
        "a forged X-Forwarded-For escapes the limit"
    );
}

/// A client's own `Forwarded` (RFC 7239) header names nobody: Atelier reads only the
/// `X-Forwarded-For` its proxy writes (and the documented config clears `Forwarded` too).
#[tokio::test]
async fn a_forwarded_header_written_by_the_client_is_dropped_by_the_proxy() {
    let Some(proxied) = Proxied::start(|_| args(&["--trusted-proxy", "127.0.0.1/32"])).await else {
        return;
    };
    let forger = [127, 0, 4, 5];
    proxied
        .use_up_claims(forger, |i| {
            vec![("Forwarded", format!("for=198.51.100.{}", 9 + i))]
        })
        .await;
    let forged = vec![("Forwarded", "for=198.51.100.99".to_string())];
    assert_eq!(
        proxied.claim(forger, &forged).await,
        429,
        "a forged Forwarded header escapes the limit"
    );
}

/// Why `--trusted-proxy` exists: without it every client behind the proxy is the proxy, and
/// one client's wrong attempts lock out the others.
#[tokio::test]
async fn without_trusted_proxy_all_clients_share_the_proxy_address() {
    let Some(proxied) = Proxied::start(|_| Vec::new()).await else {
        return;
    };
    let (a, b) = ([127, 0, 4, 1], [127, 0, 4, 2]);
    proxied.use_up_claims(a, |_| Vec::new()).await;
    assert_eq!(
        proxied.claim(b, &[]).await,
        429,
        "B shares the proxy's address, hence A's used-up attempts"
    );
}

/// A phone joins over a WebSocket through the proxy, from a page whose origin is the public
/// URL (the browser sends it; Atelier refuses a foreign one).
#[tokio::test]
async fn a_websocket_join_works_through_the_proxy() {
    let Some(proxied) = Proxied::start(|port| {
        args(&[
            "--trusted-proxy",
            "127.0.0.1/32",
            "--public-url",
            &format!("http://127.0.0.1:{port}"),
        ])
    })
    .await
    else {
        return;
    };
    let created = reqwest::Client::builder()
        .timeout(WAIT)
        .build()
        .unwrap()
        .post(proxied.nginx.url("/api/sessions"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"title": "T", "lang": "fr", "activities": ["bingo"]}))
        .send()
        .await
        .expect("session creation through nginx");
    assert_eq!(created.status(), 201, "session creation");
    let created: Value = created.json().await.unwrap();
    let code = created["code"].as_str().expect("a join code").to_string();

    let mut request = format!("ws://{}/ws", proxied.nginx.addr)
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "origin",
        format!("http://{}", proxied.nginx.addr).parse().unwrap(),
    );
    let (mut ws, _) = tokio::time::timeout(WAIT, connect_async(request))
        .await
        .expect("upgrade in time")
        .unwrap_or_else(|e| {
            panic!(
                "WebSocket upgrade through nginx: {e}\nnginx: {}\natelier: {}",
                proxied.nginx.log(),
                proxied.server.log()
            )
        });
    ws.send(Message::Text(
        json!({"type": "join", "code": code, "name": "Ada"})
            .to_string()
            .into(),
    ))
    .await
    .expect("send");
    let welcome = loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("a frame in time")
        {
            Some(Ok(Message::Text(text))) => break serde_json::from_str::<Value>(&text).unwrap(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("no welcome through nginx: {other:?}"),
        }
    };
    assert_eq!(welcome["type"], "welcome", "join answered with {welcome}");
    let _ = ws.close(None).await;
}

/// The configuration these tests run is the one the guide gives.
#[test]
fn the_guide_shows_the_tested_nginx_config() {
    let guide = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/reverse-proxy.md"),
    )
    .expect("docs/reverse-proxy.md");
    assert!(
        guide.contains(NGINX_MAP),
        "docs/reverse-proxy.md lacks:\n{NGINX_MAP}"
    );
    assert!(
        guide.contains(NGINX_LOCATION),
        "docs/reverse-proxy.md lacks:\n{NGINX_LOCATION}"
    );
}
