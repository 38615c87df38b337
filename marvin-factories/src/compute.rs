//! Virtual machines, volumes, snapshots and SSH key pairs.

use std::ops::Deref;

use futures_util::future::LocalBoxFuture;
use marvin_core::Result;
use marvin_core::cleanup::Managed;
use marvin_core::testing::TestContext;
use marvin_entities::{self as entities, commands};

use crate::{
    Build, DefaultBuiltInTemplate, DefaultDiskOffering, DefaultServiceOffering,
    DefaultSharedNetworkOfferingWithSGService, DefaultVpcNetwork, Factory, GuestIsolatedNetwork,
    IntoSub, Made, PublicIpAddress, SecurityGroupFactory, SecurityGroupSshIngress, SharedNetwork,
    Sub, TestZone, factory, sequence,
};

/// A composite factory's result stands for its main entity: `Deref` and
/// `AsRef` to the named field.
macro_rules! derefs_to {
    ($outer:ty => $field:ident: $target:ty) => {
        impl Deref for $outer {
            type Target = $target;

            fn deref(&self) -> &$target {
                &self.$field
            }
        }

        impl AsRef<$target> for $outer {
            fn as_ref(&self) -> &$target {
                &self.$field
            }
        }
    };
}

/// The ids of `id` when it is not empty (requests built without the cloud
/// have empty ids).
fn ids(id: &str) -> Option<Vec<String>> {
    (!id.is_empty()).then(|| vec![id.to_string()])
}

/// The deploy request every VM factory sends: offering, template and zone,
/// the names, and the network (and security group) the VM joins.
fn deploy_request(
    offering: String,
    template: String,
    zone: String,
    name: String,
    displayname: String,
    network: &str,
    securitygroup: Option<&str>,
) -> commands::DeployVirtualMachine {
    commands::DeployVirtualMachine::builder()
        .serviceofferingid(offering)
        .templateid(template)
        .zoneid(zone)
        .into_request()
        .with_options(commands::DeployVirtualMachineOptions {
            name: Some(name),
            displayname: Some(displayname),
            networkids: ids(network),
            securitygroupids: securitygroup.and_then(ids),
            ..Default::default()
        })
}

factory! {
    /// A running VM of the built-in template and the default offering, in a
    /// new [`GuestIsolatedNetwork`] of the test zone.
    pub VirtualMachineFactory / VirtualMachineBuilder {
        subs {
            /// The zone.
            zone: TestZone,
            /// The template.
            template: DefaultBuiltInTemplate,
            /// The compute offering.
            serviceoffering: DefaultServiceOffering,
            /// The network.
            network: GuestIsolatedNetwork,
        }
        fields {
            /// The host name (unique).
            name: String = sequence("vm"),
            /// The display name.
            displayname: String = name.clone(),
        }
        build -> commands::DeployVirtualMachine {
            deploy_request(
                serviceoffering.id_string(),
                template.id_string(),
                zone.id_string(),
                name,
                displayname,
                network.id(),
                None,
            )
        }
    }

    /// A VM in a tier of a new VPC ([`DefaultVpcNetwork`]).
    pub VpcVirtualMachine / VpcVirtualMachineBuilder {
        subs {
            /// The zone.
            zone: TestZone,
            /// The template.
            template: DefaultBuiltInTemplate,
            /// The compute offering.
            serviceoffering: DefaultServiceOffering,
            /// The VPC tier.
            network: DefaultVpcNetwork,
        }
        fields {
            /// The host name (unique).
            name: String = sequence("vpcvm"),
            /// The display name.
            displayname: String = name.clone(),
        }
        build -> commands::DeployVirtualMachine {
            deploy_request(
                serviceoffering.id_string(),
                template.id_string(),
                zone.id_string(),
                name,
                displayname,
                network.id(),
                None,
            )
        }
    }

    /// A VM in a new security group whose SSH ingress is allowed (a
    /// related [`SecurityGroupSshIngress`]), in a new [`SharedNetwork`] with
    /// the security group service
    /// ([`DefaultSharedNetworkOfferingWithSGService`]).
    pub VirtualMachineWithIngress / VirtualMachineWithIngressBuilder {
        subs {
            /// The zone.
            zone: TestZone,
            /// The template.
            template: DefaultBuiltInTemplate,
            /// The compute offering.
            serviceoffering: DefaultServiceOffering,
            /// The network (with the security group service).
            network: SharedNetwork = SharedNetwork::new()
                .offering(DefaultSharedNetworkOfferingWithSGService::new()),
            /// The security group.
            securitygroup: SecurityGroupFactory,
        }
        fields {
            /// The host name (unique).
            name: String = sequence("vm"),
            /// The display name.
            displayname: String = name.clone(),
        }
        build -> commands::DeployVirtualMachine {
            deploy_request(
                serviceoffering.id_string(),
                template.id_string(),
                zone.id_string(),
                name,
                displayname,
                network.id(),
                Some(securitygroup.id()),
            )
        }
        related {
            /// SSH from anywhere into the VM's security group.
            ingress: SecurityGroupSshIngress = |vm| SecurityGroupSshIngress::new()
                .securitygroup(vm.securitygroup.first().map(|g| g.id.clone()).unwrap_or_default()),
        }
    }

    /// A data volume of the default disk offering in the test zone.
    pub VolumeFactory / VolumeBuilder {
        subs {
            /// The zone.
            zone: TestZone,
            /// The disk offering.
            diskoffering: DefaultDiskOffering,
        }
        fields {
            /// The name (unique).
            name: String = sequence("vol"),
        }
        build -> commands::CreateVolume {
            commands::CreateVolume::default().with_options(commands::CreateVolumeOptions {
                name: Some(name),
                diskofferingid: Some(diskoffering.id_string()),
                zoneid: Some(zone.id_string()),
                ..Default::default()
            })
        }
    }

    /// A snapshot of the ROOT volume of a new [`VirtualMachineFactory`] (see
    /// [`RootVolume`]; CloudStack snapshots only volumes that are Ready).
    pub SnapshotFactory / SnapshotBuilder {
        subs {
            /// The volume (by default the ROOT volume of a new VM).
            volume: RootVolume,
        }
        fields {}
        build -> commands::CreateSnapshot {
            commands::CreateSnapshot::builder().volumeid(volume.id_string()).into_request()
        }
    }
}

