//! Hostile HTTP clients, played with raw TCP: connections that send nothing or too slowly,
//! bodies declared too large or left stalled, one address opening every connection it can, a
//! flood of wrong sign-ins, a page of another site reaching the server under its own name.
//! Each of these held a resource forever or slipped under a limit before (issue 16).

mod common;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use common::process::Spawned;
use common::{ADMIN_TOKEN, TestServer, WAIT};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// A TCP connection to `server` from the loopback address `from` (127.0.0.x: each is another
/// client address for the server).
async fn connect_from(from: [u8; 4], server: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket
        .bind(SocketAddr::from((from, 0)))
        .expect("bind a loopback source address");
    socket.connect(server).await.expect("connect")
}

/// Reads until the server closes the connection (or `WAIT` passes: then the test fails),
/// returning what it sent.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> String {
    let mut seen = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server still holds the connection after {within:?} (it sent {:?})",
        String::from_utf8_lossy(&seen)
    );
    String::from_utf8_lossy(&seen).into_owned()
}

/// One request on a fresh connection; the status line's code and the whole answer.
async fn request(from: [u8; 4], server: SocketAddr, raw: &str) -> (u16, String) {
    let mut stream = connect_from(from, server).await;
    stream.write_all(raw.as_bytes()).await.unwrap();
    let answer = until_closed(&mut stream, WAIT).await;
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or(0);
    (status, answer)
}

fn quick_timeouts(config: &mut atelier::config::ServeConfig) {
    config.limits.header_timeout = Duration::from_millis(500);
    config.limits.body_idle_timeout = Duration::from_millis(500);
    config.limits.request_timeout = Duration::from_secs(2);
}

#[tokio::test]
async fn connections_that_send_nothing_or_too_slowly_are_closed() {
    let server = TestServer::start_with(quick_timeouts).await;
    // Nothing at all.
    let mut silent = connect_from([127, 0, 0, 1], server.addr).await;
    until_closed(&mut silent, WAIT).await;
    // Half a request head, then nothing.
    let mut half = connect_from([127, 0, 0, 1], server.addr).await;
    half.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: te")
        .await
        .unwrap();
    until_closed(&mut half, WAIT).await;
    // A head trickled a byte at a time, never finished: the deadline is for the whole head.
    let mut trickle = connect_from([127, 0, 0, 1], server.addr).await;
    let closed = tokio::time::timeout(WAIT, async {
        for byte in
            b"GET / HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        {
            if trickle.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mut buf = [0u8; 64];
        matches!(trickle.read(&mut buf).await, Ok(0) | Err(_))
    })
    .await;
    assert_eq!(closed, Ok(true), "a trickled head is cut off");
    // An idle keep-alive connection after a full exchange is closed too.
    let mut idle = connect_from([127, 0, 0, 1], server.addr).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let answer = until_closed(&mut idle, WAIT).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Meanwhile the server answers others at once.
    let (status, _) = request(
        [127, 0, 0, 2],
        server.addr,
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_body_declared_too_large_is_refused_before_it_is_sent() {
    let server = TestServer::start().await;
    // A gigabyte for /api/verify (4 MiB at most), and 100 KiB for a JSON command (64 KiB):
    // the answer comes without a byte of body sent, and the connection is not kept.
    for (path, length) in [
        ("/api/verify", 1_000_000_000u64),
        ("/api/sessions", 100_000),
    ] {
        let (status, answer) = request(
            [127, 0, 0, 1],
            server.addr,
            &format!(
                "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
            ),
        )
        .await;
        assert_eq!(status, 413, "{path}: {answer}");
        assert!(answer.contains("\"too_large\""), "{answer}");
    }
}

#[tokio::test]
async fn a_stalled_body_is_dropped() {
    let server = TestServer::start_with(quick_timeouts).await;
    let mut stream = connect_from([127, 0, 0, 1], server.addr).await;
    stream
        .write_all(
            b"POST /api/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 3000000\r\n\r\n{\"a\": \"",
        )
        .await
        .unwrap();
    stream.write_all(&[b'x'; 100_000]).await.unwrap();
    let answer = until_closed(&mut stream, WAIT).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
        "{answer}"
    );
}

#[tokio::test]
async fn large_bodies_wait_their_turn_and_small_requests_do_not() {
    let server = TestServer::start_with(|config| {
        config.limits.large_bodies = 2;
        config.limits.large_body_wait = Duration::from_millis(300);
        config.limits.request_timeout = Duration::from_secs(30);
        config.limits.body_idle_timeout = Duration::from_secs(30);
    })
    .await;
    let upload = |from: [u8; 4]| {
        let addr = server.addr;
        async move {
            let mut stream = connect_from(from, addr).await;
            stream
                .write_all(b"POST /api/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 3000000\r\n\r\n{")
                .await
                .unwrap();
            stream
        }
    };
    // Two stalled uploads hold the two turns (4 MiB each at most: memory stays bounded)…
    let _first = upload([127, 0, 0, 1]).await;
    let _second = upload([127, 0, 0, 1]).await;
    // …so a third is told to come back, without its body being read.
    let mut third = upload([127, 0, 0, 1]).await;
    let answer = until_closed(&mut third, WAIT).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.contains("\"busy\"") && answer.to_lowercase().contains("retry-after"),
        "{answer}"
    );
    // A small request is not queued behind them.
    let answer = server
        .http()
        .post(server.url("/api/verify"))
        .json(&json!({"not": "a badge"}))
        .timeout(WAIT)
        .send()
        .await
        .expect("a small body is answered while large ones stall");
    assert_eq!(
        answer.status(),
        200,
        "a verdict (not a badge), not a refusal"
    );
}

