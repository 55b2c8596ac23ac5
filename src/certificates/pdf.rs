//! The certificate as an A4 PDF in Chinese: the title, the fields in a table, the service
//! counted, and a QR code that opens the verification page, with the number and the code.
//!
//! The font (a subset of Noto Sans CJK SC, see `assets/fonts/README.md`) is compiled in, so
//! no system font or library is needed; the PDF embeds only the glyphs it uses (krilla
//! subsets it). The page is laid out first as plain drawing operations, then drawn.

use std::sync::OnceLock;

use chrono::NaiveDate;

use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use krilla::Document;

use super::dto::Snapshot;

static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/NotoSansCJKsc-Regular-subset.otf");

fn font() -> Option<Font> {
    static FONT: OnceLock<Option<Font>> = OnceLock::new();
    FONT.get_or_init(|| Font::new(FONT_BYTES.into(), 0)).clone()
}

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.5;
const LINE: f32 = 1.45;

/// One drawing operation, in points from the page's top left.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Text with its baseline at `y`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// A filled black rectangle (a QR module run).
    Block { x: f32, y: f32, w: f32, h: f32 },
}

/// The width of `text` at `size`, by an upper estimate: ideographs and fullwidth forms are
/// one em, other characters at most 0.6 em in this font.
fn width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.6 } else { 1.0 })
        .sum::<f32>()
        * size
}

/// `text` broken into lines no wider than `max` (at character boundaries, as Chinese is
/// set; an explicit newline breaks too).
pub fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for c in para.chars() {
            let mut next = line.clone();
            next.push(c);
            if !line.is_empty() && width(&next, size) > max {
                lines.push(std::mem::take(&mut line));
                line.push(c);
            } else {
                line = next;
            }
        }
        lines.push(line);
    }
    lines
}

