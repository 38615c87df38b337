// Per-call options are the call's, never the caller's say about the API:
// only an async API's call has `no_wait`, there is no option saying a
// command is async, and a request built without a client (it is never
// sent) takes no per-call options.
use marvin::entities::{CallOptions, Zone, commands};

async fn misuse(client: &marvin::core::Client) -> marvin::Result<()> {
    // listZones is sync: nothing to leave unwaited.
    let _ = Zone::list(client).no_wait().await?;
    // Whether a command is async comes from the precache.
    let _ = Zone::list(client).is_async(true).await?;
    // `builder()` only builds the request.
    let _ = commands::CreateDomain::builder()
        .name("d1")
        .post()
        .into_request();
    Ok(())
}

fn main() {
    let _ = misuse;
}
