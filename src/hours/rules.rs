//! Rules an hour entry keeps for as long as it is live: pure functions and small domain
//! types, no database and no HTTP.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};

use crate::msg;
use crate::validate::Errors;

/// The most minutes a volunteer can serve on one day.
pub const DAY_MINUTES: i64 = 24 * 60;

/// Minutes served by one entry: 1 to 1440, whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Minutes(i32);

impl Minutes {
    /// `None` outside 1 to 1440.
    pub fn served(m: i64) -> Option<Minutes> {
        (1..=DAY_MINUTES).contains(&m).then_some(Minutes(m as i32))
    }

    pub fn get(self) -> i32 {
        self.0
    }
}

/// A correction's signed minutes: non-zero, -1440 to 1440.
pub fn valid_correction(m: i32) -> bool {
    m != 0 && (-1440..=1440).contains(&m)
}

/// An entry's minutes with its corrections must stay within 0 to 1440: `Err` carries the
/// total it would reach.
pub fn net_after(net: i64, change: i64) -> Result<i64, i64> {
    let total = net + change;
    if (0..=DAY_MINUTES).contains(&total) {
        Ok(total)
    } else {
        Err(total)
    }
}

/// The volunteers and days whose minutes would pass 24 hours: `new` is what a submission
/// adds, `recorded` what is already live; each day over the cap with the total it reaches.
pub fn over_daily_cap<V: Eq + Hash + Copy>(
    new: impl IntoIterator<Item = (V, NaiveDate, i64)>,
    recorded: impl IntoIterator<Item = (V, NaiveDate, i64)>,
) -> HashMap<(V, NaiveDate), i64> {
    let mut adding: HashMap<(V, NaiveDate), i64> = HashMap::new();
    for (v, d, m) in new {
        *adding.entry((v, d)).or_default() += m;
    }
    let mut stored: HashMap<(V, NaiveDate), i64> = HashMap::new();
    for (v, d, m) in recorded {
        *stored.entry((v, d)).or_default() += m;
    }
    adding
        .into_iter()
        .map(|(key, m)| (key, m + stored.get(&key).copied().unwrap_or(0)))
        .filter(|(_, total)| *total > DAY_MINUTES)
        .collect()
}

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

/// What a request says of an entry's time: minutes, or start and end, and the day.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeInput {
    pub minutes: Option<i32>,
    pub service_date: Option<NaiveDate>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

/// An entry's time, resolved and checked against its event.
#[derive(Debug, Clone, Copy)]
pub struct Timing {
    pub minutes: Minutes,
    pub date: NaiveDate,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
}

impl Timing {
    /// The clock time served, where the entry gives it.
    pub fn interval(&self) -> Option<Interval> {
        Interval::new(self.started_at?, self.ended_at?)
    }
}

