//! The describer: descriptions of parameters and response fields in our own
//! words, from rules over names and types (and a dictionary of the common
//! names). CloudStack's own texts are never copied.

use std::collections::BTreeSet;

/// Splits lower-case run-together names (`serviceofferingid`) into words
/// with a vocabulary learnt from CamelCase API names.
#[derive(Debug)]
pub struct Describer {
    vocabulary: BTreeSet<String>,
    longest: usize,
}

/// A segmentation in progress: its cost and its pieces (start, end, known).
type Split = (usize, Vec<(usize, usize, bool)>);

/// Words every describer knows, beyond those learnt from API names.
const BASE_WORDS: &[&str] = &[
    "account",
    "acl",
    "address",
    "admin",
    "affinity",
    "algorithm",
    "all",
    "allocated",
    "allocation",
    "api",
    "archived",
    "async",
    "bootable",
    "by",
    "capacity",
    "category",
    "cidr",
    "cleanup",
    "cluster",
    "code",
    "count",
    "cpu",
    "created",
    "custom",
    "date",
    "default",
    "description",
    "details",
    "disk",
    "display",
    "dns",
    "domain",
    "duration",
    "email",
    "enabled",
    "end",
    "entry",
    "event",
    "expunge",
    "extractable",
    "featured",
    "first",
    "for",
    "forced",
    "gateway",
    "group",
    "guest",
    "ha",
    "host",
    "hypervisor",
    "id",
    "ids",
    "in",
    "instance",
    "internal",
    "ip",
    "is",
    "iso",
    "job",
    "key",
    "keyword",
    "last",
    "level",
    "limit",
    "list",
    "local",
    "mac",
    "max",
    "memory",
    "min",
    "name",
    "netmask",
    "network",
    "nic",
    "number",
    "of",
    "offering",
    "os",
    "page",
    "parent",
    "password",
    "path",
    "physical",
    "pod",
    "policy",
    "port",
    "private",
    "proc",
    "project",
    "protocol",
    "provider",
    "public",
    "purpose",
    "range",
    "ready",
    "recursive",
    "removed",
    "resource",
    "result",
    "role",
    "root",
    "rule",
    "secret",
    "security",
    "service",
    "session",
    "size",
    "snapshot",
    "source",
    "speed",
    "ssh",
    "start",
    "state",
    "status",
    "storage",
    "system",
    "tag",
    "tags",
    "template",
    "text",
    "time",
    "timeout",
    "timezone",
    "to",
    "total",
    "traffic",
    "type",
    "url",
    "used",
    "user",
    "username",
    "uuid",
    "value",
    "vlan",
    "vm",
    "volume",
    "vpc",
    "zone",
    "received",
    "sent",
    "bytes",
    "offset",
    "issuer",
    "verified",
    "2fa",
    "registered",
];

/// Words shown in capitals.
const ACRONYMS: &[&str] = &[
    "acl", "api", "cidr", "cpu", "dns", "gpu", "ha", "id", "ids", "ip", "ipv4", "ipv6", "iso",
    "lb", "mac", "nic", "os", "ssh", "ssl", "url", "uuid", "vlan", "vm", "vms", "vpc", "vpn",
    "xml", "json",
];

