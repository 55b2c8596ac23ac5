//! Recording hours: one entry or a roster, all or none, once per Idempotency-Key.

use std::collections::{HashMap, HashSet};

use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;

use super::dto::{EntryInput, HourEntryResponse, Roster, Submission, SubmissionResponse};
use super::model::{self, HourRow, NewHourEntry};
use super::rules::{self, Interval, TimeInput, Timing, DAY_MINUTES};
use super::source::EntrySource;
use super::status::HourStatus;
use crate::audit;
use crate::auth::{Auth, Scope, Writers};
use crate::config::HoursConfig;
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, Problem};
use crate::idempotency;
use crate::ids::{BranchId, EventId, HourEntryId, UserId, VolunteerId};
use crate::msg;
use crate::validate::Errors;
use crate::AppState;

/// The most entries one submission may carry.
pub const MAX_ROSTER: usize = 500;

/// The entries of a body: a roster (`{"entries": [...]}`), or one entry.
fn parse_submission(value: &serde_json::Value) -> AppResult<(Vec<EntryInput>, bool)> {
    use crate::http::from_value as de;
    if value.get("entries").is_some() {
        let roster: Roster = de(value)?;
        if roster.entries.is_empty() || roster.entries.len() > MAX_ROSTER {
            return Err(AppError::validation(
                "/entries",
                msg!("roster-size", max = MAX_ROSTER),
            ));
        }
        Ok((roster.entries, true))
    } else {
        Ok((vec![de::<EntryInput>(value)?], false))
    }
}

impl EntryInput {
    fn volunteer(&self) -> VolunteerId {
        VolunteerId(self.volunteer_id)
    }

    fn time(&self) -> TimeInput {
        TimeInput {
            minutes: self.minutes,
            service_date: self.service_date,
            started_at: self.started_at,
            ended_at: self.ended_at,
        }
    }
}

/// One person, one place at a time: the live timed entries of other events or days that
/// the new `spans` (pointer, volunteer, interval) overlap, as a 409 naming them.
pub(super) fn refuse_overlaps(
    conn: &mut DbConn,
    spans: &[(String, VolunteerId, Interval)],
    except: Option<HourEntryId>,
) -> AppResult<()> {
    let (Some(from), Some(to)) = (
        spans.iter().map(|s| s.2.start).min(),
        spans.iter().map(|s| s.2.end).max(),
    ) else {
        return Ok(());
    };
    let mut volunteers: Vec<VolunteerId> = spans.iter().map(|s| s.1).collect();
    volunteers.sort_unstable();
    volunteers.dedup();
    let stored = model::timed_between(conn, &volunteers, from.naive_utc(), to.naive_utc(), except)?;
    let mut clashing = Vec::new();
    let mut at = Vec::new();
    for (pointer, volunteer, interval) in spans {
        for (id, other, _, start, end) in &stored {
            let theirs = Interval::new(start.and_utc(), end.and_utc());
            if other == volunteer && theirs.is_some_and(|t| t.overlaps(interval)) {
                clashing.push(id.get());
                if !at.contains(pointer) {
                    at.push(pointer.clone());
                }
            }
        }
    }
    if clashing.is_empty() {
        return Ok(());
    }
    let what = if at.iter().all(String::is_empty) {
        msg!("service-overlaps-recorded")
    } else {
        msg!("entries-overlap-recorded", entries = at.join(", "))
    };
    Err(AppError::entries_conflict(what, clashing))
}