/// Resolves an entry's time against its event's window, adding every broken rule to `e`
/// under the pointer prefix `at`: start before end, inside the window, minutes that agree
/// with the times or fit the event, 1 to 1440, a day the event touches. `None` when the
/// time cannot be resolved at all.
pub fn resolve(e: &mut Errors, at: &str, input: TimeInput, window: &EventWindow) -> Option<Timing> {
    let minutes = match (input.started_at, input.ended_at) {
        (Some(s), Some(t)) => {
            if t <= s {
                e.add(
                    format!("{at}/ended_at"),
                    msg!("must-be-after", other = "started_at"),
                );
                return None;
            }
            let interval = Interval { start: s, end: t };
            if !window.contains(&interval) {
                e.add(format!("{at}/started_at"), msg!("outside-event-window"));
            }
            let span = (t - s).num_minutes();
            match input.minutes {
                Some(m) if i64::from(m) != span => {
                    e.add(
                        format!("{at}/minutes"),
                        msg!("minutes-mismatch", span = span),
                    );
                    return None;
                }
                _ => span,
            }
        }
        (None, None) => match input.minutes {
            Some(m) => {
                let longest = window.max_minutes();
                if i64::from(m) > longest && (1..=DAY_MINUTES).contains(&i64::from(m)) {
                    e.add(
                        format!("{at}/minutes"),
                        msg!("longer-than-event", longest = longest),
                    );
                }
                i64::from(m)
            }
            None => {
                e.add(format!("{at}/minutes"), msg!("minutes-or-times"));
                return None;
            }
        },
        _ => {
            e.add(format!("{at}/ended_at"), msg!("times-go-together"));
            return None;
        }
    };
    let Some(minutes) = Minutes::served(minutes) else {
        e.add(
            format!("{at}/minutes"),
            msg!("between", min = 1, max = DAY_MINUTES),
        );
        return None;
    };
    let local = |t: DateTime<Utc>| t.with_timezone(&window.offset).date_naive();
    let date = input
        .service_date
        .or(input.started_at.map(local))
        .unwrap_or_else(|| local(window.starts_at));
    let (first, last) = window.days();
    if date < first || date > last {
        e.add(
            format!("{at}/service_date"),
            msg!(
                "date-within-event",
                first = first.to_string(),
                last = last.to_string()
            ),
        );
    }
    Some(Timing {
        minutes,
        date,
        started_at: input.started_at,
        ended_at: input.ended_at,
    })
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
    fn minutes_are_one_to_a_day() {
        assert_eq!(Minutes::served(0), None);
        assert_eq!(Minutes::served(1).map(Minutes::get), Some(1));
        assert_eq!(Minutes::served(1440).map(Minutes::get), Some(1440));
        assert_eq!(Minutes::served(1441), None);
        assert!(valid_correction(-1440) && valid_correction(5));
        assert!(!valid_correction(0) && !valid_correction(1441));
    }

    #[test]
    fn corrections_keep_an_entry_within_a_day() {
        assert_eq!(net_after(60, -60), Ok(0));
        assert_eq!(net_after(60, -61), Err(-1));
        assert_eq!(net_after(1400, 41), Err(1441));
    }

    #[test]
    fn the_daily_cap_counts_what_is_stored_and_what_comes() {
        let over = over_daily_cap(
            [(1, day(), 600), (1, day(), 300), (2, day(), 60)],
            [(1, day(), 600), (2, day(), 1380)],
        );
        assert_eq!(over.get(&(1, day())), Some(&1500));
        assert_eq!(over.get(&(2, day())), None, "exactly 1440 is allowed");
        assert_eq!(over.len(), 1);
    }

    fn resolved(input: TimeInput) -> (Option<Timing>, Vec<String>) {
        let mut e = Errors::default();
        let t = resolve(&mut e, "/entries/0", input, &window());
        let pointers = match e.into_result() {
            Ok(()) => Vec::new(),
            Err(crate::error::AppError::Validation(errors)) => {
                errors.into_iter().map(|f| f.pointer).collect()
            }
            Err(other) => panic!("{other}"),
        };
        (t, pointers)
    }

    #[test]
    fn an_entry_resolves_from_minutes_or_times() {
        let (t, errors) = resolved(TimeInput {
            minutes: Some(90),
            ..TimeInput::default()
        });
        let t = t.expect("timing");
        assert!(errors.is_empty());
        assert_eq!(
            (t.minutes.get(), t.date),
            (90, day()),
            "the event's day by default"
        );
        let (t, errors) = resolved(TimeInput {
            started_at: Some(at(1, 0)),
            ended_at: Some(at(2, 30)),
            ..TimeInput::default()
        });
        assert!(errors.is_empty());
        assert_eq!(
            t.and_then(|t| t.interval()),
            Interval::new(at(1, 0), at(2, 30))
        );
    }

    #[test]
    fn each_broken_time_rule_names_its_field() {
        let cases = [
            (TimeInput::default(), "/entries/0/minutes"),
            (
                TimeInput {
                    minutes: Some(0),
                    ..TimeInput::default()
                },
                "/entries/0/minutes",
            ),
            (
                TimeInput {
                    minutes: Some(301),
                    ..TimeInput::default()
                },
                "/entries/0/minutes",
            ),
            (
                TimeInput {
                    started_at: Some(at(2, 0)),
                    ..TimeInput::default()
                },
                "/entries/0/ended_at",
            ),
            (
                TimeInput {
                    started_at: Some(at(2, 0)),
                    ended_at: Some(at(1, 0)),
                    ..TimeInput::default()
                },
                "/entries/0/ended_at",
            ),
            (
                TimeInput {
                    started_at: Some(at(0, 0)),
                    ended_at: Some(at(6, 0)),
                    ..TimeInput::default()
                },
                "/entries/0/started_at",
            ),
            (
                TimeInput {
                    minutes: Some(61),
                    started_at: Some(at(1, 0)),
                    ended_at: Some(at(2, 0)),
                    ..TimeInput::default()
                },
                "/entries/0/minutes",
            ),
            (
                TimeInput {
                    minutes: Some(60),
                    service_date: day().succ_opt(),
                    ..TimeInput::default()
                },
                "/entries/0/service_date",
            ),
        ];
        for (input, pointer) in cases {
            let (_, errors) = resolved(input);
            assert_eq!(errors, vec![pointer.to_owned()], "{input:?}");
        }
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
