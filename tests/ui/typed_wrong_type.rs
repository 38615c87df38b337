// Arguments are named, so they cannot be swapped; one of the wrong type
// does not compile.
use marvin::entities::{Account, VirtualMachine};

async fn misuse(client: &marvin::core::Client, account: &Account) -> marvin::Result<()> {
    // A zone id where a bool is expected.
    let _ = account.disable(client).lock("zone-1").await?;
    // A number where a string is expected.
    let _ = VirtualMachine::create(client)
        .serviceofferingid("so-1")
        .templateid("tpl-1")
        .zoneid(42)
        .await?;
    Ok(())
}

fn main() {
    let _ = misuse;
}