/// Every rule of each entry on its own and within the roster: the volunteer in scope and
/// active, texts, time against the event, no volunteer twice on a day, no two overlapping
/// times of one volunteer. All broken rules at once, by pointer.
fn check_entries(
    entries: &[EntryInput],
    at: &dyn Fn(usize) -> String,
    people: &HashMap<VolunteerId, (BranchId, String)>,
    scope: &Scope,
    window: &rules::EventWindow,
) -> AppResult<Vec<Timing>> {
    let mut e = Errors::default();
    let mut resolved = Vec::with_capacity(entries.len());
    let mut seen = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let p = at(i);
        match people.get(&entry.volunteer()) {
            Some((branch, status)) if scope.has_branch(branch.get()) => {
                if status != "active" {
                    e.add(
                        format!("{p}/volunteer_id"),
                        msg!("volunteer-is", status = status.as_str()),
                    );
                }
            }
            _ => e.add(
                format!("{p}/volunteer_id"),
                msg!("no-such-volunteer-in-scope"),
            ),
        }
        e.opt_text(&format!("{p}/role"), entry.role.as_deref(), 50);
        e.opt_text(&format!("{p}/note"), entry.note.as_deref(), 500);
        let t = rules::resolve(&mut e, &p, entry.time(), window);
        if let Some(t) = &t {
            if !seen.insert((entry.volunteer(), t.date)) {
                e.add(p.clone(), msg!("volunteer-day-twice"));
            }
        }
        resolved.push(t);
    }
    let spans: Vec<(VolunteerId, Option<Interval>)> = entries
        .iter()
        .zip(&resolved)
        .map(|(entry, t)| (entry.volunteer(), t.as_ref().and_then(Timing::interval)))
        .collect();
    for (i, j) in rules::overlapping_pairs(&spans) {
        for (this, other) in [(i, j), (j, i)] {
            e.add(
                format!("{}/started_at", at(this)),
                msg!("overlaps-in-roster", other = at(other)),
            );
        }
    }
    e.into_result()?;
    Ok(resolved.into_iter().flatten().collect())
}

/// Checks and writes a submission in the caller's transaction, by `user_id`, for the
/// volunteers `scope` holds, with every rule of recording hours; the entries start as
/// `submitted` with `source`. Also what an accepted error report records a missing entry with.
#[allow(clippy::too_many_arguments)]
pub fn record(
    conn: &mut DbConn,
    cfg: &HoursConfig,
    user_id: i64,
    scope: &Scope,
    event_id: EventId,
    entries: &[EntryInput],
    roster: bool,
    source: EntrySource,
) -> AppResult<Vec<HourRow>> {
    let at = |i: usize| {
        if roster {
            format!("/entries/{i}")
        } else {
            String::new()
        }
    };
    let event = model::event(conn, event_id)?;
    if event.is_cancelled() {
        return Err(AppError::Conflict(msg!("event-cancelled")));
    }
    let ids: Vec<VolunteerId> = entries.iter().map(EntryInput::volunteer).collect();
    let people: HashMap<VolunteerId, (BranchId, String)> =
        model::lock_and_load_volunteers(conn, &ids)?
            .into_iter()
            .map(|(id, b, s)| (id, (b, s)))
            .collect();
    let resolved = check_entries(entries, &at, &people, scope, &event.window(cfg))?;

    // the live entries of these volunteers on these days, in one query: for duplicates at
    // this event and for the daily cap
    let days: Vec<NaiveDate> = resolved.iter().map(|t| t.date).collect();
    let live = model::live_on_days(conn, &ids, &days)?;
    for (i, (entry, t)) in entries.iter().zip(&resolved).enumerate() {
        let existing = live.iter().find(|l| {
            l.event_id == event_id
                && l.corrects_id.is_none()
                && l.volunteer_id == entry.volunteer()
                && l.service_date == t.date
        });
        if let Some(existing) = existing {
            let detail = msg!(
                "duplicates-entry",
                existing = existing.id.to_string(),
                volunteer = entry.volunteer_id.to_string(),
                date = t.date.to_string()
            );
            return Err(AppError::Conflict(if roster {
                msg!("roster-entry", entry = at(i), detail = detail)
            } else {
                detail
            }));
        }
    }
    let timed: Vec<(String, VolunteerId, Interval)> = entries
        .iter()
        .zip(&resolved)
        .enumerate()
        .filter_map(|(i, (entry, t))| Some((at(i), entry.volunteer(), t.interval()?)))
        .collect();
    refuse_overlaps(conn, &timed, None)?;

    // at most 24 hours a day per volunteer, counting what is already recorded
    let over = rules::over_daily_cap(
        entries
            .iter()
            .zip(&resolved)
            .map(|(entry, t)| (entry.volunteer(), t.date, i64::from(t.minutes.get()))),
        live.iter()
            .map(|l| (l.volunteer_id, l.service_date, i64::from(l.minutes))),
    );
    let mut e = Errors::default();
    for (i, (entry, t)) in entries.iter().zip(&resolved).enumerate() {
        if let Some(total) = over.get(&(entry.volunteer(), t.date)) {
            e.add(
                format!("{}/minutes", at(i)),
                msg!(
                    "over-daily-cap",
                    total = *total,
                    date = t.date.to_string(),
                    cap = DAY_MINUTES
                ),
            );
        }
    }
    e.into_result()?;

    let now = db::now();
    let news = entries
        .iter()
        .zip(&resolved)
        .map(|(entry, t)| {
            Ok(NewHourEntry {
                volunteer_id: entry.volunteer(),
                event_id,
                branch_id: people
                    .get(&entry.volunteer())
                    .map(|p| p.0)
                    .ok_or(AppError::NotFound)?,
                minutes: t.minutes.get(),
                service_date: t.date,
                started_at: t.started_at.map(|s| s.naive_utc()),
                ended_at: t.ended_at.map(|s| s.naive_utc()),
                role: entry.role.as_deref(),
                note: entry.note.as_deref(),
                status: HourStatus::Submitted.as_str(),
                corrects_id: None,
                submitted_by: Some(UserId(user_id)),
                reviewed_by: None,
                reviewed_at: None,
                reason: None,
                created_at: now,
                updated_at: now,
                source: source.as_str(),
            })
        })
        .collect::<AppResult<Vec<_>>>()?;
    let rows = model::insert(conn, &news)?;
    audit::log_created(conn, user_id, audit::Entity::HourEntry, &rows, |r| {
        r.id.get()
    })?;
    Ok(rows)
}

