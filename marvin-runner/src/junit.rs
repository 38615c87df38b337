//! JUnit XML: one `testsuite`, one `testcase` per test with its time, a
//! `failure` (message, location, the API trace) or a `skipped` element.
//! Leaks are reported as one more failed test case, `leak-check`, so that
//! CI systems that only read JUnit see them. Each shared fixture is one
//! more test case, `fixture NAME` of class `SUITE.fixtures`, failed (with
//! its calls) when it could not be made or its cleanup failed.

use std::fmt::Write as _;

use super::result::{Status, SuiteResult, TestResult};

/// The report as an XML document.
pub fn render(result: &SuiteResult) -> String {
    let leak_failed = !result.leaks.leaks.is_empty();
    let fixtures_failed = result
        .fixtures
        .iter()
        .filter(|f| f.result.status == Status::Failed)
        .count();
    let tests = result.tests.len() + result.fixtures.len() + 1;
    let failures = result.count(Status::Failed) + fixtures_failed + usize::from(leak_failed);
    let skipped = result.count(Status::Skipped) + result.count(Status::NotRun);
    let time = secs(result.wall.as_secs_f64());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"marvin {suite}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{time}\">",
        suite = escape(&result.suite),
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{suite}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"{time}\" timestamp=\"{started}\">",
        suite = escape(&result.suite),
        started = escape(&result.started),
    );
    let _ = writeln!(out, "    <properties>");
    for (name, value) in [
        ("run_id", result.run_id.as_str()),
        ("target", result.target.as_str()),
        ("jobs", &result.jobs.to_string()),
        ("tags", &result.tags.join(",")),
        (
            "api_coverage",
            &format!(
                "{}/{}",
                result.coverage.exercised(),
                result.coverage.total()
            ),
        ),
    ] {
        let _ = writeln!(
            out,
            "      <property name=\"{}\" value=\"{}\"/>",
            escape(name),
            escape(value)
        );
    }
    let _ = writeln!(out, "    </properties>");
    for test in &result.tests {
        let classname = match test.name.rsplit_once("::") {
            Some((module, _)) => format!("{}.{}", result.suite, module.replace("::", ".")),
            None => result.suite.clone(),
        };
        testcase(&mut out, &classname, test);
    }
    for fixture in &result.fixtures {
        testcase(
            &mut out,
            &format!("{}.fixtures", result.suite),
            &fixture.result,
        );
    }
    leak_case(&mut out, result);
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn testcase(out: &mut String, classname: &str, test: &TestResult) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
        escape(&test.name),
        escape(classname),
        secs(test.duration.as_secs_f64())
    );
    match test.status {
        Status::Passed if test.is_flaky() => {
            out.push_str(">\n");
            earlier_failures(out, test, "flakyFailure");
            out.push_str("    </testcase>\n");
        }
        Status::Passed => out.push_str("/>\n"),
        Status::Skipped | Status::NotRun => {
            let _ = writeln!(
                out,
                ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                escape(test.skip_reason.as_deref().unwrap_or(""))
            );
        }
        Status::Failed => {
            let (kind, message, location) = match &test.failure {
                Some(failure) => (
                    failure.kind.as_str(),
                    failure.message.as_str(),
                    failure.location.as_deref(),
                ),
                None => ("failure", "failed", None),
            };
            let first_line = message.lines().next().unwrap_or("");
            let mut body = message.to_string();
            if let Some(location) = location {
                let _ = write!(body, "\nat {location}");
            }
            for problem in &test.cleanup_problems {
                if !message.contains(problem.as_str()) {
                    let _ = write!(body, "\ncleanup: {problem}");
                }
            }
            if !test.calls.is_empty() {
                let _ = write!(body, "\n\nAPI calls ({}):", test.calls.len());
                for (index, call) in test.calls.iter().enumerate() {
                    let _ = write!(body, "\n  {:>3}. {}", index + 1, call.command);
                    for (name, value) in &call.params {
                        let _ = write!(body, " {name}={value}");
                    }
                    let outcome = match &call.error {
                        None => "ok".to_string(),
                        // A rejection the test checked for is not a failure.
                        Some(error) if error.expected => {
                            format!("rejected as expected: {}", error.message)
                        }
                        Some(error) => match error.code {
                            Some(code) => format!("failed {code}: {}", error.message),
                            None => format!("failed: {}", error.message),
                        },
                    };
                    let _ = write!(body, " -> {outcome} ({} ms)", call.duration.as_millis());
                    if let Some(answer) = call
                        .error
                        .as_ref()
                        .filter(|e| !e.expected)
                        .and_then(|e| e.response.as_ref())
                    {
                        let _ = write!(body, "\n         answer: {answer}");
                    }
                }
            }
            let _ = writeln!(
                out,
                ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>",
                kind,
                escape(first_line),
                escape(&body)
            );
            earlier_failures(out, test, "rerunFailure");
            out.push_str("    </testcase>\n");
        }
    }
}

/// The failures of earlier attempts (`--retries`), as Maven Surefire and
/// nextest write them: `flakyFailure` in a test that passed on a retry,
/// `rerunFailure` in one that never passed.
fn earlier_failures(out: &mut String, test: &TestResult, element: &str) {
    for failure in &test.earlier_failures {
        let _ = writeln!(
            out,
            "      <{element} type=\"{}\" message=\"{}\">{}</{element}>",
            failure.kind.as_str(),
            escape(failure.message.lines().next().unwrap_or("")),
            escape(&failure.message)
        );
    }
}

