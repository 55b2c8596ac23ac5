//! The import endpoints: the templates, and the imports of volunteers and of hours.

use actix_web::http::header;
use actix_web::{get, post, web, HttpMessage, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use super::columns::Column;
use super::dto::{HoursImportQuery, ImportFile, ImportForm, ImportResponses, VolunteerImportQuery};
use super::run::{execute, file_problem, problem, Answer, File, Once, Work};
use super::sheet;
use super::template::{self, Template};
use crate::auth::{Auth, Principal, Role, Writers};
use crate::error::{AppError, AppResult, Problem, PROBLEM_JSON};
use crate::i18n::Msg;
use crate::idempotency;
use crate::msg;
use crate::AppState;

/// A template file of the import, for filling in.
///
/// `volunteers.xlsx`, `volunteers.csv`, `hours.xlsx` or `hours.csv`. The header row names
/// each column in Chinese and English (either name is accepted, in any order); one example
/// row follows. The XLSX keeps its text columns (numbers, phones) as text and has a second
/// sheet with what each column means, the allowed values and the limits. The CSV is UTF-8
/// with a BOM.
#[utoipa::path(
    tag = "imports",
    params(("name" = String, Path, description = "`volunteers.xlsx`, `volunteers.csv`, `hours.xlsx` or `hours.csv`",
            pattern = "^(volunteers|hours)\\.(xlsx|csv)$", max_length = 16)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The template",
         content((ImportFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (ImportFile = "text/csv")),
         headers(("Content-Disposition" = String, description = "The file's name"))),
        (status = 403, description = "HR and volunteers import nothing", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such template", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/imports/templates/{name}")]
pub async fn import_template(
    state: web::Data<AppState>,
    _caller: Auth<Writers>,
    name: web::Path<String>,
) -> AppResult<HttpResponse> {
    let name = name.into_inner();
    let (t, xlsx) = match name.as_str() {
        "volunteers.xlsx" => (Template::Volunteers, true),
        "volunteers.csv" => (Template::Volunteers, false),
        "hours.xlsx" => (Template::Hours, true),
        "hours.csv" => (Template::Hours, false),
        _ => return Err(AppError::NotFound),
    };
    let disposition = format!("attachment; filename=\"{name}\"");
    if xlsx {
        let limits = state.config.imports.clone();
        let bytes = web::block(move || template::xlsx(t, &limits))
            .await?
            .map_err(|e| AppError::internal(e.to_string()))?;
        Ok(HttpResponse::Ok()
            .content_type(sheet::XLSX_TYPE)
            .insert_header((header::CONTENT_DISPOSITION, disposition))
            .body(bytes))
    } else {
        Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((header::CONTENT_DISPOSITION, disposition))
            .body(template::csv(t)))
    }
}

/// What a body brought.
enum Upload {
    /// A file, with the media type it was sent as.
    File(Vec<u8>, Option<String>),
    /// A multipart body that cannot be read or holds no file: why.
    Malformed(Msg),
}

/// The uploaded file: the body itself, or the one file part of a `multipart/form-data`
/// body; at most `max` bytes (413 beyond). With the media type it was sent as.
async fn upload(req: &HttpRequest, mut payload: web::Payload, max: usize) -> AppResult<Upload> {
    let too_large = || AppError::TooLarge(msg!("import-too-large", max = max));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64 + 64 * 1024) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| AppError::BadRequest(msg!("import-body-broken")))?;
        // a multipart body carries its boundaries beside the file: a little slack for them
        if body.len() + chunk.len() > max + 64 * 1024 {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let media = req.mime_type().ok().flatten();
    let essence = media.as_ref().map(|m| m.essence_str().to_owned());
    match essence.as_deref() {
        Some("multipart/form-data") => match file_part(req, body.freeze()).await {
            Ok((bytes, _)) if bytes.len() > max => Err(too_large()),
            Ok((bytes, media)) => Ok(Upload::File(bytes, media)),
            Err(why) => Ok(Upload::Malformed(why)),
        },
        Some(
            "text/csv"
            | "application/csv"
            | "text/plain"
            | "application/octet-stream"
            | "application/vnd.ms-excel",
        )
        | None => {
            if body.len() > max {
                return Err(too_large());
            }
            Ok(Upload::File(body.to_vec(), essence))
        }
        Some(sheet::XLSX_TYPE) => {
            if body.len() > max {
                return Err(too_large());
            }
            Ok(Upload::File(body.to_vec(), essence))
        }
        Some(_) => Err(AppError::UnsupportedMediaType(msg!("import-media-type"))),
    }
}

