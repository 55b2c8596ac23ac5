//! The volunteer's record (志愿服务记录, State Council regulation on volunteer service,
//! art. 19) as one document: basic information, service, training, commendations and
//! evaluations, read from the modules that own each part, at one moment.
pub mod dto;
pub mod handlers;
pub mod model;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::volunteer_record)
        .service(handlers::my_record);
}
