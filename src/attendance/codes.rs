//! The secrets of attendance, as pure functions: an event's rotating check-in code
//! (TOTP-style, RFC 6238 over HMAC-SHA-256, six digits) and a volunteer's signed personal
//! pass. Nothing here is stored: both are computed from the server's attendance key, which
//! is derived from the token signing key, so neither the database nor a client can make one.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// What a pass starts with, so that a scanner tells it from other QR payloads.
pub const PASS_PREFIX: &str = "VHP1.";
/// What an event's check-in QR payload starts with: `VHC1.{event_id}.{code}`.
pub const CODE_QR_PREFIX: &str = "VHC1.";
const PASS_MAC_BYTES: usize = 16;

/// The server's key for attendance; never logged.
#[derive(Clone)]
pub struct AttendanceKey([u8; 32]);

impl std::fmt::Debug for AttendanceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AttendanceKey(***)")
    }
}

fn mac(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    // HMAC takes a key of any length
    let mut m = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    for p in parts {
        m.update(p);
    }
    m.finalize().into_bytes().into()
}

impl AttendanceKey {
    /// The key derived from secret material (the token signing secret or private key):
    /// another purpose's key from the same secret, so a code never helps forge a token.
    pub fn derive(material: &[u8]) -> Self {
        AttendanceKey(mac(material, &[b"volunteer-hours attendance v1"]))
    }

    /// A key that lives as long as the process (development without configured keys).
    pub fn random() -> Self {
        AttendanceKey(rand::random())
    }

    /// The event's own secret: codes of one event say nothing about another's.
    fn event_secret(&self, event_id: i64) -> [u8; 32] {
        mac(&self.0, &[b"event check-in ", &event_id.to_be_bytes()])
    }

    /// The code of period `counter` (HOTP's dynamic truncation, RFC 4226 §5.3).
    pub fn code(&self, event_id: i64, counter: u64) -> String {
        let h = mac(&self.event_secret(event_id), &[&counter.to_be_bytes()]);
        let offset = usize::from(h[31] & 0x0f);
        let bin = (u32::from(h[offset]) & 0x7f) << 24
            | u32::from(h[offset + 1]) << 16
            | u32::from(h[offset + 2]) << 8
            | u32::from(h[offset + 3]);
        format!("{:06}", bin % 1_000_000)
    }

    /// Whether `code` is the event's code of the period `now` falls in, or of the one
    /// before (a code read just before it changed still works). Compared in constant time.
    pub fn code_is_valid(
        &self,
        event_id: i64,
        code: &str,
        now: DateTime<Utc>,
        period: u64,
    ) -> bool {
        let current = counter(now, period);
        let mut valid = subtle::Choice::from(0);
        for c in [Some(current), current.checked_sub(1)]
            .into_iter()
            .flatten()
        {
            valid |= self.code(event_id, c).as_bytes().ct_eq(code.as_bytes());
        }
        valid.into()
    }

    /// The code to show now, and when it stops being the current one.
    pub fn current_code(
        &self,
        event_id: i64,
        now: DateTime<Utc>,
        period: u64,
    ) -> (String, DateTime<Utc>) {
        let c = counter(now, period);
        let next = i64::try_from((c + 1).saturating_mul(period)).unwrap_or(i64::MAX);
        let changes = DateTime::from_timestamp(next, 0).unwrap_or(now);
        (self.code(event_id, c), changes)
    }