#[tokio::test]
async fn one_address_cannot_take_every_connection() {
    let server = TestServer::start_with(|config| config.limits.per_address = 20).await;
    let mut held = Vec::new();
    for _ in 0..20 {
        held.push(connect_from([127, 0, 0, 3], server.addr).await);
    }
    // Let the server accept them all (a request on the last one is answered in order).
    held[19]
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 256];
    let n = tokio::time::timeout(WAIT, held[19].read(&mut buf))
        .await
        .unwrap()
        .unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
    // The 21st from that address is closed at once, without an answer.
    let mut extra = connect_from([127, 0, 0, 3], server.addr).await;
    let _ = extra
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await;
    assert_eq!(until_closed(&mut extra, WAIT).await, "");
    // Another address is served.
    let (status, _) = request(
        [127, 0, 0, 4],
        server.addr,
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200);
    // A connection given back is a connection the address may open again.
    drop(held.pop());
    let served = tokio::time::timeout(WAIT, async {
        loop {
            let (status, _) = request(
                [127, 0, 0, 3],
                server.addr,
                "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
            )
            .await;
            if status == 200 {
                break;
            }
            // The server notices the closed connection on its next read: a moment.
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(served.is_ok(), "a freed slot is usable again");
}

/// The real binary, its open files limited to 1,024 like a default shell's: one client
/// opening 1,500 silent connections holds only its share, and staff still get in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_flood_leaves_descriptors_for_everyone_else() {
    let data = tempfile::tempdir().unwrap();
    let server = Spawned::start(data.path(), &["prlimit", "--nofile=1024:1024"], &[]).await;
    let mut held = Vec::new();
    for _ in 0..1_500 {
        match tokio::time::timeout(WAIT, connect_from([127, 0, 0, 5], server.addr)).await {
            Ok(stream) => held.push(stream),
            Err(_) => panic!("connecting timed out"),
        }
    }
    let files = server.open_files();
    assert!(
        files < 400,
        "one address holds {files} of the server's descriptors"
    );
    // Staff sign in and create a session meanwhile (another address).
    let http = reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, 6]))
        .timeout(WAIT)
        .build()
        .unwrap();
    let base = format!("http://{}", server.addr);
    let created = http
        .post(format!("{base}/api/sessions"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"title": "Atelier", "lang": "fr", "activities": ["bingo"]}))
        .send()
        .await
        .expect("staff reach the server during the flood");
    assert_eq!(created.status(), 201);
    let log = server.log();
    assert!(
        !log.contains("Too many open files"),
        "the server ran out of descriptors: {log}"
    );
    drop(held);
}

