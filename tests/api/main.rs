//! The integration suite: one binary, every test on SQLite and, when TEST_DATABASE_URL is
//! set, on PostgreSQL too.

mod helpers;

mod auth;
mod cli;
mod http_basics;
mod migrations;
mod openapi;
mod reports;
mod roles;
mod seeds;
mod users;
