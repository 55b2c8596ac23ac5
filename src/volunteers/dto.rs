use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
use utoipa::{IntoParams, ToSchema};

use super::model::VolunteerRow;

/// A tag: 1 to 40 of a-z, 0-9 and `_`.
pub const TAG_PATTERN: &str = "^[a-z0-9_]{1,40}$";
/// The most tags a volunteer has.
pub const MAX_TAGS: usize = 20;

fn tag_list(nullable: bool) -> utoipa::openapi::schema::Array {
    let tag = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(40))
        .pattern(Some(TAG_PATTERN));
    let list = ArrayBuilder::new()
        .items(tag)
        .max_items(Some(MAX_TAGS))
        .description(Some(
            "Skills and markers such as `trained` or `emergency_team`: at most 20, each 1-40 \
of a-z, 0-9 and `_`.",
        ))
        .examples([serde_json::json!(["emergency_team", "trained"])]);
    if nullable {
        list.schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
            .build()
    } else {
        list.build()
    }
}

pub fn tags_schema() -> utoipa::openapi::schema::Array {
    tag_list(false)
}

fn tags_or_null_schema() -> utoipa::openapi::schema::Array {
    tag_list(true)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    pub fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
    fn parse(s: &str) -> Option<Gender> {
        match s {
            "male" => Some(Gender::Male),
            "female" => Some(Gender::Female),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VolunteerStatus {
    Active,
    Inactive,
    /// Kept with its history, hidden from lists by default.
    Archived,
}

impl VolunteerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VolunteerStatus::Active => "active",
            VolunteerStatus::Inactive => "inactive",
            VolunteerStatus::Archived => "archived",
        }
    }
    fn parse(s: &str) -> VolunteerStatus {
        match s {
            "inactive" => VolunteerStatus::Inactive,
            "archived" => VolunteerStatus::Archived,
            _ => VolunteerStatus::Active,
        }
    }
}

/// How much personal information the caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Administrators, the volunteer's own secretaries, the volunteer itself.
    Full,
    /// HR: phone and volunteer number masked.
    Masked,
    /// Anyone else: phone and volunteer number left out.
    Hidden,
}

/// A volunteer. `phone` and `volunteer_number` are personal information: complete for
/// administrators, the volunteer's own secretaries and the volunteer itself; masked (e.g.
/// `138****5678`) for HR; absent for anyone else.
#[derive(Debug, Serialize, ToSchema)]
pub struct VolunteerResponse {
    #[schema(example = 31)]
    pub id: i64,
    #[schema(example = "林晓燕", min_length = 1, max_length = 50)]
    pub name: String,
    #[schema(required = true)]
    pub gender: Option<Gender>,
    /// Left out for callers who may not see it; masked for HR (`138****2301`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "13805912301", max_length = 20)]
    pub phone: Option<Option<String>>,
    /// The national volunteer-system number; left out for callers who may not see it, masked
    /// for HR.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "350100202103050001", max_length = 40)]
    pub volunteer_number: Option<Option<String>>,
    #[schema(example = 9)]
    pub branch_id: i64,
    pub status: VolunteerStatus,
    #[schema(required = true)]
    pub joined_on: Option<NaiveDate>,
    /// Skills and markers such as `trained` or `emergency_team`, sorted.
    #[schema(schema_with = tags_schema)]
    pub tags: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `13805912301` -> `138****2301`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() >= 8 {
        let head: String = chars[..3].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}****{tail}")
    } else {
        let tail: String = chars[chars.len().saturating_sub(2)..].iter().collect();
        format!("{}{tail}", "*".repeat(chars.len().saturating_sub(2)))
    }
}

/// A name as the public may see it: `林秀燕` -> `林*燕`, `林燕` -> `林*`, `Lin Yan` -> `L*****n`.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// Keeps the first 4 and the last 2 characters.
pub fn mask_number(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() > 6 {
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 2..].iter().collect();
        format!("{head}{}{tail}", "*".repeat(chars.len() - 6))
    } else {
        "*".repeat(chars.len())
    }
}

impl VolunteerResponse {
    pub fn new(row: VolunteerRow, tags: Vec<String>, visibility: Visibility) -> Self {
        let VolunteerRow {
            id,
            name,
            gender,
            phone,
            volunteer_number,
            branch_id,
            status,
            joined_on,
            version: _,
            created_at,
            updated_at,
        } = row;
        let shown = |value: Option<String>, mask: fn(&str) -> String| match visibility {
            Visibility::Full => Some(value),
            Visibility::Masked => Some(value.map(|v| mask(&v))),
            Visibility::Hidden => None,
        };
        VolunteerResponse {
            id,
            name,
            gender: gender.as_deref().and_then(Gender::parse),
            phone: shown(phone, mask_phone),
            volunteer_number: shown(volunteer_number, mask_number),
            branch_id,
            status: VolunteerStatus::parse(&status),
            joined_on,
            tags,
            created_at: created_at.and_utc(),
            updated_at: updated_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVolunteer {
    #[schema(example = "林晓燕", min_length = 1, max_length = 50)]
    pub name: String,
    pub gender: Option<Gender>,
    /// 5 to 20 characters: digits, after an optional `+`.
    #[schema(
        example = "13805912301",
        pattern = "^(\\+[0-9]{4,19}|[0-9]{5,20})$",
        max_length = 20
    )]
    pub phone: Option<String>,
    #[schema(example = "350100202103050001", min_length = 1, max_length = 40)]
    pub volunteer_number: Option<String>,
    /// A secretary may only use a branch of its scope.
    #[schema(example = 9)]
    pub branch_id: i64,
    pub joined_on: Option<NaiveDate>,
    #[serde(default)]
    #[schema(schema_with = tags_schema)]
    pub tags: Vec<String>,
}

/// A partial update; `null` clears a field where allowed.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateVolunteer {
    #[schema(min_length = 1, max_length = 50)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<Option<Gender>>,
    /// 5 to 20 characters: digits, after an optional `+`; `null` clears it.
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>, pattern = "^(\\+[0-9]{4,19}|[0-9]{5,20})$", max_length = 20)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 40)]
    pub volunteer_number: Option<Option<String>>,
    /// Moving keeps past hours with the branch where they were served.
    pub branch_id: Option<i64>,
    /// `archived` instead of deleting a volunteer who has hours.
    pub status: Option<VolunteerStatus>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub joined_on: Option<Option<NaiveDate>>,
    /// Replaces the whole set.
    #[schema(schema_with = tags_or_null_schema)]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VolunteerQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
    /// This branch and the branches below it.
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub branch_id: Option<i64>,
    pub status: Option<VolunteerStatus>,
    /// Volunteers with this tag: 1 to 40 of a-z, 0-9 and `_`.
    #[param(min_length = 1, max_length = 40, pattern = "^[a-z0-9_]{1,40}$")]
    pub tag: Option<String>,
    /// Case-insensitive part of the name (Chinese or Latin).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Include archived volunteers.
    #[param(default = false)]
    pub include_archived: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking() {
        assert_eq!(mask_phone("13805912301"), "138****2301");
        assert_eq!(mask_phone("+8613805912301"), "+86****2301");
        assert_eq!(mask_phone("12345"), "***45");
        assert_eq!(mask_number("350100202103050001"), "3501************01");
        assert_eq!(mask_number("ABC"), "***");
        assert_eq!(mask_name("林秀燕"), "林*燕");
        assert_eq!(mask_name("欧阳娜娜"), "欧**娜");
        assert_eq!(mask_name("林燕"), "林*");
        assert_eq!(mask_name("林"), "*");
    }
}
