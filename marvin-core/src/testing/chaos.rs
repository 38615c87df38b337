//! Injected panics: with `MARVIN_CHAOS_PANIC=p` (`0 < p ≤ 1`), each test
//! panics with probability `p` at a random point of its run, so that a
//! suite can check that cleanup holds when tests die half-way.
//!
//! The point is "just before the test's k-th API call", k drawn from a
//! geometric distribution of mean [`MEAN_CALL`] (`P(k) = (1 - 1/m)^(k-1) / m`:
//! early calls are the likeliest, any call can be hit), found by the
//! observer of the test's clients; the
//! panic unwinds from the test's own code path, exactly as a failed
//! assertion before that call would. So that the panic never cuts a
//! creation in two (a request sent, its answer never registered), it waits
//! for a moment when none of the test's calls is in flight: the first call
//! from the k-th on that starts while no other call of the test is running.
//! A test that makes fewer calls panics at the end of its body instead (if
//! the body returned an error, the panic message quotes it), so the share
//! of panicking tests is `p` whatever they do. Either way the test's cleanup
//! runs as after any panic.
//!
//! Which tests panic, and where, depends only on the seed
//! (`MARVIN_CHAOS_SEED`, random when unset) and the test's name, so a run
//! can be replayed; every injected panic's message starts with
//! [`CHAOS_MARKER`] and names the seed.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::trace::ApiTrace;
use crate::observer::{CallObserver, CallRecord};

/// The start of every injected panic's message.
pub const CHAOS_MARKER: &str = "[marvin chaos]";

/// The mean of the geometric distribution the call before which a test
/// panics is drawn from (the smoke scenarios make 2 to 15 calls).
pub const MEAN_CALL: u32 = 6;

/// Whether a panic message is one of an injected panic.
pub fn is_chaos_panic(message: &str) -> bool {
    message.starts_with(CHAOS_MARKER)
}

/// Settings of injected panics (see the [module](self) documentation).
#[derive(Debug, Clone, Copy)]
pub struct ChaosSettings {
    probability: f64,
    seed: u64,
}

impl PartialEq for ChaosSettings {
    fn eq(&self, other: &Self) -> bool {
        self.probability.to_bits() == other.probability.to_bits() && self.seed == other.seed
    }
}

impl Eq for ChaosSettings {}

impl fmt::Display for ChaosSettings {
    /// `MARVIN_CHAOS_PANIC=0.1 MARVIN_CHAOS_SEED=42`: what replays it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "MARVIN_CHAOS_PANIC={} MARVIN_CHAOS_SEED={}",
            self.probability, self.seed
        )
    }
}

impl ChaosSettings {
    /// Each test panics with `probability` (`0 < p ≤ 1`), decided with
    /// `seed`; an error text for a probability out of range.
    pub fn new(probability: f64, seed: u64) -> Result<Self, String> {
        if !(probability > 0.0 && probability <= 1.0) {
            return Err(format!(
                "the chaos panic probability must be above 0 and at most 1, not {probability}"
            ));
        }
        Ok(Self { probability, seed })
    }

