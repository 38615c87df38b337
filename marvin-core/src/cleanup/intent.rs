//! Intents: how an object whose create's answer never arrived is found
//! again by the unique name its request carried.
//!
//! A create writes an `intent` record before its request goes out
//! ([`Event::Intent`](super::Event::Intent)); a test process killed while
//! the request is in flight leaves an object on the cloud and no `created`
//! record. [`LookupRule`]s say, per entity, which request parameter carries
//! the name and which list API finds the object by it; the sweep lists
//! with exactly that filter and keeps only items whose field equals the
//! name, never a partial match.

use super::ledger::Intent;
use crate::Params;

/// How an object of one entity is found by its name: which parameter of
/// its create carries the name, and which list finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LookupRule {
    /// The entity (`Account`).
    pub entity: &'static str,
    /// The create parameters that may carry the unique name, in order of
    /// preference (`accountname` names an account when given, else its
    /// first user's `username` does).
    pub names: &'static [&'static str],
    /// The list API (`listAccounts`).
    pub list: &'static str,
    /// Its parameter that filters by the name (`keyword` for lists with no
    /// name filter: the answer is then narrowed to exact matches).
    pub filter: &'static str,
    /// The field of a listed item that must equal the name exactly.
    pub field: &'static str,
    /// Whether the list takes `listall=true` (every account's objects).
    pub listall: bool,
    /// Whether the list takes `projectid` (objects made in a project are
    /// listed only for it).
    pub projects: bool,
}

impl LookupRule {
    const fn new(
        entity: &'static str,
        names: &'static [&'static str],
        list: &'static str,
        filter: &'static str,
        field: &'static str,
    ) -> Self {
        Self {
            entity,
            names,
            list,
            filter,
            field,
            listall: true,
            projects: false,
        }
    }

    const fn no_listall(mut self) -> Self {
        self.listall = false;
        self
    }

    const fn in_projects(mut self) -> Self {
        self.projects = true;
        self
    }

    /// The parameters of the lookup of `name` (made in project `projectid`).
    pub fn params(&self, name: &str, projectid: Option<&str>) -> Params {
        let mut params = Params::new();
        params.set(self.filter, name);
        if self.listall {
            params.set("listall", "true");
        }
        if let Some(project) = projectid.filter(|_| self.projects) {
            params.set("projectid", project);
        }
        params
    }
}

/// The entities whose creates write intents: those the factories make with
/// a unique name (entities created without one, such as public addresses
/// and firewall rules, have nothing to be found by).
pub const LOOKUP_RULES: &[LookupRule] = &[
    LookupRule::new(
        "Account",
        &["accountname", "username"],
        "listAccounts",
        "name",
        "name",
    ),
    LookupRule::new("User", &["username"], "listUsers", "username", "username"),
    LookupRule::new("Domain", &["name"], "listDomains", "name", "name"),
    LookupRule::new("Project", &["name"], "listProjects", "name", "name"),
    LookupRule::new(
        "VirtualMachine",
        &["name"],
        "listVirtualMachines",
        "name",
        "name",
    )
    .in_projects(),
    LookupRule::new("Volume", &["name"], "listVolumes", "name", "name").in_projects(),
    LookupRule::new("Snapshot", &["name"], "listSnapshots", "name", "name").in_projects(),
    LookupRule::new("SSHKeyPair", &["name"], "listSSHKeyPairs", "name", "name").in_projects(),
    // listNetworks has no name filter.
    LookupRule::new("Network", &["name"], "listNetworks", "keyword", "name").in_projects(),
    LookupRule::new("Vpc", &["name"], "listVPCs", "name", "name").in_projects(),
    LookupRule::new(
        "SecurityGroup",
        &["name"],
        "listSecurityGroups",
        "securitygroupname",
        "name",
    )
    .in_projects(),
    LookupRule::new(
        "LoadBalancerRule",
        &["name"],
        "listLoadBalancerRules",
        "name",
        "name",
    )
    .in_projects(),
    LookupRule::new(
        "ServiceOffering",
        &["name"],
        "listServiceOfferings",
        "name",
        "name",
    ),
    LookupRule::new(
        "DiskOffering",
        &["name"],
        "listDiskOfferings",
        "name",
        "name",
    ),
    LookupRule::new(
        "NetworkOffering",
        &["name"],
        "listNetworkOfferings",
        "name",
        "name",
    )
    .no_listall(),
    LookupRule::new("VpcOffering", &["name"], "listVPCOfferings", "name", "name").no_listall(),
    LookupRule::new("Zone", &["name"], "listZones", "name", "name").no_listall(),
];

