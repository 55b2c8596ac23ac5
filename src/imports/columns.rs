//! The columns of the import templates, how a header names one, and how a cell is read:
//! what the templates say is exactly what the import accepts.

use chrono::{Duration, NaiveDate, NaiveDateTime, NaiveTime};

use super::sheet::{number_text, Cell};
use crate::i18n::Msg;
use crate::msg;

/// One column of a template.
#[derive(Debug)]
pub struct Column {
    /// The English name, as in the API (`volunteer_number`).
    pub key: &'static str,
    /// The Chinese name (`志愿者编号`).
    pub zh: &'static str,
    pub required: bool,
    /// The example row's value.
    pub example: &'static str,
    /// What it means, the allowed values and the limits, for the template's second sheet.
    pub about_zh: &'static str,
    pub about_en: &'static str,
    /// Written as text in the template (numbers Excel would otherwise round or reformat).
    pub text: bool,
}

impl Column {
    /// The header as the templates (and the exports) write it: `志愿者编号 volunteer_number`.
    pub fn head(&self) -> String {
        format!("{} {}", self.zh, self.key)
    }
}

/// A header cell's text made comparable: trimmed, spaces collapsed, ASCII lowercased,
/// full-width brackets and spaces as their ASCII forms.
fn normal(text: &str) -> String {
    let t: String = text
        .chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '\u{3000}' => ' ',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Which column a header names: by its full head, its Chinese or its English name (with
/// spaces for underscores too).
pub fn column_of<'a>(columns: &'a [Column], header: &str) -> Option<&'a Column> {
    let h = normal(header);
    if h.is_empty() {
        return None;
    }
    columns.iter().find(|c| {
        h == normal(&c.head()) || h == normal(c.zh) || h == c.key || h == c.key.replace('_', " ")
    })
}

/// Where each column is in a sheet: an index per column of `columns` (`None`: absent),
/// the headers that name none, or the problems (a required column missing, one named twice).
pub struct Layout {
    pub at: Vec<Option<usize>>,
    pub ignored: Vec<String>,
}

impl Layout {
    /// The cell of column `k` in a row (empty where the sheet lacks the column or the row is
    /// short).
    pub fn cell<'a>(&self, cells: &'a [Cell], k: usize) -> &'a Cell {
        static EMPTY: Cell = Cell::Empty;
        self.at
            .get(k)
            .copied()
            .flatten()
            .and_then(|i| cells.get(i))
            .unwrap_or(&EMPTY)
    }
}

/// The data rows of `sheet`, each under `columns` as `layout` places them.
pub fn rows<'a>(
    sheet: &'a super::sheet::Sheet,
    layout: &'a Layout,
    columns: &'a [Column],
) -> Vec<Row<'a>> {
    sheet
        .rows
        .iter()
        .map(|(number, cells)| Row {
            number: *number,
            cells,
            layout,
            columns,
        })
        .collect()
}

/// One data row being read: its number and cells, and the columns they fall under.
pub struct Row<'a> {
    pub number: usize,
    pub cells: &'a [Cell],
    pub layout: &'a Layout,
    pub columns: &'a [Column],
}

impl<'a> Row<'a> {
    pub fn cell(&self, k: usize) -> &'a Cell {
        self.layout.cell(self.cells, k)
    }

    /// A problem with the cell of column `k`.
    pub fn error(&self, k: usize, detail: Msg) -> super::dto::RowError {
        let value = self.cell(k).shown();
        super::dto::RowError {
            row: self.number,
            column: self.columns.get(k).map(Column::head),
            value: Some(value).filter(|v| !v.is_empty()),
            detail,
        }
    }

    /// A problem with the row as a whole.
    pub fn row_error(&self, detail: Msg) -> super::dto::RowError {
        super::dto::RowError {
            row: self.number,
            column: None,
            value: None,
            detail,
        }
    }
}

pub fn layout(columns: &[Column], headers: &[String]) -> Result<Layout, Vec<(String, Msg)>> {
    let mut at: Vec<Option<usize>> = vec![None; columns.len()];
    let mut ignored = Vec::new();
    let mut problems = Vec::new();
    for (i, header) in headers.iter().enumerate() {
        match column_of(columns, header) {
            Some(col) => {
                let k = columns
                    .iter()
                    .position(|c| std::ptr::eq(c, col))
                    .unwrap_or_default();
                if at[k].is_some() {
                    problems.push((header.clone(), msg!("import-column-twice")));
                } else {
                    at[k] = Some(i);
                }
            }
            None if header.trim().is_empty() => {}
            None => ignored.push(header.clone()),
        }
    }
    for (k, col) in columns.iter().enumerate() {
        if col.required && at[k].is_none() {
            problems.push((col.head(), msg!("import-column-missing")));
        }
    }
    if problems.is_empty() {
        Ok(Layout { at, ignored })
    } else {
        Err(problems)
    }
}

