//! Sign-ups (报名): volunteers sign up for events that take them, are admitted up to the
//! capacity (then waitlisted) or by the organiser, and cancel; a freed place admits the
//! next on the waiting list.
pub mod dto;
pub mod handlers;
pub mod model;
pub mod places;
pub mod rules;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::create_signup)
        .service(handlers::list_event_signups)
        .service(handlers::get_signup)
        .service(handlers::cancel_signup)
        .service(handlers::admit_signup)
        .service(handlers::decline_signup)
        .service(handlers::my_signups)
        .service(handlers::my_events);
}
