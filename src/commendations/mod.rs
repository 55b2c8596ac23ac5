//! Commendations and awards (表彰奖励): one part of a volunteer's record (State Council
//! regulation, art. 19). Read by the volunteer's scope; written by administrators and the
//! secretaries whose scope holds the volunteer.
pub mod dto;
pub mod handlers;
pub mod model;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_commendations)
        .service(handlers::create_commendation)
        .service(handlers::get_commendation)
        .service(handlers::update_commendation)
        .service(handlers::delete_commendation);
}
