//! The built-in checks, one small [`Check`] type each, and the
//! [`Subject`] methods that run them.

use std::fmt::{self, Debug};

use super::check::{Contains, Length, actual_value, phrase};
use super::description::{diff, inline};
use super::{Check, Description, Subject};
use crate::{Error, ErrorCode};

fn shown<T: Debug + ?Sized>(value: &T) -> String {
    inline(value).unwrap_or_else(|| format!("{value:?}"))
}

/// Equal to an expected value (`PartialEq`).
#[derive(Debug)]
pub struct Equal<E>(pub E);

impl<T: PartialEq<E> + Debug + ?Sized, E: Debug> Check<T> for Equal<E> {
    fn check(&self, actual: &T) -> bool {
        actual == &self.0
    }

    fn describe(&self, negated: bool) -> String {
        let expected = inline(&self.0).unwrap_or_else(|| "the expected value".to_string());
        format!("{} {expected}", phrase(negated, "equal", "not equal"))
    }

    fn explain(&self, actual: &T, negated: bool) -> Description {
        if negated || (inline(actual).is_some() && inline(&self.0).is_some()) {
            actual_value(actual)
        } else {
            diff(&self.0, actual)
        }
    }
}

/// Contains an item: a substring or character of a string, an element of a
/// collection.
#[derive(Debug)]
pub struct Contain<E>(pub E);

impl<T: Contains<E> + Debug + ?Sized, E: Debug> Check<T> for Contain<E> {
    fn check(&self, actual: &T) -> bool {
        actual.contains_item(&self.0)
    }

    fn describe(&self, negated: bool) -> String {
        format!(
            "{} {}",
            phrase(negated, "contain", "not contain"),
            shown(&self.0)
        )
    }
}

/// Has exactly this length (bytes for strings).
#[derive(Debug)]
pub struct HaveLength(pub usize);

impl<T: Length + Debug + ?Sized> Check<T> for HaveLength {
    fn check(&self, actual: &T) -> bool {
        actual.length() == self.0
    }

    fn describe(&self, negated: bool) -> String {
        format!(
            "{} {}",
            phrase(negated, "have length", "not have length"),
            self.0
        )
    }

    fn explain(&self, actual: &T, _negated: bool) -> Description {
        Description::text(format!("actual length: {}", actual.length())).then(actual_value(actual))
    }
}

/// Has length zero.
#[derive(Debug)]
pub struct BeEmpty;

impl<T: Length + Debug + ?Sized> Check<T> for BeEmpty {
    fn check(&self, actual: &T) -> bool {
        actual.length() == 0
    }

    fn describe(&self, negated: bool) -> String {
        phrase(negated, "be empty", "not be empty")
    }
}

/// How [`Compare`] compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ordering {
    /// `actual > bound`
    GreaterThan,
    /// `actual >= bound`
    AtLeast,
    /// `actual < bound`
    LessThan,
    /// `actual <= bound`
    AtMost,
}

/// An order comparison with a bound (`PartialOrd`).
#[derive(Debug)]
pub struct Compare<E> {
    /// The comparison.
    pub ordering: Ordering,
    /// The bound.
    pub bound: E,
}

impl<T: PartialOrd<E> + Debug + ?Sized, E: Debug> Check<T> for Compare<E> {
    fn check(&self, actual: &T) -> bool {
        match self.ordering {
            Ordering::GreaterThan => actual > &self.bound,
            Ordering::AtLeast => actual >= &self.bound,
            Ordering::LessThan => actual < &self.bound,
            Ordering::AtMost => actual <= &self.bound,
        }
    }

    fn describe(&self, negated: bool) -> String {
        let words = match self.ordering {
            Ordering::GreaterThan => "be greater than",
            Ordering::AtLeast => "be at least",
            Ordering::LessThan => "be less than",
            Ordering::AtMost => "be at most",
        };
        let words = if negated {
            words.replacen("be", "not be", 1)
        } else {
            words.to_string()
        };
        format!("{words} {}", shown(&self.bound))
    }
}

/// Within an inclusive range.
#[derive(Debug)]
pub struct BeBetween<E> {
    /// The lowest value allowed.
    pub low: E,
    /// The highest value allowed.
    pub high: E,
}