/// 200 wrong sign-ins at once from one address: 20 are checked, the rest refused before any
/// password check, and the server's memory stays small (each check takes 19 MiB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_flood_is_counted_before_checking_and_bounded_in_memory() {
    let data = tempfile::tempdir().unwrap();
    let server = Spawned::start(data.path(), &[], &[]).await;
    let base = format!("http://{}", server.addr);
    let http = reqwest::Client::builder()
        .local_address(IpAddr::from([127, 0, 0, 7]))
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let before = server.memory_kib();
    let answers = futures_util::future::join_all((0..200).map(|i| {
        let http = http.clone();
        let base = base.clone();
        async move {
            http.post(format!("{base}/api/login"))
                .json(&json!({"username": format!("nobody{i}"), "password": "wrong password!"}))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    }))
    .await;
    let checked = answers.iter().filter(|s| **s == 401).count();
    let limited = answers.iter().filter(|s| **s == 429).count();
    assert_eq!(
        (checked, limited),
        (20, 180),
        "answers: {answers:?} (401 = checked, 429 = refused before checking)"
    );
    let peak = server.peak_memory_kib();
    assert!(
        peak < before + 100 * 1024,
        "memory peaked at {peak} KiB (from {before} KiB)"
    );
    // One account guessed from many addresses meets its own limit.
    let mut statuses = Vec::new();
    for i in 0..25u8 {
        let http = reqwest::Client::builder()
            .local_address(IpAddr::from([127, 0, 1, i + 1]))
            .timeout(WAIT)
            .build()
            .unwrap();
        let answer = http
            .post(format!("{base}/api/login"))
            .json(&json!({"username": "organiser", "password": "wrong password!"}))
            .send()
            .await
            .unwrap();
        statuses.push(answer.status().as_u16());
    }
    assert!(statuses[..20].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
}

#[tokio::test]
async fn a_page_of_another_site_cannot_use_the_server_under_its_name() {
    let server = TestServer::start_with(|config| {
        config.allowed_hosts = vec!["atelier-laptop.local".into()];
    })
    .await;
    let port = server.addr.port();
    let get = |host: String| {
        let addr = server.addr;
        async move {
            request(
                [127, 0, 0, 1],
                addr,
                &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
            )
            .await
        }
    };
    // DNS rebinding: the attacker's name now points at this server.
    let (status, page) = get(format!("evil.example:{port}")).await;
    assert_eq!(status, 421, "{page}");
    assert!(page.contains("--allow-host"), "the page says what to do");
    // An API call and a WebSocket handshake with a matching Origin fare no better.
    let (status, answer) = request(
        [127, 0, 0, 1],
        server.addr,
        &format!(
            "POST /api/login HTTP/1.1\r\nHost: evil.example:{port}\r\nOrigin: http://evil.example:{port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
        ),
    )
    .await;
    assert_eq!(status, 421);
    assert!(answer.contains("\"unknown_host\""), "{answer}");
    let (status, _) = request(
        [127, 0, 0, 1],
        server.addr,
        &format!(
            "GET /ws HTTP/1.1\r\nHost: evil.example:{port}\r\nOrigin: http://evil.example:{port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
        ),
    )
    .await;
    assert_eq!(status, 421);
    // Addresses, localhost and a name given with --allow-host are served.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        format!("192.168.1.20:{port}"),
        format!("Atelier-Laptop.local:{port}"),
    ] {
        let (status, page) = get(host.clone()).await;
        assert_eq!(status, 200, "{host}: {page}");
    }
}

/// Behind a trusted reverse proxy each client has its own limits; a client that is not a
/// trusted proxy cannot escape them by writing the header itself.
#[tokio::test]
async fn forwarded_addresses_are_believed_from_trusted_proxies_only() {
    let server = TestServer::start_with(|config| {
        config.trusted_proxies = vec!["127.0.0.8/32".parse().unwrap()];
    })
    .await;
    let claim = |from: [u8; 4], forwarded: Option<String>| {
        let addr = server.addr;
        async move {
            let body = "code=WRONG-CODE&name=Ada";
            let header = forwarded
                .map(|f| format!("X-Forwarded-For: {f}\r\n"))
                .unwrap_or_default();
            request(
                from,
                addr,
                &format!(
                    "POST /claim HTTP/1.1\r\nHost: 127.0.0.1\r\n{header}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
            )
            .await
            .0
        }
    };
    // The proxy carries two clients: the first uses up its 10 attempts, the second still has its own.
    for _ in 0..10 {
        assert_ne!(
            claim([127, 0, 0, 8], Some("198.51.100.1".into())).await,
            429
        );
    }
    assert_eq!(
        claim([127, 0, 0, 8], Some("198.51.100.1".into())).await,
        429
    );
    assert_ne!(
        claim([127, 0, 0, 8], Some("198.51.100.2".into())).await,
        429
    );
    // An untrusted client inventing addresses is still one client.
    for i in 0..10 {
        assert_ne!(
            claim([127, 0, 0, 9], Some(format!("203.0.113.{i}"))).await,
            429
        );
    }
    assert_eq!(
        claim([127, 0, 0, 9], Some("203.0.113.99".into())).await,
        429
    );
}
