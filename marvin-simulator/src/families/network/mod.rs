//! Networking: guest networks and NICs, public IPs, firewall / port
//! forwarding / static NAT / load balancer rules, security groups, VPCs
//! with their ACLs, private gateways and static routes, virtual routers and
//! VPNs (cloudstack-semantics.md §4).
//!
//! The compute family reaches this one only through [`api`], which also
//! says what each side owns. Public IP addresses are this family's
//! `public_ips` rows, one per address of a datacenter range.
//! The seed adds the two default network ACL lists (`default_allow`,
//! `default_deny`); it has no seed ids.

pub(crate) mod api;

mod acl;
mod firewall;
mod gateways;
mod internallb;
mod ipforward;
mod ips;
mod loadbalancer;
mod networks;
mod nicips;
mod nics;
mod pem;
mod portforward;
mod routers;
mod rules;
mod securitygroups;
mod sslcerts;
mod staticnat;
mod store;
mod vpc;
mod vpn;

#[cfg(test)]
mod tests;

use crate::kernel::contract::{Command, Family, Seed};
use crate::kernel::error::ApiError;

/// The network family.
pub(crate) const FAMILY: Family =
    Family::new("network", include_str!("schema.sql"), COMMANDS)
        .seeded(seed)
        .publishing(api::VIEWS);

/// The network family's part of the seed.
fn seed(seed: &mut Seed<'_>) -> Result<(), ApiError> {
    acl::seed(seed)
}

