//! Rules an hour entry keeps for as long as it is live: pure functions, no database.

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};

/// A span of clock time, start inclusive and end exclusive: one that ends at 12:00 and one
/// that starts at 12:00 do not overlap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interval {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

impl Interval {
    /// `None` unless `start` is before `end`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Option<Interval> {
        (start < end).then_some(Interval { start, end })
    }

    /// Whether the two share any moment (touching ends do not).
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The time an event allows its entries: its scheduled window widened by the tolerance on
/// both sides, and the calendar days (at the organisation's clock) that window touches.
#[derive(Debug, Clone, Copy)]
pub struct EventWindow {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub tolerance: Duration,
    pub offset: FixedOffset,
}

/// What an entry holds that its event's window constrains.
#[derive(Debug, Clone, Copy)]
pub struct EntryTime {
    pub minutes: i32,
    pub service_date: NaiveDate,
    pub interval: Option<Interval>,
    /// A correction carries signed minutes and no times; only its day is checked.
    pub is_correction: bool,
}

impl EventWindow {
    /// The longest an entry given in minutes only may be.
    pub fn max_minutes(&self) -> i64 {
        (self.ends_at - self.starts_at + self.tolerance * 2).num_minutes()
    }

    /// The first and last service dates the window allows.
    pub fn days(&self) -> (NaiveDate, NaiveDate) {
        let local = |t: DateTime<Utc>| t.with_timezone(&self.offset).date_naive();
        (
            local(self.starts_at - self.tolerance),
            local(self.ends_at + self.tolerance),
        )
    }

    /// Whether timed service lies inside the window.
    pub fn contains(&self, interval: &Interval) -> bool {
        interval.start >= self.starts_at - self.tolerance
            && interval.end <= self.ends_at + self.tolerance
    }

    /// Whether an entry accepted under some window still satisfies this one: its times
    /// inside, its minutes no longer than the event, its day one the event touches.
    pub fn admits(&self, entry: &EntryTime) -> bool {
        let (first, last) = self.days();
        let day_ok = entry.service_date >= first && entry.service_date <= last;
        if entry.is_correction {
            return day_ok;
        }
        let time_ok = match &entry.interval {
            Some(interval) => self.contains(interval),
            None => i64::from(entry.minutes) <= self.max_minutes(),
        };
        day_ok && time_ok
    }

    /// The plan year of the event: the local year of its start.
    pub fn plan_year(&self) -> i32 {
        use chrono::Datelike;
        self.starts_at.with_timezone(&self.offset).year()
    }
}

/// Pairs `(i, j)`, `i < j`, of intervals in `items` that belong to the same person and
/// overlap; `items` holds `(person, interval)`.
pub fn overlapping_pairs<P: PartialEq>(items: &[(P, Option<Interval>)]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (i, (p, a)) in items.iter().enumerate() {
        let Some(a) = a else { continue };
        for (j, (q, b)) in items.iter().enumerate().skip(i + 1) {
            if let Some(b) = b {
                if p == q && a.overlaps(b) {
                    pairs.push((i, j));
                }
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2022, 3, 5)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .map(|t| t.and_utc())
            .expect("time")
    }

    fn span(a: (u32, u32), b: (u32, u32)) -> Interval {
        Interval::new(at(a.0, a.1), at(b.0, b.1)).expect("interval")
    }

    fn window() -> EventWindow {
        EventWindow {
            starts_at: at(1, 0),
            ends_at: at(4, 0),
            tolerance: Duration::minutes(60),
            offset: FixedOffset::east_opt(8 * 3600).expect("offset"),
        }
    }

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 3, 5).expect("date")
    }

    #[test]
    fn an_interval_needs_its_start_before_its_end() {
        assert!(Interval::new(at(2, 0), at(2, 0)).is_none());
        assert!(Interval::new(at(3, 0), at(2, 0)).is_none());
    }

    #[test]
    fn full_and_partial_overlaps_count_touching_ends_do_not() {
        let morning = span((1, 0), (4, 0));
        assert!(morning.overlaps(&span((1, 0), (4, 0))), "the same span");
        assert!(morning.overlaps(&span((3, 0), (5, 0))), "partial, after");
        assert!(morning.overlaps(&span((0, 0), (1, 1))), "partial, before");
        assert!(morning.overlaps(&span((2, 0), (3, 0))), "inside");
        assert!(!morning.overlaps(&span((4, 0), (5, 0))), "touching after");
        assert!(!morning.overlaps(&span((0, 0), (1, 0))), "touching before");
    }

    #[test]
    fn overlapping_pairs_are_per_person() {
        let items = vec![
            (1, Some(span((1, 0), (3, 0)))),
            (2, Some(span((1, 0), (3, 0)))),
            (1, None),
            (1, Some(span((2, 0), (4, 0)))),
            (1, Some(span((3, 0), (5, 0)))),
        ];
        assert_eq!(overlapping_pairs(&items), vec![(0, 3), (3, 4)]);
    }

    #[test]
    fn the_window_admits_what_fits_it_with_tolerance() {
        let w = window();
        let timed = |a, b| EntryTime {
            minutes: 0,
            service_date: day(),
            interval: Some(span(a, b)),
            is_correction: false,
        };
        assert!(
            w.admits(&timed((0, 0), (5, 0))),
            "the tolerance on both sides"
        );
        assert!(!w.admits(&timed((0, 0), (5, 1))), "a minute past it");
        let minutes = |m| EntryTime {
            minutes: m,
            service_date: day(),
            interval: None,
            is_correction: false,
        };
        assert_eq!(w.max_minutes(), 300);
        assert!(w.admits(&minutes(300)));
        assert!(!w.admits(&minutes(301)));
        let other_day = EntryTime {
            service_date: day().succ_opt().expect("date"),
            ..minutes(60)
        };
        assert!(!w.admits(&other_day));
        let correction = EntryTime {
            minutes: 5000,
            is_correction: true,
            ..minutes(0)
        };
        assert!(
            w.admits(&correction),
            "a correction is held to its day only"
        );
    }

    #[test]
    fn the_plan_year_is_the_local_year_of_the_start() {
        let new_years_eve = EventWindow {
            starts_at: chrono::NaiveDate::from_ymd_opt(2021, 12, 31)
                .and_then(|d| d.and_hms_opt(17, 0, 0))
                .map(|t| t.and_utc())
                .expect("time"),
            ..window()
        };
        assert_eq!(
            new_years_eve.plan_year(),
            2022,
            "01:00 on 1 January at +08:00"
        );
    }
}
