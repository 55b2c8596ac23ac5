//! The yearly work plan: sections and numbered items that events are tied to.
pub mod dto;
pub mod handlers;
pub mod model;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_plans)
        .service(handlers::get_plan)
        .service(handlers::list_plan_items)
        .service(handlers::create_plan);
}
