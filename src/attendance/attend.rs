//! Checking in and out, in the caller's transaction: who may, when, and the hour entry a
//! check-out makes with every rule of recording hours.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::dto::{Flag, Method};
use super::model::{self, AttendanceRow, CheckOut, NewCheckIn};
use super::rules::{self, CheckInWindow, TimeRefusal};
use crate::audit::{self, Action, Entity};
use crate::auth::Scope;
use crate::config::{AttendanceConfig, HoursConfig};
use crate::db::schema::{events, signups};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::hours::dto::EntryInput;
use crate::hours::rules::EventWindow;
use crate::hours::source::EntrySource;
use crate::ids::{EventId, VolunteerId};
use crate::msg;

/// A time as stored: to the microsecond, as PostgreSQL keeps it.
fn stored(t: DateTime<Utc>) -> chrono::NaiveDateTime {
    use chrono::DurationRound;
    t.duration_trunc(chrono::Duration::microseconds(1))
        .unwrap_or(t)
        .naive_utc()
}

/// What attendance needs to know of an event (read here, so that `events`, which closes
/// attendance when an event completes, can import this module).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventFacts {
    pub id: i64,
    pub status: String,
    pub organiser_branch_id: i64,
    pub starts_at: chrono::NaiveDateTime,
    pub ends_at: chrono::NaiveDateTime,
    pub signup_mode: String,
    pub signup_scope: String,
}

impl EventFacts {
    pub fn window(&self, cfg: &HoursConfig) -> EventWindow {
        EventWindow {
            starts_at: self.starts_at.and_utc(),
            ends_at: self.ends_at.and_utc(),
            tolerance: chrono::Duration::from_std(cfg.window_tolerance).unwrap_or_default(),
            offset: cfg.utc_offset,
        }
    }

    /// Attendance is taken while the event is planned or open.
    fn refuse_if_over(&self) -> AppResult<()> {
        match self.status.as_str() {
            "cancelled" => Err(AppError::Conflict(msg!("event-cancelled"))),
            "completed" => Err(AppError::Conflict(msg!("attendance-event-completed"))),
            _ => Ok(()),
        }
    }
}

/// The event, shared-locked on PostgreSQL (a change of its times waits for this work).
pub fn event(conn: &mut DbConn, id: i64) -> AppResult<EventFacts> {
    let query = events::table.find(id);
    Ok(match conn {
        DbConn::Pg(c) => query.select(EventFacts::as_select()).for_share().first(c),
        DbConn::Sqlite(c) => query.select(EventFacts::as_select()).first(c),
    }?)
}

/// The event if the caller organises it (its branch in the caller's scope): 404 otherwise.
pub fn organised(conn: &mut DbConn, scope: &Scope, id: i64) -> AppResult<EventFacts> {
    let ev = event(conn, id)?;
    if scope.has_branch(ev.organiser_branch_id) {
        Ok(ev)
    } else {
        Err(AppError::NotFound)
    }
}

/// Who may check in: at an event with sign-up, the admitted; at one without, any active
/// volunteer the event is open to (the organiser's branches, or all with `signup_scope`
/// `all`). The volunteer is locked, so that its check-ins and check-outs take turns.
fn may_attend(conn: &mut DbConn, ev: &EventFacts, volunteer_id: i64) -> AppResult<()> {
    let people = crate::hours::model::lock_and_load_volunteers(conn, &[VolunteerId(volunteer_id)])?;
    let Some((_, branch, status)) = people.into_iter().next() else {
        return Err(AppError::NotFound);
    };
    if status != "active" {
        return Err(AppError::Conflict(msg!("volunteer-is", status = status)));
    }
    if ev.signup_mode == "none" {
        let open_to = ev.signup_scope == "all"
            || crate::branches::model::subtree(conn, ev.organiser_branch_id)?
                .contains(&branch.get());
        if !open_to {
            return Err(AppError::Conflict(msg!("attendance-not-open-to")));
        }
        return Ok(());
    }
    let admitted: i64 = signups::table
        .filter(signups::event_id.eq(ev.id))
        .filter(signups::volunteer_id.eq(volunteer_id))
        .filter(signups::status.eq("admitted"))
        .count()
        .get_result(conn)?;
    if admitted == 0 {
        return Err(AppError::Conflict(msg!("attendance-not-admitted")));
    }
    Ok(())
}

