//! Networking: guest networks and NICs, public IPs, firewall / port
//! forwarding / static NAT / load balancer rules, security groups, VPCs
//! with their ACLs, private gateways and static routes, virtual routers and
//! VPNs (cloudstack-semantics.md §4).
//!
//! The compute family reaches this one only through [`api`], which also
//! says what each side owns. Public IP addresses are the datacenter
//! family's `public_ips` rows; this family allocates and releases them.
//! The seed adds the two default network ACL lists (`default_allow`,
//! `default_deny`); it has no seed ids.

pub(crate) mod api;

mod acl;
mod firewall;
mod gateways;
mod ips;
mod loadbalancer;
mod networks;
mod nics;
mod portforward;
mod routers;
mod rules;
mod securitygroups;
mod staticnat;
mod store;
mod vpc;
mod vpn;

#[cfg(test)]
mod tests;

use crate::kernel::caller::RoleSet;
use crate::kernel::contract::{Command, Family, Handler, Seed};
use crate::kernel::error::ApiError;

/// The network family.
#[derive(Debug)]
pub struct Network;

impl Family for Network {
    fn name(&self) -> &'static str {
        "network"
    }

    fn schema(&self) -> &'static str {
        include_str!("schema.sql")
    }

    fn commands(&self) -> &'static [Command] {
        COMMANDS
    }

    fn seed(&self, seed: &mut Seed<'_>) -> Result<(), ApiError> {
        acl::seed(seed)
    }
}

const fn all(name: &'static str, doc: &'static str, run: Handler) -> Command {
    Command {
        name,
        roles: RoleSet::ALL,
        doc,
        run,
    }
}

const fn admins(name: &'static str, doc: &'static str, run: Handler) -> Command {
    Command {
        name,
        roles: RoleSet::ADMINS,
        doc,
        run,
    }
}

