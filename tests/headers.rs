//! What every response tells the browser (CSP without inline script, no sniffing, no
//! framing, a referrer policy), the session cookie's flags (HttpOnly, SameSite, Secure behind
//! https), CSRF protection of every state-changing request, and secrets kept out of the logs
//! of the real binary at debug level.

mod common;

use std::process::Stdio;
use std::sync::{Arc, Mutex};

use base64::Engine;
use common::{ADMIN_TOKEN, Client, TestServer, WAIT};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, COOKIE, ORIGIN, SET_COOKIE};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};

const PASSWORD: &str = "a long enough password";

fn no_redirect() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in through the login form; returns the `Set-Cookie` header of the session cookie.
async fn sign_in(server: &TestServer, username: &str) -> String {
    let response = no_redirect()
        .post(server.url("/login"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!(
            "username={username}&password=a+long+enough+password"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("atelier_session="))
        .expect("a session cookie")
}

fn cookie_pair(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_string()
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_have_no_inline_script() {
    let server = TestServer::start().await;
    let session = server.create_session(&["bingo", "fresque"]).await;
    let code = session["code"].as_str().unwrap();
    let screen = session["screen_url"].as_str().unwrap();
    let pages = [
        "/".to_string(),
        "/login".into(),
        format!("/j/{code}"),
        "/f".into(),
        format!("/f/s/{code}"),
        screen
            .split(&server.addr.to_string())
            .nth(1)
            .unwrap()
            .into(),
        "/o".into(),
        "/o/issuer".into(),
        "/o/badges".into(),
        "/o/accounts".into(),
        "/verify".into(),
        "/claim".into(),
        "/privacy".into(),
        "/me".into(),
    ];
    let others = [
        "/static/ws.js",
        "/i18n/fr.ftl",
        "/healthz",
        "/api/sessions",
        "/no/such/page",
        "/api/badges",
    ];
    for path in pages.iter().map(String::as_str).chain(others) {
        let response = no_redirect()
            .get(server.url(path))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        let headers = response.headers().clone();
        let header = |name: &str| {
            headers
                .get(name)
                .unwrap_or_else(|| panic!("{path}: no {name}"))
                .to_str()
                .unwrap()
                .to_string()
        };
        let csp = header("content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"));
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("default-src 'self'") && csp.contains("base-uri"));
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert!(
            ["same-origin", "no-referrer", "strict-origin"]
                .contains(&header("referrer-policy").as_str()),
            "{path}"
        );
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        if pages.iter().any(|p| p == path) {
            assert_eq!(response.status(), 200, "{path}");
            let html = response.text().await.unwrap();
            assert_no_inline_script(path, &html, &csp);
        }
    }
}

/// No `<script>` without `src` (but the import map, allowed by its hash in the CSP), no `on…=`
/// handler attributes, no `javascript:` URLs.
fn assert_no_inline_script(path: &str, html: &str, csp: &str) {
    use sha2::Digest;
    let lower = html.to_ascii_lowercase();
    for (i, _) in lower.match_indices("<script") {
        let tag_end = lower[i..].find('>').map_or(lower.len(), |e| i + e);
        if lower[i..tag_end].contains(r#"type="importmap""#) {
            let body = &html[tag_end + 1..];
            let body = &body[..body.find("</script>").expect("the import map ends")];
            let hash = base64::engine::general_purpose::STANDARD
                .encode(sha2::Sha256::digest(body.as_bytes()));
            assert!(
                csp.contains(&format!("'sha256-{hash}'")),
                "{path}: the import map's hash is not in the CSP {csp}"
            );
            continue;
        }
        assert!(
            lower[i..tag_end].contains(" src="),
            "{path}: inline script {}",
            &html[i..tag_end.min(i + 120)]
        );
    }
    let bytes = lower.as_bytes();
    for (i, _) in lower.match_indices(" on") {
        let name: String = lower[i + 3..]
            .chars()
            .take_while(char::is_ascii_alphabetic)
            .collect();
        let after = &bytes[i + 3 + name.len()..];
        let inside_tag = lower[..i].rfind('<') > lower[..i].rfind('>');
        assert!(
            !(inside_tag && !name.is_empty() && after.first() == Some(&b'=')),
            "{path}: event handler attribute on{name}"
        );
    }
    assert!(!lower.contains("javascript:"), "{path}: javascript: URL");
}

#[tokio::test]
async fn the_session_cookie_is_http_only_same_site_and_secure_behind_https() {
    // Hosted behind https: Secure.
    let hosted = TestServer::start_hosted("https://atelier.example.org").await;
    hosted.facilitator_token("hosted").await;
    let cookie = sign_in(&hosted, "hosted").await;
    let lower = cookie.to_ascii_lowercase();
    assert!(lower.contains("httponly"), "{cookie}");
    assert!(lower.contains("samesite=strict"), "{cookie}");
    assert!(lower.contains("; secure"), "{cookie}");
    assert!(lower.contains("path=/"), "{cookie}");
    // The cookie's value is a fresh random token, not anything guessable.
    let value = cookie_pair(&cookie);
    assert!(value.len() > "atelier_session=".len() + 40, "{value}");

    // On a laptop over plain http (a hotspot): not Secure, or the browser would drop it.
    let laptop = TestServer::start().await;
    laptop.facilitator_token("laptop").await;
    let cookie = sign_in(&laptop, "laptop").await;
    let lower = cookie.to_ascii_lowercase();
    assert!(lower.contains("httponly") && lower.contains("samesite=strict"));
    assert!(!lower.contains("; secure"), "{cookie}");
    // The cookie works, and signing out ends it on the server.
    let pair = cookie_pair(&cookie);
    let dashboard = no_redirect()
        .get(laptop.url("/f"))
        .header(COOKIE, &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(dashboard.status(), 200);
    let out = no_redirect()
        .post(laptop.url("/logout"))
        .header(COOKIE, &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = no_redirect()
        .get(laptop.url("/f"))
        .header(COOKIE, &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(
        after.status(),
        StatusCode::SEE_OTHER,
        "the old cookie is dead"
    );
}

/// A state-changing request, as a page on another site could send it.
struct Forged {
    method: &'static str,
    path: String,
    content_type: &'static str,
    body: String,
}

fn forged(method: &'static str, path: &str, content_type: &'static str, body: &str) -> Forged {
    Forged {
        method,
        path: path.to_string(),
        content_type,
        body: body.to_string(),
    }
}

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";
/// What an HTML form can send without a CORS preflight.
const TEXT: &str = "text/plain";

#[tokio::test]
async fn cross_origin_posts_are_refused_and_change_nothing() {
    let server = TestServer::start().await;
    let state = &server.running.as_ref().unwrap().state;
    let hash = atelier::auth::hash_password("staff", PASSWORD).unwrap();
    state
        .store
        .create_user("olga", &hash, atelier::store::Role::Organiser)
        .await
        .unwrap();
    let cookie = cookie_pair(&sign_in(&server, "olga").await);
    let session = server.create_session(&["bingo"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let (phone, welcome) = Client::join(server.addr, &code, "Ada").await;
    let token = welcome["token"].as_str().unwrap().to_string();
    phone.close().await;
    let badge: Value = server
        .http()
        .post(server.url("/api/badges"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": "Victim"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let badge_id = badge["id"].as_str().unwrap().to_string();
    let achievement = state.issuer.default_achievement().await.unwrap();
    let requests = vec![
        forged("POST", "/logout", FORM, ""),
        forged(
            "POST",
            "/login",
            FORM,
            "username=olga&password=a+long+enough+password",
        ),
        forged(
            "POST",
            "/f/sessions",
            FORM,
            "title=Forged&lang=fr&activities=bingo",
        ),
        forged("POST", "/o/badges/revoke", FORM, &format!("id={badge_id}")),
        forged("POST", "/o/issuer", FORM, "name=Forged+Issuer"),
        forged(
            "POST",
            "/o/achievements",
            FORM,
            &format!("id={achievement}"),
        ),
        forged(
            "POST",
            "/o/users",
            FORM,
            "username=forged&password=a+long+enough+password",
        ),
        forged("POST", "/claim", FORM, "code=AAAAAA&name=Eve&email="),
        forged(
            "POST",
            "/signin/whatever",
            FORM,
            "username=eve&password=a+long+enough+password",
        ),
        forged("POST", "/api/sessions", JSON, r#"{"title":"Forged"}"#),
        forged("POST", "/api/sessions", TEXT, r#"{"title":"Forged"}"#),
        forged("POST", "/api/badges", TEXT, r#"{"name":"Forged"}"#),
        forged("POST", "/api/badges", JSON, r#"{"name":"Forged"}"#),
        forged("POST", &format!("/api/badges/{badge_id}/revoke"), TEXT, ""),
        forged(
            "POST",
            &format!("/api/sessions/{code}/participants/1/erase"),
            TEXT,
            "",
        ),
        forged("PUT", "/api/settings/retention", JSON, r#"{"days":1}"#),
        forged("POST", "/api/retention/run", TEXT, ""),
        forged(
            "POST",
            &format!("/api/sessions/{code}/feedback/comments"),
            JSON,
            r#"{"show":true}"#,
        ),
        forged(
            "POST",
            "/api/feedback",
            JSON,
            &json!({"token": token, "overall": 1}).to_string(),
        ),
        forged(
            "POST",
            "/api/users",
            TEXT,
            r#"{"username":"forged2","password":"a long enough password"}"#,
        ),
    ];
    let mut failures = Vec::new();
    for origin in ["https://evil.example", "null"] {
        for request in &requests {
            let method = reqwest::Method::from_bytes(request.method.as_bytes()).unwrap();
            let response = no_redirect()
                .request(method, server.url(&request.path))
                .header(ORIGIN, origin)
                .header(COOKIE, &cookie)
                .header(CONTENT_TYPE, request.content_type)
                .body(request.body.clone())
                .send()
                .await
                .unwrap();
            let status = response.status();
            // Refused outright, or (text/plain to a JSON route) not even understood.
            if !(status == StatusCode::FORBIDDEN
                || status == StatusCode::UNAUTHORIZED
                || status == StatusCode::UNSUPPORTED_MEDIA_TYPE)
            {
                failures.push(format!(
                    "{} {} ({}) from {origin}: {status}",
                    request.method, request.path, request.content_type
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Nothing changed: the badge is not revoked, the cookie still works, no account made.
    let badges: Value = server
        .http()
        .get(server.url("/api/badges"))
        .bearer_auth(ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(!badges.to_string().contains("\"revoked\":true"), "{badges}");
    assert!(state.store.user_by_name("forged").await.unwrap().is_none());
    let still = no_redirect()
        .get(server.url("/o"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(still.status(), 200, "the forged logout did nothing");
    // And a WebSocket opened by a foreign page is refused at the handshake.
    let mut request =
        tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!(
            "ws://{}/ws",
            server.addr
        ))
        .unwrap();
    request
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
}

/// A JSON request with a foreign `Origin` cannot come from a browser page without a CORS
/// preflight (which Atelier never grants), but every other JSON route refuses it anyway.
#[tokio::test]
async fn create_user_checks_the_origin_like_the_other_routes() {
    let server = TestServer::start().await;
    let response = no_redirect()
        .post(server.url("/api/users"))
        .header(ORIGIN, "https://evil.example")
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"username": "forged", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

// ---- secrets never reach the logs ----------------------------------------------------------

/// Every text form a secret could be printed in.
fn spellings(secret: &[u8]) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    vec![
        hex::encode(secret),
        hex::encode_upper(secret),
        STANDARD.encode(secret),
        STANDARD_NO_PAD.encode(secret),
        URL_SAFE_NO_PAD.encode(secret),
        bs58::encode(secret).into_string(),
        format!("{secret:?}"),
    ]
}

#[tokio::test]
async fn secrets_never_reach_the_logs() {
    let dir = tempfile::tempdir().unwrap();
    let admin = "admin-token-that-must-never-be-logged-0123456789";
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_atelier"))
        .args(["--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .env("RUST_LOG", "debug")
        .env("ATELIER_ADMIN_TOKEN", admin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the atelier binary starts");
    let log = Arc::new(Mutex::new(String::new()));
    let (addr_tx, addr_rx) = tokio::sync::oneshot::channel::<String>();
    let addr_tx = Arc::new(Mutex::new(Some(addr_tx)));
    let mut readers = Vec::new();
    for pipe in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let log = Arc::clone(&log);
        let addr_tx = Arc::clone(&addr_tx);
        readers.push(tokio::spawn(async move {
            let mut lines = BufReader::new(pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(rest) = line.split("listening on http://").nth(1)
                    && let Some(tx) = addr_tx.lock().unwrap().take()
                {
                    let _ = tx.send(rest.split_whitespace().next().unwrap().to_string());
                }
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        }));
    }
    let addr: std::net::SocketAddr = tokio::time::timeout(WAIT * 3, addr_rx)
        .await
        .expect("the server says where it listens")
        .unwrap()
        .parse()
        .unwrap();
    let url = |path: &str| format!("http://{addr}{path}");
    let http = reqwest::Client::new();

    // An account, an API login and a form login (cookie).
    let created = http
        .post(url("/api/users"))
        .bearer_auth(admin)
        .json(&json!({"username": "fanny", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let api: Value = http
        .post(url("/api/login"))
        .json(&json!({"username": "fanny", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let api_token = api["token"].as_str().unwrap().to_string();
    let login = no_redirect()
        .post(url("/login"))
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body("username=fanny&password=a+long+enough+password")
        .send()
        .await
        .unwrap();
    let cookie = login
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("atelier_session="))
        .unwrap();
    let cookie_value = cookie_pair(&cookie)["atelier_session=".len()..].to_string();
    // A wrong password too (a failed login must not print what was typed).
    let wrong_password = "wrong-password-typed-by-someone";
    let _ = http
        .post(url("/api/login"))
        .json(&json!({"username": "fanny", "password": wrong_password}))
        .send()
        .await
        .unwrap();

    // A session, a phone, a badge with an e-mail.
    let session: Value = http
        .post(url("/api/sessions"))
        .bearer_auth(&api_token)
        .json(&json!({"title": "Logs", "lang": "fr", "activities": ["bingo"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = session["code"].as_str().unwrap().to_string();
    let screen_key = session["screen_url"]
        .as_str()
        .unwrap()
        .split("?k=")
        .nth(1)
        .unwrap()
        .to_string();
    let (mut phone, welcome) = Client::join(addr, &code, "Ada Lovelace").await;
    let resume_token = welcome["token"].as_str().unwrap().to_string();
    let (mut staff, staff_welcome) = Client::staff(addr, &code, &api_token).await;
    assert_eq!(staff_welcome["type"], "welcome");
    staff
        .send(json!({"type": "phase.set", "phase": {"kind": "badges"}}))
        .await;
    staff.expect("phase.changed").await;
    staff
        .send(json!({"type": "badge.open", "mode": "automatic"}))
        .await;
    staff.expect("badge.opened").await;
    let email = "ada.secret@example.org";
    phone
        .send(json!({"type": "badge.request", "name": "Ada Lovelace", "email": email}))
        .await;
    let ready = phone.expect("badge.ready").await;
    let page = ready["links"]["page"].as_str().unwrap().to_string();
    let badge_secret = page.split("k=").nth(1).unwrap().to_string();
    // The phone resumes with its token; the owner reads their data with it.
    drop(phone);
    let (_phone, again) = Client::resume(addr, &resume_token).await;
    assert_eq!(again["type"], "welcome");
    let me = http
        .get(url("/api/me"))
        .bearer_auth(&resume_token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let _ = http.get(url(&page)).send().await;
    staff.close().await;

    // Stop the server (SIGTERM: a graceful stop, which logs too), then read everything.
    let pid = child.id().unwrap();
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = tokio::time::timeout(WAIT * 3, child.wait()).await;
    for reader in readers {
        let _ = tokio::time::timeout(WAIT, reader).await;
    }
    let log = log.lock().unwrap().clone();
    assert!(log.contains("listening on"), "the log was captured");
    assert!(
        log.lines().count() > 5,
        "debug logging was on: {} lines",
        log.lines().count()
    );

    let mut secrets: Vec<(String, String)> = vec![
        ("admin token".into(), admin.into()),
        ("API token".into(), api_token),
        ("cookie".into(), cookie_value),
        ("password".into(), PASSWORD.into()),
        (
            "password (form-encoded)".into(),
            "a+long+enough+password".into(),
        ),
        ("wrong password".into(), wrong_password.into()),
        ("resume token".into(), resume_token),
        ("badge link secret".into(), badge_secret),
        ("screen key".into(), screen_key),
        ("e-mail".into(), email.into()),
    ];
    let link_key = std::fs::read(dir.path().join("link.key")).unwrap();
    for spelling in spellings(&link_key) {
        secrets.push(("link key".into(), spelling));
    }
    let mut key_files = 0;
    for entry in std::fs::read_dir(dir.path().join("keys")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        key_files += 1;
        secrets.push(("key file".into(), text.trim().to_string()));
        if let Ok(bytes) = hex::decode(text.trim()) {
            for spelling in spellings(&bytes) {
                secrets.push(("signing key".into(), spelling));
            }
            for half in bytes.chunks(32) {
                for spelling in spellings(half) {
                    secrets.push(("signing key".into(), spelling));
                }
            }
        }
    }
    assert!(key_files > 0, "a signing key was made");
    let leaks: Vec<&String> = secrets
        .iter()
        .filter(|(_, secret)| secret.len() >= 8 && log.contains(secret.as_str()))
        .map(|(what, _)| what)
        .collect();
    assert!(leaks.is_empty(), "secrets in the log: {leaks:?}");

    // At rest: tokens, cookies and passwords are stored hashed, so none of them is in the
    // database files in clear (the screen key is, by design: the console shows it again).
    let mut stored = Vec::new();
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        if path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("atelier.db")
        {
            stored.extend(std::fs::read(&path).unwrap());
        }
    }
    assert!(!stored.is_empty(), "the database was found");
    let in_clear: Vec<&String> = secrets
        .iter()
        .filter(|(what, _)| {
            [
                "admin token",
                "API token",
                "cookie",
                "password",
                "resume token",
                "badge link secret",
            ]
            .contains(&what.as_str())
        })
        .filter(|(_, secret)| stored.windows(secret.len()).any(|w| w == secret.as_bytes()))
        .map(|(what, _)| what)
        .collect();
    assert!(in_clear.is_empty(), "secrets stored in clear: {in_clear:?}");
    // The e-mail is dropped once the badge is signed (only its salted hash is in the badge).
    let email_kept = stored.windows(email.len()).any(|w| w == email.as_bytes());
    eprintln!("e-mail still in the database files after signing: {email_kept}");
}

/// README and /privacy promise that the e-mail is forgotten once the badge is signed (only
/// its salted hash goes into the badge). The session state drops it, but the stored command
/// log keeps the `badge.request` command, e-mail included, until the retention job.
#[tokio::test]
async fn the_email_is_forgotten_once_the_badge_is_signed() {
    use sqlx::Row;
    let server = TestServer::start().await;
    let code = server.create_session(&[]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    staff
        .send(json!({"type": "badge.open", "mode": "automatic"}))
        .await;
    staff.expect("badge.opened").await;
    let (mut phone, _) = Client::join(server.addr, &code, "Ada").await;
    let email = "ada.forget.me@example.org";
    phone
        .send(json!({"type": "badge.request", "name": "Ada", "email": email}))
        .await;
    phone.expect("badge.ready").await;
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        server.dir.join("atelier.db").display()
    ))
    .await
    .unwrap();
    let mut kept = Vec::new();
    for query in [
        "SELECT record AS t FROM events",
        "SELECT state AS t FROM snapshots",
    ] {
        for row in sqlx::query(query).fetch_all(&pool).await.unwrap() {
            let text: String = row.get("t");
            if text.contains(email) {
                kept.push(query);
            }
        }
    }
    assert!(kept.is_empty(), "the e-mail is still stored: {kept:?}");
}

/// Browsers ask for `/favicon.ico` by themselves: it leads to the icon every page names.
#[tokio::test]
async fn the_favicon_is_served() {
    let server = TestServer::start().await;
    let direct = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let answer = direct.get(server.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(answer.status(), 308);
    assert_eq!(answer.headers()["location"], "/static/favicon.svg");
    let icon = server
        .http()
        .get(server.url("/favicon.ico"))
        .send()
        .await
        .unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()["content-type"], "image/svg+xml");
    assert!(icon.text().await.unwrap().starts_with("<svg"));
    let home = server.http().get(server.url("/")).send().await.unwrap();
    let home = home.text().await.unwrap();
    let href = home
        .split(r#"<link rel="icon" href=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the icon link");
    assert!(
        href.starts_with("/static/favicon.") && href.ends_with(".svg"),
        "{href}"
    );
    let icon = server.http().get(server.url(href)).send().await.unwrap();
    assert_eq!(icon.status(), 200);
}

/// Issue 19: pages name scripts and styles by content-hashed URLs served `immutable` (a warm
/// visit asks the network for none of them); modules' relative imports reach the same URLs
/// through the page's import map; the plain URL revalidates with an ETag (304 when unchanged).
#[tokio::test]
async fn assets_are_cached_by_content_hash_and_revalidated_by_etag() {
    let server = TestServer::start().await;
    let code = server.create_session(&["bingo"]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let page = server
        .http()
        .get(server.url(&format!("/j/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let script = page
        .split(r#"<script type="module" src=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the phone's module");
    assert!(
        script.starts_with("/static/phone.") && script.len() == "/static/phone.0123456789.js".len(),
        "{script}"
    );
    let map: Value = serde_json::from_str(
        page.split(r#"<script type="importmap">"#)
            .nth(1)
            .and_then(|rest| rest.split("</script>").next())
            .expect("an import map"),
    )
    .unwrap();
    assert_eq!(map["imports"]["/static/phone.js"], script);
    let fluent = map["imports"]["/static/vendor/fluent/fluent-bundle.js"]
        .as_str()
        .expect("vendored modules are mapped too");

    for hashed in [script, fluent] {
        let answer = server.http().get(server.url(hashed)).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{hashed}");
        assert_eq!(
            answer.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert!(
            answer.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
    }
    // Compressed for a browser that accepts it (the router's gzip layer).
    let zipped = server
        .http()
        .get(server.url(script))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    // A stale hash (a page from before an upgrade) gets today's file, not cached for long.
    let stale = server
        .http()
        .get(server.url("/static/phone.0000000000.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.headers()["cache-control"], "no-cache");

    let plain = server
        .http()
        .get(server.url("/static/phone.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(plain.headers()["cache-control"], "no-cache");
    let etag = plain.headers()["etag"].clone();
    let again = server
        .http()
        .get(server.url("/static/phone.js"))
        .header("if-none-match", etag.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag);
    assert!(again.bytes().await.unwrap().is_empty());
    let other = server
        .http()
        .get(server.url("/static/ws.js"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200, "another file's tag does not match");
}

/// The modules a file imports statically (`import … from "./x.js"`, `export … from`, `import
/// "./x.js"`), as paths under static/; dynamic `import()` is loaded later, on purpose.
fn static_imports(file: &str) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("static");
    let source = std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let dir = std::path::Path::new(file).parent().unwrap();
    let mut found = vec![];
    let mut statement = String::new();
    for line in source.lines() {
        let line = line.trim();
        if statement.is_empty() && !(line.starts_with("import ") || line.starts_with("export ")) {
            continue;
        }
        statement.push_str(line);
        statement.push(' ');
        if !line.ends_with(';') {
            continue;
        }
        let text = std::mem::take(&mut statement);
        let Some(spec) = text
            .rsplit_once(" from ")
            .map(|(_, s)| s)
            .or_else(|| text.strip_prefix("import "))
        else {
            continue;
        };
        let spec = spec
            .trim()
            .trim_end_matches(';')
            .trim_matches(|c| c == '"' || c == '\'');
        if let Some(relative) = spec.strip_prefix("./") {
            found.push(dir.join(relative).to_str().unwrap().to_string());
        }
    }
    found
}

/// Issue 19: the phone page preloads every module phone.js imports, however deep (no chain of
/// discoveries, a round trip each); templates/phone.modules cannot drift from the import graph.
#[tokio::test]
async fn the_phone_preloads_exactly_its_import_graph() {
    let mut graph = std::collections::BTreeSet::new();
    let mut todo = vec!["phone.js".to_string()];
    while let Some(file) = todo.pop() {
        if graph.insert(file.clone()) {
            todo.extend(static_imports(&file));
        }
    }
    assert!(
        graph.contains("vendor/fluent/fluent-bundle.js"),
        "{graph:?}"
    );

    let server = TestServer::start().await;
    let code = server.create_session(&["bingo"]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let page = server
        .http()
        .get(server.url(&format!("/j/{code}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let map: Value = serde_json::from_str(
        page.split(r#"<script type="importmap">"#)
            .nth(1)
            .and_then(|rest| rest.split("</script>").next())
            .unwrap(),
    )
    .unwrap();
    let unhashed: std::collections::HashMap<&str, &str> = map["imports"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(plain, hashed)| (hashed.as_str().unwrap(), &plain["/static/".len()..]))
        .collect();
    let preloaded: std::collections::BTreeSet<String> = page
        .split(r#"<link rel="modulepreload" href=""#)
        .skip(1)
        .map(|rest| {
            let href = rest.split('"').next().unwrap();
            unhashed
                .get(href)
                .unwrap_or_else(|| panic!("{href} is not a hashed module URL"))
                .to_string()
        })
        .collect();
    assert_eq!(
        preloaded, graph,
        "templates/phone.modules must list phone.js's static import graph"
    );
    assert!(page.contains(r#"<link rel="preload" href="/i18n/fr.ftl" as="fetch" crossorigin>"#));
}
