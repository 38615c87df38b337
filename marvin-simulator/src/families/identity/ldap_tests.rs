//! LDAP commands on a cloud without an LDAP directory, as
//! `LdapCreateAccountCmd.execute` and `LdapManagerImpl.linkAccountToLdap`
//! answer there.

use crate::families::testkit::{Kit, code};

/// `LdapCreateAccountCmd.execute`: no type and no role is 431; otherwise
/// the directory lookup finds nobody (534) and no account is made.
#[test]
fn ldap_create_account_finds_no_directory_user() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let err = kit
        .call(&admin, "ldapCreateAccount", &[("username", "ldap-bob")])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Both account type and role ID are not provided")
    );
    let err = kit
        .call(
            &admin,
            "ldapCreateAccount",
            &[("username", "ldap-bob"), ("accounttype", "0")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (534, "No LDAP user exists with the username of ldap-bob")
    );
    assert_eq!(
        kit.count("SELECT COUNT(*) FROM accounts WHERE name = ?1", "ldap-bob"),
        0
    );
}

/// `LdapManagerImpl.linkAccountToLdap`: no domain has a base DN, so the
/// link fails (530; a domain admin sees the generic text) before any
/// account is made.
#[test]
fn link_account_to_ldap_needs_a_base_dn() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let root = kit.id("root_domain");
    let params = [
        ("domainid", root.as_str()),
        ("account", "ldap-linked"),
        ("ldapdomain", "cn=ops"),
    ];
    let err = kit.call(&admin, "linkAccountToLdap", &params).unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            530,
            "can not link an account to ldap in a domain for which no basdn is configured"
        )
    );
    let domain_admin = kit.account("ldap-dadmin", 2, None);
    let err = kit
        .call(&domain_admin, "linkAccountToLdap", &params)
        .unwrap_err();
    assert_eq!(
        err.text,
        "Internal error executing command, please contact your system administrator"
    );
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM accounts WHERE name = ?1",
            "ldap-linked"
        ),
        0
    );
}
