//! Running a suite: the selected scenarios concurrently on the current
//! runtime, then the leak check and the API coverage.

use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use marvin_core::Client;
use marvin_core::cleanup::{self, LedgerContents, LedgerRecord};
use marvin_core::schema::ApiList;
use marvin_core::testing::{FixtureScope, RunSettings, run_scenario_in, termination_requested};

use super::coverage::Coverage;
use super::leaks::{self, Candidate};
use super::panics::{CaptureGuard, Captured, PanicSlot};
use super::progress::Progress;
use super::result::{FailureKind, FixtureResult, Status, SuiteResult, TestResult};
use super::scenario::Scenario;

/// How long the leak check waits for the cleanup thread.
const FLUSH_LIMIT: Duration = Duration::from_secs(60);

/// How to run a suite.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The suite's name in reports (`smoke`).
    pub suite: String,
    /// How many tests run at once (at least 1).
    pub jobs: usize,
    /// Run id, ledger, selected tags, hardware (see [`RunSettings`]).
    pub settings: RunSettings,
    /// Where the tests run, for reports (`embedded simulator at URL`).
    pub target: String,
    /// Draw a progress bar on stderr (only shown on a terminal).
    pub progress_bar: bool,
    /// Print one line per finished test on stdout.
    pub test_lines: bool,
}

/// What the runner does beyond running every test once: colours, stopping
/// early, retries. The default: no colour, no fail-fast, no retries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunPolicy {
    /// Colour the per-test lines (`PASS` green, `FAIL` red, ...).
    pub color: bool,
    /// After the first failure, start no further test (they are reported
    /// as not run).
    pub fail_fast: bool,
    /// Run a failing test up to this many more times; one that passes on a
    /// retry is reported as flaky.
    pub retries: usize,
}

/// The default number of concurrent tests: the number of CPUs, at least 4
/// (tests mostly wait for the cloud, so more than one per core pays off).
pub fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(4)
        .max(4)
}

/// The scenarios `settings` select by tag (all when no tag is selected;
/// tags match trimmed and whatever their case), in table order.
pub fn select<'s>(scenarios: &'s [Scenario], settings: &RunSettings) -> Vec<&'s Scenario> {
    let tags = settings.selected_tags.clone().unwrap_or_default();
    scenarios.iter().filter(|s| s.has_any_tag(&tags)).collect()
}

/// Runs the scenarios `options.settings` select by tag, each once: see
/// [`run_selected`].
pub async fn run_suite(
    scenarios: &[Scenario],
    client: &Client,
    precache: &ApiList,
    options: &RunOptions,
) -> SuiteResult {
    let selected = select(scenarios, &options.settings);
    run_selected(&selected, client, precache, options, RunPolicy::default()).await
}

/// Runs `scenarios` (already selected, e.g. by [`super::Selection`]),
/// `options.jobs` at a time, each with its own context, cleanup stack and
/// trace, on the current runtime; then checks that nothing this process
/// created is left on the cloud (`client`, the admin client) and computes
/// the coverage of `precache`.
///
/// A test starts only while the run goes on: after a termination signal,
/// or after a failure with [`RunPolicy::fail_fast`], the tests that have
/// not started yet are reported as [`Status::NotRun`].
///
/// Shared fixtures ([`marvin_core::testing::fixture`]) are the run's: each
/// is made once, by the first test that asks, and cleaned up as soon as
/// every selected test that declared it has finished (a fixture some test
/// used without declaring it: after the last test). Their calls, resources
/// and cleanup are reported in [`SuiteResult::fixtures`], and their
/// resources go through the ledger and the leak check like the tests'.
pub async fn run_selected(
    scenarios: &[&Scenario],
    client: &Client,
    precache: &ApiList,
    options: &RunOptions,
    policy: RunPolicy,
) -> SuiteResult {
    let started_at = Instant::now();
    let now = time::OffsetDateTime::now_utc();
    let started = now
        .replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let ledger_start = options.settings.ledger.as_deref().map(file_len);
    let progress = Progress::new(
        scenarios.len(),
        options.progress_bar,
        options.test_lines,
        policy.color,
    );
    let jobs = options.jobs.max(1);
    let stop = AtomicBool::new(false);
    let specs: Vec<_> = scenarios.iter().map(|scenario| scenario.spec()).collect();
    let fixtures = FixtureScope::for_run(client, &options.settings, &specs);

    let mut results: Vec<(usize, TestResult)> = {
        let _capture = CaptureGuard::install();
        futures_util::stream::iter(scenarios.iter().enumerate())
            .map(|(index, scenario)| {
                let progress = &progress;
                let stop = &stop;
                let fixtures = &fixtures;
                async move {
                    let result = match not_started_because(stop, policy.fail_fast) {
                        Some(reason) => {
                            TestResult::not_run(scenario.name, scenario.tags, reason.into())
                        }
                        None => {
                            progress.started(scenario.name);
                            let result = run_with_retries(
                                scenario,
                                client,
                                options,
                                fixtures,
                                policy.retries,
                            )
                            .await;
                            if result.status == Status::Failed {
                                stop.store(true, Ordering::SeqCst);
                            }
                            result
                        }
                    };
                    progress.finished(scenario.name, &result);
                    // Before the next test starts in its place: a fixture
                    // no test still needs is cleaned up now.
                    fixtures.finished(&scenario.spec()).await;
                    (index, result)
                }
            })
            .buffer_unordered(jobs)
            .collect()
            .await
    };
    results.sort_by_key(|(index, _)| *index);
    let tests: Vec<TestResult> = results.into_iter().map(|(_, result)| result).collect();
    let fixture_results: Vec<FixtureResult> = fixtures
        .finish()
        .await
        .into_iter()
        .map(TestResult::from_fixture)
        .collect();
    // Coverage and the leak check count the fixtures' calls and resources
    // as they count the tests'.
    let everything: Vec<TestResult> = tests
        .iter()
        .chain(fixture_results.iter().map(|f| &f.result))
        .cloned()
        .collect();

    progress.phase("checking that nothing was left on the cloud");
    // Deletions handed to the cleanup thread (guards that outlived their
    // test) finish before the check.
    let _ = tokio::task::spawn_blocking(|| cleanup::flush_timeout(FLUSH_LIMIT)).await;
    let (source, candidates) = match (&options.settings.ledger, ledger_start) {
        (Some(path), Some(start)) => match read_ledger_from(path, start) {
            Ok(contents) => (
                format!("ledger {}", path.display()),
                leaks::candidates_from_ledger(&this_process(contents), &options.settings.run_id),
            ),
            Err(error) => (
                format!("the tests' own records (the ledger could not be read: {error})"),
                leaks::candidates_from_results(&everything),
            ),
        },
        _ => (
            "the tests' own records (no ledger)".to_string(),
            leaks::candidates_from_results(&everything),
        ),
    };
    let leak_check = leaks::check(
        client,
        precache,
        source,
        merge(candidates, &everything),
        jobs * 2,
    )
    .await;
    progress.finish();

    SuiteResult {
        suite: options.suite.clone(),
        run_id: options.settings.run_id.clone(),
        target: options.target.clone(),
        started,
        wall: started_at.elapsed(),
        jobs,
        tags: options.settings.selected_tags.clone().unwrap_or_default(),
        coverage: Coverage::compute(precache, &everything),
        tests,
        fixtures: fixture_results,
        leaks: leak_check,
        chaos: options.settings.chaos,
    }
}

