//! List scopes by `id`: an admin naming another account's object finds it
//! without `listall` (AccountManagerImpl.buildACLSearchParameters adds the
//! caller's own account only when no `id` is given).

use super::*;

#[test]
fn admins_find_another_accounts_objects_by_id_without_listall() {
    let mut kit = Kit::new();
    let root = kit.admin();
    let domain = kit.call(&root, "createDomain", &[("name", "d1")]).unwrap()["domain"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let alice = kit.account("alice", 0, Some(&domain));
    let dadmin = kit.account("dadmin", 2, Some(&domain));
    let bob = kit.account("bob", 0, None);
    let network = network_id(&mut kit, &alice, "n1");
    let (vm, _) = vm_on(&mut kit, &alice, &network, "Running");
    let ip = ip_id(&mut kit, &alice, &network);
    let rule = pf(&mut kit, &alice, &ip, &vm, "tcp", "22").unwrap();
    let rule = s(&rule["id"]).to_string();
    let router = list(
        &mut kit,
        &root,
        "listRouters",
        "router",
        &[("networkid", &network), ("listall", "true")],
    );
    let router = s(&router[0]["id"]).to_string();
    let (zone, os) = (kit.id("zone"), kit.id("ostype_centos"));
    let template = kit
        .call(
            &alice,
            "registerTemplate",
            &[
                ("name", "mine"),
                ("displaytext", "mine"),
                ("url", "http://images.example.com/tiny.vhd.bz2"),
                ("format", "VHD"),
                ("hypervisor", "Simulator"),
                ("ostypeid", &os),
                ("zoneid", &zone),
            ],
        )
        .unwrap()["template"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let cases = [
        ("listRouters", "router", router.as_str()),
        (
            "listPortForwardingRules",
            "portforwardingrule",
            rule.as_str(),
        ),
        ("listPublicIpAddresses", "publicipaddress", ip.as_str()),
    ];
    for (command, key, id) in cases {
        // Root admin and the owner's domain admin: found by id alone.
        for who in [&root, &dadmin] {
            let found = list(&mut kit, who, command, key, &[("id", id)]);
            assert_eq!(found.len(), 1, "{command} as {}", who.account_name);
            // Without `id`, only the caller's own account: not alice's.
            let mine = list(&mut kit, who, command, key, &[]);
            assert!(
                mine.iter().all(|o| s(&o["id"]) != id),
                "{command} without id as {}",
                who.account_name
            );
        }
        // A user of another account: an empty list, no refusal.
        assert!(list(&mut kit, &bob, command, key, &[("id", id)]).is_empty());
    }
    // A domain admin does not reach outside their subtree by id.
    let bob_net = network_id(&mut kit, &bob, "bn");
    let bob_ip = ip_id(&mut kit, &bob, &bob_net);
    assert!(
        list(
            &mut kit,
            &dadmin,
            "listPublicIpAddresses",
            "publicipaddress",
            &[("id", &bob_ip)]
        )
        .is_empty()
    );
    for who in [&root, &dadmin] {
        let found = list(
            &mut kit,
            who,
            "listTemplates",
            "template",
            &[("templatefilter", "self"), ("id", &template)],
        );
        assert_eq!(found.len(), 1, "listTemplates as {}", who.account_name);
    }
    assert!(
        list(
            &mut kit,
            &bob,
            "listTemplates",
            "template",
            &[("templatefilter", "self"), ("id", &template)]
        )
        .is_empty()
    );
}
