//! Attempt limits per client address or account, against guessing short secrets (claim codes,
//! join codes, passwords).
//!
//! An attempt is counted *before* the work it allows, under the map's entry lock: 200 wrong
//! sign-ins sent at once were all checked before, since each was counted only after its
//! ~75 ms password check. A success may give its attempt back.

use std::hash::Hash;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use dashmap::DashMap;

/// At most `max` attempts per `window` for one key (fixed windows: simple and bounded).
pub struct AttemptLimiter<K: Hash + Eq = IpAddr> {
    max: u32,
    window: Duration,
    seen: DashMap<K, (Instant, u32)>,
}

/// Addresses remembered at most; past that, old windows are dropped first. Bounds memory
/// against a flood of spoofed-looking sources.
const MAX_TRACKED: usize = 100_000;

impl<K: Hash + Eq + Clone> AttemptLimiter<K> {
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            seen: DashMap::new(),
        }
    }

    /// Whether this key has used up its attempts for now (without counting one).
    pub fn is_blocked(&self, key: &K) -> bool {
        self.seen
            .get(key)
            .is_some_and(|entry| entry.0.elapsed() < self.window && entry.1 >= self.max)
    }

    /// Gives back an attempt counted by [`allow`](Self::allow) that turned out legitimate.
    pub fn give_back(&self, key: &K) {
        if let Some(mut entry) = self.seen.get_mut(key) {
            entry.1 = entry.1.saturating_sub(1);
        }
    }

    /// Counts an attempt; false when this key has used up its attempts for now (the refused
    /// attempt is not counted, so a blocked key is free again when its window ends).
    pub fn allow(&self, key: K) -> bool {
        let now = Instant::now();
        if self.seen.len() >= MAX_TRACKED {
            self.seen
                .retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let mut entry = self.seen.entry(key).or_insert((now, 0));
        let (start, count) = entry.value_mut();
        if now.duration_since(*start) >= self.window {
            *start = now;
            *count = 0;
        }
        if *count >= self.max {
            return false;
        }
        *count += 1;
        true
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
        assert!(limiter.is_blocked(&a));
        limiter.give_back(&a);
        assert!(limiter.allow(a), "an attempt given back can be made again");
        assert!(!limiter.allow(a));
        let quick = AttemptLimiter::new(1, Duration::ZERO);
        assert!(
            quick.allow(a) && quick.allow(a),
            "a new window starts afresh"
        );
    }
}
