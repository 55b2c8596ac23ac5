//! Totals for HR: JSON, CSV (streamed) and XLSX, from one query.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;

use super::dto::*;
use super::model::{totals_sql, Filters, GroupBy, Kind, TotalsRow};
use crate::auth::{AnyRole, Auth, Principal};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::hours::dto::{hours_text, star_level, HourStatus};
use crate::AppState;

struct Request {
    groups: Vec<GroupBy>,
    filters: Filters,
    meta: ReportMeta,
}

fn prepare(caller: &Principal, q: &TotalsQuery) -> AppResult<(Vec<GroupBy>, ReportMeta)> {
    let groups = GroupBy::parse_list(q.group_by.as_deref().unwrap_or("volunteer"))
        .map_err(|e| AppError::InvalidParameter(vec![FieldError::new("/query/group_by", e)]))?;
    // `from` after `to` is an empty range: it counts nothing, like any range without hours.
    let status = q.status.unwrap_or(HourStatus::Approved);
    let filters = serde_json::json!({
        "from": q.from, "to": q.to, "branch_id": q.branch_id, "plan_item_id": q.plan_item_id,
        "category": q.category, "status": status, "kind": q.kind, "source": q.source,
    });
    let meta = ReportMeta {
        generated_at: chrono::Utc::now(),
        generated_by: format!("{} ({})", caller.username, caller.role),
        software_version: env!("CARGO_PKG_VERSION"),
        group_by: groups.clone(),
        filters,
        note: crate::msg!("plan-item-note").localized(),
    };
    Ok((groups, meta))
}

fn filters(conn: &mut DbConn, q: &TotalsQuery) -> QueryResult<Filters> {
    Ok(Filters {
        from: q.from,
        to: q.to,
        branches: match q.branch_id {
            Some(b) => Some(crate::branches::model::subtree(conn, b)?),
            None => None,
        },
        plan_item_id: q.plan_item_id,
        category: q.category.map(|c| c.as_str()),
        status: q.status.unwrap_or(HourStatus::Approved).as_str(),
        kind: q.kind,
        source: q.source.map(|s| s.as_str()),
    })
}

fn rows(
    conn: &mut DbConn,
    caller: &Principal,
    r: &Request,
    thresholds: &[u32; 5],
) -> AppResult<Vec<TotalsRowResponse>> {
    let scope = caller.scope(conn)?;
    let sql = totals_sql(conn.backend(), &r.groups, &r.filters, &scope);
    let rows: Vec<TotalsRow> = diesel::sql_query(sql).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| with_stars(row, thresholds))
        .collect())
}

fn with_stars(row: TotalsRow, thresholds: &[u32; 5]) -> TotalsRowResponse {
    let mut out = TotalsRowResponse::from(row);
    out.star_level = out.cumulative_minutes.map(|m| star_level(m, thresholds));
    out
}

fn overall(conn: &mut DbConn, caller: &Principal, r: &Request) -> AppResult<Vec<Overall>> {
    let scope = caller.scope(conn)?;
    let sql = totals_sql(conn.backend(), &[], &r.filters, &scope);
    let rows: Vec<TotalsRow> = diesel::sql_query(sql).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| Overall {
            kind: if r.kind == "training" {
                Kind::Training
            } else {
                Kind::Service
            },
            total_minutes: r.total_minutes,
            total_hours: hours_text(r.total_minutes),
            entry_count: r.entry_count,
            volunteer_count: r.volunteer_count,
        })
        .collect())
}

