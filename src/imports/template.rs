//! The import templates: a header row (Chinese, then English), one example row, and in the
//! XLSX a second sheet saying what each column means, the allowed values and the limits.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

use super::columns::Column;
use crate::config::ImportConfig;

/// What a template is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    Volunteers,
    Hours,
}

impl Template {
    pub fn columns(self) -> &'static [Column] {
        match self {
            Template::Volunteers => &super::volunteers::COLUMNS,
            Template::Hours => &super::hours::COLUMNS,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Template::Volunteers => "volunteers",
            Template::Hours => "hours",
        }
    }

    /// The allowed values the second sheet lists, beyond the columns' own descriptions.
    fn values(self) -> Vec<(&'static str, String)> {
        match self {
            Template::Volunteers => vec![("性别 gender", "男, 女 (male, female)".to_owned())],
            Template::Hours => vec![("类别 category", crate::events::model::CATEGORIES.join(", "))],
        }
    }
}

/// The CSV template: UTF-8 with a BOM (so that Excel opens it right), the header and the
/// example row.
pub fn csv(t: Template) -> String {
    use crate::reports::handlers::csv_field;
    let cols = t.columns();
    let line = |cells: Vec<String>| cells.join(",") + "\r\n";
    let mut out = String::from("\u{feff}");
    out.push_str(&line(
        cols.iter().map(|c| csv_field(&c.head(), true)).collect(),
    ));
    out.push_str(&line(
        cols.iter().map(|c| csv_field(c.example, true)).collect(),
    ));
    out
}

/// The XLSX template.
pub fn xlsx(t: Template, limits: &ImportConfig) -> Result<Vec<u8>, XlsxError> {
    let bold = Format::new().set_bold();
    let as_text = Format::new().set_num_format("@");
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let cols = t.columns();
    let mut sheet = Worksheet::new();
    sheet.set_name(t.name())?;
    for (c, col) in cols.iter().enumerate() {
        let c = c as u16;
        sheet.write_string_with_format(0, c, col.head(), &bold)?;
        let width = 4.0 + col.head().chars().count() as f64 * 1.3;
        if col.text {
            // long numbers (volunteer numbers, phones) stay exact as text
            sheet.set_column_width(c, width)?;
            sheet.set_column_format(c, &as_text)?;
        } else {
            sheet.set_column_width(c, width.max(12.0))?;
        }
        if col.example.is_empty() {
            continue;
        }
        if col.key.ends_with("_date") || col.key == "joined_on" {
            let day = rust_xlsxwriter::ExcelDateTime::parse_from_str(col.example)?;
            sheet.write_datetime_with_format(1, c, &day, &date)?;
        } else if !col.text && col.example.parse::<f64>().is_ok() {
            sheet.write_number(1, c, col.example.parse::<f64>().unwrap_or_default())?;
        } else {
            sheet.write_string(1, c, col.example)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;

    let mut about = Worksheet::new();
    about.set_name("说明 about")?;
    for (c, head) in ["列 column", "必填 required", "说明", "meaning"]
        .iter()
        .enumerate()
    {
        about.write_string_with_format(0, c as u16, *head, &bold)?;
    }
    let mut r = 1;
    for col in cols {
        about.write_string(r, 0, col.head())?;
        about.write_string(r, 1, if col.required { "是 yes" } else { "否 no" })?;
        about.write_string(r, 2, col.about_zh)?;
        about.write_string(r, 3, col.about_en)?;
        r += 1;
    }
    r += 1;
    about.write_string_with_format(r, 0, "取值 allowed values", &bold)?;
    r += 1;
    for (what, values) in t.values() {
        about.write_string(r, 0, what)?;
        about.write_string(r, 2, &values)?;
        r += 1;
    }
    r += 1;
    about.write_string_with_format(r, 0, "限制 limits", &bold)?;
    r += 1;
    let limits = [
        (
            format!("最多 {} 行数据", limits.max_rows),
            format!("at most {} data rows (IMPORT_MAX_ROWS)", limits.max_rows),
        ),
        (
            format!("文件最大 {} 字节", limits.max_bytes),
            format!("files of at most {} bytes (MAX_IMPORT_BYTES)", limits.max_bytes),
        ),
        (
            "表头可用中文或英文列名，列的顺序不限；模板以外的列不读取；空行跳过".to_owned(),
            "headers by the Chinese or the English name, in any order; columns not in the template are not read; blank rows are skipped".to_owned(),
        ),
        (
            "全部行无误才导入，任一行有误则不写入任何内容；dry_run=true 只检查".to_owned(),
            "every row lands or none: one bad row imports nothing; dry_run=true only checks".to_owned(),
        ),
        (
            "CSV 可为 UTF-8（可带 BOM）或 GB18030/GBK 编码".to_owned(),
            "CSV in UTF-8 (with or without a BOM) or GB18030/GBK".to_owned(),
        ),
    ];
    for (zh, en) in limits {
        about.write_string(r, 2, zh)?;
        about.write_string(r, 3, en)?;
        r += 1;
    }
    about.set_column_width(0, 26)?;
    about.set_column_width(1, 12)?;
    about.set_column_width(2, 60)?;
    about.set_column_width(3, 70)?;

    let mut book = Workbook::new();
    book.push_worksheet(sheet);
    book.push_worksheet(about);
    book.save_to_buffer()
}
