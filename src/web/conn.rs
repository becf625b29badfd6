//! The HTTP connection layer, below the router: accepting connections, capping them per
//! address and in total, timing out clients that send nothing or too slowly, and telling the
//! handlers which client is calling (the peer, or the client a trusted reverse proxy names).
//!
//! `axum::serve` has no timeouts and no caps: one client holding silent connections took every
//! file descriptor of the process. Here every connection takes a [`Slot`] (its address's count
//! and the total), hyper closes a connection whose request head does not arrive in time (which
//! also bounds idle keep-alive connections), and a WebSocket keeps its slot for its whole life.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Request};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use ipnet::IpNet;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Time and count limits of HTTP clients. The defaults are what the server runs with; tests
/// shorten the timeouts to watch them act.
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// From a connection's opening (or the end of its previous response) to the end of a
    /// request's head: a client that sends nothing, or headers a byte at a time, is closed.
    pub header_timeout: Duration,
    /// Whole time of one request, body included (not a WebSocket's life, which starts after).
    pub request_timeout: Duration,
    /// Longest silence in the middle of a request body.
    pub body_idle_timeout: Duration,
    /// Connections one address may hold at once (WebSockets included). Trusted proxies are not
    /// capped: they carry many clients, and cap them themselves.
    pub per_address: usize,
    /// Request bodies above [`LARGE_BODY_BYTES`] read at once, whoever sends them: 100
    /// stalled 4 MiB uploads held 400 MB before.
    pub large_bodies: usize,
    /// Longest a large body waits for its turn before the client is told to retry (503).
    pub large_body_wait: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            header_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(60),
            body_idle_timeout: Duration::from_secs(10),
            per_address: 256,
            large_bodies: 8,
            large_body_wait: Duration::from_secs(10),
        }
    }
}

/// A body above this size waits for one of [`HttpLimits::large_bodies`] turns.
pub const LARGE_BODY_BYTES: u64 = 64 * 1024;

/// Descriptors kept free for everything but client connections: the database and its WAL,
/// signing keys read from disk, decks, logs, the blocking pool's files.
const RESERVED_DESCRIPTORS: u64 = 128;

/// Longest a graceful stop waits for requests in flight.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Open connections per address and in total.
pub struct Connections {
    /// The total, and the count of each address that has a connection open.
    counts: Mutex<(usize, HashMap<IpAddr, usize>)>,
    per_address: usize,
    max_total: usize,
    trusted: Vec<IpNet>,
}

impl Connections {
    /// Raises this process's open-file limit to what the system allows, and caps connections
    /// below it so that a flood of clients never leaves the server unable to open its files.
    pub fn new(limits: &HttpLimits, trusted: Vec<IpNet>) -> Self {
        let files = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
        let max_total = files.saturating_sub(RESERVED_DESCRIPTORS).max(16);
        Self {
            counts: Mutex::new((0, HashMap::new())),
            per_address: limits.per_address,
            max_total: usize::try_from(max_total).unwrap_or(usize::MAX),
            trusted,
        }
    }

    /// The connection cap: descriptors this process may open, less a reserve.
    pub fn max_total(&self) -> usize {
        self.max_total
    }

    /// Connections open now.
    pub fn open(&self) -> usize {
        self.counts.lock().map(|c| c.0).unwrap_or(0)
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        is_trusted(&self.trusted, ip)
    }

    /// A slot for a new connection from `ip`, unless its address or the server is full.
    pub fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let ip = canonical(ip);
        let mut counts = self.counts.lock().ok()?;
        let (total, by_address) = &mut *counts;
        let mine = by_address.entry(ip).or_insert(0);
        if *total >= self.max_total || (*mine >= self.per_address && !self.trusted(ip)) {
            if *mine == 0 {
                by_address.remove(&ip);
            }
            return None;
        }
        *mine += 1;
        *total += 1;
        Some(Slot {
            connections: Arc::clone(self),
            ip,
        })
    }
}

/// One open connection's place in the counts, given back when dropped. A WebSocket handler
/// keeps it (a request extension) after the upgrade, when hyper no longer holds the socket.
pub struct Slot {
    connections: Arc<Connections>,
    ip: IpAddr,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut counts) = self.connections.counts.lock() {
            let (total, by_address) = &mut *counts;
            *total -= 1;
            if let Some(count) = by_address.get_mut(&self.ip) {
                *count -= 1;
                if *count == 0 {
                    by_address.remove(&self.ip);
                }
            }
        }
    }
}

/// An IPv4 client reaching a dual-stack socket appears as `::ffff:a.b.c.d`: one address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

fn is_trusted(trusted: &[IpNet], ip: IpAddr) -> bool {
    let ip = canonical(ip);
    trusted.iter().any(|net| net.contains(&ip))
}