/// The first part of a multipart body that carries a file (or the first part).
/// A multipart body that cannot be read, or holds no file, is a malformed file: `Err` says
/// why (answered 422 like any unreadable file).
async fn file_part(req: &HttpRequest, body: web::Bytes) -> Result<(Vec<u8>, Option<String>), Msg> {
    let stream =
        futures_util::stream::once(async move { Ok::<_, actix_web::error::PayloadError>(body) });
    let mut parts = actix_multipart::Multipart::new(req.headers(), stream);
    let broken = || msg!("import-multipart-broken");
    while let Some(part) = parts.next().await {
        let mut part = part.map_err(|_| broken())?;
        let named = part
            .content_disposition()
            .and_then(|d| d.get_filename().map(str::to_owned));
        let media = part
            .content_type()
            .map(|m| m.essence_str().to_owned())
            .or_else(|| {
                named.as_deref().and_then(|n| {
                    let n = n.to_ascii_lowercase();
                    if n.ends_with(".xlsx") {
                        Some(sheet::XLSX_TYPE.to_owned())
                    } else if n.ends_with(".csv") {
                        Some("text/csv".to_owned())
                    } else {
                        None
                    }
                })
            });
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            bytes.extend_from_slice(&chunk.map_err(|_| broken())?);
        }
        if named.is_some() || part.name() == Some("file") {
            return Ok((bytes, media));
        }
    }
    Err(msg!("import-no-file-part"))
}

/// Reads the file, and runs the import once per `Idempotency-Key` on a real run; answers
/// with the summary, or the problem listing every bad row.
#[allow(clippy::too_many_arguments)]
async fn run(
    state: &AppState,
    req: &HttpRequest,
    caller: &Principal,
    payload: web::Payload,
    columns: &'static [Column],
    sheet_name: Option<String>,
    dry_run: bool,
    work: Work,
) -> AppResult<HttpResponse> {
    let key = if dry_run {
        None
    } else {
        idempotency::key_of(req, true)?
    };
    let limits = state.config.imports.clone();
    let (bytes, media) = match upload(req, payload, limits.max_bytes).await? {
        Upload::File(bytes, media) => (bytes, media),
        Upload::Malformed(why) => {
            return Ok(HttpResponse::UnprocessableEntity()
                .content_type(PROBLEM_JSON)
                .json(file_problem(dry_run, &why, crate::i18n::current())))
        }
    };
    let once = key.map(|key| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        Once {
            key,
            user_id: caller.user_id,
            path: req.path().to_owned(),
            hash: idempotency::request_hash(
                "POST",
                req.path(),
                &serde_json::json!({ "file_sha256": hex, "query": req.query_string() }),
            ),
            cfg: state.config.hours.clone(),
        }
    });
    let file = File {
        bytes,
        media,
        sheet: sheet_name,
    };
    let answer = state
        .db(move |conn| execute(conn, file, columns, &limits, dry_run, once, work))
        .await?;
    let lang = crate::i18n::current();
    Ok(match answer {
        Answer::Done(stored, replayed) => stored.response(replayed),
        Answer::Dry(summary) => HttpResponse::Ok().json(summary),
        Answer::Rows(summary, errors) => HttpResponse::UnprocessableEntity()
            .content_type(PROBLEM_JSON)
            .json(problem(summary, &errors, lang)),
        Answer::File(dry_run, why) => HttpResponse::UnprocessableEntity()
            .content_type(PROBLEM_JSON)
            .json(file_problem(dry_run, &why, lang)),
    })
}

