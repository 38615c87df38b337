//! Remote access and site-to-site VPNs.

use super::*;

#[test]
fn remote_access_vpn_and_users() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let net = network_id(&mut kit, &alice, "net");
    let err = kit
        .call(
            &alice,
            "addVpnUser",
            &[("username", "carol"), ("password", "secret1")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (530, "Failed to add vpn user")
    );
    assert!(
        list(&mut kit, &alice, "listVpnUsers", "vpnuser", &[]).is_empty(),
        "the job's failure rolls the user back"
    );

    vm_on(&mut kit, &alice, &net, "Running");
    let source_nat = list(
        &mut kit,
        &alice,
        "listPublicIpAddresses",
        "publicipaddress",
        &[("issourcenat", "true")],
    )[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let vpn = kit
        .call(
            &alice,
            "createRemoteAccessVpn",
            &[("publicipid", &source_nat)],
        )
        .unwrap()["remoteaccessvpn"]
        .clone();
    assert_eq!(vpn["state"], "Running");
    assert_eq!(vpn["iprange"], "10.1.2.2-10.1.2.8");
    assert_eq!(s(&vpn["presharedkey"]).len(), 24);
    let err = kit
        .call(
            &alice,
            "createRemoteAccessVpn",
            &[("publicipid", &source_nat)],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    // The VPN holds UDP 500: a port forwarding of udp/500 conflicts.
    let (vm, _) = vm_on(&mut kit, &alice, &net, "Running");
    assert_eq!(
        code(&pf(&mut kit, &alice, &source_nat, &vm, "udp", "500").unwrap_err()),
        537
    );

    let user = kit
        .call(
            &alice,
            "addVpnUser",
            &[("username", "carol"), ("password", "secret1")],
        )
        .unwrap()["vpnuser"]
        .clone();
    assert_eq!(user["state"], "Active");
    assert!(user.get("password").is_none());
    kit.call(&alice, "removeVpnUser", &[("username", "carol")])
        .unwrap();
    assert!(list(&mut kit, &alice, "listVpnUsers", "vpnuser", &[]).is_empty());
    kit.call(
        &alice,
        "deleteRemoteAccessVpn",
        &[("publicipid", &source_nat)],
    )
    .unwrap();
    assert!(
        list(
            &mut kit,
            &alice,
            "listRemoteAccessVpns",
            "remoteaccessvpn",
            &[]
        )
        .is_empty()
    );
    pf(&mut kit, &alice, &source_nat, &vm, "udp", "500").unwrap();
}

#[test]
fn site_to_site_vpn() {
    let mut kit = Kit::new();
    let alice = kit.account("alice", 0, None);
    let v = vpc(&mut kit, &alice, "10.10.0.0/16");
    let vpc_id = s(&v["id"]).to_string();
    let gw = kit
        .call(&alice, "createVpnGateway", &[("vpcid", &vpc_id)])
        .unwrap()["vpngateway"]
        .clone();
    assert_eq!(
        code(
            &kit.call(&alice, "createVpnGateway", &[("vpcid", &vpc_id)])
                .unwrap_err()
        ),
        431
    );
    let customer_params = |cidr: &'static str| {
        [
            ("name", "remote"),
            ("gateway", "203.0.113.10"),
            ("cidrlist", cidr),
            ("ipsecpsk", "shared-secret"),
            ("ikepolicy", "aes128-sha1;modp1536"),
            ("esppolicy", "aes128-sha1"),
        ]
    };
    let overlapping = kit
        .call(
            &alice,
            "createVpnCustomerGateway",
            &customer_params("10.10.5.0/24"),
        )
        .unwrap()["vpncustomergateway"]
        .clone();
    let err = kit
        .call(
            &alice,
            "createVpnConnection",
            &[
                ("s2svpngatewayid", s(&gw["id"])),
                ("s2scustomergatewayid", s(&overlapping["id"])),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 431);
    kit.call(
        &alice,
        "deleteVpnCustomerGateway",
        &[("id", s(&overlapping["id"]))],
    )
    .unwrap();
    let customer = kit
        .call(
            &alice,
            "createVpnCustomerGateway",
            &customer_params("192.168.0.0/24"),
        )
        .unwrap()["vpncustomergateway"]
        .clone();
    let connection = kit
        .call(
            &alice,
            "createVpnConnection",
            &[
                ("s2svpngatewayid", s(&gw["id"])),
                ("s2scustomergatewayid", s(&customer["id"])),
            ],
        )
        .unwrap()["vpnconnection"]
        .clone();
    assert_eq!(connection["state"], "Connected");
    assert_eq!(connection["publicip"], gw["publicip"]);
    assert_eq!(
        code(
            &kit.call(&alice, "deleteVpnGateway", &[("id", s(&gw["id"]))])
                .unwrap_err()
        ),
        431
    );
    kit.call(
        &alice,
        "deleteVpnConnection",
        &[("id", s(&connection["id"]))],
    )
    .unwrap();
    kit.call(&alice, "deleteVpnGateway", &[("id", s(&gw["id"]))])
        .unwrap();
    assert!(list(&mut kit, &alice, "listVpnGateways", "vpngateway", &[]).is_empty());
}
