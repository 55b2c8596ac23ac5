//! Events: what volunteers serve at, each tied to items of the year's plan.
pub mod amendments;
pub mod dto;
pub mod fields;
pub mod handlers;
pub mod model;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_events)
        .service(handlers::get_event)
        .service(handlers::create_event)
        .service(handlers::update_event)
        .service(handlers::delete_event)
        .service(amendments::amend_event);
}
