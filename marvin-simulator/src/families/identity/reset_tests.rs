//! `resetConfiguration` as `ConfigurationManagerImpl.resetConfiguration`
//! behaves.

use crate::families::testkit::{Kit, code};

/// A global reset puts the default back; a scoped reset removes only that
/// scope's value, which then inherits the global one again.
#[test]
fn reset_goes_back_to_the_default_or_to_what_the_scope_inherits() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let zone = kit.id("zone");
    kit.call(
        &admin,
        "updateConfiguration",
        &[("name", "network.throttling.rate"), ("value", "300")],
    )
    .unwrap();
    kit.call(
        &admin,
        "updateConfiguration",
        &[
            ("name", "network.throttling.rate"),
            ("value", "500"),
            ("zoneid", &zone),
        ],
    )
    .unwrap();

    let scoped = kit
        .call(
            &admin,
            "resetConfiguration",
            &[("name", "network.throttling.rate"), ("zoneid", &zone)],
        )
        .unwrap();
    assert_eq!(
        scoped["configuration"]["value"], "300",
        "the zone inherits the global value"
    );
    assert_eq!(scoped["configuration"]["scope"], "zone");
    let global = kit
        .call(
            &admin,
            "resetConfiguration",
            &[("name", "network.throttling.rate")],
        )
        .unwrap();
    assert_eq!(global["configuration"]["value"], "200", "the default");
    let listed = kit
        .call(
            &admin,
            "listConfigurations",
            &[("name", "network.throttling.rate"), ("zoneid", &zone)],
        )
        .unwrap();
    assert_eq!(listed["configuration"][0]["value"], "200");
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = 'CONFIGURATION.VALUE.EDIT' AND description LIKE ?1",
            "%resetting configuration%"
        ),
        2
    );
}

/// The refusals: an unknown name, a scope the setting does not have, two
/// scopes at once (all 431).
#[test]
fn reset_refuses_unknown_names_and_wrong_or_double_scopes() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let zone = kit.id("zone");
    let err = kit
        .call(&admin, "resetConfiguration", &[("name", "no.such.setting")])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Config parameter with name no.such.setting doesn't exist"
        )
    );
    let err = kit
        .call(
            &admin,
            "resetConfiguration",
            &[("name", "expunge.delay"), ("zoneid", &zone)],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Invalid scope id provided for the parameter expunge.delay"
        )
    );
    let account = kit.id("admin_account");
    let err = kit
        .call(
            &admin,
            "resetConfiguration",
            &[
                ("name", "network.throttling.rate"),
                ("zoneid", &zone),
                ("accountid", &account),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "cannot handle multiple IDs, provide only one ID corresponding to the scope"
    );
}
