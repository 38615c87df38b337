//! The linguist: from a CloudStack API name to the entity it acts on and the
//! verb it performs (`stopVirtualMachine` -> `VirtualMachine`, `stop`).
//!
//! The rules, in the order they apply:
//!
//! 1. [`SPECIAL`] names map directly (`ldapConfig` -> `Ldap`, `configure`).
//!    Names starting with `quota` act on `Quota`, or on `QuotaTariff` with
//!    the verb at the end (`quotaTariffCreate`).
//! 2. The verb is the leading lower-case word; [`VERBS`] is the grammar,
//!    complete for the real 4.18 and 4.22 schemas (a test checks it).
//! 3. A preposition (`Of For To From With`) followed by an upper-case word
//!    splits the rest: `resetPasswordForVirtualMachine` -> `resetPassword`
//!    on `VirtualMachine`; with nothing between verb and preposition the
//!    preposition joins the verb (`assignToLoadBalancerRule` -> `assignTo`).
//!    `OutOfBand` is one word, and the names in [`NO_SPLIT`] are entities in
//!    their own right (`Ipv4SubnetForZone`). When what follows the
//!    preposition is a purpose rather than a thing ([`PURPOSES`]:
//!    `findHostsForMigration`), the entity is what precedes it and the verb
//!    keeps the purpose (`Host`, `findForMigration`).
//! 4. The rest is singularised (last word) and renamed ([`RENAMES`]:
//!    `PublicIpAddress` -> `IpAddress`, `Router` -> `VirtualRouter`).
//! 5. Entities are the nouns that have an enumerator (`list*`) or a creator
//!    (`create*`, `register*`, `deploy*`, `add*`). A name whose rest is such
//!    an entity followed by more words becomes a verb of that entity
//!    (`listVirtualMachinesMetrics` -> `listMetrics` on `VirtualMachine`,
//!    `getUserKeys` -> `getKeys` on `User`), unless the longer noun is a
//!    resource of its own (it has both an enumerator and a creator, or other
//!    APIs act on it: `ProjectInvitation`).
//!
//! Besides names, the linguist keeps the facts about answers that a
//! `listApis` entry gets wrong or leaves ambiguous: [`ANSWERS`] (the entity
//! an API really answers with), [`ANSWER_NAMES`], [`is_string_list`] and
//! [`REFRESH_PARAMS`].

use std::collections::{BTreeMap, BTreeSet};

use crate::names::{plural, singular, upper_camel, words};

/// The verb grammar: every leading word of an API name in the real 4.18
/// and 4.22 schemas (88 words), plus the non-verb prefixes handled as
/// special cases (`ldap`, `quota`, `cloudian`).
pub const VERBS: &[&str] = &[
    "acquire",
    "activate",
    "add",
    "apply",
    "archive",
    "assign",
    "associate",
    "attach",
    "authorize",
    "cancel",
    "change",
    "check",
    "clean",
    "cloudian",
    "config",
    "configure",
    "copy",
    "create",
    "declare",
    "dedicate",
    "delete",
    "deploy",
    "destroy",
    "detach",
    "disable",
    "disassociate",
    "discover",
    "download",
    "enable",
    "execute",
    "expunge",
    "extract",
    "find",
    "generate",
    "get",
    "import",
    "is",
    "issue",
    "ldap",
    "link",
    "list",
    "lock",
    "login",
    "logout",
    "manage",
    "mark",
    "migrate",
    "move",
    "notify",
    "oauthlogin",
    "patch",
    "prepare",
    "provision",
    "purge",
    "query",
    "quota",
    "ready",
    "reboot",
    "reconnect",
    "recover",
    "register",
    "release",
    "remove",
    "replace",
    "reserve",
    "reset",
    "resize",
    "restart",
    "restore",
    "revert",
    "revoke",
    "run",
    "scale",
    "search",
    "setup",
    "start",
    "stop",
    "suspend",
    "sync",
    "synchronize",
    "trigger",
    "unmanage",
    "unregister",
    "update",
    "upgrade",
    "upload",
    "validate",
    "verify",
];

/// Verbs whose API, acting on the whole entity, brings it into existence.
/// The first one an entity has, in this order, is its creator (see
/// [`creator_verb_override`] for the exceptions).
pub const CREATOR_VERBS: &[&str] = &["create", "register", "deploy", "add"];

