//! Roles (API.md §4): the four user roles and the three token-only roles, with their wire names.
//!
//! This module only names roles and says which are user roles; who may do what is decided
//! by the operation that needs the right, in `app`.

use std::fmt;

/// A role carried in the `role` claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// Everything, including granting superadmin.
    Superadmin,
    /// Administers users, but cannot create or change a superadmin.
    OrgAdmin,
    /// Runs the fleet: revokes tokens, reads the mint audit.
    Operator,
    /// The role registration gives.
    Viewer,
    /// A wallet sign-in (token-only).
    Wallet,
    /// A fleet agent (token-only).
    Agent,
    /// A resource server polling the denylist (token-only).
    Service,
}

impl Role {
    /// Every role, user roles first.
    pub const ALL: [Role; 7] = [
        Role::Superadmin,
        Role::OrgAdmin,
        Role::Operator,
        Role::Viewer,
        Role::Wallet,
        Role::Agent,
        Role::Service,
    ];

    /// The wire name: the one mapping between roles and strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Superadmin => "superadmin",
            Role::OrgAdmin => "org_admin",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
            Role::Wallet => "wallet",
            Role::Agent => "agent",
            Role::Service => "service",
        }
    }

    /// Parses a wire name.
    ///
    /// # Errors
    /// A sentence naming the unknown role and the known ones.
    pub fn parse(text: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| {
                let known: Vec<&str> = Role::ALL.iter().map(|role| role.as_str()).collect();
                format!("unknown role `{text}` (known: {})", known.join(", "))
            })
    }

    /// Parses the name of a role a user account may hold.
    ///
    /// # Errors
    /// A sentence naming the role and the four user roles.
    pub fn parse_user_role(text: &str) -> Result<Role, String> {
        match Role::parse(text) {
            Ok(role) if role.is_user_role() => Ok(role),
            _ => Err(format!(
                "`{text}` is not a user role (superadmin, org_admin, operator, viewer)"
            )),
        }
    }

    /// Whether a user account may hold this role (the others exist only in tokens).
    pub fn is_user_role(self) -> bool {
        matches!(
            self,
            Role::Superadmin | Role::OrgAdmin | Role::Operator | Role::Viewer
        )
    }

    /// Whether this role administers users (`/users`, role changes).
    pub fn is_user_admin(self) -> bool {
        matches!(self, Role::Superadmin | Role::OrgAdmin)
    }
}

impl serde::Serialize for Role {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Role {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Role, D::Error> {
        let text = String::deserialize(deserializer)?;
        Role::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
        }
        assert!(Role::parse("admin").is_err());
        assert!(Role::parse("Superadmin").is_err());
    }

    #[test]
    fn token_only_roles_are_not_user_roles() {
        assert_eq!(Role::parse_user_role("operator"), Ok(Role::Operator));
        for name in ["wallet", "agent", "service", "root"] {
            assert!(Role::parse_user_role(name).is_err(), "{name}");
        }
    }
}