async fn report(state: &AppState, caller: Principal, q: TotalsQuery) -> AppResult<TotalsResponse> {
    let (groups, meta) = prepare(&caller, &q)?;
    let thresholds = state.config.hours.star_thresholds_hours;
    state
        .reads(&caller)
        .db(move |conn| {
            // the rows and the overall totals from one moment, so that they add up
            crate::db::snapshot_tx(conn, |conn| {
                aggregate_in_memory(conn)?;
                let r = Request {
                    groups,
                    filters: filters(conn, &q)?,
                    meta,
                };
                let rows = rows(conn, &caller, &r, &thresholds)?;
                let overall = overall(conn, &caller, &r)?;
                Ok(TotalsResponse {
                    meta: r.meta,
                    rows,
                    overall,
                })
            })
        })
        .await
}

/// PostgreSQL: lets the rest of the transaction aggregate by hashing in memory. With the
/// default `work_mem` (4 MB) the planner sorts every matching entry on disk instead
/// (n log n); measured at 10^6 entries, a year's totals by branch took 0.84 s that way and 0.44 s
/// with this. Bounded: one report's aggregation, on one connection of the pool.
fn aggregate_in_memory(conn: &mut DbConn) -> diesel::QueryResult<()> {
    if let DbConn::Pg(pg) = conn {
        report_settings(pg)?;
    }
    Ok(())
}

/// `work_mem` as above, and no JIT compilation: a report's estimated cost is far above
/// `jit_above_cost`, and compiling it (with inlining and optimisation, past
/// `jit_optimize_above_cost`) took 1.3 s of a 7.6 s export by volunteer at 10^7 entries,
/// which took 6.9 s without.
fn report_settings(pg: &mut diesel::PgConnection) -> diesel::QueryResult<()> {
    diesel::sql_query("SET LOCAL work_mem = '64MB'").execute(pg)?;
    diesel::sql_query("SET LOCAL jit = off").execute(pg)?;
    Ok(())
}

/// Totals of hours, grouped as asked.
///
/// Approved entries by default, corrections netted; hours are computed from integer
/// minutes, never summed as fractions. Training is reported in rows of its own (`kind`).
/// An event linked to several plan items counts in full under each when grouping by
/// `plan_item`, and once in every other grouping and in `overall`. Administrators and HR see
/// everything; a secretary its branches; a volunteer only itself.
#[utoipa::path(
    tag = "reports",
    params(TotalsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The report", body = TotalsResponse),
    )
)]
#[get("/reports/totals")]
pub async fn totals(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<TotalsQuery>,
) -> AppResult<HttpResponse> {
    let body = report(&state, caller.0, query.into_inner()).await?;
    Ok(HttpResponse::Ok().json(body))
}

struct Column {
    head: &'static str,
    value: fn(&TotalsRowResponse) -> Cell,
}

enum Cell {
    Text(Option<String>),
    Number(Option<f64>),
}

