//! Where a test's body gave up: the `?` that returned its error.
//!
//! A test that returns `Err` from `client.call(..).await?` would
//! otherwise be reported without a place: the error was made deep in the
//! client, and `?` between two values of the same error type converts
//! nothing, so no `#[track_caller]` conversion can see the test's line.
//! `#[marvin::test]` therefore wraps each `?` of the body (not those of
//! closures, async blocks or nested items, whose errors do not leave the
//! test) in a [`TrySite`]: a guard made, with the `?`'s own place, just
//! before the `?` runs, and told when the value passed. A guard dropped
//! without having passed means the `?` returned from the body; it records
//! its place for the test's outcome ([`ScenarioOutcome::error_location`]),
//! so that the terminal, the JUnit file and the HTML report show
//! `tests/vms.rs:42:57`. A `return` of the body records its place too, once
//! its value is made (a test that returns `Err(..)` itself).
//!
//! [`ScenarioOutcome::error_location`]: super::ScenarioOutcome::error_location

use std::future::Future;
use std::panic::Location;
use std::sync::{Arc, Mutex};

/// The place of the last `?` that returned from the body of the running
/// test, shared between its task and its runner.
pub(crate) type SiteSlot = Arc<Mutex<Option<&'static Location<'static>>>>;

tokio::task_local! {
    static CURRENT: SiteSlot;
}

/// The guard `#[marvin::test]` puts around each `?` of a test's body; not
/// meant to be written by hand.
///
/// ```text
/// // `let vm = deploy(ctx).await?;` becomes, in effect:
/// let vm = match deploy(ctx).await {
///     tried => {
///         let site = TrySite::enter(); // the place of the `?`
///         let value = tried?;          // an error drops `site` unpassed
///         site.passed();
///         value
///     }
/// };
/// ```
#[doc(hidden)]
#[derive(Debug)]
#[must_use]
pub struct TrySite {
    at: &'static Location<'static>,
    passed: bool,
}

impl TrySite {
    /// A guard for the `?` at the caller's place.
    #[track_caller]
    #[inline]
    pub fn enter() -> Self {
        Self {
            at: Location::caller(),
            passed: false,
        }
    }

    /// The `?` let its value through: the body goes on, so an earlier
    /// recorded place (of a `?` whose error was handled) is forgotten.
    #[inline]
    pub fn passed(mut self) {
        self.passed = true;
        let _ = CURRENT.try_with(|slot| *lock(slot) = None);
    }
}

impl Drop for TrySite {
    fn drop(&mut self) {
        // A panic has its own place; outside a test's task there is no slot.
        if self.passed || std::thread::panicking() {
            return;
        }
        let _ = CURRENT.try_with(|slot| *lock(slot) = Some(self.at));
    }
}

fn lock(slot: &SiteSlot) -> std::sync::MutexGuard<'_, Option<&'static Location<'static>>> {
    slot.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs `body` with `slot` receiving the place of the `?` that returns
/// from it.
pub(crate) async fn watch<F: Future>(slot: SiteSlot, body: F) -> F::Output {
    CURRENT.scope(slot, body).await
}

/// The recorded place, as `file:line:column`.
pub(crate) fn recorded(slot: &SiteSlot) -> Option<String> {
    lock(slot).map(|at| format!("{}:{}:{}", at.file(), at.line(), at.column()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fails() -> Result<(), String> {
        Err("refused".into())
    }

    fn succeeds() -> Result<u32, String> {
        Ok(7)
    }

    /// What `#[marvin::test]` makes of `expr?`.
    macro_rules! tried {
        ($e:expr) => {
            match $e {
                tried => {
                    let site = TrySite::enter();
                    let value = tried?;
                    site.passed();
                    value
                }
            }
        };
    }

    async fn body() -> Result<(), String> {
        let seven = tried!(succeeds());
        assert_eq!(seven, 7);
        let line = line!() + 1;
        tried!(fails());
        unreachable!("{line}")
    }

    #[tokio::test]
    async fn the_place_of_the_question_mark_that_returned_is_recorded() {
        let slot = SiteSlot::default();
        let result = watch(slot.clone(), body()).await;
        assert_eq!(result, Err("refused".to_string()));
        let place = recorded(&slot).expect("a place");
        let source = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .parent()
                .unwrap()
                .join(file!()),
        )
        .unwrap();
        let (file, rest) = place.split_once(':').unwrap();
        assert_eq!(file, file!());
        let line: usize = rest.split(':').next().unwrap().parse().unwrap();
        assert!(
            source
                .lines()
                .nth(line - 1)
                .unwrap()
                .contains("tried!(fails());")
                && source.lines().nth(line).unwrap().contains("unreachable!"),
            "{place}"
        );
    }

    #[tokio::test]
    async fn an_error_handled_inside_the_body_is_forgotten_once_it_goes_on() {
        let slot = SiteSlot::default();
        let result = watch(slot.clone(), async {
            let handled = (|| -> Result<(), String> {
                tried!(fails());
                Ok(())
            })();
            assert!(handled.is_err());
            tried!(succeeds());
            // Returned without `?`: no place is known, and none is made up.
            Err::<(), String>("returned".into())
        })
        .await;
        assert!(result.is_err());
        assert_eq!(recorded(&slot), None);
    }

    #[tokio::test]
    async fn a_body_that_passes_records_nothing() {
        let slot = SiteSlot::default();
        let result = watch(slot.clone(), async {
            tried!(succeeds());
            Ok::<(), String>(())
        })
        .await;
        assert!(result.is_ok());
        assert_eq!(recorded(&slot), None);
    }
}
