//! Fluent assertions: `value.should().equal(expected)`.
//!
//! ```
//! use marvin_core::should;
//! use marvin_core::should::Should;
//!
//! let state = String::from("Running");
//! state.should().equal("Running");
//! state.should_not().be_empty();
//! vec![1, 2, 3].should().contain(2);
//! Some(3).should().have_value(3);
//! 7.should().be_between(1, 10);
//!
//! // `should!` names the checked expression in the failure message:
//! let failure = std::panic::catch_unwind(|| should!(state).equal("Stopped")).unwrap_err();
//! assert_eq!(
//!     failure.downcast_ref::<String>().unwrap(),
//!     "state should equal \"Stopped\"\n  actual: \"Running\""
//! );
//! ```
//!
//! A failure panics with a message that names the subject (the label given
//! with [`Subject::named`] or captured by [`should!`](crate::should!), else
//! the receiver of `.should()` as the source spells it, `vm.state`, else
//! `value`), what was expected, and the actual value; values too long for one
//! line are shown as a diff. Inside a [`SoftAssertions`] scope failures are
//! gathered instead and reported together by [`SoftAssertions::finish`].
//!
//! Every check is a small type implementing [`Check`]; [`Subject::pass`]
//! runs any of them, so a new check is one new type. For waiting until a
//! condition holds, see [`eventually`].

mod check;
pub mod checks;
mod description;
mod eventually;
mod soft;
mod source;

use std::borrow::Cow;
use std::fmt::Debug;
use std::panic::Location;

pub use check::{Check, Contains, Length, actual_value};
pub use description::Description;
pub use eventually::{Eventually, EventuallyError, Timeout, eventually};
pub use soft::SoftAssertions;

/// Starts an assertion on any value: `x.should()` or `x.should_not()`.
///
/// Implemented for every sized type; the checks available depend on the
/// value's type (see [`Subject`]).
///
/// A failure names the value as the source spells it
/// (`vm.state should have value "Running"`), read back from the test's
/// file at the place `should()` was called; without the source at hand it
/// is called `value`.
pub trait Should {
    /// An assertion that the checks that follow hold.
    #[track_caller]
    fn should(&self) -> Subject<'_, Self>;
    /// An assertion that the check that follows does not hold.
    #[track_caller]
    fn should_not(&self) -> Subject<'_, Self>;
}

// Sized only: for a string literal, method lookup then picks `&str` as the
// subject (not `str`), so `"x".should().equal("x")` compares `&str` with
// `&str`.
impl<T> Should for T {
    #[track_caller]
    fn should(&self) -> Subject<'_, Self> {
        Subject::new(self, false)
    }

    #[track_caller]
    fn should_not(&self) -> Subject<'_, Self> {
        Subject::new(self, true)
    }
}

/// A value under assertion, with an optional label and polarity.
///
/// Built by [`Should::should`], [`should!`](crate::should!) or
/// [`SoftAssertions::check`]; consumed by one check method.
#[must_use = "a subject does nothing until a check such as `.equal(..)` is called"]
pub struct Subject<'a, T: ?Sized> {
    actual: &'a T,
    label: Option<Cow<'a, str>>,
    negated: bool,
    soft: Option<&'a SoftAssertions>,
    /// Where `should()` was called: the subject's text is read from there
    /// when a check fails and no label was given.
    origin: &'static Location<'static>,
}

impl<T: ?Sized + Debug> Debug for Subject<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Subject")
            .field("actual", &self.actual)
            .field("label", &self.label)
            .field("negated", &self.negated)
            .finish_non_exhaustive()
    }
}

impl<'a, T: ?Sized> Subject<'a, T> {
    #[track_caller]
    fn new(actual: &'a T, negated: bool) -> Self {
        Self {
            actual,
            label: None,
            negated,
            soft: None,
            origin: Location::caller(),
        }
    }

    /// Names the subject in failure messages (`vm.state should equal ...`).
    pub fn named(mut self, label: impl Into<Cow<'a, str>>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Gathers a failure into `soft` instead of panicking.
    pub fn softly(mut self, soft: &'a SoftAssertions) -> Self {
        self.soft = Some(soft);
        self
    }

    /// Negates the check that follows (`should!(x).not().be_empty()`).
    // Named for how it reads in a chain; `!subject` (std::ops::Not) would
    // not read as an assertion.
    #[allow(clippy::should_implement_trait)]
    pub fn not(mut self) -> Self {
        self.negated = !self.negated;
        self
    }

    /// The value under assertion.
    pub fn actual(&self) -> &'a T {
        self.actual
    }

    /// Runs `check`; on failure panics (or records, when soft) with a
    /// message naming the subject, the expectation and the actual value.
    #[track_caller]
    pub fn pass<C: Check<T>>(self, check: C)
    where
        T: Debug,
    {
        let passed = check.check(self.actual) != self.negated;
        let location = Location::caller();
        let message = || self.message(&check);
        match self.soft {
            Some(soft) => soft.record(passed, message, location),
            None if passed => {}
            None => panic!("{}", message()),
        }
    }

    fn message<C: Check<T>>(&self, check: &C) -> String
    where
        T: Debug,
    {
        let read;
        let subject = match self.label.as_deref() {
            Some(label) => label,
            None => {
                read = source::receiver_at(self.origin);
                read.as_deref().unwrap_or("value")
            }
        };
        let mut text = format!("{subject} should {}", check.describe(self.negated));
        let explanation = check.explain(self.actual, self.negated);
        if !explanation.is_empty() {
            text.push('\n');
            text.push_str(&explanation.indented(2));
        }
        text
    }
}

/// Starts an assertion labelled with the expression's own text:
/// `should!(vm.state).equal("Running")` fails with
/// `vm.state should equal "Running"`.
///
/// ```
/// # use marvin_core::should;
/// let names = vec!["web-1", "web-2"];
/// should!(names).have_length(2);
/// should!(names).not().contain("db-1");
/// ```
#[macro_export]
macro_rules! should {
    ($value:expr $(,)?) => {
        $crate::should::Should::should(&$value).named(::core::stringify!($value))
    };
}

/// [`should!`](crate::should!) with the check negated:
/// `should_not!(vm.ip).be_none()`.
#[macro_export]
macro_rules! should_not {
    ($value:expr $(,)?) => {
        $crate::should::Should::should_not(&$value).named(::core::stringify!($value))
    };
}

/// Asserts that a value matches a pattern (with an optional guard), naming
/// both in the failure message.
///
/// ```
/// # use marvin_core::should_match;
/// #[derive(Debug)]
/// enum State { Running { host: String }, Stopped }
/// let state = State::Running { host: "h1".into() };
/// should_match!(state, State::Running { host } if host.starts_with('h'));
///
/// let failure = std::panic::catch_unwind(|| should_match!(state, State::Stopped)).unwrap_err();
/// assert_eq!(
///     failure.downcast_ref::<String>().unwrap(),
///     "state should match `State::Stopped`\n  actual: Running { host: \"h1\" }"
/// );
/// ```
#[macro_export]
macro_rules! should_match {
    ($value:expr, $($pattern:pat_param)|+ $(if $guard:expr)? $(,)?) => {
        $crate::should::Should::should(&$value)
            .named(::core::stringify!($value))
            .match_pattern(
                ::core::stringify!($($pattern)|+ $(if $guard)?),
                |actual| ::core::matches!(actual, $($pattern)|+ $(if $guard)?),
            )
    };
}
