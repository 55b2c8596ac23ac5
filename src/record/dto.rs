//! The record document (志愿服务记录): the five parts of art. 19 in one answer.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::Served;
use crate::commendations::dto::CommendationResponse;
use crate::error_reports::dto::ErrorReportResponse;
use crate::evaluations::dto::EvaluationResponse;
use crate::events::dto::Category;
use crate::hours::dto::hours_text;
use crate::volunteers::dto::VolunteerResponse;

/// A volunteer's whole record as of one moment: basic information, service, training,
/// commendations and evaluations (State Council regulation on volunteer service, art. 19),
/// with the star level reached and the error reports still open.
#[derive(Debug, Serialize, ToSchema)]
pub struct VolunteerRecord {
    /// When the record was read (as in reports): every figure is as of this moment.
    pub generated_at: DateTime<Utc>,
    /// Basic information (基本信息), masked for the caller as `GET /volunteers/{id}` is.
    pub volunteer: VolunteerResponse,
    /// Service (志愿服务情况): approved entries of events other than training.
    pub service: RecordHours,
    /// Training (培训情况): approved entries of training events, kept apart from service.
    pub training: RecordHours,
    /// 0 to 5 stars by approved service hours (training does not count).
    #[schema(example = 1, minimum = 0, maximum = 5)]
    pub star_level: u8,
    /// Approved service hours still needed for the next star; `null` at five stars.
    #[schema(
        required = true,
        example = "12.50",
        max_length = 24,
        pattern = "^[0-9]+\\.[0-9]{2}$"
    )]
    pub hours_to_next_star: Option<String>,
    /// Minutes of entries and corrections awaiting review: not yet part of the record.
    #[schema(example = 120)]
    pub pending_minutes: i64,
    /// Commendations and awards (表彰奖励情况), the latest first.
    #[schema(max_items = 100000)]
    pub commendations: Vec<CommendationResponse>,
    /// The organisers' evaluations (评价情况), the latest first.
    #[schema(max_items = 100000)]
    pub evaluations: Vec<EvaluationResponse>,
    /// The volunteer's error reports still awaiting the organiser's decision, oldest first.
    #[schema(max_items = 100000)]
    pub open_error_reports: Vec<ErrorReportResponse>,
}

/// Approved time of one kind (service or training), with its totals and entries.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct RecordHours {
    /// Approved minutes, corrections netted.
    #[schema(example = 6300)]
    pub approved_minutes: i64,
    #[schema(example = "105.00", max_length = 24, pattern = "^-?[0-9]+\\.[0-9]{2}$")]
    pub approved_hours: String,
    /// By calendar year of service, oldest first.
    #[schema(max_items = 10000)]
    pub by_year: Vec<YearTotal>,
    /// By plan item, in plan and item order. An event serving two items counts for each,
    /// so these may add up to more than the total.
    #[schema(max_items = 100000)]
    pub by_plan_item: Vec<PlanItemTotal>,
    /// The entries, oldest service first: every one, however many (one a day for a
    /// lifetime is some 30,000).
    #[schema(max_items = 1000000)]
    pub entries: Vec<RecordEntry>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct YearTotal {
    #[schema(example = 2022)]
    pub year: i32,
    #[schema(example = 480)]
    pub minutes: i64,
    #[schema(example = "8.00", max_length = 24, pattern = "^-?[0-9]+\\.[0-9]{2}$")]
    pub hours: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanItemTotal {
    #[schema(example = 8)]
    pub plan_item_id: i64,
    /// The year of the item's plan.
    #[schema(example = 2022)]
    pub plan_year: i32,
    /// The item's number in its plan.
    #[schema(example = 8)]
    pub number: i32,
    #[schema(example = "深化志愿服务“五化”建设", max_length = 500)]
    pub title: String,
    #[schema(example = 480)]
    pub minutes: i64,
    #[schema(example = "8.00", max_length = 24, pattern = "^-?[0-9]+\\.[0-9]{2}$")]
    pub hours: String,
}

/// An approved entry as the record shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RecordEntry {
    #[schema(example = 17)]
    pub hour_entry_id: i64,
    #[schema(example = 8)]
    pub event_id: i64,
    #[schema(example = "3·5学雷锋志愿服务", max_length = 200)]
    pub event_title: String,
    pub category: Category,
    /// The branch that organised the event.
    #[schema(example = 9)]
    pub organiser_branch_id: i64,
    pub service_date: NaiveDate,
    /// The entry's minutes with its approved corrections.
    #[schema(example = 150)]
    pub minutes: i64,
    #[schema(example = "2.50", max_length = 24, pattern = "^-?[0-9]+\\.[0-9]{2}$")]
    pub hours: String,
    #[schema(required = true, example = "引导员", max_length = 100)]
    pub role: Option<String>,
    /// The plan items the event serves.
    #[schema(example = json!([8]), max_items = 50)]
    pub plan_item_ids: Vec<i64>,
}

/// Service and training from the approved entries: the two kinds apart, each totalled by
/// year and by plan item.
pub fn split(served: Vec<Served>) -> (RecordHours, RecordHours) {
    let mut service = Totals::default();
    let mut training = Totals::default();
    for s in served {
        let kind = if Category::parse(&s.entry.category) == Category::Training {
            &mut training
        } else {
            &mut service
        };
        kind.add(s);
    }
    (service.finish(), training.finish())
}

