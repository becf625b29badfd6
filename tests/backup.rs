//! `atelier backup FILE` while the server runs, and a restore from that file.

mod common;

use std::process::Command;

use common::{ADMIN_TOKEN, Client, TestServer};
use serde_json::json;

#[tokio::test]
async fn an_online_backup_restores_every_session() {
    let server = TestServer::start().await;
    let code = server.create_session(&["bingo"]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let (_ada, ada) = Client::join(server.addr, &code, "Ada").await;
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff.send(json!({"type": "phase.next"})).await;
    let changed = staff.expect("phase.changed").await;

    // The backup runs from another process while the server serves (and keeps serving).
    let backup_dir = tempfile::tempdir().unwrap();
    let file = backup_dir.path().join("atelier-backup.db");
    let out = Command::new(env!("CARGO_BIN_EXE_atelier"))
        .arg("--data-dir")
        .arg(&server.dir)
        .arg("backup")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_bob, bob) = Client::join(server.addr, &code, "Bob").await;
    assert_eq!(bob["type"], "welcome", "the server kept serving");
    // Names, comments and tokens are in these files: only their owner may read them.
    assert_eq!(mode(&file), 0o600, "the backup");
    for name in ["atelier.db", "atelier.db-wal", "atelier.db-shm"] {
        assert_eq!(mode(&server.dir.join(name)), 0o600, "{name}");
    }
    let again = Command::new(env!("CARGO_BIN_EXE_atelier"))
        .arg("--data-dir")
        .arg(&server.dir)
        .arg("backup")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        !again.status.success(),
        "an existing file is never overwritten"
    );

    // Restore (README): a new data directory with the backup as its database, plus the keys.
    let restored = tempfile::tempdir().unwrap();
    std::fs::copy(&file, restored.path().join("atelier.db")).unwrap();
    copy_dir(&server.dir.join("keys"), &restored.path().join("keys"));
    std::fs::copy(
        server.dir.join("link.key"),
        restored.path().join("link.key"),
    )
    .unwrap();
    let second = TestServer::start_in(restored.path()).await;
    let (_phone, resumed) = Client::resume(second.addr, ada["token"].as_str().unwrap()).await;
    assert_eq!(resumed["you"]["name"], "Ada");
    assert_eq!(resumed["session"]["phase"], changed["phase"]);
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// A data directory made by the server is its owner's alone; a database left readable by an
/// older version is made private when the server opens it.
#[tokio::test]
async fn the_data_directory_and_database_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("fresh");
    let server = TestServer::start_in(&dir).await;
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&dir.join("atelier.db")), 0o600);
    drop(server);
    let old = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(old.path()).await;
    if let Some(running) = { server }.running.take() {
        running.shutdown().await;
    }
    for name in ["atelier.db", "atelier.db-wal", "atelier.db-shm"] {
        let path = old.path().join(name);
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let _again = TestServer::start_in(old.path()).await;
    for name in ["atelier.db", "atelier.db-wal", "atelier.db-shm"] {
        assert_eq!(
            mode(&old.path().join(name)),
            0o600,
            "{name} after a restart"
        );
    }
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// On PostgreSQL the database's own tools back up and restore (docs/deploy.md): `pg_dump`
/// while the server serves, `pg_restore` into a new database, and a server started on it
/// with the same data directory (its keys) resumes every phone and creates new sessions.
#[tokio::test]
async fn a_pg_dump_restores_every_session_on_postgresql() {
    common::Backend::Postgres
        .run(async {
            let server = TestServer::start().await;
            let code = server.create_session(&["bingo"]).await["code"]
                .as_str()
                .unwrap()
                .to_string();
            let (_ada, ada) = Client::join(server.addr, &code, "Ada").await;
            let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
            staff.send(json!({"type": "phase.next"})).await;
            let changed = staff.expect("phase.changed").await;

            let backup_dir = tempfile::tempdir().unwrap();
            let file = backup_dir.path().join("atelier.dump");
            let url = server.database.clone().expect("a PostgreSQL server");
            let dump = Command::new(common::pg::program("pg_dump"))
                .args(["--format=custom", "--file"])
                .arg(&file)
                .arg(&url)
                .output()
                .unwrap();
            assert!(
                dump.status.success(),
                "{}",
                String::from_utf8_lossy(&dump.stderr)
            );
            let (_bob, bob) = Client::join(server.addr, &code, "Bob").await;
            assert_eq!(bob["type"], "welcome", "the server kept serving");
            // `atelier backup` is SQLite's: on PostgreSQL it says what to use instead.
            let refused = Command::new(env!("CARGO_BIN_EXE_atelier"))
                .arg("--data-dir")
                .arg(&server.dir)
                .env("ATELIER_DATABASE_URL", &url)
                .arg("backup")
                .arg(backup_dir.path().join("other.db"))
                .output()
                .unwrap();
            assert!(!refused.status.success());
            assert!(
                String::from_utf8_lossy(&refused.stderr).contains("pg_dump"),
                "{}",
                String::from_utf8_lossy(&refused.stderr)
            );

            let restored_url = common::pg::fresh_database().await;
            let restore = Command::new(common::pg::program("pg_restore"))
                .args(["--no-owner", "--exit-on-error", "--dbname"])
                .arg(&restored_url)
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                restore.status.success(),
                "{}",
                String::from_utf8_lossy(&restore.stderr)
            );
            let second = TestServer::start_on(&server.dir, Some(restored_url)).await;
            let (_phone, resumed) =
                Client::resume(second.addr, ada["token"].as_str().unwrap()).await;
            assert_eq!(resumed["you"]["name"], "Ada");
            assert_eq!(resumed["session"]["phase"], changed["phase"]);
            // Bob joined after the dump: not in the restored database.
            let (_bob, unknown) = Client::resume(second.addr, bob["token"].as_str().unwrap()).await;
            assert_eq!(unknown["code"], "unknown_token");
            // The identity columns' sequences came back too: new rows get new ids.
            let another = second.create_session(&["bingo"]).await;
            assert!(another["code"].is_string(), "{another}");
        })
        .await
}