impl<T: PartialOrd<E> + Debug + ?Sized, E: Debug> Check<T> for BeBetween<E> {
    fn check(&self, actual: &T) -> bool {
        actual >= &self.low && actual <= &self.high
    }

    fn describe(&self, negated: bool) -> String {
        format!(
            "{} {} and {}",
            phrase(negated, "be between", "not be between"),
            shown(&self.low),
            shown(&self.high)
        )
    }
}

/// A string that starts (or ends) with a fragment.
#[derive(Debug)]
pub struct Affix<'e> {
    /// The fragment.
    pub fragment: &'e str,
    /// `true`: a prefix; `false`: a suffix.
    pub prefix: bool,
}

impl<T: AsRef<str> + Debug + ?Sized> Check<T> for Affix<'_> {
    fn check(&self, actual: &T) -> bool {
        if self.prefix {
            actual.as_ref().starts_with(self.fragment)
        } else {
            actual.as_ref().ends_with(self.fragment)
        }
    }

    fn describe(&self, negated: bool) -> String {
        let verb = match (self.prefix, negated) {
            (true, false) => "start with",
            (true, true) => "not start with",
            (false, false) => "end with",
            (false, true) => "not end with",
        };
        format!("{verb} {:?}", self.fragment)
    }
}

/// A predicate with a description of what it accepts.
pub struct Satisfy<'d, F> {
    /// What the predicate accepts, in words.
    pub description: &'d str,
    /// The predicate.
    pub predicate: F,
}

impl<F> Debug for Satisfy<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Satisfy")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl<T: Debug + ?Sized, F: Fn(&T) -> bool> Check<T> for Satisfy<'_, F> {
    fn check(&self, actual: &T) -> bool {
        (self.predicate)(actual)
    }

    fn describe(&self, negated: bool) -> String {
        format!(
            "{} {:?}",
            phrase(negated, "satisfy", "not satisfy"),
            self.description
        )
    }
}

/// A pattern (see [`should_match!`](crate::should_match!)).
pub struct MatchPattern<'p, F> {
    /// The pattern's source text.
    pub pattern: &'p str,
    /// `matches!` of the pattern.
    pub matches: F,
}

impl<F> Debug for MatchPattern<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MatchPattern")
            .field("pattern", &self.pattern)
            .finish_non_exhaustive()
    }
}

impl<T: Debug + ?Sized, F: Fn(&T) -> bool> Check<T> for MatchPattern<'_, F> {
    fn check(&self, actual: &T) -> bool {
        (self.matches)(actual)
    }

    fn describe(&self, negated: bool) -> String {
        format!(
            "{} `{}`",
            phrase(negated, "match", "not match"),
            self.pattern
        )
    }
}

/// `None`.
#[derive(Debug)]
pub struct BeNone;

impl<U: Debug> Check<Option<U>> for BeNone {
    fn check(&self, actual: &Option<U>) -> bool {
        actual.is_none()
    }

    fn describe(&self, negated: bool) -> String {
        phrase(negated, "be None", "not be None")
    }
}

/// `Some(_)`.
#[derive(Debug)]
pub struct BeSome;

impl<U: Debug> Check<Option<U>> for BeSome {
    fn check(&self, actual: &Option<U>) -> bool {
        actual.is_some()
    }

    fn describe(&self, negated: bool) -> String {
        phrase(negated, "be Some", "not be Some")
    }
}

/// `Some(value)` with the value equal to an expected one.
#[derive(Debug)]
pub struct HaveValue<E>(pub E);

impl<U: PartialEq<E> + Debug, E: Debug> Check<Option<U>> for HaveValue<E> {
    fn check(&self, actual: &Option<U>) -> bool {
        actual.as_ref().is_some_and(|value| value == &self.0)
    }

    fn describe(&self, negated: bool) -> String {
        format!(
            "{} {}",
            phrase(negated, "have value", "not have value"),
            shown(&self.0)
        )
    }
}

/// `Ok(_)` (or, with `ok: false`, `Err(_)`).
#[derive(Debug)]
pub struct BeOk {
    /// Which variant passes.
    pub ok: bool,
}

