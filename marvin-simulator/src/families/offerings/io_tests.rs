//! Disk I/O throttling on compute and disk offerings, as
//! `ConfigurationManagerImpl.createServiceOffering`/`createDiskOffering`
//! keep and check it.

use crate::families::testkit::{Kit, code};

const RATES: [(&str, &str); 4] = [
    ("bytesreadrate", "1000"),
    ("bytesreadratemax", "2000"),
    ("bytesreadratemaxlength", "60"),
    ("iopswriterate", "50"),
];

#[test]
fn offerings_keep_and_show_their_io_rates() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let mut params = vec![
        ("name", "throttled"),
        ("displaytext", "throttled"),
        ("cpunumber", "1"),
        ("cpuspeed", "100"),
        ("memory", "128"),
        // Zero means "not set": CloudStack keeps only rates above zero.
        ("iopsreadrate", "0"),
    ];
    params.extend(RATES);
    let made = kit.call(&admin, "createServiceOffering", &params).unwrap();
    let so = &made["serviceoffering"];
    assert_eq!(so["diskBytesReadRate"], 1000);
    assert_eq!(so["diskBytesReadRateMax"], 2000);
    assert_eq!(so["diskBytesReadRateMaxLength"], 60);
    assert_eq!(so["diskIopsWriteRate"], 50);
    assert!(so.get("diskIopsReadRate").is_none(), "{so}");
    assert!(so.get("diskBytesWriteRate").is_none(), "{so}");
    let listed = kit
        .call(
            &admin,
            "listServiceOfferings",
            &[("id", so["id"].as_str().unwrap())],
        )
        .unwrap();
    assert_eq!(listed["serviceoffering"][0]["diskIopsWriteRate"], 50);

    let mut params = vec![("name", "slow"), ("displaytext", "slow"), ("disksize", "1")];
    params.extend(RATES);
    let made = kit.call(&admin, "createDiskOffering", &params).unwrap();
    let disk = &made["diskoffering"];
    assert_eq!(disk["diskBytesReadRateMax"], 2000);
    assert_eq!(disk["diskIopsWriteRate"], 50);
    let listed = kit
        .call(
            &admin,
            "listDiskOfferings",
            &[("id", disk["id"].as_str().unwrap())],
        )
        .unwrap();
    assert_eq!(listed["diskoffering"][0]["diskBytesReadRate"], 1000);
}

#[test]
fn a_maximum_below_its_rate_is_refused() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let err = kit
        .call(
            &admin,
            "createDiskOffering",
            &[
                ("name", "bad"),
                ("displaytext", "bad"),
                ("disksize", "1"),
                ("iopsreadrate", "100"),
                ("iopsreadratemax", "50"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (
            431,
            "IOPS Read rate (100) cannot be greater than IOPS Read maximum rate (50)"
        )
    );
    let err = kit
        .call(
            &admin,
            "createServiceOffering",
            &[
                ("name", "bad"),
                ("displaytext", "bad"),
                ("cpunumber", "1"),
                ("cpuspeed", "100"),
                ("memory", "128"),
                ("byteswriterate", "10"),
                ("byteswriteratemax", "9"),
            ],
        )
        .unwrap_err();
    assert_eq!(
        err.text,
        "Bytes Write rate (10) cannot be greater than Bytes Write maximum rate (9)"
    );
}
