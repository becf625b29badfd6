//! Storage faults: a full disk, a database another process keeps locked, a read-only data
//! directory. New actions are refused with `storage_unavailable` and change nothing; what was
//! stored before stays intact (`PRAGMA integrity_check`) and everything works again once the
//! fault is gone.
//!
//! The full-disk and read-only cases mount a small tmpfs, which needs root (as in CI); without
//! it they say so and return.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use atelier::config::ServeConfig;
use atelier::room::RoomSettings;
use atelier::server;
use common::{ADMIN_TOKEN, Client, TestServer};
use serde_json::{Value, json};
use sqlx::{Connection, SqliteConnection};

/// A small tmpfs, unmounted when dropped.
struct Tmpfs {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but a tmpfs cannot be mounted here: the full-disk cases must run in CI"
            );
            common::skipped("cannot mount a tmpfs here (not root?): full-disk cases not run");
            return None;
        }
        Some(Tmpfs { _dir: dir, path })
    }

    fn remount(&self, mode: &str) {
        let status = Command::new("mount")
            .args(["-o", &format!("remount,{mode}")])
            .arg(&self.path)
            .status()
            .unwrap();
        assert!(status.success(), "remount {mode}");
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Fills the file system holding `dir` until it has no space left.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).unwrap();
    let chunk = vec![0u8; 64 * 1024];
    loop {
        if let Err(e) = file.write_all(&chunk).and_then(|_| file.sync_all()) {
            assert_eq!(e.raw_os_error(), Some(28), "ENOSPC expected: {e}");
            break;
        }
    }
    // Also the last partial blocks.
    while file.write_all(&[0u8; 512]).is_ok() && file.sync_all().is_ok() {}
    path
}

async fn integrity(dir: &Path) {
    let url = format!("sqlite://{}?mode=ro", dir.join("atelier.db").display());
    let mut db = SqliteConnection::connect(&url).await.unwrap();
    let (verdict,): (String,) = sqlx::query_as("PRAGMA integrity_check")
        .fetch_one(&mut db)
        .await
        .unwrap();
    assert_eq!(verdict, "ok", "the database is corrupt");
    db.close().await.unwrap();
}

fn code_of(session: &Value) -> String {
    session["code"].as_str().unwrap().to_string()
}

/// A join answered with a welcome (`Ok(token)`) or an error (`Err(code)`).
async fn try_join(server: &TestServer, code: &str, name: &str) -> (Client, Result<String, String>) {
    let mut phone = Client::connect(server.addr).await;
    phone
        .send(json!({"type": "join", "code": code, "name": name}))
        .await;
    let answer = phone.next().await;
    let result = match answer["type"].as_str() {
        Some("welcome") => Ok(answer["token"].as_str().unwrap().to_string()),
        _ => Err(answer["code"].as_str().unwrap_or_default().to_string()),
    };
    (phone, result)
}