impl<V: Debug, E: Debug> Check<Result<V, E>> for BeOk {
    fn check(&self, actual: &Result<V, E>) -> bool {
        actual.is_ok() == self.ok
    }

    fn describe(&self, negated: bool) -> String {
        match (self.ok, negated) {
            (true, false) => "be Ok",
            (true, true) => "not be Ok",
            (false, false) => "be Err",
            (false, true) => "not be Err",
        }
        .to_string()
    }
}

/// A failed call with a given CloudStack error code.
#[derive(Debug)]
pub struct FailWith(pub ErrorCode);

impl<V: Debug> Check<Result<V, Error>> for FailWith {
    fn check(&self, actual: &Result<V, Error>) -> bool {
        matches!(actual, Err(error) if error.code() == Some(self.0))
    }

    fn describe(&self, negated: bool) -> String {
        format!(
            "{} {} ({:?})",
            phrase(negated, "fail with", "not fail with"),
            self.0,
            self.0
        )
    }

    fn explain(&self, actual: &Result<V, Error>, _negated: bool) -> Description {
        match actual {
            Ok(value) => actual_value(&Ok::<&V, ()>(value)),
            Err(error) => {
                let code = match error.code() {
                    Some(code) => format!("{code} ({code:?})"),
                    None => "none".to_string(),
                };
                Description::text(format!("actual error: {error}"))
                    .line(format!("actual code: {code}"))
            }
        }
    }
}

impl<'a, T: ?Sized + Debug> Subject<'a, T> {
    /// Equal to `expected` (`PartialEq`); long or multi-line values are
    /// shown as a diff.
    #[track_caller]
    pub fn equal<E: Debug>(self, expected: E)
    where
        T: PartialEq<E>,
    {
        self.pass(Equal(expected));
    }

    /// Contains `item`: a substring or character of a string, an element of
    /// a collection.
    #[track_caller]
    pub fn contain<E: Debug>(self, item: E)
    where
        T: Contains<E>,
    {
        self.pass(Contain(item));
    }

    /// Has `length` elements (bytes for strings).
    #[track_caller]
    pub fn have_length(self, length: usize)
    where
        T: Length,
    {
        self.pass(HaveLength(length));
    }

    /// Has no element (no byte for strings).
    #[track_caller]
    pub fn be_empty(self)
    where
        T: Length,
    {
        self.pass(BeEmpty);
    }

    /// Greater than `bound`.
    #[track_caller]
    pub fn be_greater_than<E: Debug>(self, bound: E)
    where
        T: PartialOrd<E>,
    {
        self.pass(Compare {
            ordering: Ordering::GreaterThan,
            bound,
        });
    }

    /// Greater than or equal to `bound`.
    #[track_caller]
    pub fn be_at_least<E: Debug>(self, bound: E)
    where
        T: PartialOrd<E>,
    {
        self.pass(Compare {
            ordering: Ordering::AtLeast,
            bound,
        });
    }

    /// Less than `bound`.
    #[track_caller]
    pub fn be_less_than<E: Debug>(self, bound: E)
    where
        T: PartialOrd<E>,
    {
        self.pass(Compare {
            ordering: Ordering::LessThan,
            bound,
        });
    }

    /// Less than or equal to `bound`.
    #[track_caller]
    pub fn be_at_most<E: Debug>(self, bound: E)
    where
        T: PartialOrd<E>,
    {
        self.pass(Compare {
            ordering: Ordering::AtMost,
            bound,
        });
    }

    /// Between `low` and `high`, both included.
    #[track_caller]
    pub fn be_between<E: Debug>(self, low: E, high: E)
    where
        T: PartialOrd<E>,
    {
        self.pass(BeBetween { low, high });
    }

    /// A string starting with `prefix`.
    #[track_caller]
    pub fn start_with(self, prefix: &str)
    where
        T: AsRef<str>,
    {
        self.pass(Affix {
            fragment: prefix,
            prefix: true,
        });
    }

    /// A string ending with `suffix`.
    #[track_caller]
    pub fn end_with(self, suffix: &str)
    where
        T: AsRef<str>,
    {
        self.pass(Affix {
            fragment: suffix,
            prefix: false,
        });
    }

