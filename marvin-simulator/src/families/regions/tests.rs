//! Regions as CloudStack's `RegionManagerImpl` keeps them.

use crate::families::testkit::{Kit, code};

/// The server's schema inserts region 1, `Local`, with GSLB on and
/// portable IPs off; every role may list it.
#[test]
fn the_local_region_exists_from_the_start() {
    let mut kit = Kit::new();
    let user = kit.account("region-reader", 0, None);
    let listed = kit.call(&user, "listRegions", &[]).unwrap();
    assert_eq!(listed["count"], 1);
    let local = &listed["region"][0];
    assert_eq!(local["id"], 1);
    assert_eq!(local["name"], "Local");
    assert_eq!(local["endpoint"], "http://localhost:8080/client/");
    assert_eq!(local["gslbserviceenabled"], true);
    assert_eq!(local["portableipserviceenabled"], false);
}

/// `RegionManagerImpl.addRegion`: ids and names are unique (431).
#[test]
fn add_region_refuses_a_taken_id_or_name() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let added = kit
        .call(
            &admin,
            "addRegion",
            &[
                ("id", "2"),
                ("name", "West"),
                ("endpoint", "http://west:8080/client/"),
            ],
        )
        .unwrap();
    assert_eq!(added["region"]["id"], 2);
    assert_eq!(added["region"]["gslbserviceenabled"], true);
    let same_id = kit
        .call(
            &admin,
            "addRegion",
            &[("id", "2"), ("name", "East"), ("endpoint", "http://east/")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&same_id), same_id.text.as_str()),
        (431, "Region with id: 2 already exists")
    );
    let same_name = kit
        .call(
            &admin,
            "addRegion",
            &[("id", "3"), ("name", "local"), ("endpoint", "http://east/")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&same_name), same_name.text.as_str()),
        (431, "Region with name: local already exists")
    );
    let listed = kit.call(&admin, "listRegions", &[]).unwrap();
    assert_eq!(listed["count"], 2);
}

/// `RegionManagerImpl.updateRegion` and `listRegions` by id or name.
#[test]
fn update_region_renames_and_repoints() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    kit.call(
        &admin,
        "addRegion",
        &[("id", "7"), ("name", "Old"), ("endpoint", "http://old/")],
    )
    .unwrap();
    let updated = kit
        .call(
            &admin,
            "updateRegion",
            &[("id", "7"), ("name", "New"), ("endpoint", "http://new/")],
        )
        .unwrap();
    assert_eq!(updated["region"]["name"], "New");
    assert_eq!(updated["region"]["endpoint"], "http://new/");
    let clash = kit
        .call(&admin, "updateRegion", &[("id", "7"), ("name", "Local")])
        .unwrap_err();
    assert_eq!(
        (code(&clash), clash.text.as_str()),
        (431, "Region with name: Local already exists")
    );
    let same = kit
        .call(&admin, "updateRegion", &[("id", "7"), ("name", "New")])
        .unwrap();
    assert_eq!(same["region"]["name"], "New");
    let missing = kit
        .call(&admin, "updateRegion", &[("id", "9"), ("name", "X")])
        .unwrap_err();
    assert_eq!(
        (code(&missing), missing.text.as_str()),
        (431, "Region with id: 9 does not exist")
    );
    let by_name = kit.call(&admin, "listRegions", &[("name", "new")]).unwrap();
    assert_eq!(by_name["region"][0]["id"], 7);
    let by_id = kit.call(&admin, "listRegions", &[("id", "7")]).unwrap();
    assert_eq!(by_id["count"], 1);
    let none = kit.call(&admin, "listRegions", &[("id", "8")]).unwrap();
    assert_eq!(none["count"], 0);
}

/// `RegionManagerImpl.removeRegion`: an unknown id is refused (431).
#[test]
fn remove_region_deletes_a_known_region_only() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    kit.call(
        &admin,
        "addRegion",
        &[("id", "4"), ("name", "Gone"), ("endpoint", "http://gone/")],
    )
    .unwrap();
    let removed = kit.call(&admin, "removeRegion", &[("id", "4")]).unwrap();
    assert_eq!(removed["success"], true);
    let again = kit
        .call(&admin, "removeRegion", &[("id", "4")])
        .unwrap_err();
    assert_eq!(
        (code(&again), again.text.as_str()),
        (431, "Failed to delete Region: 4, Region not found")
    );
    assert_eq!(kit.call(&admin, "listRegions", &[]).unwrap()["count"], 1);
}