/// Names that don't follow the grammar, with their entity and verb.
pub const SPECIAL: &[(&str, &str, &str)] = &[
    ("login", "Session", "login"),
    ("logout", "Session", "logout"),
    ("oauthlogin", "Session", "oauthlogin"),
    ("ldapConfig", "Ldap", "configure"),
    ("ldapRemove", "Ldap", "remove"),
    ("ldapCreateAccount", "Ldap", "createAccount"),
    ("cloudianIsEnabled", "Cloudian", "isEnabled"),
    (
        "isAccountAllowedToCreateOfferingsWithTags",
        "Account",
        "isAllowedToCreateOfferingsWithTags",
    ),
    (
        "prepareForMaintenance",
        "ManagementServer",
        "prepareForMaintenance",
    ),
    ("cancelMaintenance", "ManagementServer", "cancelMaintenance"),
    (
        "prepareForShutdown",
        "ManagementServer",
        "prepareForShutdown",
    ),
    ("cancelShutdown", "ManagementServer", "cancelShutdown"),
    ("readyForShutdown", "ManagementServer", "readyForShutdown"),
    ("triggerShutdown", "ManagementServer", "triggerShutdown"),
    (
        "configureOutOfBandManagement",
        "Host",
        "configureOutOfBandManagement",
    ),
    (
        "changeOutOfBandManagementPassword",
        "Host",
        "changeOutOfBandManagementPassword",
    ),
    (
        "issueOutOfBandManagementPowerAction",
        "Host",
        "issueOutOfBandManagementPowerAction",
    ),
    (
        "cancelStorageMaintenance",
        "StoragePool",
        "cancelMaintenance",
    ),
    (
        "enableStorageMaintenance",
        "StoragePool",
        "enableMaintenance",
    ),
    (
        "migrateVirtualMachineWithVolume",
        "VirtualMachine",
        "migrateWithVolume",
    ),
    (
        "restoreVolumeFromBackupAndAttachToVM",
        "Backup",
        "restoreVolumeAndAttachToVM",
    ),
    (
        "migrateResourceToAnotherSecondaryStorage",
        "ImageStore",
        "migrateResource",
    ),
    (
        "updateCloudToUseObjectStore",
        "ImageStore",
        "updateCloudToUseObjectStore",
    ),
    ("getVolumeiScsiName", "Volume", "getIscsiName"),
    ("removeRawUsageRecords", "UsageRecord", "removeRaw"),
    (
        "verifyOAuthCodeAndGetUser",
        "OauthProvider",
        "verifyCodeAndGetUser",
    ),
    (
        "listAffectedVmsForStorageScopeChange",
        "StoragePool",
        "listAffectedVmsForScopeChange",
    ),
    // A template's (an ISO's) launch permissions are not a resource of
    // their own: they are read and changed through the template's id.
    ("listTemplatePermissions", "Template", "listPermissions"),
    ("updateTemplatePermissions", "Template", "updatePermissions"),
    ("listIsoPermissions", "Iso", "listPermissions"),
    ("updateIsoPermissions", "Iso", "updatePermissions"),
    // Static NAT is a state of a public address, switched by its id.
    ("enableStaticNat", "IpAddress", "enableStaticNat"),
    ("disableStaticNat", "IpAddress", "disableStaticNat"),
];

/// APIs whose answer is an entity their `listApis` entry does not say, or
/// says ambiguously: `(api, entity)`. CloudStack's command classes decide
/// these answers, not their declared response class:
///
/// - `scaleVirtualMachine` declares `SuccessResponse`, but its job result
///   is the VM (`ScaleVMCmd.execute` sets a `UserVmResponse`);
/// - `authorizeSecurityGroupIngress`/`Egress` declare one rule
///   (`SecurityGroupRuleResponse`), but the job result is the group with
///   its rule lists (`SecurityGroupResponse`, key `securitygroup`);
/// - `attachIso`/`detachIso` answer a `UserVmResponse`, whose fields are
///   those of VNF appliances too, so a field-set match cannot tell them
///   apart;
/// - `listLoadBalancerRuleInstances` lists `loadbalancerruleinstance`
///   entries that are VMs (`UserVmResponse`); its entry describes the
///   `lbvmips=true` form, where each item wraps a VM
///   (`loadbalancerruleinstance`) and its addresses (`lbvmipaddresses`),
///   under the key `lbrulevmidip`: those items decode as a VM whose fields
///   are empty and whose `extra` holds the two keys.
pub const ANSWERS: &[(&str, &str)] = &[
    ("attachIso", "VirtualMachine"),
    ("authorizeSecurityGroupEgress", "SecurityGroup"),
    ("authorizeSecurityGroupIngress", "SecurityGroup"),
    ("detachIso", "VirtualMachine"),
    ("listLoadBalancerRuleInstances", "VirtualMachine"),
    ("scaleVirtualMachine", "VirtualMachine"),
];

