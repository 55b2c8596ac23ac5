//! Loading the seed files: the 2022 plan, the units it names as branches, and a demo set.
//!
//! Seeding is idempotent: each object is matched by its natural key (plan year, branch
//! code, volunteer number, event organiser + title + start, hour entry volunteer + event +
//! day) and only missing ones are written. All of it happens in one transaction, and every
//! file is checked whole before anything is written, so a bad file changes nothing.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
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
    (PLAN_FILE, include_str!("../seeds/plan-2022.json")),
    (BRANCHES_FILE, include_str!("../seeds/branches.json")),
    (DEMO_FILE, include_str!("../seeds/demo.json")),
];

// ---- the files' shapes -------------------------------------------------------------------

/// A year's plan: the seed file's shape, and the body of `POST /api/v1/plans`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanFile {
    pub year: i32,
    pub title: String,
    pub title_en: Option<String>,
    pub issuer: String,
    pub published_on: Option<NaiveDate>,
    pub preamble: Option<String>,
    pub sections: Vec<SectionFile>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionFile {
    pub number: i32,
    pub title: String,
    pub title_en: Option<String>,
    pub items: Vec<ItemFile>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemFile {
    pub number: i32,
    pub title: String,
    pub title_en: Option<String>,
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
    pub reason: String,
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
            reason,
        }
    })
}

// ---- checking ----------------------------------------------------------------------------

struct Checker {
    file: String,
    errors: Vec<SeedError>,
}

impl Checker {
    fn new(file: &str) -> Self {
        Checker {
            file: format!("seeds/{file}"),
            errors: Vec::new(),
        }
    }
    fn fail(&mut self, pointer: impl Into<String>, reason: impl Into<String>) {
        self.errors.push(SeedError {
            file: self.file.clone(),
            location: pointer.into(),
            reason: reason.into(),
        });
    }
    fn text(&mut self, pointer: String, value: &str, max: usize) {
        let n = value.chars().count();
        if n == 0 || n > max || value.trim() != value {
            self.fail(
                pointer,
                format!("must be 1 to {max} characters without surrounding spaces"),
            );
        }
    }
    fn one_of(&mut self, pointer: String, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.fail(
                pointer,
                format!("`{value}` is not one of {}", allowed.join(", ")),
            );
        }
    }
}

pub fn check_plan(plan: &PlanFile) -> Vec<SeedError> {
    let mut c = Checker::new(PLAN_FILE);
    if !(2000..=2100).contains(&plan.year) {
        c.fail("/year", "must be between 2000 and 2100");
    }
    c.text("/title".into(), &plan.title, 200);
    c.text("/issuer".into(), &plan.issuer, 200);
    if plan.sections.is_empty() {
        c.fail("/sections", "a plan needs at least one section");
    }
    let mut sections = HashSet::new();
    let mut items = HashSet::new();
    for (i, s) in plan.sections.iter().enumerate() {
        if !sections.insert(s.number) {
            c.fail(
                format!("/sections/{i}/number"),
                format!("section {} appears twice", s.number),
            );
        }
        if !(1..=99).contains(&s.number) {
            c.fail(format!("/sections/{i}/number"), "must be between 1 and 99");
        }
        c.text(format!("/sections/{i}/title"), &s.title, 200);
        if s.items.is_empty() {
            c.fail(
                format!("/sections/{i}/items"),
                "a section needs at least one item",
            );
        }
        for (j, item) in s.items.iter().enumerate() {
            let at = format!("/sections/{i}/items/{j}");
            if !items.insert(item.number) {
                c.fail(
                    format!("{at}/number"),
                    format!("item {} appears twice", item.number),
                );
            }
            if !(1..=999).contains(&item.number) {
                c.fail(format!("{at}/number"), "must be between 1 and 999");
            }
            c.text(format!("{at}/title"), &item.title, 200);
            if item.body.chars().count() > 20_000 {
                c.fail(format!("{at}/body"), "must be at most 20000 characters");
            }
        }
    }
    c.errors
}

fn check_branches(c: &mut Checker, branches: &[BranchFile], known: &mut HashSet<String>) {
    for (i, b) in branches.iter().enumerate() {
        let valid_code = !b.code.is_empty()
            && b.code.len() <= 32
            && b.code
                .chars()
                .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_' || ch == '-');
        if !valid_code {
            c.fail(
                format!("/branches/{i}/code"),
                "must be 1 to 32 of A-Z, 0-9, '_', '-'",
            );
        }
        c.text(format!("/branches/{i}/name"), &b.name, 100);
        if let Some(parent) = &b.parent {
            if !known.contains(parent) {
                c.fail(
                    format!("/branches/{i}/parent"),
                    format!("no branch `{parent}` before this one"),
                );
            }
        }
        if !known.insert(b.code.clone()) {
            c.fail(
                format!("/branches/{i}/code"),
                format!("branch `{}` appears twice", b.code),
            );
        }
    }
}

