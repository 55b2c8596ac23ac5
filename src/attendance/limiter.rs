//! Wrong check-in codes per volunteer: a few are forgiven (a mistyped digit), then the
//! volunteer must wait, whatever it sends, so that six digits cannot be guessed.
//!
//! Kept in this process's memory: with several instances each counts its own (the limit is
//! per instance).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

/// Volunteers remembered before idle ones are forgotten (bounds memory).
const MAX_TRACKED: usize = 100_000;

pub struct WrongCodes {
    limiter: RateLimiter<i64, DefaultKeyedStateStore<i64>, DefaultClock>,
    /// Volunteers past the limit, until when.
    blocked: Mutex<HashMap<i64, Instant>>,
}

impl WrongCodes {
    /// `max` wrong codes at once, one more each minute.
    pub fn new(max: u32) -> Self {
        let burst = NonZeroU32::new(max).unwrap_or(NonZeroU32::MIN);
        WrongCodes {
            limiter: RateLimiter::keyed(Quota::per_minute(NonZeroU32::MIN).allow_burst(burst)),
            blocked: Mutex::new(HashMap::new()),
        }
    }

    /// How many seconds `volunteer` must still wait, if it is past the limit.
    pub fn wait(&self, volunteer: i64) -> Option<u64> {
        let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        match blocked.get(&volunteer) {
            Some(until) if *until > now => Some(round_up(*until - now)),
            Some(_) => {
                blocked.remove(&volunteer);
                None
            }
            None => None,
        }
    }

    /// Counts a wrong code of `volunteer`: the seconds to wait if that was one too many.
    pub fn count(&self, volunteer: i64) -> Option<u64> {
        if self.limiter.len() > MAX_TRACKED {
            self.limiter.retain_recent();
        }
        let not_until = self.limiter.check_key(&volunteer).err()?;
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        if blocked.len() > MAX_TRACKED {
            let now = Instant::now();
            blocked.retain(|_, until| *until > now);
        }
        blocked.insert(volunteer, Instant::now() + wait);
        tracing::info!(volunteer, "check-in code attempts limit reached");
        Some(round_up(wait))
    }
}

/// Rounded up: a client that waits exactly this long is let in.
fn round_up(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_each_volunteer_apart_and_then_blocks() {
        let limiter = WrongCodes::new(3);
        for _ in 0..3 {
            assert_eq!(limiter.count(1), None);
        }
        assert_eq!(limiter.wait(1), None, "three wrong codes are forgiven");
        let wait = limiter.count(1).expect("the fourth is one too many");
        assert!((1..=60).contains(&wait));
        assert!(limiter.wait(1).is_some(), "blocked whatever it sends next");
        assert_eq!(limiter.wait(2), None);
        assert_eq!(
            limiter.count(2),
            None,
            "another volunteer has its own count"
        );
    }
}