/// The entity `api` answers with when [`ANSWERS`] names it.
pub fn answered_entity(api: &str) -> Option<&'static str> {
    ANSWERS
        .iter()
        .find(|(name, _)| *name == api)
        .map(|(_, entity)| *entity)
}

/// The type name of answers that are no entity but have a name in
/// CloudStack: `(api, name)`. Template and ISO permissions share one
/// response class (`TemplatePermissionsResponse`).
pub const ANSWER_NAMES: &[(&str, &str)] = &[
    ("listIsoPermissions", "TemplatePermission"),
    ("listTemplatePermissions", "TemplatePermission"),
];

/// Listings that answer one object, not a list: a template's (an ISO's)
/// permissions (`ListTemplateOrIsoPermissionsCmd` answers one
/// `TemplatePermissionsResponse`, for the template named by `id`).
pub const ONE_OBJECT_LISTINGS: &[&str] = &["listIsoPermissions", "listTemplatePermissions"];

/// The type name [`ANSWER_NAMES`] gives the answer of `api`.
pub fn answer_name(api: &str) -> Option<&'static str> {
    ANSWER_NAMES
        .iter()
        .find(|(name, _)| *name == api)
        .map(|(_, answer)| *answer)
}

/// Whether an answer field listed without element fields (`list`, `set`)
/// holds strings: ids (`virtualmachineids`, `virtualmachineIds`,
/// `projectids`: the name ends in `ids`), account names (`account`, a
/// list in template permissions) and a load balancer's VM addresses
/// (`lbvmipaddresses`). Lists of objects the schema leaves undescribed stay
/// raw JSON.
pub fn is_string_list(field: &str) -> bool {
    let lower = field.to_ascii_lowercase();
    lower.ends_with("ids") || matches!(lower.as_str(), "account" | "lbvmipaddresses")
}

/// Parameters an enumerator requires that a refresh by id sends with a
/// fixed value: `(api, parameter, value)`. `self` lists the caller's own
/// templates (any state, so a registration in progress too), and with an
/// `id` an administrator's listing reaches every account's.
pub const REFRESH_PARAMS: &[(&str, &str, &str)] = &[("listTemplates", "templatefilter", "self")];

/// The value [`REFRESH_PARAMS`] gives parameter `param` of `api`.
pub fn refresh_param(api: &str, param: &str) -> Option<&'static str> {
    REFRESH_PARAMS
        .iter()
        .find(|(a, p, _)| *a == api && *p == param)
        .map(|(_, _, value)| *value)
}

/// Entity renames, applied after singularising. The left side also works
/// as an alias when matching an entity at the start of a longer name
/// (`getVMPassword` -> `getPassword` on `VirtualMachine`).
pub const RENAMES: &[(&str, &str)] = &[
    ("IpAddres", "IpAddress"),
    ("PublicIpAddress", "IpAddress"),
    ("SecurityGroupIngres", "SecurityGroupIngress"),
    ("SecurityGroupRule", "SecurityGroup"),
    ("GuestO", "GuestOs"),
    ("LBStickines", "LBStickiness"),
    ("DomainRouter", "VirtualRouter"),
    ("Router", "VirtualRouter"),
    ("UserVm", "VirtualMachine"),
    ("Vm", "VirtualMachine"),
    ("VM", "VirtualMachine"),
    ("NicSecondaryIp", "Nic"),
    ("Site2SiteVpnConnection", "VpnConnection"),
    ("Site2SiteVpnGateway", "VpnGateway"),
    ("Site2SiteCustomerGateway", "VpnCustomerGateway"),
    ("VPC", "Vpc"),
    ("VPCOffering", "VpcOffering"),
    ("NetworkACLItem", "NetworkACL"),
    ("NetworkAclItem", "NetworkACL"),
    ("Blade", "UcsBlade"),
    ("LogicalRouter", "TungstenFabricLogicalRouter"),
    ("NetScalerVpx", "NetscalerVpx"),
];