/// A refused stated time (`at`) or, without one, the server's time outside the window.
fn time_refused(r: TimeRefusal, stated: bool, window: &CheckInWindow) -> AppError {
    let opens = window.opens.to_rfc3339();
    let closes = window.closes.to_rfc3339();
    match (r, stated) {
        (TimeRefusal::OutsideWindow, false) => {
            AppError::Conflict(msg!("check-in-closed", opens = opens, closes = closes))
        }
        (TimeRefusal::OutsideWindow, true) => AppError::validation(
            "/at",
            msg!("attendance-at-outside", opens = opens, closes = closes),
        ),
        (TimeRefusal::InTheFuture, _) => AppError::validation("/at", msg!("attendance-at-future")),
        (TimeRefusal::BeforeCheckIn, _) => {
            AppError::validation("/at", msg!("attendance-at-before-check-in"))
        }
    }
}

/// Who checks whom in or out, how, and when the phone says it happened.
pub struct Act {
    pub actor: i64,
    pub volunteer_id: i64,
    pub method: Method,
    pub at: Option<DateTime<Utc>>,
}

/// Checks the volunteer in: 409 when the event is over, the volunteer may not attend, the
/// window is closed or it is checked in already (naming that attendance).
pub fn check_in(
    conn: &mut DbConn,
    hours: &HoursConfig,
    cfg: &AttendanceConfig,
    event_id: i64,
    act: &Act,
) -> AppResult<AttendanceRow> {
    let ev = event(conn, event_id)?;
    ev.refuse_if_over()?;
    may_attend(conn, &ev, act.volunteer_id)?;
    let window = CheckInWindow::of(
        &ev.window(hours),
        chrono::Duration::from_std(cfg.early).unwrap_or_default(),
    );
    let received = Utc::now();
    let at = rules::effective_time(act.at, received, &window, None)
        .map_err(|r| time_refused(r, act.at.is_some(), &window))?;
    if let Some(open) = model::open_of(conn, event_id, act.volunteer_id)? {
        return Err(AppError::Conflict(msg!(
            "already-checked-in",
            attendance = open.id,
            at = open.checked_in_at.and_utc().to_rfc3339()
        )));
    }
    let now = crate::db::now();
    let row = model::insert(
        conn,
        &NewCheckIn {
            event_id,
            volunteer_id: act.volunteer_id,
            checked_in_at: stored(at),
            checked_in_client_at: act.at.map(stored),
            checked_in_received_at: stored(received),
            check_in_method: act.method.as_str(),
            checked_in_by: act.actor,
            created_at: now,
            updated_at: now,
        },
    )?;
    audit::log(
        conn,
        act.actor,
        Action::CheckIn,
        Entity::Attendance,
        row.id,
        None::<&()>,
        Some(&row),
    )?;
    Ok(row)
}

/// Checks the volunteer out and makes its hour entry: 409 when it is not checked in.
pub fn check_out(
    conn: &mut DbConn,
    hours: &HoursConfig,
    cfg: &AttendanceConfig,
    event_id: i64,
    act: &Act,
) -> AppResult<AttendanceRow> {
    let ev = event(conn, event_id)?;
    if ev.status == "cancelled" {
        return Err(AppError::Conflict(msg!("event-cancelled")));
    }
    crate::hours::model::lock_volunteers(conn, &[VolunteerId(act.volunteer_id)])?;
    let Some(open) = model::open_of(conn, event_id, act.volunteer_id)? else {
        return Err(AppError::Conflict(msg!("not-checked-in")));
    };
    let window = CheckInWindow::of(
        &ev.window(hours),
        chrono::Duration::from_std(cfg.early).unwrap_or_default(),
    );
    let received = Utc::now();
    let at = rules::effective_time(
        act.at,
        received,
        &window,
        Some(open.checked_in_at.and_utc()),
    )
    .map_err(|r| time_refused(r, act.at.is_some(), &window))?;
    close(conn, hours, &ev, &open, act, at, received, false)
}