/// Exact names of request parameters.
fn param_dictionary(name: &str, entity: &str) -> Option<String> {
    Some(match name {
        "id" => format!("The ID of the {entity}."),
        "ids" => format!("The IDs of the {entity}s, comma-separated."),
        "name" => format!("The name of the {entity}."),
        "keyword" => "Keeps only the items whose name or description contains this text.".into(),
        "page" => "The page number to return, starting at 1 (use with pagesize).".into(),
        "pagesize" => "The number of items per page, at most 500; -1 for all of them.".into(),
        "listall" => {
            "True to list everything the caller may see, not only its own resources.".into()
        }
        "isrecursive" => "True to include the resources of every subdomain of the domain.".into(),
        "account" => "The name of an account (use together with domainid).".into(),
        "domainid" => "The ID of the domain.".into(),
        "domain" => "The path of a domain, such as / or /a/b/ (ROOT when left out).".into(),
        "projectid" => "The ID of the project.".into(),
        "zoneid" => "The ID of the zone.".into(),
        "displaytext" => format!("A short human-readable description of the {entity}."),
        "tags" => "Resource tags, as tags[i].key and tags[i].value pairs.".into(),
        "details" => "Extra details, as details[i].name=value pairs.".into(),
        "startdate" => "Keeps only the items created at or after this time.".into(),
        "enddate" => "Keeps only the items created at or before this time.".into(),
        "username" => "The user's login name.".into(),
        "password" => "The user's password.".into(),
        "firstname" => "The user's first name.".into(),
        "lastname" => "The user's last name.".into(),
        "email" => "The user's email address.".into(),
        "timezone" => "A time zone name, such as Europe/Paris.".into(),
        "forced" => "True to force the operation.".into(),
        "cleanup" => "True to also remove what depends on it.".into(),
        "type" => format!("The type of the {entity}."),
        "state" => format!("The state of the {entity}."),
        "level" => "The event level: INFO, WARN or ERROR.".into(),
        "jobid" => "The ID of the async job.".into(),
        "resourceid" => "The ID of the resource it concerns.".into(),
        "resourcetype" => "The type of the resource it concerns.".into(),
        "apikey" => "The API key.".into(),
        "secretkey" => "The secret key.".into(),
        "accounttype" => "The account type: 0 user, 1 root admin, 2 domain admin.".into(),
        "roleid" => "The ID of the role.".into(),
        "displayname" => format!("The name of the {entity} as shown to users."),
        "hostname" => "The host name.".into(),
        "networkdomain" => "The DNS domain of the networks.".into(),
        _ => return None,
    })
}

/// Exact names of response fields.
fn field_dictionary(name: &str, entity: &str) -> Option<String> {
    Some(match name {
        "id" => format!("The ID of the {entity}."),
        "name" => format!("The name of the {entity}."),
        "created" => format!("When the {entity} was created."),
        "removed" => format!("When the {entity} was removed."),
        "state" => format!("The state of the {entity}."),
        "account" => "The account that owns it.".into(),
        "accountid" => "The ID of the account that owns it.".into(),
        "domain" => "The name of the domain it belongs to.".into(),
        "domainid" => "The ID of the domain it belongs to.".into(),
        "domainpath" => "The path of the domain it belongs to.".into(),
        "project" => "The project that owns it.".into(),
        "projectid" => "The ID of the project that owns it.".into(),
        "jobid" => "The ID of the async job working on it, if any.".into(),
        "jobstatus" => "The status of that async job: 0 pending, 1 done, 2 failed.".into(),
        "tags" => "Its resource tags.".into(),
        "count" => "The total number of items.".into(),
        "success" => "True when the operation succeeded.".into(),
        "displaytext" => format!("A short human-readable description of the {entity}."),
        "description" => format!("A description of the {entity}."),
        "zoneid" => "The ID of the zone.".into(),
        "zonename" => "The name of the zone.".into(),
        "cmd" => "The command that started the job.".into(),
        "jobresult" => {
            "The result of the job once finished: the object, or errorcode and errortext.".into()
        }
        "jobresultcode" => "0 on success, otherwise the error code of the job.".into(),
        "jobresulttype" => "The kind of result: object or text.".into(),
        "jobprocstatus" => "The progress of the job.".into(),
        "jobinstanceid" => "The ID of the object the job works on.".into(),
        "jobinstancetype" => "The type of the object the job works on.".into(),
        "completed" => "When the job finished.".into(),
        "userid" => "The ID of the user.".into(),
        "username" => "The user's login name.".into(),
        "firstname" => "The user's first name.".into(),
        "lastname" => "The user's last name.".into(),
        "email" => "The user's email address.".into(),
        "displayname" => format!("The name of the {entity} as shown to users."),
        "sessionkey" => "The session key to send with every call of the session.".into(),
        "timeout" => "The session timeout in seconds.".into(),
        "isasync" => "Whether the API answers with an async job.".into(),
        "since" => "The version that introduced it.".into(),
        "related" => "Related APIs, comma-separated.".into(),
        "params" => "The request parameters.".into(),
        "response" => "The fields of the answer.".into(),
        "required" => "Whether the call fails without it.".into(),
        "length" => "The maximum length of a value.".into(),
        _ => return None,
    })
}

