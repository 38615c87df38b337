//! [`SoftAssertions`]: gather several failures, report them together.

use std::fmt::Write as _;
use std::panic::Location;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::{Should, Subject};

/// Collects the failures of several checks and reports them all at once.
///
/// ```
/// use marvin_core::should::{Should, SoftAssertions};
/// let soft = SoftAssertions::new();
/// soft.check(&"Stopped").named("vm.state").equal("Running");
/// soft.check(&2).named("nics").be_at_least(1);
/// soft.check(&"").named("vm.name").not().be_empty();
/// let report = soft.into_result().unwrap_err();
/// assert!(report.starts_with("2 of 3 soft assertions failed:\n\n1) vm.state should equal \"Running\""));
/// ```
///
/// [`finish`](Self::finish) panics with the report when anything failed.
/// Dropping a scope that holds unreported failures panics too (unless the
/// thread is already panicking), so failures cannot be lost by forgetting
/// `finish`. The scope is `Sync`: checks may be made from several tasks.
#[derive(Debug, Default)]
pub struct SoftAssertions {
    failures: Mutex<Vec<String>>,
    checks: AtomicUsize,
    reported: AtomicBool,
}

impl SoftAssertions {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a soft assertion on `actual` (named in failures as the source
    /// spells the argument, `soft.check(&vm.state)`: `vm.state`).
    #[track_caller]
    pub fn check<'s, T>(&'s self, actual: &'s T) -> Subject<'s, T> {
        actual.should().softly(self)
    }

    /// Starts a negated soft assertion on `actual`.
    #[track_caller]
    pub fn check_not<'s, T>(&'s self, actual: &'s T) -> Subject<'s, T> {
        actual.should_not().softly(self)
    }

    pub(super) fn record(
        &self,
        passed: bool,
        message: impl FnOnce() -> String,
        location: &Location<'_>,
    ) {
        self.checks.fetch_add(1, Ordering::Relaxed);
        if !passed {
            let entry = format!("{}\nat {location}", message());
            self.failures
                .lock()
                .unwrap_or_else(|poison| poison.into_inner())
                .push(entry);
        }
    }

    /// The number of failed checks so far.
    pub fn failure_count(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .len()
    }

    /// The report of all failures so far, `None` when every check passed.
    /// Each failure gives its message and the place of the check.
    pub fn report(&self) -> Option<String> {
        let failures = self
            .failures
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if failures.is_empty() {
            return None;
        }
        let checks = self.checks.load(Ordering::Relaxed);
        let noun = if checks == 1 {
            "assertion"
        } else {
            "assertions"
        };
        let mut report = format!("{} of {checks} soft {noun} failed:", failures.len());
        for (index, failure) in failures.iter().enumerate() {
            let number = format!("{}) ", index + 1);
            let pad = " ".repeat(number.len());
            report.push_str("\n\n");
            for (line_index, line) in failure.lines().enumerate() {
                if line_index > 0 {
                    report.push('\n');
                    report.push_str(&pad);
                } else {
                    report.push_str(&number);
                }
                let _ = write!(report, "{line}");
            }
        }
        Some(report)
    }

    /// Ends the scope: `Ok` when every check passed, else the report.
    pub fn into_result(self) -> Result<(), String> {
        self.reported.store(true, Ordering::Relaxed);
        match self.report() {
            None => Ok(()),
            Some(report) => Err(report),
        }
    }

    /// Ends the scope, panicking with the report if any check failed.
    #[track_caller]
    pub fn finish(self) {
        if let Err(report) = self.into_result() {
            panic!("{report}");
        }
    }
}

impl Drop for SoftAssertions {
    fn drop(&mut self) {
        if self.reported.load(Ordering::Relaxed) || std::thread::panicking() {
            return;
        }
        if let Some(report) = self.report() {
            panic!("soft assertions dropped without finish():\n{report}");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::SoftAssertions;

    fn panic_text(f: impl FnOnce()) -> String {
        let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("should panic");
        payload
            .downcast_ref::<String>()
            .cloned()
            .expect("a String panic")
    }

    #[test]
    fn all_failures_are_reported_together_with_their_places() {
        let soft = SoftAssertions::new();
        let state = "Stopped";
        let nics: Vec<&str> = vec![];
        soft.check(&state).named("vm.state").equal("Running");
        soft.check(&nics).named("vm.nics").have_length(1);
        soft.check_not(&state).be_empty();
        let line = line!() - 3;
        assert_eq!(soft.failure_count(), 2);
        let report = panic_text(|| soft.finish());
        let file = file!();
        assert_eq!(
            report,
            format!(
                "2 of 3 soft assertions failed:

1) vm.state should equal \"Running\"
     actual: \"Stopped\"
   at {file}:{line}:46

2) vm.nics should have length 1
     actual length: 0
     actual: []
   at {file}:{}:44",
                line + 1
            )
        );
    }

    #[test]
    fn a_soft_check_names_its_argument() {
        let soft = SoftAssertions::new();
        let vm_state = Some("Stopped");
        soft.check(&vm_state).have_value("Running");
        let report = soft.into_result().unwrap_err();
        assert!(
            report.contains("1) vm_state should have value \"Running\"\n"),
            "{report}"
        );
    }

    #[test]
    fn should_macros_can_be_soft() {
        let soft = SoftAssertions::new();
        let count = 3;
        crate::should!(count).softly(&soft).be_less_than(2);
        let report = soft.into_result().unwrap_err();
        assert!(report.starts_with("1 of 1 soft assertion failed:\n\n1) count should be less than 2\n     actual: 3\n   at "), "{report}");
    }

    #[test]
    fn a_clean_scope_finishes_quietly() {
        let soft = SoftAssertions::new();
        soft.check(&1).equal(1);
        soft.check(&"a").contain("a");
        assert_eq!(soft.failure_count(), 0);
        soft.finish();
    }

    #[test]
    fn dropping_unreported_failures_panics() {
        let report = panic_text(|| {
            let soft = SoftAssertions::new();
            soft.check(&1).equal(2);
        });
        assert!(
            report.starts_with(
                "soft assertions dropped without finish():\n1 of 1 soft assertion failed:"
            ),
            "{report}"
        );
    }
}
