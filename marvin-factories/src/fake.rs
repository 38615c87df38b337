//! Realistic fake data (names, emails, passwords, words), from the `fake`
//! crate.
//!
//! Every thread draws from its own random generator. Without `MARVIN_SEED`
//! it is seeded from the operating system. With `MARVIN_SEED=<number>` it is
//! seeded from that number and the thread's name, so the data of a test is
//! the same on every run: `cargo test` runs each test on a thread named
//! after it and `cargo nextest` runs it in its own process, and
//! `#[marvin::test]` runs the body on that thread. (Data made concurrently
//! inside one test, as by `create_batch`, is drawn in the order the
//! attributes are evaluated.) The sequences of [`sequence`](crate::sequence())
//! never depend on the seed: they must stay unique across runs.

use std::cell::RefCell;

use ::fake::Fake;
use ::fake::faker::company::en::Buzzword;
use ::fake::faker::lorem::en::Word;
use ::fake::faker::name::en::{FirstName, LastName};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The environment variable that seeds fake data.
pub const SEED_VAR: &str = "MARVIN_SEED";

thread_local! {
    static RNG: RefCell<StdRng> = RefCell::new(new_rng());
}

fn new_rng() -> StdRng {
    match seed_from_env() {
        Some(seed) => StdRng::seed_from_u64(mix(seed, std::thread::current().name().unwrap_or(""))),
        None => StdRng::from_os_rng(),
    }
}

/// The seed in `MARVIN_SEED`, if it is set to a number.
pub fn seed_from_env() -> Option<u64> {
    std::env::var(SEED_VAR).ok()?.trim().parse().ok()
}

/// Mixes a seed with a thread name (FNV-1a over both).
fn mix(seed: u64, name: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in seed.to_le_bytes().iter().chain(name.as_bytes()) {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Reseeds this thread's generator (tests of reproducibility use it).
pub fn reseed(seed: u64) {
    RNG.with(|rng| *rng.borrow_mut() = StdRng::seed_from_u64(seed));
}

/// Runs `f` with this thread's generator.
pub fn with_rng<T>(f: impl FnOnce(&mut StdRng) -> T) -> T {
    RNG.with(|rng| f(&mut rng.borrow_mut()))
}

/// A first name (`Ada`).
pub fn first_name() -> String {
    with_rng(|rng| FirstName().fake_with_rng(rng))
}

/// A last name (`Lovelace`).
pub fn last_name() -> String {
    with_rng(|rng| LastName().fake_with_rng(rng))
}

/// `first.last@example.com`, lower-cased, letters and digits only in each
/// part (names like `O'Keefe` become `okeefe`).
pub fn email(first: &str, last: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase()
    };
    let (first, last) = (clean(first), clean(last));
    let local = match (first.is_empty(), last.is_empty()) {
        (false, false) => format!("{first}.{last}"),
        (false, true) => first,
        (true, false) => last,
        (true, true) => "user".to_string(),
    };
    format!("{local}@example.com")
}

/// A password of 20 characters with lower- and upper-case letters, digits
/// and a symbol (it satisfies common password policies).
pub fn password() -> String {
    const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    with_rng(|rng| {
        let mut out = String::with_capacity(20);
        for i in 0..20 {
            let set = match i % 4 {
                0 => UPPER,
                3 => DIGIT,
                _ => LOWER,
            };
            out.push(char::from(set[rng.random_range(0..set.len())]));
        }
        out.push('!');
        out
    })
}

/// A lower-case word (`dolor`).
pub fn word() -> String {
    with_rng(|rng| Word().fake_with_rng::<String, _>(rng)).to_ascii_lowercase()
}

/// A short description: two buzzwords and a word (`Adaptive robust dolor`).
pub fn description() -> String {
    with_rng(|rng| {
        let a: String = Buzzword().fake_with_rng(rng);
        let b: String = Buzzword().fake_with_rng(rng);
        let c: String = Word().fake_with_rng(rng);
        let mut text = format!("{a} {b} {c}").to_ascii_lowercase();
        if let Some(first) = text.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        text
    })
}

/// A number in `range`.
pub fn number(range: std::ops::Range<i64>) -> i64 {
    with_rng(|rng| rng.random_range(range))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_data() {
        reseed(7);
        let first = (first_name(), last_name(), password(), word(), description());
        reseed(7);
        let again = (first_name(), last_name(), password(), word(), description());
        assert_eq!(first, again);
        reseed(8);
        let other = (first_name(), last_name(), password(), word(), description());
        assert_ne!(first, other);
    }

    #[test]
    fn emails_and_passwords_have_their_shape() {
        assert_eq!(email("Ada", "O'Keefe"), "ada.okeefe@example.com");
        assert_eq!(email("", "Émile"), "mile@example.com");
        assert_eq!(email("", ""), "user@example.com");
        let password = password();
        assert_eq!(password.len(), 21);
        assert!(password.chars().any(|c| c.is_ascii_uppercase()));
        assert!(password.chars().any(|c| c.is_ascii_lowercase()));
        assert!(password.chars().any(|c| c.is_ascii_digit()));
    }

    #[test]
    fn threads_are_seeded_by_name() {
        assert_eq!(mix(1, "a::b"), mix(1, "a::b"));
        assert_ne!(mix(1, "a::b"), mix(1, "a::c"));
        assert_ne!(mix(1, "a::b"), mix(2, "a::b"));
    }
}
