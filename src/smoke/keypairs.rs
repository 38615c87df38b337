//! SSH key pairs: made by the cloud, registered from a public key, used at
//! deploy.

use marvin_core::testing::TestContext;
use marvin_entities::api;

use super::support::{
    REGISTERED_SSH_KEY_PAIR, SSH_KEY_PAIR, client_of, create, create_with, deploy, unique,
    user_account,
};
use crate::prelude::*;

/// An Ed25519 public key made for these tests (its private half was
/// thrown away) and its MD5 fingerprint, as `ssh-keygen -l -E md5` prints
/// it.
const PUBLIC_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFBzuOfoZmFfCAQd5daGNPFREEjRHCDE/KG0Le2LcZKv smoke@marvin";
const FINGERPRINT: &str = "b0:07:ec:f0:12:d9:b8:12:44:8d:d3:09:03:99:f9:15";

/// A key pair made by the cloud comes with its private key once; listed
/// later it has only its fingerprint. A second one with the same name is
/// refused (431).
pub async fn create_list_delete(ctx: &mut TestContext) -> Result<()> {
    let name = unique("key");
    let pair = create(ctx, &SSH_KEY_PAIR, Params::new().with("name", &name)).await?;
    pair["name"].should().equal(name.as_str());
    // Never print a private key: check its shape, not its value.
    pair["privatekey"]
        .as_str()
        .is_some_and(|k| k.contains("PRIVATE KEY"))
        .should()
        .equal(true);
    let fingerprint = pair["fingerprint"].as_str().unwrap_or_default().to_string();
    fingerprint.split(':').count().should().equal(16);

    let listed = ctx
        .client()
        .list_all("listSSHKeyPairs", Params::new().with("name", &name))
        .await?;
    listed.len().should().equal(1);
    listed[0]["fingerprint"]
        .should()
        .equal(fingerprint.as_str());
    listed[0]["privatekey"].is_null().should().equal(true);

    ctx.client()
        .call(api("createSSHKeyPair"))
        .params(Params::new().with("name", &name))
        .await
        .should()
        .fail_with(ErrorCode::ParamError);

    pair.delete().await?;
    ctx.client()
        .list_all("listSSHKeyPairs", Params::new().with("name", &name))
        .await?
        .should()
        .be_empty();
    Ok(())
}

/// A registered public key gets the MD5 fingerprint of its key blob; a
/// malformed key is refused (431). (Registered by a fresh account: an
/// account may hold a public key only once.)
pub async fn register_public_key(ctx: &mut TestContext) -> Result<()> {
    let account = user_account(ctx).await?;
    let as_user = client_of(ctx, &account).await?;
    let pair = create_with(
        ctx,
        &as_user,
        &REGISTERED_SSH_KEY_PAIR,
        Params::new()
            .with("name", unique("registered"))
            .with("publickey", PUBLIC_KEY),
    )
    .await?;
    pair["fingerprint"].should().equal(FINGERPRINT);
    as_user
        .call(api("registerSSHKeyPair"))
        .params(
            Params::new()
                .with("name", unique("bad"))
                .with("publickey", "ssh-ed25519 not-base64!"),
        )
        .await
        .should()
        .fail_with(ErrorCode::ParamError);
    Ok(())
}

/// A VM deployed with a key pair names it.
pub async fn deploy_with_a_key_pair(ctx: &mut TestContext) -> Result<()> {
    let name = unique("vmkey");
    let _pair = create(ctx, &SSH_KEY_PAIR, Params::new().with("name", &name)).await?;
    let vm = deploy(ctx, Params::new().with("keypairs", &name)).await?;
    let named = vm["keypairs"].as_str().unwrap_or_default().to_string()
        + vm["keypair"].as_str().unwrap_or_default();
    named.should().contain(name.as_str());
    Ok(())
}
