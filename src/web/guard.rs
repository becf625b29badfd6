//! Checks every request passes before any handler runs: a `Host` this server answers to, and a
//! body whose declared size is allowed on its route and whose reading is bounded.

use std::net::IpAddr;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::conn::LARGE_BODY_BYTES;
use super::{ApiError, Shared, badges, feedback, organiser};

/// Body of a request on a route that sets no larger limit: forms and JSON commands.
pub const FORM_MAX_BYTES: usize = 64 * 1024;

/// The largest body a route accepts. One table, so that a declared `Content-Length` above it
/// is refused before a byte of the body is read (the routes' `DefaultBodyLimit`s use the same
/// constants and also stop a body that turns out longer than declared).
pub fn body_limit(path: &str) -> usize {
    match path {
        "/verify" | "/api/verify" => badges::VERIFY_MAX_BYTES,
        "/o/issuer/image" | "/o/achievements/image" => organiser::UPLOAD_MAX_BYTES,
        "/api/feedback" | "/api/feedback/check" => feedback::FEEDBACK_MAX_BYTES,
        _ => FORM_MAX_BYTES,
    }
}

/// The name in a `Host` header, without port or IPv6 brackets, lower case.
fn host_name(host: &str) -> String {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
            _ => host,
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether this server answers to the request's `Host`: an address (any: a DNS rebinding
/// attack needs a name of the attacker's), `localhost`, the public URL's host, or a name given
/// with `--allow-host`. A page of another site whose name was made to point at a laptop on
/// the venue network must not be able to read or drive this server as if it were its own.
pub fn host_allowed(state: &super::AppState, headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::HOST) else {
        // HTTP/1.0 without a Host: no browser sends that.
        return true;
    };
    let Ok(host) = value.to_str() else {
        return false;
    };
    let name = host_name(host);
    if name.parse::<IpAddr>().is_ok() || name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    let public = state.config.public_url.as_deref().map(|url| {
        let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
        host_name(rest.split('/').next().unwrap_or_default())
    });
    public.as_deref() == Some(name.as_str())
        || state
            .config
            .allowed_hosts
            .iter()
            .any(|allowed| host_name(allowed) == name)
}

/// Refuses a foreign `Host` (421), a declared body above its route's limit (413, at once,
/// and the connection closes rather than read what follows), and queues large bodies.
pub async fn guard(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    if !host_allowed(&state, request.headers()) {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        tracing::info!(host, "request for a host this server does not answer to");
        let mut response = if is_api {
            ApiError::new(
                StatusCode::MISDIRECTED_REQUEST,
                "unknown_host",
                "this server does not answer to that host name",
            )
            .into_response()
        } else {
            let t = super::pages::tr(&state, request.headers(), None);
            super::pages::page_error(t, StatusCode::MISDIRECTED_REQUEST, "error-unknown-host")
        };
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let limit = body_limit(request.uri().path()) as u64;
    if declared.is_some_and(|length| length > limit) {
        let mut response = ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the body may have at most {limit} bytes"),
        )
        .into_response();
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        return response;
    }
    // A body of unknown length is as large as its route allows.
    let large = declared.map_or(
        request.headers().contains_key(header::TRANSFER_ENCODING) && limit > LARGE_BODY_BYTES,
        |length| length > LARGE_BODY_BYTES,
    );
    let _turn = if large {
        match tokio::time::timeout(
            state.config.limits.large_body_wait,
            std::sync::Arc::clone(&state.large_bodies).acquire_owned(),
        )
        .await
        {
            Ok(Ok(turn)) => Some(turn),
            _ => {
                let mut response = ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "too many uploads at once; try again in a moment",
                )
                .into_response();
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                return response;
            }
        }
    } else {
        None
    };
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_lose_port_and_brackets() {
        assert_eq!(host_name("Atelier.Example.org:8443"), "atelier.example.org");
        assert_eq!(host_name("[::1]:8080"), "::1");
        assert_eq!(host_name("192.168.1.20"), "192.168.1.20");
        assert_eq!(host_name("laptop.local."), "laptop.local");
    }

    #[test]
    fn every_route_with_a_larger_body_is_in_the_table() {
        assert_eq!(body_limit("/api/verify"), badges::VERIFY_MAX_BYTES);
        assert_eq!(body_limit("/o/issuer/image"), organiser::UPLOAD_MAX_BYTES);
        assert_eq!(body_limit("/api/feedback"), feedback::FEEDBACK_MAX_BYTES);
        assert_eq!(body_limit("/api/sessions"), FORM_MAX_BYTES);
    }
}
