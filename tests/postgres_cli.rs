//! The `atelier` command on PostgreSQL (`--database-url`, or its environment twin): every
//! command works on the database, the data directory still holds the keys, and the URL's
//! password is never shown, whether the URL is refused or used (logs at debug level included).

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};

use common::process::Spawned;

const PASSWORD: &str = "Pg-Secr3t-never-shown";

/// The test database's URL with a password in it (the test cluster trusts loopback
/// connections, so PostgreSQL never asks for it: what matters is that Atelier never shows it).
fn with_password(url: &str) -> String {
    url.replacen(
        "postgres://postgres@",
        &format!("postgres://postgres:{PASSWORD}@"),
        1,
    )
}

fn atelier(data: &std::path::Path, url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_atelier"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("ATELIER_DATABASE_URL", url)
        .env("RUST_LOG", "debug")
        .env_remove("ATELIER_PUBLIC_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("atelier runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[tokio::test]
async fn the_command_line_works_on_postgresql_and_never_shows_the_password() {
    if let Some(reason) = common::pg::skip_reason() {
        common::skipped(&reason);
        return;
    }
    let url = with_password(&common::pg::fresh_database().await);
    assert!(url.contains(PASSWORD), "{url}");
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let data_arg = data.to_str().unwrap();
    let mut shown = String::new();

    // A refused URL is not repeated either (clap would quote a refused value).
    let refused = Command::new(env!("CARGO_BIN_EXE_atelier"))
        .args(["--data-dir", data_arg, "--database-url"])
        .arg(format!(
            "postgres://postgres:{PASSWORD}@127.0.0.1:notaport/db"
        ))
        .args(["user", "add", "ada"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        text(&refused).contains("--database-url"),
        "{}",
        text(&refused)
    );
    shown.push_str(&text(&refused));

    // A mistyped data directory is refused, as on SQLite; --create starts one.
    let mistyped = atelier(&data, &url, &["user", "add", "ada"], Some("x\n"));
    assert!(!mistyped.status.success());
    assert!(text(&mistyped).contains("--create"), "{}", text(&mistyped));
    shown.push_str(&text(&mistyped));
    let added = atelier(
        &data,
        &url,
        &["user", "add", "--role", "organiser", "ada", "--create"],
        Some("correct horse battery staple 42\n"),
    );
    assert!(added.status.success(), "{}", text(&added));
    shown.push_str(&text(&added));
    let taken = atelier(
        &data,
        &url,
        &["user", "add", "ADA"],
        Some("another long password 42\n"),
    );
    assert!(
        !taken.status.success(),
        "usernames ignore case on both stores"
    );
    shown.push_str(&text(&taken));

    let badge = root.path().join("grace.json");
    let issued = atelier(
        &data,
        &url,
        &[
            "issue",
            "--name",
            "Grace Hopper",
            "--out",
            badge.to_str().unwrap(),
        ],
        None,
    );
    assert!(issued.status.success(), "{}", text(&issued));
    shown.push_str(&text(&issued));
    let id = String::from_utf8_lossy(&issued.stdout).trim().to_string();
    assert!(id.starts_with("urn:uuid:"), "{id}");
    let verified = atelier(&data, &url, &["verify", badge.to_str().unwrap()], None);
    assert_eq!(verified.status.code(), Some(0), "{}", text(&verified));
    shown.push_str(&text(&verified));
    let revoked = atelier(&data, &url, &["revoke", &id], None);
    assert!(revoked.status.success(), "{}", text(&revoked));
    shown.push_str(&text(&revoked));
    // This installation's register on PostgreSQL knows it is revoked.
    let verified = atelier(&data, &url, &["verify", badge.to_str().unwrap()], None);
    assert_eq!(verified.status.code(), Some(1), "{}", text(&verified));
    shown.push_str(&text(&verified));

    // The server on the same database: the organiser made from the shell signs in.
    let server = Spawned::start(&data, &["env", "RUST_LOG=debug"], &["--database-url", &url]).await;
    let login = reqwest::Client::new()
        .post(format!("http://{}/api/login", server.addr))
        .json(
            &serde_json::json!({"username": "ada", "password": "correct horse battery staple 42"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let badges: serde_json::Value = reqwest::Client::new()
        .get(format!("http://{}/api/badges", server.addr))
        .bearer_auth(common::ADMIN_TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(badges.to_string().contains(&id), "{badges}");
    let log = server.log();
    assert!(log.contains("using PostgreSQL"), "{log}");
    shown.push_str(&log);

    assert!(
        !shown.contains(PASSWORD),
        "the database password was shown:\n{shown}"
    );
}