pub fn check_branch_file(file: &BranchesFile) -> Vec<SeedError> {
    let mut c = Checker::new(BRANCHES_FILE);
    check_branches(&mut c, &file.branches, &mut HashSet::new());
    c.errors
}

/// Checks the demo set against the plan and the branches it builds on.
pub fn check_demo(demo: &DemoFile, plan: &PlanFile, base: &BranchesFile) -> Vec<SeedError> {
    let mut c = Checker::new(DEMO_FILE);
    let mut branches: HashSet<String> = base.branches.iter().map(|b| b.code.clone()).collect();
    check_branches(&mut c, &demo.branches, &mut branches);
    let item_numbers: HashSet<i32> = plan
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(|i| i.number))
        .collect();

    let mut volunteers = HashMap::new();
    for (i, v) in demo.volunteers.iter().enumerate() {
        let at = format!("/volunteers/{i}");
        c.text(format!("{at}/volunteer_number"), &v.volunteer_number, 40);
        c.text(format!("{at}/name"), &v.name, 50);
        if let Some(g) = &v.gender {
            c.one_of(format!("{at}/gender"), g, volunteer_model::GENDERS);
        }
        if let Some(p) = &v.phone {
            let digits = p.strip_prefix('+').unwrap_or(p);
            if !(5..=20).contains(&p.len())
                || digits.is_empty()
                || !digits.chars().all(|d| d.is_ascii_digit())
            {
                c.fail(
                    format!("{at}/phone"),
                    "must be 5 to 20 digits, optionally after '+'",
                );
            }
        }
        if !branches.contains(&v.branch) {
            c.fail(format!("{at}/branch"), format!("no branch `{}`", v.branch));
        }
        c.one_of(format!("{at}/status"), &v.status, volunteer_model::STATUSES);
        for (j, tag) in v.tags.iter().enumerate() {
            if tag.is_empty()
                || tag.len() > 40
                || !tag
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
            {
                c.fail(format!("{at}/tags/{j}"), "must be 1 to 40 of a-z, 0-9, '_'");
            }
        }
        if volunteers.insert(v.volunteer_number.clone(), v).is_some() {
            c.fail(format!("{at}/volunteer_number"), "appears twice");
        }
    }

    let mut events = HashMap::new();
    for (i, e) in demo.events.iter().enumerate() {
        let at = format!("/events/{i}");
        c.text(format!("{at}/title"), &e.title, 200);
        c.one_of(
            format!("{at}/category"),
            &e.category,
            event_model::CATEGORIES,
        );
        c.one_of(format!("{at}/status"), &e.status, event_model::STATUSES);
        if !branches.contains(&e.organiser) {
            c.fail(
                format!("{at}/organiser"),
                format!("no branch `{}`", e.organiser),
            );
        }
        if e.ends_at <= e.starts_at {
            c.fail(format!("{at}/ends_at"), "must be after starts_at");
        }
        if e.starts_at.date_naive().format("%Y").to_string() != plan.year.to_string() {
            c.fail(
                format!("{at}/starts_at"),
                format!("must be in the plan's year {}", plan.year),
            );
        }
        if let Some(cap) = e.capacity {
            if !(1..=100_000).contains(&cap) {
                c.fail(format!("{at}/capacity"), "must be between 1 and 100000");
            }
        }
        if e.plan_items.is_empty() {
            c.fail(
                format!("{at}/plan_items"),
                "an event needs at least one plan item",
            );
        }
        for (j, n) in e.plan_items.iter().enumerate() {
            if !item_numbers.contains(n) {
                c.fail(
                    format!("{at}/plan_items/{j}"),
                    format!("the plan has no item {n}"),
                );
            }
        }
        if events.insert(e.key.clone(), e).is_some() {
            c.fail(format!("{at}/key"), "appears twice");
        }
    }

    let mut seen = HashSet::new();
    for (i, h) in demo.hours.iter().enumerate() {
        let at = format!("/hours/{i}");
        if !(1..=1440).contains(&h.minutes) {
            c.fail(format!("{at}/minutes"), "must be between 1 and 1440");
        }
        c.one_of(
            format!("{at}/status"),
            &h.status,
            &hour_model::STATUSES[..3],
        );
        if h.status == "rejected" && h.reason.is_none() {
            c.fail(format!("{at}/reason"), "a rejected entry needs a reason");
        }
        match volunteers.get(&h.volunteer) {
            None => c.fail(
                format!("{at}/volunteer"),
                format!("no volunteer `{}`", h.volunteer),
            ),
            Some(v) if v.status != "active" => {
                c.fail(format!("{at}/volunteer"), "the volunteer is not active")
            }
            Some(_) => {}
        }
        match events.get(&h.event) {
            None => c.fail(format!("{at}/event"), format!("no event `{}`", h.event)),
            Some(e) => {
                let first = e.starts_at.date_naive();
                let last = e.ends_at.date_naive();
                if h.service_date < first || h.service_date > last {
                    c.fail(format!("{at}/service_date"), "must fall within the event");
                }
                let length = (e.ends_at - e.starts_at).num_minutes();
                if (1..=1440).contains(&h.minutes) && i64::from(h.minutes) > length {
                    c.fail(format!("{at}/minutes"), "longer than the event");
                }
            }
        }
        if !seen.insert((h.volunteer.clone(), h.event.clone(), h.service_date)) {
            c.fail(at, "a second entry for the same volunteer, event and day");
        }
    }
    c.errors
}

