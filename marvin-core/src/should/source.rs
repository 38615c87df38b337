//! The text of the value under assertion, read back from the test's source:
//! `vm.state.should().have_value("Running")` fails with
//! `vm.state should have value "Running"`, as `should!(vm.state)` does.
//!
//! `should()` records where it was called (`#[track_caller]`: the file, and
//! the line and column of the method name); so does
//! `SoftAssertions::check(&value)`, whose subject is its argument. Only when a check fails is the
//! file read and the receiver of `.should()` taken from it, so passing
//! checks cost nothing. When the source is not at hand (a binary run away
//! from its sources) or the call does not read as `<expr>.should()`, the
//! subject stays `value`.

use std::panic::Location;
use std::path::{Path, PathBuf};

/// The receiver of the `.should()`/`.should_not()` call at `location` (or
/// the argument of a `.check(..)`/`.check_not(..)` call there), with its
/// lines joined (`account["user"].as_array()`), if the source can be read
/// and the call is such a method call.
pub(crate) fn receiver_at(location: &Location<'_>) -> Option<String> {
    let text = std::fs::read_to_string(find(location.file())?).ok()?;
    receiver_in(&text, location.line(), location.column())
}

/// Where `file` (as the compiler named it: relative to the workspace or the
/// package, or absolute) is from here: tests run in their package's
/// directory, which is the workspace root or below it.
fn find(file: &str) -> Option<PathBuf> {
    let path = Path::new(file);
    if path.is_absolute() {
        return path.is_file().then(|| path.to_path_buf());
    }
    let mut roots: Vec<PathBuf> = Vec::new();
    if let Ok(dir) = std::env::current_dir() {
        roots.extend(dir.ancestors().map(Path::to_path_buf));
    }
    if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        roots.extend(Path::new(&dir).ancestors().map(Path::to_path_buf));
    }
    roots
        .into_iter()
        .map(|root| root.join(path))
        .find(|candidate| candidate.is_file())
}

/// The receiver of the method call whose name starts at `line`:`column`
/// (1-based, in characters) of `source`.
pub(crate) fn receiver_in(source: &str, line: u32, column: u32) -> Option<String> {
    let mut lines = source.lines();
    let line_index = usize::try_from(line).ok()?.checked_sub(1)?;
    // Everything before the method name, lines joined, as characters.
    let mut before: Vec<char> = Vec::new();
    for _ in 0..line_index {
        before.extend(lines.next()?.chars());
        before.push('\n');
    }
    let current: Vec<char> = lines.next()?.chars().collect();
    let start = usize::try_from(column).ok()?.checked_sub(1)?;
    let rest: String = current.get(start..)?.iter().collect();
    if let Some(open) = ["check(", "check_not("]
        .iter()
        .find(|call| rest.starts_with(*call))
        .map(|call| call.len() - 1)
    {
        // `soft.check(&vm.state)`: the argument, from here on.
        let mut after: Vec<char> = rest.chars().collect();
        for line in lines {
            after.push('\n');
            after.extend(line.chars());
        }
        let close = matching_close(&after, open)?;
        let argument: String = after[open + 1..close].iter().collect();
        let argument = joined(&argument);
        let argument = argument.strip_prefix('&').unwrap_or(&argument).trim();
        return (!argument.is_empty()).then(|| argument.to_string());
    }
    if !rest.starts_with("should") {
        return None;
    }
    before.extend(&current[..start]);
    // `<receiver> .should`: step back over the dot.
    let mut end = before.len();
    while end > 0 && before[end - 1].is_whitespace() {
        end -= 1;
    }
    if end == 0 || before[end - 1] != '.' {
        return None;
    }
    end -= 1;
    let begin = chain_start(&before[..end])?;
    let text: String = before[begin..end].iter().collect();
    let collapsed = joined(&text);
    (!collapsed.is_empty()).then_some(collapsed)
}

/// Lines joined without their indentation: `a\n    .b()` is `a.b()`.
fn joined(text: &str) -> String {
    text.lines().map(str::trim).collect()
}

/// The index of the bracket that closes the one opening at `open`.
fn matching_close(text: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut index = open;
    while index < text.len() {
        let c = text[index];
        if in_string {
            if c == '\\' {
                index += 1;
            } else if c == '"' {
                in_string = false;
            }
        } else {
            match c {
                '"' => in_string = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(index);
                    }
                }
                _ => {}
            }
        }
        index += 1;
    }
    None
}

