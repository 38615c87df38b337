//! Virtual machines, volumes, snapshots and SSH key pairs.

use std::ops::Deref;

use marvin_core::cleanup::Managed;
use marvin_entities::{self as entities, commands};

use crate::{
    DefaultBuiltInTemplate, DefaultDiskOffering, DefaultServiceOffering,
    DefaultSharedNetworkOfferingWithSGService, DefaultVpcNetwork, GuestIsolatedNetwork, Part,
    PublicIpAddress, SecurityGroupFactory, SecurityGroupSshIngress, SharedNetwork, TestZone,
    factory, sequence,
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
        build -> commands::DeployVirtualMachine as entities::VirtualMachine {
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
        build -> commands::DeployVirtualMachine as entities::VirtualMachine {
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
        build -> commands::DeployVirtualMachine as entities::VirtualMachine {
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
        build -> commands::CreateVolume as entities::Volume {
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
        build -> commands::CreateSnapshot as entities::Snapshot {
            commands::CreateSnapshot::builder().volumeid(volume.id_string()).into_request()
        }
    }
}

/// A VM together with the public IP address its static NAT maps to: what
/// [`VirtualMachineWithStaticNat`] makes. Derefs to the VM.
#[derive(Debug)]
pub struct VmWithPublicIp {
    /// The VM (made here unless an existing one was given).
    pub vm: Part<VirtualMachineFactory>,
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

/// VMs behind a load balancer: what [`LoadBalancedVirtualMachines`] makes.
/// Derefs to the load balancer rule.
#[derive(Debug)]
pub struct LoadBalancedVms {
    /// The rule (public port to private port, round robin by default).
    pub rule: Managed<entities::LoadBalancerRule>,
    /// The VMs assigned to it.
    pub vms: Vec<Managed<entities::VirtualMachine>>,
    /// The public address of the rule.
    pub ip: Part<PublicIpAddress>,
    /// The network of the VMs.
    pub network: Part<GuestIsolatedNetwork>,
}

derefs_to!(LoadBalancedVms => rule: entities::LoadBalancerRule);

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

/// The id of the VM's default network.
fn default_network(vm: &entities::VirtualMachine) -> String {
    vm.nic
        .iter()
        .find(|nic| nic.isdefault == Some(true))
        .or_else(|| vm.nic.first())
        .and_then(|nic| nic.networkid.clone())
        .unwrap_or_default()
}

factory! {
    /// A [`VirtualMachineFactory`] reachable from outside: a public IP is
    /// acquired on the VM's default network and static NAT is enabled from
    /// it to the VM; the result keeps both ([`VmWithPublicIp::public_ip`]).
    pub VirtualMachineWithStaticNat / VirtualMachineWithStaticNatBuilder {
        subs {
            /// The VM (a new one by default; an existing one given with
            /// `Sub::of(&vm)` gets the address, and is not deleted).
            vm: VirtualMachineFactory,
        }
        fields {}
        make(ctx) -> VmWithPublicIp as entities::VirtualMachine {
            let vm = vm.into_part("VirtualMachineWithStaticNat")?;
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
            VmWithPublicIp { vm, ip }
        }
    }

    /// `count` (2) VMs in a new [`GuestIsolatedNetwork`], a public IP on it
    /// and a load balancer rule from it (port 80 to 80, round robin) to which
    /// the VMs are assigned.
    pub LoadBalancedVirtualMachines / LoadBalancedVirtualMachinesBuilder {
        subs {
            /// The network of the VMs and the rule.
            network: GuestIsolatedNetwork,
            /// The public address of the rule (by default acquired on
            /// `network`).
            ip: PublicIpAddress = PublicIpAddress::new().network(network.id()),
        }
        fields {
            /// How many VMs (an `i64`, so a plain literal sets it).
            count: i64 = 2,
            /// The VMs' overrides (they are always made in `network`).
            vm: VirtualMachineBuilder = VirtualMachineFactory::new(),
            /// The rule's name (unique).
            name: String = sequence("lb"),
            /// The algorithm (`roundrobin`, `leastconn`, `source`).
            algorithm: String = "roundrobin".to_string(),
            /// The public port.
            publicport: i64 = 80,
            /// The private port.
            privateport: i64 = 80,
        }
        make(ctx) -> LoadBalancedVms as entities::LoadBalancerRule {
            let network = network.into_part("LoadBalancedVirtualMachines")?;
            let ip = ip.into_part("LoadBalancedVirtualMachines")?;
            let count = usize::try_from(count).map_err(|_| {
                marvin_core::Error::setup(format!(
                    "LoadBalancedVirtualMachines: count must not be negative, got {count}"
                ))
            })?;
            let vms = vm.network(network.id.as_str()).create_batch(ctx, count).await?;
            let request = commands::CreateLoadBalancerRule::builder()
                .algorithm(algorithm)
                .name(name)
                .privateport(privateport)
                .publicport(publicport)
                .into_request()
                .with_options(commands::CreateLoadBalancerRuleOptions {
                    publicipid: Some(ip.id.clone()),
                    networkid: Some(network.id.clone()),
                    ..Default::default()
                });
            let rule = crate::send_managed(ctx, &request).await?;
            crate::tags::tag(ctx, &*rule).await;
            rule.assign_to(ctx.client())
                .virtualmachineids(vms.iter().map(|vm| vm.id.clone()))
                .await?;
            LoadBalancedVms { rule, vms, ip, network }
        }
    }

    /// The ROOT volume of a VM (a new [`VirtualMachineFactory`] unless
    /// `.vm(..)` names one): a volume that is Ready, as snapshots need.
    pub RootVolume / RootVolumeBuilder {
        subs {
            /// The VM whose ROOT volume it is.
            vm: VirtualMachineFactory,
        }
        fields {}
        make(ctx) -> VolumeOfVm as entities::Volume {
            let volume = entities::Volume::list(ctx.client())
                .virtualmachineid(vm.id_string())
                .type_("ROOT")
                .listall(true)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| {
                    marvin_core::Error::setup(format!("VM {} has no ROOT volume", vm.id()))
                })?;
            VolumeOfVm { volume, vm: vm.into_output() }
        }
    }

    /// An SSH key pair generated by the cloud, with a unique name.
    pub SshKeyPair / SshKeyPairBuilder {
        fields {
            /// The name (unique).
            name: String = sequence("key"),
        }
        build -> commands::CreateSSHKeyPair as entities::SSHKeyPair {
            commands::CreateSSHKeyPair::builder().name(name).into_request()
        }
    }
}
