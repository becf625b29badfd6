//! The badge verifier's first step on arbitrary bytes (what anyone may upload to `/verify`
//! and `POST /api/verify`): finding the credential in a PNG, an SVG or a JSON file never
//! panics, and what it returns is the credential's text.
#![no_main]

use atelier::badge::verify::extract;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((_format, credential)) = extract(data) {
        // Whatever is found is handed to a JSON parser next: it must be a string we own.
        let _ = serde_json::from_str::<serde_json::Value>(&credential);
    }
});
