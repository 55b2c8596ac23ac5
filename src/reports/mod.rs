//! Totals, star levels and HR exports.
pub mod dto;
pub mod handlers;
pub mod model;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::totals)
        .service(handlers::totals_csv)
        .service(handlers::totals_xlsx);
}
