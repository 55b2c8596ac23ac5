//! The yearly plans: everyone reads them, administrators add a year's plan.

use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;

use super::dto::{PlanDetail, PlanItemQuery, PlanItemResponse, PlanQuery, PlanSummary};
use super::model::{PlanItemRow, PlanRow, SectionRow};
use crate::audit;
use crate::auth::{AdminOnly, AnyRole, Auth};
use crate::db::schema::{plan_items, plan_sections, plans};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult, FieldError, Problem};
use crate::http::{etag, Page, Paging};
use crate::idempotency::Creation;
use crate::msg;
use crate::seed::PlanFile;
use crate::AppState;

/// List plans, ordered by id.
///
/// Every role reads the plans: one a year, each with its item count.
#[utoipa::path(
    tag = "plans",
    params(PlanQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of plans", body = Page<PlanSummary>),
    )
)]
#[get("/plans")]
pub async fn list_plans(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<PlanQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let (items, total) = state
        .reads(&caller)
        .db(move |conn| {
            let filtered = || {
                let mut f = plans::table.into_boxed();
                if let Some(y) = q.year {
                    f = f.filter(plans::year.eq(y));
                }
                f
            };
            let (rows, total) = crate::page_of!(conn, filtered, plans::id, paging, PlanRow);
            let mut items = Vec::with_capacity(rows.len());
            for row in rows {
                let n: i64 = plan_items::table
                    .filter(plan_items::plan_id.eq(row.id))
                    .count()
                    .get_result(conn)?;
                items.push(PlanSummary::new(row, n));
            }
            Ok((items, total))
        })
        .await?;
    Ok(paging.respond(items, total))
}

fn detail(conn: &mut DbConn, id: i64) -> QueryResult<(i64, PlanDetail)> {
    let plan: PlanRow = plans::table
        .find(id)
        .select(PlanRow::as_select())
        .first(conn)?;
    let sections: Vec<SectionRow> = plan_sections::table
        .filter(plan_sections::plan_id.eq(id))
        .order(plan_sections::number)
        .select(SectionRow::as_select())
        .load(conn)?;
    let items: Vec<PlanItemRow> = plan_items::table
        .filter(plan_items::plan_id.eq(id))
        .order(plan_items::number)
        .select(PlanItemRow::as_select())
        .load(conn)?;
    Ok((plan.version, PlanDetail::new(plan, sections, items)))
}

/// A plan with its sections and items.
///
/// Every role reads it; sections and items come in order of their numbers.
#[utoipa::path(
    tag = "plans",
    params(("id" = i64, Path, description = "Plan id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The plan", body = PlanDetail, headers(("ETag" = String, description = "Current version"))),
    )
)]
#[get("/plans/{id}")]
pub async fn get_plan(
    state: web::Data<AppState>,
    _caller: Auth<AnyRole>,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = id.into_inner();
    let (version, body) = state.db(move |conn| Ok(detail(conn, id)?)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, etag(version)))
        .json(body))
}

/// List plan items, by plan year then number.
///
/// Every role reads them; each names its plan, year and section. Filter by plan or year.
#[utoipa::path(
    tag = "plans",
    params(PlanItemQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of plan items", body = Page<PlanItemResponse>),
    )
)]
#[get("/plan-items")]
pub async fn list_plan_items(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<PlanItemQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let paging = Paging::new(q.limit, q.page)?;
    let (items, total) = state
        .reads(&caller)
        .db(move |conn| {
        let filtered = || {
            let mut f = plan_items::table
                .inner_join(plans::table)
                .inner_join(plan_sections::table)
                .into_boxed();
            if let Some(p) = q.plan_id {
                f = f.filter(plan_items::plan_id.eq(p));
            }
            if let Some(y) = q.year {
                f = f.filter(plans::year.eq(y));
            }
            f
        };
        let (rows, total) = crate::page_of!(
            conn,
            filtered,
            (plans::year, plan_items::number),
            paging,
            (PlanItemRow::as_select(), plans::year, plan_sections::number) => (PlanItemRow, i32, i32)
        );
        let items = rows
            .into_iter()
            .map(|(i, year, section)| PlanItemResponse {
                id: i.id,
                plan_id: i.plan_id,
                plan_year: year,
                section_number: section,
                number: i.number,
                title: i.title,
                title_en: i.title_en,
                body: i.body,
            })
            .collect::<Vec<_>>();
        Ok((items, total))
    })
    .await?;
    Ok(paging.respond(items, total))
}

/// Add a year's plan.
///
/// Administrators only, in the seed file's shape. The document is checked whole (duplicate
/// numbers, empty sections, lengths) before anything is written; a year has one plan (409).
/// Send an `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "plans",
    request_body = PlanFile,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = PlanDetail,
         headers(("Location" = String, description = "URL of the new plan"), ("ETag" = String, description = "Its version"))),
        (status = 403, description = "Not an administrator", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "That year has a plan", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid document; every problem named by JSON pointer", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/plans")]
pub async fn create_plan(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<AdminOnly>,
    create: Creation<PlanFile>,
) -> AppResult<HttpResponse> {
    let (plan, pending) = create.parts();
    let errors: Vec<FieldError> = crate::seed::check_plan(&plan)
        .into_iter()
        .map(|e| FieldError::new(e.location, e.reason))
        .collect();
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let actor = caller.user_id;
    pending
        .once(&state, &req, actor, move |conn, lease| {
            let taken: i64 = plans::table
                .filter(plans::year.eq(plan.year))
                .count()
                .get_result(conn)?;
            if taken > 0 {
                return Err(AppError::Conflict(msg!("year-has-plan", year = plan.year)));
            }
            let mut report = crate::seed::SeedReport::default();
            crate::seed::load_plan(conn, &plan, db::now(), &mut report)?;
            let id: i64 = plans::table
                .filter(plans::year.eq(plan.year))
                .select(plans::id)
                .first(conn)?;
            let (version, body) = detail(conn, id)?;
            crate::idempotency::created(
                conn,
                lease,
                actor,
                audit::Entity::Plan,
                "/api/v1/plans",
                id,
                version,
                &body,
            )
        })
        .await
}
