//! Hour entries: who served at which event, and for how long.
pub mod dto;
pub mod handlers;
pub mod model;
pub mod rules;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::submit_hours)
        .service(handlers::list_hours)
        .service(handlers::review_many)
        .service(handlers::get_hours)
        .service(handlers::approve_hours)
        .service(handlers::reject_hours)
        .service(handlers::correct_hours)
        .service(handlers::update_hours)
        .service(handlers::withdraw_hours)
        .service(handlers::hours_history)
        .service(handlers::my_hours);
}
