//! A composite factory declared with `factory!`'s `make` form, the way a
//! test crate declares one: its parts are made (sub-factories first, then
//! the make step), the result keeps them, and the test's cleanup deletes
//! every one.

use marvin_core::cleanup::Managed;
use marvin_entities as entities;
use marvin_factories::*;

use super::harness::Harness;

/// A network reachable on one port: the network, a public address on it
/// and a firewall rule opening the port.
#[derive(Debug)]
pub struct ReachableNetwork {
    network: Part<GuestIsolatedNetwork>,
    ip: Managed<entities::IpAddress>,
    rule: Managed<entities::FirewallRule>,
}

impl AsRef<entities::Network> for ReachableNetwork {
    fn as_ref(&self) -> &entities::Network {
        &self.network
    }
}

factory! {
    /// A [`GuestIsolatedNetwork`] with a public address and a firewall rule
    /// opening `port` on it.
    pub ReachableNetworkFactory / ReachableNetworkBuilder {
        subs {
            /// The network.
            network: GuestIsolatedNetwork,
        }
        fields {
            /// The port opened.
            port: i64 = 22,
        }
        make(ctx) -> ReachableNetwork as entities::Network {
            let network = network.into_part("ReachableNetworkFactory")?;
            let ip = PublicIpAddress::new().network(network.id.as_str()).create(ctx).await?;
            let rule = SshFirewallRule::new()
                .ip(Sub::of(&ip))
                .startport(port)
                .create(ctx)
                .await?;
            ReachableNetwork { network, ip, rule }
        }
    }
}

/// The listings a `ReachableNetworkFactory` adds to.
const LISTINGS: [&str; 3] = ["listNetworks", "listPublicIpAddresses", "listFirewallRules"];

async fn sizes(h: &Harness) -> Vec<usize> {
    let mut sizes = Vec::new();
    for listing in LISTINGS {
        sizes.push(h.count(listing, &[]).await);
    }
    sizes
}

#[tokio::test]
async fn a_composite_batch_makes_distinct_parts() {
    let h = Harness::start("factories::composite_batch").await;
    let made = ReachableNetworkFactory::create_batch(&h.ctx, 3)
        .await
        .unwrap();
    let mut networks: Vec<&str> = made.iter().map(|m| m.network.id.as_str()).collect();
    networks.sort_unstable();
    networks.dedup();
    assert_eq!(networks.len(), 3);
    assert!(made.iter().all(|m| m.rule.startport == Some(22)));
    drop(made);
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.deleted.len(), 9, "{report}");
}

#[tokio::test]
async fn a_composite_keeps_its_parts_and_cleanup_deletes_them_all() {
    let h = Harness::start("factories::composite_declared").await;
    let before = sizes(&h).await;
    let made = ReachableNetworkFactory::new()
        .port(8022)
        .create(&h.ctx)
        .await
        .unwrap();

    assert!(made.network.is_made());
    assert_eq!(made.as_ref().id, made.network.id);
    assert_eq!(
        made.ip.associatednetworkid.as_deref(),
        Some(made.network.id.as_str())
    );
    assert_eq!(made.rule.ipaddressid.as_deref(), Some(made.ip.id.as_str()));
    assert_eq!(made.rule.startport, Some(8022));
    let calls = h.calls();
    let network_at = calls.iter().position(|c| c == "createNetwork").unwrap();
    let ip_at = calls
        .iter()
        .position(|c| c == "associateIpAddress")
        .unwrap();
    let rule_at = calls
        .iter()
        .position(|c| c == "createFirewallRule")
        .unwrap();
    assert!(network_at < ip_at && ip_at < rule_at, "{calls:?}");
    assert_eq!(
        sizes(&h).await,
        before.iter().map(|n| n + 1).collect::<Vec<_>>()
    );

    let (network, ip, rule) = (
        made.network.id.clone(),
        made.ip.id.clone(),
        made.rule.id.clone(),
    );
    drop(made);
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
    let deleted: Vec<&str> = report.deleted.iter().map(|d| d.id.as_str()).collect();
    for id in [&network, &ip, &rule] {
        assert!(deleted.contains(&id.as_str()), "{id} in {deleted:?}");
    }
    assert_eq!(sizes(&h).await, before, "every part is gone again");
}

#[tokio::test]
async fn a_composite_made_for_an_owner_gives_it_every_part() {
    let h = Harness::start("factories::composite_owner").await;
    let account = UserAccount::create(&h.ctx).await.unwrap();
    // A batch for an owner: the owner's context is made once and shared.
    let made = ReachableNetworkFactory::new()
        .owner(&account)
        .create_batch(&h.ctx, 2)
        .await
        .unwrap();
    assert_eq!(made.len(), 2);
    assert_ne!(made[0].network.id, made[1].network.id);
    for part in &made {
        assert_eq!(part.network.account, account.name);
        assert_eq!(part.ip.account, account.name);
    }
    drop((made, account));
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
}

#[tokio::test]
async fn a_part_given_by_id_alone_is_a_clear_setup_error() {
    let h = Harness::start("factories::composite_by_id").await;
    let network = GuestIsolatedNetwork::create(&h.ctx).await.unwrap();
    let error = ReachableNetworkFactory::new()
        .network(network.id.as_str())
        .create(&h.ctx)
        .await
        .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("ReachableNetworkFactory") && message.contains("Sub::of"),
        "{message}"
    );
    // The entity itself is kept as a given part, and not deleted with the
    // composite.
    let made = ReachableNetworkFactory::new()
        .network(Sub::of(&network))
        .create(&h.ctx)
        .await
        .unwrap();
    assert!(!made.network.is_made());
    assert_eq!(made.network.id, network.id);
    drop((made, network));
    let report = h.cleanup().await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(h.count("listNetworks", &[]).await, 0);
}

#[test]
fn a_composite_builder_names_its_overrides_and_builds_no_request() {
    let builder = ReachableNetworkFactory::new().port(80);
    let shown = format!("{builder:?}");
    assert!(
        shown.contains("port") && !shown.contains("request_hooks"),
        "{shown}"
    );
    assert_eq!(<ReachableNetworkFactory as Factory>::build(), NoRequest);
}
