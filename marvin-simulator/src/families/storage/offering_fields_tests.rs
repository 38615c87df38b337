//! Which offering a volume answers with: a ROOT volume its VM's compute
//! offering, a data volume its disk offering
//! (`VolumeJoinDaoImpl.newVolumeResponse`).

use crate::families::testkit::Kit;

#[test]
fn root_volumes_name_the_compute_offering_and_data_volumes_the_disk_offering() {
    let mut kit = Kit::new();
    let user = kit.account("offered", 0, None);
    let (zone, offering, template, disk) = (
        kit.id("zone"),
        kit.id("service_offering_small"),
        kit.id("template"),
        kit.id("disk_offering_small"),
    );
    let vm = kit
        .call(
            &user,
            "deployVirtualMachine",
            &[
                ("zoneid", &zone),
                ("serviceofferingid", &offering),
                ("templateid", &template),
            ],
        )
        .unwrap();
    let vm_id = vm["virtualmachine"]["id"].as_str().unwrap().to_string();
    let root = kit
        .call(
            &user,
            "listVolumes",
            &[("virtualmachineid", &vm_id), ("type", "ROOT")],
        )
        .unwrap();
    let root = &root["volume"][0];
    assert_eq!(root["serviceofferingid"], offering.as_str());
    assert_eq!(root["serviceofferingname"], "Small Instance");
    assert_eq!(root["serviceofferingdisplaytext"], "Small Instance");
    assert!(root.get("diskofferingid").is_none(), "{root}");

    let data = kit
        .call(
            &user,
            "createVolume",
            &[("name", "d"), ("zoneid", &zone), ("diskofferingid", &disk)],
        )
        .unwrap();
    let data = &data["volume"];
    assert_eq!(data["diskofferingid"], disk.as_str());
    assert_eq!(data["diskofferingname"], "Small");
    assert!(data.get("serviceofferingid").is_none(), "{data}");
}
