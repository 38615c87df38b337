//! `build`: the requests factories make, without a cloud.

use marvin_entities::commands;
use marvin_factories::*;

#[test]
fn defaults_fill_every_required_field() {
    let request = UserAccount::build();
    assert!(
        request.username.starts_with("user-"),
        "{}",
        request.username
    );
    assert!(!request.firstname.is_empty() && !request.lastname.is_empty());
    assert!(request.password.expose().len() >= 12);
    assert_eq!(request.options.accounttype, Some(0));
    let other = UserAccount::build();
    assert_ne!(request.username, other.username, "sequences never repeat");
}

#[test]
fn overrides_win_and_lazy_attributes_follow_them() {
    let request = UserAccount::new()
        .username("alice")
        .firstname("Ada")
        .lastname("Lovelace")
        .build();
    assert_eq!(request.username, "alice");
    assert_eq!(request.email, "ada.lovelace@example.com");
    let request = UserAccount::new().firstname("Ada").email("a@b.c").build();
    assert_eq!(
        request.email, "a@b.c",
        "an overridden lazy attribute is kept"
    );

    let network = SharedNetwork::new().subnet("10.200.3").build();
    assert_eq!(network.options.gateway.as_deref(), Some("10.200.3.1"));
    assert_eq!(network.options.startip.as_deref(), Some("10.200.3.10"));
    let rule = SshFirewallRule::new().startport(8080).build();
    assert_eq!(
        (rule.options.startport, rule.options.endport),
        (Some(8080), Some(8080))
    );
}

#[test]
fn variants_inherit_without_repeating_fields() {
    assert_eq!(AdminAccount::build().options.accounttype, Some(1));
    assert_eq!(DomainAdminAccount::build().options.accounttype, Some(2));
    assert_eq!(
        AdminAccount::new()
            .accounttype(0)
            .build()
            .options
            .accounttype,
        Some(0),
        "a variant's preset is an override like any other"
    );
    assert_eq!(BasicZone::build().networktype, "Basic");
    assert_eq!(BasicZone::build().options.guestcidraddress, None);
    assert_eq!(AdvancedZone::build().dns1, "8.8.8.8");
    assert_eq!(
        LocalDiskOffering::build().options.storagetype.as_deref(),
        Some("local")
    );
    assert_eq!(SharedDiskOffering::build().options.disksize, Some(10));
    assert_eq!(HttpFirewallRule::build().options.startport, Some(80));
    let shared = DefaultSharedNetworkOfferingWithSGService::build();
    assert_eq!(shared.guestiptype, "Shared");
    assert!(
        shared
            .options
            .supportedservices
            .unwrap_or_default()
            .contains(&"SecurityGroup".to_string())
    );
    assert_eq!(
        DefaultIsolatedNetworkOfferingForVpc::build().options.forvpc,
        Some(true)
    );
}

#[test]
fn sub_factory_ids_come_from_the_cloud_unless_given() {
    let network = GuestIsolatedNetwork::build();
    assert_eq!(
        network.networkofferingid, "",
        "made by create, unknown to build"
    );
    let network = GuestIsolatedNetwork::new()
        .offering("offering-1")
        .zone("zone-1")
        .build();
    assert_eq!(
        (network.networkofferingid.as_str(), network.zoneid.as_str()),
        ("offering-1", "zone-1")
    );
    let vm = VirtualMachineFactory::new().network("net-1").build();
    assert_eq!(vm.options.networkids, Some(vec!["net-1".to_string()]));
    assert_eq!(VirtualMachineFactory::build().options.networkids, None);
    let tier = DefaultVpcNetwork::new().vpc("vpc-1").build();
    assert_eq!(tier.options.vpcid.as_deref(), Some("vpc-1"));
    assert_eq!(tier.options.gateway.as_deref(), Some("10.0.0.1"));
}

#[test]
fn an_existing_entity_flows_into_lazy_attributes() {
    let account: marvin_entities::Account =
        marvin_entities::Decode::from_value(serde_json::json!({
            "id": "a-1", "name": "team", "domainid": "d-1"
        }));
    let user = UserFactory::new().account(Sub::of(&account)).build();
    assert_eq!(user.account, "team");
    assert_eq!(user.options.domainid.as_deref(), Some("d-1"));
}

#[test]
fn request_hooks_set_anything_else() {
    let request = UserAccount::new()
        .with_request(|r: &mut commands::CreateAccount| r.options.timezone = Some("UTC".into()))
        .build();
    assert_eq!(request.options.timezone.as_deref(), Some("UTC"));
}

#[test]
fn builders_do_not_show_secrets() {
    let builder = UserAccount::new()
        .password("hunter2-secret")
        .username("bob");
    let shown = format!("{builder:?}");
    assert!(!shown.contains("hunter2"), "{shown}");
    assert!(
        shown.contains("password") && shown.contains("username"),
        "{shown}"
    );
    let request = UserAccount::new().password("hunter2-secret").build();
    assert!(!format!("{request:?}").contains("hunter2"));
}