    /// From `MARVIN_CHAOS_PANIC` (unset, empty or `0`: none) and
    /// `MARVIN_CHAOS_SEED` (default: drawn once per process, so the tests of
    /// one process share it). A value that does not parse, or is out of
    /// range, is an error.
    pub fn from_env() -> Result<Option<Self>, String> {
        let var = |name| {
            std::env::var(name)
                .ok()
                .map(|v: String| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let Some(probability) = var("MARVIN_CHAOS_PANIC") else {
            return Ok(None);
        };
        let probability: f64 = probability
            .parse()
            .map_err(|_| format!("MARVIN_CHAOS_PANIC={probability} is not a number"))?;
        if probability == 0.0 {
            return Ok(None);
        }
        let seed = match var("MARVIN_CHAOS_SEED") {
            Some(seed) => seed
                .parse()
                .map_err(|_| format!("MARVIN_CHAOS_SEED={seed} is not an unsigned integer"))?,
            None => process_seed(),
        };
        Self::new(probability, seed)
            .map(Some)
            .map_err(|e| format!("MARVIN_CHAOS_PANIC: {e}"))
    }

    /// The probability that a test panics.
    pub fn probability(&self) -> f64 {
        self.probability
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Whether the test `name` panics, and before which of its API calls
    /// (1-based): `None` if it does not.
    pub fn plan(&self, name: &str) -> Option<u32> {
        // FNV-1a of the name, so that the choice does not depend on the
        // order tests run in.
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut rng = StdRng::seed_from_u64(self.seed ^ hash);
        let panics = rng.random_bool(self.probability);
        let mut call = 1;
        while call < u32::MAX && !rng.random_bool(1.0 / f64::from(MEAN_CALL)) {
            call += 1;
        }
        panics.then_some(call)
    }
}

/// A random seed, the same for the whole process.
fn process_seed() -> u64 {
    static SEED: OnceLock<u64> = OnceLock::new();
    *SEED.get_or_init(rand::random)
}

#[derive(Debug, Default)]
struct State {
    /// Calls announced so far.
    started: u32,
    /// Calls announced and not yet finished.
    in_flight: u32,
    /// Whether the panic is still to come.
    armed: bool,
}

/// One test's planned panic.
#[derive(Debug)]
pub(crate) struct Armed {
    test: String,
    call: u32,
    settings: ChaosSettings,
    state: Mutex<State>,
}

impl Armed {
    /// The panic of test `test` under `settings`, if it has one.
    pub(crate) fn plan(settings: &ChaosSettings, test: &str) -> Option<Arc<Self>> {
        let call = settings.plan(test)?;
        Some(Arc::new(Self {
            test: test.to_string(),
            call,
            settings: *settings,
            state: Mutex::new(State {
                armed: true,
                ..State::default()
            }),
        }))
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn message(&self, place: &str) -> String {
        format!(
            "{CHAOS_MARKER} injected panic {place} of {} (planned before call {}; replay with {})",
            self.test, self.call, self.settings
        )
    }

    /// A call is about to start: panics here when its time has come.
    fn on_start(&self, command: &str) {
        let mut state = self.lock();
        state.started += 1;
        if state.armed && state.started >= self.call && state.in_flight == 0 {
            state.armed = false;
            let place = format!("before API call {} ({command})", state.started);
            drop(state);
            panic!("{}", self.message(&place));
        }
        state.in_flight += 1;
    }

    fn on_call(&self) {
        let mut state = self.lock();
        state.in_flight = state.in_flight.saturating_sub(1);
    }

    /// The body ended (with `outcome`) without the panic having happened:
    /// it happens now.
    pub(crate) fn end_of_body(&self, outcome: &crate::Result<()>) {
        let mut state = self.lock();
        if state.armed {
            state.armed = false;
            let mut place = format!("at the end of the body, after {} API calls", state.started);
            if let Err(error) = outcome {
                place = format!("{place} (the body had returned an error: {error})");
            }
            drop(state);
            panic!("{}", self.message(&place));
        }
    }

    /// The body is over: no panic from now on (cleanup calls go through
    /// the same clients).
    pub(crate) fn disarm(&self) {
        self.lock().armed = false;
    }
}

/// The observer of a test's clients: its API trace, and the planned panic.
#[derive(Debug)]
pub(crate) struct TestObserver {
    pub(crate) trace: Arc<ApiTrace>,
    pub(crate) chaos: Option<Arc<Armed>>,
}

impl CallObserver for TestObserver {
    fn on_call(&self, record: &CallRecord) {
        if let Some(chaos) = &self.chaos {
            chaos.on_call();
        }
        self.trace.on_call(record);
    }

    fn on_start(&self, command: &str) {
        if let Some(chaos) = &self.chaos {
            chaos.on_start(command);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::*;

    fn panic_message(result: std::thread::Result<()>) -> Option<String> {
        result.err().map(|payload| {
            payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_default()
        })
    }

    #[test]
    fn probabilities_out_of_range_are_refused() {
        for bad in [0.0, -0.1, 1.5, f64::NAN] {
            assert!(ChaosSettings::new(bad, 1).is_err(), "{bad}");
        }
        assert!(ChaosSettings::new(1.0, 1).is_ok());
        assert!(ChaosSettings::new(0.001, 1).is_ok());
    }

    #[test]
    fn plans_depend_on_the_seed_and_name_only_and_follow_the_probability() {
        let settings = ChaosSettings::new(0.1, 7).unwrap();
        let names: Vec<String> = (0..4000).map(|n| format!("suite::test_{n}")).collect();
        let plans: Vec<Option<u32>> = names.iter().map(|n| settings.plan(n)).collect();
        let again: Vec<Option<u32>> = names.iter().map(|n| settings.plan(n)).collect();
        assert_eq!(plans, again);
        let panicking = plans.iter().flatten().count();
        // 400 expected; 5 standard deviations is about 95.
        assert!((300..=500).contains(&panicking), "{panicking} of 4000");
        let calls: Vec<u32> = plans.iter().flatten().copied().collect();
        assert!(calls.iter().all(|k| *k >= 1));
        let mean = f64::from(calls.iter().sum::<u32>()) / calls.len() as f64;
        assert!((4.5..=7.5).contains(&mean), "mean call {mean}");
        assert!(calls.iter().filter(|k| **k == 1).count() > calls.len() / 10);
        let other = ChaosSettings::new(0.1, 8).unwrap();
        let differs = names
            .iter()
            .filter(|n| other.plan(n) != settings.plan(n))
            .count();
        assert!(differs > 100, "{differs}");
        let always = ChaosSettings::new(1.0, 7).unwrap();
        assert!(names.iter().all(|n| always.plan(n).is_some()));
    }

    fn armed_at(call: u32) -> Armed {
        Armed {
            test: "t::x".into(),
            call,
            settings: ChaosSettings::new(1.0, 3).unwrap(),
            state: Mutex::new(State {
                armed: true,
                ..State::default()
            }),
        }
    }

    #[test]
    fn the_panic_comes_before_the_planned_call_and_only_once() {
        let armed = armed_at(3);
        for command in ["listZones", "createAccount"] {
            armed.on_start(command);
            armed.on_call();
        }
        let message = panic_message(catch_unwind(AssertUnwindSafe(|| {
            armed.on_start("deployVirtualMachine")
        })))
        .expect("the third call panics");
        assert!(is_chaos_panic(&message), "{message}");
        assert!(
            message.contains("before API call 3 (deployVirtualMachine) of t::x"),
            "{message}"
        );
        assert!(message.contains("MARVIN_CHAOS_SEED=3"), "{message}");
        armed.on_start("listZones");
        armed.on_call();
        armed.end_of_body(&Ok(()));
    }

    #[test]
    fn the_panic_waits_until_no_call_is_in_flight() {
        let armed = armed_at(2);
        armed.on_start("deployVirtualMachine");
        // A concurrent call while the first is still running: not yet.
        armed.on_start("deployVirtualMachine");
        armed.on_call();
        armed.on_call();
        let message = panic_message(catch_unwind(AssertUnwindSafe(|| {
            armed.on_start("listVirtualMachines")
        })))
        .expect("the first call with none in flight panics");
        assert!(message.contains("before API call 3"), "{message}");
    }

    #[test]
    fn a_short_test_panics_at_the_end_unless_disarmed() {
        let armed = armed_at(5);
        armed.on_start("listZones");
        armed.on_call();
        let message = panic_message(catch_unwind(AssertUnwindSafe(|| {
            armed.end_of_body(&Ok(()))
        })))
        .expect("panics at the end");
        assert!(
            message.contains("at the end of the body, after 1 API calls of t::x"),
            "{message}"
        );
        let failed = armed_at(5);
        let outcome = Err(crate::Error::setup("no zone"));
        let message = panic_message(catch_unwind(AssertUnwindSafe(|| {
            failed.end_of_body(&outcome)
        })))
        .expect("panics at the end");
        assert!(
            message.contains("the body had returned an error: client setup: no zone"),
            "{message}"
        );
        let disarmed = armed_at(1);
        disarmed.disarm();
        disarmed.on_start("listZones");
        disarmed.end_of_body(&Ok(()));
    }
}
