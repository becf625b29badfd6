//! A newcomer's first ten minutes, played with the real `atelier` binary: the command line
//! takes its flags anywhere, refuses what it cannot do before signing or storing anything,
//! makes the first organiser whichever way the server was started, writes plain logs into a
//! pipe; the API answers every error in one JSON envelope; the test tooling needs no
//! privilege once installed and leaves the working tree alone.
//! (README's own first command is run by CI: `.ci/run` → `scripts/check-serve`.)

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use common::{ADMIN_TOKEN, TestServer};
use serde_json::{Value, json};

const ATELIER: &str = env!("CARGO_BIN_EXE_atelier");
const PASSWORD: &str = "Tulipe-Moulin-Escalier-42";

fn atelier(args: &[&str]) -> Command {
    let mut command = Command::new(ATELIER);
    command
        .args(args)
        .env_remove("ATELIER_DATA_DIR")
        .env_remove("ATELIER_PUBLIC_URL")
        .env_remove("ATELIER_ADDR")
        .env_remove("ATELIER_ADMIN_TOKEN")
        .env_remove("NO_COLOR");
    command
}

fn run(args: &[&str]) -> Output {
    atelier(args)
        .stdin(Stdio::null())
        .output()
        .expect("atelier runs")
}

fn run_with_stdin(args: &[&str], input: &str) -> Output {
    let mut child = atelier(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("atelier runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The `atelier` server as a person starts it: a child process whose stdout is read until it
/// says where it listens.
struct Served {
    child: Child,
    addr: String,
    stdout: BufReader<std::process::ChildStdout>,
    said: String,
}

impl Served {
    fn start(args: &[&str]) -> Served {
        let mut child = atelier(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("atelier serve runs");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut said = String::new();
        let addr = loop {
            let mut line = String::new();
            // The server prints this line once it listens; EOF means it exited.
            if stdout.read_line(&mut line).unwrap() == 0 {
                let mut err = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!("the server exited before listening: {said}{err}");
            }
            said.push_str(&line);
            if let Some(rest) = line.strip_prefix("Atelier is listening on http://") {
                break rest.split_whitespace().next().unwrap().to_string();
            }
        };
        Served {
            child,
            addr,
            stdout,
            said,
        }
    }

    async fn healthz(&self) -> String {
        reqwest::get(format!("http://{}/healthz", self.addr))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// SIGTERM, as a person's Ctrl-C or a service manager does; returns (stdout, stderr).
    fn stop(mut self) -> (String, String) {
        let term = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(term.success());
        self.stdout.read_to_string(&mut self.said).unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}: {err}");
        (self.said, err)
    }
}

async fn badge_count(dir: &Path) -> i64 {
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}?mode=ro",
        dir.join("atelier.db").display()
    ))
    .await
    .unwrap();
    let count = sqlx::query_scalar("SELECT COUNT(*) FROM badges")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    count
}

#[tokio::test]
async fn the_server_takes_its_flags_before_or_after_serve_and_says_how_to_make_the_organiser() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");

    // With an admin token and no organiser yet: the link and the shell command are both
    // offered (an admin token can create facilitators, never the first organiser).
    let served = Served::start(&[
        "--data-dir",
        path(&data),
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--admin-token",
        ADMIN_TOKEN,
    ]);
    assert_eq!(served.healthz().await, "ok");
    let (said, logs) = served.stop();
    assert!(said.contains("one-time link"), "{said}");
    assert!(said.contains("/signin/"), "{said}");
    assert!(
        said.contains("user add --role organiser NAME --data-dir"),
        "{said}"
    );
    assert!(said.contains("Stopping"), "{said}");
    // Logs into a pipe carry no colour codes.
    assert!(!logs.is_empty(), "the server logs its migrations");
    assert!(
        !logs.contains('\u{1b}'),
        "colour codes in piped logs: {logs:?}"
    );
    assert!(
        !logs.contains(ADMIN_TOKEN) && !said.contains(ADMIN_TOKEN),
        "the admin token is never printed"
    );

    // The first organiser, from a shell; the flags after the subcommand this time.
    let added = run_with_stdin(
        &[
            "user",
            "add",
            "--role",
            "organiser",
            "alice",
            "--data-dir",
            path(&data),
        ],
        &format!("{PASSWORD}\n"),
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("organiser account alice created"));

    // Flags before, no subcommand, and the organiser exists: no sign-in link any more.
    let served = Served::start(&["--addr", "127.0.0.1:0", "--data-dir", path(&data)]);
    let base = format!("http://{}", served.addr);
    let login: Value = reqwest::Client::new()
        .post(format!("{base}/api/login"))
        .json(&json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["token"].as_str().expect("alice signs in").to_string();
    // Only an organiser may create accounts: alice is one.
    let created = reqwest::Client::new()
        .post(format!("{base}/api/users"))
        .bearer_auth(&token)
        .json(&json!({"username": "fred", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let (said, _) = served.stop();
    assert!(!said.contains("one-time link"), "{said}");
}

#[test]
fn user_add_refuses_a_missing_data_dir_a_weak_password_and_a_taken_name() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let refused = run_with_stdin(
        &["--data-dir", path(&data), "user", "add", "bob"],
        &format!("{PASSWORD}\n"),
    );
    assert!(!refused.status.success());
    assert!(
        text(&refused.stderr).contains("--create"),
        "{}",
        text(&refused.stderr)
    );
    assert!(!data.exists(), "nothing is created without --create");

    let weak = run_with_stdin(
        &["--data-dir", path(&data), "user", "add", "bob", "--create"],
        "short\n",
    );
    assert!(!weak.status.success());
    assert!(
        text(&weak.stderr).contains("at least"),
        "{}",
        text(&weak.stderr)
    );

    let made = run_with_stdin(
        &["--data-dir", path(&data), "user", "add", "bob", "--create"],
        &format!("{PASSWORD}\n"),
    );
    assert!(made.status.success(), "{}", text(&made.stderr));
    assert!(text(&made.stdout).contains("facilitator account bob created"));
    let again = run_with_stdin(
        &["user", "add", "bob", "--data-dir", path(&data)],
        &format!("{PASSWORD}\n"),
    );
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("taken"),
        "{}",
        text(&again.stderr)
    );
}

#[tokio::test]
async fn issue_checks_everything_before_it_signs_and_flags_go_anywhere() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let out = |name: &str| -> PathBuf { temp.path().join(name) };

    // A mistyped data directory is not silently a new database with a new signing key.
    let refused = run(&[
        "issue",
        "--name",
        "Ada",
        "--out",
        path(&out("ada.png")),
        "--data-dir",
        path(&data),
    ]);
    assert!(!refused.status.success());
    let message = text(&refused.stderr);
    assert!(
        message.contains("not an Atelier data directory"),
        "{message}"
    );
    assert!(message.contains("--create"), "{message}");
    assert!(!data.exists());
    assert!(!out("ada.png").exists());
    // A bad output name is refused before the data directory is even created.
    let refused = run(&[
        "--data-dir",
        path(&data),
        "issue",
        "--create",
        "--name",
        "Ada",
        "--out",
        path(&out("ada.txt")),
    ]);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains(".png, .svg or .json"));
    assert!(!data.exists());

    let issued = run(&[
        "--data-dir",
        path(&data),
        "issue",
        "--create",
        "--name",
        "Ada",
        "--out",
        path(&out("ada.png")),
    ]);
    assert!(issued.status.success(), "{}", text(&issued.stderr));
    assert!(text(&issued.stdout).starts_with("urn:uuid:"));
    assert_eq!(badge_count(&data).await, 1);
    let first_png = std::fs::read(out("ada.png")).unwrap();

    // An output that cannot be written, or a file that exists: refused, nothing signed.
    for bad in [out("no/such/dir/ada.png"), out("ada.png")] {
        let refused = run(&[
            "issue",
            "--name",
            "Ada",
            "--out",
            path(&bad),
            "--data-dir",
            path(&data),
        ]);
        assert!(!refused.status.success(), "{}", bad.display());
        assert!(
            text(&refused.stderr).contains("cannot create"),
            "{}",
            text(&refused.stderr)
        );
        assert_eq!(badge_count(&data).await, 1, "{}", bad.display());
    }
    assert_eq!(std::fs::read(out("ada.png")).unwrap(), first_png);

    // verify: --data-dir and --public-url before or after the subcommand, same verdict.
    let before = run(&["--data-dir", path(&data), "verify", path(&out("ada.png"))]);
    let after = run(&["verify", path(&out("ada.png")), "--data-dir", path(&data)]);
    assert!(before.status.success(), "{}", text(&before.stdout));
    assert_eq!(text(&before.stdout), text(&after.stdout));
    let with_url = run(&[
        "verify",
        path(&out("ada.png")),
        "--data-dir",
        path(&data),
        "--public-url",
        "http://127.0.0.1:9",
    ]);
    assert!(with_url.status.success(), "{}", text(&with_url.stdout));
    // revoke and rotate-key need an existing data directory too.
    let nowhere = temp.path().join("nowhere");
    for args in [
        vec!["revoke", "urn:uuid:0", "--data-dir", path(&nowhere)],
        vec!["rotate-key", "--data-dir", path(&nowhere)],
    ] {
        let refused = run(&args);
        assert!(!refused.status.success(), "{args:?}");
        assert!(!nowhere.exists(), "{args:?}");
    }
}

