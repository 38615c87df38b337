//! Which commands a caller may use, as CloudStack's
//! `DynamicRoleBasedAPIAccessChecker.checkApiPermissionByRole` decides it:
//! the rules of the caller's role, in their order, and the first rule whose
//! pattern matches the command decides (`allow` or `deny`); when none
//! matches, the command's own roles ([`RoleSet`]) decide for the role's
//! type. The default roles carry no rules, so they keep the command table's
//! sets.
//!
//! The rules come from the directory view `directory_role_rules`
//! (`role_id`, `rule`, `permission`, `sort_order`; see
//! [`crate::kernel::directory`]).

use rusqlite::Transaction;

use crate::kernel::caller::{Caller, Role};
use crate::kernel::contract::Command;
use crate::kernel::error::ApiError;

/// One rule of a role: an API name or a pattern with `*`, and whether it
/// allows or denies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// The pattern, as stored.
    pub pattern: String,
    /// `true` for `allow`, `false` for `deny`.
    pub allow: bool,
}

/// The ordered rules of one role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules(Vec<Rule>);

impl Rules {
    /// Rules in the order given (first is checked first).
    #[cfg(test)]
    pub fn new(rules: Vec<Rule>) -> Self {
        Self(rules)
    }

    /// The rules of the role of the caller's account.
    pub fn of_caller(tx: &Transaction<'_>, caller: &Caller) -> Result<Self, ApiError> {
        Self::query(
            tx,
            "SELECT p.rule, p.permission FROM directory_accounts a
             JOIN directory_role_rules p ON p.role_id = a.role_id
             WHERE a.id = ?1 ORDER BY p.sort_order",
            &caller.account_id,
        )
    }

    fn query(tx: &Transaction<'_>, sql: &str, arg: &str) -> Result<Self, ApiError> {
        let mut stmt = tx.prepare_cached(sql)?;
        let rules = stmt
            .query_map([arg], |r| {
                Ok(Rule {
                    pattern: r.get(0)?,
                    allow: r.get::<_, String>(1)?.eq_ignore_ascii_case("allow"),
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(rules))
    }

    /// The decision of the first rule matching `command`, if any.
    pub fn decide(&self, command: &str) -> Option<bool> {
        self.0
            .iter()
            .find(|rule| matches(&rule.pattern, command))
            .map(|rule| rule.allow)
    }

    /// Whether a caller of role type `role` holding these rules may call
    /// `command`.
    pub fn permits(&self, role: Role, command: &Command) -> bool {
        self.decide(command.name)
            .unwrap_or_else(|| command.roles.allows(role))
    }
}

/// Whether the caller may call `command` (the role check of every call).
pub(crate) fn permits(
    tx: &Transaction<'_>,
    caller: &Caller,
    command: &Command,
) -> Result<bool, ApiError> {
    Ok(Rules::of_caller(tx, caller)?.permits(caller.role, command))
}

/// CloudStack's `Rule.matches`: case-insensitive, where `*` stands for any
/// run of letters, digits and underscores.
pub fn matches(pattern: &str, name: &str) -> bool {
    fn word(c: u8) -> bool {
        c.is_ascii_alphanumeric() || c == b'_' || c == b'*'
    }
    let pattern = pattern.to_ascii_lowercase();
    let name = name.to_ascii_lowercase();
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    // Glob matching with backtracking to the last `*`.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && p[i] == b'*' {
            star = Some((i, j));
            i += 1;
        } else if i < p.len() && p[i] == n[j] {
            i += 1;
            j += 1;
        } else if let Some((si, sj)) = star {
            if !word(n[sj]) {
                return false;
            }
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::caller::RoleSet;
    use crate::kernel::contract::{Call, Reply};

    fn noop(_: &mut Call<'_>) -> Result<Reply, ApiError> {
        Ok(Reply::Success(None))
    }

    const LIST_ZONES: Command = Command::new("listZones", RoleSet::ALL, "", noop);
    const CREATE_DOMAIN: Command = Command::new("createDomain", RoleSet::ADMIN, "", noop);

    fn rule(pattern: &str, allow: bool) -> Rule {
        Rule {
            pattern: pattern.into(),
            allow,
        }
    }

    /// `Rule.matches`: the pattern is lower-cased and `*` becomes a run of
    /// word characters, matched against the whole lower-cased name.
    #[test]
    fn wildcards_match_whole_names_case_insensitively() {
        assert!(matches("list*", "listZones"));
        assert!(matches("LIST*", "listzones"));
        assert!(matches("*Zones", "listZones"));
        assert!(matches("list*Offerings", "listServiceOfferings"));
        assert!(matches("*", "deployVirtualMachine"));
        assert!(matches("listZones", "LISTZONES"));
        assert!(!matches("list*", "createZone"));
        assert!(!matches("listZone", "listZones"));
        assert!(!matches("list*Offerings", "listServiceOfferingsX"));
        assert!(!matches("list*", ""));
    }

    /// `DynamicRoleBasedAPIAccessChecker.checkApiPermissionByRole`: the
    /// first matching rule decides, in order.
    #[test]
    fn the_first_matching_rule_decides() {
        let deny_first = Rules::new(vec![rule("listZones", false), rule("list*", true)]);
        assert!(!deny_first.permits(Role::User, &LIST_ZONES));
        let allow_first = Rules::new(vec![rule("list*", true), rule("listZones", false)]);
        assert!(allow_first.permits(Role::User, &LIST_ZONES));
    }

    /// Without a matching rule, the API's own roles decide for the role's
    /// type (the checker's annotation map); a rule reaches past them.
    #[test]
    fn without_a_matching_rule_the_role_type_decides() {
        let none = Rules::default();
        assert!(none.permits(Role::User, &LIST_ZONES));
        assert!(!none.permits(Role::User, &CREATE_DOMAIN));
        let other = Rules::new(vec![rule("deploy*", false)]);
        assert!(other.permits(Role::User, &LIST_ZONES));
        let grant = Rules::new(vec![rule("createDomain", true)]);
        assert!(grant.permits(Role::User, &CREATE_DOMAIN));
        let deny_all = Rules::new(vec![rule("*", false)]);
        assert!(!deny_all.permits(Role::Admin, &CREATE_DOMAIN));
    }
}