const COMMANDS: &[Command] = &[
    // Networks
    Command::all(
        "createNetwork",
        "Creates an isolated, shared or L2 guest network, or a tier of a VPC.",
        networks::create,
    ),
    Command::all(
        "updateNetwork",
        "Renames a network or changes its network domain, DNS or offering.",
        networks::update,
    ),
    Command::all(
        "restartNetwork",
        "Restarts a network's services; with cleanup its virtual router is replaced.",
        networks::restart,
    ),
    Command::all(
        "deleteNetwork",
        "Deletes a network that no virtual machine uses any more, with its rules and addresses.",
        networks::delete,
    ),
    Command::all(
        "listNetworks",
        "Lists the guest networks the caller may use.",
        networks::list,
    ),
    // Secondary addresses of NICs
    Command::all(
        "addIpToNic",
        "Gives a VM's NIC one more address from its network.",
        nicips::add,
    ),
    Command::all(
        "removeIpFromNic",
        "Takes a secondary address from a NIC; refused while rules use it.",
        nicips::remove,
    ),
    // Public IPs
    Command::all(
        "associateIpAddress",
        "Acquires a free public IP address for a network, a VPC or the owner's network in a zone.",
        ips::associate,
    ),
    Command::all(
        "disassociateIpAddress",
        "Releases a public IP address and the rules on it back to the pool.",
        ips::disassociate,
    ),
    Command::all(
        "listPublicIpAddresses",
        "Lists public IP addresses, allocated ones unless asked otherwise.",
        ips::list,
    ),
    // Firewall
    Command::all(
        "createFirewallRule",
        "Opens ports of a public IP address to source CIDRs.",
        firewall::create,
    ),
    Command::all(
        "deleteFirewallRule",
        "Closes an ingress firewall rule.",
        firewall::delete,
    ),
    Command::all(
        "listFirewallRules",
        "Lists ingress firewall rules.",
        firewall::list,
    ),
    Command::all(
        "createEgressFirewallRule",
        "Allows or blocks outgoing traffic of an isolated network.",
        firewall::create_egress,
    ),
    Command::all(
        "deleteEgressFirewallRule",
        "Removes an egress firewall rule.",
        firewall::delete_egress,
    ),
    Command::all(
        "listEgressFirewallRules",
        "Lists egress firewall rules.",
        firewall::list_egress,
    ),
    // Port forwarding and static NAT
    Command::all(
        "createPortForwardingRule",
        "Forwards ports of a public IP address to a virtual machine.",
        portforward::create,
    ),
    Command::all(
        "deletePortForwardingRule",
        "Removes a port forwarding rule.",
        portforward::delete,
    ),
    Command::all(
        "updatePortForwardingRule",
        "Points a port forwarding rule at other private ports or another virtual machine.",
        portforward::update,
    ),
    Command::all(
        "listPortForwardingRules",
        "Lists port forwarding rules.",
        portforward::list,
    ),
    Command::all(
        "enableStaticNat",
        "Maps a public IP address one to one to a virtual machine.",
        staticnat::enable,
    ),
    Command::all(
        "disableStaticNat",
        "Removes the static NAT of a public IP address.",
        staticnat::disable,
    ),
    Command::all(
        "createIpForwardingRule",
        "Opens a port range of a static NAT address towards its virtual machine.",
        ipforward::create,
    ),
    Command::all(
        "deleteIpForwardingRule",
        "Removes a static NAT rule.",
        ipforward::delete,
    ),
    Command::all(
        "listIpForwardingRules",
        "Lists static NAT rules.",
        ipforward::list,
    ),
    // Load balancing
    Command::all(
        "createLoadBalancerRule",
        "Balances a public port of an IP address over virtual machines.",
        loadbalancer::create,
    ),
    Command::all(
        "updateLoadBalancerRule",
        "Renames a load balancer rule or changes its algorithm.",
        loadbalancer::update,
    ),
    Command::all(
        "deleteLoadBalancerRule",
        "Removes a load balancer rule.",
        loadbalancer::delete,
    ),
    Command::all(
        "assignToLoadBalancerRule",
        "Adds virtual machines to a load balancer rule.",
        loadbalancer::assign,
    ),
    Command::all(
        "removeFromLoadBalancerRule",
        "Takes virtual machines out of a load balancer rule.",
        loadbalancer::remove,
    ),
    Command::all(
        "listLoadBalancerRules",
        "Lists load balancer rules.",
        loadbalancer::list,
    ),
    Command::all(
        "listLoadBalancerRuleInstances",
        "Lists the virtual machines of a load balancer rule, or those that could be added.",
        loadbalancer::list_instances,
    ),
    Command::all(
        "createLBStickinessPolicy",
        "Adds a session stickiness policy to a load balancer rule.",
        loadbalancer::create_stickiness,
    ),
    Command::all(
        "deleteLBStickinessPolicy",
        "Removes a stickiness policy.",
        loadbalancer::delete_stickiness,
    ),
    Command::all(
        "listLBStickinessPolicies",
        "Lists the stickiness policies of a load balancer rule.",
        loadbalancer::list_stickiness,
    ),
    Command::all(
        "createLBHealthCheckPolicy",
        "Adds a health check to a load balancer rule.",
        loadbalancer::create_healthcheck,
    ),
    Command::all(
        "deleteLBHealthCheckPolicy",
        "Removes a health check policy.",
        loadbalancer::delete_healthcheck,
    ),
    Command::all(
        "listLBHealthCheckPolicies",
        "Lists the health check policies of a load balancer rule.",
        loadbalancer::list_healthcheck,
    ),
    Command::all(
        "uploadSslCert",
        "Stores an X.509 certificate and its private key for SSL load balancers.",
        sslcerts::upload,
    ),
    Command::all(
        "deleteSslCert",
        "Deletes a certificate no load balancer uses.",
        sslcerts::delete,
    ),
    Command::all(
        "listSslCerts",
        "Lists certificates, by id, by load balancer or by owner.",
        sslcerts::list,
    ),
    Command::all(
        "assignCertToLoadBalancer",
        "Binds a certificate to an ssl load balancer rule.",
        sslcerts::assign,
    ),
    Command::all(
        "removeCertFromLoadBalancer",
        "Unbinds the certificate of a load balancer rule.",
        sslcerts::remove,
    ),
    Command::all(
        "createLoadBalancer",
        "Balances a port of a VPC tier's guest address over its VMs (internal scheme).",
        internallb::create,
    ),
    Command::all(
        "deleteLoadBalancer",
        "Deletes an internal load balancer.",
        internallb::delete,
    ),
    Command::all(
        "listLoadBalancers",
        "Lists internal load balancers.",
        internallb::list,
    ),
    // Security groups
    Command::all(
        "createSecurityGroup",
        "Creates an empty security group.",
        securitygroups::create,
    ),
    Command::all(
        "deleteSecurityGroup",
        "Deletes a security group no virtual machine uses; the default group stays.",
        securitygroups::delete,
    ),
    Command::all(
        "authorizeSecurityGroupIngress",
        "Allows incoming traffic from CIDRs or other groups into a security group.",
        securitygroups::authorize_ingress,
    ),
    Command::all(
        "authorizeSecurityGroupEgress",
        "Allows outgoing traffic to CIDRs or other groups from a security group.",
        securitygroups::authorize_egress,
    ),
    Command::all(
        "revokeSecurityGroupIngress",
        "Removes an ingress rule of a security group.",
        securitygroups::revoke_ingress,
    ),
    Command::all(
        "revokeSecurityGroupEgress",
        "Removes an egress rule of a security group.",
        securitygroups::revoke_egress,
    ),
    Command::all(
        "listSecurityGroups",
        "Lists security groups with their rules.",
        securitygroups::list,
    ),
    // VPC
    Command::all(
        "createVPC",
        "Creates a VPC with its virtual router and source NAT address.",
        vpc::create,
    ),
    Command::all(
        "updateVPC",
        "Renames a VPC or changes its display text.",
        vpc::update,
    ),
    Command::all(
        "restartVPC",
        "Restarts a VPC; with cleanup its virtual router is replaced.",
        vpc::restart,
    ),
    Command::all(
        "deleteVPC",
        "Deletes a VPC that has no tiers left.",
        vpc::delete,
    ),
    Command::all("listVPCs", "Lists VPCs with their tiers.", vpc::list),
    Command::all(
        "createNetworkACLList",
        "Creates an empty network ACL list in a VPC.",
        acl::create_list,
    ),
    Command::all(
        "deleteNetworkACLList",
        "Deletes a network ACL list no tier or gateway uses.",
        acl::delete_list,
    ),
    Command::all(
        "listNetworkACLLists",
        "Lists network ACL lists, the default ones included.",
        acl::list_lists,
    ),
    Command::all(
        "replaceNetworkACLList",
        "Makes a VPC tier or private gateway use another ACL list.",
        acl::replace,
    ),
    Command::all(
        "createNetworkACL",
        "Adds a numbered item to a network ACL list.",
        acl::create_item,
    ),
    Command::all(
        "updateNetworkACLItem",
        "Changes a network ACL item.",
        acl::update_item,
    ),
    Command::all(
        "deleteNetworkACL",
        "Removes a network ACL item.",
        acl::delete_item,
    ),
    Command::all(
        "listNetworkACLs",
        "Lists network ACL items.",
        acl::list_items,
    ),
    Command::all(
        "createPrivateGateway",
        "Adds a private gateway to a VPC on a VLAN.",
        gateways::create,
    ),
    Command::all(
        "deletePrivateGateway",
        "Removes a private gateway that no static route uses.",
        gateways::delete,
    ),
    Command::all(
        "listPrivateGateways",
        "Lists the private gateways of VPCs.",
        gateways::list,
    ),
    Command::all(
        "createStaticRoute",
        "Routes a CIDR outside a VPC through one of its private gateways.",
        gateways::create_route,
    ),
    Command::all(
        "deleteStaticRoute",
        "Removes a static route.",
        gateways::delete_route,
    ),
    Command::all(
        "listStaticRoutes",
        "Lists the static routes of VPCs.",
        gateways::list_routes,
    ),
    // Routers
    Command::admins(
        "listRouters",
        "Lists the virtual routers of networks and VPCs.",
        routers::list,
    ),
    Command::admins(
        "startRouter",
        "Starts a stopped virtual router.",
        routers::start,
    ),
    Command::admins("stopRouter", "Stops a virtual router.", routers::stop),
    Command::admins(
        "rebootRouter",
        "Reboots a running virtual router.",
        routers::reboot,
    ),
    Command::admins(
        "changeServiceForRouter",
        "Gives a stopped virtual router another system offering.",
        routers::change_service,
    ),
    Command::admins(
        "destroyRouter",
        "Destroys a virtual router.",
        routers::destroy,
    ),
    // VPN
    Command::all(
        "createRemoteAccessVpn",
        "Enables remote access VPN on a public IP address.",
        vpn::create_remote,
    ),
    Command::all(
        "deleteRemoteAccessVpn",
        "Disables the remote access VPN of a public IP address.",
        vpn::delete_remote,
    ),
    Command::all(
        "listRemoteAccessVpns",
        "Lists remote access VPNs.",
        vpn::list_remote,
    ),
    Command::all(
        "addVpnUser",
        "Adds a remote access VPN user to an account.",
        vpn::add_user,
    ),
    Command::all(
        "removeVpnUser",
        "Removes a remote access VPN user.",
        vpn::remove_user,
    ),
    Command::all(
        "listVpnUsers",
        "Lists remote access VPN users.",
        vpn::list_users,
    ),
    Command::all(
        "createVpnGateway",
        "Creates the site-to-site VPN gateway of a VPC.",
        vpn::create_gateway,
    ),
    Command::all(
        "deleteVpnGateway",
        "Deletes a site-to-site VPN gateway.",
        vpn::delete_gateway,
    ),
    Command::all(
        "listVpnGateways",
        "Lists site-to-site VPN gateways.",
        vpn::list_gateways,
    ),
    Command::all(
        "createVpnCustomerGateway",
        "Describes the remote end of site-to-site VPN connections.",
        vpn::create_customer_gateway,
    ),
    Command::all(
        "deleteVpnCustomerGateway",
        "Deletes a customer gateway no connection uses.",
        vpn::delete_customer_gateway,
    ),
    Command::all(
        "updateVpnCustomerGateway",
        "Changes the settings of a customer gateway no live connection uses.",
        vpn::update_customer_gateway,
    ),
    Command::all(
        "listVpnCustomerGateways",
        "Lists customer gateways.",
        vpn::list_customer_gateways,
    ),
    Command::all(
        "createVpnConnection",
        "Connects a VPC's VPN gateway to a customer gateway.",
        vpn::create_connection,
    ),
    Command::all(
        "deleteVpnConnection",
        "Removes a site-to-site VPN connection.",
        vpn::delete_connection,
    ),
    Command::all(
        "listVpnConnections",
        "Lists site-to-site VPN connections.",
        vpn::list_connections,
    ),
];
