//! Sessions: log in, refresh, log out, who am I, change my password. Built on `auth`
//! (tokens, passwords, the principal) and `users` (the accounts).
pub mod dto;
pub mod handlers;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::login)
        .service(handlers::refresh)
        .service(handlers::logout)
        .service(handlers::me)
        .service(handlers::change_password);
}