/// The lookup rule of `entity`, if its objects can be found by name.
pub fn lookup_rule(entity: &str) -> Option<&'static LookupRule> {
    LOOKUP_RULES.iter().find(|rule| rule.entity == entity)
}

/// The intent of a create of `entity` sent as `command` with `params`, and
/// the name it carries; `None` when the entity cannot be found by name or
/// the request carries no name.
///
/// ```
/// use marvin_core::Params;
/// use marvin_core::cleanup::intent_of;
///
/// let params = Params::from([("username", "user-r1-7f3a"), ("email", "a@example.com")]);
/// let (name, intent) = intent_of("Account", "createAccount", &params).unwrap();
/// assert_eq!((name.as_str(), intent.param.as_str()), ("user-r1-7f3a", "username"));
/// assert!(intent_of("IpAddress", "associateIpAddress", &Params::new()).is_none());
/// ```
pub fn intent_of(entity: &str, command: &str, params: &Params) -> Option<(String, Intent)> {
    let rule = lookup_rule(entity)?;
    let (param, name) = rule.names.iter().find_map(|param| {
        params
            .get(param)
            .filter(|name| !name.trim().is_empty())
            .map(|name| (*param, name))
    })?;
    let intent = Intent {
        command: command.to_owned(),
        param: param.to_owned(),
        projectid: params
            .get("projectid")
            .filter(|id| !id.is_empty() && rule.projects)
            .map(str::to_owned),
    };
    Some((name.to_owned(), intent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_unique_and_filters_by_what_it_compares_or_by_keyword() {
        for (index, rule) in LOOKUP_RULES.iter().enumerate() {
            assert!(
                LOOKUP_RULES[index + 1..]
                    .iter()
                    .all(|other| other.entity != rule.entity),
                "{} twice",
                rule.entity
            );
            assert!(rule.list.starts_with("list"), "{}", rule.list);
            assert!(!rule.names.is_empty());
        }
    }

    #[test]
    fn the_preferred_name_wins_and_empty_names_do_not_count() {
        let params = Params::from([("accountname", "acme"), ("username", "bob")]);
        let (name, intent) = intent_of("Account", "createAccount", &params).unwrap();
        assert_eq!(
            (name.as_str(), intent.param.as_str()),
            ("acme", "accountname")
        );
        let params = Params::from([("accountname", " "), ("username", "bob")]);
        assert_eq!(
            intent_of("Account", "createAccount", &params).unwrap().0,
            "bob"
        );
        assert!(intent_of("Account", "createAccount", &Params::new()).is_none());
    }

    #[test]
    fn a_project_is_kept_only_where_the_list_takes_it() {
        let params = Params::from([("name", "vm-1"), ("projectid", "p1")]);
        let (_, intent) = intent_of("VirtualMachine", "deployVirtualMachine", &params).unwrap();
        assert_eq!(intent.projectid.as_deref(), Some("p1"));
        let rule = lookup_rule("VirtualMachine").unwrap();
        let lookup = rule.params("vm-1", intent.projectid.as_deref());
        assert_eq!(lookup.get("projectid"), Some("p1"));
        assert_eq!(lookup.get("listall"), Some("true"));
        let (_, intent) = intent_of("Domain", "createDomain", &params).unwrap();
        assert_eq!(intent.projectid, None);
        let zone = lookup_rule("Zone").unwrap().params("z", None);
        assert_eq!(zone.get("listall"), None);
    }
}
