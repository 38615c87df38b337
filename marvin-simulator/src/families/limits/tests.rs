//! Limits tests: listing, updating, domain chains, recounting.

use crate::families::compute::tests::deploy;
use crate::families::testkit::{Kit, code};

#[test]
fn list_and_update_account_limits() {
    let mut kit = Kit::new();
    let user = kit.account("lima", 0, None);
    let admin = kit.admin();
    let listed = kit.call(&user, "listResourceLimits", &[]).unwrap();
    assert_eq!(listed["count"], 12);
    assert_eq!(listed["resourcelimit"][0]["resourcetypename"], "user_vm");
    assert_eq!(listed["resourcelimit"][0]["max"], 20);
    assert_eq!(
        listed["resourcelimit"][10]["max"], 200,
        "primary storage in GiB"
    );
    let one = kit
        .call(&user, "listResourceLimits", &[("resourcetype", "8")])
        .unwrap();
    assert_eq!(
        (
            one["count"].as_i64(),
            one["resourcelimit"][0]["max"].as_i64()
        ),
        (Some(1), Some(40))
    );

    // A user may not raise its own limit (the engine refuses the role first; the handler refuses too).
    let err = kit
        .call(
            &user,
            "updateResourceLimit",
            &[("resourcetype", "0"), ("max", "5")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);
    let domain = user.domain_id.clone();
    let err = kit
        .call(
            &admin,
            "updateResourceLimit",
            &[
                ("resourcetype", "0"),
                ("max", "-2"),
                ("account", "lima"),
                ("domainid", &domain),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    let err = kit
        .call(
            &admin,
            "updateResourceLimit",
            &[("resourcetype", "42"), ("max", "1")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    let updated = kit
        .call(
            &admin,
            "updateResourceLimit",
            &[
                ("resourcetype", "0"),
                ("max", "3"),
                ("account", "lima"),
                ("domainid", &domain),
            ],
        )
        .unwrap();
    assert_eq!(updated["resourcelimit"]["max"], 3);
    assert_eq!(updated["resourcelimit"]["account"], "lima");
    let listed = kit
        .call(&user, "listResourceLimits", &[("resourcetype", "0")])
        .unwrap();
    assert_eq!(listed["resourcelimit"][0]["max"], 3);
    assert_eq!(
        kit.count(
            "SELECT COUNT(*) FROM events WHERE type = ?1",
            "RESOURCE.LIMIT.UPDATE"
        ),
        1
    );
}

#[test]
fn domain_limits_bind_every_account_below() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let sub = kit
        .call(&admin, "createDomain", &[("name", "sub")])
        .unwrap();
    let sub_id = sub["domain"]["id"].as_str().unwrap().to_string();
    let a = kit.account("da", 0, Some(&sub_id));
    let b = kit.account("db", 0, Some(&sub_id));
    kit.call(
        &admin,
        "updateResourceLimit",
        &[("resourcetype", "0"), ("max", "1"), ("domainid", &sub_id)],
    )
    .unwrap();
    let limits = kit
        .call(
            &admin,
            "listResourceLimits",
            &[("domainid", &sub_id), ("resourcetype", "0")],
        )
        .unwrap();
    assert_eq!(limits["resourcelimit"][0]["max"], 1);
    assert!(limits["resourcelimit"][0].get("account").is_none());
    deploy(&mut kit, &a, &[]).unwrap();
    let err = deploy(&mut kit, &b, &[]).unwrap_err();
    assert_eq!(code(&err), 535);
    assert_eq!(
        err.text,
        format!(
            "Maximum number of resources of type 'user_vm' for domain id={sub_id} has been exceeded."
        )
    );
    let root = kit.id("root_domain");
    let err = kit
        .call(
            &admin,
            "updateResourceLimit",
            &[("resourcetype", "0"), ("max", "1"), ("domainid", &root)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
}

#[test]
fn update_resource_count_recounts_what_is_used() {
    let mut kit = Kit::new();
    let user = kit.account("recount", 0, None);
    let admin = kit.admin();
    deploy(&mut kit, &user, &[]).unwrap();
    deploy(&mut kit, &user, &[("startvm", "false")]).unwrap();
    kit.conn
        .execute(
            "UPDATE resource_counts SET count = 99 WHERE owner_id = ?1",
            [&user.account_id],
        )
        .unwrap();
    let answer = kit
        .call(
            &admin,
            "updateResourceCount",
            &[("domainid", &user.domain_id), ("account", "recount")],
        )
        .unwrap();
    let counts = answer["resourcecount"].as_array().unwrap();
    let get = |name: &str| {
        counts
            .iter()
            .find(|c| c["resourcetypename"] == name)
            .map(|c| c["resourcecount"].as_i64().unwrap())
            .unwrap()
    };
    assert_eq!(get("user_vm"), 2);
    assert_eq!(get("cpu"), 2);
    assert_eq!(get("memory"), 1024);
    assert_eq!(get("volume"), 2);
    assert_eq!(get("primary_storage"), 4, "GiB");
    assert_eq!(get("snapshot"), 0);
}

// Counts saturate at i64::MAX instead of failing: SQLite's SUM raises
// "integer overflow" and an overflowing `count + delta` would be stored as
// a REAL that no integer read gives back.
#[test]
fn counts_saturate_instead_of_overflowing() {
    let mut kit = Kit::new();
    let user = kit.account("bigcount", 0, None);
    let admin = kit.admin();
    deploy(&mut kit, &user, &[("startvm", "false")]).unwrap();
    deploy(&mut kit, &user, &[("startvm", "false")]).unwrap();
    // Rows as large as a 64-bit column holds (a fixture could write them).
    kit.conn
        .execute(
            "UPDATE vms SET memory = 9223372036854775807 WHERE account_id = ?1",
            [&user.account_id],
        )
        .unwrap();
    let answer = kit
        .call(
            &admin,
            "updateResourceCount",
            &[("domainid", &user.domain_id), ("account", "bigcount")],
        )
        .unwrap();
    let memory = answer["resourcecount"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["resourcetypename"] == "memory")
        .map(|c| c["resourcecount"].clone())
        .unwrap();
    assert_eq!(memory, i64::MAX);

    // The seam adds the same way.
    let tx = kit.conn.transaction().unwrap();
    {
        let params = crate::kernel::params::Params::new();
        let call = crate::kernel::contract::Call {
            tx: &tx,
            caller: &admin,
            params: &params,
            command: "deployVirtualMachine",
            now: time::OffsetDateTime::now_utc(),
            job_id: None,
            served: crate::families::testkit::served(),
        };
        for _ in 0..2 {
            super::api::add(
                &call,
                &user.account_id,
                super::api::ResourceKind::Cpu,
                i64::MAX,
            )
            .unwrap();
        }
        assert_eq!(
            super::api::count(&call, &user.account_id, super::api::ResourceKind::Cpu).unwrap(),
            i64::MAX
        );
    }
    tx.commit().unwrap();
}