/// Every error of the JSON API is the envelope `{"error": {"code", "message"}}`, including
/// those axum's extractors and router answer by themselves.
#[tokio::test]
async fn every_api_error_is_the_json_envelope() {
    let server = TestServer::start().await;
    let http = server.http();
    let organiser = |request: reqwest::RequestBuilder| request.bearer_auth(ADMIN_TOKEN);
    let cases: Vec<(&str, reqwest::RequestBuilder, u16, &str)> = vec![
        (
            "a body without the password",
            organiser(http.post(server.url("/api/users"))).json(&json!({"username": "x"})),
            422,
            "invalid_body",
        ),
        (
            "a body that is not JSON",
            organiser(http.post(server.url("/api/users")))
                .header("content-type", "application/json")
                .body("{not json"),
            400,
            "bad_json",
        ),
        (
            "a body without a JSON content type",
            organiser(http.post(server.url("/api/users"))).body("{}"),
            415,
            "unsupported_media_type",
        ),
        (
            "an unknown bingo mode",
            organiser(http.post(server.url("/api/sessions")))
                .json(&json!({"title": "T", "bingo_mode": "bogus"})),
            422,
            "invalid_body",
        ),
        (
            "a participant number that is not one",
            organiser(http.post(server.url("/api/sessions/ABCDEF/participants/x/erase"))),
            400,
            "bad_request",
        ),
        (
            "a wrong method",
            organiser(http.delete(server.url("/api/users"))),
            405,
            "method_not_allowed",
        ),
        (
            "an unknown route",
            organiser(http.get(server.url("/api/nothing-here"))),
            404,
            "not_found",
        ),
        (
            "no token",
            http.post(server.url("/api/users"))
                .json(&json!({"username": "x", "password": PASSWORD})),
            401,
            "unauthorized",
        ),
        (
            "a body over the size limit",
            organiser(http.post(server.url("/api/users")))
                .header("content-type", "application/json")
                .body(vec![b' '; 3 << 20]),
            413,
            "too_large",
        ),
    ];
    for (what, request, status, code) in cases {
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), status, "{what}");
        if status == 405 {
            // The envelope keeps what the original said beside its body.
            assert!(response.headers().contains_key("allow"), "{what}");
        }
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            content_type.starts_with("application/json"),
            "{what}: {content_type}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{what}: {body}");
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{what}: {body}");
    }
    // Pages outside /api keep their own answers.
    let page = http.get(server.url("/no-such-page")).send().await.unwrap();
    assert_eq!(page.status(), 404);
}