/// Why a test must not start now, if so.
fn not_started_because(stop: &AtomicBool, fail_fast: bool) -> Option<&'static str> {
    if termination_requested() {
        Some("not run: the run was interrupted before it started")
    } else if fail_fast && stop.load(Ordering::SeqCst) {
        Some("not run: an earlier test failed (--fail-fast)")
    } else {
        None
    }
}

/// Runs one scenario, again after a failure while retries are left (a
/// termination is never retried); the result keeps the earlier attempts'
/// failures, calls and resources.
async fn run_with_retries(
    scenario: &Scenario,
    client: &Client,
    options: &RunOptions,
    fixtures: &std::sync::Arc<FixtureScope>,
    retries: usize,
) -> TestResult {
    let mut earlier: Option<TestResult> = None;
    let mut attempt = 0;
    loop {
        let slot = PanicSlot::default();
        let spec = scenario.spec();
        let outcome = Captured::new(
            slot.clone(),
            run_scenario_in(
                &options.settings,
                &spec,
                client.clone(),
                fixtures,
                scenario.run,
            ),
        )
        .await;
        let mut result =
            TestResult::from_outcome(scenario.name, scenario.tags, outcome, slot.location());
        if let Some(earlier) = earlier.take() {
            result = result.after_attempt(earlier);
        }
        let terminated = result.failure.as_ref().map(|f| f.kind) == Some(FailureKind::Terminated);
        if result.status != Status::Failed
            || attempt >= retries
            || terminated
            || termination_requested()
        {
            return result;
        }
        attempt += 1;
        earlier = Some(result);
    }
}

/// The ledger's candidates plus anything the tests recorded that the
/// ledger misses (a ledger write that failed is reported, not fatal).
fn merge(mut candidates: Vec<Candidate>, tests: &[TestResult]) -> Vec<Candidate> {
    for candidate in leaks::candidates_from_results(tests) {
        let known = candidates.iter().any(|c| {
            c.deletion.entity == candidate.deletion.entity && c.deletion.id == candidate.deletion.id
        });
        if !known {
            candidates.push(candidate);
        }
    }
    candidates
}

/// The records this process wrote: other processes of the same run (one
/// per test under nextest) append to the same ledger while their tests may
/// still be running, and check their own resources.
fn this_process(mut contents: LedgerContents) -> LedgerContents {
    let pid = std::process::id();
    contents.records.retain(|record| record.pid == pid);
    contents
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The ledger records appended at or after byte `start` (the ledger is
/// append-only and shared by every run: only the tail is this run's).
fn read_ledger_from(path: &PathBuf, start: u64) -> std::io::Result<LedgerContents> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            return Ok(LedgerContents::default());
        }
        Err(error) => return Err(error),
    };
    file.seek(SeekFrom::Start(start))?;
    let mut contents = LedgerContents::default();
    for line in BufReader::new(file).split(b'\n') {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<LedgerRecord>(&line) {
            Ok(record) => contents.records.push(record),
            Err(_) => contents.malformed_lines += 1,
        }
    }
    Ok(contents)
}