fn names(welcome: &Value) -> Vec<String> {
    welcome["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_full_disk_refuses_new_actions_and_keeps_what_is_stored() {
    let Some(fs) = Tmpfs::mount("24m") else {
        return;
    };
    let data = fs.path.join("data");
    let mut server = TestServer::start_in(&data).await;
    let code = code_of(&server.create_session(&["bingo"]).await);
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    let mut tokens = Vec::new();
    let mut phones = Vec::new();
    for i in 0..3 {
        let (phone, joined) = try_join(&server, &code, &format!("Before {i}")).await;
        tokens.push((
            format!("Before {i}"),
            joined.expect("joins before the fault"),
        ));
        phones.push(phone);
    }

    // The disk fills up. Joins go on until one cannot be stored: it is refused with a clear
    // error. (The first ones may still fit in space SQLite already holds.)
    let filler = fill(&fs.path);
    let mut refused = None;
    for i in 0..200 {
        let name = format!("During {i} {}", "x".repeat(20));
        let (phone, joined) = try_join(&server, &code, &name).await;
        match joined {
            Ok(token) => {
                tokens.push((name, token));
                phones.push(phone);
            }
            Err(error) => {
                assert_eq!(error, "storage_unavailable");
                refused = Some(name);
                break;
            }
        }
    }
    let refused = refused.expect("a join is refused once the disk is full");
    println!(
        "disk full: {} join(s) still fitted, then refused",
        tokens.len() - 3
    );
    let (_, before) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff.send(json!({"type": "phase.next"})).await;
    let error = staff.expect("error").await;
    assert_eq!(error["code"], "storage_unavailable", "{error}");
    assert!(error["message"].as_str().unwrap().contains("try again"));

    // Nothing changed: same phase, same participants, the refused join is not there.
    let (_, during) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    assert_eq!(during["session"]["phase"]["kind"], "lobby");
    assert_eq!(during["seq"], before["seq"]);
    assert_eq!(names(&during), names(&before));
    assert!(!names(&during).contains(&refused));
    assert_eq!(
        names(&during),
        tokens.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>()
    );

    // Space again: everything works, the refused phone can join.
    std::fs::remove_file(filler).unwrap();
    staff.send(json!({"type": "phase.next"})).await;
    assert_eq!(
        staff.expect("phase.changed").await["activity"],
        "bingo",
        "the facilitator goes on"
    );
    let (_, joined) = try_join(&server, &code, &refused).await;
    tokens.push((refused, joined.expect("joins after the fault")));
    // Several more joins: the writer's connection, closed after the fault, must be sound again.
    for i in 0..6 {
        let name = format!("After {i}");
        let (_, joined) = try_join(&server, &code, &name).await;
        tokens.push((name, joined.expect("every join after the fault")));
    }

    // After a restart every phone that was welcomed resumes; the store is intact.
    drop(phones);
    server.restart().await;
    for (name, token) in &tokens {
        let (_, welcome) = Client::resume(server.addr, token).await;
        assert_eq!(welcome["you"]["name"], name.as_str(), "{welcome}");
        assert_eq!(welcome["session"]["activity"], "bingo");
    }
    let dir = server.dir.clone();
    if let Some(running) = server.running.take() {
        running.shutdown().await;
    }
    integrity(&dir).await;
}

#[tokio::test]
async fn a_locked_database_refuses_actions_and_recovers() {
    let server = TestServer::start().await;
    let code = code_of(&server.create_session(&["bingo"]).await);
    let (mut staff, before) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    let (mut ada, _) = Client::join(server.addr, &code, "Ada").await;
    staff.expect("participant.joined").await;

    // Another process holds the write lock past the store's busy timeout (5 s).
    let url = format!("sqlite://{}", server.dir.join("atelier.db").display());
    let mut other = SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut other)
        .await
        .unwrap();
    staff.send(json!({"type": "phase.next"})).await;
    let error = tokio::time::timeout(Duration::from_secs(30), staff.expect("error"))
        .await
        .expect("an answer after the busy timeout");
    assert_eq!(error["code"], "storage_unavailable");
    // Reading still works meanwhile, and shows nothing changed.
    let (_, during) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    assert_eq!(during["session"]["phase"]["kind"], "lobby");
    assert_eq!(
        during["seq"].as_u64(),
        before["seq"].as_u64().map(|s| s + 1)
    );
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    other.close().await.unwrap();

    staff.send(json!({"type": "phase.next"})).await;
    let changed = staff.expect("phase.changed").await;
    assert_eq!(ada.expect("phase.changed").await["seq"], changed["seq"]);
    integrity(&server.dir).await;
}

#[tokio::test]
async fn a_read_only_data_directory_is_refused_and_left_intact() {
    let Some(fs) = Tmpfs::mount("24m") else {
        return;
    };
    let data = fs.path.join("data");
    let mut server = TestServer::start_in(&data).await;
    let code = code_of(&server.create_session(&["bingo"]).await);
    let (_, ada) = Client::join(server.addr, &code, "Ada").await;
    let token = ada["token"].as_str().unwrap().to_string();
    if let Some(running) = server.running.take() {
        running.shutdown().await;
    }

    fs.remount("ro");
    let mut config = ServeConfig::for_data_dir(data.clone(), "127.0.0.1:0".parse().unwrap());
    config.admin_token = Some(ADMIN_TOKEN.into());
    match server::start(config, RoomSettings::default()).await {
        Err(e) => {
            // Refused at start, with a message naming the problem.
            let message = e.to_string();
            println!("read-only data directory: {message}");
            assert!(
                message.contains("database") || message.contains("read"),
                "{message}"
            );
        }
        Ok(running) => {
            // Or served read-only: phones resume, changes are refused.
            let addr = running.addr;
            let (_, again) = Client::resume(addr, &token).await;
            assert_eq!(again["you"]["name"], "Ada", "{again}");
            let mut bob = Client::connect(addr).await;
            bob.send(json!({"type": "join", "code": code, "name": "Bob"}))
                .await;
            assert_eq!(bob.next().await["code"], "storage_unavailable");
            running.shutdown().await;
        }
    }

    fs.remount("rw");
    integrity(&data).await;
    let server = TestServer::start_in(&data).await;
    let (_, again) = Client::resume(server.addr, &token).await;
    assert_eq!(again["you"]["name"], "Ada");
}