struct Layout {
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl Layout {
    fn ops(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Starts a new page if `height` does not fit below `y`.
    fn room(&mut self, height: f32) -> bool {
        if self.y + height > PAGE_H - MARGIN {
            self.pages.push(Vec::new());
            self.y = MARGIN;
            true
        } else {
            false
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, text: &str) {
        self.ops().push(Op::Text {
            x,
            y,
            size,
            text: text.to_owned(),
        });
    }

    fn line(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, width: f32) {
        self.ops().push(Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
        });
    }

    /// A table row: cells of the given widths from `x`, each text wrapped, framed.
    /// One line of service or training: date, event, plan items, hours.
    fn service_line(&mut self, widths: &[f32], line: &super::dto::ServiceLine, size: f32) {
        let date = line.date.to_string();
        let items = line
            .plan_items
            .iter()
            .map(|p| p.0.as_str())
            .collect::<Vec<_>>()
            .join("；");
        self.row(
            MARGIN,
            widths,
            &[&date, &line.event, or_dash(Some(&items)), &line.hours],
            size,
        );
    }

    fn row(&mut self, x: f32, widths: &[f32], cells: &[&str], size: f32) {
        let pad = 5.0;
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| wrap(c, size, w - 2.0 * pad))
            .collect();
        let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
        let height = lines as f32 * size * LINE + 2.0 * pad;
        self.room(height);
        let top = self.y;
        let total: f32 = widths.iter().sum();
        // over the previous row's bottom, except on a table's first row or a new page
        self.line(x, top, x + total, top, 0.6);
        let mut cx = x;
        for (cell, w) in wrapped.iter().zip(widths) {
            for (i, l) in cell.iter().enumerate() {
                let baseline = top + pad + size + i as f32 * size * LINE;
                self.text(cx + pad, baseline, size, l);
            }
            cx += w;
        }
        let bottom = top + height;
        self.line(x, bottom, x + total, bottom, 0.6);
        let mut cx = x;
        self.line(cx, top, cx, bottom, 0.6);
        for w in widths {
            cx += w;
            self.line(cx, top, cx, bottom, 0.6);
        }
        self.y = bottom;
    }
}

fn or_dash(v: Option<&str>) -> &str {
    v.filter(|s| !s.trim().is_empty()).unwrap_or("—")
}

fn period_text(s: &Snapshot) -> String {
    match (s.period.from, s.period.to) {
        (None, None) => format!("记录开始至 {}", s.issued_on),
        (Some(f), None) => format!("{f} 至 {}", s.issued_on),
        (None, Some(t)) => format!("记录开始至 {t}"),
        (Some(f), Some(t)) => format!("{f} 至 {t}"),
    }
}

fn covers_text(s: &Snapshot) -> String {
    let names: Vec<String> = s
        .covers
        .iter()
        .map(|b| format!("{}（{}）", b.name, b.code))
        .collect();
    if s.covers_whole_organisation {
        format!("全部组织单位：{}及其下属支部", names.join("、"))
    } else {
        format!("{}及其下属支部", names.join("、"))
    }
}

/// The drawing operations of every page.
pub fn layout(s: &Snapshot, code: &str, url: &str, revoked: Option<NaiveDate>) -> Vec<Vec<Op>> {
    let mut l = Layout {
        pages: vec![Vec::new()],
        y: MARGIN,
    };
    let inner = PAGE_W - 2.0 * MARGIN;
    // the title, centred
    let title_size = 22.0;
    let title_w = width(&s.title, title_size);
    l.text(
        (PAGE_W - title_w) / 2.0,
        MARGIN + title_size,
        title_size,
        &s.title,
    );
    l.y = MARGIN + title_size + 14.0;
    let number_line = format!("证明编号：{}", s.number);
    l.text(
        PAGE_W - MARGIN - width(&number_line, BODY),
        l.y,
        BODY,
        &number_line,
    );
    if let Some(day) = revoked {
        let note = format!("本证明已于{}撤销，不再有效。", day.format("%Y年%m月%d日"));
        l.text(MARGIN, l.y, BODY, &note);
    }
    l.y += 14.0;
    let intro = format!(
        "兹证明{}同志在下列期间参加由本单位组织的志愿服务活动，经审核确认的服务时长如下（已计入经批准的更正；培训时长单列，不计入服务时长）。",
        s.volunteer.name
    );
    for line in wrap(&intro, BODY, inner) {
        l.y += BODY * LINE;
        l.text(MARGIN, l.y, BODY, &line);
    }
    l.y += 10.0;

    let service = format!("{} 小时", s.service_hours);
    let training = format!("{} 小时", s.training_hours);
    let period = period_text(s);
    let covers = covers_text(s);
    let issued_on = s.issued_on.format("%Y年%m月%d日").to_string();
    let official = if s.issuer.official == s.issuer.official_username {
        s.issuer.official.clone()
    } else {
        format!("{}（{}）", s.issuer.official, s.issuer.official_username)
    };
    let fields: [(&str, &str); 12] = [
        ("姓名", &s.volunteer.name),
        (
            "志愿者编号",
            or_dash(s.volunteer.volunteer_number.as_deref()),
        ),
        ("服务期间", &period),
        ("志愿服务时长", &service),
        ("培训时长", &training),
        ("证明范围", &covers),
        ("出具单位", &s.issuer.organisation),
        ("负责人", or_dash(s.issuer.person_in_charge.as_deref())),
        ("联系方式", or_dash(s.issuer.contact.as_deref())),
        ("经办人", &official),
        ("出具日期", &issued_on),
        ("备注", or_dash(s.purpose.as_deref())),
    ];
    let label_w = 100.0;
    for (label, value) in fields {
        l.row(MARGIN, &[label_w, inner - label_w], &[label, value], BODY);
    }

    l.y += 18.0;
    l.room(BODY * 4.0);
    l.text(MARGIN, l.y, 12.0, "志愿服务明细");
    l.y += 10.0;
    let widths = [78.0, 180.0, inner - 78.0 - 180.0 - 72.0, 72.0];
    let small = 9.0;
    l.row(
        MARGIN,
        &widths,
        &["日期", "活动", "工作要点", "时长（小时）"],
        small,
    );
    if s.service.is_empty() {
        l.row(
            MARGIN,
            &[inner],
            &["（期间内无经审核确认的志愿服务）"],
            small,
        );
    }
    for line in &s.service {
        l.service_line(&widths, line, small);
    }
    if !s.training.is_empty() {
        l.y += 14.0;
        l.room(BODY * 4.0);
        l.text(MARGIN, l.y, 12.0, "培训明细");
        l.y += 10.0;
        l.row(
            MARGIN,
            &widths,
            &["日期", "培训", "工作要点", "时长（小时）"],
            small,
        );
        for line in &s.training {
            l.service_line(&widths, line, small);
        }
    }

    // the QR code, the number and the code, together at the end
    let qr_size = 110.0;
    l.y += 20.0;
    l.room(qr_size + 10.0);
    let top = l.y;
    let modules = qr_blocks(url, MARGIN, top, qr_size);
    l.ops().extend(modules);
    let tx = MARGIN + qr_size + 16.0;
    let lines = [
        format!("证明编号：{}", s.number),
        format!("核验码：{code}"),
        "扫描二维码或访问下列地址核验本证明真伪：".to_owned(),
    ];
    let mut ty = top + 24.0;
    for text in &lines {
        l.text(tx, ty, BODY, text);
        ty += BODY * LINE + 4.0;
    }
    for part in wrap(url, 8.0, inner - qr_size - 16.0) {
        l.text(tx, ty, 8.0, &part);
        ty += 8.0 * LINE;
    }
    let seal = format!("{}（盖章）", s.issuer.organisation);
    l.text(
        PAGE_W - MARGIN - width(&seal, BODY),
        top + qr_size - 4.0,
        BODY,
        &seal,
    );
    l.y = top + qr_size;
    l.pages
}

/// The dark modules of a QR code for `data` (error correction M, a four-module quiet zone)
/// as filled rectangles, runs of a row joined, in a square of `size` at `x`, `y`.
pub fn qr_blocks(data: &str, x: f32, y: f32, size: f32) -> Vec<Op> {
    let Ok(code) = qrcode::QrCode::with_error_correction_level(data, qrcode::EcLevel::M) else {
        return Vec::new();
    };
    let n = code.width();
    let colors = code.to_colors();
    let quiet = 4;
    let unit = size / (n + 2 * quiet) as f32;
    let mut out = Vec::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == qrcode::Color::Dark {
                let start = col;
                while col < n && colors[row * n + col] == qrcode::Color::Dark {
                    col += 1;
                }
                out.push(Op::Block {
                    x: x + (start + quiet) as f32 * unit,
                    y: y + (row + quiet) as f32 * unit,
                    w: (col - start) as f32 * unit,
                    h: unit,
                });
            } else {
                col += 1;
            }
        }
    }
    out
}

