//! The summary printed at the end of a run: counts and times per result,
//! failures with their messages, skips with their reasons, the slowest
//! tests, the leak check and the API coverage.

use std::fmt::Write as _;
use std::time::Duration;

use super::result::{Status, SuiteResult, TestResult};

/// How many lines of a failure message the summary shows.
const MESSAGE_LINES: usize = 6;
/// How many of the slowest tests it lists.
const SLOWEST: usize = 5;

/// `1.234s`.
pub fn seconds(duration: Duration) -> String {
    format!("{:.3}s", duration.as_secs_f64())
}

/// The per-test line printed as each test finishes:
/// `    PASS [   0.123s] accounts::create_and_delete`.
pub fn test_line(test: &TestResult) -> String {
    styled_test_line(test, false)
}

/// [`test_line`] with its word coloured: `PASS` green, `FAIL` red,
/// `FLAKY` and `SKIP` yellow, `NOT RUN` dimmed.
pub fn colored_test_line(test: &TestResult) -> String {
    styled_test_line(test, true)
}

fn styled_test_line(test: &TestResult, color: bool) -> String {
    let (word, style) = match test.status {
        Status::Passed if test.is_flaky() => ("FLAKY", "1;33"),
        Status::Passed => ("PASS", "1;32"),
        Status::Failed => ("FAIL", "1;31"),
        Status::Skipped => ("SKIP", "1;33"),
        Status::NotRun => ("NOT RUN", "2"),
    };
    let pad = " ".repeat(8usize.saturating_sub(word.len()));
    let word = if color {
        format!("{pad}\x1b[{style}m{word}\x1b[0m")
    } else {
        format!("{pad}{word}")
    };
    let mut line = format!("{word} [{:>9}] {}", seconds(test.duration), test.name);
    if test.is_flaky() {
        let _ = write!(line, " (passed on attempt {})", test.attempts());
    } else if test.status == Status::Failed && test.attempts() > 1 {
        let _ = write!(line, " (failed {} attempts)", test.attempts());
    }
    if let Some(reason) = &test.skip_reason {
        let _ = write!(line, " ({reason})");
    }
    line
}

/// The last line of a run, in the plain form CI systems read:
/// `smoke: 83 passed, 1 failed, 2 skipped`.
pub fn closing_line(result: &SuiteResult) -> String {
    format!(
        "{}: {} passed, {} failed, {} skipped",
        result.suite,
        result.count(Status::Passed),
        result.count(Status::Failed),
        result.count(Status::Skipped)
    )
}

