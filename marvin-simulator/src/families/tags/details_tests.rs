//! Resource details as `ResourceMetaDataManagerImpl` and
//! `QueryManagerImpl.listResourceDetails` keep them.

use crate::families::compute::tests::deploy;
use crate::families::testkit::{Kit, code};

/// `addResourceMetaData` sets each key (a second add replaces the value);
/// `listResourceDetails` lists a resource's details, or one key, or every
/// resource with a key and value; `deleteResourceMetaData` removes one key
/// or all.
#[test]
fn details_are_added_listed_and_removed() {
    let mut kit = Kit::new();
    let user = kit.account("detailed", 0, None);
    let vm = deploy(&mut kit, &user, &[("name", "d")]).unwrap();
    let vm = vm["id"].as_str().unwrap().to_string();
    kit.call(
        &user,
        "addResourceDetail",
        &[
            ("resourcetype", "uservm"),
            ("resourceid", &vm),
            ("details[0].key", "rootDiskController"),
            ("details[0].value", "scsi"),
            ("details[1].key", "owner"),
            ("details[1].value", "ops"),
        ],
    )
    .unwrap();
    kit.call(
        &user,
        "addResourceDetail",
        &[
            ("resourcetype", "UserVm"),
            ("resourceid", &vm),
            ("details[0].key", "owner"),
            ("details[0].value", "dev"),
            ("fordisplay", "false"),
        ],
    )
    .unwrap();
    let all = kit
        .call(
            &user,
            "listResourceDetails",
            &[("resourcetype", "UserVm"), ("resourceid", &vm)],
        )
        .unwrap();
    assert_eq!(all["count"], 2);
    assert_eq!(all["resourcedetail"][1]["key"], "owner");
    assert_eq!(all["resourcedetail"][1]["value"], "dev");
    assert_eq!(all["resourcedetail"][1]["resourcetype"], "UserVm");
    let shown = kit
        .call(
            &user,
            "listResourceDetails",
            &[
                ("resourcetype", "UserVm"),
                ("resourceid", &vm),
                ("fordisplay", "true"),
            ],
        )
        .unwrap();
    assert_eq!(shown["count"], 1);
    let by_pair = kit
        .call(
            &user,
            "listResourceDetails",
            &[
                ("resourcetype", "UserVm"),
                ("key", "rootDiskController"),
                ("value", "scsi"),
            ],
        )
        .unwrap();
    assert_eq!(by_pair["resourcedetail"][0]["resourceid"], vm.as_str());
    kit.call(
        &user,
        "removeResourceDetail",
        &[
            ("resourcetype", "UserVm"),
            ("resourceid", &vm),
            ("key", "owner"),
        ],
    )
    .unwrap();
    kit.call(
        &user,
        "removeResourceDetail",
        &[
            ("resourcetype", "UserVm"),
            ("resourceid", &vm),
            ("key", "owner"),
        ],
    )
    .unwrap();
    let left = kit
        .call(
            &user,
            "listResourceDetails",
            &[("resourcetype", "UserVm"), ("resourceid", &vm)],
        )
        .unwrap();
    assert_eq!(left["count"], 1);
    kit.call(
        &user,
        "removeResourceDetail",
        &[("resourcetype", "UserVm"), ("resourceid", &vm)],
    )
    .unwrap();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM resource_details WHERE resource_id = ?1",
            &vm
        ),
        0
    );
}

/// `ResourceManagerUtilImpl.getResourceType` / `getResourceId`,
/// `DetailDaoHelper` and `addResourceMetaData`'s value check refuse with
/// the server's codes and texts.
#[test]
fn bad_types_resources_and_values_are_refused() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let zone = kit.id("zone");
    let add = |kit: &mut Kit, kind: &str, id: &str, value: &str| {
        kit.call(
            &admin,
            "addResourceDetail",
            &[
                ("resourcetype", kind),
                ("resourceid", id),
                ("details[0].key", "k"),
                ("details[0].value", value),
            ],
        )
    };
    let err = add(&mut kit, "Spaceship", &zone, "v").unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Invalid resource type Spaceship")
    );
    let err = add(&mut kit, "Project", &zone, "v").unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (530, "ResourceType Project doesn't support metadata")
    );
    let missing = "5a3d9f1e-0000-4000-8000-000000000000";
    let err = add(&mut kit, "Zone", missing, "v").unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!("Unable to find resource by uuid {missing} and type Zone")
        )
    );
    let err = add(&mut kit, "Zone", &zone, "").unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Value for the key k is either null or empty")
    );
    add(&mut kit, "Zone", &zone, "v").unwrap();
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1 AND state = 'Completed'",
            "CREATE_RESOURCE_DETAILS"
        ),
        1
    );

    let err = kit
        .call(&admin, "listResourceDetails", &[("resourcetype", "Zone")])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .starts_with("Insufficient parameters passed for listing")
    );
    let err = kit
        .call(
            &admin,
            "listResourceDetails",
            &[("resourcetype", "Zone"), ("value", "v")],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Listing by (key, value) but key is null. Please check the params and try again"
    );
}
