//! What the simulator's benchmarks share: their command line and their
//! statistics.

// Each example uses its own part of this module.
#![allow(dead_code)]

use std::time::Duration;

/// Reads the `--name N` flags of the command line into `slots`, each flag
/// into the number its name is paired with; an unknown flag, or one
/// without a number, stops the program.
pub fn read_flags(slots: &mut [(&str, &mut u64)]) {
    let mut raw = std::env::args().skip(1);
    while let Some(flag) = raw.next() {
        let value = raw
            .next()
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("{flag} needs a number"));
        let slot = slots
            .iter_mut()
            .find(|(name, _)| *name == flag)
            .unwrap_or_else(|| panic!("unknown flag {flag}"));
        *slot.1 = value;
    }
}

/// The median of some samples.
pub fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}