fn columns(groups: &[GroupBy]) -> Vec<Column> {
    let mut cols: Vec<Column> = Vec::new();
    for g in groups {
        match g {
            GroupBy::Volunteer => {
                cols.push(Column {
                    head: "志愿者ID volunteer_id",
                    value: |r| Cell::Number(r.volunteer_id.map(|v| v as f64)),
                });
                cols.push(Column {
                    head: "姓名 volunteer_name",
                    value: |r| Cell::Text(r.volunteer_name.clone()),
                });
            }
            GroupBy::Branch => {
                cols.push(Column {
                    head: "支部ID branch_id",
                    value: |r| Cell::Number(r.branch_id.map(|v| v as f64)),
                });
                cols.push(Column {
                    head: "支部代码 branch_code",
                    value: |r| Cell::Text(r.branch_code.clone()),
                });
                cols.push(Column {
                    head: "支部 branch_name",
                    value: |r| Cell::Text(r.branch_name.clone()),
                });
            }
            GroupBy::PlanItem => {
                cols.push(Column {
                    head: "工作要点ID plan_item_id",
                    value: |r| Cell::Number(r.plan_item_id.map(|v| v as f64)),
                });
                cols.push(Column {
                    head: "序号 plan_item_number",
                    value: |r| Cell::Number(r.plan_item_number.map(f64::from)),
                });
                cols.push(Column {
                    head: "工作要点 plan_item_title",
                    value: |r| Cell::Text(r.plan_item_title.clone()),
                });
            }
            GroupBy::Event => {
                cols.push(Column {
                    head: "活动ID event_id",
                    value: |r| Cell::Number(r.event_id.map(|v| v as f64)),
                });
                cols.push(Column {
                    head: "活动 event_title",
                    value: |r| Cell::Text(r.event_title.clone()),
                });
            }
            GroupBy::Category => cols.push(Column {
                head: "类别 category",
                value: |r| Cell::Text(r.category.clone()),
            }),
            GroupBy::Month => cols.push(Column {
                head: "月份 month",
                value: |r| Cell::Text(r.month.clone()),
            }),
            GroupBy::Source => cols.push(Column {
                head: "来源 source",
                value: |r| Cell::Text(r.source.clone()),
            }),
        }
    }
    cols.push(Column {
        head: "类型 kind",
        value: |r| {
            Cell::Text(Some(
                if r.kind == Kind::Training {
                    "training"
                } else {
                    "service"
                }
                .to_owned(),
            ))
        },
    });
    cols.push(Column {
        head: "总分钟 total_minutes",
        value: |r| Cell::Number(Some(r.total_minutes as f64)),
    });
    cols.push(Column {
        head: "总时长(小时) total_hours",
        value: |r| Cell::Number(r.total_hours.parse().ok()),
    });
    cols.push(Column {
        head: "记录数 entry_count",
        value: |r| Cell::Number(Some(r.entry_count as f64)),
    });
    cols.push(Column {
        head: "志愿者人数 volunteer_count",
        value: |r| Cell::Number(Some(r.volunteer_count as f64)),
    });
    if groups.contains(&GroupBy::Volunteer) {
        cols.push(Column {
            head: "累计分钟 cumulative_minutes",
            value: |r| Cell::Number(r.cumulative_minutes.map(|v| v as f64)),
        });
        cols.push(Column {
            head: "星级 star_level",
            value: |r| Cell::Number(r.star_level.map(f64::from)),
        });
    }
    cols
}

/// One CSV field, RFC 4180 quoted; text that a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@`, tab, carriage return first) is prefixed with `'`.
pub fn csv_field(text: &str, numeric: bool) -> String {
    let mut t = text.to_owned();
    if !numeric && t.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        t.insert(0, '\'');
    }
    if t.contains([',', '"', '\n', '\r']) || t.starts_with(' ') || t.ends_with(' ') {
        format!("\"{}\"", t.replace('"', "\"\""))
    } else {
        t
    }
}