    /// Accepted by `predicate`; `description` says what it accepts
    /// (`vm should satisfy "runs on host h1"`).
    #[track_caller]
    pub fn satisfy(self, description: &str, predicate: impl Fn(&T) -> bool) {
        self.pass(Satisfy {
            description,
            predicate,
        });
    }

    /// Matches a pattern given as text and as a `matches!` closure;
    /// [`should_match!`](crate::should_match!) writes both from one pattern.
    #[track_caller]
    pub fn match_pattern(self, pattern: &str, matches: impl Fn(&T) -> bool) {
        self.pass(MatchPattern { pattern, matches });
    }
}

impl<U: Debug> Subject<'_, Option<U>> {
    /// `None`.
    #[track_caller]
    pub fn be_none(self) {
        self.pass(BeNone);
    }

    /// `Some(_)`.
    #[track_caller]
    pub fn be_some(self) {
        self.pass(BeSome);
    }

    /// `Some(value)` with `value == expected`: for optional entity fields,
    /// `vm.state.should().have_value("Running")`.
    #[track_caller]
    pub fn have_value<E: Debug>(self, expected: E)
    where
        U: PartialEq<E>,
    {
        self.pass(HaveValue(expected));
    }
}

impl<V: Debug, E: Debug> Subject<'_, Result<V, E>> {
    /// `Ok(_)`.
    #[track_caller]
    pub fn be_ok(self) {
        self.pass(BeOk { ok: true });
    }

    /// `Err(_)`.
    #[track_caller]
    pub fn be_err(self) {
        self.pass(BeOk { ok: false });
    }
}

