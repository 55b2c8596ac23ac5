//! Reading an uploaded file into rows of cells: XLSX (Excel, WPS, LibreOffice) through
//! calamine, CSV through the `csv` crate in UTF-8 (with or without a BOM) or GB18030, the
//! encoding told by whether the bytes are valid UTF-8.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use crate::i18n::Msg;
use crate::msg;

/// The media type of an XLSX workbook.
pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// One cell as the file holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    /// An Excel date (or date-time) cell, as its serial number.
    Date(f64),
    Bool(bool),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as the user sees it, for a row error's `value`.
    pub fn shown(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.clone(),
            Cell::Number(n) | Cell::Date(n) => number_text(*n),
            Cell::Bool(b) => b.to_string(),
        }
    }
}

/// A number as Excel shows it in a General cell: no `.0` on whole numbers.
pub fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// A sheet: the header row's texts and the data rows under it, each with the row number
/// Excel shows (the header is row 1 when the sheet starts at A1).
#[derive(Debug, Default)]
pub struct Sheet {
    /// The row number of the header row.
    pub header_row: usize,
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// What kind of file a body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Xlsx,
    Csv,
}

/// Tells the kind from the bytes (an XLSX is a ZIP archive), then from the media type.
pub fn kind_of(bytes: &[u8], media_type: Option<&str>) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") || media_type == Some(XLSX_TYPE) {
        Kind::Xlsx
    } else {
        Kind::Csv
    }
}

/// Reads `bytes` into a sheet: refuses a broken file with a message naming the problem,
/// never panics. `sheet` names the XLSX worksheet (the first by default); `max_rows` bounds
/// the data rows.
pub fn read(bytes: &[u8], kind: Kind, sheet: Option<&str>, max_rows: usize) -> Result<Sheet, Msg> {
    let grid = match kind {
        Kind::Xlsx => xlsx_grid(bytes, sheet)?,
        Kind::Csv => {
            if sheet.is_some() {
                return Err(msg!("import-sheet-of-csv"));
            }
            csv_grid(bytes)?
        }
    };
    into_sheet(grid, max_rows)
}

/// Rows of cells with their row numbers, as read.
type Grid = Vec<(usize, Vec<Cell>)>;

fn into_sheet(grid: Grid, max_rows: usize) -> Result<Sheet, Msg> {
    let mut rows = grid
        .into_iter()
        .skip_while(|(_, cells)| cells.iter().all(Cell::is_empty));
    let Some((header_row, header)) = rows.next() else {
        return Err(msg!("import-empty-file"));
    };
    let headers: Vec<String> = header.iter().map(|c| c.shown().trim().to_owned()).collect();
    let mut data: Vec<(usize, Vec<Cell>)> = Vec::new();
    for (number, cells) in rows {
        if cells.iter().all(Cell::is_empty) {
            // blank rows between data are skipped; trailing ones (Excel's formatted but
            // empty rows) are what most of them are
            continue;
        }
        if data.len() == max_rows {
            return Err(msg!("import-too-many-rows", max = max_rows));
        }
        data.push((number, cells));
    }
    Ok(Sheet {
        header_row,
        headers,
        rows: data,
    })
}

fn xlsx_grid(bytes: &[u8], sheet: Option<&str>) -> Result<Grid, Msg> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        tracing::debug!(error = %e, "unreadable workbook");
        msg!("import-not-xlsx")
    })?;
    let names = book.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .ok_or_else(|| {
                msg!(
                    "import-no-such-sheet",
                    sheet = wanted,
                    sheets = names.join(", ")
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| msg!("import-empty-file"))?,
    };
    let range = book.worksheet_range(&name).map_err(|e| {
        tracing::debug!(error = %e, "unreadable worksheet");
        msg!("import-broken-sheet", sheet = name.as_str())
    })?;
    // the range starts at its first used cell: row numbers as Excel shows them
    let first_row = range.start().map_or(0, |(r, _)| r as usize);
    let first_col = range.start().map_or(0, |(_, c)| c as usize);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells = vec![Cell::Empty; first_col];
            cells.extend(row.iter().map(cell_of));
            (first_row + i + 1, cells)
        })
        .collect())
}

fn cell_of(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => Cell::Date(dt.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

/// The text of a CSV file: UTF-8 (a BOM is dropped) when the bytes are valid UTF-8, else
/// GB18030 (a superset of GBK and GB2312, what Excel on a Chinese Windows saves), else an
/// error. Valid UTF-8 is almost never Chinese GB text by accident, and the other way round a
/// GB18030 file with Chinese in it is almost never valid UTF-8: the test tells them apart.
pub fn decode(bytes: &[u8]) -> Result<String, Msg> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&0) {
        return Err(msg!("import-binary-csv"));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|text| text.into_owned())
            .ok_or_else(|| msg!("import-unknown-encoding")),
    }
}