/// Nouns that name a purpose, not a thing: after a preposition they stay in
/// the verb (`prepareHostForMaintenance` -> `prepareForMaintenance` on `Host`).
pub const PURPOSES: &[&str] = &["Migration", "Maintenance", "Shutdown", "Import"];

/// Entities whose name contains a preposition.
pub const NO_SPLIT: &[&str] = &["Ipv4SubnetForZone", "Ipv4SubnetForGuestNetwork"];

const PREPOSITIONS: &[&str] = &["Of", "For", "To", "From", "With"];

/// Where an API belongs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// The entity (`VirtualMachine`).
    pub entity: String,
    /// The verb, camel case (`stop`, `addNic`, `listMetrics`).
    pub verb: String,
    /// The API is the bare verb applied to the whole entity (`createNetwork`,
    /// `listNetworks`), so it may be the entity's creator or enumerator.
    pub exact: bool,
    /// The entity's name as the API spells it before renaming (`Router` for
    /// `VirtualRouter`): `routerid` then names its id too.
    pub spelled: String,
}

/// The linguist for one schema: it knows the schema's entities.
#[derive(Debug)]
pub struct Linguist {
    entities: BTreeSet<String>,
}

/// The leading lower-case word of an API name (`stop` in `stopRouter`).
pub fn leading_word(name: &str) -> &str {
    let end = name
        .find(|c: char| !c.is_ascii_lowercase())
        .unwrap_or(name.len());
    &name[..end]
}

fn rename(noun: &str) -> String {
    RENAMES
        .iter()
        .find(|(from, _)| *from == noun)
        .map_or_else(|| noun.to_string(), |(_, to)| (*to).to_string())
}

/// Looks up the special table.
fn special(name: &str) -> Option<Mapping> {
    if let Some((_, entity, verb)) = SPECIAL.iter().find(|(api, _, _)| *api == name) {
        return Some(Mapping {
            entity: (*entity).into(),
            verb: (*verb).into(),
            exact: false,
            spelled: (*entity).into(),
        });
    }
    let rest = name.strip_prefix("quota")?;
    let (entity, verb) = match rest.strip_prefix("Tariff") {
        Some(verb) if !verb.is_empty() => ("QuotaTariff", lower_first(verb)),
        _ => ("Quota", lower_first(rest)),
    };
    let exact = entity == "QuotaTariff";
    Some(Mapping {
        entity: entity.into(),
        verb,
        exact,
        spelled: entity.into(),
    })
}

fn lower_first(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_lowercase().to_string() + chars.as_str()
    })
}

/// A name cut at its first preposition.
struct Split<'a> {
    head: String,
    preposition: &'a str,
    tail: String,
}

/// Finds the first preposition in `rest` that starts a word and is followed
/// by an upper-case word, outside `OutOfBand` and [`NO_SPLIT`] entities.
fn split(rest: &str, plural_head: bool) -> Option<Split<'static>> {
    let ws = words(rest);
    for (i, w) in ws.iter().enumerate() {
        let Some(prep) = PREPOSITIONS.iter().find(|p| *p == w) else {
            continue;
        };
        let Some(next) = ws.get(i + 1) else { continue };
        if !next.starts_with(|c: char| c.is_ascii_uppercase()) {
            continue;
        }
        if *prep == "Of" && i > 0 && ws[i - 1] == "Out" && *next == "Band" {
            continue;
        }
        let head = ws[..i].concat();
        let tail = ws[i + 1..].concat();
        let head_single = if plural_head {
            singular(&head)
        } else {
            head.clone()
        };
        if NO_SPLIT.contains(&format!("{head_single}{prep}{tail}").as_str()) {
            return None;
        }
        return Some(Split {
            head: head_single,
            preposition: prep,
            tail,
        });
    }
    None
}

/// The noun of an unsplit rest: `Ipv4SubnetsForZone` -> `Ipv4SubnetForZone`
/// (plural inside a [`NO_SPLIT`] name), `VirtualMachines` -> `VirtualMachine`.
fn noun(rest: &str) -> String {
    for entity in NO_SPLIT {
        let at = PREPOSITIONS
            .iter()
            .filter_map(|p| entity.find(p))
            .min()
            .unwrap_or(entity.len());
        let (head, tail) = entity.split_at(at);
        if rest == *entity || rest == format!("{}{tail}", plural(head)) {
            return (*entity).to_string();
        }
    }
    singular(rest)
}

