//! Per-client-address rate limiting (login and refresh; the public certificate
//! verification), and finding the client address behind trusted reverse proxies.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use ipnet::IpNet;

use crate::error::AppError;

pub struct ClientLimiter {
    limiter: RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>,
    trusted_proxies: Vec<IpNet>,
    /// What is limited, for the log line.
    purpose: &'static str,
}

/// The limiter of logins and refreshes.
pub type LoginLimiter = ClientLimiter;

/// Addresses remembered before idle ones are forgotten (bounds memory).
const MAX_TRACKED: usize = 100_000;

impl ClientLimiter {
    pub fn new(per_minute: u32, burst: u32, trusted_proxies: Vec<IpNet>) -> Self {
        Self::for_purpose("login", per_minute, burst, trusted_proxies)
    }

    /// A limiter of something else than logins; `purpose` names it in the log.
    pub fn for_purpose(
        purpose: &'static str,
        per_minute: u32,
        burst: u32,
        trusted_proxies: Vec<IpNet>,
    ) -> Self {
        let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        LoginLimiter {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst)),
            trusted_proxies,
            purpose,
        }
    }

    /// Counts one attempt from the request's client; 429 with Retry-After past the quota.
    pub fn check(&self, req: &HttpRequest) -> Result<(), AppError> {
        let ip = bucket(client_ip(req, &self.trusted_proxies));
        if self.limiter.len() > MAX_TRACKED {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            tracing::info!(client = %ip, "{} rate limit reached", self.purpose);
            // rounded up: a client that waits exactly this long is let in
            AppError::TooManyRequests {
                retry_after_secs: (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1),
            }
        })
    }
}

/// IPv6 clients are limited per /64, the block one subscriber usually holds, so that
/// rotating through it neither escapes the limit nor grows the table.
fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// The peer address, unless the peer is a trusted proxy: then the right-most address in
/// X-Forwarded-For that is not itself a trusted proxy.
pub fn client_ip(req: &HttpRequest, trusted: &[IpNet]) -> IpAddr {
    let peer = req
        .peer_addr()
        .map(|a| a.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    resolve(
        peer,
        req.headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok()),
        trusted,
    )
}

fn resolve(peer: IpAddr, forwarded_for: Option<&str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let Some(chain) = forwarded_for else {
        return peer;
    };
    let mut client = peer;
    for hop in chain.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => client = ip,
            Ok(ip) => return ip,
            Err(_) => return client,
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // an untrusted peer cannot claim another address
        assert_eq!(
            resolve(ip("203.0.113.9"), Some("1.2.3.4"), &trusted),
            ip("203.0.113.9")
        );
        // a trusted proxy: the right-most untrusted hop
        assert_eq!(
            resolve(ip("10.0.0.2"), Some("1.2.3.4, 198.51.100.7"), &trusted),
            ip("198.51.100.7")
        );
        assert_eq!(
            resolve(ip("10.0.0.2"), Some("198.51.100.7, 10.0.0.3"), &trusted),
            ip("198.51.100.7")
        );
        // no header, or garbage: the proxy itself
        assert_eq!(resolve(ip("10.0.0.2"), None, &trusted), ip("10.0.0.2"));
        assert_eq!(
            resolve(ip("10.0.0.2"), Some("not-an-ip"), &trusted),
            ip("10.0.0.2")
        );
        // IPv6 clients share a budget per /64
        assert_eq!(
            bucket(ip("2001:db8:1:2:aaaa::1")),
            bucket(ip("2001:db8:1:2:bbbb::9"))
        );
        assert_ne!(bucket(ip("2001:db8:1:2::1")), bucket(ip("2001:db8:1:3::1")));
        // nothing trusted: the peer, whatever the header says
        assert_eq!(
            resolve(ip("10.0.0.2"), Some("1.2.3.4"), &[]),
            ip("10.0.0.2")
        );
    }
}
