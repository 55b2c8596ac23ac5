//! Checking the seed files whole before anything is written: every bad field is named by
//! its file and location.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::i18n::Msg;
use crate::msg;

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
    fn fail(&mut self, pointer: impl Into<String>, reason: Msg) {
        self.errors.push(SeedError {
            file: self.file.clone(),
            location: pointer.into(),
            reason,
        });
    }
    fn text(&mut self, pointer: String, value: &str, max: usize) {
        let n = value.chars().count();
        if n == 0 || n > max || value.trim() != value {
            self.fail(pointer, msg!("text-length-trimmed", max = max));
        }
    }
    fn one_of(&mut self, pointer: String, value: &str, allowed: &[&str]) {
        if !allowed.contains(&value) {
            self.fail(
                pointer,
                msg!("not-one-of", value = value, allowed = allowed.join(", ")),
            );
        }
    }
}

pub fn check_plan(plan: &PlanFile) -> Vec<SeedError> {
    let mut c = Checker::new(PLAN_FILE);
    if !(2000..=2100).contains(&plan.year) {
        c.fail("/year", msg!("between", min = 2000, max = 2100));
    }
    c.text("/title".into(), &plan.title, 200);
    c.text("/issuer".into(), &plan.issuer, 200);
    if plan.sections.is_empty() {
        c.fail("/sections", msg!("plan-needs-section"));
    }
    let mut sections = HashSet::new();
    let mut items = HashSet::new();
    for (i, s) in plan.sections.iter().enumerate() {
        if !sections.insert(s.number) {
            c.fail(
                format!("/sections/{i}/number"),
                msg!("section-twice", number = s.number),
            );
        }
        if !(1..=99).contains(&s.number) {
            c.fail(
                format!("/sections/{i}/number"),
                msg!("between", min = 1, max = 99),
            );
        }
        c.text(format!("/sections/{i}/title"), &s.title, 200);
        if s.items.is_empty() {
            c.fail(format!("/sections/{i}/items"), msg!("section-needs-item"));
        }
        for (j, item) in s.items.iter().enumerate() {
            let at = format!("/sections/{i}/items/{j}");
            if !items.insert(item.number) {
                c.fail(
                    format!("{at}/number"),
                    msg!("item-twice", number = item.number),
                );
            }
            if !(1..=999).contains(&item.number) {
                c.fail(format!("{at}/number"), msg!("between", min = 1, max = 999));
            }
            c.text(format!("{at}/title"), &item.title, 200);
            if item.body.chars().count() > 20_000 {
                c.fail(
                    format!("{at}/body"),
                    msg!("at-most-characters", max = 20_000),
                );
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
            c.fail(format!("/branches/{i}/code"), msg!("code-form"));
        }
        c.text(format!("/branches/{i}/name"), &b.name, 100);
        if let Some(parent) = &b.parent {
            if !known.contains(parent) {
                c.fail(
                    format!("/branches/{i}/parent"),
                    msg!("no-branch-before", code = parent.as_str()),
                );
            }
        }
        if !known.insert(b.code.clone()) {
            c.fail(
                format!("/branches/{i}/code"),
                msg!("branch-twice", code = b.code.as_str()),
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
                c.fail(format!("{at}/phone"), msg!("phone-form"));
            }
        }
        if !branches.contains(&v.branch) {
            c.fail(
                format!("{at}/branch"),
                msg!("no-branch-code", code = v.branch.as_str()),
            );
        }
        c.one_of(format!("{at}/status"), &v.status, volunteer_model::STATUSES);
        for (j, tag) in v.tags.iter().enumerate() {
            if tag.is_empty()
                || tag.len() > 40
                || !tag
                    .chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_')
            {
                c.fail(format!("{at}/tags/{j}"), msg!("tag-form"));
            }
        }
        if volunteers.insert(v.volunteer_number.clone(), v).is_some() {
            c.fail(format!("{at}/volunteer_number"), msg!("appears-twice"));
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
                msg!("no-branch-code", code = e.organiser.as_str()),
            );
        }
        if e.ends_at <= e.starts_at {
            c.fail(
                format!("{at}/ends_at"),
                msg!("must-be-after", other = "starts_at"),
            );
        }
        if e.starts_at.date_naive().format("%Y").to_string() != plan.year.to_string() {
            c.fail(
                format!("{at}/starts_at"),
                msg!("in-plan-year", year = plan.year),
            );
        }
        if let Some(cap) = e.capacity {
            if !(1..=100_000).contains(&cap) {
                c.fail(
                    format!("{at}/capacity"),
                    msg!("between", min = 1, max = 100_000),
                );
            }
        }
        if e.plan_items.is_empty() {
            c.fail(format!("{at}/plan_items"), msg!("event-needs-plan-item"));
        }
        for (j, n) in e.plan_items.iter().enumerate() {
            if !item_numbers.contains(n) {
                c.fail(
                    format!("{at}/plan_items/{j}"),
                    msg!("plan-has-no-item", number = *n),
                );
            }
        }
        if events.insert(e.key.clone(), e).is_some() {
            c.fail(format!("{at}/key"), msg!("appears-twice"));
        }
    }

    let mut seen = HashSet::new();
    for (i, h) in demo.hours.iter().enumerate() {
        let at = format!("/hours/{i}");
        if !(1..=1440).contains(&h.minutes) {
            c.fail(
                format!("{at}/minutes"),
                msg!("between", min = 1, max = 1440),
            );
        }
        c.one_of(
            format!("{at}/status"),
            &h.status,
            &hour_model::STATUSES[..3],
        );
        if h.status == "rejected" && h.reason.is_none() {
            c.fail(format!("{at}/reason"), msg!("rejection-needs-reason"));
        }
        match volunteers.get(&h.volunteer) {
            None => c.fail(
                format!("{at}/volunteer"),
                msg!("no-volunteer-number", number = h.volunteer.as_str()),
            ),
            Some(v) if v.status != "active" => {
                c.fail(format!("{at}/volunteer"), msg!("volunteer-not-active"))
            }
            Some(_) => {}
        }
        match events.get(&h.event) {
            None => c.fail(
                format!("{at}/event"),
                msg!("no-event-key", key = h.event.as_str()),
            ),
            Some(e) => {
                let first = e.starts_at.date_naive();
                let last = e.ends_at.date_naive();
                if h.service_date < first || h.service_date > last {
                    c.fail(format!("{at}/service_date"), msg!("within-event"));
                }
                let length = (e.ends_at - e.starts_at).num_minutes();
                if (1..=1440).contains(&h.minutes) && i64::from(h.minutes) > length {
                    c.fail(format!("{at}/minutes"), msg!("longer-than-event-plain"));
                }
            }
        }
        if !seen.insert((h.volunteer.clone(), h.event.clone(), h.service_date)) {
            c.fail(at, msg!("second-entry-same-day"));
        }
    }
    c.errors
}
