//! Checking the seed files whole before anything is written: every bad field is named by
//! its file and location.

use std::collections::{HashMap, HashSet};

use super::*;

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