/// A VM together with the public IP address its static NAT maps to: what
/// [`VirtualMachineWithStaticNat`] makes. Derefs to the VM.
#[derive(Debug)]
pub struct VmWithPublicIp {
    /// The VM.
    pub vm: Managed<entities::VirtualMachine>,
    /// Its public address (static NAT to the VM).
    pub ip: Managed<entities::IpAddress>,
}

impl VmWithPublicIp {
    /// The public address to reach the VM at (for SSH).
    pub fn public_ip(&self) -> Option<&str> {
        self.ip.ipaddress.as_deref()
    }
}

derefs_to!(VmWithPublicIp => vm: entities::VirtualMachine);

/// A [`VirtualMachineFactory`] reachable from outside: post-generation, a public
/// IP is acquired on its network and static NAT is enabled from it to the
/// VM; the result remembers the IP ([`VmWithPublicIp::public_ip`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct VirtualMachineWithStaticNat;

impl Factory for VirtualMachineWithStaticNat {
    type Builder = VirtualMachineWithStaticNatBuilder;
    const NAME: &'static str = "VirtualMachineWithStaticNat";
    fn new() -> Self::Builder {
        VirtualMachineWithStaticNatBuilder::default()
    }
}

crate::__factory_shortcuts!(VirtualMachineWithStaticNat);

/// The overrides of [`VirtualMachineWithStaticNat`].
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `create` or `build` is called"]
pub struct VirtualMachineWithStaticNatBuilder {
    vm: Option<VirtualMachineBuilder>,
}

impl VirtualMachineWithStaticNatBuilder {
    /// The VM to make (overrides of [`VirtualMachineFactory`]).
    pub fn vm(mut self, vm: VirtualMachineBuilder) -> Self {
        self.vm = Some(vm);
        self
    }
}

impl<F: Factory<Builder = VirtualMachineWithStaticNatBuilder>> IntoSub<F>
    for VirtualMachineWithStaticNatBuilder
{
    fn into_sub(self) -> Sub<F> {
        Sub::With(self)
    }
}

/// The id of the VM's default network.
fn default_network(vm: &entities::VirtualMachine) -> String {
    vm.nic
        .iter()
        .find(|nic| nic.isdefault == Some(true))
        .or_else(|| vm.nic.first())
        .and_then(|nic| nic.networkid.clone())
        .unwrap_or_default()
}

impl Build for VirtualMachineWithStaticNatBuilder {
    type Entity = entities::VirtualMachine;
    type Output = VmWithPublicIp;
    type Request = commands::DeployVirtualMachine;

    fn build(self) -> commands::DeployVirtualMachine {
        self.vm.unwrap_or_default().build()
    }

