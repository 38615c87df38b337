//! SSH key pairs: made by the cloud, registered from a public key, used at
//! deploy, and kept apart between accounts.

use marvin::prelude::*;

/// An Ed25519 public key made for these tests (its private half was
/// thrown away) and its MD5 fingerprint, as `ssh-keygen -l -E md5` prints
/// it.
const PUBLIC_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFBzuOfoZmFfCAQd5daGNPFREEjRHCDE/KG0Le2LcZKv smoke@marvin";
const FINGERPRINT: &str = "b0:07:ec:f0:12:d9:b8:12:44:8d:d3:09:03:99:f9:15";

/// A key pair made by the cloud comes with its private key, once; listed,
/// it has only its MD5 fingerprint (`ManagementServerImpl.createSSHKeyPair`).
#[marvin::test(tags = ["smoke", "keypairs"])]
async fn a_made_key_pair_shows_its_private_key_once(ctx: &mut TestContext) -> Result<()> {
    let pair = SshKeyPair::create(ctx).await?;
    // Never print a private key: check its shape, not its value.
    pair.privatekey
        .as_ref()
        .is_some_and(|key| key.expose().contains("PRIVATE KEY"))
        .should()
        .equal(true);
    let fingerprint = pair.fingerprint.clone().unwrap_or_default();
    fingerprint.split(':').count().should().equal(16);
    let listed = SSHKeyPair::list(ctx.client())
        .name(pair.name.clone().unwrap_or_default())
        .await?;
    listed.should().have_length(1);
    listed[0]
        .fingerprint
        .should()
        .equal(Some(fingerprint.clone()));
    listed[0].privatekey.is_none().should().equal(true);
    Ok(())
}

/// A second key pair with the same name is refused: 431, "A key pair with
/// name .. already exists" (`ManagementServerImpl.createSSHKeyPair`).
#[marvin::test(tags = ["smoke", "keypairs"])]
async fn a_key_pair_name_is_unique(ctx: &mut TestContext) -> Result<()> {
    let pair = SshKeyPair::create(ctx).await?;
    SSHKeyPair::create(ctx.client())
        .name(pair.name.clone().unwrap_or_default())
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A deleted key pair is no longer listed
/// (`ManagementServerImpl.deleteSSHKeyPair`).
#[marvin::test(tags = ["smoke", "keypairs"])]
async fn a_deleted_key_pair_is_gone(ctx: &mut TestContext) -> Result<()> {
    let pair = SshKeyPair::create(ctx).await?;
    let name = pair.name.clone().unwrap_or_default();
    pair.delete().await?;
    SSHKeyPair::list(ctx.client())
        .name(name)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A registered public key gets the MD5 fingerprint of its key blob
/// (`ManagementServerImpl.registerSSHKeyPair`). Registered by a fresh
/// account: an account may hold a public key only once.
#[marvin::test(tags = ["smoke", "keypairs"])]
async fn a_registered_key_has_its_fingerprint(ctx: &mut TestContext) -> Result<()> {
    let account = UserAccount::create(ctx).await?;
    let as_user = Owner::of(&account).context(ctx).await?;
    let pair = SSHKeyPair::register(as_user.client())
        .name(sequence("registered"))
        .publickey(PUBLIC_KEY)
        .await?;
    let pair = as_user.manage(pair);
    pair.fingerprint
        .as_deref()
        .should()
        .equal(Some(FINGERPRINT));
    pair.account.should().equal(account.name.clone());
    Ok(())
}

/// A malformed public key is refused with 431, "Public key is invalid"
/// (`ManagementServerImpl.registerSSHKeyPair`).
#[marvin::test(tags = ["smoke", "keypairs"])]
async fn a_malformed_public_key_is_refused(ctx: &mut TestContext) -> Result<()> {
    let name = sequence("bad");
    SSHKeyPair::register(ctx.client())
        .name(&name)
        .publickey("ssh-ed25519 not-base64!")
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    SSHKeyPair::list(ctx.client())
        .name(name)
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A VM deployed with a key pair names it
/// (`UserVmManagerImpl.createVirtualMachine` with `keypairs`).
#[marvin::test(tags = ["smoke", "keypairs", "vms"])]
async fn a_vm_deployed_with_a_key_pair_names_it(ctx: &mut TestContext) -> Result<()> {
    let pair = SshKeyPair::create(ctx).await?;
    let name = pair.name.clone().unwrap_or_default();
    let keypairs = vec![name.clone()];
    let vm = VirtualMachineFactory::new()
        .with_request(move |r| r.options.keypairs = Some(keypairs.clone()))
        .create(ctx)
        .await?;
    vm.keypairs
        .clone()
        .unwrap_or_default()
        .should()
        .contain(name.as_str());
    let by_key = VirtualMachine::list(ctx.client()).keypair(&name).await?;
    by_key.iter().any(|v| v.id == vm.id).should().equal(true);
    Ok(())
}

/// Deploying with a key pair that does not exist is refused with 431,
/// "Not all specified keypairs exist" (`UserVmManagerImpl.createVirtualMachine`).
#[marvin::test(tags = ["smoke", "keypairs", "vms"])]
async fn an_unknown_key_pair_is_refused_at_deploy(ctx: &mut TestContext) -> Result<()> {
    let missing = vec![sequence("missing")];
    VirtualMachineFactory::new()
        .with_request(move |r| r.options.keypairs = Some(missing.clone()))
        .create(ctx)
        .await
        .map(|vm| vm.id.clone())
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A user's key pair is invisible to another user
/// (`ManagementServerImpl.listSSHKeyPairs`).
#[marvin::test(tags = ["smoke", "keypairs"])]
async fn key_pairs_are_isolated_between_accounts(ctx: &mut TestContext) -> Result<()> {
    let owner = UserAccount::create(ctx).await?;
    let other = UserAccount::create(ctx).await?;
    let as_owner = Owner::of(&owner).context(ctx).await?;
    let as_other = Owner::of(&other).context(ctx).await?;
    let pair = SshKeyPair::create(&as_owner).await?;
    let name = pair.name.clone().unwrap_or_default();
    SSHKeyPair::list(as_owner.client())
        .name(&name)
        .await?
        .should()
        .have_length(1);
    SSHKeyPair::list(as_other.client())
        .name(&name)
        .await?
        .should()
        .be_empty();
    Ok(())
}
