// A VM needs a service offering, a template and a zone: forgetting one is
// a compile error that names it.
use marvin::entities::VirtualMachine;

async fn deploy(client: &marvin::core::Client) -> marvin::Result<()> {
    let vm = VirtualMachine::create(client)
        .zoneid("zone-1")
        .templateid("template-1")
        .name("web-1")
        .await?;
    let _ = vm;
    Ok(())
}

fn main() {
    let _ = deploy;
}
