//! The real `atelier` binary as a child process: for what only a whole process shows (its
//! memory, its open files, its limits), unlike the in-process `TestServer`.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::ADMIN_TOKEN;

pub struct Spawned {
    pub child: Child,
    pub addr: SocketAddr,
    log: Arc<Mutex<String>>,
}

impl Spawned {
    /// `atelier serve` on a free loopback port and `data`, with the test admin token and
    /// `extra` flags; `wrapper` runs it under another command (`prlimit …`) when not empty.
    pub async fn start(data: &Path, wrapper: &[&str], extra: &[&str]) -> Spawned {
        let binary = env!("CARGO_BIN_EXE_atelier");
        let mut command = match wrapper.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        command
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--admin-token",
                ADMIN_TOKEN,
            ])
            .arg("--data-dir")
            .arg(data)
            .args(extra)
            .env_remove("ATELIER_PUBLIC_URL")
            .env_remove("ATELIER_DATABASE_URL")
            .env_remove("ATELIER_TRUSTED_PROXIES")
            .env_remove("ATELIER_ALLOW_HOSTS")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let mut child = command.spawn().expect("the server starts");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let addr = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some(line) = lines.next_line().await.expect("server stdout") {
                if let Some(rest) = line.strip_prefix("Atelier is listening on http://") {
                    return rest
                        .split_whitespace()
                        .next()
                        .unwrap()
                        .parse::<SocketAddr>()
                        .unwrap();
                }
            }
            panic!("the server exited before listening")
        })
        .await
        .expect("the server prints its address in time");
        // Keep draining both pipes so that the server never blocks on them.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        let log = Arc::new(Mutex::new(String::new()));
        let mut errors = BufReader::new(child.stderr.take().unwrap()).lines();
        let sink = Arc::clone(&log);
        tokio::spawn(async move {
            while let Ok(Some(line)) = errors.next_line().await {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        Spawned { child, addr, log }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("the server runs")
    }

    /// Peak resident memory of the server so far (`VmHWM`), in KiB.
    pub fn peak_memory_kib(&self) -> u64 {
        status_field(self.pid(), "VmHWM:")
    }

    /// Resident memory now (`VmRSS`), in KiB.
    pub fn memory_kib(&self) -> u64 {
        status_field(self.pid(), "VmRSS:")
    }

    /// Descriptors the server has open now.
    pub fn open_files(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.pid()))
            .map(|dir| dir.count())
            .unwrap_or(0)
    }

    /// What the server wrote on stderr (its log) so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

fn status_field(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .unwrap_or_else(|| panic!("{field} in /proc/{pid}/status"))
}