    fn create(self, ctx: &TestContext) -> LocalBoxFuture<'_, Result<VmWithPublicIp>> {
        Box::pin(async move {
            let vm = self.vm.unwrap_or_default().create(ctx).await?;
            let mut ip = PublicIpAddress::new()
                .network(default_network(&vm))
                .create(ctx)
                .await?;
            commands::EnableStaticNat::builder()
                .ipaddressid(ip.id.clone())
                .virtualmachineid(vm.id.clone())
                .into_request()
                .send(ctx.client())
                .await?;
            *ip = ip.refresh(ctx.client()).await?;
            Ok(VmWithPublicIp { vm, ip })
        })
    }
}

/// VMs behind a load balancer: what [`LoadBalancedVirtualMachines`] makes.
/// Derefs to the load balancer rule.
#[derive(Debug)]
pub struct LoadBalancedVms {
    /// The rule (public port to private port, round robin by default).
    pub rule: Managed<entities::LoadBalancerRule>,
    /// The VMs assigned to it.
    pub vms: Vec<Managed<entities::VirtualMachine>>,
    /// The public address of the rule.
    pub ip: Managed<entities::IpAddress>,
    /// The network of the VMs.
    pub network: Managed<entities::Network>,
}

derefs_to!(LoadBalancedVms => rule: entities::LoadBalancerRule);

/// A new [`GuestIsolatedNetwork`] with `count` (2) VMs, a public IP on it
/// and a load balancer rule from it (port 80 to 80, round robin) to which
/// the VMs are assigned.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadBalancedVirtualMachines;

impl Factory for LoadBalancedVirtualMachines {
    type Builder = LoadBalancedVirtualMachinesBuilder;
    const NAME: &'static str = "LoadBalancedVirtualMachines";
    fn new() -> Self::Builder {
        LoadBalancedVirtualMachinesBuilder {
            count: 2,
            algorithm: "roundrobin".into(),
            publicport: 80,
            privateport: 80,
        }
    }
}

crate::__factory_shortcuts!(LoadBalancedVirtualMachines);

/// The overrides of [`LoadBalancedVirtualMachines`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `create` or `build` is called"]
pub struct LoadBalancedVirtualMachinesBuilder {
    count: usize,
    algorithm: String,
    publicport: i64,
    privateport: i64,
}

impl Default for LoadBalancedVirtualMachinesBuilder {
    fn default() -> Self {
        LoadBalancedVirtualMachines::new()
    }
}

impl LoadBalancedVirtualMachinesBuilder {
    /// How many VMs (2).
    pub fn count(mut self, count: usize) -> Self {
        self.count = count;
        self
    }

    /// The algorithm (`roundrobin`, `leastconn`, `source`).
    pub fn algorithm(mut self, algorithm: impl Into<String>) -> Self {
        self.algorithm = algorithm.into();
        self
    }

    /// The public port (80).
    pub fn publicport(mut self, port: i64) -> Self {
        self.publicport = port;
        self
    }

    /// The private port (80).
    pub fn privateport(mut self, port: i64) -> Self {
        self.privateport = port;
        self
    }

    fn request(&self, ip: &str, network: &str) -> commands::CreateLoadBalancerRule {
        commands::CreateLoadBalancerRule::builder()
            .algorithm(self.algorithm.clone())
            .name(sequence("lb"))
            .privateport(self.privateport)
            .publicport(self.publicport)
            .into_request()
            .with_options(commands::CreateLoadBalancerRuleOptions {
                publicipid: Some(ip.to_string()).filter(|id| !id.is_empty()),
                networkid: Some(network.to_string()).filter(|id| !id.is_empty()),
                ..Default::default()
            })
    }
}

impl<F: Factory<Builder = LoadBalancedVirtualMachinesBuilder>> IntoSub<F>
    for LoadBalancedVirtualMachinesBuilder
{
    fn into_sub(self) -> Sub<F> {
        Sub::With(self)
    }
}

impl Build for LoadBalancedVirtualMachinesBuilder {
    type Entity = entities::LoadBalancerRule;
    type Output = LoadBalancedVms;
    type Request = commands::CreateLoadBalancerRule;

    fn build(self) -> commands::CreateLoadBalancerRule {
        self.request("", "")
    }

    fn create(self, ctx: &TestContext) -> LocalBoxFuture<'_, Result<LoadBalancedVms>> {
        Box::pin(async move {
            let network = GuestIsolatedNetwork::create(ctx).await?;
            let vm = VirtualMachineFactory::new().network(network.id.clone());
            let vms = vm.create_batch(ctx, self.count).await?;
            let ip = PublicIpAddress::new()
                .network(network.id.clone())
                .create(ctx)
                .await?;
            let rule = crate::send_managed(ctx, &self.request(&ip.id, &network.id)).await?;
            crate::tags::tag(ctx, &*rule).await;
            rule.assign_to(ctx.client())
                .virtualmachineids(vms.iter().map(|vm| vm.id.clone()))
                .await?;
            Ok(LoadBalancedVms {
                rule,
                vms,
                ip,
                network,
            })
        })
    }
}