fn csv_line(cells: impl Iterator<Item = String>) -> String {
    let mut line = cells.collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

fn number_text(n: f64, hours: bool) -> String {
    if hours {
        format!("{n:.2}")
    } else {
        format!("{n}")
    }
}

fn row_line(cols: &[Column], row: &TotalsRowResponse) -> String {
    csv_line(cols.iter().map(|c| {
        match (c.value)(row) {
            Cell::Text(t) => csv_field(t.as_deref().unwrap_or(""), false),
            Cell::Number(n) => n
                .map(|n| number_text(n, c.head.contains("total_hours")))
                .unwrap_or_default(),
        }
    }))
}

fn trailer(meta: &ReportMeta) -> String {
    let groups: Vec<&str> = meta.group_by.iter().map(|g| g.as_str()).collect();
    let lines = [
        (
            "# 生成时间 generated_at",
            meta.generated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        ("# 导出人 generated_by", meta.generated_by.clone()),
        (
            "# 软件版本 software_version",
            meta.software_version.to_owned(),
        ),
        ("# 分组 group_by", groups.join(",")),
        ("# 筛选 filters", meta.filters.to_string()),
        ("# 说明 note", meta.note.clone()),
    ];
    let mut out = String::from("\r\n");
    for (k, v) in lines {
        out.push_str(&csv_line(
            [csv_field(k, true), csv_field(&v, false)].into_iter(),
        ));
    }
    out
}

/// The totals as CSV for Excel.
///
/// The same parameters and numbers as `/reports/totals`. UTF-8 with a BOM, a header row
/// naming each column in Chinese and English, and trailing `#` lines stating when, by whom,
/// with which version and filters the file was made. Streamed: memory stays flat whatever
/// the size.
#[utoipa::path(
    tag = "reports",
    params(TotalsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The totals as CSV, UTF-8 with a BOM", content_type = "text/csv",
         headers(("Content-Disposition" = String, description = "`attachment; filename=\"volunteer-totals.csv\"`"))),
    )
)]
#[get("/exports/totals.csv")]
pub async fn totals_csv(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<TotalsQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let caller = caller.0;
    let (groups, meta) = prepare(&caller, &q)?;
    let thresholds = state.config.hours.star_thresholds_hours;
    // Build the query (and meet any database error) before the response starts.
    let reads = state.reads(&caller);
    let pool = reads.pool().clone();
    let (sql, meta) = reads
        .db({
            let caller = caller.clone();
            move |conn| {
                let f = filters(conn, &q)?;
                let scope = caller.scope(conn)?;
                Ok((totals_sql(conn.backend(), &groups, &f, &scope), meta))
            }
        })
        .await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<web::Bytes, std::io::Error>>(8);
    let groups = meta.group_by.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let cols = columns(&groups);
        let send = |text: String| tx.blocking_send(Ok(web::Bytes::from(text))).is_ok();
        let mut buf = String::from("\u{feff}");
        buf.push_str(&csv_line(cols.iter().map(|c| csv_field(c.head, true))));
        let result: Result<(), String> = (|| {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            each_row(&mut conn, &sql, |row| {
                buf.push_str(&row_line(&cols, &with_stars(row, &thresholds)));
                buf.len() < 64 * 1024 || send(std::mem::take(&mut buf))
            })
        })();
        match result {
            Ok(()) => {
                buf.push_str(&trailer(&meta));
                send(buf);
            }
            Err(e) => {
                tracing::error!(error = %e, "CSV export failed part way; the download is cut short");
                let _ = tx.blocking_send(Err(std::io::Error::other("export failed")));
            }
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"volunteer-totals.csv\"",
        ))
        .streaming(stream))
}

/// Hands every row of `sql` to `row` in order, holding one at a time: on PostgreSQL in
/// libpq's single-row mode (by default libpq receives the whole result before the first
/// row: 10^5 rows of a 10^7-entry export raised the server's peak memory from 71 to 182
/// MB), in a read-only transaction whose aggregation may hash in memory; on SQLite row by
/// row as it steps. Stops when `row` answers false (the client went away).
fn each_row(
    conn: &mut DbConn,
    sql: &str,
    mut row: impl FnMut(TotalsRow) -> bool,
) -> Result<(), String> {
    let gone = || "the client went away".to_owned();
    match conn {
        DbConn::Pg(pg) => pg
            .build_transaction()
            .read_only()
            .run(|pg| -> Result<(), Stop> {
                report_settings(pg)?;
                let rows = diesel::sql_query(sql)
                    .load_iter::<TotalsRow, diesel::pg::PgRowByRowLoadingMode>(pg)?;
                for r in rows {
                    if !row(r?) {
                        return Err(Stop::Gone);
                    }
                }
                Ok(())
            })
            .map_err(|e| match e {
                Stop::Gone => gone(),
                Stop::Db(e) => e.to_string(),
            }),
        DbConn::Sqlite(c) => {
            let iter = diesel::sql_query(sql)
                .load_iter::<TotalsRow, diesel::connection::DefaultLoadingMode>(c)
                .map_err(|e| e.to_string())?;
            for r in iter {
                if !row(r.map_err(|e| e.to_string())?) {
                    return Err(gone());
                }
            }
            Ok(())
        }
    }
}

