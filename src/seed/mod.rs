//! Loading the seed files: the 2022 plan, the units it names as branches, and a demo set.
//!
//! Seeding is idempotent: each object is matched by its natural key (plan year, branch
//! code, volunteer number, event organiser + title + start, hour entry volunteer + event +
//! day) and only missing ones are written. All of it happens in one transaction, and every
//! file is checked whole before anything is written, so a bad file changes nothing.

use std::fmt;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::audit::{self, NewAudit};
use crate::branches::model::{self as branch_model, NewBranch};
use crate::db::schema::{event_plan_items, events, hour_entries, plan_items, plans, volunteers};
use crate::db::{self, DbConn};
use crate::events::model::{self as event_model, NewEvent, NewEventPlanItem};
use crate::hours::model::{self as hour_model, NewHourEntry};
use crate::plans::model::{NewItem, NewPlan, NewSection};
use crate::volunteers::model::{self as volunteer_model, NewTag, NewVolunteer};

pub const PLAN_FILE: &str = "plan-2022.json";
pub const BRANCHES_FILE: &str = "branches.json";
pub const DEMO_FILE: &str = "demo.json";

const EMBEDDED: &[(&str, &str)] = &[
    (PLAN_FILE, include_str!("../../seeds/plan-2022.json")),
    (BRANCHES_FILE, include_str!("../../seeds/branches.json")),
    (DEMO_FILE, include_str!("../../seeds/demo.json")),
];

// ---- the files' shapes -------------------------------------------------------------------

/// A year's plan: the seed file's shape, and the body of `POST /api/v1/plans`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    #[schema(example = 2023, minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, max_length = 200)]
    pub title_en: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub issuer: String,
    pub published_on: Option<NaiveDate>,
    #[schema(max_length = 20000)]
    pub preamble: Option<String>,
    /// Numbered 1 to 99, each number once.
    #[schema(min_items = 1, max_items = 99)]
    pub sections: Vec<SectionFile>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionFile {
    #[schema(minimum = 1, maximum = 99)]
    pub number: i32,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, max_length = 200)]
    pub title_en: Option<String>,
    /// Numbered 1 to 999, each number once in the plan.
    #[schema(min_items = 1, max_items = 999)]
    pub items: Vec<ItemFile>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemFile {
    #[schema(minimum = 1, maximum = 999)]
    pub number: i32,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(min_length = 1, max_length = 200)]
    pub title_en: Option<String>,
    #[schema(max_length = 20000)]
    pub body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchesFile {
    pub branches: Vec<BranchFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BranchFile {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoFile {
    #[serde(default)]
    pub branches: Vec<BranchFile>,
    pub volunteers: Vec<VolunteerFile>,
    pub events: Vec<EventFile>,
    pub hours: Vec<HourFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolunteerFile {
    pub volunteer_number: String,
    pub name: String,
    pub gender: Option<String>,
    pub phone: Option<String>,
    pub branch: String,
    pub status: String,
    pub joined_on: Option<NaiveDate>,
    #[serde(default)]
    pub tags: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFile {
    pub key: String,
    pub title: String,
    pub description: Option<String>,
    pub category: String,
    pub organiser: String,
    pub place: Option<String>,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub status: String,
    pub capacity: Option<i32>,
    pub plan_items: Vec<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HourFile {
    pub volunteer: String,
    pub event: String,
    pub minutes: i32,
    pub service_date: NaiveDate,
    pub status: String,
    pub reason: Option<String>,
    pub note: Option<String>,
}

// ---- errors ------------------------------------------------------------------------------

/// A problem in a seed file, located by line and column (syntax) or JSON pointer (content).
#[derive(Debug, PartialEq, Eq)]
pub struct SeedError {
    pub file: String,
    pub location: String,
    pub reason: crate::i18n::Msg,
}

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file, self.location, self.reason)
    }
}

impl std::error::Error for SeedError {}

#[derive(Debug, thiserror::Error)]
pub enum SeedFailure {
    #[error("seed file {0}")]
    File(#[from] SeedError),
    #[error("seed file(s) invalid:\n  {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n  "))]
    Invalid(Vec<SeedError>),
    #[error("could not read {file}: {cause}")]
    Io { file: String, cause: String },
    #[error("database error while seeding: {0}")]
    Database(#[from] diesel::result::Error),
}

// ---- reading -----------------------------------------------------------------------------

/// Where the seed files come from: the copies built into the binary, or a directory.
#[derive(Debug, Clone)]
pub enum Source<'a> {
    Embedded,
    Dir(&'a Path),
}

fn read<T: DeserializeOwned>(source: &Source<'_>, name: &str) -> Result<T, SeedFailure> {
    let (label, text) = match source {
        Source::Embedded => {
            let text = EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| (*t).to_owned())
                .unwrap_or_default();
            (format!("seeds/{name}"), text)
        }
        Source::Dir(dir) => {
            let path = dir.join(name);
            let label = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| SeedFailure::Io {
                file: label.clone(),
                cause: e.to_string(),
            })?;
            (label, text)
        }
    };
    parse(&label, &text).map_err(SeedFailure::File)
}

pub fn parse<T: DeserializeOwned>(label: &str, text: &str) -> Result<T, SeedError> {
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let reason = inner.to_string();
        let reason = match reason.rfind(" at line ") {
            Some(i) => reason[..i].to_owned(),
            None => reason,
        };
        SeedError {
            file: label.to_owned(),
            location: format!(
                "line {}, column {}, field `{path}`",
                inner.line(),
                inner.column()
            ),
            reason: crate::msg!("json-other", cause = reason),
        }
    })
}

