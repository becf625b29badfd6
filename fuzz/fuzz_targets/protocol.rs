//! The WebSocket protocol decoder on arbitrary text frames: `decode_hello` and
//! `decode_action` never panic, and every refusal carries one of the documented codes.
#![no_main]

use atelier::protocol::{Hello, decode_action, decode_hello, error_value};
use libfuzzer_sys::fuzz_target;

const CODES: &[&str] = &["bad_json", "missing_type", "unknown_type", "bad_fields"];

fuzz_target!(|data: &[u8]| {
    // The server only decodes text frames, which the WebSocket layer guarantees are UTF-8
    // and at most 16 KiB.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if text.len() > 16 * 1024 {
        return;
    }
    match decode_hello(text) {
        Ok(hello) => {
            let kind = serde_json::from_str::<serde_json::Value>(text).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_string();
            let expected = match hello {
                Hello::Join { .. } => "join",
                Hello::Resume { .. } => "resume",
                Hello::Staff { .. } => "staff",
                Hello::Screen { .. } => "screen",
            };
            assert_eq!(kind, expected);
        }
        Err(e) => {
            assert!(CODES.contains(&e.code()), "undocumented code {}", e.code());
            let frame = error_value(e.code(), &e.to_string()).to_string();
            assert!(serde_json::from_str::<serde_json::Value>(&frame).is_ok());
        }
    }
    match decode_action(text) {
        Ok(action) => {
            let _ = format!("{action:?}");
        }
        Err(e) => {
            assert!(CODES.contains(&e.code()), "undocumented code {}", e.code());
            let frame = error_value(e.code(), &e.to_string()).to_string();
            assert!(serde_json::from_str::<serde_json::Value>(&frame).is_ok());
        }
    }
});
