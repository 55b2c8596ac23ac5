//! Attendance (签到签退): volunteers check in and out at an event with its rotating code,
//! or the organiser scans their pass or names them; a check-out makes the hour entry.
pub mod attend;
pub mod codes;
pub mod dto;
pub mod handlers;
pub mod limiter;
pub mod model;
pub mod rules;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::check_in_code)
        .service(handlers::check_in)
        .service(handlers::check_out)
        .service(handlers::my_pass)
        .service(handlers::record_attendance)
        .service(handlers::list_attendance)
        .service(handlers::my_attendance)
        .service(handlers::close_attendance);
}
