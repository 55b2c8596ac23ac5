//! Accounts that log in.
pub mod dto;
pub mod handlers;
pub mod model;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::list_users)
        .service(handlers::get_user)
        .service(handlers::create_user)
        .service(handlers::update_user);
}