/// Counts the line breaks in `bytes` (`\n`, `\r\n` or a lone `\r`), `cr` saying whether the
/// text before ended with a `\r`.
fn breaks(bytes: &[u8], cr: &mut bool) -> usize {
    let mut n = 0;
    for b in bytes {
        match b {
            b'\n' if *cr => *cr = false,
            b'\n' => n += 1,
            b'\r' => {
                n += 1;
                *cr = true;
            }
            _ => *cr = false,
        }
    }
    n
}

fn csv_grid(bytes: &[u8]) -> Result<Grid, Msg> {
    let text = decode(bytes)?;
    let raw = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(raw);
    let mut grid = Vec::new();
    // the line of each record from its byte offset (the reader's own line count is off by
    // one after a CRLF)
    let (mut line, mut at, mut cr) = (1, 0, false);
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            msg!("import-broken-csv", line = line)
        })?;
        let mut start = record
            .position()
            .map_or(at, |p| usize::try_from(p.byte()).unwrap_or(at))
            .clamp(at, raw.len());
        // the position may lie before the blank lines the reader skipped
        while start < raw.len() && matches!(raw[start], b'\r' | b'\n') {
            start += 1;
        }
        line += breaks(&raw[at..start], &mut cr);
        at = start;
        grid.push((
            line,
            record
                .iter()
                .map(|f| {
                    if f.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(f.to_owned())
                    }
                })
                .collect(),
        ));
    }
    // a quote opened and never closed runs to the end of the file as one field: the last
    // record holds an odd number of quotes
    if raw[at..].iter().filter(|b| **b == b'"').count() % 2 == 1 {
        return Err(msg!("import-broken-csv", line = line));
    }
    Ok(grid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom_and_gb18030_are_told_apart() {
        assert_eq!(
            decode("姓名,性别".as_bytes()).ok().as_deref(),
            Some("姓名,性别")
        );
        assert_eq!(decode(b"\xEF\xBB\xBFname").ok().as_deref(), Some("name"));
        let (gb, _, _) = encoding_rs::GB18030.encode("林晓燕,女");
        assert!(std::str::from_utf8(&gb).is_err());
        assert_eq!(decode(&gb).ok().as_deref(), Some("林晓燕,女"));
        assert_eq!(
            decode(b"a\0b").err().map(|m| m.key()),
            Some("import-binary-csv")
        );
    }

    #[test]
    fn trailing_and_blank_rows_are_skipped_and_the_limit_counts_data_rows() {
        let sheet =
            read(b"\n\nname,number\nA,1\n,\nB,2\n,,\n", Kind::Csv, None, 2).unwrap_or_default();
        assert_eq!(sheet.headers, ["name", "number"]);
        let numbers: Vec<usize> = sheet.rows.iter().map(|r| r.0).collect();
        assert_eq!(numbers, [4, 6]);
        assert_eq!(
            read(b"h\n1\n2\n3\n", Kind::Csv, None, 2)
                .err()
                .map(|m| m.key()),
            Some("import-too-many-rows")
        );
        assert_eq!(
            read(b"", Kind::Csv, None, 2).err().map(|m| m.key()),
            Some("import-empty-file")
        );
    }

    #[test]
    fn rows_are_numbered_as_an_editor_shows_them_whatever_the_line_ends() {
        for text in [&b"h\na\n\nb\n"[..], b"h\r\na\r\n\r\nb\r\n", b"h\ra\r\rb"] {
            let sheet = read(text, Kind::Csv, None, 10).unwrap_or_default();
            let numbers: Vec<usize> = sheet.rows.iter().map(|r| r.0).collect();
            assert_eq!(numbers, [2, 4], "{text:?}");
        }
        let quoted = read(b"h,n\n\"a\r\nb\",1\nc,2\n", Kind::Csv, None, 10).unwrap_or_default();
        let numbers: Vec<usize> = quoted.rows.iter().map(|r| r.0).collect();
        assert_eq!(numbers, [2, 4]);
        assert_eq!(quoted.rows[0].1[0], Cell::Text("a\r\nb".into()));
        let open = read(b"h,n\na,1\n\"b,2\nc,3\n", Kind::Csv, None, 10).err();
        assert_eq!(open.map(|m| m.key()), Some("import-broken-csv"));
    }

    #[test]
    fn a_broken_zip_is_not_an_xlsx() {
        let err = read(b"PK\x03\x04garbage", Kind::Xlsx, None, 10).err();
        assert_eq!(err.map(|m| m.key()), Some("import-not-xlsx"));
        assert_eq!(kind_of(b"PK\x03\x04", None), Kind::Xlsx);
        assert_eq!(kind_of(b"a,b", Some("text/csv")), Kind::Csv);
    }

    #[test]
    fn numbers_read_as_excel_shows_them() {
        assert_eq!(number_text(13805912301.0), "13805912301");
        assert_eq!(number_text(2.5), "2.5");
    }
}
