//! [`Check`]: the one trait behind every assertion, and the small traits
//! ([`Length`], [`Contains`]) that let one check work on many types.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt::Debug;

use super::Description;

/// One kind of assertion: whether a value passes, what was expected, and why
/// a value failed.
///
/// Each check of [`Subject`](super::Subject) is one small type implementing
/// this; a new check is another such type, used with
/// [`Subject::pass`](super::Subject::pass):
///
/// ```
/// use marvin_core::should::{Check, Description, Should};
///
/// struct Even;
/// impl Check<u32> for Even {
///     fn check(&self, actual: &u32) -> bool { actual % 2 == 0 }
///     fn describe(&self, negated: bool) -> String {
///         if negated { "be odd".into() } else { "be even".into() }
///     }
/// }
///
/// 4.should().pass(Even);
/// let failed = std::panic::catch_unwind(|| 3.should().pass(Even)).unwrap_err();
/// assert_eq!(failed.downcast_ref::<String>().unwrap(), "3 should be even\n  actual: 3");
/// ```
pub trait Check<T: ?Sized + Debug> {
    /// Whether `actual` passes the check (before any negation).
    fn check(&self, actual: &T) -> bool;

    /// What is expected, as the words that follow "should": `equal "Running"`,
    /// or with `negated`, `not equal "Running"`.
    fn describe(&self, negated: bool) -> String;

    /// The lines under the headline of a failure: by default the actual
    /// value (`actual: "Stopped"`).
    fn explain(&self, actual: &T, negated: bool) -> Description {
        let _ = negated;
        actual_value(actual)
    }
}

/// `actual: <Debug>`, on one line when short, else pretty-printed below.
pub fn actual_value<T: Debug + ?Sized>(actual: &T) -> Description {
    match super::description::inline(actual) {
        Some(text) => Description::text(format!("actual: {text}")),
        None => Description::text("actual:").nested(Description::text(format!("{actual:#?}"))),
    }
}

/// Picks the positive or the negated wording.
pub(crate) fn phrase(negated: bool, positive: &str, negative: &str) -> String {
    if negated {
        negative.to_string()
    } else {
        positive.to_string()
    }
}

/// Values that have a length: strings (in bytes), collections.
pub trait Length {
    /// The number of elements (bytes for strings).
    fn length(&self) -> usize;
}

impl Length for str {
    fn length(&self) -> usize {
        self.len()
    }
}

impl Length for String {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<T> Length for [T] {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<T, const N: usize> Length for [T; N] {
    fn length(&self) -> usize {
        N
    }
}

impl<T> Length for Vec<T> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<T> Length for VecDeque<T> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<T, S> Length for HashSet<T, S> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<T> Length for BTreeSet<T> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<K, V, S> Length for HashMap<K, V, S> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<K, V> Length for BTreeMap<K, V> {
    fn length(&self) -> usize {
        self.len()
    }
}

impl<L: Length + ?Sized> Length for &L {
    fn length(&self) -> usize {
        (**self).length()
    }
}

/// Values that can contain an `E`: a substring or a character in a string,
/// an element equal to `E` in a collection.
pub trait Contains<E: ?Sized> {
    /// Whether `item` is in `self`.
    fn contains_item(&self, item: &E) -> bool;
}

impl<'e> Contains<&'e str> for str {
    fn contains_item(&self, item: &&'e str) -> bool {
        self.contains(*item)
    }
}

impl Contains<String> for str {
    fn contains_item(&self, item: &String) -> bool {
        self.contains(item.as_str())
    }
}

impl Contains<char> for str {
    fn contains_item(&self, item: &char) -> bool {
        self.contains(*item)
    }
}

impl<E> Contains<E> for String
where
    str: Contains<E>,
{
    fn contains_item(&self, item: &E) -> bool {
        self.as_str().contains_item(item)
    }
}

impl<T: PartialEq<E>, E> Contains<E> for [T] {
    fn contains_item(&self, item: &E) -> bool {
        self.iter().any(|element| element == item)
    }
}

impl<T: PartialEq<E>, E, const N: usize> Contains<E> for [T; N] {
    fn contains_item(&self, item: &E) -> bool {
        self.iter().any(|element| element == item)
    }
}

impl<T: PartialEq<E>, E> Contains<E> for Vec<T> {
    fn contains_item(&self, item: &E) -> bool {
        self.iter().any(|element| element == item)
    }
}

impl<T: PartialEq<E>, E> Contains<E> for VecDeque<T> {
    fn contains_item(&self, item: &E) -> bool {
        self.iter().any(|element| element == item)
    }
}

impl<T: PartialEq<E>, E, S> Contains<E> for HashSet<T, S> {
    fn contains_item(&self, item: &E) -> bool {
        self.iter().any(|element| element == item)
    }
}

impl<T: PartialEq<E>, E> Contains<E> for BTreeSet<T> {
    fn contains_item(&self, item: &E) -> bool {
        self.iter().any(|element| element == item)
    }
}

impl<C: Contains<E> + ?Sized, E> Contains<E> for &C {
    fn contains_item(&self, item: &E) -> bool {
        (**self).contains_item(item)
    }
}
