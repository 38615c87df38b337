//! Public IP allocation and release.

use super::*;
use crate::kernel::contract::Reply;

#[test]
fn public_ips_are_unique_until_the_range_is_exhausted() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let net = network_id(&mut kit, &admin, "big");
    let mut seen = HashSet::new();
    let err = loop {
        match associate(&mut kit, &admin, &net) {
            Ok(ip) => assert!(
                seen.insert(s(&ip["ipaddress"]).to_string()),
                "duplicate {}",
                ip["ipaddress"]
            ),
            Err(err) => break err,
        }
        assert!(seen.len() <= 253, "more addresses than the range holds");
    };
    assert_eq!(seen.len(), 253);
    assert_eq!(code(&err), 533);
    assert_eq!(err.text, "Insufficient address capacity");
    let listed = list(
        &mut kit,
        &admin,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("associatednetworkid", &net), ("pagesize", "-1")],
    );
    assert_eq!(listed.len(), 253);
}

#[test]
fn the_first_ip_of_an_unused_network_becomes_its_source_nat() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let first = associate(&mut kit, &alice, &net).unwrap();
    assert_eq!(first["issourcenat"], true);
    assert_eq!(first["state"], "Allocating");
    assert_eq!(first["associatednetworkid"], net.as_str());
    let second = associate(&mut kit, &alice, &net).unwrap();
    assert_eq!(second["issourcenat"], false);
    // Before the network is implemented even the source NAT IP may go.
    kit.call(&alice, "disassociateIpAddress", &[("id", s(&first["id"]))])
        .unwrap();
    vm_on(&mut kit, &alice, &net, "Running");
    let source_nat = list(
        &mut kit,
        &alice,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("issourcenat", "true"), ("associatednetworkid", &net)],
    );
    assert_eq!(source_nat.len(), 1);
    assert_eq!(source_nat[0]["state"], "Allocated");
    // Once it is implemented, `NetworkServiceImpl.releaseIpAddressInternal`
    // refuses in the job with an `IllegalArgumentException`: the request is
    // accepted and the job fails with 530 (`ApiAsyncJobDispatcher.runJob`).
    let release = [("id", s(&source_nat[0]["id"]))];
    assert!(matches!(
        kit.submit(&alice, "disassociateIpAddress", &release),
        Ok(Reply::Job(_))
    ));
    let err = kit
        .call(&alice, "disassociateIpAddress", &release)
        .unwrap_err();
    assert_eq!((code(&err), err.job_code().as_u16()), (530, 530));
    assert_eq!(
        err.text,
        "IP address is used for source nat purposes and can not be disassociated."
    );

    kit.call(&alice, "disassociateIpAddress", &[("id", s(&second["id"]))])
        .unwrap();
    let free = list(
        &mut kit,
        &alice,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("id", s(&second["id"])), ("allocatedonly", "false")],
    );
    assert_eq!(free[0]["state"], "Free");
    assert!(free[0].get("account").is_none());
}

#[test]
fn zone_only_association_needs_exactly_one_isolated_network() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let zone = kit.id("zone");
    let err = kit
        .call(&alice, "associateIpAddress", &[("zoneid", &zone)])
        .unwrap_err();
    assert_eq!(code(&err), 431);
    assert_eq!(
        err.text,
        "Account name=alice domain=ROOT doesn't have virtual networks in zone=Sandbox-simulator"
    );
    let net = network_id(&mut kit, &alice, "net");
    let ip = kit
        .call(&alice, "associateIpAddress", &[("zoneid", &zone)])
        .unwrap();
    assert_eq!(ip["ipaddress"]["associatednetworkid"], net.as_str());
}

#[test]
fn public_ip_limit_is_535() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let mut allocated = 0;
    let err = loop {
        match associate(&mut kit, &alice, &net) {
            Ok(_) => allocated += 1,
            Err(err) => break err,
        }
        assert!(allocated <= 20, "the default limit is 20");
    };
    assert_eq!(allocated, 20);
    assert_eq!(code(&err), 535);
    assert_eq!(
        err.text,
        format!(
            "Maximum number of resources of type 'public_ip' for account name=alice in domain id={} has been exceeded.",
            alice.domain_id
        )
    );
    let ip = list(
        &mut kit,
        &alice,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("issourcenat", "false")],
    )[0]["id"]
        .clone();
    kit.call(&alice, "disassociateIpAddress", &[("id", s(&ip))])
        .unwrap();
    associate(&mut kit, &alice, &net).unwrap();
}
