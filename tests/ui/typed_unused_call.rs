// A call does nothing until it is awaited: one left unawaited is an error
// where unused results are denied, whatever was set on it.
#![deny(unused_must_use)]

use marvin::entities::{CallOptions, VirtualMachine, api};

async fn forgotten(client: &marvin::core::Client, vm: &VirtualMachine) {
    // A typed verb with its arguments.
    vm.stop(client).forced(true);
    // A per-call option returns the call, still unsent.
    VirtualMachine::list(client).post();
    // An async verb sent without waiting: its submission, unsent too.
    vm.start(client).no_wait();
    // An untyped call.
    client.call(api("listZones")).param("available", true);
}

fn main() {
    let _ = forgotten;
}
