//! A short run of the load generator (`atelier-load`) against the real server binary, as a
//! test of correctness, not of speed: every phone joins, every timed event reaches every
//! phone it is meant for (or is covered by the snapshot after a resume), in order, with no
//! error and no drop. No timing is asserted.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// The server binary of the same build: `cargo test --workspace` (what `scripts/test` runs)
/// builds it beside the load generator, in the same target directory and profile.
fn server_binary() -> PathBuf {
    let load = PathBuf::from(env!("CARGO_BIN_EXE_atelier-load"));
    let server = load.with_file_name(format!("atelier{}", std::env::consts::EXE_SUFFIX));
    assert!(
        server.is_file(),
        "{} is missing: run the tests with `cargo test --workspace` (or build `atelier` first)",
        server.display()
    );
    server
}

#[test]
fn simulated_phones_get_every_event_in_order() {
    let output = Command::new(env!("CARGO_BIN_EXE_atelier-load"))
        .arg("--spawn")
        .arg(server_binary())
        .args(["--sessions", "3", "--participants", "12"])
        .args(["--rounds", "2", "--think-ms", "300"])
        .args(["--moves", "3", "--move-gap-ms", "150"])
        .args(["--resume-fraction", "0.3", "--idle-ms", "100"])
        .args(["--timeout-s", "20", "--seed", "7"])
        .output()
        .expect("atelier-load runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "atelier-load failed: {stderr}");
    let summary: Value = serde_json::from_slice(&output.stdout).expect("a JSON summary");
    let show = serde_json::to_string_pretty(&summary).unwrap();

    assert_eq!(summary["join"]["joined"], 36, "{show}");
    assert_eq!(summary["join"]["failed"], 0, "{show}");
    assert_eq!(summary["sessions_finished"], 3, "{show}");
    assert_eq!(summary["error_count"], 0, "{show}");
    assert_eq!(summary["drops"], 0, "{show}");
    assert_eq!(summary["staff"]["lost_echoes"], 0, "{show}");
    let delivery = &summary["delivery"];
    assert_eq!(delivery["missed"], 0, "{show}");
    assert_eq!(delivery["out_of_order"], 0, "{show}");
    assert_eq!(delivery["lost_echoes"], 0, "{show}");
    assert!(delivery["expected"].as_u64().unwrap() > 0, "{show}");
    assert_eq!(delivery["expected"], delivery["delivered"], "{show}");
    // Some phones dropped their connection on purpose and came back with their token.
    assert!(summary["resumes"]["ok"].as_u64().unwrap() > 0, "{show}");
    assert_eq!(summary["resumes"]["failed"], 0, "{show}");
    // Every kind of action happened and was heard.
    let latency = summary["latency"].as_object().expect("latencies");
    for action in [
        "phase.next→phase.changed (all phones)",
        "bingo.draw→bingo.drawn (all phones)",
        "bingo.reveal→bingo.revealed (all phones)",
        "bingo.tap→bingo.tapped (the phone)",
        "fresque.form_teams→fresque.team (all phones)",
        "fresque.deal→fresque.team (all phones)",
        "fresque.place→fresque.board (team)",
        "fresque.reveal→fresque.revealed (all phones)",
    ] {
        let entry = latency
            .get(action)
            .unwrap_or_else(|| panic!("{action}: {show}"));
        assert!(
            entry["per_recipient"]["count"].as_u64().unwrap() > 0,
            "{action}: {show}"
        );
    }
    // The server process was measured.
    assert!(
        summary["server"]["rss_kb"]["idle_after_join"]
            .as_u64()
            .unwrap()
            > 0,
        "{show}"
    );
}
