use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{PlanItemRow, PlanRow, SectionRow};

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummary {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = 2022, minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[schema(
        example = "2022年精神文明创建工作要点",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub title_en: Option<String>,
    #[schema(example = "福州市工业和信息化局", min_length = 1, max_length = 200)]
    pub issuer: String,
    #[schema(required = true)]
    pub published_on: Option<NaiveDate>,
    #[schema(example = 11, minimum = 0, maximum = 999)]
    pub item_count: i64,
}

impl PlanSummary {
    pub fn new(row: PlanRow, item_count: i64) -> Self {
        PlanSummary {
            id: row.id,
            year: row.year,
            title: row.title,
            title_en: row.title_en,
            issuer: row.issuer,
            published_on: row.published_on,
            item_count,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanItemBody {
    #[schema(example = 8)]
    pub id: i64,
    #[schema(example = 8, minimum = 1, maximum = 999)]
    pub number: i32,
    #[schema(example = "深化志愿服务“五化”建设", min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub title_en: Option<String>,
    #[schema(max_length = 20000)]
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionBody {
    pub id: i64,
    #[schema(example = 3, minimum = 1, maximum = 99)]
    pub number: i32,
    #[schema(
        example = "拓展文明实践，助推文明典范城市创建",
        min_length = 1,
        max_length = 200
    )]
    pub title: String,
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub title_en: Option<String>,
    /// In order of number (item numbers are unique within a plan, 1 to 999).
    #[schema(min_items = 1, max_items = 999)]
    pub items: Vec<PlanItemBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDetail {
    pub id: i64,
    #[schema(example = 2022, minimum = 2000, maximum = 2100)]
    pub year: i32,
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(required = true, min_length = 1, max_length = 200)]
    pub title_en: Option<String>,
    #[schema(min_length = 1, max_length = 200)]
    pub issuer: String,
    #[schema(required = true)]
    pub published_on: Option<NaiveDate>,
    #[schema(required = true, max_length = 20000)]
    pub preamble: Option<String>,
    /// In order of number (1 to 99, unique), each with its items in order.
    #[schema(min_items = 1, max_items = 99)]
    pub sections: Vec<SectionBody>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl PlanDetail {
    pub fn new(plan: PlanRow, sections: Vec<SectionRow>, items: Vec<PlanItemRow>) -> Self {
        let PlanRow {
            id,
            year,
            title,
            title_en,
            issuer,
            published_on,
            preamble,
            version: _,
            created_at,
            updated_at,
        } = plan;
        let sections = sections
            .into_iter()
            .map(|s| SectionBody {
                items: items
                    .iter()
                    .filter(|i| i.section_id == s.id)
                    .map(|i| PlanItemBody {
                        id: i.id,
                        number: i.number,
                        title: i.title.clone(),
                        title_en: i.title_en.clone(),
                        body: i.body.clone(),
                    })
                    .collect(),
                id: s.id,
                number: s.number,
                title: s.title,
                title_en: s.title_en,
            })
            .collect();
        PlanDetail {
            id,
            year,
            title,
            title_en,
            issuer,
            published_on,
            preamble,
            sections,
            created_at: created_at.and_utc(),
            updated_at: updated_at.and_utc(),
        }
    }
}

/// A plan item with where it belongs.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanItemResponse {
    #[schema(example = 8)]
    pub id: i64,
    pub plan_id: i64,
    #[schema(example = 2022, minimum = 2000, maximum = 2100)]
    pub plan_year: i32,
    #[schema(example = 3, minimum = 1, maximum = 99)]
    pub section_number: i32,
    #[schema(example = 8, minimum = 1, maximum = 999)]
    pub number: i32,
    #[schema(example = "深化志愿服务“五化”建设", min_length = 1, max_length = 200)]
    pub title: String,
    #[schema(
        example = "Deepen volunteer service \"five-isations\"",
        required = true,
        min_length = 1,
        max_length = 200
    )]
    pub title_en: Option<String>,
    #[schema(max_length = 20000)]
    pub body: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
    pub year: Option<i32>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanItemQuery {
    /// Page size.
    #[param(minimum = 1, maximum = 200, default = 50)]
    pub limit: Option<u32>,
    /// 1-based page number.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<u32>,
    #[serde(default, deserialize_with = "crate::http::query_id")]
    pub plan_id: Option<i64>,
    pub year: Option<i32>,
}
