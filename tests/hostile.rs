//! Hostile input against the real server: frames that are oversize, binary, invalid UTF-8,
//! deeply nested, of unknown types; floods; a thousand connections from one address; path
//! traversal on every route that takes a path; hostile uploads; HTML and script in names,
//! titles and comments. Each is answered or dropped, nothing leaks, and the server stays
//! responsive for everyone else (checked by a fresh client joining, never by timings).

mod common;

use std::io::Write as _;
use std::net::SocketAddr;

use common::{ADMIN_TOKEN, Client, TestServer, WAIT};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn socket(addr: SocketAddr) -> Socket {
    tokio::time::timeout(WAIT, connect_async(format!("ws://{addr}/ws")))
        .await
        .expect("connect in time")
        .expect("connect")
        .0
}

/// The next text frame as JSON, or None once the server closed (or broke) the connection.
async fn next_json(ws: &mut Socket) -> Option<Value> {
    loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("an answer in time")
        {
            Some(Ok(Message::Text(text))) => return Some(serde_json::from_str(&text).unwrap()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => continue,
        }
    }
}

/// The server is still there for others: a fresh phone joins the session.
async fn still_serving(server: &TestServer, code: &str) {
    // A new name each time: a session has one participant per name.
    static FRESH: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = FRESH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (phone, welcome) = Client::join(server.addr, code, &format!("Fresh {n}")).await;
    assert_eq!(welcome["role"], "participant");
    phone.close().await;
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[tokio::test]
async fn bad_frames_get_an_error_and_the_connection_stays_usable() {
    let server = TestServer::start().await;
    let code = server.create_session(&["bingo"]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let deep_object = format!(
        r#"{{"type":"join","code":{}"ACDEFG"{},"name":"x"}}"#,
        r#"{"a":"#.repeat(2000),
        "}".repeat(2000)
    );
    // (frame, expected error code) — before and after the hello.
    let cases: Vec<(Message, &str)> = vec![
        (
            Message::Binary(vec![0, 159, 146, 150].into()),
            "binary_frame",
        ),
        (Message::Text("not json".into()), "bad_json"),
        (Message::Text("[1,2]".into()), "bad_json"),
        (Message::Text("null".into()), "bad_json"),
        (Message::Text("{}".into()), "missing_type"),
        (Message::Text(r#"{"type":5}"#.into()), "missing_type"),
        (Message::Text(r#"{"type":"nope"}"#.into()), "unknown_type"),
        (
            Message::Text(r#"{"type":"__proto__","constructor":{}}"#.into()),
            "unknown_type",
        ),
        // 8,000 nested arrays: 16,000 bytes, inside the 16 KiB limit.
        (Message::Text(nested(8000).into()), "bad_json"),
        // 10,000 unclosed arrays.
        (Message::Text("[".repeat(10_000).into()), "bad_json"),
        (Message::Text(deep_object.into()), "bad_json"),
        (Message::Text("\u{0}\u{feff}{}".into()), "bad_json"),
    ];
    let mut ws = socket(server.addr).await;
    for (frame, want) in cases.iter().cloned() {
        ws.send(frame).await.unwrap();
        let answer = next_json(&mut ws).await.expect("an error, not a close");
        assert_eq!(answer["type"], "error");
        assert_eq!(answer["code"], want, "{answer}");
    }
    // The same connection still joins.
    ws.send(Message::Text(
        json!({"type": "join", "code": code, "name": "Ada"})
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    let welcome = next_json(&mut ws).await.unwrap();
    assert_eq!(welcome["type"], "welcome");
    // And after the hello, as actions. The fields of a known type, deeply nested.
    let mut after: Vec<(Message, &str)> = cases;
    after.push((
        Message::Text(format!(r#"{{"type":"bingo.tap","card":{}}}"#, nested(4000)).into()),
        "bad_json",
    ));
    after.push((
        Message::Text(r#"{"type":"bingo.tap","card":["open-badge"]}"#.into()),
        "bad_fields",
    ));
    after.push((
        Message::Text(r#"{"type":"participant.remove","pid":-1}"#.into()),
        "bad_fields",
    ));
    after.push((
        Message::Text(r#"{"type":"participant.remove","pid":1e400}"#.into()),
        "bad_json",
    ));
    for (frame, want) in after {
        ws.send(frame).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(120)).await;
        let answer = next_json(&mut ws).await.expect("an error, not a close");
        assert_eq!(answer["code"], want, "{answer}");
    }
    still_serving(&server, &code).await;
}

#[tokio::test]
async fn oversize_and_invalid_utf8_frames_close_only_that_connection() {
    let server = TestServer::start().await;
    let code = server.create_session(&["bingo"]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (mut witness, _) = Client::join(server.addr, &code, "Witness").await;
    for joined in [false, true] {
        // Just over 16 KiB, then 1 MiB: the connection is closed.
        for size in [16 * 1024 + 1, 1024 * 1024] {
            let mut ws = socket(server.addr).await;
            if joined {
                ws.send(Message::Text(
                    json!({"type": "join", "code": code, "name": format!("Big {size}")})
                        .to_string()
                        .into(),
                ))
                .await
                .unwrap();
                assert_eq!(next_json(&mut ws).await.unwrap()["type"], "welcome");
            }
            let frame = format!(r#"{{"type":"join","code":"{}"}}"#, "A".repeat(size));
            let _ = ws.send(Message::Text(frame.into())).await;
            let mut closed = false;
            for _ in 0..20 {
                match next_json(&mut ws).await {
                    None => {
                        closed = true;
                        break;
                    }
                    // Events about the join itself may come first.
                    Some(frame) => assert_ne!(frame["type"], "welcome"),
                }
            }
            assert!(closed, "a {size}-byte frame closes the connection");
        }
        // A text frame that is not UTF-8.
        let mut ws = socket(server.addr).await;
        let bad = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
        let _ = ws.send(Message::Frame(bad)).await;
        let answer = next_json(&mut ws).await;
        assert!(
            answer.is_none() || answer.as_ref().unwrap()["type"] == "error",
            "{answer:?}"
        );
    }
    still_serving(&server, &code).await;
    // The witness was not disturbed: it still gets the staff's phase change.
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff.send(json!({"type": "phase.next"})).await;
    witness.expect("phase.changed").await;
}

#[tokio::test]
async fn a_flood_is_refused_then_closed_and_others_play_on() {
    let server = TestServer::start().await;
    let code = server.create_session(&["bingo"]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    for joined in [false, true] {
        let mut ws = socket(server.addr).await;
        if joined {
            ws.send(Message::Text(
                json!({"type": "join", "code": code, "name": "Flood"})
                    .to_string()
                    .into(),
            ))
            .await
            .unwrap();
            assert_eq!(next_json(&mut ws).await.unwrap()["type"], "welcome");
        }
        // 60 frames at once: the burst (30) passes, the rest is told to slow down.
        for _ in 0..60 {
            ws.send(Message::Text(r#"{"type":"nope"}"#.into()))
                .await
                .unwrap();
        }
        let mut rate_limited = 0;
        while rate_limited == 0 {
            let frame = next_json(&mut ws).await.expect("answered, not closed yet");
            if frame["code"] == "rate_limited" {
                rate_limited += 1;
            }
        }
        // Going on regardless: disconnected.
        for _ in 0..200 {
            if ws
                .send(Message::Text(r#"{"type":"nope"}"#.into()))
                .await
                .is_err()
            {
                break;
            }
        }
        let mut closed = false;
        for _ in 0..400 {
            if next_json(&mut ws).await.is_none() {
                closed = true;
                break;
            }
        }
        assert!(closed, "a sustained flood is disconnected");
    }
    still_serving(&server, &code).await;
}

#[tokio::test]
async fn a_thousand_connections_from_one_address_do_not_lock_others_out() {
    let server = TestServer::start().await;
    let code = server.create_session(&["bingo"]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let addr = server.addr;
    let mut held = Vec::new();
    let mut refused = 0;
    // From 127.0.0.10: the phone and the API calls below come from 127.0.0.1, another client.
    for _ in 0..10 {
        let batch = futures_util::future::join_all((0..100).map(|_| async move {
            tokio::time::timeout(WAIT, async move {
                let socket = tokio::net::TcpSocket::new_v4().unwrap();
                socket.bind(SocketAddr::from(([127, 0, 0, 10], 0))).unwrap();
                let tcp = tokio_tungstenite::MaybeTlsStream::Plain(socket.connect(addr).await?);
                tokio_tungstenite::client_async(format!("ws://{addr}/ws"), tcp)
                    .await
                    .map_err(std::io::Error::other)
            })
            .await
        }))
        .await;
        for attempt in batch {
            match attempt {
                Ok(Ok((ws, _))) => held.push(ws),
                _ => refused += 1,
            }
        }
    }
    eprintln!("{} connections held, {refused} refused", held.len());
    assert_eq!(
        held.len(),
        atelier::web::conn::HttpLimits::default().per_address,
        "one address holds its share of connections, no more"
    );
    // While all of them are open (and silent), a fresh phone joins and the API answers.
    still_serving(&server, &code).await;
    let health = server.http().get(server.url("/healthz")).send().await;
    assert_eq!(health.unwrap().status(), 200);
    // Each held connection is still answered (or was dropped): never left hanging.
    for ws in held.iter_mut().take(20) {
        let _ = ws.send(Message::Text(r#"{"type":"nope"}"#.into())).await;
        let answer = next_json(ws).await;
        assert!(answer.is_none() || answer.unwrap()["code"] == "unknown_type");
    }
    drop(held);
    still_serving(&server, &code).await;
}

// ---- path traversal ------------------------------------------------------------------------

/// One raw HTTP/1.1 request (no client-side URL normalisation): status and body.
async fn raw_get(addr: SocketAddr, target: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(WAIT, stream.read_to_end(&mut response))
        .await
        .expect("an answer in time")
        .unwrap();
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, text)
}

fn encode_all(path: &str) -> String {
    path.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[tokio::test]
async fn no_route_serves_a_file_outside_its_folder() {
    let server = TestServer::start().await;
    let session = server.create_session(&["bingo"]).await;
    let code = session["code"].as_str().unwrap();
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let link_key = server.dir.join("link.key");
    let link_key_text = link_key.display().to_string();
    let secrets: Vec<Vec<u8>> = std::fs::read_dir(server.dir.join("keys"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| std::fs::read(e.path()).unwrap())
        .chain(std::fs::read(&link_key).ok())
        .collect();
    let up = "../../../../../../../..";
    let mut targets: Vec<String> = Vec::new();
    for prefix in [
        "/static/",
        "/static/vendor/",
        "/i18n/",
        "/decks/",
        &format!("/decks/{}/", session["deck"].as_str().unwrap()),
        "/b/",
        "/b/x/",
        "/j/",
        "/screen/",
        &format!("/s/{code}/deck/"),
        "/s/",
        "/qr/",
        "/qr/claim/",
        "/signin/",
        "/f/s/",
        "/api/sessions/",
    ] {
        for escape in [
            "../Cargo.toml".to_string(),
            "..%2fCargo.toml".into(),
            "%2e%2e/Cargo.toml".into(),
            "%2e%2e%2fCargo.toml".into(),
            "%2E%2E%2FCargo.toml".into(),
            "..%5cCargo.toml".into(),
            "....//Cargo.toml".into(),
            "%252e%252e%252fCargo.toml".into(),
            "..%c0%afCargo.toml".into(),
            format!("{up}/etc/passwd"),
            format!("{}etc%2fpasswd", "..%2f".repeat(10)),
            "/etc/passwd".into(),
            "%2fetc%2fpasswd".into(),
            encode_all(&link_key_text),
            format!("{}{}", "..%2f".repeat(10), encode_all(&link_key_text[1..])),
            "..".into(),
            "%2e%2e".into(),
            ".".into(),
        ] {
            targets.push(format!("{prefix}{escape}"));
            targets.push(format!("{prefix}{escape}?k=x"));
        }
    }
    for target in &targets {
        let (status, text) = raw_get(server.addr, target).await;
        let served_manifest = text.contains("[package]") && text.contains(&manifest[..40]);
        assert!(!served_manifest, "{target} served Cargo.toml");
        assert!(!text.contains("root:x:0:0"), "{target} served /etc/passwd");
        for secret in &secrets {
            assert!(
                !text
                    .as_bytes()
                    .windows(secret.len())
                    .any(|w| w == secret.as_slice()),
                "{target} served a key file"
            );
        }
        assert!(
            // `/qr/claim/…` draws a QR code of a claim link from any text (letters only).
            status != 200 || target.starts_with("/qr/claim/"),
            "{target}: {status}"
        );
        assert!(status < 500 || status == 0, "{target}: {status}");
    }
    // Still serving its own files.
    let (status, _) = raw_get(server.addr, "/static/ws.js").await;
    assert_eq!(status, 200);
    let (status, _) = raw_get(server.addr, "/healthz").await;
    assert_eq!(status, 200);
}

// ---- uploads -------------------------------------------------------------------------------

fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut out = (data.len() as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
    out
}

/// A PNG declaring `width`×`height` pixels (colour type 6, depth `depth`) whose image data
/// is `zeros` zero bytes, deflated: a decompression bomb when the declaration is huge.
fn png(width: u32, height: u32, depth: u8, zeros: usize) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[depth, 6, 0, 0, 0]);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    let mut left = zeros;
    while left > 0 {
        let n = left.min(block.len());
        z.write_all(&block[..n]).unwrap();
        left -= n;
    }
    let idat = z.finish().unwrap();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(chunk(b"IHDR", &ihdr));
    out.extend(chunk(b"IDAT", &idat));
    out.extend(chunk(b"IEND", &[]));
    out
}

async fn upload(server: &TestServer, path: &str, name: &str, bytes: Vec<u8>) -> u16 {
    let id = server
        .running
        .as_ref()
        .unwrap()
        .state
        .issuer
        .default_achievement()
        .await
        .unwrap();
    let form = reqwest::multipart::Form::new().text("id", id).part(
        "image",
        reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_string())
            .mime_str(if name.ends_with(".svg") {
                "image/svg+xml"
            } else {
                "image/png"
            })
            .unwrap(),
    );
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(server.url(path))
        .bearer_auth(ADMIN_TOKEN)
        .multipart(form)
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

async fn nothing_stored(server: &TestServer) {
    let state = &server.running.as_ref().unwrap().state;
    let issuer = state.store.setting("issuer_image").await.unwrap();
    assert!(issuer.is_none() || issuer.as_deref() == Some("null"));
    let id = state.issuer.default_achievement().await.unwrap();
    assert!(
        state
            .store
            .achievement(&id)
            .await
            .unwrap()
            .unwrap()
            .image
            .is_none()
    );
}

#[tokio::test]
async fn hostile_uploads_are_refused() {
    let server = TestServer::start().await;
    let code = server.create_session(&["bingo"]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let mut big = png(64, 64, 8, 64 * 64 * 4 + 64);
    big.resize(4 * 1024 * 1024, 0);
    let cases: Vec<(&str, Vec<u8>, &[u16])> = vec![
        // Wrong types, whatever their name says.
        ("logo.png", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(), &[422]),
        ("logo.png", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00".to_vec(), &[422]),
        (
            "logo.png",
            b"<html><body><script>alert(1)</script></body></html>".to_vec(),
            &[422],
        ),
        ("logo.svg", b"\xff\xfe<\x00s\x00v\x00g\x00".to_vec(), &[422]),
        // A PNG signature with nothing valid behind it.
        ("logo.png", b"\x89PNG\r\n\x1a\nnot really".to_vec(), &[422]),
        // Over the request limit (3 MiB): refused before it is read whole.
        ("logo.png", big, &[413, 422, 0]),
        // Decompression bombs: huge declared sizes, a few KiB on the wire.
        ("bomb.png", png(100_000, 100_000, 8, 1 << 20), &[422]),
        ("bomb.png", png(1, 1_000_000, 16, 1 << 20), &[422]),
        ("bomb.png", png(u32::MAX >> 1, u32::MAX >> 1, 16, 1 << 16), &[422]),
        // SVG with script, in its usual disguises.
        (
            "x.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><SCRIPT>alert(1)</SCRIPT></svg>"#.to_vec(),
            &[422],
        ),
        (
            "x.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>"#.to_vec(),
            &[422],
        ),
        (
            "x.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect width="9" height="9"/></a></svg>"#.to_vec(),
            &[422],
        ),
        (
            "x.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><iframe src="https://evil.example"/></foreignObject></svg>"#.to_vec(),
            &[422],
        ),
        (
            "x.svg",
            br#"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>"#.to_vec(),
            &[422],
        ),
        (
            "x.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/p.png"/></svg>"#.to_vec(),
            &[422],
        ),
        (
            "x.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/x.css);</style></svg>"#.to_vec(),
            &[422],
        ),
        (
            "x.svg",
            br##"<svg xmlns="http://www.w3.org/2000/svg"><use href="https://evil.example/s.svg#x"/></svg>"##.to_vec(),
            &[422],
        ),
        (
            "x.svg",
            br#"<svg xmlns="http://www.w3.org/2000/svg"><a href="&#106;avascript:alert(1)"><rect width="9" height="9"/></a></svg>"#.to_vec(),
            &[422],
        ),
    ];
    for path in ["/o/issuer/image", "/o/achievements/image"] {
        for (name, bytes, allowed) in &cases {
            let status = upload(&server, path, name, bytes.clone()).await;
            assert!(
                allowed.contains(&status),
                "{path} {name} ({} bytes, starts {:?}): {status}",
                bytes.len(),
                String::from_utf8_lossy(&bytes[..bytes.len().min(60)])
            );
        }
    }
    nothing_stored(&server).await;
    still_serving(&server, &code).await;
}

/// Filter evasions that the SVG check lets through today. Where the image is shown (an
/// `<img>` with a `data:` URL on the organiser console, or the badge file downloaded as an
/// attachment) scripts do not run, and the CSP forbids inline script on this origin; but a
/// badge file opened from disk has no CSP, so the upload check should not be evadable.
#[tokio::test]
async fn svg_filter_evasions_are_refused() {
    let server = TestServer::start().await;
    let svgs = [
        r#"<svg xmlns="http://www.w3.org/2000/svg"/onload="alert(1)"></svg>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="9"/onclick="alert(1)"/></svg>"#,
        r#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="9""onclick="alert(1)"/></svg>"#,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><a href="#x"><set attributeName="href" to="&#106;avascript:alert(1)"/><rect width="9" height="9"/></a></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><a href="#x"><animate attributeName="href" values="&#x6A;avascript:alert(1)"/><rect width="9" height="9"/></a></svg>"##,
    ];
    let accepted = accepted_svgs(&server, &svgs).await;
    assert!(accepted.is_empty(), "accepted:\n{}", accepted.join("\n"));
}

/// The SVGs of `svgs` that the issuer image upload accepted (anything but 422).
async fn accepted_svgs<'a>(server: &TestServer, svgs: &[&'a str]) -> Vec<&'a str> {
    let mut accepted = Vec::new();
    for svg in svgs {
        let status = upload(server, "/o/issuer/image", "x.svg", svg.as_bytes().to_vec()).await;
        if status != 422 {
            accepted.push(*svg);
        }
    }
    accepted
}

/// Second round: `=` surrounded by spaces (valid XML) and a tab inside the scheme (URL parsers
/// drop tabs, so `java&#9;script:` is still `javascript:`); then what a parser decodes that a
/// substring filter does not see (entities, character references in any case), external
/// references in every place an SVG can hold one, and entity expansion.
#[tokio::test]
async fn svg_filter_spacing_evasions_are_refused() {
    let server = TestServer::start().await;
    let svgs = [
        r##"<svg xmlns="http://www.w3.org/2000/svg"><a href="#x"><set attributeName = "href" to="java&#9;script:alert(1)"/><rect width="9" height="9"/></a></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><a href="#x"><set attributeName="href" to="java&#9;script:alert(1)"/><rect width="9" height="9"/></a></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><a href="#x"><animate attributeName = "href" values="&#106;ava&#x0A;script:alert(1)"/><rect width="9" height="9"/></a></svg>"##,
        // Any animation, whatever it targets.
        r##"<svg xmlns="http://www.w3.org/2000/svg"><g><set attributeName="fill" to="red"/></g></svg>"##,
        // Character references in a link, in any case, with whitespace.
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href="&#x6A;avascript:alert(1)"/></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><use xlink:href=" &#x4A;AVA&#9;SCRIPT&#x3a;alert(1)"/></svg>"##,
        // External references: use, image, gradients, CSS in a sheet, a style attribute and a
        // presentation attribute.
        r##"<svg xmlns="http://www.w3.org/2000/svg"><use href="http://evil.example/s.svg#x"/></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><use href="//evil.example/s.svg#x"/></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><linearGradient href="s.svg#g"/></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: url(http://evil.example/p) }</style><rect/></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><style>@IMPORT "x.css";</style></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><style>@im\70 ort "x.css";</style></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: URL( 'http://evil.example/p' )"/></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/p)"/></svg>"##,
        r##"<svg xmlns="http://www.w3.org/2000/svg"><feImage href="https://evil.example/p.png"/></svg>"##,
        r##"<?xml-stylesheet href="https://evil.example/s.css"?><svg xmlns="http://www.w3.org/2000/svg"/>"##,
        // Entity expansion and external entities.
        r##"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lollollollollollollollollollol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>"##,
        r##"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>"##,
        r##"<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>"##,
        // HTML inside SVG.
        r##"<svg xmlns="http://www.w3.org/2000/svg"><h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script></svg>"##,
    ];
    let accepted = accepted_svgs(&server, &svgs).await;
    assert!(accepted.is_empty(), "accepted:\n{}", accepted.join("\n"));
    nothing_stored(&server).await;
}

/// An accepted SVG is stored as the check wrote it out: editor data and comments gone, nothing
/// but allowed elements and attributes; a refusal tells the organiser what was refused.
#[tokio::test]
async fn svg_uploads_are_stored_as_checked_and_refusals_say_why() {
    let server = TestServer::start().await;
    let svg = r##"<?xml version="1.0"?>
<!-- <script>alert(1)</script> -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:ed="urn:editor" viewBox="0 0 10 10" ed:x="1">
  <ed:state><script>alert(1)</script></ed:state>
  <rect width="10" height="10" fill="#0b5cad"/>
</svg>"##;
    assert_eq!(
        upload(
            &server,
            "/o/issuer/image",
            "logo.svg",
            svg.as_bytes().to_vec()
        )
        .await,
        303
    );
    let state = &server.running.as_ref().unwrap().state;
    let stored: Value =
        serde_json::from_str(&state.store.setting("issuer_image").await.unwrap().unwrap()).unwrap();
    assert_eq!(stored["type"], "image/svg+xml");
    use base64::Engine as _;
    let data = base64::engine::general_purpose::STANDARD
        .decode(stored["data"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        String::from_utf8(data).unwrap(),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">\n  \n  <rect width=\"10\" height=\"10\" fill=\"#0b5cad\"/>\n</svg>"
    );

    let form = reqwest::multipart::Form::new().part(
        "image",
        reqwest::multipart::Part::bytes(
            br#"<svg xmlns="http://www.w3.org/2000/svg"><rect width = "9" onclick = "alert(1)"/></svg>"#.to_vec(),
        )
        .file_name("x.svg"),
    );
    let refused = server
        .http()
        .post(server.url("/o/issuer/image"))
        .bearer_auth(ADMIN_TOKEN)
        .header("accept-language", "en")
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("event handler attribute onclick on &lt;rect&gt;")
            || page.contains("event handler attribute onclick on &#60;rect&#62;"),
        "{page}"
    );
}

// ---- HTML and script in what people type ---------------------------------------------------

const EVIL: &str = r#"<img src=x onerror=alert(1)><script>alert("x")</script>"#;

fn shows_as_text(page: &str, what: &str) {
    assert!(
        !page.contains("<img src=x onerror") && !page.contains("<script>alert"),
        "{what}: raw markup in the page"
    );
    assert!(
        ["&lt;img", "&#60;img", "&#x3c;img", "&#x3C;img"]
            .iter()
            .any(|escaped| page.contains(escaped)),
        "{what}: the text is shown, escaped"
    );
}

#[tokio::test]
async fn names_titles_and_comments_are_escaped_in_every_page() {
    let server = TestServer::start().await;
    let http = server.http();
    // A session titled with markup.
    let session: Value = http
        .post(server.url("/api/sessions"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"title": EVIL, "lang": "fr", "activities": ["bingo"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = session["code"].as_str().unwrap().to_string();
    // A participant named with markup, who gives a feedback comment with markup.
    let (phone, welcome) = Client::join(server.addr, &code, &EVIL[..38]).await;
    assert_eq!(
        welcome["you"]["name"],
        &EVIL[..38],
        "kept as text, not cleaned"
    );
    let token = welcome["token"].as_str().unwrap().to_string();
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff
        .send(json!({"type": "phase.set", "phase": {"kind": "feedback"}}))
        .await;
    staff.expect("phase.changed").await;
    let response = http
        .post(server.url("/api/feedback"))
        .json(&json!({"token": token, "overall": 4, "comment": EVIL}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    // A badge issued to a name with markup.
    let badge: Value = http
        .post(server.url("/api/badges"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": &EVIL[..38]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page_link = badge["links"]["page"].as_str().unwrap().to_string();
    let screen = session["screen_url"].as_str().unwrap();
    let pages = [
        server.url("/f"),
        server.url(&format!("/f/s/{code}")),
        server.url(&format!("/j/{code}")),
        screen.to_string(),
        server.url("/o"),
        server.url("/o/badges"),
        page_link,
    ];
    for url in pages {
        let page = http
            .get(&url)
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        shows_as_text(&page, &url);
    }
    // The verifier shows the recipient name of any uploaded badge: escaped too.
    let png = http
        .get(badge["links"]["png"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let form = reqwest::multipart::Form::new().part(
        "badge",
        reqwest::multipart::Part::bytes(png.to_vec()).file_name("b.png"),
    );
    let report = http
        .post(server.url("/verify"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    shows_as_text(&report, "/verify");
    // JSON carries it as data, and says it is JSON.
    let export = http
        .get(server.url("/api/feedback.json"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap();
    assert!(
        export.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    phone.close().await;
}

/// Two small requests froze the server: a credential whose JSON-LD holds a ring of blank nodes
/// costs RDFC-1.0 seconds of CPU per request (400 nodes: 7 s). Such a document is refused by
/// its size in blank nodes before canonicalisation, verification runs off the async workers,
/// and the server answers everyone else meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blank_node_ring_is_refused_before_it_costs_anything() {
    let server = TestServer::start().await;
    let issued = server
        .issue_badge(serde_json::json!({"name": "Ada", "lang": "fr"}))
        .await;
    let mut poisoned = issued["credential"].clone();
    let ring: Vec<serde_json::Value> = (0..400)
        .map(|i| {
            serde_json::json!({
                "@id": format!("_:b{i}"),
                "https://example.org/next": {"@id": format!("_:b{}", (i + 1) % 400)},
            })
        })
        .collect();
    poisoned["https://example.org/ring"] = serde_json::Value::Array(ring);
    let body = poisoned.to_string();
    let verifications = (0..20).map(|_| {
        let request = server
            .http()
            .post(server.url("/api/verify"))
            .body(body.clone())
            .send();
        async move {
            request
                .await
                .unwrap()
                .json::<serde_json::Value>()
                .await
                .unwrap()
        }
    });
    let health = async {
        let answer = server
            .http()
            .get(server.url("/healthz"))
            .send()
            .await
            .unwrap();
        answer.text().await.unwrap()
    };
    let (reports, health) = tokio::join!(futures_util::future::join_all(verifications), health);
    assert_eq!(health, "ok");
    for report in reports {
        assert_eq!(report["verdict"], "invalid", "{report}");
        assert!(report.to_string().contains("blank nodes"), "{report}");
    }
    // A 2 MiB ring of 30,000 nodes cost 1.5 s of expansion before the dataset limits could
    // refuse it: it is refused on its JSON's size, before expansion.
    let big: Vec<serde_json::Value> = (0..30_000)
        .map(|i| {
            serde_json::json!({
                "@id": format!("_:b{i}"),
                "https://example.org/next": {"@id": format!("_:b{}", (i + 1) % 30_000)},
            })
        })
        .collect();
    let mut huge = issued["credential"].clone();
    huge["https://example.org/ring"] = serde_json::Value::Array(big);
    let report: serde_json::Value = server
        .http()
        .post(server.url("/api/verify"))
        .body(huge.to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["verdict"], "invalid", "{report}");
    assert!(report.to_string().contains("JSON values"), "{report}");
}
