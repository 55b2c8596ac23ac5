//! Writing the checked seed files: each object matched by its natural key, only missing
//! ones written.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use diesel::prelude::*;

use super::*;

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

pub(super) fn load_branches(
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

pub(super) fn load_demo(
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
                        signup_mode: "none",
                        signup_opens_at: None,
                        signup_closes_at: None,
                        signup_scope: "subtree",
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
                volunteer_id: crate::ids::VolunteerId(volunteer_id),
                event_id: crate::ids::EventId(event_id),
                branch_id: crate::ids::BranchId(branch_id),
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
                source: crate::hours::source::EntrySource::Entered.as_str(),
            })
            .execute(conn)?;
        report.hour_entries += 1;
    }
    Ok(())
}
