//! Places at an event: who may take one, and filling freed places from the waiting list.

use diesel::prelude::*;

use super::model::{self, SignupRow};
use super::rules::{self, SignupStatus};
use crate::audit::{self, Action, Entity};
use crate::db::schema::{branches, volunteers};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::events::dto::SignupScope;
use crate::events::model::EventRow;
use crate::i18n::Msg;
use crate::msg;

/// The branch and every branch above it.
fn ancestors(conn: &mut DbConn, branch: i64) -> QueryResult<Vec<i64>> {
    let mut out = vec![branch];
    let mut at = branch;
    // a tree is shallow; the bound only guards against a cycle written by hand
    for _ in 0..64 {
        let parent: Option<i64> = branches::table
            .find(at)
            .select(branches::parent_id)
            .first(conn)?;
        match parent {
            Some(p) if !out.contains(&p) => {
                out.push(p);
                at = p;
            }
            _ => break,
        }
    }
    Ok(out)
}

/// Why the volunteer may not sign up for the event (the rule it breaks), if it may not:
/// not active, its branch outside the event's sign-up scope, a required tag missing.
pub fn refusal(conn: &mut DbConn, ev: &EventRow, volunteer_id: i64) -> QueryResult<Option<Msg>> {
    let (branch, status): (i64, String) = volunteers::table
        .find(volunteer_id)
        .select((volunteers::branch_id, volunteers::status))
        .first(conn)?;
    if status != "active" {
        return Ok(Some(msg!("volunteer-is", status = status)));
    }
    if SignupScope::parse(&ev.signup_scope) == SignupScope::Subtree
        && !ancestors(conn, branch)?.contains(&ev.organiser_branch_id)
    {
        return Ok(Some(msg!("signup-outside-scope")));
    }
    let required = crate::events::model::tags_of(conn, &[ev.id])?
        .remove(&ev.id)
        .unwrap_or_default();
    if !required.is_empty() {
        let has = crate::volunteers::model::tags_of(conn, &[volunteer_id])?
            .remove(&volunteer_id)
            .unwrap_or_default();
        let missing = rules::missing_tags(&required, &has);
        if !missing.is_empty() {
            return Ok(Some(msg!("signup-missing-tags", tags = missing.join(", "))));
        }
    }
    Ok(None)
}

/// Admits the first waitlisted while the event has room (a place freed, or the capacity
/// raised), each audited as a promotion by `actor`: the sign-ups admitted.
pub fn fill(conn: &mut DbConn, ev: &EventRow, actor: i64) -> AppResult<Vec<SignupRow>> {
    let mut promoted = Vec::new();
    if crate::events::dto::SignupMode::parse(&ev.signup_mode)
        != crate::events::dto::SignupMode::Open
    {
        return Ok(promoted);
    }
    while rules::has_room(ev.capacity, model::count_admitted(conn, ev.id)?) {
        let Some(next) = model::first_waitlisted(conn, ev.id)? else {
            break;
        };
        let after = model::set_status(conn, &next, SignupStatus::Admitted, Some(actor), None)?;
        audit::log(
            conn,
            actor,
            Action::Promote,
            Entity::Signup,
            after.id,
            Some(&next),
            Some(&after),
        )?;
        promoted.push(after);
    }
    Ok(promoted)
}
