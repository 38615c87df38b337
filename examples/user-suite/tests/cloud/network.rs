//! Networks and VMs.

use marvin::prelude::*;

#[marvin::test(tags = ["network", "vms"])]
async fn a_vm_behind_static_nat_is_running(ctx: &mut TestContext) -> Result<()> {
    let vm = VirtualMachineWithStaticNat::create(ctx).await?;
    vm.state.as_deref().should().equal(Some("Running"));
    vm.public_ip().should_not().be_none();
    Ok(())
}

#[marvin::test(tags = ["network"])]
async fn an_isolated_network_gets_its_offering(ctx: &mut TestContext) -> Result<()> {
    let network = GuestIsolatedNetwork::create(ctx).await?;
    network.networkofferingid.should_not().be_none();
    Ok(())
}
