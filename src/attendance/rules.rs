//! The rules of attendance, as pure functions: when check-in is open, which client times
//! an organiser's phone may state, and the service an attendance makes.

use chrono::{DateTime, Duration, DurationRound, Utc};

use crate::hours::rules::EventWindow;

/// How far ahead of the server's clock a phone's stated time may be.
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// When volunteers may check in at an event: from `early` before its start to its end
/// plus the window's tolerance.
#[derive(Debug, Clone, Copy)]
pub struct CheckInWindow {
    pub opens: DateTime<Utc>,
    pub closes: DateTime<Utc>,
}

impl CheckInWindow {
    pub fn of(window: &EventWindow, early: Duration) -> Self {
        CheckInWindow {
            opens: window.starts_at - early,
            closes: window.ends_at + window.tolerance,
        }
    }

    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        at >= self.opens && at <= self.closes
    }
}

/// Why a stated time is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeRefusal {
    /// Outside the check-in window.
    OutsideWindow,
    /// Later than the server's clock allows.
    InTheFuture,
    /// A check-out before its check-in.
    BeforeCheckIn,
}

/// The time that counts for a check-in or check-out: the phone's stated `at` (an
/// organiser's phone that was offline), or the server's `received` time. A stated time
/// must lie in the check-in window, not after `received` beyond the clock skew, and a
/// check-out's not before its check-in.
pub fn effective_time(
    at: Option<DateTime<Utc>>,
    received: DateTime<Utc>,
    window: &CheckInWindow,
    checked_in: Option<DateTime<Utc>>,
) -> Result<DateTime<Utc>, TimeRefusal> {
    let t = at.unwrap_or(received);
    if at.is_some() && t > received + CLOCK_SKEW {
        return Err(TimeRefusal::InTheFuture);
    }
    if let Some(start) = checked_in {
        if t < start {
            return Err(TimeRefusal::BeforeCheckIn);
        }
        // a check-out may come late; its time is clipped to the event's window later
        return Ok(t);
    }
    if !window.contains(t) {
        return Err(TimeRefusal::OutsideWindow);
    }
    Ok(t)
}

/// The service an attendance makes: its time clipped to the event's window with the
/// tolerance, the minutes rounded down, the start at its whole minute and the end that
/// many minutes later (never after the real check-out). `None` when under a minute is left.
pub fn served(
    checked_in: DateTime<Utc>,
    checked_out: DateTime<Utc>,
    window: &EventWindow,
) -> Option<(DateTime<Utc>, DateTime<Utc>, i32)> {
    let start = checked_in.max(window.starts_at - window.tolerance);
    let end = checked_out.min(window.ends_at + window.tolerance);
    let minutes = (end - start).num_minutes();
    if minutes < 1 {
        return None;
    }
    let mut from = start.duration_trunc(Duration::minutes(1)).ok()?;
    if from < window.starts_at - window.tolerance {
        // the window starts inside a minute: begin at the next whole one
        from += Duration::minutes(1);
    }
    let minutes = minutes.min((end - from).num_minutes());
    if minutes < 1 {
        return None;
    }
    Some((
        from,
        from + Duration::minutes(minutes),
        i32::try_from(minutes).ok()?,
    ))
}

/// When a forgotten check-out is closed: at the event's scheduled end, or now if that is
/// earlier (closing early), never before the check-in.
pub fn auto_close_at(
    checked_in: DateTime<Utc>,
    scheduled_end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    scheduled_end.min(now).max(checked_in)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, TimeZone};

    fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 5, h, m, s).unwrap()
    }

    fn window() -> EventWindow {
        EventWindow {
            starts_at: t(9, 0, 0),
            ends_at: t(11, 0, 0),
            tolerance: Duration::minutes(60),
            offset: FixedOffset::east_opt(8 * 3600).unwrap(),
        }
    }

    #[test]
    fn check_in_opens_early_and_closes_after_the_tolerance() {
        let w = CheckInWindow::of(&window(), Duration::minutes(30));
        assert!(!w.contains(t(8, 29, 59)));
        assert!(w.contains(t(8, 30, 0)));
        assert!(w.contains(t(12, 0, 0)));
        assert!(!w.contains(t(12, 0, 1)));
    }

    #[test]
    fn a_stated_time_must_be_in_the_window_and_not_ahead_of_the_clock() {
        let w = CheckInWindow::of(&window(), Duration::minutes(30));
        let now = t(9, 30, 0);
        assert_eq!(effective_time(None, now, &w, None), Ok(now));
        assert_eq!(
            effective_time(Some(t(9, 5, 0)), now, &w, None),
            Ok(t(9, 5, 0))
        );
        assert_eq!(
            effective_time(Some(t(9, 34, 0)), now, &w, None),
            Ok(t(9, 34, 0))
        );
        assert_eq!(
            effective_time(Some(t(9, 36, 0)), now, &w, None),
            Err(TimeRefusal::InTheFuture)
        );
        assert_eq!(
            effective_time(Some(t(8, 0, 0)), now, &w, None),
            Err(TimeRefusal::OutsideWindow)
        );
        assert_eq!(
            effective_time(None, t(7, 0, 0), &w, None),
            Err(TimeRefusal::OutsideWindow)
        );
    }

    #[test]
    fn a_check_out_is_not_before_its_check_in_but_may_be_late() {
        let w = CheckInWindow::of(&window(), Duration::minutes(30));
        assert_eq!(
            effective_time(Some(t(9, 0, 0)), t(10, 0, 0), &w, Some(t(9, 10, 0))),
            Err(TimeRefusal::BeforeCheckIn)
        );
        assert_eq!(
            effective_time(None, t(14, 0, 0), &w, Some(t(9, 10, 0))),
            Ok(t(14, 0, 0))
        );
    }

    #[test]
    fn served_minutes_are_rounded_down_and_times_whole_minutes() {
        let (from, to, m) = served(t(9, 0, 40), t(11, 0, 20), &window()).unwrap();
        assert_eq!((from, to, m), (t(9, 0, 0), t(10, 59, 0), 119));
        let (from, to, m) = served(t(9, 0, 40), t(11, 0, 50), &window()).unwrap();
        assert_eq!((from, to, m), (t(9, 0, 0), t(11, 0, 0), 120));
        assert!(to <= t(11, 0, 50));
    }

    #[test]
    fn served_time_is_clipped_to_the_window_with_tolerance() {
        // checked in 90 minutes early, out 2 hours late: 8:00 to 12:00
        let (from, to, m) = served(t(7, 30, 0), t(13, 0, 0), &window()).unwrap();
        assert_eq!((from, to, m), (t(8, 0, 0), t(12, 0, 0), 240));
    }

    #[test]
    fn under_a_minute_serves_nothing() {
        assert_eq!(served(t(9, 0, 0), t(9, 0, 59), &window()), None);
        assert_eq!(
            served(t(12, 30, 0), t(13, 0, 0), &window()),
            None,
            "all outside"
        );
    }

    #[test]
    fn a_forgotten_check_out_closes_at_the_scheduled_end_never_later() {
        assert_eq!(
            auto_close_at(t(9, 0, 0), t(11, 0, 0), t(15, 0, 0)),
            t(11, 0, 0)
        );
        assert_eq!(
            auto_close_at(t(9, 0, 0), t(11, 0, 0), t(10, 0, 0)),
            t(10, 0, 0)
        );
        assert_eq!(
            auto_close_at(t(11, 30, 0), t(11, 0, 0), t(15, 0, 0)),
            t(11, 30, 0)
        );
    }
}