impl Describer {
    /// A describer whose vocabulary includes the words of these API names.
    pub fn new<'a>(api_names: impl IntoIterator<Item = &'a str>) -> Self {
        let mut vocabulary: BTreeSet<String> =
            BASE_WORDS.iter().map(|w| (*w).to_string()).collect();
        vocabulary.extend(ACRONYMS.iter().map(|w| (*w).to_string()));
        for name in api_names {
            for word in camel_words(name) {
                if word.len() >= 2 {
                    vocabulary.insert(word);
                }
            }
        }
        let longest = vocabulary.iter().map(String::len).max().unwrap_or(1);
        Self {
            vocabulary,
            longest,
        }
    }

    /// The object an API works on, in words (`listVirtualMachines` →
    /// `virtual machine`).
    pub fn entity(&self, api: &str) -> String {
        let words = camel_words(api);
        let rest = if words.len() > 1 {
            &words[1..]
        } else {
            &words[..]
        };
        let mut text = rest.iter().map(|w| shown(w)).collect::<Vec<_>>().join(" ");
        if api.starts_with("list") {
            text = singular(&text);
        }
        if text.is_empty() {
            "object".into()
        } else {
            text
        }
    }

    /// The description of an API the simulator answers from its schema
    /// alone: its verb in the third person, then what it acts on
    /// (`enableAutoScaleVmGroup` -> "Enables the auto scale vm group.").
    pub fn api(&self, api: &str) -> String {
        let words = camel_words(api);
        let verb = words
            .first()
            .map_or("serve", String::as_str)
            .to_ascii_lowercase();
        let third = if verb.ends_with(['s', 'x', 'h']) {
            format!("{verb}es")
        } else if verb.ends_with('y') && !verb.ends_with(['a', 'e', 'o', 'u']) {
            format!("{}ies", &verb[..verb.len() - 1])
        } else {
            format!("{verb}s")
        };
        let mut chars = third.chars();
        let first = chars.next().map(|c| c.to_ascii_uppercase()).unwrap_or('S');
        let entity = self.entity(api);
        if verb == "list" {
            format!(
                "{first}{} the {entity} records the caller may see.",
                chars.as_str()
            )
        } else {
            format!("{first}{} the {entity}.", chars.as_str())
        }
    }

    /// The description of a request parameter.
    pub fn param(&self, entity: &str, name: &str, kind: &str) -> String {
        let name = name.to_ascii_lowercase();
        if let Some(text) = param_dictionary(&name, entity) {
            return text;
        }
        self.generic(&name, kind, false)
    }

    /// The description of a response field of an object named `entity`.
    pub fn field(&self, entity: &str, name: &str, kind: &str) -> String {
        let name = name.to_ascii_lowercase();
        if let Some(text) = field_dictionary(&name, entity) {
            return text;
        }
        self.generic(&name, kind, true)
    }

    fn generic(&self, name: &str, kind: &str, field: bool) -> String {
        if let Some(stem) = name.strip_suffix("ids").filter(|s| !s.is_empty()) {
            return format!("The IDs of the {}s, comma-separated.", self.words(stem));
        }
        if let Some(stem) = name.strip_suffix("id").filter(|s| !s.is_empty()) {
            return format!("The ID of the {}.", self.words(stem));
        }
        if let Some(stem) = name.strip_suffix("name").filter(|s| !s.is_empty()) {
            return format!("The name of the {}.", self.words(stem));
        }
        if kind == "boolean" {
            if let Some(rest) = name.strip_prefix("is").filter(|rest| rest.len() > 2) {
                let words = self.words(rest);
                return if field {
                    format!("Whether it is {words}.")
                } else {
                    format!("True if it is {words}.")
                };
            }
        }
        let words = self.words(name);
        match kind {
            "boolean" if field => format!("Whether it is {words}."),
            "boolean" => format!("True for {words}."),
            "map" => format!("The {words}, as {name}[i].field=value entries."),
            "list" | "set" if !field => format!("The {words}, comma-separated."),
            "list" | "set" => format!("The {words} (a list)."),
            "date" | "tzdate" => format!("The {words} time."),
            _ => format!("The {words}."),
        }
    }

    /// A run-together lower-case name split into words.
    pub fn words(&self, name: &str) -> String {
        let chars: Vec<char> = name.chars().collect();
        let n = chars.len();
        // best[i] = (cost, words) for chars[..i]; unknown characters cost 10,
        // each word costs 1, so known words win and fewer words win.
        let mut best: Vec<Option<Split>> = vec![None; n + 1];
        best[0] = Some((0, Vec::new()));
        for end in 1..=n {
            let mut choice: Option<Split> = None;
            for start in end.saturating_sub(self.longest)..end {
                let Some((cost, path)) = &best[start] else {
                    continue;
                };
                let piece: String = chars[start..end].iter().collect();
                let known = self.vocabulary.contains(&piece)
                    || piece
                        .strip_suffix('s')
                        .is_some_and(|stem| stem.len() >= 2 && self.vocabulary.contains(stem));
                let step = if known { 1 } else { 10 * (end - start) + 1 };
                let total = cost + step;
                if choice.as_ref().is_none_or(|(c, _)| total < *c) {
                    let mut path = path.clone();
                    path.push((start, end, known));
                    choice = Some((total, path));
                }
            }
            best[end] = choice;
        }
        let Some((_, path)) = &best[n] else {
            return name.to_string();
        };
        // Merge runs of unknown single characters back together.
        let mut words: Vec<String> = Vec::new();
        let mut unknown = String::new();
        for &(start, end, known) in path {
            let piece: String = chars[start..end].iter().collect();
            if known {
                if !unknown.is_empty() {
                    words.push(std::mem::take(&mut unknown));
                }
                words.push(shown(&piece));
            } else {
                unknown.push_str(&piece);
            }
        }
        if !unknown.is_empty() {
            words.push(unknown);
        }
        words.join(" ")
    }
}

