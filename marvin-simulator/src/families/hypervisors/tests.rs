use crate::families::testkit::{Kit, code};

#[test]
fn a_zone_lists_the_hypervisors_of_its_clusters_and_no_zone_every_supported_one() {
    let mut kit = Kit::new();
    let user = kit.account("hv-user", 0, None);
    let zone = kit.id("zone");
    let answer = kit
        .call(&user, "listHypervisors", &[("zoneid", zone.as_str())])
        .expect("listHypervisors of the zone");
    assert_eq!(answer["count"], 1);
    assert_eq!(answer["hypervisor"][0]["name"], "Simulator");

    let all = kit
        .call(&user, "listHypervisors", &[])
        .expect("listHypervisors");
    let names: Vec<&str> = all["hypervisor"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["name"].as_str())
        .collect();
    assert!(
        names.contains(&"KVM") && names.contains(&"Simulator"),
        "{names:?}"
    );
    assert_eq!(all["count"], names.len());

    let unknown = kit
        .call(
            &user,
            "listHypervisors",
            &[("zoneid", "8f0c7a52-0000-4000-8000-000000000000")],
        )
        .unwrap_err();
    assert_eq!(code(&unknown), 431);
}
