use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{PlanItemRow, PlanRow, SectionRow};

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanSummary {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = 2022)]
    pub year: i32,
    #[schema(example = "2022年精神文明创建工作要点")]
    pub title: String,
    pub title_en: Option<String>,
    #[schema(example = "福州市工业和信息化局")]
    pub issuer: String,
    pub published_on: Option<NaiveDate>,
    #[schema(example = 11)]
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
    #[schema(example = 8)]
    pub number: i32,
    #[schema(example = "深化志愿服务“五化”建设")]
    pub title: String,
    pub title_en: Option<String>,
    pub body: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionBody {
    pub id: i64,
    #[schema(example = 3)]
    pub number: i32,
    #[schema(example = "拓展文明实践，助推文明典范城市创建")]
    pub title: String,
    pub title_en: Option<String>,
    pub items: Vec<PlanItemBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDetail {
    pub id: i64,
    pub year: i32,
    pub title: String,
    pub title_en: Option<String>,
    pub issuer: String,
    pub published_on: Option<NaiveDate>,
    pub preamble: Option<String>,
    /// In order of number, each with its items in order.
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
    #[schema(example = 2022)]
    pub plan_year: i32,
    #[schema(example = 3)]
    pub section_number: i32,
    #[schema(example = 8)]
    pub number: i32,
    #[schema(example = "深化志愿服务“五化”建设")]
    pub title: String,
    #[schema(example = "Deepen volunteer service \"five-isations\"")]
    pub title_en: Option<String>,
    pub body: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    /// Page size, 1-200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
    /// 1-based page number (default 1).
    #[param(minimum = 1, maximum = 1000000)]
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
