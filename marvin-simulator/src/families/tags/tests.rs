//! Tags tests.

use crate::families::compute::tests::deploy;
use crate::families::testkit::{Kit, code};

#[test]
fn tags_are_created_filtered_listed_and_deleted() {
    let mut kit = Kit::new();
    let user = kit.account("tess", 0, None);
    let other = kit.account("otto", 0, None);
    let a = deploy(&mut kit, &user, &[("name", "a")]).unwrap();
    let b = deploy(&mut kit, &user, &[("name", "b")]).unwrap();
    let (a_id, b_id) = (
        a["id"].as_str().unwrap().to_string(),
        b["id"].as_str().unwrap().to_string(),
    );
    kit.call(
        &user,
        "createTags",
        &[
            ("resourceids", a_id.as_str()),
            ("resourcetype", "UserVm"),
            ("tags[0].key", "env"),
            ("tags[0].value", "prod"),
            ("tags[1].key", "team"),
            ("tags[1].value", "red"),
        ],
    )
    .unwrap();
    kit.call(
        &user,
        "createTags",
        &[
            ("resourceids", b_id.as_str()),
            ("resourcetype", "uservm"),
            ("tags[0].key", "env"),
            ("tags[0].value", "dev"),
        ],
    )
    .unwrap();
    let err = kit
        .call(
            &user,
            "createTags",
            &[
                ("resourceids", a_id.as_str()),
                ("resourcetype", "UserVm"),
                ("tags[0].key", "env"),
                ("tags[0].value", "again"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 530);
    let err = kit
        .call(
            &other,
            "createTags",
            &[
                ("resourceids", a_id.as_str()),
                ("resourcetype", "UserVm"),
                ("tags[0].key", "x"),
                ("tags[0].value", "y"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let err = kit
        .call(
            &user,
            "createTags",
            &[
                ("resourceids", a_id.as_str()),
                ("resourcetype", "Nothing"),
                ("tags[0].key", "x"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);

    let prod = kit
        .call(
            &user,
            "listVirtualMachines",
            &[("tags[0].key", "env"), ("tags[0].value", "prod")],
        )
        .unwrap();
    assert_eq!(prod["count"], 1);
    assert_eq!(prod["virtualmachine"][0]["id"], a_id.as_str());
    assert_eq!(
        prod["virtualmachine"][0]["tags"].as_array().unwrap().len(),
        2
    );
    let both = kit
        .call(
            &user,
            "listVirtualMachines",
            &[("tags[0].key", "env"), ("tags[1].key", "team")],
        )
        .unwrap();
    assert_eq!(both["count"], 1);

    let listed = kit.call(&user, "listTags", &[("key", "env")]).unwrap();
    assert_eq!(listed["count"], 2);
    assert_eq!(listed["tag"][0]["account"], "tess");
    assert_eq!(kit.call(&other, "listTags", &[]).unwrap()["count"], 0);

    kit.call(
        &user,
        "deleteTags",
        &[
            ("resourceids", a_id.as_str()),
            ("resourcetype", "UserVm"),
            ("tags[0].key", "team"),
        ],
    )
    .unwrap();
    let err = kit
        .call(
            &user,
            "deleteTags",
            &[
                ("resourceids", a_id.as_str()),
                ("resourcetype", "UserVm"),
                ("tags[0].key", "team"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(kit.call(&user, "listTags", &[]).unwrap()["count"], 2);

    // Expunging the VM forgets its tags.
    let admin = kit.admin();
    kit.call(
        &admin,
        "destroyVirtualMachine",
        &[("id", &a_id), ("expunge", "true")],
    )
    .unwrap();
    assert_eq!(kit.call(&user, "listTags", &[]).unwrap()["count"], 1);
}