/// Record hours served at an event: one entry, or a roster of up to 500.
///
/// Needs an `Idempotency-Key` header: a fresh random value per submission, sent again
/// unchanged on every retry of it. A retry gets the first answer back (with
/// `Idempotent-Replayed: true`) and writes nothing; the same key with a different body is
/// refused (422); a retry sent while the first is still running waits for it and gets its
/// answer. Keys are kept 24 hours.
///
/// Rules: minutes 1-1440 (or `started_at`/`ended_at`), within the event's time; at most 24
/// hours a day per volunteer across all entries; the volunteer active and in the caller's
/// scope; the event not cancelled; one entry per volunteer, event and day (409 names the
/// existing one: correct it instead). Only time actually serving counts, not travel.
/// Entries start as `submitted`.
#[utoipa::path(
    tag = "hours",
    params(
        ("id" = i64, Path, description = "Event id"),
        ("Idempotency-Key" = String, Header, description = "Fresh per submission, the same on its retries; 1-255 visible ASCII"),
    ),
    request_body(content = Submission, description = "`{\"entries\": [...]}`, or one entry"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded (or the first answer, replayed)", body = SubmissionResponse,
         headers(("Location" = String, description = "Where to list the event's hours"))),
        (status = 400, description = "No Idempotency-Key, or malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "HR and volunteers cannot submit hours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "An entry exists for a volunteer on that day, the service overlaps the volunteer's other timed service, the event is cancelled, or the key is in use", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid entries, each named by pointer (e.g. /entries/3/minutes); or the key was used for another body", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/events/{id}/hours")]
pub async fn submit_hours(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    id: web::Path<i64>,
    body: crate::http::ApiJson<serde_json::Value>,
) -> AppResult<HttpResponse> {
    let key = idempotency::key_of(&req, true)?;
    let event_id = id.into_inner();
    let value = body.0;
    let (entries, roster) = parse_submission(&value)?;
    let caller = caller.0;
    let cfg = state.config.hours.clone();
    let who = caller.clone();
    idempotency::once(
        &state,
        &req,
        caller.user_id,
        key,
        &value,
        move |conn, lease| {
            let scope = who.scope(conn)?;
            let rows = record(
                conn,
                &cfg,
                who.user_id,
                &scope,
                EventId(event_id),
                &entries,
                roster,
                EntrySource::Entered,
            )?;
            let body = SubmissionResponse {
                event_id,
                entries: rows.into_iter().map(HourEntryResponse::from).collect(),
            };
            idempotency::finish(
                conn,
                lease,
                format!("/api/v1/hours?event_id={event_id}"),
                None,
                &body,
            )
        },
    )
    .await
}
