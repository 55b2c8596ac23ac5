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
        self.scope_by(|root| crate::branches::model::subtree(conn, root))
    }

    /// The scope, with the branches below a secretary's found by `subtree` (called only for
    /// a secretary of a branch).
    pub fn scope_by<E>(
        &self,
        subtree: impl FnOnce(i64) -> Result<Vec<i64>, E>,
    ) -> Result<Scope, E> {
        Ok(match self.role {
            Role::Admin | Role::Hr => Scope::All,
            Role::Secretary => match self.subtree_root() {
                Some(b) => Scope::Branches(subtree(b)?),
                None => Scope::Branches(Vec::new()),
            },
            Role::Volunteer => Scope::Volunteer(self.volunteer_id),
        })
    }

    /// The branch whose subtree the scope needs: a secretary's own branch, if any.
    pub fn subtree_root(&self) -> Option<i64> {
        self.branch_id.filter(|_| self.role == Role::Secretary)
    }
}

impl Scope {
    /// Whether volunteer `id` of branch `branch` lies inside the scope: what the queries'
    /// scope filters select, for a row read without them.
    pub fn holds_volunteer(&self, id: i64, branch: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Branches(ids) => ids.contains(&branch),
            Scope::Volunteer(v) => *v == Some(id),
        }
    }

    /// Whether a branch lies inside the scope (for writes naming a branch).
    pub fn has_branch(&self, branch: i64) -> bool {
        match self {
            Scope::All => true,
            Scope::Branches(ids) => ids.contains(&branch),
            Scope::Volunteer(_) => false,
        }
    }

    /// The branch of volunteer `id` if the scope holds the volunteer (for the parts of a
    /// volunteer's record); `NotFound` (404) otherwise, as for a volunteer that does not exist.
    pub fn volunteer_branch(&self, conn: &mut DbConn, id: i64) -> QueryResult<i64> {
        use crate::db::schema::volunteers;
        use diesel::prelude::*;
        let branch: i64 = volunteers::table
            .find(id)
            .select(volunteers::branch_id)
            .first(conn)?;
        let holds = match self {
            Scope::All => true,
            Scope::Branches(ids) => ids.contains(&branch),
            Scope::Volunteer(v) => *v == Some(id),
        };
        if holds {
            Ok(branch)
        } else {
            Err(diesel::result::Error::NotFound)
        }
    }
}