/// What an API name says before any knowledge of the schema's entities.
enum Parse {
    Done(Mapping),
    /// The bare verb and the whole rest (maybe an entity, maybe an entity
    /// followed by more words).
    Rest {
        verb: String,
        rest: String,
    },
}

fn parse(name: &str) -> Parse {
    if let Some(mapping) = special(name) {
        return Parse::Done(mapping);
    }
    let verb = leading_word(name);
    let rest = &name[verb.len()..];
    if rest.is_empty() {
        let entity = upper_camel(name);
        return Parse::Done(Mapping {
            entity: entity.clone(),
            verb: verb.into(),
            exact: false,
            spelled: entity,
        });
    }
    if let Some(split) = split(rest, verb == "list") {
        let tail = singular(&split.tail);
        if PURPOSES.contains(&tail.as_str()) && !split.head.is_empty() {
            let spelled = singular(&split.head);
            return Parse::Done(Mapping {
                entity: rename(&spelled),
                verb: format!("{verb}{}{}", split.preposition, split.tail),
                exact: false,
                spelled,
            });
        }
        let verb = if split.head.is_empty() {
            format!("{verb}{}", split.preposition)
        } else {
            format!("{verb}{}", split.head)
        };
        return Parse::Done(Mapping {
            entity: rename(&tail),
            verb,
            exact: false,
            spelled: tail,
        });
    }
    Parse::Rest {
        verb: verb.into(),
        rest: rest.into(),
    }
}

/// Splits `rest` into a known entity (or an alias of one) at its start and
/// the words after it: `VirtualMachinesMetrics` -> (`VirtualMachine`,
/// `VirtualMachines`, `Metrics`).
fn prefix_entity(rest: &str, entities: &BTreeSet<String>) -> Option<(String, String, String)> {
    let ws = words(rest);
    // Longest match first, so `NetworkACL` wins over `Network`.
    for cut in (1..ws.len()).rev() {
        let head = ws[..cut].concat();
        let tail = ws[cut..].concat();
        let spelled = singular(&head);
        let entity = rename(&spelled);
        if entities.contains(&entity) {
            return Some((entity, spelled, tail));
        }
    }
    None
}

impl Linguist {
    /// Learns the schema's entities from all its API names.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        #[derive(Default)]
        struct Seen {
            list: bool,
            creator: bool,
            other: bool,
            rests: Vec<String>,
        }
        let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
        for name in names {
            match parse(name) {
                Parse::Done(mapping) => {
                    if mapping.exact {
                        let entry = seen.entry(mapping.entity).or_default();
                        entry.creator |= mapping.verb == "create";
                        entry.list |= mapping.verb == "list";
                    }
                }
                Parse::Rest { verb, rest } => {
                    let entity = rename(&noun(&rest));
                    let entry = seen.entry(entity).or_default();
                    if verb == "list" {
                        entry.list = true;
                    } else if CREATOR_VERBS.contains(&verb.as_str()) {
                        entry.creator = true;
                    } else {
                        entry.other = true;
                    }
                    entry.rests.push(rest);
                }
            }
        }
        let candidates: BTreeSet<String> = seen
            .iter()
            .filter(|(_, s)| s.list || s.creator)
            .map(|(e, _)| e.clone())
            .collect();
        let entities = seen
            .iter()
            .filter(|(entity, s)| {
                if !(s.list || s.creator) {
                    return false;
                }
                if s.list && (s.creator || s.other) {
                    return true;
                }
                // A longer noun that only extends another entity is a verb of it.
                let others: BTreeSet<String> =
                    candidates.iter().filter(|c| c != entity).cloned().collect();
                !s.rests
                    .iter()
                    .all(|rest| prefix_entity(rest, &others).is_some())
            })
            .map(|(e, _)| e.clone())
            .collect();
        Self { entities }
    }

    /// The entities of the schema: nouns with an enumerator or a creator.
    #[cfg(test)]
    pub fn entities(&self) -> &BTreeSet<String> {
        &self.entities
    }

    /// Maps one API name. The entity is always a valid type name.
    pub fn map(&self, name: &str) -> Mapping {
        let mut mapping = self.map_raw(name);
        if mapping.entity.is_empty() || !mapping.entity.chars().all(|c| c.is_ascii_alphanumeric()) {
            mapping.entity = upper_camel(&mapping.entity);
        }
        if mapping.entity.starts_with(|c: char| c.is_ascii_digit()) {
            mapping.entity.insert(0, 'X');
        }
        mapping
    }

    fn map_raw(&self, name: &str) -> Mapping {
        match parse(name) {
            Parse::Done(mapping) => mapping,
            Parse::Rest { verb, rest } => {
                let spelled = noun(&rest);
                let entity = rename(&spelled);
                if self.entities.contains(&entity) {
                    return Mapping {
                        entity,
                        verb,
                        exact: true,
                        spelled,
                    };
                }
                if let Some((entity, spelled, tail)) = prefix_entity(&rest, &self.entities) {
                    return Mapping {
                        entity,
                        verb: format!("{verb}{tail}"),
                        exact: false,
                        spelled,
                    };
                }
                Mapping {
                    entity,
                    verb,
                    exact: true,
                    spelled,
                }
            }
        }
    }
}