// ---- writing -----------------------------------------------------------------------------

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
                    action: "seed",
                    entity: "seed",
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

pub fn load_plan(
    conn: &mut DbConn,
    plan: &PlanFile,
    now: NaiveDateTime,
    report: &mut SeedReport,
) -> QueryResult<()> {
    let exists: Option<i64> = plans::table
        .filter(plans::year.eq(plan.year))
        .select(plans::id)
        .first(conn)
        .optional()?;
    if exists.is_some() {
        return Ok(());
    }
    diesel::insert_into(plans::table)
        .values(NewPlan {
            year: plan.year,
            title: &plan.title,
            title_en: plan.title_en.as_deref(),
            issuer: &plan.issuer,
            published_on: plan.published_on,
            preamble: plan.preamble.as_deref(),
            created_at: now,
            updated_at: now,
        })
        .execute(conn)?;
    let plan_id: i64 = plans::table
        .filter(plans::year.eq(plan.year))
        .select(plans::id)
        .first(conn)?;
    report.plans += 1;
    for section in &plan.sections {
        use crate::db::schema::plan_sections as ps;
        diesel::insert_into(ps::table)
            .values(NewSection {
                plan_id,
                number: section.number,
                title: &section.title,
                title_en: section.title_en.as_deref(),
            })
            .execute(conn)?;
        let section_id: i64 = ps::table
            .filter(ps::plan_id.eq(plan_id).and(ps::number.eq(section.number)))
            .select(ps::id)
            .first(conn)?;
        for item in &section.items {
            diesel::insert_into(plan_items::table)
                .values(NewItem {
                    plan_id,
                    section_id,
                    number: item.number,
                    title: &item.title,
                    title_en: item.title_en.as_deref(),
                    body: &item.body,
                })
                .execute(conn)?;
            report.plan_items += 1;
        }
    }
    Ok(())
}

fn load_branches(
    conn: &mut DbConn,
    branches: &[BranchFile],
    now: NaiveDateTime,
    report: &mut SeedReport,
) -> QueryResult<()> {
    for b in branches {
        if branch_model::id_by_code(conn, &b.code)?.is_some() {
            continue;
        }
        let parent_id = match &b.parent {
            Some(code) => {
                Some(branch_model::id_by_code(conn, code)?.ok_or(diesel::result::Error::NotFound)?)
            }
            None => None,
        };
        diesel::insert_into(crate::db::schema::branches::table)
            .values(NewBranch {
                code: &b.code,
                name: &b.name,
                parent_id,
                created_at: now,
                updated_at: now,
                search_text: branch_model::search_text(&b.code, &b.name),
            })
            .execute(conn)?;
        report.branches += 1;
    }
    Ok(())
}

fn utc(t: &DateTime<FixedOffset>) -> NaiveDateTime {
    t.naive_utc()
}