/// Where the postfix chain (`a.b[0].c()?.d`) that ends at the end of
/// `text` begins: paths, fields, method calls, indexing, `?` and `.await`,
/// across lines when a line starts with `.`.
fn chain_start(text: &[char]) -> Option<usize> {
    let mut i = text.len();
    // Whether the part consumed so far starts with `.` (so that a line
    // break before it continues the chain).
    let mut continues = true;
    loop {
        // Whitespace inside a chain only before a `.`: `x\n    .y`.
        let mut j = i;
        while j > 0 && text[j - 1].is_whitespace() {
            j -= 1;
        }
        if j < i {
            if !continues || j == 0 {
                return Some(i);
            }
            i = j;
        }
        let Some(&c) = text.get(i.wrapping_sub(1)) else {
            return Some(i);
        };
        match c {
            ')' | ']' => {
                i = matching_open(text, i - 1)?;
                continues = false;
            }
            '.' => {
                i -= 1;
                continues = true;
            }
            '?' => {
                i -= 1;
                continues = false;
            }
            ':' if i >= 2 && text[i - 2] == ':' => {
                i -= 2;
                continues = true;
            }
            '"' => {
                // A string literal: the receiver itself (`"x".should()`).
                let open = text[..i - 1].iter().rposition(|&ch| ch == '"')?;
                return Some(open);
            }
            c if c.is_alphanumeric() || c == '_' => {
                while i > 0 && (text[i - 1].is_alphanumeric() || text[i - 1] == '_') {
                    i -= 1;
                }
                // A turbofish or generic path segment is not handled;
                // `continues` stays false: `foo\n.bar` was consumed as `.bar`.
                continues = false;
            }
            _ => return Some(i),
        }
    }
}

/// The index of the bracket that opens the one closing at `close`.
fn matching_open(text: &[char], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut index = close + 1;
    let mut in_string = false;
    while index > 0 {
        index -= 1;
        let c = text[index];
        if in_string {
            if c == '"' && (index == 0 || text[index - 1] != '\\') {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            ')' | ']' | '}' => depth += 1,
            '(' | '[' | '{' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::receiver_in;

    fn receiver(source: &str) -> Option<String> {
        // The column of the first `should` on the last line.
        let last = source.lines().count();
        let line = source.lines().last().unwrap();
        let column = line.find("should").unwrap() + 1;
        receiver_in(source, last as u32, column as u32)
    }

    #[test]
    fn fields_paths_calls_and_indexing() {
        assert_eq!(
            receiver("    vm.state.should().have_value(1);").as_deref(),
            Some("vm.state")
        );
        assert_eq!(
            receiver("let x = account[\"user\"][0].get(\"a(\").should();").as_deref(),
            Some("account[\"user\"][0].get(\"a(\")")
        );
        assert_eq!(
            receiver("self::vm.nics().await?.len().should()").as_deref(),
            Some("self::vm.nics().await?.len()")
        );
        assert_eq!(
            receiver("f(&vm.state.should())").as_deref(),
            Some("vm.state")
        );
        assert_eq!(receiver("\"x\".should()").as_deref(), Some("\"x\""));
    }

    #[test]
    fn chains_across_lines() {
        let source =
            "    account[\"user\"]\n        .as_array()\n        .map(Vec::len)\n        .should()";
        assert_eq!(
            receiver(source).as_deref(),
            Some("account[\"user\"].as_array().map(Vec::len)")
        );
        // A statement on the line before is not part of the chain.
        let source = "let a = 1;\nvm.state.should()";
        assert_eq!(receiver(source).as_deref(), Some("vm.state"));
    }

    #[test]
    fn the_argument_of_a_soft_check() {
        let source = "soft.check(&vm.state).have_value(\"Running\");";
        assert_eq!(receiver_in(source, 1, 6).as_deref(), Some("vm.state"));
        let source = "soft.check_not(&names[\")\"]\n    .len()).equal(1);";
        assert_eq!(
            receiver_in(source, 1, 6).as_deref(),
            Some("names[\")\"].len()")
        );
    }

    #[test]
    fn anything_else_is_not_guessed() {
        // Not a method call (`Should::should(&x)`, as `should!` expands to).
        assert_eq!(receiver("Should::should(&x)"), None);
        assert_eq!(receiver_in("x.other()", 1, 3), None);
        assert_eq!(receiver_in("x.should()", 7, 3), None);
    }
}
