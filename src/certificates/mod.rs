//! Record certificates (志愿服务记录证明; State Council regulation, art. 19; the Ministry's
//! order 67: whoever organised the service certifies it). A certificate is a frozen,
//! numbered snapshot of a volunteer's approved hours, issued as JSON and as a PDF, and
//! verified by anyone holding its code at the public `/verify/{number}` page.
pub mod dto;
pub mod handlers;
pub mod issue;
pub mod model;
pub mod pdf;
pub mod verify;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::issue_certificate)
        .service(handlers::list_certificates)
        .service(handlers::my_certificates)
        .service(handlers::get_certificate)
        .service(handlers::certificate_pdf)
        .service(handlers::revoke_certificate);
}

/// The public page, outside `/api/v1`.
pub fn public_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(verify::verify);
}
