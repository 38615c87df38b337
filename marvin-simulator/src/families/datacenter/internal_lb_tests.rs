//! Internal load balancer elements, as CloudStack's
//! `InternalLoadBalancerElement` manages them.

use serde_json::Value;

use crate::families::testkit::{Kit, code};

fn s(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// Each physical network's InternalLbVm provider has one element, listed
/// apart from the virtual router elements; configuring it enables or
/// disables it; the provider is enabled only once its element is
/// (`configureInternalLoadBalancerElement`, `isReady`).
#[test]
fn internal_lb_elements_gate_their_provider() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let pn = kit.id("physical_network");
    let providers = kit
        .call(
            &admin,
            "listNetworkServiceProviders",
            &[("physicalnetworkid", &pn), ("name", "InternalLbVm")],
        )
        .unwrap();
    let nsp = s(&providers["networkserviceprovider"][0]["id"]).to_string();
    let elements = kit
        .call(
            &admin,
            "listInternalLoadBalancerElements",
            &[("nspid", &nsp)],
        )
        .unwrap();
    assert_eq!(elements["count"], 1);
    let element = s(&elements["internalloadbalancerelement"][0]["id"]).to_string();
    assert_eq!(
        elements["internalloadbalancerelement"][0]["nspid"],
        nsp.as_str()
    );
    let routers = kit
        .call(&admin, "listVirtualRouterElements", &[("nspid", &nsp)])
        .unwrap();
    assert_eq!(routers["count"], 0, "not a virtual router element");

    let disabled = kit
        .call(
            &admin,
            "configureInternalLoadBalancerElement",
            &[("id", &element), ("enabled", "false")],
        )
        .unwrap()["internalloadbalancerelement"]
        .clone();
    assert_eq!(disabled["enabled"], false);
    let err = kit
        .call(
            &admin,
            "updateNetworkServiceProvider",
            &[("id", &nsp), ("state", "Enabled")],
        )
        .unwrap_err();
    assert_eq!(code(&err), 530);
    assert!(err.text.starts_with("Provider is not ready"));
    let enabled = kit
        .call(
            &admin,
            "configureInternalLoadBalancerElement",
            &[("id", &element), ("enabled", "true")],
        )
        .unwrap()["internalloadbalancerelement"]
        .clone();
    assert_eq!(enabled["enabled"], true);
    kit.call(
        &admin,
        "updateNetworkServiceProvider",
        &[("id", &nsp), ("state", "Enabled")],
    )
    .unwrap();
    let listed = kit
        .call(
            &admin,
            "listInternalLoadBalancerElements",
            &[("enabled", "true")],
        )
        .unwrap();
    assert!(
        listed["internalloadbalancerelement"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["id"] == element.as_str())
    );

    let router_nsp = s(&kit
        .call(
            &admin,
            "listNetworkServiceProviders",
            &[("physicalnetworkid", &pn), ("name", "VirtualRouter")],
        )
        .unwrap()["networkserviceprovider"][0]["id"])
    .to_string();
    let router_element = s(&kit
        .call(
            &admin,
            "listVirtualRouterElements",
            &[("nspid", &router_nsp)],
        )
        .unwrap()["virtualrouterelement"][0]["id"])
    .to_string();
    let err = kit
        .call(
            &admin,
            "configureInternalLoadBalancerElement",
            &[("id", &router_element), ("enabled", "true")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text),
        (
            431,
            format!(
                "Can't find InternalLbVm element with network service provider id {router_element} to be used as a provider for InternalLbVm"
            )
        )
    );
}