/// The certificate's PDF; `None` only if the compiled-in font cannot be read or krilla
/// refuses the document (a bug, answered 500).
pub fn render(s: &Snapshot, code: &str, url: &str, revoked: Option<NaiveDate>) -> Option<Vec<u8>> {
    let font = font()?;
    let pages = layout(s, code, url, revoked);
    let mut document = Document::new();
    document.set_metadata(
        krilla::metadata::Metadata::new()
            .title(format!("{} {}", s.title, s.number))
            .language("zh-CN".into())
            .creator("volunteer-hours".into()),
    );
    for ops in pages {
        let mut page = document.start_page_with(PageSettings::from_wh(PAGE_W, PAGE_H)?);
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text { x, y, size, text } => {
                    surface.set_stroke(None);
                    surface.set_fill(Some(Fill::default()));
                    surface.draw_text(
                        Point::from_xy(x, y),
                        font.clone(),
                        size,
                        &text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(x1, y1);
                    pb.line_to(x2, y2);
                    if let Some(path) = pb.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Block { x, y, w, h } => {
                    let mut pb = PathBuilder::new();
                    if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                        pb.push_rect(rect);
                    }
                    if let Some(path) = pb.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill::default()));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    document.finish().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_wraps_at_characters() {
        let lines = wrap("志愿服务记录证明志愿服务记录证明", 10.0, 45.0);
        assert_eq!(lines, ["志愿服务", "记录证明", "志愿服务", "记录证明"]);
        assert_eq!(wrap("", 10.0, 45.0), [""]);
        assert_eq!(wrap("一\n二", 10.0, 45.0), ["一", "二"]);
    }

    #[test]
    fn a_qr_code_is_drawn_inside_its_square() {
        let blocks = qr_blocks(
            "http://127.0.0.1:8080/verify/VH-2026-000001?code=ABC",
            10.0,
            20.0,
            100.0,
        );
        assert!(!blocks.is_empty());
        for b in blocks {
            let Op::Block { x, y, w, h } = b else {
                panic!("{b:?}")
            };
            assert!(x >= 10.0 && y >= 20.0 && x + w <= 110.01 && y + h <= 120.01);
        }
    }

    #[test]
    fn the_font_is_compiled_in_and_readable() {
        assert!(font().is_some());
    }

    fn snapshot(name: &str, lines: usize) -> Snapshot {
        use super::super::dto::*;
        let day = NaiveDate::from_ymd_opt(2022, 3, 5).unwrap();
        let line = ServiceLine {
            date: day,
            event_id: 1,
            event: "3·5学雷锋志愿服务".into(),
            plan_items: vec![PlanItemText("8. 深化志愿服务“五化”建设".into())],
            minutes: 90,
            hours: "1.50".into(),
        };
        Snapshot {
            title: TITLE.into(),
            number: "VH-2026-000001".into(),
            volunteer: SnapshotVolunteer {
                id: 1,
                name: name.into(),
                volunteer_number: None,
            },
            period: Period {
                from: None,
                to: None,
            },
            service_minutes: 90 * lines as i64,
            service_hours: "1.50".into(),
            training_minutes: 0,
            training_hours: "0.00".into(),
            service: vec![line; lines],
            training: Vec::new(),
            covers: Vec::new(),
            covers_whole_organisation: true,
            issuer: Issuer {
                organisation: "市工信局机关党委".into(),
                person_in_charge: None,
                contact: None,
                official: "admin".into(),
                official_username: "admin".into(),
            },
            issued_on: day,
            issued_at: day.and_hms_opt(0, 0, 0).unwrap().and_utc(),
            purpose: None,
        }
    }

    #[test]
    fn a_long_record_runs_over_pages_that_stay_inside_the_margins() {
        let pages = layout(
            &snapshot("林秀燕", 120),
            "ABCDEFGHJKLM",
            "http://x/verify/VH?code=A",
            None,
        );
        assert!(pages.len() >= 3, "{}", pages.len());
        for ops in &pages {
            for op in ops {
                let (top, bottom) = match op {
                    Op::Text { y, size, .. } => (y - size, *y),
                    Op::Line { y1, y2, .. } => (y1.min(*y2), y1.max(*y2)),
                    Op::Block { y, h, .. } => (*y, y + h),
                };
                assert!(
                    top >= MARGIN - 1.0 && bottom <= PAGE_H - MARGIN + 1.0,
                    "{op:?}"
                );
            }
        }
    }

    #[test]
    fn characters_outside_the_font_still_render() {
        // U+20000 is not in the subset: drawn as the empty glyph, the PDF still made
        let pdf = render(
            &snapshot("林\u{20000}燕", 1),
            "ABCDEFGHJKLM",
            "http://x",
            None,
        );
        assert!(pdf.is_some_and(|p| p.starts_with(b"%PDF-")));
    }
}