/// The client a request comes from: the peer itself, unless the peer is a trusted proxy, in
/// which case the nearest address its `X-Forwarded-For` names that is not itself a trusted
/// proxy (the rightmost ones were written by our proxies; anything left of the first
/// untrusted one was written by the client and proves nothing).
///
/// `Forwarded` (RFC 7239) is not read: nginx, Caddy and HAProxy write `X-Forwarded-For` by
/// default and pass a client's own `Forwarded` through untouched, so believing it would let
/// any client name itself.
pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> SocketAddr {
    if !is_trusted(trusted, peer.ip()) {
        return peer;
    }
    let hops: Vec<Option<IpAddr>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|hop| parse_node(hop.trim()))
        .collect();
    for hop in hops.into_iter().rev() {
        match hop {
            Some(ip) if is_trusted(trusted, ip) => continue,
            Some(ip) => return SocketAddr::new(canonical(ip), 0),
            // An unreadable hop: nothing further left can be believed.
            None => break,
        }
    }
    peer
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`. Obfuscated identifiers (`_hidden`, `unknown`) are `None`.
fn parse_node(node: &str) -> Option<IpAddr> {
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = node.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    node.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    connections: Arc<Connections>,
    limits: HttpLimits,
    shutdown: impl Future<Output = ()>,
) {
    // Each connection's task holds a sender: when all are gone, every connection is.
    let (alive, mut all_closed) = tokio::sync::mpsc::channel::<()>(1);
    let (stopping, stop) = tokio::sync::watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(Some(limits.header_timeout));
    let trusted = Arc::new(connections.trusted.clone());
    let mut refused_logged = std::time::Instant::now() - Duration::from_secs(60);
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors (or memory): the waiting connection stays in the
                    // kernel's queue; try again shortly rather than spin.
                    if !is_connection_error(&e) {
                        tracing::warn!(error = %e, "cannot accept a connection");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(slot) = connections.admit(peer.ip()) else {
            // Closed at once: the client learns now, and holds nothing of ours.
            if refused_logged.elapsed() > Duration::from_secs(10) {
                refused_logged = std::time::Instant::now();
                tracing::warn!(client = %peer.ip(), open = connections.open(), "connection refused: too many connections");
            }
            drop(tcp);
            continue;
        };
        // Without TCP_NODELAY a frame written while the previous one is unacknowledged waits
        // for the peer's delayed ACK (up to 40 ms on Linux): a live room's bursts would stall.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let slot = Arc::new(slot);
        let app = app.clone();
        let trusted = Arc::clone(&trusted);
        let conn_slot = Arc::clone(&slot);
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            let client = client_address(peer, request.headers(), &trusted);
            request.extensions_mut().insert(ConnectInfo(client));
            request.extensions_mut().insert(Arc::clone(&conn_slot));
            app.clone().oneshot(request)
        });
        let connection = http
            .serve_connection(TokioIo::new(tcp), service)
            .with_upgrades();
        let mut stop = stop.clone();
        let alive = alive.clone();
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = async { stop.wait_for(|stopping| *stopping).await.map(|_| ()) } => {
                    // Idle connections close now; a request in flight gets its answer first.
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
            drop(slot);
            drop(alive);
        });
    }
    drop(listener);
    let _ = stopping.send(true);
    drop(alive);
    // Requests in flight finish; one that takes longer does not hold the stop.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, all_closed.recv()).await;
}

/// Errors about one connection that failed during accept (it reset first): not the listener's.
fn is_connection_error(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(
        e.kind(),
        ConnectionRefused | ConnectionAborted | ConnectionReset
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    #[test]
    fn only_trusted_proxies_name_the_client() {
        let proxy: SocketAddr = "10.0.0.5:3456".parse().unwrap();
        let trusted: Vec<IpNet> = vec!["10.0.0.0/24".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "203.0.113.9, 198.51.100.7")]);
        // Not trusted: the header is the client's own claim.
        assert_eq!(client_address(proxy, &xff, &[]), proxy);
        // Trusted: the rightmost address our proxy did not write itself.
        assert_eq!(
            client_address(proxy, &xff, &trusted).ip().to_string(),
            "198.51.100.7"
        );
        // A chain of our own proxies is skipped; a forged leftmost entry is never reached.
        let chain = headers(&[("x-forwarded-for", "1.2.3.4, 198.51.100.7, 10.0.0.9")]);
        assert_eq!(
            client_address(proxy, &chain, &trusted).ip().to_string(),
            "198.51.100.7"
        );
        // IPv6, with a port; `Forwarded` is not believed (proxies pass the client's through).
        let v6 = headers(&[
            ("forwarded", "for=192.0.2.60"),
            ("x-forwarded-for", "[2001:db8::7]:4711"),
        ]);
        assert_eq!(
            client_address(proxy, &v6, &trusted).ip().to_string(),
            "2001:db8::7"
        );
        // Unreadable or missing: the proxy itself.
        let hidden = headers(&[("x-forwarded-for", "unknown")]);
        assert_eq!(client_address(proxy, &hidden, &trusted), proxy);
        assert_eq!(client_address(proxy, &HeaderMap::new(), &trusted), proxy);
    }

    #[test]
    fn slots_count_per_address_and_come_back() {
        let limits = HttpLimits {
            per_address: 2,
            ..HttpLimits::default()
        };
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let connections = Arc::new(Connections::new(
            &limits,
            vec!["10.0.0.5/32".parse().unwrap()],
        ));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        let first = connections.admit(a).unwrap();
        let _second = connections.admit(mapped).unwrap();
        assert!(connections.admit(a).is_none(), "a third from one address");
        assert!(connections.admit("192.0.2.2".parse().unwrap()).is_some());
        let proxied: Vec<Slot> = (0..5).filter_map(|_| connections.admit(proxy)).collect();
        assert_eq!(
            proxied.len(),
            5,
            "a trusted proxy is not capped per address"
        );
        drop(first);
        assert!(
            connections.admit(a).is_some(),
            "a closed connection frees its slot"
        );
        assert!(connections.max_total() >= 16);
    }
}
