//! The totals query: one aggregate over hour entries, grouped as asked, built for either
//! backend. Every value placed in the SQL is a number, a date or a fixed name chosen here,
//! never text from the request.

use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};

use crate::auth::Scope;
use crate::db::Backend;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Volunteer,
    Branch,
    PlanItem,
    Event,
    Category,
    Month,
    /// Where the entries came from: typed in, check-in, error report, import.
    Source,
}

/// The longest `group_by` accepted: every grouping once is 54 characters.
pub const GROUP_BY_MAX_LENGTH: usize = 100;

/// The `group_by` values accepted, as the spec states them.
pub const GROUP_BY_PATTERN: &str = "^(volunteer|branch|plan_item|event|category|month|source)(,(volunteer|branch|plan_item|event|category|month|source))*$";

impl GroupBy {
    pub const ALL: [GroupBy; 7] = [
        GroupBy::Volunteer,
        GroupBy::Branch,
        GroupBy::PlanItem,
        GroupBy::Event,
        GroupBy::Category,
        GroupBy::Month,
        GroupBy::Source,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Volunteer => "volunteer",
            GroupBy::Branch => "branch",
            GroupBy::PlanItem => "plan_item",
            GroupBy::Event => "event",
            GroupBy::Category => "category",
            GroupBy::Month => "month",
            GroupBy::Source => "source",
        }
    }

    /// `volunteer,month` -> [Volunteer, Month]; order kept, repeats dropped. Exactly the
    /// form [`GROUP_BY_PATTERN`] describes: no spaces, no empty parts, at most
    /// [`GROUP_BY_MAX_LENGTH`] characters.
    pub fn parse_list(text: &str) -> Result<Vec<GroupBy>, crate::i18n::Msg> {
        if text.len() > GROUP_BY_MAX_LENGTH {
            return Err(crate::msg!("at-most-characters", max = GROUP_BY_MAX_LENGTH));
        }
        let mut out = Vec::new();
        for part in text.split(',') {
            let g = GroupBy::ALL
                .into_iter()
                .find(|g| g.as_str() == part)
                .ok_or_else(|| {
                    let allowed: Vec<&str> = GroupBy::ALL.iter().map(|g| g.as_str()).collect();
                    crate::msg!(
                        "unknown-grouping",
                        grouping = part,
                        allowed = allowed.join(", ")
                    )
                })?;
            if !out.contains(&g) {
                out.push(g);
            }
        }
        if out.is_empty() {
            return Err(crate::msg!("no-grouping"));
        }
        Ok(out)
    }
}

/// Training is reported apart from service, as volunteer-record rules count it separately.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Service,
    Training,
}

#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// The branch and the branches below it.
    pub branches: Option<Vec<i64>>,
    pub plan_item_id: Option<i64>,
    pub category: Option<&'static str>,
    pub status: &'static str,
    pub kind: Option<Kind>,
    /// Only entries of this source (`EntrySource`'s text).
    pub source: Option<&'static str>,
}

#[derive(Debug, Clone, QueryableByName, PartialEq, Eq)]
pub struct TotalsRow {
    #[diesel(sql_type = Nullable<BigInt>)]
    pub volunteer_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub volunteer_name: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub branch_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub branch_code: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub branch_name: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub plan_item_id: Option<i64>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub plan_item_number: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub plan_item_title: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub event_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub event_title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub category: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub month: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub source: Option<String>,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = BigInt)]
    pub total_minutes: i64,
    #[diesel(sql_type = BigInt)]
    pub entry_count: i64,
    #[diesel(sql_type = BigInt)]
    pub volunteer_count: i64,
    /// With the volunteer grouping: all-time approved minutes of the volunteer.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub cumulative_minutes: Option<i64>,
}

