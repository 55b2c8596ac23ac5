//! Branches (支部) and other units, as a tree.
pub mod dto;
pub mod handlers;
pub mod model;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_branches)
        .service(handlers::get_branch)
        .service(handlers::create_branch)
        .service(handlers::update_branch)
        .service(handlers::delete_branch);
}
