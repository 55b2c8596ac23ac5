//! Error reports by volunteers (更正申请, Ministry of Civil Affairs order 67): a volunteer
//! who finds an entry missing from its record, or one that counts the wrong time, reports it
//! with an explanation; the secretaries of the event's organising branch (and
//! administrators) accept it, which records the entry or the correction through the hours
//! rules (then reviewed like any entry), or decline it with a reason.
pub mod dto;
pub mod handlers;
pub mod model;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_my_error_report)
        .service(handlers::list_my_error_reports)
        .service(handlers::list_error_reports)
        .service(handlers::get_error_report)
        .service(handlers::accept_error_report)
        .service(handlers::decline_error_report);
}
