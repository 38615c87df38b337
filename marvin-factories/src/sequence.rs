//! Unique names: `user-k3j9-x8f2pq-1c`.
//!
//! A name is a prefix and three parts, each in lower-case base 36:
//!
//! 1. the **run**: 4 characters hashed from the run id
//!    ([`marvin_core::cleanup::run_id`]: `MARVIN_RUN_ID`, `NEXTEST_RUN_ID`, or
//!    one per process), so names of different runs differ and a person can
//!    tell which run made what;
//! 2. the **process**: 6 random characters drawn once per process (always
//!    from the operating system, also when `MARVIN_SEED` is set), because
//!    under `cargo nextest` every test is a process whose counter starts at
//!    zero, and processes of one run share the run id;
//! 3. the **counter**: an atomic counter of the process, so names made
//!    concurrently by the threads of one process never repeat.
//!
//! Names fit CloudStack's strictest rule (host names of VMs): letters,
//! digits and hyphens, starting with a letter, at most 63 characters.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The longest name made (a DNS label).
pub(crate) const MAX_LEN: usize = 63;

/// The next number of this process's sequence (0, 1, 2, ...).
pub fn next() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

/// A unique name starting with `prefix`: `sequence("vm")` gives
/// `vm-k3j9-x8f2pq-0`, then `vm-k3j9-x8f2pq-1`, ...
///
/// The prefix is compacted to fit the rules (lower-cased, characters other
/// than letters, digits and hyphens dropped, a leading `m` added when it
/// does not start with a letter, shortened to keep the whole within
/// 63 characters).
///
/// ```
/// let a = marvin_factories::sequence("web server");
/// let b = marvin_factories::sequence("web server");
/// assert_ne!(a, b);
/// assert!(a.starts_with("webserver-"));
/// assert!(a.len() <= 63);
/// ```
pub fn sequence(prefix: &str) -> String {
    name(prefix, next())
}

/// A number of `range` that differs from the ones this function gave
/// before in this process, until the range is used up (then it wraps): for
/// VLANs, ports and subnets that must not clash. Each process starts at a
/// random place of the range, so processes rarely overlap.
///
/// ```
/// let a = marvin_factories::unique_in(100..4000);
/// let b = marvin_factories::unique_in(100..4000);
/// assert!((100..4000).contains(&a) && a != b);
/// ```
pub fn unique_in(range: std::ops::Range<i64>) -> i64 {
    static OFFSET: OnceLock<u64> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let len = range.end.saturating_sub(range.start).max(1) as u64;
    let offset = *OFFSET.get_or_init(rand::random::<u64>);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    range.start + (offset.wrapping_add(n) % len) as i64
}

/// The unique part of a name: run, process and the next counter value
/// (`k3j9-x8f2pq-1c`).
pub fn unique_suffix() -> String {
    suffix(next())
}

fn suffix(n: u64) -> String {
    format!("{}-{}-{}", run_token(), process_token(), base36(n))
}

pub(crate) fn name(prefix: &str, n: u64) -> String {
    let suffix = suffix(n);
    let kept: String = prefix
        .chars()
        .filter_map(|c| {
            let c = c.to_ascii_lowercase();
            (c.is_ascii_alphanumeric() || c == '-').then_some(c)
        })
        .collect();
    let mut prefix = kept.trim_matches('-').to_string();
    if !prefix.starts_with(|c: char| c.is_ascii_alphabetic()) {
        prefix.insert(0, 'm');
    }
    let room = MAX_LEN - suffix.len() - 1;
    prefix.truncate(room);
    let prefix = prefix.trim_end_matches('-');
    format!("{prefix}-{suffix}")
}

/// 4 characters for the run.
pub fn run_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| token_of(marvin_core::cleanup::run_id(), 4))
}

/// 6 random characters for this process.
pub fn process_token() -> &'static str {
    static TOKEN: OnceLock<String> = OnceLock::new();
    TOKEN.get_or_init(|| {
        let random: u64 = rand::random();
        let mut token = base36(random);
        token.truncate(6);
        while token.len() < 6 {
            token.insert(0, '0');
        }
        token
    })
}

/// `len` base-36 characters of a stable hash (FNV-1a) of `text`.
fn token_of(text: &str, len: usize) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::with_capacity(len);
    for _ in 0..len {
        out.push(digit((hash % 36) as u8));
        hash /= 36;
    }
    out
}

fn digit(d: u8) -> char {
    char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 })
}

/// `n` in lower-case base 36.
pub(crate) fn base36(mut n: u64) -> String {
    if n == 0 {
        return "0".into();
    }
    let mut out = Vec::new();
    while n > 0 {
        out.push(digit((n % 36) as u8));
        n /= 36;
    }
    out.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn valid(name: &str) -> bool {
        name.len() <= MAX_LEN
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && !name.ends_with('-')
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    }

    #[test]
    fn names_follow_the_host_name_rules() {
        for prefix in [
            "vm",
            "Web Server!",
            "42nd",
            "",
            "---",
            "ünïcode",
            &"x".repeat(200),
            "a-",
        ] {
            let made = sequence(prefix);
            assert!(valid(&made), "{prefix:?} gave {made:?}");
        }
        assert!(sequence("Web Server!").starts_with("webserver-"));
        assert!(sequence("42nd").starts_with("m42nd-"));
    }

    #[test]
    fn the_parts_are_run_process_and_counter() {
        assert_eq!(
            name("vm", 36),
            format!("vm-{}-{}-10", run_token(), process_token())
        );
        assert_eq!(run_token().len(), 4);
        assert_eq!(process_token().len(), 6);
        assert_eq!(token_of("run-1", 4), token_of("run-1", 4));
        assert_ne!(token_of("run-1", 4), token_of("run-2", 4));
        assert_eq!(base36(0), "0");
        assert_eq!(base36(35), "z");
        assert_eq!(base36(36 * 36), "100");
    }

    #[test]
    fn unique_numbers_do_not_repeat_until_the_range_is_used_up() {
        let numbers: HashSet<i64> = (0..50).map(|_| unique_in(10..60)).collect();
        assert_eq!(numbers.len(), 50);
        assert!(numbers.iter().all(|n| (10..60).contains(n)));
    }

    #[test]
    fn threads_never_repeat_a_name() {
        let names: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| scope.spawn(|| (0..500).map(|_| sequence("t")).collect::<Vec<_>>()))
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("no panic"))
                .collect()
        });
        let unique: HashSet<&String> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
    }
}