/// Splits `listVirtualMachines` into `["list", "virtual", "machines"]`
/// (runs of capitals stay together: `createVPC` → `create`, `vpc`).
fn camel_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let boundary = c.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(char::is_ascii_lowercase)
                    && chars[i - 1].is_ascii_uppercase());
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current).to_ascii_lowercase());
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current.to_ascii_lowercase());
    }
    words
}

fn shown(word: &str) -> String {
    if ACRONYMS.contains(&word) {
        word.to_ascii_uppercase()
    } else {
        word.to_string()
    }
}

fn singular(text: &str) -> String {
    if let Some(stem) = text.strip_suffix("ies") {
        return format!("{stem}y");
    }
    if let Some(stem) = text.strip_suffix("sses") {
        return format!("{stem}ss");
    }
    if text.ends_with("ss") || text.ends_with("us") {
        return text.to_string();
    }
    if let Some(stem) = text.strip_suffix("Ss") {
        return stem.to_string();
    }
    text.strip_suffix('s').unwrap_or(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describer() -> Describer {
        Describer::new([
            "listServiceOfferings",
            "deployVirtualMachine",
            "createVPC",
            "listZones",
        ])
    }

    #[test]
    fn names_split_into_words() {
        let d = describer();
        assert_eq!(d.words("serviceofferingid"), "service offering ID");
        assert_eq!(d.words("virtualmachine"), "virtual machine");
        assert_eq!(d.words("vpcid"), "VPC ID");
    }

    #[test]
    fn entities_come_from_api_names() {
        let d = describer();
        assert_eq!(d.entity("listServiceOfferings"), "service offering");
        assert_eq!(d.entity("deployVirtualMachine"), "virtual machine");
        assert_eq!(d.entity("createVPC"), "VPC");
        assert_eq!(d.entity("listAddresses"), "address");
        assert_eq!(d.entity("listPolicies"), "policy");
    }

    #[test]
    fn descriptions_follow_the_rules() {
        let d = describer();
        assert_eq!(d.param("zone", "id", "uuid"), "The ID of the zone.");
        assert_eq!(
            d.param("virtual machine", "serviceofferingid", "uuid"),
            "The ID of the service offering."
        );
        assert_eq!(
            d.param("x", "virtualmachineids", "list"),
            "The IDs of the virtual machines, comma-separated."
        );
        assert_eq!(
            d.field("zone", "securitygroupsenabled", "boolean"),
            "Whether it is security groups enabled."
        );
    }
}
