//! Static assets and messages compiled into the binary: Atelier runs with no internet and
//! no files around it.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use super::Shared;
use crate::deck::Lang;

#[derive(RustEmbed)]
#[folder = "static/"]
#[exclude = "*.md"]
struct Static;

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

// Caching (issue 19). Pages name every script and style by a content-hashed URL,
// `/static/phone.3fa2b1c9d0.js`, served `immutable` for a year: a phone that comes back during
// the workshop (or the next one, if Atelier was not upgraded) asks the network for none of them,
// not even a revalidation, which costs a round trip per file on a 400 ms link. Modules import
// each other by relative, unhashed specifiers (`./i18n.js`); the page's import map (`<head>`,
// allowed by its hash in the CSP) maps every unhashed URL to its hashed one, so the module code
// stays as written and no build step rewrites it. The unhashed URL still answers, with a strong
// `ETag` and `no-cache` (a 304 when unchanged): for the favicon's redirect and for any URL a page
// could not hash. The hash is the one rust-embed computes at build time (SHA-256 of the bytes).

/// The first hex digits of the content's SHA-256 that name a version.
const HASH_LEN: usize = 10;
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

fn hash_of(file: &str) -> Option<String> {
    Static::get(file).map(|asset| hex::encode(&asset.metadata.sha256_hash()[..HASH_LEN / 2]))
}

/// `/static/<name>.<hash>.<ext>` for `file` (`"phone.js"`, `"vendor/fluent/fluent-bundle.js"`); the
/// plain URL when there is no such file (a template's typo shows as a 404, not a panic).
pub fn url(file: &str) -> String {
    match (hash_of(file), file.rsplit_once('.')) {
        (Some(hash), Some((stem, ext))) => format!("/static/{stem}.{hash}.{ext}"),
        _ => format!("/static/{file}"),
    }
}

/// The import map every page carries: each script's and style's plain URL to its hashed one
/// (styles too, for `import.meta.resolve` in scripts that add a stylesheet).
pub fn import_map() -> &'static str {
    static MAP: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let imports: serde_json::Map<String, serde_json::Value> = Static::iter()
            .filter(|file| file.ends_with(".js") || file.ends_with(".css"))
            .map(|file| (format!("/static/{file}"), url(&file).into()))
            .collect();
        serde_json::json!({ "imports": imports }).to_string()
    });
    &MAP
}

/// `<link rel="modulepreload">` for every module in a list kept beside a page's template
/// (`templates/phone.modules`: one path under static/ per line, `#` comments), by hashed URL.
pub fn modulepreload(list: &str) -> String {
    list.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|file| format!(r#"<link rel="modulepreload" href="{}">"#, url(file)))
        .collect()
}

/// The phone page's modules (see `modulepreload`).
pub fn phone_modulepreload() -> &'static str {
    static LINKS: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| modulepreload(include_str!("../../templates/phone.modules")));
    &LINKS
}

/// The CSP source that allows the import map (an inline script) and nothing else inline.
pub fn import_map_csp_source() -> String {
    use base64::Engine;
    use sha2::Digest;
    let digest = sha2::Sha256::digest(import_map().as_bytes());
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// `file` without its hash, and whether it carried the current one: `phone.3fa2b1c9d0.js` is
/// `("phone.js", true)`; a stale hash (a page from before an upgrade) gets today's file.
fn unhashed(file: &str) -> Option<(String, bool)> {
    let (rest, ext) = file.rsplit_once('.')?;
    let (stem, hash) = rest.rsplit_once('.')?;
    if hash.len() != HASH_LEN || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let plain = format!("{stem}.{ext}");
    let current = hash_of(&plain)?;
    Some((plain, current == hash))
}

pub async fn serve(Path(file): Path<String>, headers: axum::http::HeaderMap) -> Response {
    let (plain, cache) = match Static::get(&file) {
        Some(_) => (file, REVALIDATE),
        None => match unhashed(&file) {
            Some((plain, true)) => (plain, IMMUTABLE),
            Some((plain, false)) => (plain, REVALIDATE),
            None => return (StatusCode::NOT_FOUND, "not found").into_response(),
        },
    };
    let Some(asset) = Static::get(&plain) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    // Weak: the compression layer may gzip the body, and a strong tag names one encoding.
    let etag = format!("W/\"{}\"", hex::encode(asset.metadata.sha256_hash()));
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == "*" || opaque(tag) == opaque(&etag))
        });
    let head = [
        (header::CONTENT_TYPE, content_type(&plain).to_string()),
        (header::CACHE_CONTROL, cache.to_string()),
        (header::ETAG, etag),
    ];
    if matches {
        return (StatusCode::NOT_MODIFIED, head).into_response();
    }
    (head, asset.data.into_owned()).into_response()
}

/// `/i18n/{lang}.ftl`: every message of a language, for `static/i18n.js`. Fresh for 5 minutes,
/// then revalidated by its ETag (a 304 while Atelier was not upgraded).
pub async fn messages(
    State(state): State<Shared>,
    Path(file): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    use sha2::Digest;
    let Some(lang) = file.strip_suffix(".ftl").and_then(Lang::parse) else {
        return (StatusCode::NOT_FOUND, "no such language").into_response();
    };
    let source = state.i18n.source(lang);
    let etag = format!(
        "W/\"{}\"",
        hex::encode(&sha2::Sha256::digest(source.as_bytes())[..16])
    );
    let head = [
        (
            header::CONTENT_TYPE,
            "text/plain; charset=utf-8".to_string(),
        ),
        (header::CACHE_CONTROL, "public, max-age=300".to_string()),
        (header::ETAG, etag.clone()),
    ];
    if if_none_match(&headers, &etag) {
        return (StatusCode::NOT_MODIFIED, head).into_response();
    }
    (head, source.to_string()).into_response()
}

/// Whether the request's `If-None-Match` names `etag` (weak comparison).
fn if_none_match(headers: &axum::http::HeaderMap, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|tag| tag.trim() == "*" || opaque(tag) == opaque(etag))
        })
}
