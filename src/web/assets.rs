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

pub async fn serve(Path(file): Path<String>) -> Response {
    match Static::get(&file) {
        Some(asset) => (
            [
                (header::CONTENT_TYPE, content_type(&file)),
                (header::CACHE_CONTROL, "public, max-age=300"),
            ],
            asset.data.into_owned(),
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// `/i18n/{lang}.ftl`: every message of a language, for `static/i18n.js`.
pub async fn messages(State(state): State<Shared>, Path(file): Path<String>) -> Response {
    let Some(lang) = file.strip_suffix(".ftl").and_then(Lang::parse) else {
        return (StatusCode::NOT_FOUND, "no such language").into_response();
    };
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        state.i18n.source(lang).to_string(),
    )
        .into_response()
}