fn leak_case(out: &mut String, result: &SuiteResult) {
    let _ = write!(
        out,
        "    <testcase name=\"leak-check\" classname=\"{}\" time=\"0\"",
        escape(&result.suite)
    );
    if result.leaks.leaks.is_empty() {
        out.push_str("/>\n");
        return;
    }
    let mut body = String::new();
    for leak in &result.leaks.leaks {
        let _ = writeln!(
            body,
            "{} {} (created by {}; records: {}): {}",
            leak.entity, leak.id, leak.test, leak.recorded, leak.evidence
        );
    }
    let _ = writeln!(
        out,
        ">\n      <failure type=\"leak\" message=\"{} resource(s) left on the cloud\">{}</failure>\n    </testcase>",
        result.leaks.leaks.len(),
        escape(&body)
    );
}

fn secs(seconds: f64) -> String {
    format!("{seconds:.3}")
}

/// Escapes text for XML attributes and content; characters XML 1.0 cannot
/// carry (most control characters) are replaced.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::summary::tests::fixture;
    use super::*;

    #[test]
    fn the_junit_of_a_fixed_run() {
        let xml = render(&fixture());
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="marvin smoke" tests="5" failures="2" errors="0" skipped="1" time="1.500">
  <testsuite name="smoke" tests="5" failures="2" errors="0" skipped="1" time="1.500" timestamp="2025-01-01T10:00:00Z">
    <properties>
      <property name="run_id" value="r-1"/>
      <property name="target" value="embedded simulator at http://127.0.0.1:1/client/api"/>
      <property name="jobs" value="4"/>
      <property name="tags" value=""/>
      <property name="api_coverage" value="1/2"/>
    </properties>
    <testcase name="accounts::create_and_delete" classname="smoke.accounts" time="0.120"/>
    <testcase name="domains::duplicate_name_is_refused" classname="smoke.domains" time="0.080">
      <failure type="panic" message="result should fail with 431 (ParamError)">result should fail with 431 (ParamError)
  actual: Ok(..) &lt;&amp;&gt;
at marvin-smoke/src/domains.rs:40:9

API calls (1):
    1. createDomain name=d&lt;1&gt; -&gt; failed 431: refused &amp; &quot;quoted&quot; (3 ms)</failure>
    </testcase>
    <testcase name="vms::ssh_login" classname="smoke.vms" time="0.000">
      <skipped message="needs real hardware"/>
    </testcase>
    <testcase name="templates::register_and_delete" classname="smoke.templates" time="0.900"/>
    <testcase name="leak-check" classname="smoke" time="0">
      <failure type="leak" message="1 resource(s) left on the cloud">Domain d1 (created by domains::duplicate_name_is_refused; records: not deleted): still listed by listDomains
</failure>
    </testcase>
  </testsuite>
</testsuites>
"#;
        pretty_assertions::assert_eq!(xml, expected);
    }

    #[test]
    fn flaky_tests_carry_their_earlier_failures_and_not_run_ones_are_skipped() {
        use super::super::result::{Failure, FailureKind};
        let mut result = fixture();
        let mut flaky = result.tests[0].clone();
        flaky.name = "vms::stop_and_start".into();
        flaky.earlier_failures.push(Failure {
            kind: FailureKind::Panic,
            message: "state should equal \"Stopped\"".into(),
            location: None,
        });
        result.tests.push(flaky);
        result.tests.push(TestResult::not_run(
            "vpc::network_acls",
            &[],
            "not run: an earlier test failed (--fail-fast)".into(),
        ));
        let xml = render(&result);
        assert!(
            xml.contains(
                "<testcase name=\"vms::stop_and_start\" classname=\"smoke.vms\" time=\"0.120\">\n      <flakyFailure type=\"panic\" message=\"state should equal &quot;Stopped&quot;\">"
            ),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<testcase name=\"vpc::network_acls\" classname=\"smoke.vpc\" time=\"0.000\">\n      <skipped message=\"not run: an earlier test failed (--fail-fast)\"/>"
            ),
            "{xml}"
        );
        assert!(xml.contains("skipped=\"2\""), "{xml}");
    }

    #[test]
    fn failed_calls_show_their_answer_and_expected_rejections_are_not_failures() {
        let mut result = fixture();
        let failed = &mut result.tests[1].calls;
        failed[0].error.as_mut().unwrap().response = Some(r#"{"errorcode":431}"#.into());
        let mut expected = failed[0].clone();
        let error = expected.error.as_mut().unwrap();
        error.expected = true;
        error.message = "duplicate".into();
        failed.insert(0, expected);
        let xml = render(&result);
        assert!(xml.contains(
            "    1. createDomain name=d&lt;1&gt; -&gt; rejected as expected: duplicate (3 ms)\n    \
             2. createDomain name=d&lt;1&gt; -&gt; failed 431: refused &amp; &quot;quoted&quot; (3 ms)\n         \
             answer: {&quot;errorcode&quot;:431}</failure>"
        ), "{xml}");
    }

    #[test]
    fn control_characters_are_replaced() {
        assert_eq!(escape("a\u{1}b\n"), "a\u{FFFD}b\n");
    }
}