#[derive(Default)]
struct Totals {
    minutes: i64,
    by_year: BTreeMap<i32, i64>,
    /// (plan year, number, id) -> (title, minutes)
    by_item: BTreeMap<(i32, i32, i64), (String, i64)>,
    entries: Vec<RecordEntry>,
}

impl Totals {
    fn add(&mut self, s: Served) {
        let Served {
            entry,
            net_minutes,
            plan_items,
        } = s;
        self.minutes += net_minutes;
        *self.by_year.entry(entry.service_date.year()).or_default() += net_minutes;
        let mut plan_item_ids = Vec::with_capacity(plan_items.len());
        for item in plan_items {
            plan_item_ids.push(item.plan_item_id);
            self.by_item
                .entry((item.year, item.number, item.plan_item_id))
                .or_insert_with(|| (item.title, 0))
                .1 += net_minutes;
        }
        self.entries.push(RecordEntry {
            hour_entry_id: entry.id,
            event_id: entry.event_id,
            event_title: entry.event_title,
            category: Category::parse(&entry.category),
            organiser_branch_id: entry.organiser_branch_id,
            service_date: entry.service_date,
            minutes: net_minutes,
            hours: hours_text(net_minutes),
            role: entry.role,
            plan_item_ids,
        });
    }

    fn finish(self) -> RecordHours {
        RecordHours {
            approved_minutes: self.minutes,
            approved_hours: hours_text(self.minutes),
            by_year: self
                .by_year
                .into_iter()
                .map(|(year, minutes)| YearTotal {
                    year,
                    minutes,
                    hours: hours_text(minutes),
                })
                .collect(),
            by_plan_item: self
                .by_item
                .into_iter()
                .map(
                    |((plan_year, number, plan_item_id), (title, minutes))| PlanItemTotal {
                        plan_item_id,
                        plan_year,
                        number,
                        title,
                        minutes,
                        hours: hours_text(minutes),
                    },
                )
                .collect(),
            entries: self.entries,
        }
    }
}

/// Hours still needed for the next star, `None` once every threshold is reached.
pub fn hours_to_next_star(minutes: i64, thresholds: &[u32; 5]) -> Option<String> {
    thresholds
        .iter()
        .map(|t| i64::from(*t) * 60)
        .find(|t| minutes < *t)
        .map(|t| hours_text(t - minutes))
}

#[cfg(test)]
mod tests {
    use super::super::model::{EntryRow, PlanItemOfEvent};
    use super::*;

    fn served(id: i64, date: &str, category: &str, minutes: i64, items: &[(i64, i32)]) -> Served {
        let event_id = id * 10;
        Served {
            entry: EntryRow {
                id,
                event_id,
                service_date: date.parse().unwrap(),
                minutes: 0,
                role: None,
                event_title: format!("event {id}"),
                category: category.into(),
                organiser_branch_id: 1,
            },
            net_minutes: minutes,
            plan_items: items
                .iter()
                .map(|(item, number)| PlanItemOfEvent {
                    event_id,
                    plan_item_id: *item,
                    year: 2022,
                    number: *number,
                    title: format!("item {number}"),
                })
                .collect(),
        }
    }

    #[test]
    fn training_is_kept_apart_and_each_kind_is_totalled_by_year_and_item() {
        let (service, training) = split(vec![
            served(1, "2021-12-05", "lei_feng_day", 90, &[(8, 8)]),
            served(2, "2022-03-05", "lei_feng_day", 120, &[(8, 8), (3, 3)]),
            served(3, "2022-04-01", "training", 60, &[(8, 8)]),
            served(4, "2022-05-01", "other", 30, &[]),
        ]);
        assert_eq!(service.approved_minutes, 240);
        assert_eq!(service.approved_hours, "4.00");
        let years: Vec<(i32, i64)> = service
            .by_year
            .iter()
            .map(|y| (y.year, y.minutes))
            .collect();
        assert_eq!(years, [(2021, 90), (2022, 150)]);
        // item 3 sorts before item 8; the event serving both counts for each
        let items: Vec<(i32, i64)> = service
            .by_plan_item
            .iter()
            .map(|i| (i.number, i.minutes))
            .collect();
        assert_eq!(items, [(3, 120), (8, 210)]);
        assert_eq!(service.entries.len(), 3);
        assert_eq!(service.entries[1].plan_item_ids, [8, 3]);
        assert_eq!(training.approved_minutes, 60);
        assert_eq!(training.entries[0].category, Category::Training);
        assert_eq!(training.by_plan_item[0].minutes, 60);
    }

    #[test]
    fn no_entries_is_an_empty_record() {
        let (service, training) = split(Vec::new());
        assert_eq!(service.approved_hours, "0.00");
        assert!(service.by_year.is_empty() && training.entries.is_empty());
    }

    #[test]
    fn hours_to_the_next_star() {
        let t = [100, 300, 600, 1000, 1500];
        assert_eq!(hours_to_next_star(0, &t).as_deref(), Some("100.00"));
        assert_eq!(
            hours_to_next_star(100 * 60 - 30, &t).as_deref(),
            Some("0.50")
        );
        assert_eq!(hours_to_next_star(100 * 60, &t).as_deref(), Some("200.00"));
        assert_eq!(hours_to_next_star(1500 * 60, &t), None);
    }
}
