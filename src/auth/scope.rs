//! What part of the data a caller may see, enforced inside each query.

use diesel::QueryResult;

use super::{Principal, Role};
use crate::db::DbConn;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Administrators and HR.
    All,
    /// A secretary: its branch and every branch below it.
    Branches(Vec<i64>),
    /// A volunteer: only itself (`None`: an account without a volunteer sees nothing).
    Volunteer(Option<i64>),
}

impl Principal {
    pub fn scope(&self, conn: &mut DbConn) -> QueryResult<Scope> {
        Ok(match self.role {
            Role::Admin | Role::Hr => Scope::All,
            Role::Secretary => match self.branch_id {
                Some(b) => Scope::Branches(crate::branches::model::subtree(conn, b)?),
                None => Scope::Branches(Vec::new()),
            },
            Role::Volunteer => Scope::Volunteer(self.volunteer_id),
        })
    }
}

impl Scope {
    /// Whether a branch lies inside the scope (for writes naming a branch).
    pub fn has_branch(&self, branch: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Branches(ids) => ids.contains(&branch),
            Scope::Volunteer(_) => false,
        }
    }
}