/// An SSH key pair generated by the cloud, with a unique name.
#[derive(Debug, Clone, Copy, Default)]
pub struct SshKeyPair;

impl Factory for SshKeyPair {
    type Builder = SshKeyPairBuilder;
    const NAME: &'static str = "SshKeyPair";
    fn new() -> Self::Builder {
        SshKeyPairBuilder::default()
    }
}

crate::__factory_shortcuts!(SshKeyPair);

/// The overrides of [`SshKeyPair`].
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `create` or `build` is called"]
pub struct SshKeyPairBuilder {
    name: Option<String>,
}

impl SshKeyPairBuilder {
    /// The name (unique by default).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }
}

impl<F: Factory<Builder = SshKeyPairBuilder>> IntoSub<F> for SshKeyPairBuilder {
    fn into_sub(self) -> Sub<F> {
        Sub::With(self)
    }
}

impl Build for SshKeyPairBuilder {
    type Entity = entities::SSHKeyPair;
    type Output = Managed<entities::SSHKeyPair>;
    type Request = commands::CreateSSHKeyPair;

    fn build(self) -> commands::CreateSSHKeyPair {
        commands::CreateSSHKeyPair::builder()
            .name(self.name.unwrap_or_else(|| sequence("key")))
            .into_request()
    }

    fn create(
        self,
        ctx: &TestContext,
    ) -> LocalBoxFuture<'_, Result<Managed<entities::SSHKeyPair>>> {
        // Deleted by name within its owner, as its generated deletion says.
        Box::pin(async move { crate::send_managed(ctx, &self.build()).await })
    }
}

/// The ROOT volume of a VM, with the VM when it was made for it: what
/// [`RootVolume`] gives. Derefs to the volume.
#[derive(Debug)]
pub struct VolumeOfVm {
    /// The volume (deleted with its VM, so not registered for cleanup).
    pub volume: entities::Volume,
    /// The VM, when [`RootVolume`] made it.
    pub vm: Option<Managed<entities::VirtualMachine>>,
}

derefs_to!(VolumeOfVm => volume: entities::Volume);

/// The ROOT volume of a VM (a new [`VirtualMachineFactory`] unless `.vm(..)` names
/// one): a volume that is Ready, as snapshots need.
#[derive(Debug, Clone, Copy, Default)]
pub struct RootVolume;

impl Factory for RootVolume {
    type Builder = RootVolumeBuilder;
    const NAME: &'static str = "RootVolume";
    fn new() -> Self::Builder {
        RootVolumeBuilder::default()
    }
}

crate::__factory_shortcuts!(RootVolume);

/// The overrides of [`RootVolume`].
#[derive(Debug, Clone, Default)]
#[must_use = "a builder does nothing until `create` or `build` is called"]
pub struct RootVolumeBuilder {
    vm: Option<Sub<VirtualMachineFactory>>,
}

impl RootVolumeBuilder {
    /// The VM: a builder of [`VirtualMachineFactory`], an id, or `Sub::of(&vm)`.
    pub fn vm(mut self, vm: impl IntoSub<VirtualMachineFactory>) -> Self {
        self.vm = Some(vm.into_sub());
        self
    }
}

impl<F: Factory<Builder = RootVolumeBuilder>> IntoSub<F> for RootVolumeBuilder {
    fn into_sub(self) -> Sub<F> {
        Sub::With(self)
    }
}

impl Build for RootVolumeBuilder {
    type Entity = entities::Volume;
    type Output = VolumeOfVm;
    type Request = commands::ListVolumes;

    fn build(self) -> commands::ListVolumes {
        let vm = Made::<VirtualMachineFactory>::unresolved(self.vm.unwrap_or(Sub::Default));
        commands::ListVolumes::default().with_options(commands::ListVolumesOptions {
            virtualmachineid: Some(vm.id_string()).filter(|id| !id.is_empty()),
            type_: Some("ROOT".to_string()),
            listall: Some(true),
            ..Default::default()
        })
    }

    fn create(self, ctx: &TestContext) -> LocalBoxFuture<'_, Result<VolumeOfVm>> {
        Box::pin(async move {
            let vm = Made::<VirtualMachineFactory>::resolve(self.vm.unwrap_or(Sub::Default), ctx)
                .await?;
            let request = RootVolumeBuilder::default().vm(vm.id()).build();
            let volume = request
                .send(ctx.client())
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    marvin_core::Error::setup(format!("VM {} has no ROOT volume", vm.id()))
                })?;
            Ok(VolumeOfVm {
                volume,
                vm: vm.into_output(),
            })
        })
    }
}
