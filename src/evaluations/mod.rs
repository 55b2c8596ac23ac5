//! Evaluations (评价): the organiser's rating of a volunteer's service at an event, one part
//! of a volunteer's record (State Council regulation, art. 19). One per volunteer and event,
//! given by administrators and the organising branch's secretaries, only for a volunteer
//! with an approved entry there.
pub mod dto;
pub mod handlers;
pub mod model;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::put_evaluation)
        .service(handlers::get_evaluation)
        .service(handlers::list_event_evaluations)
        .service(handlers::list_volunteer_evaluations);
}