fn load_demo(
    conn: &mut DbConn,
    demo: &DemoFile,
    year: i32,
    now: NaiveDateTime,
    report: &mut SeedReport,
) -> QueryResult<()> {
    let plan_id: i64 = plans::table
        .filter(plans::year.eq(year))
        .select(plans::id)
        .first(conn)?;

    let mut volunteer_ids: HashMap<&str, (i64, i64)> = HashMap::new();
    for v in &demo.volunteers {
        let branch_id =
            branch_model::id_by_code(conn, &v.branch)?.ok_or(diesel::result::Error::NotFound)?;
        let find = |conn: &mut DbConn| {
            volunteers::table
                .filter(volunteers::volunteer_number.eq(&v.volunteer_number))
                .select((volunteers::id, volunteers::branch_id))
                .first::<(i64, i64)>(conn)
                .optional()
        };
        let ids = match find(conn)? {
            Some(ids) => ids,
            None => {
                diesel::insert_into(volunteers::table)
                    .values(NewVolunteer {
                        name: &v.name,
                        gender: v.gender.as_deref(),
                        phone: v.phone.as_deref(),
                        volunteer_number: Some(&v.volunteer_number),
                        branch_id,
                        status: &v.status,
                        joined_on: v.joined_on,
                        created_at: now,
                        updated_at: now,
                        search_text: volunteer_model::search_text(&v.name),
                    })
                    .execute(conn)?;
                let ids = find(conn)?.ok_or(diesel::result::Error::NotFound)?;
                for tag in &v.tags {
                    diesel::insert_into(crate::db::schema::volunteer_tags::table)
                        .values(NewTag {
                            volunteer_id: ids.0,
                            tag,
                        })
                        .execute(conn)?;
                }
                report.volunteers += 1;
                ids
            }
        };
        volunteer_ids.insert(v.volunteer_number.as_str(), ids);
    }

    let mut event_ids: HashMap<&str, (i64, NaiveDateTime)> = HashMap::new();
    for e in &demo.events {
        let organiser =
            branch_model::id_by_code(conn, &e.organiser)?.ok_or(diesel::result::Error::NotFound)?;
        let (starts_at, ends_at) = (utc(&e.starts_at), utc(&e.ends_at));
        let find = |conn: &mut DbConn| {
            events::table
                .filter(events::organiser_branch_id.eq(organiser))
                .filter(events::title.eq(&e.title))
                .filter(events::starts_at.eq(starts_at))
                .select(events::id)
                .first::<i64>(conn)
                .optional()
        };
        let id = match find(conn)? {
            Some(id) => id,
            None => {
                diesel::insert_into(events::table)
                    .values(NewEvent {
                        title: &e.title,
                        description: e.description.as_deref(),
                        category: &e.category,
                        organiser_branch_id: organiser,
                        place: e.place.as_deref(),
                        starts_at,
                        ends_at,
                        status: &e.status,
                        capacity: e.capacity,
                        created_by: None,
                        created_at: now,
                        updated_at: now,
                        search_text: event_model::search_text(&e.title, e.place.as_deref()),
                    })
                    .execute(conn)?;
                let id = find(conn)?.ok_or(diesel::result::Error::NotFound)?;
                for number in &e.plan_items {
                    let item_id: i64 = plan_items::table
                        .filter(plan_items::plan_id.eq(plan_id))
                        .filter(plan_items::number.eq(number))
                        .select(plan_items::id)
                        .first(conn)?;
                    diesel::insert_into(event_plan_items::table)
                        .values(NewEventPlanItem {
                            event_id: id,
                            plan_item_id: item_id,
                        })
                        .execute(conn)?;
                }
                report.events += 1;
                id
            }
        };
        event_ids.insert(e.key.as_str(), (id, ends_at));
    }

    for h in &demo.hours {
        let (volunteer_id, branch_id) = volunteer_ids[h.volunteer.as_str()];
        let (event_id, event_end) = event_ids[h.event.as_str()];
        let exists: Option<i64> = hour_entries::table
            .filter(hour_entries::volunteer_id.eq(volunteer_id))
            .filter(hour_entries::event_id.eq(event_id))
            .filter(hour_entries::service_date.eq(h.service_date))
            .filter(hour_entries::corrects_id.is_null())
            .select(hour_entries::id)
            .first(conn)
            .optional()?;
        if exists.is_some() {
            continue;
        }
        let reviewed = h.status != "submitted";
        diesel::insert_into(hour_entries::table)
            .values(NewHourEntry {
                volunteer_id,
                event_id,
                branch_id,
                minutes: h.minutes,
                service_date: h.service_date,
                started_at: None,
                ended_at: None,
                role: None,
                note: h.note.as_deref(),
                status: &h.status,
                corrects_id: None,
                submitted_by: None,
                reviewed_by: None,
                reviewed_at: reviewed.then_some(event_end),
                reason: h.reason.as_deref(),
                created_at: now,
                updated_at: now,
            })
            .execute(conn)?;
        report.hour_entries += 1;
    }
    Ok(())
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
        assert!(err.reason.contains("invalid type"), "{err}");
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
