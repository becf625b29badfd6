//! The third-party verifier (Digital Bazaar's VC stack + the official 1EdTech schema, in
//! tests/js/verify.mjs), run from Rust tests.
//!
//! Needs Node.js and npm: the npm dependencies are installed on first use. Without Node the
//! tests that use it skip with a message, except under `CI`, where that is a failure.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

use serde_json::Value;

pub fn js_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js")
}

/// Whether the JS verifier can run; installs its npm dependencies on first use.
pub fn node_ready() -> bool {
    static INSTALL: Once = Once::new();
    let has_node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_node {
        assert!(
            std::env::var_os("CI").is_none(),
            "node is required for the interoperability test in CI"
        );
        super::skipped("node not found: third-party interoperability not checked");
        return false;
    }
    INSTALL.call_once(|| {
        if !js_dir().join("node_modules").exists() {
            let status = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(js_dir())
                .status()
                .expect("npm must be installed alongside node");
            assert!(status.success(), "npm ci failed in tests/js");
        }
    });
    true
}

pub struct JsResult {
    pub ok: bool,
    pub output: Value,
}

/// Runs the third-party verifier on a badge file, with documents it may load (URL, file) and,
/// when given, the instant to check dates against.
pub fn run_js_at(file: &Path, docs: &[(&str, &Path)], now: Option<&str>) -> JsResult {
    let mut cmd = Command::new("node");
    cmd.arg(js_dir().join("verify.mjs")).arg(file);
    if let Some(now) = now {
        cmd.args(["--now", now]);
    }
    for (url, path) in docs {
        cmd.arg("--doc").arg(format!("{url}={}", path.display()));
    }
    js_result(cmd)
}

/// Runs the verifier command and reads its one JSON line.
fn js_result(mut cmd: Command) -> JsResult {
    let out = cmd.output().expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let output: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "verifier printed no JSON line: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    JsResult {
        ok: out.status.success(),
        output,
    }
}

/// Runs the third-party verifier on a hosted badge: documents under `prefix` (the server's
/// public URL) are fetched from the running test server at `local`.
pub fn run_js_hosted(file: &Path, prefix: &str, local: &str) -> JsResult {
    let mut cmd = Command::new("node");
    cmd.arg(js_dir().join("verify.mjs"))
        .arg(file)
        .arg("--map")
        .arg(format!("{prefix}={local}"));
    js_result(cmd)
}

pub fn py_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/py")
}

/// The Python of the Open Badges 2.0 validator's virtualenv (`scripts/test` makes it; made
/// here on first use otherwise). Without Python the OB 2.0 checks skip with a message, except
/// under `CI`, where that is a failure.
pub fn ob2_python() -> Option<PathBuf> {
    static INSTALL: Once = Once::new();
    let venv = py_dir().join(".venv");
    let python = venv.join("bin/python");
    INSTALL.call_once(|| {
        if python.exists() && venv.join("installed").exists() {
            return;
        }
        let made = Command::new("python3")
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .is_ok_and(|s| s.success())
            && Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "--no-deps", "-r"])
                .arg(py_dir().join("requirements.txt"))
                .status()
                .is_ok_and(|s| s.success());
        if made {
            let _ = std::fs::write(venv.join("installed"), "");
        }
    });
    if python.exists() && venv.join("installed").exists() {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "the Open Badges 2.0 validator (tests/py) is required in CI"
    );
    super::skipped("no Python virtualenv for the Open Badges 2.0 validator");
    None
}

/// Runs the 1EdTech Open Badges 2.0 validator on an assertion URL or a baked PNG; URLs under
/// `prefix` are fetched from `local`. Returns (valid, the validator's report).
pub fn run_ob2(
    python: &Path,
    input: &str,
    recipient: Option<&str>,
    prefix: &str,
    local: &str,
) -> (bool, Value) {
    let mut cmd = Command::new(python);
    cmd.arg(py_dir().join("ob2_validate.py"))
        .arg(input)
        .arg("--map")
        .arg(format!("{prefix}={local}"));
    if let Some(email) = recipient {
        cmd.args(["--recipient", email]);
    }
    let out = cmd.output().expect("run the OB 2.0 validator");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "the OB 2.0 validator printed no JSON: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.success(), report)
}
