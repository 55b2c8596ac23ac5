//! Checks shared by request bodies. Each pushes a `FieldError` located by JSON pointer, so
//! that one answer lists every bad field.

use crate::error::{AppError, FieldError};
use crate::i18n::Msg;
use crate::msg;

#[derive(Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn add(&mut self, pointer: impl Into<String>, detail: Msg) {
        self.0.push(FieldError::new(pointer, detail));
    }

    /// Text of `min..=max` characters with no surrounding white space.
    pub fn text(&mut self, pointer: &str, value: &str, min: usize, max: usize) {
        let n = value.chars().count();
        if n < min || n > max {
            self.add(pointer, msg!("text-length", min = min, max = max));
        } else if value.trim() != value {
            self.add(pointer, msg!("text-untrimmed"));
        }
    }

    pub fn opt_text(&mut self, pointer: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.text(pointer, v, 1, max);
        }
    }

    pub fn code(&mut self, pointer: &str, value: &str) {
        let ok = (1..=32).contains(&value.len())
            && value
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !ok {
            self.add(pointer, msg!("code-form"));
        }
    }

    pub fn phone(&mut self, pointer: &str, value: &str) {
        let digits = value.strip_prefix('+').unwrap_or(value);
        let ok = (5..=20).contains(&value.len())
            && !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit());
        if !ok {
            self.add(pointer, msg!("phone-form"));
        }
    }

    pub fn tag(&mut self, pointer: &str, value: &str) {
        let ok = (1..=40).contains(&value.len())
            && value
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !ok {
            self.add(pointer, msg!("tag-form"));
        }
    }

    pub fn into_result(self) -> Result<(), AppError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}

/// The most characters a list's `q` search may have.
pub const MAX_SEARCH: usize = 100;

/// The LIKE pattern of a list's `q` search (see [`contains_pattern`]); `None` when it
/// searches for nothing. A `q` of more than [`MAX_SEARCH`] characters is refused (400).
pub fn search(q: Option<&str>) -> Result<Option<String>, AppError> {
    if q.is_some_and(|q| q.chars().count() > MAX_SEARCH) {
        return Err(AppError::InvalidParameter(vec![FieldError::new(
            "/query/q",
            msg!("at-most-characters", max = MAX_SEARCH),
        )]));
    }
    Ok(q.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(contains_pattern))
}

/// A LIKE pattern matching `text` anywhere, case-insensitively against a lower-cased
/// column; `%`, `_` and `\` typed by a user match themselves (use with `.escape('\\')`).
pub fn contains_pattern(text: &str) -> String {
    let escaped = text
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_rules() {
        let mut e = Errors::default();
        e.text("/a", "", 1, 5);
        e.text("/b", "六个汉字太长", 1, 5);
        e.text("/c", " x", 1, 5);
        e.text("/d", "五个汉字啊", 1, 5);
        let pointers: Vec<_> = e.0.iter().map(|f| f.pointer.as_str()).collect();
        assert_eq!(pointers, ["/a", "/b", "/c"]);
    }

    #[test]
    fn searches_are_at_most_100_characters() {
        assert_eq!(
            search(Some(" Zhang ")).ok().flatten().as_deref(),
            Some("%zhang%")
        );
        assert_eq!(search(Some("  ")).ok().flatten(), None);
        assert!(search(Some(&"字".repeat(MAX_SEARCH))).is_ok());
        assert!(matches!(
            search(Some(&"字".repeat(MAX_SEARCH + 1))),
            Err(AppError::InvalidParameter(_))
        ));
    }

    #[test]
    fn patterns_escape_wildcards() {
        assert_eq!(contains_pattern(" Zhang "), "%zhang%");
        assert_eq!(contains_pattern("50%_x"), "%50\\%\\_x%");
    }
}
