//! Volunteers: the people whose service is recorded.
pub mod dto;
pub mod handlers;
pub mod model;
pub mod read;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_volunteers)
        .service(handlers::get_volunteer)
        .service(handlers::create_volunteer)
        .service(handlers::update_volunteer)
        .service(handlers::delete_volunteer);
}