/// Closes every open attendance of the event at its scheduled end (or now, if earlier),
/// flagged `auto_closed`, each with its hour entry: what completing the event does.
pub fn close_event(
    conn: &mut DbConn,
    hours: &HoursConfig,
    event_id: i64,
    actor: i64,
) -> AppResult<Vec<AttendanceRow>> {
    let ev = event(conn, event_id)?;
    let open = model::open_of_event(conn, event_id)?;
    let ids: Vec<VolunteerId> = open.iter().map(|a| VolunteerId(a.volunteer_id)).collect();
    crate::hours::model::lock_volunteers(conn, &ids)?;
    let received = Utc::now();
    let mut closed = Vec::with_capacity(open.len());
    for a in open {
        let at = rules::auto_close_at(a.checked_in_at.and_utc(), ev.ends_at.and_utc(), received);
        let act = Act {
            actor,
            volunteer_id: a.volunteer_id,
            method: Method::Auto,
            at: None,
        };
        closed.push(close(conn, hours, &ev, &a, &act, at, received, true)?);
    }
    Ok(closed)
}

/// Closes `open` at `at` and makes the entry; a rule of recording hours that refuses it
/// leaves the attendance closed and flagged with the reason instead.
#[allow(clippy::too_many_arguments)]
fn close(
    conn: &mut DbConn,
    hours: &HoursConfig,
    ev: &EventFacts,
    open: &AttendanceRow,
    act: &Act,
    at: DateTime<Utc>,
    received: DateTime<Utc>,
    auto: bool,
) -> AppResult<AttendanceRow> {
    let outcome = match rules::served(open.checked_in_at.and_utc(), at, &ev.window(hours)) {
        None => Err((Flag::TooShort, msg!("attendance-too-short"))),
        Some((from, to, minutes)) => {
            let entry = EntryInput {
                volunteer_id: open.volunteer_id,
                minutes: Some(minutes),
                service_date: None,
                started_at: Some(from),
                ended_at: Some(to),
                role: None,
                note: None,
            };
            // in a savepoint: a refused entry leaves nothing behind but the flag
            let made = conn.transaction(|c| {
                crate::hours::submit::record(
                    c,
                    hours,
                    act.actor,
                    &Scope::All,
                    EventId(ev.id),
                    &[entry],
                    false,
                    EntrySource::CheckIn,
                )
            });
            match made {
                Ok(rows) => rows
                    .first()
                    .map(|r| r.id.get())
                    .ok_or((Flag::Refused, msg!("attendance-refused"))),
                Err(e) => Err(flag_of(e)?),
            }
        }
    };
    let (entry, flag) = match &outcome {
        Ok(id) => (Some(*id), None),
        Err((flag, why)) => (None, Some((*flag, why.render(crate::i18n::Lang::ZhCn)))),
    };
    if let (Some(id), true) = (entry, auto) {
        model::mark_entry_auto_closed(conn, id)?;
    }
    let after = model::close(
        conn,
        open.id,
        &CheckOut {
            checked_out_at: stored(at),
            checked_out_client_at: act.at.map(stored),
            checked_out_received_at: stored(received),
            check_out_method: act.method.as_str(),
            checked_out_by: act.actor,
            auto_closed: auto,
            hour_entry_id: entry,
            flag: flag.as_ref().map(|f| f.0.as_str()),
            flag_detail: flag.as_ref().map(|f| f.1.as_str()),
            updated_at: crate::db::now(),
        },
    )?;
    audit::log(
        conn,
        act.actor,
        if auto {
            Action::AutoClose
        } else {
            Action::CheckOut
        },
        Entity::Attendance,
        after.id,
        Some(open),
        Some(&after),
    )?;
    Ok(after)
}

/// The flag for a rule of recording hours that refused a check-out's entry; any other
/// error (the database) is passed on and fails the whole request.
fn flag_of(e: AppError) -> AppResult<(Flag, crate::i18n::Msg)> {
    Ok(match e {
        AppError::EntriesConflict { detail, .. } => (Flag::Overlap, detail),
        AppError::Conflict(m) if m.key() == "duplicates-entry" => (Flag::Duplicate, m),
        AppError::Conflict(m) => (Flag::Refused, m),
        AppError::Validation(mut fields) if !fields.is_empty() => {
            let m = fields.remove(0).detail;
            if m.key() == "over-daily-cap" {
                (Flag::DailyCap, m)
            } else {
                (Flag::Refused, m)
            }
        }
        other => return Err(other),
    })
}

/// The volunteers admitted to the event by sign-up, by id (none at an event without).
pub fn admitted_volunteers(conn: &mut DbConn, event_id: i64) -> AppResult<Vec<i64>> {
    Ok(signups::table
        .filter(signups::event_id.eq(event_id))
        .filter(signups::status.eq("admitted"))
        .order(signups::volunteer_id)
        .select(signups::volunteer_id)
        .load(conn)?)
}
