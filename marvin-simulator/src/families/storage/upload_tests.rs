//! `uploadVolume`, as CloudStack's `VolumeApiServiceImpl.uploadVolume`
//! validates it (`sanitizeFormat`, `validateVolume`) and registers the
//! download (`persistVolume`, Allocated, then Uploaded).

use crate::families::compute::tests::deploy;
use crate::families::testkit::{Kit, code};

#[test]
fn an_uploaded_volume_is_uploaded_once_downloaded() {
    let mut kit = Kit::new();
    let user = kit.account("uploader", 0, None);
    let zone = kit.id("zone");
    let answer = kit
        .call(
            &user,
            "uploadVolume",
            &[
                ("name", "imported"),
                ("format", "qcow2"),
                ("url", "http://images.example/disk.qcow2"),
                ("zoneid", &zone),
            ],
        )
        .unwrap();
    let volume = &answer["volume"];
    assert_eq!(volume["state"], "Uploaded");
    assert_eq!(volume["type"], "DATADISK");
    assert_eq!(volume["name"], "imported");
    assert_eq!(volume["zoneid"], zone.as_str());
    assert!(volume["diskofferingid"].is_string(), "{volume}");
    let id = volume["id"].as_str().unwrap().to_string();
    let listed = kit.call(&user, "listVolumes", &[("id", &id)]).unwrap();
    assert_eq!(listed["volume"][0]["state"], "Uploaded");
    // Attaching copies it to primary storage (validAttachStates).
    let vm = deploy(&mut kit, &user, &[]).unwrap();
    let vm_id = vm["id"].as_str().unwrap().to_string();
    let attached = kit
        .call(
            &user,
            "attachVolume",
            &[("id", &id), ("virtualmachineid", &vm_id)],
        )
        .unwrap();
    assert_eq!(attached["volume"]["state"], "Ready");
    assert_eq!(attached["volume"]["virtualmachineid"], vm_id.as_str());
}

#[test]
fn an_upload_is_refused_for_its_format_url_and_offering() {
    let mut kit = Kit::new();
    let user = kit.account("uploader", 0, None);
    let zone = kit.id("zone");
    let small = kit.id("disk_offering_small");
    let upload = |kit: &mut Kit, extra: &[(&str, &str)]| {
        let mut params = vec![
            ("name", "imported"),
            ("format", "qcow2"),
            ("url", "http://images.example/disk.qcow2"),
            ("zoneid", zone.as_str()),
        ];
        params.extend_from_slice(extra);
        kit.call(&user, "uploadVolume", &params).unwrap_err()
    };
    let err = upload(&mut kit, &[("format", "exe")]);
    assert_eq!(code(&err), 431);
    assert!(
        err.text
            .starts_with("Image format: exe is incorrect. Supported formats are "),
        "{}",
        err.text
    );
    let err = upload(&mut kit, &[("url", "file:///tmp/disk.qcow2")]);
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "File:// type urls are currently unsupported")
    );
    let err = upload(&mut kit, &[("url", "http://images.example/disk.vhd")]);
    assert_eq!(code(&err), 431);
    assert!(
        err.text.starts_with("Please specify a valid URL."),
        "{}",
        err.text
    );
    let err = upload(&mut kit, &[("diskofferingid", &small)]);
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Please specify a custom sized disk offering.")
    );
    assert_eq!(
        kit.count("SELECT count(*) FROM volumes WHERE name = ?1", "imported"),
        0
    );
}
