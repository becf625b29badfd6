//! Attempt limits per client address, against guessing short secrets (claim codes, passwords).

use std::net::IpAddr;
use std::time::{Duration, Instant};

use dashmap::DashMap;

/// At most `max` attempts per `window` from one address (fixed windows: simple and bounded).
pub struct AttemptLimiter {
    max: u32,
    window: Duration,
    seen: DashMap<IpAddr, (Instant, u32)>,
}

/// Addresses remembered at most; past that, old windows are dropped first. Bounds memory
/// against a flood of spoofed-looking sources.
const MAX_TRACKED: usize = 100_000;

impl AttemptLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            seen: DashMap::new(),
        }
    }

    /// Whether this address has used up its attempts for now (without counting one).
    pub fn is_blocked(&self, ip: IpAddr) -> bool {
        self.seen
            .get(&ip)
            .is_some_and(|entry| entry.0.elapsed() < self.window && entry.1 >= self.max)
    }

    /// Counts an attempt; false when this address has used up its attempts for now.
    pub fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        if self.seen.len() >= MAX_TRACKED {
            self.seen
                .retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let mut entry = self.seen.entry(ip).or_insert((now, 0));
        let (start, count) = entry.value_mut();
        if now.duration_since(*start) >= self.window {
            *start = now;
            *count = 0;
        }
        *count += 1;
        *count <= self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempts_are_limited_per_address() {
        let limiter = AttemptLimiter::new(3, Duration::from_secs(60));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!((0..3).all(|_| limiter.allow(a)));
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b), "another address is not affected");
        let quick = AttemptLimiter::new(1, Duration::ZERO);
        assert!(
            quick.allow(a) && quick.allow(a),
            "a new window starts afresh"
        );
    }
}
