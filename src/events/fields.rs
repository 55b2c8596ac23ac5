//! The rules of an event's fields, checked all at once, and an event as answered: what the
//! handlers and amendments share.

use chrono::{DateTime, Datelike, Utc};
use diesel::prelude::*;

use super::dto::EventResponse;
use super::model::{self, EventRow};
use crate::auth::Scope;
use crate::db::schema::{plan_items, plans};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::msg;
use crate::validate::Errors;

pub fn body_of(conn: &mut DbConn, row: EventRow) -> QueryResult<EventResponse> {
    let items = model::items_of(conn, &[row.id])?
        .remove(&row.id)
        .unwrap_or_default();
    let tags = model::tags_of(conn, &[row.id])?
        .remove(&row.id)
        .unwrap_or_default();
    Ok(EventResponse::new(row, items, tags))
}

pub struct Fields<'a> {
    pub title: &'a str,
    pub description: Option<&'a str>,
    pub place: Option<&'a str>,
    pub organiser: i64,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub capacity: Option<i32>,
    pub plan_item_ids: &'a [i64],
    pub signup_opens_at: Option<DateTime<Utc>>,
    pub signup_closes_at: Option<DateTime<Utc>>,
    pub required_tags: &'a [String],
    /// The organisation's clock: an event's plan year is its local year.
    pub offset: chrono::FixedOffset,
}

/// The UTC instant at which local day `d` begins.
pub fn local_midnight(d: chrono::NaiveDate, offset: chrono::FixedOffset) -> chrono::NaiveDateTime {
    d.and_hms_opt(0, 0, 0).unwrap_or_default()
        - chrono::Duration::seconds(i64::from(offset.local_minus_utc()))
}

/// Every rule of an event, all reported at once.
pub fn check(
    conn: &mut DbConn,
    scope: &Scope,
    f: &Fields<'_>,
    organiser_changed: bool,
) -> AppResult<()> {
    let mut e = Errors::default();
    e.text("/title", f.title, 1, 200);
    e.opt_text("/description", f.description, 5000);
    e.opt_text("/place", f.place, 200);
    if f.ends_at <= f.starts_at {
        e.add("/ends_at", msg!("must-be-after", other = "starts_at"));
    }
    if let Some(c) = f.capacity {
        if !(1..=100_000).contains(&c) {
            e.add("/capacity", msg!("between", min = 1, max = 100_000));
        }
    }
    if let (Some(opens), Some(closes)) = (f.signup_opens_at, f.signup_closes_at) {
        if closes <= opens {
            e.add(
                "/signup_closes_at",
                msg!("must-be-after", other = "signup_opens_at"),
            );
        }
    }
    if let Some(closes) = f.signup_closes_at {
        if closes > f.ends_at {
            e.add("/signup_closes_at", msg!("signup-closes-after-end"));
        }
    }
    if let Some(opens) = f.signup_opens_at {
        if opens >= f.ends_at {
            e.add("/signup_opens_at", msg!("signup-opens-after-end"));
        }
    }
    if f.required_tags.len() > crate::volunteers::dto::MAX_TAGS {
        e.add(
            "/required_tags",
            msg!("at-most-tags", max = crate::volunteers::dto::MAX_TAGS),
        );
    }
    for (i, tag) in f.required_tags.iter().enumerate() {
        e.tag(&format!("/required_tags/{i}"), tag);
    }
    if organiser_changed {
        let exists = crate::branches::model::find(conn, f.organiser)
            .optional()?
            .is_some();
        if !exists || !scope.has_branch(f.organiser) {
            e.add("/organiser_branch_id", msg!("no-such-branch-in-scope"));
        }
    }
    if f.plan_item_ids.is_empty() {
        e.add("/plan_item_ids", msg!("event-needs-plan-item"));
    } else if f.plan_item_ids.len() > 50 {
        e.add("/plan_item_ids", msg!("at-most-plan-items", max = 50));
    } else {
        let year = f.starts_at.with_timezone(&f.offset).year();
        let valid: Vec<i64> = plan_items::table
            .inner_join(plans::table)
            .filter(plans::year.eq(year))
            .filter(plan_items::id.eq_any(f.plan_item_ids))
            .select(plan_items::id)
            .load(conn)?;
        for (i, id) in f.plan_item_ids.iter().enumerate() {
            if !valid.contains(id) {
                e.add(
                    format!("/plan_item_ids/{i}"),
                    msg!("not-item-of-plan", year = year),
                );
            }
        }
    }
    e.into_result()
}
