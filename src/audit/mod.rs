//! The append-only audit trail: who changed what, when, and why.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_log;
use crate::db::DbConn;

#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAudit<'a> {
    pub occurred_at: NaiveDateTime,
    /// `None` is the system itself (seeding, the command line).
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub reason: Option<&'a str>,
    pub request_id: Option<&'a str>,
}

/// Records one audit row; call it inside the transaction of the change it describes.
pub fn record(conn: &mut DbConn, row: &NewAudit<'_>) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}