const FILE_TYPES: &str = "The file itself (`text/csv`, or the XLSX media type), or `multipart/form-data` with one file part";

/// Import volunteers from an XLSX or CSV file.
///
/// Administrators, and secretaries into the branches of their scope. Columns as the
/// template (`GET /imports/templates/volunteers.xlsx`) names them, in Chinese or English,
/// in any order. Every row lands or none: any bad row, and the answer is a 422 naming every
/// bad row (`row` as Excel shows it, `column`, `value`, `detail`) with nothing written.
/// `dry_run=true` checks everything and writes nothing (200 when clean). A real run needs an
/// `Idempotency-Key`: a resend after a lost answer gets the first answer back and imports
/// nothing twice.
#[utoipa::path(
    tag = "imports",
    params(VolunteerImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Required unless `dry_run=true`: fresh per import, the same on its retries")),
    request_body(description = FILE_TYPES, content(
        (ImportFile = "text/csv"),
        (ImportFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportForm = "multipart/form-data"))),
    security(("bearer" = [])),
    responses(ImportResponses)
)]
#[post("/imports/volunteers")]
pub async fn import_volunteers(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    query: web::Query<VolunteerImportQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let caller = caller.0;
    let who = caller.clone();
    let update_existing = q.update_existing;
    let work: Work = Box::new(move |conn, sheet, layout| {
        let scope = who.scope(conn)?;
        super::volunteers::import(conn, who.user_id, &scope, sheet, layout, update_existing)
    });
    run(
        &state,
        &req,
        &caller,
        payload,
        &super::volunteers::COLUMNS,
        q.sheet,
        q.dry_run,
        work,
    )
    .await
}

/// Import past hours from an XLSX or CSV file.
///
/// Administrators, and secretaries for the volunteers of their scope. Each row is one entry
/// (`source: imported`, status `submitted`, to be reviewed as usual), with every rule of
/// recording hours across the file and against stored entries: 24 hours a day, no overlap,
/// one entry per volunteer, event and day. The volunteer by number, or by name (and branch
/// code) when unique; the event by id, or with `create_events=true` by title, date,
/// category and plan item number (a completed event of that day, organised by the
/// importer's branch, is found or created). An administrator may pass `approve=true` with a
/// `reason` for history already verified on paper. All or nothing, dry run and
/// `Idempotency-Key` as for volunteers.
#[utoipa::path(
    tag = "imports",
    params(HoursImportQuery,
        ("Idempotency-Key" = Option<String>, Header, description = "Required unless `dry_run=true`: fresh per import, the same on its retries")),
    request_body(description = FILE_TYPES, content(
        (ImportFile = "text/csv"),
        (ImportFile = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (ImportForm = "multipart/form-data"))),
    security(("bearer" = [])),
    responses(ImportResponses)
)]
#[post("/imports/hours")]
pub async fn import_hours(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Auth<Writers>,
    query: web::Query<HoursImportQuery>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let caller = caller.0;
    let reason = if q.approve {
        if let Some(e) =
            super::hours::approve_problem(caller.role == Role::Admin, q.reason.as_deref())
        {
            return Err(e);
        }
        q.reason.clone()
    } else {
        None
    };
    let who = caller.clone();
    let cfg = state.config.hours.clone();
    let create_events = q.create_events;
    let work: Work = Box::new(move |conn, sheet, layout| {
        let scope = who.scope(conn)?;
        let opts = super::hours::Options {
            create_events,
            approve: reason.as_deref(),
        };
        super::hours::import(conn, &who, &scope, &cfg, sheet, layout, &opts)
    });
    run(
        &state,
        &req,
        &caller,
        payload,
        &super::hours::COLUMNS,
        q.sheet,
        q.dry_run,
        work,
    )
    .await
}
