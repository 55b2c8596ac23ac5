//! Imports (导入): volunteers and past hours from the XLSX and CSV files a bureau already
//! keeps. `sheet` reads a file into cells (XLSX by calamine, CSV in UTF-8 or GB18030),
//! `columns` says what the templates' columns are and how a cell is read, `template` writes
//! the templates, `volunteers` and `hours` check every row and write all of them or none
//! (hours through `hours::submit::record`, so every rule of entering hours applies).
pub mod columns;
pub mod command;
pub mod dto;
pub mod handlers;
pub mod hours;
pub mod run;
pub mod sheet;
pub mod template;
pub mod volunteers;

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::import_template)
        .service(handlers::import_volunteers)
        .service(handlers::import_hours);
}
