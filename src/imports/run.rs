//! One import from its file to its answer, for the endpoints and the command line alike:
//! read the sheet, match the header, check every row and write them all in one transaction
//! (or roll it back: bad rows, or a dry run), once per `Idempotency-Key`.

use super::columns::{self, Column, Layout};
use super::dto::{ImportProblem, ImportSummary, RowError, MAX_LISTED_ERRORS};
use super::sheet::{self, Sheet};
use crate::config::{HoursConfig, ImportConfig};
use crate::db::{self, DbConn};
use crate::error::{AppError, AppResult};
use crate::i18n::{Lang, Msg};
use crate::idempotency::{self, Claim, Stored};
use crate::msg;

/// What one import does with a parsed sheet, inside the transaction: the summary and the
/// bad rows (when there are any, the transaction is rolled back).
pub type Work = Box<
    dyn FnOnce(&mut DbConn, &Sheet, &Layout) -> AppResult<(ImportSummary, Vec<RowError>)> + Send,
>;

/// An uploaded file.
pub struct File {
    pub bytes: Vec<u8>,
    /// The media type it was sent as.
    pub media: Option<String>,
    /// The XLSX worksheet to read.
    pub sheet: Option<String>,
}

/// The `Idempotency-Key` of a real run, with what identifies the request.
pub struct Once {
    pub key: String,
    pub user_id: i64,
    pub path: String,
    pub hash: String,
    pub cfg: HoursConfig,
}

/// The outcome of an import.
pub enum Answer {
    /// Imported: the stored answer (replayed from an earlier request with the key).
    Done(Stored, bool),
    /// Nothing written: bad rows (or a bad header).
    Rows(ImportSummary, Vec<RowError>),
    /// A clean dry run: nothing written.
    Dry(ImportSummary),
    /// The file cannot be read (or holds too many rows): why.
    File(bool, Msg),
}

/// Why the transaction was rolled back.
enum Held {
    Rows(ImportSummary, Vec<RowError>),
    Dry(ImportSummary),
    Error(AppError),
}

impl From<diesel::result::Error> for Held {
    fn from(e: diesel::result::Error) -> Self {
        Held::Error(e.into())
    }
}

impl From<AppError> for Held {
    fn from(e: AppError) -> Self {
        Held::Error(e)
    }
}

/// Runs one import on a database thread.
pub fn execute(
    conn: &mut DbConn,
    file: File,
    columns: &'static [Column],
    limits: &ImportConfig,
    dry_run: bool,
    once: Option<Once>,
    work: Work,
) -> AppResult<Answer> {
    let kind = sheet::kind_of(&file.bytes, file.media.as_deref());
    let sheet = match sheet::read(&file.bytes, kind, file.sheet.as_deref(), limits.max_rows) {
        Ok(sheet) => sheet,
        Err(m) => return Ok(Answer::File(dry_run, m)),
    };
    drop(file);
    let layout = match columns::layout(columns, &sheet.headers) {
        Ok(layout) => layout,
        Err(problems) => {
            let errors = problems
                .into_iter()
                .map(|(column, detail)| RowError {
                    row: sheet.header_row,
                    column: Some(column),
                    value: None,
                    detail,
                })
                .collect();
            let summary = ImportSummary {
                dry_run,
                rows_read: sheet.rows.len(),
                ..ImportSummary::default()
            };
            return Ok(Answer::Rows(summary, errors));
        }
    };
    let outcome = db::write_tx(conn, |conn| -> Result<(Stored, bool), Held> {
        let lease = match &once {
            Some(o) => {
                match idempotency::claim(conn, o.user_id, &o.key, "POST", &o.path, &o.hash, &o.cfg)?
                {
                    Claim::Replay(stored) => return Ok((stored, true)),
                    Claim::Fresh(lease) => Some(lease),
                }
            }
            None => None,
        };
        let (mut summary, errors) = work(conn, &sheet, &layout)?;
        summary.dry_run = dry_run;
        summary.error_count = errors.len();
        if !errors.is_empty() {
            return Err(Held::Rows(summary, errors));
        }
        if dry_run {
            return Err(Held::Dry(summary));
        }
        let stored = idempotency::answer(conn, lease.as_ref(), 200, None, None, &summary)?;
        Ok((stored, false))
    });
    match outcome {
        Ok((stored, replayed)) => Ok(Answer::Done(stored, replayed)),
        Err(Held::Rows(summary, errors)) => Ok(Answer::Rows(summary, errors)),
        Err(Held::Dry(summary)) => Ok(Answer::Dry(summary)),
        Err(Held::Error(e)) => Err(e),
    }
}

/// The problem document of a file that cannot be read, in `lang`.
pub fn file_problem(dry_run: bool, why: &Msg, lang: Lang) -> ImportProblem {
    ImportProblem {
        problem_type: "/problems/validation".into(),
        title: msg!("title-validation").render(lang),
        status: 422,
        detail: why.render(lang),
        summary: ImportSummary {
            dry_run,
            ..ImportSummary::default()
        },
        row_errors: Vec::new(),
    }
}

/// The problem document of a refused import, in `lang`.
pub fn problem(mut summary: ImportSummary, errors: &[RowError], lang: Lang) -> ImportProblem {
    summary.error_count = errors.len();
    let detail: Msg = if summary.dry_run {
        msg!("import-rows-invalid-dry", count = errors.len())
    } else {
        msg!("import-rows-invalid", count = errors.len())
    };
    ImportProblem {
        problem_type: "/problems/validation".into(),
        title: msg!("title-validation").render(lang),
        status: 422,
        detail: detail.render(lang),
        summary,
        row_errors: errors
            .iter()
            .take(MAX_LISTED_ERRORS)
            .map(|e| e.body(lang))
            .collect(),
    }
}

/// A refused import as the spec shows it (in English).
pub fn example() -> ImportProblem {
    let summary = ImportSummary {
        rows_read: 120,
        created: 118,
        ..ImportSummary::default()
    };
    let errors = [
        RowError {
            row: 7,
            column: Some("服务时长(小时) hours".into()),
            value: Some("2,5".into()),
            detail: msg!("import-not-a-number"),
        },
        RowError {
            row: 12,
            column: None,
            value: None,
            detail: msg!("import-duplicate-row", row = 9),
        },
    ];
    problem(summary, &errors, Lang::En)
}
