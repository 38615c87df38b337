//! Roles' answers as CloudStack gives them.

use crate::families::testkit::Kit;

/// `CreateRoleCmd` takes an optional description and
/// `ApiResponseHelper.createRoleResponse` copies what the role has, so a
/// role made without one answers without the field (not with `""`).
#[test]
fn a_role_made_without_a_description_answers_without_one() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let plain = kit
        .call(&admin, "createRole", &[("name", "plain"), ("type", "User")])
        .unwrap();
    assert!(plain["role"].get("description").is_none(), "{plain}");
    let listed = kit.call(&admin, "listRoles", &[("name", "plain")]).unwrap();
    assert!(listed["role"][0].get("description").is_none(), "{listed}");
    let described = kit
        .call(
            &admin,
            "createRole",
            &[("name", "told"), ("type", "User"), ("description", "ops")],
        )
        .unwrap();
    assert_eq!(described["role"]["description"], "ops");
}
