use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::i18n::{Lang, Msg};

/// A bad row (or a bad header, row 1) of an imported file.
#[derive(Debug, Clone)]
pub struct RowError {
    /// The row number as Excel (or a text editor, for CSV) shows it.
    pub row: usize,
    pub column: Option<String>,
    pub value: Option<String>,
    pub detail: Msg,
}

impl RowError {
    pub fn body(&self, lang: Lang) -> RowErrorBody {
        RowErrorBody {
            row: self.row,
            column: self.column.clone(),
            value: self.value.clone(),
            detail: self.detail.render(lang),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ImportRowError)]
pub struct RowErrorBody {
    /// The row number as Excel shows it (the header is row 1).
    #[schema(example = 7, minimum = 1, maximum = 1048576)]
    pub row: usize,
    /// The column, as the template names it (`null`: the row as a whole).
    #[schema(example = "服务时长(小时) hours", required = true, max_length = 200)]
    pub column: Option<String>,
    /// The cell as the file holds it.
    #[schema(example = "2,5", required = true, max_length = 32767)]
    pub value: Option<String>,
    #[schema(example = "not a number", max_length = 2000)]
    pub detail: String,
}

/// A list of header texts.
fn header_list() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(32767)),
        )
        .max_items(Some(16384))
        .build()
}

/// What an import did (or, in a dry run or a refused import, would do).
#[derive(Debug, Default, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportSummary {
    /// `true`: nothing was written; the counts say what the import would do.
    pub dry_run: bool,
    /// Data rows read (blank rows skipped).
    #[schema(example = 120, minimum = 0, maximum = 100000)]
    pub rows_read: usize,
    /// Volunteers or hour entries created.
    #[schema(example = 118, minimum = 0, maximum = 100000)]
    pub created: usize,
    /// Volunteers updated (`update_existing=true`).
    #[schema(example = 2, minimum = 0, maximum = 100000)]
    pub updated: usize,
    /// Events created for past service (`create_events=true`).
    #[schema(example = 0, minimum = 0, maximum = 100000)]
    pub events_created: usize,
    /// Hour entries approved with the import (`approve=true`).
    #[schema(example = 0, minimum = 0, maximum = 100000)]
    pub approved: usize,
    /// Headers that name no column of the template: their cells were not read.
    #[schema(schema_with = header_list)]
    pub ignored_columns: Vec<String>,
    /// Bad rows found (all of them; `row_errors` lists the first 1,000).
    #[schema(example = 0, minimum = 0, maximum = 100000)]
    pub error_count: usize,
}

impl ImportSummary {
    /// The summary of `rows_read` data rows, with the headers that were not read, before
    /// anything is counted.
    pub fn of(rows_read: usize, ignored_columns: &[String]) -> Self {
        ImportSummary {
            rows_read,
            ignored_columns: ignored_columns.to_vec(),
            ..ImportSummary::default()
        }
    }
}

/// The most row errors one answer lists.
pub const MAX_LISTED_ERRORS: usize = 1000;

/// A refused import (or a dry run that found bad rows): problem+json with every bad row.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblem {
    /// `/problems/validation`.
    #[serde(rename = "type")]
    #[schema(example = "/problems/validation", max_length = 64)]
    pub problem_type: String,
    #[schema(example = "Validation failed", max_length = 64)]
    pub title: String,
    #[schema(example = 422, minimum = 422, maximum = 422)]
    pub status: u16,
    #[schema(
        example = "3 rows are invalid; nothing was imported",
        max_length = 2000
    )]
    pub detail: String,
    pub summary: ImportSummary,
    #[schema(max_items = 1000)]
    pub row_errors: Vec<RowErrorBody>,
}

/// Options of a volunteers import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VolunteerImportQuery {
    /// Check everything and write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// A row with the volunteer number of an existing volunteer updates it (otherwise it is
    /// a row error).
    #[serde(default)]
    pub update_existing: bool,
    /// The XLSX worksheet to read (the first by default).
    #[param(max_length = 31)]
    pub sheet: Option<String>,
}

/// Options of an hours import.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HoursImportQuery {
    /// Check everything and write nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Rows without an event id name their event by title, date, category and plan item
    /// number; each such event is found among the importer's branch's events of that day,
    /// or created as a completed event of that day.
    #[serde(default)]
    pub create_events: bool,
    /// Administrators only: approve the imported entries at once (history already verified
    /// on paper), with `reason`, recorded on each entry's audit row.
    #[serde(default)]
    pub approve: bool,
    /// Why the entries are approved without review (required with `approve=true`); no
    /// surrounding white space.
    #[param(
        min_length = 1,
        max_length = 500,
        pattern = "^[^\\s\\u0085](?:[\\s\\S]*[^\\s\\u0085])?$"
    )]
    pub reason: Option<String>,
    /// The XLSX worksheet to read (the first by default).
    #[param(max_length = 31)]
    pub sheet: Option<String>,
}

use crate::config::DEFAULT_MAX_IMPORT_BYTES;

/// A file as uploaded: an XLSX workbook or a CSV text.
pub struct ImportFile;

impl utoipa::PartialSchema for ImportFile {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .max_length(Some(DEFAULT_MAX_IMPORT_BYTES))
            .description(Some(
                "An XLSX workbook or a CSV file (UTF-8 or GB18030), at most MAX_IMPORT_BYTES",
            ))
            .into()
    }
}

impl utoipa::ToSchema for ImportFile {}

/// A browser's upload: one file part.
pub struct ImportForm;

impl utoipa::PartialSchema for ImportForm {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::ObjectBuilder;
        ObjectBuilder::new()
            .property("file", ImportFile::schema())
            .required("file")
            .into()
    }
}

impl utoipa::ToSchema for ImportForm {}

/// The answers of both imports.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ImportResponses {
    /// Imported (or, with `dry_run`, would import)
    #[response(status = 200)]
    Imported(ImportSummary),
    /// No Idempotency-Key on a real run; hours: `approve=true` without a `reason`
    #[response(status = 400, content_type = "application/problem+json")]
    BadRequest(crate::error::Problem),
    /// HR and volunteers import nothing; hours: only administrators approve with the import
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(crate::error::Problem),
    /// The key is in use by a request still running
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(crate::error::Problem),
    /// The file is larger than MAX_IMPORT_BYTES
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(crate::error::Problem),
    /// Not a CSV, XLSX or multipart body
    #[response(status = 415, content_type = "application/problem+json")]
    MediaType(crate::error::Problem),
    /// Bad rows, each named (nothing was written); or a file that cannot be read (a
    /// multipart body without a file part too), or has too many rows (`detail` says why)
    #[response(status = 422, content_type = "application/problem+json")]
    Rows(ImportProblem),
}
