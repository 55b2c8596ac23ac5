//! The integration suite: one binary, every test on SQLite and, when TEST_DATABASE_URL is
//! set, on PostgreSQL too.

mod helpers;

mod attendance;
mod auth;
mod branches;
mod certificates;
mod cli;
mod commendations;
mod console;
mod error_reports;
mod evaluations;
mod events;
mod hours;
mod http_basics;
mod i18n;
mod imports;
mod instances;
mod integrity;
mod migrations;
mod openapi;
mod pipelined;
mod plans;
mod record;
mod replica;
mod reports;
mod roles;
mod seeds;
mod signups;
mod users;
mod volunteers;