/// The summary as text (no colours), ending with a newline.
pub fn render(result: &SuiteResult) -> String {
    let mut out = String::new();
    let ran = result.tests.len();
    let _ = writeln!(
        out,
        "{}: {ran} test{} in {} with {} job{} (run {}, {})",
        result.suite,
        plural(ran),
        seconds(result.wall),
        result.jobs,
        plural(result.jobs),
        result.run_id,
        result.target
    );
    if !result.tags.is_empty() {
        let _ = writeln!(out, "selected tags: {}", result.tags.join(", "));
    }
    if let Some(chaos) = &result.chaos {
        let _ = writeln!(
            out,
            "chaos: {} test{} panicked on purpose ({chaos})",
            result.chaos_panics(),
            plural(result.chaos_panics())
        );
    }
    out.push('\n');
    let _ = writeln!(out, "  {:<8} {:>6} {:>10}", "result", "tests", "time");
    let mut total = Duration::ZERO;
    for status in [
        Status::Passed,
        Status::Failed,
        Status::Skipped,
        Status::NotRun,
    ] {
        let tests: Vec<&TestResult> = result.tests.iter().filter(|t| t.status == status).collect();
        if status == Status::NotRun && tests.is_empty() {
            continue;
        }
        let time: Duration = tests.iter().map(|t| t.duration).sum();
        total += time;
        let shown = if matches!(status, Status::Skipped | Status::NotRun) {
            "-".to_string()
        } else {
            seconds(time)
        };
        let _ = writeln!(
            out,
            "  {:<8} {:>6} {:>10}",
            status.as_str(),
            tests.len(),
            shown
        );
    }
    let _ = writeln!(out, "  {:<8} {:>6} {:>10}", "total", ran, seconds(total));

    let failed: Vec<&TestResult> = result.failed().collect();
    if !failed.is_empty() {
        let _ = writeln!(out, "\nFailed:");
        for test in failed {
            let _ = writeln!(out, "  {} ({})", test.name, seconds(test.duration));
            if let Some(failure) = &test.failure {
                let lines: Vec<&str> = failure.message.lines().collect();
                for line in lines.iter().take(MESSAGE_LINES) {
                    let _ = writeln!(out, "      {line}");
                }
                if lines.len() > MESSAGE_LINES {
                    let _ = writeln!(
                        out,
                        "      ... {} more line(s) in the reports",
                        lines.len() - MESSAGE_LINES
                    );
                }
                if let Some(location) = &failure.location {
                    let _ = writeln!(out, "      at {location}");
                }
            }
            if test.failure.as_ref().map(|f| f.kind) != Some(super::result::FailureKind::Cleanup) {
                for problem in &test.cleanup_problems {
                    let _ = writeln!(out, "      and {problem}");
                }
            }
        }
    }

    let flaky: Vec<&TestResult> = result.flaky().collect();
    if !flaky.is_empty() {
        let _ = writeln!(out, "\nFlaky (passed on a retry):");
        for test in flaky {
            let _ = writeln!(out, "  {} (attempt {} passed)", test.name, test.attempts());
            for failure in &test.earlier_failures {
                let first = failure.message.lines().next().unwrap_or("");
                let _ = writeln!(out, "      earlier: {first}");
            }
        }
    }

    let not_run = result.count(Status::NotRun);
    if not_run > 0 {
        let reason = result
            .tests
            .iter()
            .find(|t| t.status == Status::NotRun)
            .and_then(|t| t.skip_reason.as_deref())
            .unwrap_or("not run");
        let _ = writeln!(
            out,
            "\nNot run: {not_run} test{} never started ({reason})",
            plural(not_run)
        );
    }

    let skipped: Vec<&TestResult> = result
        .tests
        .iter()
        .filter(|t| t.status == Status::Skipped)
        .collect();
    if !skipped.is_empty() {
        let _ = writeln!(out, "\nSkipped:");
        for test in skipped {
            let reason = test.skip_reason.as_deref().unwrap_or("no reason given");
            let _ = writeln!(out, "  {} ({reason})", test.name);
        }
    }

    let slowest = result.slowest(SLOWEST);
    if !slowest.is_empty() {
        let _ = writeln!(out, "\nSlowest:");
        for test in slowest {
            let _ = writeln!(out, "  {:>9}  {}", seconds(test.duration), test.name);
        }
    }

    if !result.fixtures.is_empty() {
        let _ = writeln!(out, "\nShared fixtures:");
        for fixture in &result.fixtures {
            let made = match &fixture.result.failure {
                Some(failure) if failure.kind != super::result::FailureKind::Cleanup => {
                    "could not be made"
                }
                _ => "made once",
            };
            let _ = writeln!(
                out,
                "  {} {made} for {} test{}, {} call{}, {} resource{} ({})",
                fixture.name,
                fixture.users.len(),
                plural(fixture.users.len()),
                fixture.result.calls.len(),
                plural(fixture.result.calls.len()),
                fixture.result.resources.len(),
                plural(fixture.result.resources.len()),
                seconds(fixture.result.duration)
            );
            for problem in &fixture.result.cleanup_problems {
                let _ = writeln!(out, "      cleanup: {problem}");
            }
        }
    }

    let leaks = &result.leaks;
    let distinct = if leaks.distinct == leaks.created {
        String::new()
    } else {
        format!(" ({} distinct ids)", leaks.distinct)
    };
    let _ = writeln!(
        out,
        "\nLeak check: {} resource{} created{distinct}, {} confirmed gone on the cloud, {} left, {} unverifiable ({})",
        leaks.created,
        plural(leaks.created),
        leaks.verified_gone,
        leaks.leaks.len(),
        leaks.unverified.len(),
        leaks.source
    );
    for leak in &leaks.leaks {
        let _ = writeln!(
            out,
            "  LEFT {} {} (created by {}; records: {}): {}",
            leak.entity, leak.id, leak.test, leak.recorded, leak.evidence
        );
    }
    for item in &leaks.unverified {
        let _ = writeln!(
            out,
            "  unverified {} {} (created by {}): {}",
            item.entity, item.id, item.test, item.reason
        );
    }
    let coverage = &result.coverage;
    let _ = writeln!(
        out,
        "API coverage: {} of {} APIs of the precache exercised ({:.1}%)",
        coverage.exercised(),
        coverage.total(),
        coverage.percent()
    );
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::coverage::{ApiUse, Coverage};
    use super::super::leaks::{Leak, LeakCheck};
    use super::super::result::{ApiCall, CallError, CreatedResource, Failure, FailureKind, Fate};
    use super::*;
    use marvin_core::Deletion;

    fn test(name: &str, status: Status, ms: u64) -> TestResult {
        let mut test = TestResult::skipped(name, &["smoke"], String::new());
        test.status = status;
        test.skip_reason = None;
        test.duration = Duration::from_millis(ms);
        test
    }

    /// A fixed result set, shared with the JUnit and HTML tests.
    pub(crate) fn fixture() -> SuiteResult {
        let mut passed = test("accounts::create_and_delete", Status::Passed, 120);
        passed.calls = vec![
            ApiCall {
                command: "createAccount".into(),
                params: vec![
                    ("username".into(), "u-1".into()),
                    ("password".into(), "********".into()),
                ],
                started_at: None,
                duration: Duration::from_millis(4),
                job_id: None,
                error: None,
            },
            ApiCall {
                command: "deleteAccount".into(),
                params: vec![("id".into(), "a1".into())],
                started_at: None,
                duration: Duration::from_millis(21),
                job_id: Some("j1".into()),
                error: None,
            },
        ];
        passed.resources = vec![CreatedResource {
            entity: "Account".into(),
            id: "a1".into(),
            deletion: Deletion::new("Account", "a1", "deleteAccount", true),
            fate: Fate::DeletedByCleanup,
        }];
        let mut failed = test("domains::duplicate_name_is_refused", Status::Failed, 80);
        failed.failure = Some(Failure {
            kind: FailureKind::Panic,
            message: "result should fail with 431 (ParamError)\n  actual: Ok(..) <&>".into(),
            location: Some("marvin-smoke/src/domains.rs:40:9".into()),
        });
        failed.calls = vec![ApiCall {
            command: "createDomain".into(),
            params: vec![("name".into(), "d<1>".into())],
            started_at: None,
            duration: Duration::from_millis(3),
            job_id: None,
            error: Some(CallError {
                code: Some(431),
                message: "refused & \"quoted\"".into(),
                response: None,
                expected: false,
            }),
        }];
        let mut skipped = test("vms::ssh_login", Status::Skipped, 0);
        skipped.skip_reason = Some("needs real hardware".into());
        let slow = test("templates::register_and_delete", Status::Passed, 900);
        SuiteResult {
            suite: "smoke".into(),
            run_id: "r-1".into(),
            target: "embedded simulator at http://127.0.0.1:1/client/api".into(),
            started: "2025-01-01T10:00:00Z".into(),
            wall: Duration::from_millis(1500),
            jobs: 4,
            tags: Vec::new(),
            tests: vec![passed, failed, skipped, slow],
            fixtures: Vec::new(),
            leaks: LeakCheck {
                source: "ledger target/marvin/ledger.jsonl".into(),
                created: 3,
                distinct: 2,
                verified_gone: 1,
                leaks: vec![Leak {
                    entity: "Domain".into(),
                    id: "d1".into(),
                    test: "domains::duplicate_name_is_refused".into(),
                    recorded: "not deleted".into(),
                    evidence: "still listed by listDomains".into(),
                }],
                unverified: Vec::new(),
            },
            coverage: Coverage {
                apis: vec![
                    ApiUse {
                        name: "createAccount".into(),
                        is_async: false,
                        calls: 1,
                        failures: 0,
                        total_time: Duration::from_millis(4),
                        tests: 1,
                    },
                    ApiUse {
                        name: "listZones".into(),
                        ..ApiUse::default()
                    },
                ],
                unknown: Vec::new(),
            },
            chaos: None,
        }
    }

    #[test]
    fn the_summary_of_a_fixed_run() {
        let text = render(&fixture());
        let expected = "\
smoke: 4 tests in 1.500s with 4 jobs (run r-1, embedded simulator at http://127.0.0.1:1/client/api)

  result    tests       time
  passed        2     1.020s
  failed        1     0.080s
  skipped       1          -
  total         4     1.100s

Failed:
  domains::duplicate_name_is_refused (0.080s)
      result should fail with 431 (ParamError)
        actual: Ok(..) <&>
      at marvin-smoke/src/domains.rs:40:9

Skipped:
  vms::ssh_login (needs real hardware)

Slowest:
     0.900s  templates::register_and_delete
     0.120s  accounts::create_and_delete
     0.080s  domains::duplicate_name_is_refused

Leak check: 3 resources created (2 distinct ids), 1 confirmed gone on the cloud, 1 left, 0 unverifiable (ledger target/marvin/ledger.jsonl)
  LEFT Domain d1 (created by domains::duplicate_name_is_refused; records: not deleted): still listed by listDomains
API coverage: 1 of 2 APIs of the precache exercised (50.0%)
";
        pretty_assertions::assert_eq!(text, expected);
    }

    #[test]
    fn injected_panics_are_counted_and_the_settings_named() {
        let mut result = fixture();
        result.chaos = Some(marvin_core::testing::ChaosSettings::new(0.1, 42).unwrap());
        let mut chaos = test("vms::deploy_and_destroy", Status::Failed, 10);
        chaos.failure = Some(Failure {
            kind: FailureKind::Chaos,
            message: "[marvin chaos] injected panic before API call 3 (listZones)".into(),
            location: None,
        });
        result.tests.push(chaos);
        assert_eq!(result.chaos_panics(), 1);
        let text = render(&result);
        assert!(
            text.contains(
                "chaos: 1 test panicked on purpose (MARVIN_CHAOS_PANIC=0.1 MARVIN_CHAOS_SEED=42)\n"
            ),
            "{text}"
        );
        assert!(text.contains("[marvin chaos] injected panic before API call 3"));
    }

    #[test]
    fn test_lines_look_like_nextest() {
        let fixture = fixture();
        assert_eq!(
            test_line(&fixture.tests[0]),
            "    PASS [   0.120s] accounts::create_and_delete"
        );
        assert_eq!(
            test_line(&fixture.tests[2]),
            "    SKIP [   0.000s] vms::ssh_login (needs real hardware)"
        );
        assert_eq!(
            colored_test_line(&fixture.tests[1]),
            "    \x1b[1;31mFAIL\x1b[0m [   0.080s] domains::duplicate_name_is_refused"
        );
    }

    #[test]
    fn flaky_and_not_run_tests_are_named_as_such() {
        let mut result = fixture();
        let mut flaky = test("vms::stop_and_start", Status::Passed, 30);
        flaky.earlier_failures.push(Failure {
            kind: FailureKind::Panic,
            message: "state should equal \"Stopped\"".into(),
            location: None,
        });
        let not_run = TestResult::not_run(
            "vpc::network_acls",
            &[],
            "not run: an earlier test failed (--fail-fast)".into(),
        );
        result.tests.extend([flaky.clone(), not_run.clone()]);
        assert_eq!(
            test_line(&flaky),
            "   FLAKY [   0.030s] vms::stop_and_start (passed on attempt 2)"
        );
        assert_eq!(
            test_line(&not_run),
            " NOT RUN [   0.000s] vpc::network_acls (not run: an earlier test failed (--fail-fast))"
        );
        let text = render(&result);
        assert!(text.contains("  not run       1          -\n"), "{text}");
        assert!(
            text.contains(
                "Flaky (passed on a retry):\n  vms::stop_and_start (attempt 2 passed)\n      earlier: state should equal \"Stopped\"\n"
            ),
            "{text}"
        );
        assert!(text.contains("Not run: 1 test never started"), "{text}");
        assert_eq!(
            closing_line(&result),
            "smoke: 3 passed, 1 failed, 1 skipped"
        );
    }

    #[test]
    fn shared_fixtures_are_listed_and_a_failed_fixture_cleanup_fails_the_run() {
        let mut result = fixture();
        result.leaks.leaks.clear();
        result.tests.retain(|t| t.status != Status::Failed);
        assert!(result.is_success());
        let mut made = test("fixture vpc::SHARED_VPC", Status::Failed, 2500);
        made.cleanup_problems = vec!["could not delete Vpc v-1 (deleteVPC): in use".into()];
        made.calls = vec![ApiCall {
            command: "createVPC".into(),
            params: Vec::new(),
            started_at: None,
            duration: Duration::from_millis(40),
            job_id: None,
            error: None,
        }];
        result.fixtures.push(super::super::result::FixtureResult {
            name: "vpc::SHARED_VPC".into(),
            users: vec!["vpc::a".into(), "vpc::b".into()],
            result: made,
        });
        let text = render(&result);
        assert!(
            text.contains(
                "Shared fixtures:\n  vpc::SHARED_VPC made once for 2 tests, 1 call, 0 resources (2.500s)\n      cleanup: could not delete Vpc v-1 (deleteVPC): in use\n"
            ),
            "{text}"
        );
        assert!(!result.is_success());
        let junit = super::super::junit::render(&result);
        assert!(
            junit.contains(
                "<testcase name=\"fixture vpc::SHARED_VPC\" classname=\"smoke.fixtures\""
            ),
            "{junit}"
        );
        let html = super::super::html::render(&result);
        assert!(html.contains("<h2>Shared fixtures (1)</h2>"), "{html}");
        assert!(
            html.contains("vpc::SHARED_VPC used by: vpc::a, vpc::b"),
            "{html}"
        );
    }
}
