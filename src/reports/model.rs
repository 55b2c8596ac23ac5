//! The totals query: one aggregate over hour entries, grouped as asked, built for either
//! backend. Every value placed in the SQL is a number, a date or a fixed name chosen here,
//! never text from the request.

use chrono::NaiveDate;
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

/// The SQL of a totals report. With no groups, one row per kind: the overall totals.
pub fn totals_sql(backend: Backend, groups: &[GroupBy], f: &Filters, scope: &Scope) -> String {
    let month = match backend {
        Backend::Postgres => "to_char(h.service_date, 'YYYY-MM')",
        Backend::Sqlite => "substr(h.service_date, 1, 7)",
    };
    let has = |g: GroupBy| groups.contains(&g);
    let null_big = "CAST(NULL AS BIGINT)";
    let null_int = "CAST(NULL AS INTEGER)";
    let null_text = "CAST(NULL AS TEXT)";
    let pick = |on: bool, expr: &str, null: &str, name: &str| {
        format!("{} AS {name}", if on { expr } else { null })
    };
    let kind = "CASE WHEN e.category = 'training' THEN 'training' ELSE 'service' END";
    // The inner level carries ids only: its hash table has a row per group and volunteer,
    // which at 10^7 entries is 10^5 rows or more, so each must be narrow. The names are
    // joined to the result, a row per group.
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
        pick(has(GroupBy::Category), "e.category", null_text, "category"),
        pick(has(GroupBy::Month), month, null_text, "month"),
        pick(has(GroupBy::Source), "h.source", null_text, "source"),
        format!("{kind} AS kind"),
        "SUM(h.minutes) AS minutes".into(),
        "SUM(CASE WHEN h.corrects_id IS NULL THEN 1 ELSE 0 END) AS entries".into(),
    ]
    .join(", ");

    let mut from = String::from("hour_entries h JOIN events e ON e.id = h.event_id");
    if has(GroupBy::PlanItem) {
        from.push_str(" JOIN event_plan_items epi ON epi.event_id = h.event_id");
    }
    let outer = [
        "t.volunteer_id".to_owned(),
        pick(
            has(GroupBy::Volunteer),
            "v.name",
            null_text,
            "volunteer_name",
        ),
        "t.branch_id".to_owned(),
        pick(has(GroupBy::Branch), "b.code", null_text, "branch_code"),
        pick(has(GroupBy::Branch), "b.name", null_text, "branch_name"),
        "t.plan_item_id".to_owned(),
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
        "t.event_id".to_owned(),
        pick(has(GroupBy::Event), "ev.title", null_text, "event_title"),
        "t.category".to_owned(),
        "t.month".to_owned(),
        "t.source".to_owned(),
        "t.kind".to_owned(),
        "t.minutes".to_owned(),
        "t.entries".to_owned(),
        pick(
            has(GroupBy::Volunteer),
            "cv.cv_minutes",
            null_big,
            "cumulative",
        ),
    ]
    .join(", ");
    let mut names = String::new();
    if has(GroupBy::Volunteer) {
        names.push_str(
            " LEFT JOIN volunteers v ON v.id = t.volunteer_id \
             LEFT JOIN (SELECT volunteer_id AS cv_id, SUM(minutes) AS cv_minutes FROM hour_entries \
             WHERE status = 'approved' GROUP BY volunteer_id) cv ON cv.cv_id = t.volunteer_id",
        );
    }
    if has(GroupBy::Branch) {
        names.push_str(" LEFT JOIN branches b ON b.id = t.branch_id");
    }
    if has(GroupBy::PlanItem) {
        names.push_str(" LEFT JOIN plan_items pi ON pi.id = t.plan_item_id");
    }
    if has(GroupBy::Event) {
        names.push_str(" LEFT JOIN events ev ON ev.id = t.event_id");
    }

    let mut wh = vec![format!("h.status = '{}'", f.status)];
    if let Some(d) = f.from {
        wh.push(format!("h.service_date >= '{}'", d.format("%Y-%m-%d")));
    }
    if let Some(d) = f.to {
        wh.push(format!("h.service_date <= '{}'", d.format("%Y-%m-%d")));
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
        wh.push(format!("e.category = '{c}'"));
    }
    if let Some(s) = f.source {
        wh.push(format!("h.source = '{s}'"));
    }
    match f.kind {
        Some(Kind::Training) => wh.push("e.category = 'training'".into()),
        Some(Kind::Service) => wh.push("e.category <> 'training'".into()),
        None => {}
    }

    let mut group: Vec<&str> = Vec::new();
    for g in groups {
        match g {
            GroupBy::Volunteer => group.push("h.volunteer_id"),
            GroupBy::Branch => group.push("h.branch_id"),
            GroupBy::PlanItem => group.push("epi.plan_item_id"),
            GroupBy::Event => group.push("h.event_id"),
            GroupBy::Category => group.push("e.category"),
            GroupBy::Month => group.push(month),
            GroupBy::Source => group.push("h.source"),
        }
    }
    group.push(kind);
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
        "SELECT {GROUP_COLUMNS}, kind, \
         CAST(COALESCE(SUM(minutes), 0) AS BIGINT) AS total_minutes, \
         CAST(SUM(entries) AS BIGINT) AS entry_count, \
         CAST(COUNT(*) AS BIGINT) AS volunteer_count, \
         CAST(MAX(cumulative) AS BIGINT) AS cumulative_minutes \
         FROM (SELECT {outer} FROM (SELECT {select} FROM {from} WHERE {} GROUP BY {}) t{names}) \
         per_volunteer GROUP BY {GROUP_COLUMNS}, kind ORDER BY {}",
        wh.join(" AND "),
        group.join(", "),
        order.join(", ")
    )
}

/// The grouping columns of a totals row, each `NULL` when not grouped by.
const GROUP_COLUMNS: &str = "volunteer_id, volunteer_name, branch_id, branch_code, branch_name, \
     plan_item_id, plan_item_number, plan_item_title, event_id, event_title, category, month, source";

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
