//! The guest OS list is CloudStack's: its categories and the types of
//! `setup/db/templates.sql` (`guest_os`, `guest_os_category`), in id order.

use crate::families::testkit::Kit;

#[test]
fn os_types_are_the_servers_guest_os_list() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let all = kit
        .call(&admin, "listOsTypes", &[("pagesize", "500")])
        .unwrap();
    let count = all["count"].as_u64().unwrap();
    assert!(count > 180, "only {count} OS types");
    let types = all["ostype"].as_array().unwrap();
    // guest_os id 1 comes first, as the server lists by id.
    assert_eq!(types[0]["description"], "CentOS 4.5 (32-bit)");
    let category = |name: &str| {
        types
            .iter()
            .find(|t| t["description"] == name)
            .map(|t| t["oscategoryname"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no OS type {name}"))
    };
    assert_eq!(category("Windows Server 2008 R2 (64-bit)"), "Windows");
    assert_eq!(category("Debian GNU/Linux 6(64-bit)"), "Debian");
    // guest_os 138 "None" belongs to the Other category (7), not to None (11).
    assert_eq!(category("None"), "Other");
    assert_eq!(category("Ubuntu 10.04 (64-bit)"), "Ubuntu");
    assert_eq!(category("Sun Solaris 10(64-bit)"), "Unix");
    let categories = kit.call(&admin, "listOsCategories", &[]).unwrap();
    let names: Vec<&str> = categories["oscategory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "CentOS", "Debian", "Oracle", "RedHat", "SUSE", "Windows", "Other", "Novel", "Unix",
            "Ubuntu", "None"
        ]
    );
}
