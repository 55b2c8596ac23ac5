//! Hour entries: who served at which event, and for how long.
//!
//! - `status`, `source`, `rules`: the domain, pure (an entry's life; time against the event's window,
//!   overlap, the daily cap, correction netting), with unit tests beside them.
//! - `model`: rows and every query (`model::roster_insert`: a roster in one statement).
//! - `submit`, `review`, `corrections`, `entries`: the handlers, each extract, parse, one
//!   database closure calling the model and the rules, respond.
//! - `dto`: request and response types.
pub mod corrections;
pub mod dto;
pub mod entries;
pub mod model;
pub mod review;
pub mod rules;
pub mod source;
pub mod status;
pub mod submit;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(submit::submit_hours)
        .service(entries::list_hours)
        .service(review::review_many)
        .service(entries::get_hours)
        .service(review::approve_hours)
        .service(review::reject_hours)
        .service(corrections::correct_hours)
        .service(entries::update_hours)
        .service(entries::withdraw_hours)
        .service(entries::hours_history)
        .service(entries::my_hours);
}