const COMMANDS: &[Command] = &[
    // Networks
    all(
        "createNetwork",
        "Creates an isolated, shared or L2 guest network, or a tier of a VPC.",
        networks::create,
    ),
    all(
        "updateNetwork",
        "Renames a network or changes its network domain, DNS or offering.",
        networks::update,
    ),
    all(
        "restartNetwork",
        "Restarts a network's services; with cleanup its virtual router is replaced.",
        networks::restart,
    ),
    all(
        "deleteNetwork",
        "Deletes a network that no virtual machine uses any more, with its rules and addresses.",
        networks::delete,
    ),
    all(
        "listNetworks",
        "Lists the guest networks the caller may use.",
        networks::list,
    ),
    // Public IPs
    all(
        "associateIpAddress",
        "Acquires a free public IP address for a network, a VPC or the owner's network in a zone.",
        ips::associate,
    ),
    all(
        "disassociateIpAddress",
        "Releases a public IP address and the rules on it back to the pool.",
        ips::disassociate,
    ),
    all(
        "listPublicIpAddresses",
        "Lists public IP addresses, allocated ones unless asked otherwise.",
        ips::list,
    ),
    // Firewall
    all(
        "createFirewallRule",
        "Opens ports of a public IP address to source CIDRs.",
        firewall::create,
    ),
    all(
        "deleteFirewallRule",
        "Closes an ingress firewall rule.",
        firewall::delete,
    ),
    all(
        "listFirewallRules",
        "Lists ingress firewall rules.",
        firewall::list,
    ),
    all(
        "createEgressFirewallRule",
        "Allows or blocks outgoing traffic of an isolated network.",
        firewall::create_egress,
    ),
    all(
        "deleteEgressFirewallRule",
        "Removes an egress firewall rule.",
        firewall::delete_egress,
    ),
    all(
        "listEgressFirewallRules",
        "Lists egress firewall rules.",
        firewall::list_egress,
    ),
    // Port forwarding and static NAT
    all(
        "createPortForwardingRule",
        "Forwards ports of a public IP address to a virtual machine.",
        portforward::create,
    ),
    all(
        "deletePortForwardingRule",
        "Removes a port forwarding rule.",
        portforward::delete,
    ),
    all(
        "listPortForwardingRules",
        "Lists port forwarding rules.",
        portforward::list,
    ),
    all(
        "enableStaticNat",
        "Maps a public IP address one to one to a virtual machine.",
        staticnat::enable,
    ),
    all(
        "disableStaticNat",
        "Removes the static NAT of a public IP address.",
        staticnat::disable,
    ),
    // Load balancing
    all(
        "createLoadBalancerRule",
        "Balances a public port of an IP address over virtual machines.",
        loadbalancer::create,
    ),
    all(
        "updateLoadBalancerRule",
        "Renames a load balancer rule or changes its algorithm.",
        loadbalancer::update,
    ),
    all(
        "deleteLoadBalancerRule",
        "Removes a load balancer rule.",
        loadbalancer::delete,
    ),
    all(
        "assignToLoadBalancerRule",
        "Adds virtual machines to a load balancer rule.",
        loadbalancer::assign,
    ),
    all(
        "removeFromLoadBalancerRule",
        "Takes virtual machines out of a load balancer rule.",
        loadbalancer::remove,
    ),
    all(
        "listLoadBalancerRules",
        "Lists load balancer rules.",
        loadbalancer::list,
    ),
    all(
        "listLoadBalancerRuleInstances",
        "Lists the virtual machines of a load balancer rule, or those that could be added.",
        loadbalancer::list_instances,
    ),
    all(
        "createLBStickinessPolicy",
        "Adds a session stickiness policy to a load balancer rule.",
        loadbalancer::create_stickiness,
    ),
    all(
        "deleteLBStickinessPolicy",
        "Removes a stickiness policy.",
        loadbalancer::delete_stickiness,
    ),
    all(
        "listLBStickinessPolicies",
        "Lists the stickiness policies of a load balancer rule.",
        loadbalancer::list_stickiness,
    ),
    all(
        "createLBHealthCheckPolicy",
        "Adds a health check to a load balancer rule.",
        loadbalancer::create_healthcheck,
    ),
    all(
        "deleteLBHealthCheckPolicy",
        "Removes a health check policy.",
        loadbalancer::delete_healthcheck,
    ),
    all(
        "listLBHealthCheckPolicies",
        "Lists the health check policies of a load balancer rule.",
        loadbalancer::list_healthcheck,
    ),
    // Security groups
    all(
        "createSecurityGroup",
        "Creates an empty security group.",
        securitygroups::create,
    ),
    all(
        "deleteSecurityGroup",
        "Deletes a security group no virtual machine uses; the default group stays.",
        securitygroups::delete,
    ),
    all(
        "authorizeSecurityGroupIngress",
        "Allows incoming traffic from CIDRs or other groups into a security group.",
        securitygroups::authorize_ingress,
    ),
    all(
        "authorizeSecurityGroupEgress",
        "Allows outgoing traffic to CIDRs or other groups from a security group.",
        securitygroups::authorize_egress,
    ),
    all(
        "revokeSecurityGroupIngress",
        "Removes an ingress rule of a security group.",
        securitygroups::revoke_ingress,
    ),
    all(
        "revokeSecurityGroupEgress",
        "Removes an egress rule of a security group.",
        securitygroups::revoke_egress,
    ),
    all(
        "listSecurityGroups",
        "Lists security groups with their rules.",
        securitygroups::list,
    ),
    // VPC
    all(
        "createVPC",
        "Creates a VPC with its virtual router and source NAT address.",
        vpc::create,
    ),
    all(
        "updateVPC",
        "Renames a VPC or changes its display text.",
        vpc::update,
    ),
    all(
        "restartVPC",
        "Restarts a VPC; with cleanup its virtual router is replaced.",
        vpc::restart,
    ),
    all(
        "deleteVPC",
        "Deletes a VPC that has no tiers left.",
        vpc::delete,
    ),
    all("listVPCs", "Lists VPCs with their tiers.", vpc::list),
    all(
        "createNetworkACLList",
        "Creates an empty network ACL list in a VPC.",
        acl::create_list,
    ),
    all(
        "deleteNetworkACLList",
        "Deletes a network ACL list no tier or gateway uses.",
        acl::delete_list,
    ),
    all(
        "listNetworkACLLists",
        "Lists network ACL lists, the default ones included.",
        acl::list_lists,
    ),
    all(
        "replaceNetworkACLList",
        "Makes a VPC tier or private gateway use another ACL list.",
        acl::replace,
    ),
    all(
        "createNetworkACL",
        "Adds a numbered item to a network ACL list.",
        acl::create_item,
    ),
    all(
        "updateNetworkACLItem",
        "Changes a network ACL item.",
        acl::update_item,
    ),
    all(
        "deleteNetworkACL",
        "Removes a network ACL item.",
        acl::delete_item,
    ),
    all(
        "listNetworkACLs",
        "Lists network ACL items.",
        acl::list_items,
    ),
    all(
        "createPrivateGateway",
        "Adds a private gateway to a VPC on a VLAN.",
        gateways::create,
    ),
    all(
        "deletePrivateGateway",
        "Removes a private gateway that no static route uses.",
        gateways::delete,
    ),
    all(
        "listPrivateGateways",
        "Lists the private gateways of VPCs.",
        gateways::list,
    ),
    all(
        "createStaticRoute",
        "Routes a CIDR outside a VPC through one of its private gateways.",
        gateways::create_route,
    ),
    all(
        "deleteStaticRoute",
        "Removes a static route.",
        gateways::delete_route,
    ),
    all(
        "listStaticRoutes",
        "Lists the static routes of VPCs.",
        gateways::list_routes,
    ),
    // Routers
    admins(
        "listRouters",
        "Lists the virtual routers of networks and VPCs.",
        routers::list,
    ),
    admins(
        "startRouter",
        "Starts a stopped virtual router.",
        routers::start,
    ),
    admins("stopRouter", "Stops a virtual router.", routers::stop),
    admins(
        "rebootRouter",
        "Reboots a running virtual router.",
        routers::reboot,
    ),
    admins(
        "destroyRouter",
        "Destroys a virtual router.",
        routers::destroy,
    ),
    // VPN
    all(
        "createRemoteAccessVpn",
        "Enables remote access VPN on a public IP address.",
        vpn::create_remote,
    ),
    all(
        "deleteRemoteAccessVpn",
        "Disables the remote access VPN of a public IP address.",
        vpn::delete_remote,
    ),
    all(
        "listRemoteAccessVpns",
        "Lists remote access VPNs.",
        vpn::list_remote,
    ),
    all(
        "addVpnUser",
        "Adds a remote access VPN user to an account.",
        vpn::add_user,
    ),
    all(
        "removeVpnUser",
        "Removes a remote access VPN user.",
        vpn::remove_user,
    ),
    all(
        "listVpnUsers",
        "Lists remote access VPN users.",
        vpn::list_users,
    ),
    all(
        "createVpnGateway",
        "Creates the site-to-site VPN gateway of a VPC.",
        vpn::create_gateway,
    ),
    all(
        "deleteVpnGateway",
        "Deletes a site-to-site VPN gateway.",
        vpn::delete_gateway,
    ),
    all(
        "listVpnGateways",
        "Lists site-to-site VPN gateways.",
        vpn::list_gateways,
    ),
    all(
        "createVpnCustomerGateway",
        "Describes the remote end of site-to-site VPN connections.",
        vpn::create_customer_gateway,
    ),
    all(
        "deleteVpnCustomerGateway",
        "Deletes a customer gateway no connection uses.",
        vpn::delete_customer_gateway,
    ),
    all(
        "listVpnCustomerGateways",
        "Lists customer gateways.",
        vpn::list_customer_gateways,
    ),
    all(
        "createVpnConnection",
        "Connects a VPC's VPN gateway to a customer gateway.",
        vpn::create_connection,
    ),
    all(
        "deleteVpnConnection",
        "Removes a site-to-site VPN connection.",
        vpn::delete_connection,
    ),
    all(
        "listVpnConnections",
        "Lists site-to-site VPN connections.",
        vpn::list_connections,
    ),
];