/// Why an export's transaction ended early.
enum Stop {
    Gone,
    Db(diesel::result::Error),
}

impl From<diesel::result::Error> for Stop {
    fn from(e: diesel::result::Error) -> Self {
        Stop::Db(e)
    }
}

/// The totals as an Excel workbook.
///
/// The same parameters and numbers as `/reports/totals`: a `totals` sheet with typed
/// numbers and a frozen header, and an `about` sheet stating when, by whom, with which
/// version and filters it was made.
#[utoipa::path(
    tag = "reports",
    params(TotalsQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The totals as an XLSX workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         headers(("Content-Disposition" = String, description = "`attachment; filename=\"volunteer-totals.xlsx\"`"))),
    )
)]
#[get("/exports/totals.xlsx")]
pub async fn totals_xlsx(
    state: web::Data<AppState>,
    caller: Auth<AnyRole>,
    query: web::Query<TotalsQuery>,
) -> AppResult<HttpResponse> {
    let report = report(&state, caller.0, query.into_inner()).await?;
    let bytes = web::block(move || workbook(&report))
        .await?
        .map_err(|e| AppError::internal(format!("xlsx: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"volunteer-totals.xlsx\"",
        ))
        .body(bytes))
}

fn workbook(report: &TotalsResponse) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    let bold = Format::new().set_bold();
    let two = Format::new().set_num_format("0.00");
    let cols = columns(&report.meta.group_by);
    let mut sheet = Worksheet::new();
    sheet.set_name("totals")?;
    for (c, col) in cols.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, col.head, &bold)?;
        sheet.set_column_width(c as u16, 18)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    for (r, row) in report.rows.iter().enumerate() {
        let r = r as u32 + 1;
        for (c, col) in cols.iter().enumerate() {
            match (col.value)(row) {
                Cell::Text(Some(t)) => {
                    sheet.write_string(r, c as u16, t)?;
                }
                Cell::Number(Some(n)) if col.head.contains("total_hours") => {
                    sheet.write_number_with_format(r, c as u16, n, &two)?;
                }
                Cell::Number(Some(n)) => {
                    sheet.write_number(r, c as u16, n)?;
                }
                _ => {}
            }
        }
    }
    let mut about = Worksheet::new();
    about.set_name("about")?;
    let meta = &report.meta;
    let groups: Vec<&str> = meta.group_by.iter().map(|g| g.as_str()).collect();
    let lines = [
        (
            "生成时间 generated_at",
            meta.generated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
        ("导出人 generated_by", meta.generated_by.clone()),
        (
            "软件版本 software_version",
            meta.software_version.to_owned(),
        ),
        ("分组 group_by", groups.join(",")),
        ("筛选 filters", meta.filters.to_string()),
        ("说明 note", meta.note.clone()),
    ];
    for (i, (k, v)) in lines.iter().enumerate() {
        about.write_string_with_format(i as u32, 0, *k, &bold)?;
        about.write_string(i as u32, 1, v)?;
    }
    about.set_column_width(0, 28)?;
    about.set_column_width(1, 80)?;
    let mut book = Workbook::new();
    book.push_worksheet(sheet);
    book.push_worksheet(about);
    book.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_neutralises_formulas() {
        assert_eq!(csv_field("林晓燕", false), "林晓燕");
        assert_eq!(csv_field("a,b", false), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\"", false), "\"say \"\"hi\"\"\"");
        assert_eq!(
            csv_field("=HYPERLINK(\"x\")", false),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(csv_field("+1", false), "'+1");
        assert_eq!(csv_field("-cmd", false), "'-cmd");
        assert_eq!(csv_field("@SUM(A1)", false), "'@SUM(A1)");
        assert_eq!(csv_field("line\nbreak", false), "\"line\nbreak\"");
    }
}
