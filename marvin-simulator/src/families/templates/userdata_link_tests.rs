//! `linkUserDataToTemplate`, as CloudStack's
//! `TemplateManagerImpl.linkUserDataToTemplate` decides it.

use crate::families::testkit::{Kit, code};

#[test]
fn user_data_is_linked_with_its_policy_and_unlinked_without_an_id() {
    let mut kit = Kit::new();
    let (zone, os) = (kit.id("zone"), kit.id("ostype_centos"));
    let owner = kit.account("linker", 0, None);
    let other = kit.account("outsider", 0, None);
    let made = kit
        .call(
            &owner,
            "registerTemplate",
            &[
                ("name", "linked"),
                ("displaytext", "linked"),
                ("url", "http://images.example.com/tiny.vhd.bz2"),
                ("format", "VHD"),
                ("hypervisor", "Simulator"),
                ("ostypeid", &os),
                ("zoneid", &zone),
            ],
        )
        .unwrap();
    let template = made["template"][0]["id"].as_str().unwrap().to_string();
    kit.call(
        &owner,
        "registerUserData",
        &[
            ("name", "boot"),
            ("userdata", "ZWNobyBoaQ=="),
            ("params", "a,b"),
        ],
    )
    .unwrap();
    let registered = kit
        .call(&owner, "listUserData", &[("name", "boot")])
        .unwrap();
    let user_data = registered["userdata"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let linked = kit
        .call(
            &owner,
            "linkUserDataToTemplate",
            &[("templateid", &template), ("userdataid", &user_data)],
        )
        .unwrap();
    let t = &linked["template"];
    assert_eq!(t["userdataid"], user_data.as_str());
    assert_eq!(t["userdataname"], "boot");
    assert_eq!(t["userdatapolicy"], "ALLOWOVERRIDE");
    let listed = kit
        .call(
            &owner,
            "listTemplates",
            &[("templatefilter", "self"), ("id", &template)],
        )
        .unwrap();
    assert_eq!(listed["template"][0]["userdataid"], user_data.as_str());

    let relinked = kit
        .call(
            &owner,
            "linkUserDataToTemplate",
            &[
                ("templateid", &template),
                ("userdataid", &user_data),
                ("userdatapolicy", "denyoverride"),
            ],
        )
        .unwrap();
    assert_eq!(relinked["template"]["userdatapolicy"], "DENYOVERRIDE");

    let err = kit
        .call(&owner, "deleteUserData", &[("id", &user_data)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            530,
            "Userdata boot cannot be removed as it is linked to active template/templates"
        )
    );

    let unlinked = kit
        .call(
            &owner,
            "linkUserDataToTemplate",
            &[("templateid", &template), ("userdatapolicy", "append")],
        )
        .unwrap();
    assert!(
        unlinked["template"].get("userdataid").is_none(),
        "{unlinked}"
    );
    assert!(
        unlinked["template"].get("userdatapolicy").is_none(),
        "{unlinked}"
    );

    let err = kit
        .call(
            &owner,
            "linkUserDataToTemplate",
            &[("templateid", &template), ("isoid", &template)],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "Both Template ID and ISO ID are passed, API accepts only one"
        )
    );
    let err = kit
        .call(
            &owner,
            "linkUserDataToTemplate",
            &[("userdataid", &user_data)],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "At least one of Template ID or ISO ID needs to be passed"
        )
    );
    let err = kit
        .call(
            &other,
            "linkUserDataToTemplate",
            &[("templateid", &template), ("userdataid", &user_data)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    kit.call(&owner, "deleteUserData", &[("id", &user_data)])
        .unwrap();
}
