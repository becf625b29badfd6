//! Static assets compiled into the binary: Atelier runs with no internet and no files around it.

use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// (path under /static/, content type, bytes)
const ASSETS: &[(&str, &str, &[u8])] = &[
    (
        "style.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/style.css"),
    ),
    (
        "ws.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/ws.js"),
    ),
    (
        "phone.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/phone.js"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/console.js"),
    ),
    (
        "screen.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../static/screen.js"),
    ),
];

pub async fn serve(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, mime, bytes)) => (
            [
                (header::CONTENT_TYPE, *mime),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            *bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
