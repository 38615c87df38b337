//! Template launch permissions as `TemplateManagerImpl.updateTemplateOrIsoPermissions`
//! and `listTemplatePermissions` keep them.

use crate::families::testkit::{Kit, code};

fn register(kit: &mut Kit, who: &crate::kernel::caller::Caller, name: &str) -> String {
    let (zone, os) = (kit.id("zone"), kit.id("ostype_centos"));
    let made = kit
        .call(
            who,
            "registerTemplate",
            &[
                ("name", name),
                ("displaytext", name),
                ("url", "http://images.example.com/tiny.vhd.bz2"),
                ("format", "VHD"),
                ("hypervisor", "Simulator"),
                ("ostypeid", &os),
                ("zoneid", &zone),
            ],
        )
        .unwrap();
    made["template"][0]["id"].as_str().unwrap().to_string()
}

fn shared_with(kit: &mut Kit, who: &crate::kernel::caller::Caller) -> usize {
    let listed = kit
        .call(
            who,
            "listTemplates",
            &[("templatefilter", "sharedexecutable")],
        )
        .unwrap();
    listed["count"].as_u64().unwrap_or(0) as usize
}

/// `op=add` shares a private template with accounts of the owner's
/// domain (they see it as sharedexecutable), `remove` takes it back,
/// `reset` makes it private and unshared; `listTemplatePermissions` names
/// the accounts and the owner.
#[test]
fn an_owner_shares_and_unshares_a_private_template() {
    let mut kit = Kit::new();
    let owner = kit.account("tp-owner", 0, None);
    let friend = kit.account("tp-friend", 0, None);
    let template = register(&mut kit, &owner, "shared-one");
    assert_eq!(shared_with(&mut kit, &friend), 0);

    kit.call(
        &owner,
        "updateTemplatePermissions",
        &[("id", &template), ("accounts", "tp-friend"), ("op", "add")],
    )
    .unwrap();
    assert_eq!(shared_with(&mut kit, &friend), 1);
    let listed = kit
        .call(&owner, "listTemplatePermissions", &[("id", &template)])
        .unwrap();
    let permission = &listed["templatepermission"];
    assert_eq!(permission["ispublic"], false);
    assert_eq!(
        permission["account"],
        serde_json::json!(["tp-friend", "tp-owner"])
    );

    kit.call(
        &owner,
        "updateTemplatePermissions",
        &[
            ("id", &template),
            ("accounts", "tp-friend"),
            ("op", "remove"),
        ],
    )
    .unwrap();
    assert_eq!(shared_with(&mut kit, &friend), 0);

    kit.call(
        &owner,
        "updateTemplatePermissions",
        &[
            ("id", &template),
            ("accounts", "tp-friend"),
            ("op", "add"),
            ("ispublic", "true"),
        ],
    )
    .unwrap();
    kit.call(
        &owner,
        "updateTemplatePermissions",
        &[("id", &template), ("op", "reset")],
    )
    .unwrap();
    assert_eq!(shared_with(&mut kit, &friend), 0);
    let listed = kit
        .call(&owner, "listTemplatePermissions", &[("id", &template)])
        .unwrap();
    assert_eq!(listed["templatepermission"]["ispublic"], false);
    assert_eq!(
        listed["templatepermission"]["account"],
        serde_json::json!(["tp-owner"])
    );
}

/// The refusals of `updateTemplateOrIsoPermissions`: another account's
/// template (531), accounts without a valid `op`, `add` without accounts,
/// an account not in the owner's domain (431).
#[test]
fn template_permission_changes_are_refused_where_the_server_refuses() {
    let mut kit = Kit::new();
    let owner = kit.account("tp-owner2", 0, None);
    let stranger = kit.account("tp-stranger", 0, None);
    let template = register(&mut kit, &owner, "guarded");
    let err = kit
        .call(
            &stranger,
            "updateTemplatePermissions",
            &[("id", &template), ("ispublic", "true")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let err = kit
        .call(
            &owner,
            "updateTemplatePermissions",
            &[("id", &template), ("accounts", "tp-stranger")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text.contains("Given operation is: 'null'"),
        "{}",
        err.text
    );
    let err = kit
        .call(
            &owner,
            "updateTemplatePermissions",
            &[("id", &template), ("op", "add")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Operation add requires accounts or projectIds to be passed in"
    );
    let err = kit
        .call(
            &owner,
            "updateTemplatePermissions",
            &[
                ("id", &template),
                ("accounts", "nobody-here"),
                ("op", "add"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .starts_with("Unable to grant a launch permission to account nobody-here")
    );
    let err = kit
        .call(&stranger, "listTemplatePermissions", &[("id", &template)])
        .unwrap_err();
    assert_eq!(code(&err), 531);
}
