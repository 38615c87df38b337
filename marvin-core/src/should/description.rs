//! [`Description`]: the text of a check, line by line, with nesting.

use std::fmt;
use std::io::IsTerminal;

/// Lines of text with an indentation level each.
///
/// Checks build their explanations with it; the failure message indents
/// them under the headline:
///
/// ```
/// use marvin_core::should::Description;
/// let d = Description::text("actual: 2")
///     .line("items:")
///     .nested(Description::text("a\nb"));
/// assert_eq!(d.to_string(), "actual: 2\nitems:\n  a\n  b");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Description {
    lines: Vec<(usize, String)>,
}

impl Description {
    /// No lines.
    pub fn new() -> Self {
        Self::default()
    }

    /// One line per line of `text`.
    pub fn text(text: impl AsRef<str>) -> Self {
        Self::new().line(text)
    }

    /// Appends `text` (one line per line of it) at the current level.
    #[must_use]
    pub fn line(mut self, text: impl AsRef<str>) -> Self {
        self.lines
            .extend(text.as_ref().lines().map(|line| (0, line.to_string())));
        self
    }

    /// Appends `inner`, indented one level (two spaces) deeper.
    #[must_use]
    pub fn nested(mut self, inner: Description) -> Self {
        self.lines.extend(
            inner
                .lines
                .into_iter()
                .map(|(level, text)| (level + 1, text)),
        );
        self
    }

    /// Appends `other` at the same level.
    #[must_use]
    pub fn then(mut self, other: Description) -> Self {
        self.lines.extend(other.lines);
        self
    }

    /// Whether there is no line.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Renders with every line indented by `spaces` more spaces.
    pub fn indented(&self, spaces: usize) -> String {
        let mut out = String::new();
        for (index, (level, text)) in self.lines.iter().enumerate() {
            if index > 0 {
                out.push('\n');
            }
            if !text.is_empty() {
                out.extend(std::iter::repeat_n(' ', spaces + 2 * level));
                out.push_str(text);
            }
        }
        out
    }
}

impl fmt::Display for Description {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.indented(0))
    }
}

/// The longest one-line `Debug` text shown inline; longer or multi-line
/// values are shown as a diff.
pub(crate) const INLINE_LIMIT: usize = 60;

/// `{:?}` of a value, if it is short enough to stand on one line.
pub(crate) fn inline<T: fmt::Debug + ?Sized>(value: &T) -> Option<String> {
    let text = format!("{value:?}");
    (text.len() <= INLINE_LIMIT && !text.contains('\n')).then_some(text)
}

/// A line diff of the pretty `Debug` forms of `expected` and `actual`: `<`
/// marks expected lines, `>` actual ones (red and green when colours are
/// on). Written over the `diff` crate rather than `pretty_assertions`, whose
/// colour crate's blanket trait would add its methods to every type in the
/// docs of the crates above.
pub(crate) fn diff<E: fmt::Debug + ?Sized, A: fmt::Debug + ?Sized>(
    expected: &E,
    actual: &A,
) -> Description {
    let (expected, actual) = (format!("{expected:#?}"), format!("{actual:#?}"));
    let color = color_enabled();
    let mut lines = Vec::new();
    for line in diff::lines(&expected, &actual) {
        lines.push(match line {
            diff::Result::Both(same, _) => format!(" {same}"),
            diff::Result::Left(gone) if color => format!("\u{1b}[31m<{gone}\u{1b}[0m"),
            diff::Result::Left(gone) => format!("<{gone}"),
            diff::Result::Right(new) if color => format!("\u{1b}[32m>{new}\u{1b}[0m"),
            diff::Result::Right(new) => format!(">{new}"),
        });
    }
    let body = lines.join("\n");
    Description::text("diff (< expected, > actual):").nested(Description::text(&body))
}

/// Whether failure messages may carry ANSI colours: `MARVIN_COLOR=always` or
/// `never` decide; otherwise colours are used when stderr is a terminal and
/// `NO_COLOR` is not set.
pub(crate) fn color_enabled() -> bool {
    match std::env::var("MARVIN_COLOR").as_deref() {
        Ok("always") => true,
        Ok("never") => false,
        _ => std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
    }
}

/// Removes ANSI escape sequences (`ESC [ ... letter`).
#[cfg(test)]
pub(crate) fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_indents_two_spaces_per_level() {
        let d = Description::text("a")
            .nested(Description::text("b").nested(Description::text("c")))
            .line("d");
        assert_eq!(d.to_string(), "a\n  b\n    c\nd");
        assert_eq!(d.indented(2), "  a\n    b\n      c\n  d");
    }

    #[test]
    fn empty_lines_carry_no_trailing_spaces() {
        assert_eq!(Description::text("a\n\nb").indented(4), "    a\n\n    b");
    }

    #[test]
    fn ansi_sequences_are_stripped() {
        assert_eq!(strip_ansi("\u{1b}[31m<a\u{1b}[0m b"), "<a b");
    }

    #[test]
    fn diff_marks_changed_lines() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Vm {
            name: &'static str,
            state: &'static str,
        }
        let d = diff(
            &Vm {
                name: "a",
                state: "Running",
            },
            &Vm {
                name: "a",
                state: "Stopped",
            },
        );
        let text = strip_ansi(&d.to_string());
        assert_eq!(
            text,
            "diff (< expected, > actual):\n   Vm {\n       name: \"a\",\n  <    state: \"Running\",\n  >    state: \"Stopped\",\n   }"
        );
    }
}