impl<V: Debug> Subject<'_, Result<V, Error>> {
    /// A failed call whose CloudStack error code is `code`:
    /// `result.should().fail_with(ErrorCode::ParamError)`.
    ///
    /// When it passes inside a test, the call is marked in the test's API
    /// trace as a rejection the test expected, which reports show as such
    /// rather than as a failure.
    #[track_caller]
    pub fn fail_with(self, code: ErrorCode) {
        let actual = self.actual();
        let expected = !self.negated && FailWith(code).check(actual);
        self.pass(FailWith(code));
        if let (true, Err(error)) = (expected, actual) {
            crate::testing::expect_failure(error);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::panic::{AssertUnwindSafe, catch_unwind};

    use super::super::Should;
    use crate::{CsErrorCode, Error, ErrorCode};

    /// The panic message of a failing check.
    fn failure(check: impl FnOnce()) -> String {
        let payload = catch_unwind(AssertUnwindSafe(check)).expect_err("the check should fail");
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .expect("a text panic");
        super::super::description::strip_ansi(&message)
    }

    #[test]
    fn equal_passes_on_equal_values_of_many_types() {
        String::from("Running").should().equal("Running");
        "Running".should().equal("Running");
        3u32.should().equal(3);
        vec!["a", "b"].should().equal(vec!["a", "b"]);
        Some(&5).should().equal(Some(&5));
        String::from("a").should_not().equal("b");
    }

    #[test]
    fn equal_names_the_subject_and_shows_both_values() {
        let state = String::from("Stopped");
        assert_eq!(
            failure(|| state.should().named("vm.state").equal("Running")),
            "vm.state should equal \"Running\"\n  actual: \"Stopped\""
        );
        assert_eq!(
            failure(|| crate::should!(state).equal("Running")),
            "state should equal \"Running\"\n  actual: \"Stopped\""
        );
        assert_eq!(
            failure(|| 2.should().equal(3)),
            "2 should equal 3\n  actual: 2"
        );
        assert_eq!(
            failure(|| crate::should_not!(state).equal("Stopped")),
            "state should not equal \"Stopped\"\n  actual: \"Stopped\""
        );
    }

    #[derive(Debug, PartialEq)]
    struct Vm {
        name: &'static str,
        state: &'static str,
        nics: Vec<&'static str>,
    }

    #[test]
    fn equal_shows_a_diff_for_long_values() {
        let actual = Vm {
            name: "web-1",
            state: "Stopped",
            nics: vec!["10.1.1.2", "10.1.1.3"],
        };
        let expected = Vm {
            name: "web-1",
            state: "Running",
            nics: vec!["10.1.1.2", "10.1.1.3"],
        };
        assert_eq!(
            failure(|| crate::should!(actual).equal(expected)),
            "actual should equal the expected value
  diff (< expected, > actual):
     Vm {
         name: \"web-1\",
    <    state: \"Running\",
    >    state: \"Stopped\",
         nics: [
             \"10.1.1.2\",
             \"10.1.1.3\",
         ],
     }"
        );
    }

    #[test]
    fn long_actual_values_are_pretty_printed() {
        let vm = Vm {
            name: "web-1",
            state: "Stopped",
            nics: vec!["10.1.1.2", "10.1.1.3"],
        };
        assert_eq!(
            failure(|| crate::should!(vm).satisfy("is running", |vm| vm.state == "Running")),
            "vm should satisfy \"is running\"
  actual:
    Vm {
        name: \"web-1\",
        state: \"Stopped\",
        nics: [
            \"10.1.1.2\",
            \"10.1.1.3\",
        ],
    }"
        );
        vm.should().satisfy("has two nics", |vm| vm.nics.len() == 2);
    }

    #[test]
    fn contain_works_on_strings_and_collections() {
        "web-1.example".should().contain("example");
        String::from("abc").should().contain('b');
        vec!["a", "b"].should().contain("b");
        vec![String::from("a")].should().contain("a");
        [1, 2, 3].should().contain(2);
        (&[1, 2, 3][..]).should().contain(3);
        BTreeSet::from([1, 2]).should().contain(1);
        vec![1].should_not().contain(2);
        let names = vec!["web-2", "web-3"];
        assert_eq!(
            failure(|| crate::should!(names).contain("web-1")),
            "names should contain \"web-1\"\n  actual: [\"web-2\", \"web-3\"]"
        );
        assert_eq!(
            failure(|| "abc".should().named("name").not().contain('b')),
            "name should not contain 'b'\n  actual: \"abc\""
        );
    }

    #[test]
    fn length_and_emptiness() {
        vec![1, 2].should().have_length(2);
        "abc".should().have_length(3);
        Vec::<u8>::new().should().be_empty();
        "x".should_not().be_empty();
        let nics = vec!["a", "b"];
        assert_eq!(
            failure(|| crate::should!(nics).have_length(3)),
            "nics should have length 3\n  actual length: 2\n  actual: [\"a\", \"b\"]"
        );
        assert_eq!(
            failure(|| crate::should!(nics).be_empty()),
            "nics should be empty\n  actual: [\"a\", \"b\"]"
        );
        let name = "";
        assert_eq!(
            failure(|| crate::should_not!(name).be_empty()),
            "name should not be empty\n  actual: \"\""
        );
    }

    #[test]
    fn numeric_comparisons() {
        5.should().be_greater_than(4);
        5.should().be_at_least(5);
        5.should().be_less_than(6);
        5.should().be_at_most(5);
        5.should().be_between(5, 6);
        1.5f64.should().be_greater_than(1.0);
        5.should_not().be_greater_than(5);
        let used = 2;
        assert_eq!(
            failure(|| crate::should!(used).be_greater_than(3)),
            "used should be greater than 3\n  actual: 2"
        );
        assert_eq!(
            failure(|| used.should().be_at_least(3)),
            "used should be at least 3\n  actual: 2"
        );
        assert_eq!(
            failure(|| used.should().be_less_than(1)),
            "used should be less than 1\n  actual: 2"
        );
        assert_eq!(
            failure(|| used.should().be_at_most(1)),
            "used should be at most 1\n  actual: 2"
        );
        assert_eq!(
            failure(|| used.should_not().be_at_most(3)),
            "used should not be at most 3\n  actual: 2"
        );
        assert_eq!(
            failure(|| used.should().be_between(3, 9)),
            "used should be between 3 and 9\n  actual: 2"
        );
    }

    #[test]
    fn prefixes_and_suffixes() {
        "marvin-run-1".should().start_with("marvin-");
        String::from("a.json").should().end_with(".json");
        assert_eq!(
            failure(|| "vm-1".should().named("vm.name").start_with("web")),
            "vm.name should start with \"web\"\n  actual: \"vm-1\""
        );
        assert_eq!(
            failure(|| "a.json".should_not().end_with(".json")),
            "\"a.json\" should not end with \".json\"\n  actual: \"a.json\""
        );
    }

    #[test]
    fn options() {
        let ip: Option<&str> = None;
        let state = Some(String::from("Stopped"));
        ip.should().be_none();
        state.should().be_some();
        state.should().have_value("Stopped");
        state.should_not().have_value("Running");
        assert_eq!(
            failure(|| crate::should_not!(ip).be_none()),
            "ip should not be None\n  actual: None"
        );
        assert_eq!(
            failure(|| ip.should().be_some()),
            "ip should be Some\n  actual: None"
        );
        assert_eq!(
            failure(|| crate::should!(state).be_none()),
            "state should be None\n  actual: Some(\"Stopped\")"
        );
        assert_eq!(
            failure(|| crate::should!(state).have_value("Running")),
            "state should have value \"Running\"\n  actual: Some(\"Stopped\")"
        );
        // The method form names the field as `should!` does, also when
        // the chain spans lines.
        struct Vm {
            state: Option<String>,
        }
        let vm = Vm { state };
        assert_eq!(
            failure(|| vm.state.should().have_value("Running")),
            "vm.state should have value \"Running\"\n  actual: Some(\"Stopped\")"
        );
        assert_eq!(
            failure(|| { vm.state.as_deref().should_not().have_value("Stopped") }),
            "vm.state.as_deref() should not have value \"Stopped\"\n  actual: Some(\"Stopped\")"
        );
        // Option<&T>, as accessors return it.
        let nics = [1, 2];
        nics.first().should().equal(Some(&1));
        nics.get(5).should().be_none();
    }

    #[test]
    fn patterns() {
        #[derive(Debug)]
        #[allow(dead_code)]
        enum State {
            Running { host: String },
            Stopped,
        }
        let state = State::Running { host: "h1".into() };
        crate::should_match!(state, State::Running { .. });
        crate::should_match!(state, State::Running { host } if host == "h1");
        crate::should_match!(Some(3), Some(1..=5));
        assert_eq!(
            failure(
                || crate::should_match!(state, State::Stopped | State::Running { .. } if false)
            ),
            "state should match `State::Stopped | State::Running { .. } if false`\n  actual: Running { host: \"h1\" }"
        );
    }

    fn api(code: ErrorCode, text: &str) -> Error {
        Error::Api {
            command: "createNetwork".into(),
            status: code.as_u16(),
            code,
            cs_code: Some(CsErrorCode::InvalidParameterValue),
            text: text.into(),
        }
    }

    #[test]
    fn results_and_error_codes() {
        let failed: Result<u32, Error> = Err(api(ErrorCode::ParamError, "bad cidr"));
        failed.should().fail_with(ErrorCode::ParamError);
        failed.should_not().fail_with(ErrorCode::InternalError);
        failed.should().be_err();
        let ok: Result<u32, Error> = Ok(7);
        ok.should().be_ok();
        ok.should_not().fail_with(ErrorCode::ParamError);
        assert_eq!(
            failure(|| crate::should!(ok).fail_with(ErrorCode::ParamError)),
            "ok should fail with 431 (ParamError)\n  actual: Ok(7)"
        );
        let other: Result<u32, Error> = Err(api(ErrorCode::InternalError, "boom"));
        assert_eq!(
            failure(|| crate::should!(other).fail_with(ErrorCode::ParamError)),
            "other should fail with 431 (ParamError)\n  actual error: createNetwork was rejected (530/4350): boom\n  actual code: 530 (InternalError)"
        );
        assert_eq!(
            failure(|| ok.should().be_err()),
            "ok should be Err\n  actual: Ok(7)"
        );
    }

    #[test]
    fn custom_checks_plug_in_through_pass() {
        struct Even;
        impl super::Check<u32> for Even {
            fn check(&self, actual: &u32) -> bool {
                actual % 2 == 0
            }
            fn describe(&self, negated: bool) -> String {
                super::phrase(negated, "be even", "be odd")
            }
        }
        4u32.should().pass(Even);
        3u32.should_not().pass(Even);
        assert_eq!(
            failure(|| 4u32.should_not().pass(Even)),
            "4u32 should be odd\n  actual: 4"
        );
    }
}