mod check;
mod load;

pub use check::{check_branch_file, check_demo, check_plan};
pub use load::load_plan;
use load::{load_branches, load_demo};

#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeedReport {
    pub plans: usize,
    pub plan_items: usize,
    pub branches: usize,
    pub volunteers: usize,
    pub events: usize,
    pub hour_entries: usize,
}

impl SeedReport {
    pub fn is_empty(&self) -> bool {
        *self == SeedReport::default()
    }
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "added {} plan(s) with {} item(s), {} branch(es), {} volunteer(s), {} event(s), {} hour entr(ies)",
            self.plans, self.plan_items, self.branches, self.volunteers, self.events, self.hour_entries
        )
    }
}

/// Reads, checks and loads the seed files; with `demo`, the demo set too.
pub fn run(conn: &mut DbConn, source: &Source<'_>, demo: bool) -> Result<SeedReport, SeedFailure> {
    let plan: PlanFile = read(source, PLAN_FILE)?;
    let branches: BranchesFile = read(source, BRANCHES_FILE)?;
    let demo_file: Option<DemoFile> = if demo {
        Some(read(source, DEMO_FILE)?)
    } else {
        None
    };

    let mut errors = check_plan(&plan);
    errors.extend(check_branch_file(&branches));
    if let Some(d) = &demo_file {
        errors.extend(check_demo(d, &plan, &branches));
    }
    if !errors.is_empty() {
        if let Source::Dir(dir) = source {
            for e in &mut errors {
                let name = e.file.trim_start_matches("seeds/").to_owned();
                e.file = dir.join(name).display().to_string();
            }
        }
        return Err(SeedFailure::Invalid(errors));
    }

    db::write_tx(conn, |conn| {
        let mut report = SeedReport::default();
        let now = db::now();
        load_plan(conn, &plan, now, &mut report)?;
        load_branches(conn, &branches.branches, now, &mut report)?;
        if let Some(d) = &demo_file {
            load_branches(conn, &d.branches, now, &mut report)?;
            load_demo(conn, d, plan.year, now, &mut report)?;
        }
        if !report.is_empty() {
            audit::record(
                conn,
                &NewAudit {
                    occurred_at: now,
                    actor_id: None,
                    action: audit::Action::Seed,
                    entity: audit::Entity::Seed,
                    entity_id: None,
                    before_json: None,
                    after_json: serde_json::to_string(&report).ok(),
                    reason: Some(if demo { "seed --demo" } else { "seed" }),
                    request_id: None,
                },
            )?;
        }
        Ok::<_, SeedFailure>(report)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embedded<T: DeserializeOwned>(name: &str) -> T {
        read(&Source::Embedded, name).unwrap()
    }

    #[test]
    fn the_shipped_files_are_valid() {
        let plan: PlanFile = embedded(PLAN_FILE);
        let branches: BranchesFile = embedded(BRANCHES_FILE);
        let demo: DemoFile = embedded(DEMO_FILE);
        assert_eq!(check_plan(&plan), vec![]);
        assert_eq!(check_branch_file(&branches), vec![]);
        assert_eq!(check_demo(&demo, &plan, &branches), vec![]);
        let items: Vec<i32> = plan
            .sections
            .iter()
            .flat_map(|s| s.items.iter().map(|i| i.number))
            .collect();
        assert_eq!(items, (1..=11).collect::<Vec<_>>());
    }

    #[test]
    fn syntax_errors_name_file_line_and_field() {
        let err = parse::<BranchesFile>(
            "seeds/branches.json",
            "{\n  \"branches\": [\n    {\"code\": 5}\n  ]\n}",
        )
        .unwrap_err();
        assert_eq!(err.file, "seeds/branches.json");
        assert!(err.location.contains("line 3"), "{err}");
        assert!(err.location.contains("branches[0].code"), "{err}");
        assert!(err.to_string().contains("invalid type"), "{err}");
    }

    #[test]
    fn content_errors_name_the_field() {
        let mut plan: PlanFile = embedded(PLAN_FILE);
        plan.sections[1].items[0].number = 1;
        plan.sections[2].items.clear();
        let errors = check_plan(&plan);
        let where_: Vec<&str> = errors.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(
            where_,
            vec!["/sections/1/items/0/number", "/sections/2/items"]
        );
    }

    #[test]
    fn demo_references_are_checked() {
        let plan: PlanFile = embedded(PLAN_FILE);
        let branches: BranchesFile = embedded(BRANCHES_FILE);
        let mut demo: DemoFile = embedded(DEMO_FILE);
        demo.hours[0].volunteer = "nobody".into();
        demo.events[0].plan_items = vec![12];
        demo.events[1].category = "picnic".into();
        let errors = check_demo(&demo, &plan, &branches);
        let where_: Vec<&str> = errors.iter().map(|e| e.location.as_str()).collect();
        assert_eq!(
            where_,
            vec![
                "/events/0/plan_items/0",
                "/events/1/category",
                "/hours/0/volunteer"
            ]
        );
    }
}
