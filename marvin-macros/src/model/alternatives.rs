//! APIs whose required arguments come in alternative sets.
//!
//! listApis marks every parameter of such an API optional (`disableAccount`
//! takes either `id`, or `account` and `domainid`), so a caller could send
//! none or both. For the APIs below the request type gets a `...Target`
//! enum with one variant per set; the parameters of the sets leave the
//! options struct. An entity method fills the `Id` variant from `self`.
//!
//! A set applies only when the schema has all its parameters, none of them
//! required; otherwise the API keeps its plain parameters.

/// One alternative set: the variant's name and its parameters.
pub(crate) type Set = (&'static str, &'static [&'static str]);

/// `(api, [(variant, [params])])`; the first variant is the by-id one.
pub(crate) const ALTERNATIVES: &[(&str, &[Set])] = &[
    (
        "disableAccount",
        &[("Id", &["id"]), ("Name", &["account", "domainid"])],
    ),
    (
        "enableAccount",
        &[("Id", &["id"]), ("Name", &["account", "domainid"])],
    ),
    (
        "updateAccount",
        &[("Id", &["id"]), ("Name", &["account", "domainid"])],
    ),
    (
        "deleteAffinityGroup",
        &[("Id", &["id"]), ("Name", &["name"])],
    ),
    (
        "deleteSecurityGroup",
        &[("Id", &["id"]), ("Name", &["name"])],
    ),
    (
        "detachVolume",
        &[
            ("Id", &["id"]),
            ("Device", &["virtualmachineid", "deviceid"]),
        ],
    ),
    (
        "deleteSnapshotPolicies",
        &[("Id", &["id"]), ("Ids", &["ids"])],
    ),
    ("deleteVMSchedule", &[("Id", &["id"]), ("Ids", &["ids"])]),
    (
        "removeQuarantinedIp",
        &[("Id", &["id"]), ("IpAddress", &["ipaddress"])],
    ),
    (
        "updateQuarantinedIp",
        &[("Id", &["id"]), ("IpAddress", &["ipaddress"])],
    ),
    (
        "updateHypervisorCapabilities",
        &[
            ("Id", &["id"]),
            ("Hypervisor", &["hypervisor", "hypervisorversion"]),
        ],
    ),
    (
        "deleteLdapConfiguration",
        &[("Id", &["id"]), ("Hostname", &["hostname"])],
    ),
];

/// The alternative sets of `api`, if it has some.
pub(crate) fn alternatives(
    api: &str,
) -> Option<&'static [(&'static str, &'static [&'static str])]> {
    ALTERNATIVES
        .iter()
        .find(|(name, _)| *name == api)
        .map(|(_, sets)| *sets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::schema_422;

    #[test]
    fn every_listed_api_exists_with_optional_parameters_in_the_422_schema() {
        for (api, sets) in ALTERNATIVES {
            let found = schema_422()
                .find(api)
                .unwrap_or_else(|| panic!("{api} is not in the schema"));
            for (_, params) in *sets {
                for param in *params {
                    let p = found.params.iter().find(|p| p.name == *param);
                    assert!(p.is_some_and(|p| !p.required), "{api}.{param}");
                }
            }
        }
    }
}
