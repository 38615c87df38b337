//! Names of CloudStack APIs and entities: splitting camel case into words,
//! and the singular and plural of a noun phrase's last word.
//!
//! Every function here is pure and total: odd input gives an odd result,
//! never a panic.

/// Splits a camel-case name into words, keeping acronyms together:
/// `enableHAForHost` -> `enable HA For Host`, `Ipv4Subnet` -> `Ipv4 Subnet`,
/// `getVolumeiScsiName` -> `get Volumei Scsi Name`.
pub fn words(name: &str) -> Vec<&str> {
    // Byte-wise over ASCII; any other character separates words, so that
    // slicing always falls on character boundaries.
    let bytes = name.as_bytes();
    let alnum = |b: u8| b.is_ascii_alphanumeric();
    let mut out = Vec::new();
    let mut start = None;
    for i in 0..bytes.len() {
        let cur = bytes[i];
        if !alnum(cur) {
            if let Some(s) = start.take() {
                out.push(&name[s..i]);
            }
            continue;
        }
        let Some(s) = start else {
            start = Some(i);
            continue;
        };
        let prev = bytes[i - 1];
        let next = bytes.get(i + 1).copied();
        let boundary = (cur.is_ascii_uppercase()
            && (prev.is_ascii_lowercase() || prev.is_ascii_digit()))
            || (cur.is_ascii_uppercase()
                && prev.is_ascii_uppercase()
                && next.is_some_and(|n| n.is_ascii_lowercase())
                && !acronym_plural(bytes, i + 1));
        if boundary {
            out.push(&name[s..i]);
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(&name[s..]);
    }
    out
}

/// Whether the `s` at `at` pluralises the acronym before it (`ACLs`,
/// `VPCs`): it ends the name or is followed by an upper-case letter.
fn acronym_plural(bytes: &[u8], at: usize) -> bool {
    bytes[at] == b's'
        && bytes
            .get(at + 1)
            .is_none_or(|b| b.is_ascii_uppercase() || !b.is_ascii_alphanumeric())
}

/// `deployVirtualMachine` -> `DeployVirtualMachine`; acronyms are kept
/// (`listVPCs` -> `ListVPCs`).
pub fn upper_camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in words(name) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'X');
    }
    out
}

/// Words that end in `s` in the singular.
const SINGULAR_ENDINGS_IN_S: &[&str] = &[
    "Os",
    "OS",
    "Status",
    "Address",
    "Ingress",
    "Egress",
    "Access",
    "Stickiness",
    "Diagnostics",
    "Alias",
    "Metrics",
    "Dns",
    "Bcs",
    "Vcs",
    "Nfs",
    "Ucs",
    "Sas",
    "Https",
    "Ssl",
];

/// The singular of the last word of a camel-case noun phrase:
/// `VirtualMachines` -> `VirtualMachine`, `SnapshotPolicies` ->
/// `SnapshotPolicy`, `IpAddresses` -> `IpAddress`, `GuestOs` -> `GuestOs`.
pub fn singular(name: &str) -> String {
    let ws = words(name);
    let Some(last) = ws.last() else {
        return name.to_string();
    };
    // `last` is a slice of `name`: split around it.
    let at = last.as_ptr() as usize - name.as_ptr() as usize;
    let (head, rest) = name.split_at(at);
    let after = &rest[last.len()..];
    if SINGULAR_ENDINGS_IN_S.contains(last) {
        return name.to_string();
    }
    let lower = last.to_ascii_lowercase();
    let single = if lower.ends_with("ies") && last.len() > 3 {
        format!("{}y", &last[..last.len() - 3])
    } else if lower.ends_with("sses")
        || lower.ends_with("xes")
        || lower.ends_with("ches")
        || lower.ends_with("shes")
    {
        last[..last.len() - 2].to_string()
    } else if lower.ends_with("ss") || lower.ends_with("us") {
        (*last).to_string()
    } else if let Some(stem) = last.strip_suffix('s') {
        stem.to_string()
    } else {
        (*last).to_string()
    };
    format!("{head}{single}{after}")
}

/// The plural of the last word: the inverse of [`singular`] for the usual
/// English endings (`Policy` -> `Policies`, `Address` -> `Addresses`).
pub fn plural(name: &str) -> String {
    if let Some(stem) = name.strip_suffix('y') {
        if !stem.ends_with(['a', 'e', 'o', 'u']) {
            return format!("{stem}ies");
        }
    }
    if name.ends_with("ss") || name.ends_with('x') || name.ends_with("ch") || name.ends_with("sh") {
        return format!("{name}es");
    }
    format!("{name}s")
}

/// Whether a parameter or field carries a secret (passwords, secret and
/// private keys, session keys, tokens): its value is never shown.
pub fn is_secret(wire: &str) -> bool {
    let lower = wire.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "secret",
        "privatekey",
        "sessionkey",
        "passphrase",
        "token",
    ]
    .iter()
    .any(|needle| lower.contains(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_acronyms_and_digits_together() {
        assert_eq!(words("enableHAForHost"), ["enable", "HA", "For", "Host"]);
        assert_eq!(
            words("createIpv4SubnetForZone"),
            ["create", "Ipv4", "Subnet", "For", "Zone"]
        );
        assert_eq!(words("listSSHKeyPairs"), ["list", "SSH", "Key", "Pairs"]);
        assert_eq!(words("LBStickinessPolicy"), ["LB", "Stickiness", "Policy"]);
        assert_eq!(words("oauthlogin"), ["oauthlogin"]);
        assert_eq!(words("listNetworkACLs"), ["list", "Network", "ACLs"]);
        assert_eq!(words("NetworkACLList"), ["Network", "ACL", "List"]);
        assert_eq!(words("VPCsFor"), ["VPCs", "For"]);
        assert_eq!(words("details[0].key"), ["details", "0", "key"]);
        assert_eq!(words("prénomUser"), ["pr", "nom", "User"]);
        assert_eq!(upper_camel("été"), "T");
        assert_eq!(upper_camel("3par"), "X3par");
    }

    #[test]
    fn singular_handles_english_endings_and_exceptions() {
        assert_eq!(singular("VirtualMachines"), "VirtualMachine");
        assert_eq!(singular("SnapshotPolicies"), "SnapshotPolicy");
        assert_eq!(singular("PublicIpAddresses"), "PublicIpAddress");
        assert_eq!(singular("IpAddress"), "IpAddress");
        assert_eq!(singular("GuestOs"), "GuestOs");
        assert_eq!(singular("SecurityGroupIngress"), "SecurityGroupIngress");
        assert_eq!(singular("LBStickinessPolicies"), "LBStickinessPolicy");
        assert_eq!(singular("VPCs"), "VPC");
        assert_eq!(singular("Vms"), "Vm");
        assert_eq!(singular("Capabilities"), "Capability");
        assert_eq!(singular("tags]é"), "tag]é");
    }

    #[test]
    fn plural_inverts_singular() {
        for word in [
            "VirtualMachine",
            "SnapshotPolicy",
            "IpAddress",
            "Vpc",
            "Key",
        ] {
            assert_eq!(singular(&plural(word)), word);
        }
    }
}