fn ids(list: &[i64]) -> String {
    if list.is_empty() {
        "-1".into()
    } else {
        list.iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Where a report's numbers are read from: every entry with its event, or (PostgreSQL) the
/// approved minutes per month, branch, volunteer, category and source that the database
/// keeps beside them (`hour_totals`, migration `2026-12-07-000001`), a row per volunteer and
/// month instead of one per entry, with no join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Entries,
    MonthlyTotals,
}

impl Source {
    /// The monthly totals where they hold the answer: on PostgreSQL, approved entries, whole
    /// months (or no bound), and no grouping or filter by event or plan item.
    pub fn for_report(backend: Backend, groups: &[GroupBy], f: &Filters) -> Source {
        let whole_months = f.from.is_none_or(|d| d.day() == 1)
            && f.to
                .is_none_or(|d| d.succ_opt().is_none_or(|next| next.day() == 1));
        let by_event = groups
            .iter()
            .any(|g| matches!(g, GroupBy::Event | GroupBy::PlanItem));
        if backend == Backend::Postgres
            && f.status == "approved"
            && whole_months
            && !by_event
            && f.plan_item_id.is_none()
        {
            Source::MonthlyTotals
        } else {
            Source::Entries
        }
    }
}

/// The SQL of a totals report. With no groups, one row per kind: the overall totals.
pub fn totals_sql(backend: Backend, groups: &[GroupBy], f: &Filters, scope: &Scope) -> String {
    let source = Source::for_report(backend, groups, f);
    totals_sql_from(source, backend, groups, f, scope)
}

/// [`totals_sql`] read from `source`, which must hold the answer ([`Source::for_report`]).
pub fn totals_sql_from(
    source: Source,
    backend: Backend,
    groups: &[GroupBy],
    f: &Filters,
    scope: &Scope,
) -> String {
    let totals = source == Source::MonthlyTotals;
    let month = match (backend, totals) {
        (Backend::Postgres, true) => "to_char(h.month, 'YYYY-MM')",
        (Backend::Postgres, false) => "to_char(h.service_date, 'YYYY-MM')",
        (Backend::Sqlite, _) => "substr(h.service_date, 1, 7)",
    };
    let (category, date) = if totals {
        ("h.category", "h.month")
    } else {
        ("e.category", "h.service_date")
    };
    let has = |g: GroupBy| groups.contains(&g);
    let null_big = "CAST(NULL AS BIGINT)";
    let null_int = "CAST(NULL AS INTEGER)";
    let null_text = "CAST(NULL AS TEXT)";
    let pick = |on: bool, expr: &str, null: &str, name: &str| {
        format!("{} AS {name}", if on { expr } else { null })
    };
    let kind = format!("CASE WHEN {category} = 'training' THEN 'training' ELSE 'service' END");
    // The inner level carries ids only: its hash table has a row per group and volunteer,
    // which at 10^7 entries is 10^5 rows or more, so each must be narrow, and its sums are
    // integers (a volunteer's minutes fit one), which PostgreSQL adds natively where a
    // BIGINT's sum is a NUMERIC. The outer level counts those rows per group, again on ids
    // only; the names are joined to its result, a row per group.
    let select = [
        pick(
            has(GroupBy::Volunteer),
            "h.volunteer_id",
            null_big,
            "volunteer_id",
        ),
        pick(has(GroupBy::Branch), "h.branch_id", null_big, "branch_id"),
        pick(
            has(GroupBy::PlanItem),
            "epi.plan_item_id",
            null_big,
            "plan_item_id",
        ),
        pick(has(GroupBy::Event), "h.event_id", null_big, "event_id"),
        pick(has(GroupBy::Category), category, null_text, "category"),
        pick(has(GroupBy::Month), month, null_text, "month"),
        pick(has(GroupBy::Source), "h.source", null_text, "source"),
        format!("{kind} AS kind"),
        "CAST(SUM(h.minutes) AS INTEGER) AS minutes".into(),
        if totals {
            "CAST(SUM(h.entries) AS INTEGER) AS entries".into()
        } else {
            "CAST(SUM(CASE WHEN h.corrects_id IS NULL THEN 1 ELSE 0 END) AS INTEGER) AS entries"
                .into()
        },
    ]
    .join(", ");

    let mut from = String::from(if totals {
        "hour_totals h"
    } else {
        "hour_entries h JOIN events e ON e.id = h.event_id"
    });
    if has(GroupBy::PlanItem) {
        from.push_str(" JOIN event_plan_items epi ON epi.event_id = h.event_id");
    }
    let named = [
        "o.volunteer_id AS volunteer_id".to_owned(),
        pick(
            has(GroupBy::Volunteer),
            "v.name",
            null_text,
            "volunteer_name",
        ),
        "o.branch_id AS branch_id".to_owned(),
        pick(has(GroupBy::Branch), "b.code", null_text, "branch_code"),
        pick(has(GroupBy::Branch), "b.name", null_text, "branch_name"),
        "o.plan_item_id AS plan_item_id".to_owned(),
        pick(
            has(GroupBy::PlanItem),
            "pi.number",
            null_int,
            "plan_item_number",
        ),
        pick(
            has(GroupBy::PlanItem),
            "pi.title",
            null_text,
            "plan_item_title",
        ),
        "o.event_id AS event_id".to_owned(),
        pick(has(GroupBy::Event), "ev.title", null_text, "event_title"),
        // each named, as SQLite resolves ORDER BY to a joined table's column otherwise
        "o.category AS category, o.month AS month, o.source AS source, o.kind AS kind, \
         o.total_minutes AS total_minutes, o.entry_count AS entry_count, \
         o.volunteer_count AS volunteer_count"
            .to_owned(),
        pick(
            has(GroupBy::Volunteer),
            "CAST(cv.cv_minutes AS BIGINT)",
            null_big,
            "cumulative_minutes",
        ),
    ]
    .join(", ");
    let mut names = String::new();
    if has(GroupBy::Volunteer) {
        names.push_str(" LEFT JOIN volunteers v ON v.id = o.volunteer_id LEFT JOIN ");
        // all-time approved minutes, whatever the report's filters
        names.push_str(match backend {
            Backend::Postgres => {
                "(SELECT volunteer_id AS cv_id, SUM(minutes) AS cv_minutes FROM hour_totals \
                 GROUP BY volunteer_id)"
            }
            Backend::Sqlite => {
                "(SELECT volunteer_id AS cv_id, SUM(minutes) AS cv_minutes FROM hour_entries \
                 WHERE status = 'approved' GROUP BY volunteer_id)"
            }
        });
        names.push_str(" cv ON cv.cv_id = o.volunteer_id");
    }
    if has(GroupBy::Branch) {
        names.push_str(" LEFT JOIN branches b ON b.id = o.branch_id");
    }
    if has(GroupBy::PlanItem) {
        names.push_str(" LEFT JOIN plan_items pi ON pi.id = o.plan_item_id");
    }
    if has(GroupBy::Event) {
        names.push_str(" LEFT JOIN events ev ON ev.id = o.event_id");
    }

    // the monthly totals hold approved entries only; a month is its first day
    let mut wh = vec![if totals {
        "TRUE".to_owned()
    } else {
        format!("h.status = '{}'", f.status)
    }];
    if let Some(d) = f.from {
        wh.push(format!("{date} >= '{}'", d.format("%Y-%m-%d")));
    }
    if let Some(d) = f.to {
        wh.push(format!("{date} <= '{}'", d.format("%Y-%m-%d")));
    }
    if let Some(b) = &f.branches {
        wh.push(format!("h.branch_id IN ({})", ids(b)));
    }
    match scope {
        Scope::All => {}
        Scope::Branches(b) => wh.push(format!("h.branch_id IN ({})", ids(b))),
        Scope::Volunteer(v) => wh.push(format!("h.volunteer_id = {}", v.unwrap_or(-1))),
    }
    if let Some(item) = f.plan_item_id {
        if has(GroupBy::PlanItem) {
            wh.push(format!("epi.plan_item_id = {item}"));
        } else {
            wh.push(format!(
                "h.event_id IN (SELECT event_id FROM event_plan_items WHERE plan_item_id = {item})"
            ));
        }
    }
    if let Some(c) = f.category {
        wh.push(format!("{category} = '{c}'"));
    }
    if let Some(s) = f.source {
        wh.push(format!("h.source = '{s}'"));
    }
    match f.kind {
        Some(Kind::Training) => wh.push(format!("{category} = 'training'")),
        Some(Kind::Service) => wh.push(format!("{category} <> 'training'")),
        None => {}
    }

    let mut group: Vec<&str> = Vec::new();
    for g in groups {
        match g {
            GroupBy::Volunteer => group.push("h.volunteer_id"),
            GroupBy::Branch => group.push("h.branch_id"),
            GroupBy::PlanItem => group.push("epi.plan_item_id"),
            GroupBy::Event => group.push("h.event_id"),
            GroupBy::Category => group.push(category),
            GroupBy::Month => group.push(month),
            GroupBy::Source => group.push("h.source"),
        }
    }
    group.push(&kind);
    group.push("h.volunteer_id");
    let order: Vec<&str> = groups
        .iter()
        .map(|g| match g {
            GroupBy::Volunteer => "volunteer_id",
            GroupBy::Branch => "branch_id",
            GroupBy::PlanItem => "plan_item_number, plan_item_id",
            GroupBy::Event => "event_id",
            GroupBy::Category => "category",
            GroupBy::Month => "month",
            GroupBy::Source => "source",
        })
        .chain(std::iter::once("kind"))
        .collect();
    // Two levels of hashing instead of COUNT(DISTINCT volunteer_id), which makes the database
    // sort every matching entry (n log n): first one row per group and volunteer, then the
    // groups, counting those rows. Both levels aggregate by hashing, so the cost grows
    // with the entries read, linearly.
    format!(
        "SELECT {named} FROM (SELECT {GROUP_IDS}, kind, \
         CAST(COALESCE(SUM(minutes), 0) AS BIGINT) AS total_minutes, \
         CAST(SUM(entries) AS BIGINT) AS entry_count, \
         CAST(COUNT(*) AS BIGINT) AS volunteer_count \
         FROM (SELECT {select} FROM {from} WHERE {} GROUP BY {}) t \
         GROUP BY {GROUP_IDS}, kind) o{names} ORDER BY {}",
        wh.join(" AND "),
        group.join(", "),
        order.join(", ")
    )
}

/// The grouping columns of the aggregation, each `NULL` when not grouped by.
const GROUP_IDS: &str = "volunteer_id, branch_id, plan_item_id, event_id, category, month, source";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groupings_parse_in_order() {
        assert_eq!(
            GroupBy::parse_list("branch,month,branch").unwrap(),
            vec![GroupBy::Branch, GroupBy::Month]
        );
        assert!(GroupBy::parse_list(&["month"; 16].join(",")).is_ok());
        assert_eq!(
            GroupBy::parse_list("source,volunteer").unwrap(),
            vec![GroupBy::Source, GroupBy::Volunteer]
        );
        for bad in [
            &["month"; 17].join(",")[..],
            "volunteer,colour",
            " , ",
            "",
            "branch, month",
            "volunteer,",
            ",month",
        ] {
            assert!(GroupBy::parse_list(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_monthly_totals_serve_whole_months_without_events_or_plan_items() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        let approved = Filters {
            status: "approved",
            ..Filters::default()
        };
        let with = |from, to| Filters {
            from,
            to,
            ..approved.clone()
        };
        let source =
            |groups: &[GroupBy], f: &Filters| Source::for_report(Backend::Postgres, groups, f);
        let totals = Source::MonthlyTotals;
        assert_eq!(source(&[GroupBy::Branch], &approved), totals);
        assert_eq!(
            source(&[], &with(day(2022, 1, 1), day(2022, 12, 31))),
            totals
        );
        assert_eq!(
            source(
                &[GroupBy::Volunteer],
                &with(day(2023, 2, 1), day(2023, 2, 28))
            ),
            totals
        );
        assert_eq!(
            source(&[GroupBy::Month], &with(None, day(2024, 2, 29))),
            totals
        );
        let grouped = [GroupBy::Category, GroupBy::Source, GroupBy::Month];
        assert_eq!(source(&grouped, &approved), totals);

        let entries = Source::Entries;
        assert_eq!(source(&[], &with(day(2022, 1, 2), None)), entries);
        assert_eq!(
            source(&[], &with(None, day(2024, 2, 28))),
            entries,
            "2024 is a leap year"
        );
        assert_eq!(source(&[], &with(None, day(2022, 12, 30))), entries);
        assert_eq!(source(&[GroupBy::Event], &approved), entries);
        assert_eq!(
            source(&[GroupBy::Branch, GroupBy::PlanItem], &approved),
            entries
        );
        let item = Filters {
            plan_item_id: Some(8),
            ..approved.clone()
        };
        assert_eq!(source(&[GroupBy::Branch], &item), entries);
        let submitted = Filters {
            status: "submitted",
            ..Filters::default()
        };
        assert_eq!(source(&[GroupBy::Branch], &submitted), entries);
        assert_eq!(
            Source::for_report(Backend::Sqlite, &[GroupBy::Branch], &approved),
            entries
        );
    }

    #[test]
    fn a_plan_item_filter_without_grouping_does_not_multiply_rows() {
        let f = Filters {
            plan_item_id: Some(8),
            status: "approved",
            ..Filters::default()
        };
        let sql = totals_sql(Backend::Sqlite, &[GroupBy::Volunteer], &f, &Scope::All);
        assert!(
            sql.contains(
                "h.event_id IN (SELECT event_id FROM event_plan_items WHERE plan_item_id = 8)"
            ),
            "{sql}"
        );
        assert!(!sql.contains("JOIN event_plan_items"), "{sql}");
    }
}