/// Excel's day 0 (serial numbers count days from it; 1900's phantom leap day lies before
/// every date a volunteer served on).
fn excel_epoch() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .unwrap_or_default()
}

/// An Excel serial number as a date and time (to the second).
fn serial(n: f64) -> Option<NaiveDateTime> {
    if !(1.0..=2_958_465.0).contains(&n) {
        return None;
    }
    let secs = (n * 86_400.0).round() as i64;
    excel_epoch().checked_add_signed(Duration::seconds(secs))
}

/// A text date: `2022-03-05`, `2022/3/5`, `2022.3.5` or `2022年3月5日` (a time after it is
/// ignored).
fn date_text(text: &str) -> Option<NaiveDate> {
    let t = text.trim();
    let day = t.split([' ', 'T']).next().unwrap_or(t);
    let day = day.trim_end_matches('日');
    let parts: Vec<&str> = day.split(['-', '/', '.', '年', '月']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4 {
        return None;
    }
    NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

/// A cell read as a date: a date cell, a serial number, or a text date.
pub fn date(cell: &Cell) -> Result<NaiveDate, Msg> {
    match cell {
        Cell::Date(n) | Cell::Number(n) => serial(*n).map(|t| t.date()),
        Cell::Text(t) => date_text(t),
        _ => None,
    }
    .ok_or_else(|| msg!("import-not-a-date"))
}

/// A cell read as a time on `day`: a time (`09:00`, `9:00:30`, an Excel time), or a date and
/// time (`2022-03-05 09:00`, an Excel date-time). Local time of the organisation.
pub fn time_on(cell: &Cell, day: NaiveDate) -> Result<NaiveDateTime, Msg> {
    let parse_time = |t: &str| {
        NaiveTime::parse_from_str(t, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
            .ok()
    };
    match cell {
        Cell::Date(n) | Cell::Number(n) if (0.0..1.0).contains(n) => {
            let secs = (n * 86_400.0).round() as i64;
            day.and_hms_opt(0, 0, 0)
                .and_then(|d| d.checked_add_signed(Duration::seconds(secs)))
        }
        Cell::Date(n) | Cell::Number(n) => serial(*n),
        Cell::Text(t) => {
            let t = t.trim();
            match t.split_once([' ', 'T']) {
                Some((d, time)) => date_text(d)
                    .zip(parse_time(time.trim()))
                    .map(|(d, t)| d.and_time(t)),
                None => parse_time(t).map(|time| day.and_time(time)),
            }
        }
        _ => None,
    }
    .ok_or_else(|| msg!("import-not-a-time"))
}

/// A cell read as text: numbers as Excel shows them; `None` when empty.
pub fn text(cell: &Cell) -> Option<String> {
    match cell {
        Cell::Empty => None,
        Cell::Text(t) => Some(t.trim().to_owned()).filter(|t| !t.is_empty()),
        other => Some(other.shown()),
    }
}

/// A cell read as a code of digits and letters (a volunteer number, a phone): a number cell
/// too long for Excel to keep exact is refused, since its last digits are already lost.
pub fn code(cell: &Cell) -> Result<Option<String>, Msg> {
    match cell {
        Cell::Number(n) if n.abs() >= 1e15 => Err(msg!("import-number-as-text")),
        Cell::Number(n) => Ok(Some(number_text(*n))),
        // what a long number looks like after Excel opened and saved a CSV
        Cell::Text(t) if scientific(t.trim()) => Err(msg!("import-number-as-text")),
        other => Ok(text(other)),
    }
}

/// `3.5010020210305E+17`: a number Excel has rounded.
fn scientific(t: &str) -> bool {
    let Some((mantissa, exponent)) = t.split_once(['E', 'e']) else {
        return false;
    };
    !mantissa.is_empty()
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '.')
        && exponent
            .strip_prefix('+')
            .is_some_and(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_digit()))
}

/// A cell read as a number (a number cell, or a number stored as text).
pub fn number(cell: &Cell) -> Result<f64, Msg> {
    match cell {
        Cell::Number(n) => Some(*n),
        Cell::Text(t) => t.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
    .ok_or_else(|| msg!("import-not-a-number"))
}

/// A cell read as a whole number.
pub fn integer(cell: &Cell) -> Result<i64, Msg> {
    let n = number(cell)?;
    if n.fract() != 0.0 || n.abs() > 9e15 {
        return Err(msg!("import-not-a-whole-number"));
    }
    Ok(n as i64)
}

/// Hours (`2.5`) as whole minutes: to the minute, or refused.
pub fn hours_as_minutes(cell: &Cell) -> Result<i32, Msg> {
    let h = number(cell)?;
    let minutes = h * 60.0;
    if (minutes - minutes.round()).abs() > 1e-6 {
        return Err(msg!("import-hours-whole-minutes"));
    }
    if !(1.0..=1440.0).contains(&minutes.round()) {
        return Err(msg!("import-hours-range"));
    }
    Ok(minutes.round() as i32)
}

/// A list in one cell (tags): separated by commas, `、` or semicolons, ASCII or full-width.
pub fn list(cell: &Cell) -> Vec<String> {
    text(cell)
        .unwrap_or_default()
        .split([',', '，', '、', ';', '；'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default()
    }

    #[test]
    fn dates_in_every_form_users_type_them() {
        let want = Ok(d(2022, 3, 5));
        assert_eq!(date(&Cell::Text("2022-03-05".into())), want);
        assert_eq!(date(&Cell::Text("2022/3/5".into())), want);
        assert_eq!(date(&Cell::Text("2022.3.5".into())), want);
        assert_eq!(date(&Cell::Text("2022年3月5日".into())), want);
        assert_eq!(date(&Cell::Text("2022-03-05 09:00".into())), want);
        // 44625 is 2022-03-05 in Excel
        assert_eq!(date(&Cell::Date(44625.0)), want);
        assert_eq!(date(&Cell::Number(44625.0)), want);
        assert!(date(&Cell::Text("5/3/2022".into())).is_err());
        assert!(date(&Cell::Text("2022-02-30".into())).is_err());
        assert!(date(&Cell::Empty).is_err());
    }

    #[test]
    fn times_as_text_fraction_or_serial() {
        let day = d(2022, 3, 5);
        let nine = day.and_hms_opt(9, 0, 0).unwrap_or_default();
        assert_eq!(time_on(&Cell::Text("09:00".into()), day), Ok(nine));
        assert_eq!(time_on(&Cell::Text("9:00:00".into()), day), Ok(nine));
        assert_eq!(time_on(&Cell::Date(0.375), day), Ok(nine));
        assert_eq!(time_on(&Cell::Date(44625.375), day), Ok(nine));
        assert_eq!(
            time_on(&Cell::Text("2022-03-05 09:00".into()), day),
            Ok(nine)
        );
        assert!(time_on(&Cell::Text("nine".into()), day).is_err());
    }

    #[test]
    fn hours_must_be_whole_minutes_within_a_day() {
        assert_eq!(hours_as_minutes(&Cell::Number(2.5)), Ok(150));
        assert_eq!(hours_as_minutes(&Cell::Text(" 1.25 ".into())), Ok(75));
        assert!(hours_as_minutes(&Cell::Number(0.001)).is_err());
        assert!(hours_as_minutes(&Cell::Number(25.0)).is_err());
        assert!(hours_as_minutes(&Cell::Text("two".into())).is_err());
    }

    #[test]
    fn long_numbers_must_be_stored_as_text() {
        assert_eq!(
            code(&Cell::Number(13805912301.0)),
            Ok(Some("13805912301".into()))
        );
        assert!(code(&Cell::Number(3.501002021e17)).is_err());
        assert!(code(&Cell::Text("3.5010020210305E+17".into())).is_err());
        assert_eq!(code(&Cell::Text("E+1".into())), Ok(Some("E+1".into())));
        assert_eq!(
            code(&Cell::Text("350100202103050001".into())),
            Ok(Some("350100202103050001".into()))
        );
    }

    #[test]
    fn lists_split_on_chinese_and_ascii_separators() {
        assert_eq!(
            list(&Cell::Text("trained，first_aid、driver; x".into())),
            ["trained", "first_aid", "driver", "x"]
        );
    }

    const COLS: [Column; 2] = [
        Column {
            key: "volunteer_number",
            zh: "志愿者编号",
            required: true,
            example: "",
            about_zh: "",
            about_en: "",
            text: true,
        },
        Column {
            key: "hours",
            zh: "服务时长(小时)",
            required: false,
            example: "",
            about_zh: "",
            about_en: "",
            text: false,
        },
    ];

    #[test]
    fn headers_by_chinese_english_or_both_in_any_order() {
        let l = layout(
            &COLS,
            &[
                "序号".into(),
                "服务时长（小时） hours".into(),
                "Volunteer Number".into(),
            ],
        );
        let l = l.ok().map(|l| (l.at, l.ignored));
        assert_eq!(l, Some((vec![Some(2), Some(1)], vec!["序号".to_owned()])));
        assert!(layout(&COLS, &["志愿者编号".into(), "volunteer_number".into()]).is_err());
        assert!(layout(&COLS, &["hours".into()]).is_err());
    }
}