/// With everything installed, the test tooling runs as an ordinary user without asking for
/// any privilege: a `sudo` on the PATH that records its calls must never be called (when this
/// runs as root, `id -u` is made to answer an ordinary user's number).
#[test]
fn the_test_installer_needs_no_privilege_once_everything_is_there() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fake = tempfile::tempdir().unwrap();
    let calls = fake.path().join("sudo-calls");
    let write = |name: &str, body: &str| {
        let file = fake.path().join(name);
        std::fs::write(&file, body).unwrap();
        Command::new("chmod").arg("+x").arg(&file).status().unwrap();
    };
    write(
        "sudo",
        &format!("#!/bin/sh\necho \"$@\" >> {}\nexit 1\n", calls.display()),
    );
    write(
        "id",
        "#!/bin/sh\nif [ \"$1\" = -u ]; then echo 1000; else /usr/bin/id \"$@\"; fi\n",
    );
    let path = format!(
        "{}:{}",
        fake.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg(root.join("scripts/install-test-deps"))
        .env("PATH", path)
        .output()
        .unwrap();
    let called = std::fs::read_to_string(&calls).unwrap_or_default();
    assert!(
        called.is_empty(),
        "sudo was asked for: {called}\n{}",
        text(&output.stderr)
    );
    assert!(
        output.status.success(),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    assert_eq!(text(&output.stdout), "", "nothing to install, nothing said");
}

/// Screenshots of the browser tests go under target/ unless asked for on purpose, so that a
/// test run leaves the tracked docs/screenshots/ as they are (`scripts/test` also fails if a
/// run changed anything git sees).
#[test]
fn screenshots_go_under_target_by_default() {
    let dir = common::browser::screenshot_dir();
    if std::env::var_os("ATELIER_SCREENSHOTS_DIR").is_none() {
        assert!(
            dir.starts_with(env!("CARGO_TARGET_TMPDIR")),
            "{}",
            dir.display()
        );
    }
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(readme.contains("bash scripts/screenshots"));
}

/// A service manager (or a person's Ctrl-C) may stop the server the moment it says it
/// listens: it stops gracefully, never killed by the signal's default action (that raced with
/// the handler's installation once in a while).
#[test]
fn a_sigterm_right_after_start_is_a_graceful_stop() {
    let temp = tempfile::tempdir().unwrap();
    for _ in 0..10 {
        let served = Served::start(&[
            "--data-dir",
            path(&temp.path().join("data")),
            "--addr",
            "127.0.0.1:0",
        ]);
        let (said, _) = served.stop();
        assert!(said.contains("Stopping"), "{said}");
    }
}

/// `atelier verify` answers with its verdict in its exit code (README): 0 valid, 1 not valid,
/// 2 not fully checked here, 3 an unreadable file.
#[test]
fn verify_exit_codes_say_the_verdict() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let badge = temp.path().join("ada.json");
    let issued = run(&[
        "issue",
        "--create",
        "--name",
        "Ada",
        "--out",
        path(&badge),
        "--data-dir",
        path(&data),
    ]);
    assert!(issued.status.success(), "{}", text(&issued.stderr));
    let code = |args: &[&str]| run(args).status.code();
    assert_eq!(code(&["verify", path(&badge)]), Some(0));
    let mut changed: Value = serde_json::from_slice(&std::fs::read(&badge).unwrap()).unwrap();
    changed["credentialSubject"]["achievement"]["name"] = json!("Autre chose");
    let tampered = temp.path().join("tampered.json");
    std::fs::write(&tampered, changed.to_string()).unwrap();
    assert_eq!(code(&["verify", path(&tampered)]), Some(1));
    let vector =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ob3/1edtech-ob-testvector.json");
    let incomplete = run(&["verify", path(&vector)]);
    assert_eq!(incomplete.status.code(), Some(2));
    assert!(text(&incomplete.stdout).starts_with("NOT FULLY CHECKED"));
    assert_eq!(
        code(&["verify", path(&temp.path().join("missing.png"))]),
        Some(3)
    );
}