/// The creator verb of entities that don't use the first of
/// [`CREATOR_VERBS`].
pub fn creator_verb_override(entity: &str) -> Option<&'static str> {
    match entity {
        "Template" | "Iso" => Some("register"),
        "IpAddress" => Some("associate"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::schema::ApiList;

    fn read(file: &str) -> ApiList {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../testdata/cloudstack")
            .join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        ApiList::from_json(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
    }

    /// The 828-API CloudStack 4.22 schema.
    fn schema_422() -> &'static ApiList {
        static SCHEMA: std::sync::OnceLock<ApiList> = std::sync::OnceLock::new();
        SCHEMA.get_or_init(|| read("listApis-4.22.json"))
    }

    /// The real 705-API CloudStack 4.18 answer.
    fn schema_418() -> &'static ApiList {
        static SCHEMA: std::sync::OnceLock<ApiList> = std::sync::OnceLock::new();
        SCHEMA.get_or_init(|| read("listApis-4.18.json"))
    }

    fn linguist() -> (Linguist, Vec<String>) {
        let names: Vec<String> = schema_422().api.iter().map(|a| a.name.clone()).collect();
        (Linguist::new(names.iter().map(String::as_str)), names)
    }

    fn check(l: &Linguist, name: &str, entity: &str, verb: &str) {
        let m = l.map(name);
        assert_eq!(
            (m.entity.as_str(), m.verb.as_str()),
            (entity, verb),
            "{name}"
        );
    }

    #[test]
    fn grammar_covers_every_leading_word_of_both_real_schemas() {
        let mut missing = BTreeSet::new();
        let mut leading = BTreeSet::new();
        for api in schema_422().api.iter().chain(schema_418().api.iter()) {
            let word = leading_word(&api.name);
            leading.insert(word.to_string());
            if !VERBS.contains(&word) {
                missing.insert(word.to_string());
            }
        }
        assert!(
            missing.is_empty(),
            "verbs missing from the grammar: {missing:?}"
        );
        let in_422: BTreeSet<_> = schema_422()
            .api
            .iter()
            .map(|a| leading_word(&a.name).to_string())
            .collect();
        assert_eq!(in_422.len(), 85);
        assert!(
            VERBS.iter().all(|v| leading.contains(*v)),
            "grammar has words no schema uses"
        );
    }

    #[test]
    fn prepositions_split_names() {
        let (l, _) = linguist();
        check(
            &l,
            "resetPasswordForVirtualMachine",
            "VirtualMachine",
            "resetPassword",
        );
        check(&l, "addNicToVirtualMachine", "VirtualMachine", "addNic");
        check(
            &l,
            "assignToLoadBalancerRule",
            "LoadBalancerRule",
            "assignTo",
        );
        check(&l, "revertToVMSnapshot", "VMSnapshot", "revertTo");
        check(&l, "enableHAForHost", "Host", "enableHA");
        check(
            &l,
            "changeServiceForRouter",
            "VirtualRouter",
            "changeService",
        );
        check(
            &l,
            "createSnapshotFromVMSnapshot",
            "VMSnapshot",
            "createSnapshot",
        );
        check(&l, "linkAccountToLdap", "Ldap", "linkAccount");
    }

    #[test]
    fn lower_case_after_a_preposition_does_not_split() {
        let (l, _) = linguist();
        check(
            &l,
            "createPortForwardingRule",
            "PortForwardingRule",
            "create",
        );
        check(&l, "listNetworkOfferings", "NetworkOffering", "list");
    }

    #[test]
    fn out_of_band_is_one_word_and_purposes_stay_in_the_verb() {
        let (l, _) = linguist();
        check(
            &l,
            "changeOutOfBandManagementPassword",
            "Host",
            "changeOutOfBandManagementPassword",
        );
        check(
            &l,
            "enableOutOfBandManagementForHost",
            "Host",
            "enableOutOfBandManagement",
        );
        check(&l, "findHostsForMigration", "Host", "findForMigration");
        check(
            &l,
            "prepareHostForMaintenance",
            "Host",
            "prepareForMaintenance",
        );
        check(&l, "listVmsForImport", "VirtualMachine", "listForImport");
    }

    #[test]
    fn entities_with_a_preposition_in_their_name_stay_whole() {
        let (l, _) = linguist();
        check(&l, "createIpv4SubnetForZone", "Ipv4SubnetForZone", "create");
        check(&l, "listIpv4SubnetsForZone", "Ipv4SubnetForZone", "list");
        check(
            &l,
            "dedicateIpv4SubnetForZone",
            "Ipv4SubnetForZone",
            "dedicate",
        );
        check(
            &l,
            "listIpv4SubnetsForGuestNetwork",
            "Ipv4SubnetForGuestNetwork",
            "list",
        );
    }

    #[test]
    fn special_cases_from_the_reference() {
        let (l, _) = linguist();
        check(&l, "ldapConfig", "Ldap", "configure");
        check(&l, "ldapRemove", "Ldap", "remove");
        check(&l, "login", "Session", "login");
        check(&l, "logout", "Session", "logout");
        check(
            &l,
            "authorizeSecurityGroupIngress",
            "SecurityGroup",
            "authorizeIngress",
        );
        check(
            &l,
            "revokeSecurityGroupEgress",
            "SecurityGroup",
            "revokeEgress",
        );
        check(&l, "quotaTariffCreate", "QuotaTariff", "create");
        check(&l, "quotaBalance", "Quota", "balance");
    }

    #[test]
    fn renames_apply_after_singularising() {
        let (l, _) = linguist();
        check(&l, "listPublicIpAddresses", "IpAddress", "list");
        check(&l, "associateIpAddress", "IpAddress", "associate");
        check(&l, "listRouters", "VirtualRouter", "list");
        check(&l, "listVPCs", "Vpc", "list");
        check(&l, "createVPCOffering", "VpcOffering", "create");
        check(&l, "addGuestOs", "GuestOs", "add");
        check(&l, "updateNetworkACLItem", "NetworkACL", "update");
        check(&l, "moveNetworkAclItem", "NetworkACL", "move");
        check(
            &l,
            "createLBStickinessPolicy",
            "LBStickinessPolicy",
            "create",
        );
    }

    #[test]
    fn longer_names_become_verbs_of_their_entity() {
        let (l, _) = linguist();
        check(
            &l,
            "listVirtualMachinesMetrics",
            "VirtualMachine",
            "listMetrics",
        );
        check(&l, "listDomainChildren", "Domain", "listChildren");
        check(&l, "getUserKeys", "User", "getKeys");
        check(&l, "registerUserKeys", "User", "registerKeys");
        check(&l, "getVMPassword", "VirtualMachine", "getPassword");
        check(&l, "queryAsyncJobResult", "AsyncJob", "queryResult");
        check(
            &l,
            "listLoadBalancerRuleInstances",
            "LoadBalancerRule",
            "listInstances",
        );
        check(&l, "addImageStoreS3", "ImageStore", "addS3");
        check(
            &l,
            "upgradeRouterTemplate",
            "VirtualRouter",
            "upgradeTemplate",
        );
    }

    #[test]
    fn entities_are_nouns_with_a_creator_or_an_enumerator() {
        let (l, _) = linguist();
        for entity in [
            "VirtualMachine",
            "Account",
            "IpAddress",
            "VirtualRouter",
            "Vpc",
            "ProjectInvitation",
        ] {
            assert!(l.entities().contains(entity), "{entity}");
        }
        for not in [
            "VirtualMachinesMetric",
            "DomainChildren",
            "UserKey",
            "PublicIpAddress",
            "Router",
            "VPC",
        ] {
            assert!(!l.entities().contains(not), "{not}");
        }
    }

    #[test]
    fn resources_with_their_own_apis_keep_their_long_name() {
        let (l, _) = linguist();
        check(&l, "listProjectInvitations", "ProjectInvitation", "list");
        check(&l, "deleteProjectInvitation", "ProjectInvitation", "delete");
        check(&l, "createNetworkACLList", "NetworkACLList", "create");
        check(&l, "listSnapshotPolicies", "SnapshotPolicy", "list");
        check(&l, "listLoadBalancerRules", "LoadBalancerRule", "list");
    }

    #[test]
    fn permissions_and_static_nat_are_verbs_of_what_they_change() {
        let (l, _) = linguist();
        check(&l, "listTemplatePermissions", "Template", "listPermissions");
        check(
            &l,
            "updateTemplatePermissions",
            "Template",
            "updatePermissions",
        );
        check(&l, "listIsoPermissions", "Iso", "listPermissions");
        check(&l, "enableStaticNat", "IpAddress", "enableStaticNat");
        check(&l, "disableStaticNat", "IpAddress", "disableStaticNat");
        for gone in ["TemplatePermission", "IsoPermission", "StaticNat"] {
            assert!(!l.entities().contains(gone), "{gone}");
        }
    }

    #[test]
    fn answer_facts_name_apis_and_entities_of_the_real_schema() {
        let (l, names) = linguist();
        for (api, entity) in ANSWERS {
            assert!(names.iter().any(|n| n == api), "{api}");
            assert!(l.entities().contains(*entity), "{entity}");
        }
        assert_eq!(
            answered_entity("scaleVirtualMachine"),
            Some("VirtualMachine")
        );
        assert_eq!(
            answered_entity("authorizeSecurityGroupEgress"),
            Some("SecurityGroup")
        );
        assert_eq!(answered_entity("attachIso"), Some("VirtualMachine"));
        assert_eq!(answered_entity("stopVirtualMachine"), None);
        for (api, _) in ANSWER_NAMES {
            assert!(names.iter().any(|n| n == api), "{api}");
        }
        assert_eq!(
            answer_name("listTemplatePermissions"),
            Some("TemplatePermission")
        );
        assert_eq!(answer_name("listTemplates"), None);
        for api in ONE_OBJECT_LISTINGS {
            assert!(names.iter().any(|n| n == api), "{api}");
        }
        for (api, param, _) in REFRESH_PARAMS {
            let found = schema_422().api.iter().find(|a| a.name == *api);
            assert!(
                found.is_some_and(|a| a.params.iter().any(|p| p.name == *param)),
                "{api}.{param}"
            );
        }
        assert_eq!(
            refresh_param("listTemplates", "templatefilter"),
            Some("self")
        );
        assert_eq!(refresh_param("listTemplates", "zoneid"), None);
    }

    #[test]
    fn lists_of_ids_and_names_are_strings() {
        for field in [
            "virtualmachineids",
            "virtualmachineIds",
            "projectids",
            "account",
            "lbvmipaddresses",
        ] {
            assert!(is_string_list(field), "{field}");
        }
        for field in ["agents", "conditions", "secondaryip", "servicelist"] {
            assert!(!is_string_list(field), "{field}");
        }
    }

    #[test]
    fn every_api_of_both_real_schemas_maps_to_an_entity_and_a_verb() {
        for schema in [schema_422(), schema_418()] {
            let names: Vec<&str> = schema.api.iter().map(|a| a.name.as_str()).collect();
            let l = Linguist::new(names.iter().copied());
            let mut by_entity: BTreeMap<String, usize> = BTreeMap::new();
            for name in &names {
                let m = l.map(name);
                assert!(
                    m.entity.starts_with(|c: char| c.is_ascii_uppercase()),
                    "{name}: entity {:?}",
                    m.entity
                );
                assert!(
                    m.entity.chars().all(|c| c.is_ascii_alphanumeric()),
                    "{name}: entity {:?}",
                    m.entity
                );
                assert!(
                    m.verb.starts_with(|c: char| c.is_ascii_lowercase()),
                    "{name}: verb {:?}",
                    m.verb
                );
                assert!(
                    m.verb.starts_with(leading_word(name))
                        || SPECIAL.iter().any(|s| s.0 == *name)
                        || name.starts_with("quota"),
                    "{name}: verb {:?}",
                    m.verb
                );
                *by_entity.entry(m.entity).or_default() += 1;
            }
            // Entities are real groupings, not one per API.
            assert!(
                by_entity.len() < names.len() / 2,
                "{} entities for {} APIs",
                by_entity.len(),
                names.len()
            );
        }
    }
}