    /// A pass for volunteer `volunteer_id` valid until `expires`:
    /// `VHP1.` + base64url(volunteer id, expiry, MAC), 43 characters in all.
    pub fn pass(&self, volunteer_id: i64, expires: DateTime<Utc>) -> String {
        let body = pass_body(volunteer_id, expires.timestamp());
        let tag = mac(&self.0, &[b"pass ", &body]);
        let mut bytes = body.to_vec();
        bytes.extend_from_slice(&tag[..PASS_MAC_BYTES]);
        format!("{PASS_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The volunteer a pass names, if it is genuine and unexpired at `now`.
    pub fn read_pass(&self, pass: &str, now: DateTime<Utc>) -> Result<i64, PassError> {
        let bytes = pass
            .strip_prefix(PASS_PREFIX)
            .and_then(|rest| URL_SAFE_NO_PAD.decode(rest).ok())
            .filter(|b| b.len() == 16 + PASS_MAC_BYTES)
            .ok_or(PassError::Malformed)?;
        let (body, tag) = bytes.split_at(16);
        let expected = mac(&self.0, &[b"pass ", body]);
        if !bool::from(expected[..PASS_MAC_BYTES].ct_eq(tag)) {
            return Err(PassError::Malformed);
        }
        let mut id = [0u8; 8];
        let mut exp = [0u8; 8];
        id.copy_from_slice(&body[..8]);
        exp.copy_from_slice(&body[8..16]);
        if i64::from_be_bytes(exp) <= now.timestamp() {
            return Err(PassError::Expired);
        }
        Ok(i64::from_be_bytes(id))
    }
}

fn pass_body(volunteer_id: i64, expires: i64) -> [u8; 16] {
    let mut body = [0u8; 16];
    body[..8].copy_from_slice(&volunteer_id.to_be_bytes());
    body[8..].copy_from_slice(&expires.to_be_bytes());
    body
}

/// Why a pass was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassError {
    /// Not a pass of this service, or altered.
    Malformed,
    Expired,
}

/// The period `at` falls in: whole `period`s since the Unix epoch.
pub fn counter(at: DateTime<Utc>, period: u64) -> u64 {
    u64::try_from(at.timestamp()).unwrap_or(0) / period.max(1)
}

/// The payload of the event's check-in QR image.
pub fn code_qr(event_id: i64, code: &str) -> String {
    format!("{CODE_QR_PREFIX}{event_id}.{code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn a_code_is_six_digits_and_changes_each_period() {
        let key = AttendanceKey::derive(b"a secret of at least thirty-two bytes!!");
        let a = key.code(5, 100);
        let b = key.code(5, 101);
        assert_eq!(a.len(), 6);
        assert!(a.bytes().all(|c| c.is_ascii_digit()));
        assert_ne!(a, b, "consecutive periods have different codes");
        assert_eq!(a, key.code(5, 100), "the same period gives the same code");
    }

    #[test]
    fn codes_differ_between_events_and_keys() {
        let key = AttendanceKey::derive(b"one secret, thirty-two bytes or more");
        let other = AttendanceKey::derive(b"another secret, thirty-two bytes long");
        let mut same_event = 0;
        let mut same_key = 0;
        for c in 0..200 {
            same_event += usize::from(key.code(1, c) == key.code(2, c));
            same_key += usize::from(key.code(1, c) == other.code(1, c));
        }
        // one in a million each; a few in 200 would mean the event or key is ignored
        assert!(same_event <= 1 && same_key <= 1);
    }

    #[test]
    fn the_current_and_the_previous_code_are_valid_and_no_older_one() {
        let key = AttendanceKey::random();
        let now = at(1_800_000_030);
        let c = counter(now, 60);
        assert!(key.code_is_valid(9, &key.code(9, c), now, 60));
        assert!(key.code_is_valid(9, &key.code(9, c - 1), now, 60));
        assert!(
            !key.code_is_valid(9, &key.code(9, c - 2), now, 60),
            "a replayed old code"
        );
        assert!(
            !key.code_is_valid(9, &key.code(9, c + 1), now, 60),
            "a code of the future"
        );
        assert!(!key.code_is_valid(9, "12345", now, 60));
        assert!(!key.code_is_valid(9, "", now, 60));
    }

    #[test]
    fn the_current_code_expires_at_the_end_of_its_period() {
        let key = AttendanceKey::random();
        let (code, expires) = key.current_code(3, at(1_800_000_030), 60);
        assert_eq!(expires, at(1_800_000_060));
        assert_eq!(code, key.code(3, 1_800_000_030 / 60));
    }

    #[test]
    fn a_pass_names_its_volunteer_until_it_expires() {
        let key = AttendanceKey::random();
        let pass = key.pass(42, at(2_000));
        assert!(pass.starts_with(PASS_PREFIX));
        assert_eq!(key.read_pass(&pass, at(1_999)), Ok(42));
        assert_eq!(key.read_pass(&pass, at(2_000)), Err(PassError::Expired));
    }

    #[test]
    fn an_altered_or_foreign_pass_is_refused() {
        let key = AttendanceKey::random();
        let pass = key.pass(42, at(2_000));
        let other = AttendanceKey::random().pass(42, at(2_000));
        assert_eq!(key.read_pass(&other, at(1_000)), Err(PassError::Malformed));
        // change one character of the volunteer id
        let mut chars: Vec<char> = pass.chars().collect();
        let i = PASS_PREFIX.len() + 9;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let altered: String = chars.into_iter().collect();
        assert_eq!(
            key.read_pass(&altered, at(1_000)),
            Err(PassError::Malformed)
        );
        for junk in ["", "VHP1.", "VHP1.!!!!", "hello", &pass[..pass.len() - 2]] {
            assert_eq!(
                key.read_pass(junk, at(1_000)),
                Err(PassError::Malformed),
                "{junk}"
            );
        }
    }
}
