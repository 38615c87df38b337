//! The test runner of every suite: `marvin smoke` and any test target with
//! `harness = false` whose `main` is `marvin::main!()`.
//!
//! It speaks the command line that `cargo test` and `cargo nextest` give a
//! test binary (libtest's, through `libtest-mimic`: a name filter,
//! `--exact`, `--skip`, `--list [--format terse]`, `--ignored`,
//! `--test-threads`, `--color`, `-q`), plus Marvin's own options (tags, a
//! regular expression, fail-fast, retries, rerunning the last failures,
//! partitions, reports), and runs the selection with [`run_selected`]:
//! concurrently on one runtime, with progress, the summary, JUnit and HTML
//! reports, the leak check and the API coverage.
//!
//! Exit codes: 0 passed, 1 tests failed, 2 bad arguments, 3 bad config, an
//! unreachable cloud or a report that could not be written, 4 resources
//! left on the cloud, 6 nothing selected (an empty selection or an unknown
//! tag); 130/143 after Ctrl-C/SIGTERM.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use libtest_mimic::{Arguments, ColorSetting, FormatSetting};
use marvin_core::Client;
use marvin_core::cleanup::{self, LedgerLocation};
use marvin_core::client::cassette::{self, RecordMode};
use marvin_core::schema::ApiList;
use marvin_core::testing::{Capabilities, RunSettings, termination_requested};
use regex::Regex;

use super::backend::Backend;
use super::result::{Status, SuiteResult, TestResult};
use super::run::{RunOptions, RunPolicy, default_jobs, run_selected};
use super::scenario::{Registered, Scenario};
use super::select::{Filters, Partition, Selection, SelectionError};
use super::{html, json, junit, summary};

/// The options of a suite run: libtest's, then Marvin's. `marvin smoke`
/// takes the same.
#[derive(Debug, Clone, clap::Args)]
pub struct SuiteArgs {
    /// The options cargo test and cargo nextest pass to a test binary.
    #[command(flatten)]
    pub libtest: Arguments,
    /// The cloud's Marvin config; without it the tests run against the
    /// embedded simulator.
    #[arg(long, env = "MARVIN_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Run only tests with one of these tags (comma-separated; trimmed,
    /// any case). A tag no test has is an error.
    #[arg(long, value_delimiter = ',', env = "MARVIN_TAGS", value_name = "TAGS")]
    pub tags: Vec<String>,
    /// Run only tests whose full name matches this regular expression.
    #[arg(long, value_name = "REGEX", value_parser = parse_regex)]
    pub regex: Option<Regex>,
    /// How many tests run at once [default: --test-threads, else the
    /// number of CPUs, at least 4].
    #[arg(long, short = 'j', env = "MARVIN_JOBS")]
    pub jobs: Option<usize>,
    /// Start no further test after the first failure (the others are
    /// reported as not run).
    #[arg(long, env = "MARVIN_FAIL_FAST")]
    pub fail_fast: bool,
    /// Run a failing test up to N more times; one that then passes is
    /// reported as flaky.
    #[arg(long, env = "MARVIN_RETRIES", value_name = "N", default_value_t = 0)]
    pub retries: usize,
    /// Run only the tests that failed in the previous run of this suite
    /// (from this workspace's target directory).
    #[arg(long)]
    pub rerun_failed: bool,
    /// Run one slice of the suite: `hash:K/N` (by a hash of each name) or
    /// `count:K/N` (dealt out in name order), as nextest does.
    #[arg(long, env = "MARVIN_PARTITION", value_name = "KIND:K/N")]
    pub partition: Option<Partition>,
    /// Write a JUnit XML report here.
    #[arg(long, env = "MARVIN_JUNIT", value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write a self-contained HTML report here.
    #[arg(long, env = "MARVIN_HTML", value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write the results as JSON here (each test's status, time, failure
    /// or skip reason; the backend and its capabilities).
    #[arg(long, env = "MARVIN_JSON", value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Replay the cassettes of a recorded run from this directory: no
    /// request reaches any network, and no simulator starts.
    #[arg(long, env = "MARVIN_REPLAY", value_name = "DIR")]
    pub replay: Option<PathBuf>,
    /// Record every request and answer of the run into this directory,
    /// one cassette per test, with the run's manifest (marvin-run.json).
    #[arg(long, env = "MARVIN_RECORD", value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// What --record does with existing cassettes: once, none,
    /// new_episodes or all [default: once; none under CI=true].
    #[arg(long, env = "MARVIN_RECORD_MODE", value_name = "MODE")]
    pub record_mode: Option<RecordMode>,
    /// How long a cloud named by --config may take to answer before the
    /// run gives up, in seconds.
    #[arg(
        long,
        env = "MARVIN_READY_TIMEOUT",
        value_name = "SECONDS",
        default_value_t = 60
    )]
    pub ready_timeout: u64,
    /// A capability of the cloud, for tests that declare `needs`
    /// (comma-separated or repeated): `live` and `simulator` are found
    /// out; others (`second-zone`, `kvm`) are declared here.
    #[arg(
        long = "capability",
        env = "MARVIN_CAPABILITIES",
        value_delimiter = ',',
        value_name = "NAME"
    )]
    pub capabilities: Vec<String>,
}

impl SuiteArgs {
    /// The backend these options choose (see [`Backend`]).
    pub fn backend(&self) -> Result<Backend, SuiteError> {
        let record = self.record.as_deref().map(|dir| (dir, self.record_mode));
        let mut backend = Backend::choose(self.config.as_deref(), self.replay.as_deref(), record)?;
        backend.ready_timeout = std::time::Duration::from_secs(self.ready_timeout);
        backend.declared = self.capabilities.clone();
        Ok(backend)
    }
}

fn parse_regex(text: &str) -> Result<Regex, String> {
    Regex::new(text).map_err(|error| error.to_string())
}

/// The help's layout and closing text for every suite's command line (the
/// libtest options bring a layout of their own, without the command's
/// description).
pub const HELP_TEMPLATE: &str =
    "{before-help}{about-with-newline}\n{usage-heading} {usage}\n\n{all-args}{after-help}";

/// What `--help` ends with: the exit codes.
pub const AFTER_HELP: &str = "Exit codes: 0 passed; 1 tests failed; 2 bad arguments; \
3 bad config, a cloud that does not answer, or a report that could not be written; \
4 resources left on the cloud; 6 nothing selected (an empty selection or an unknown tag); \
130/143 stopped by SIGINT/SIGTERM. Every option with a variable reads it when not given; \
NO_COLOR turns colours off unless --color always.";

/// The command line of a test binary: only [`SuiteArgs`].
#[derive(Debug, Parser)]
#[command(
    about = "Runs this target's Marvin tests (cargo test and cargo nextest pass the same arguments).",
    disable_version_flag = true,
    help_template = HELP_TEMPLATE,
    after_help = AFTER_HELP
)]
struct TestBinary {
    #[command(flatten)]
    args: SuiteArgs,
}

/// Why a run did not pass; each kind has its own exit code.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// Wrong arguments (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// The config cannot be read, or the cloud cannot be reached, or a
    /// report cannot be written (exit code 3).
    #[error("{0}")]
    Config(String),
    /// The selection is empty or names a tag no test has (exit code 6).
    #[error("{0}")]
    NothingSelected(String),
    /// Tests failed (exit code 1).
    #[error("{0} test(s) failed")]
    TestsFailed(usize),
    /// Resources are left on the cloud (exit code 4, over failures).
    #[error("{0} resource(s) could not be deleted")]
    Leaks(usize),
}

impl SuiteError {
    /// The process exit code for this outcome.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::TestsFailed(_) => 1,
            Self::Usage(_) => 2,
            Self::Config(_) => 3,
            Self::Leaks(_) => 4,
            Self::NothingSelected(_) => 6,
        }
    }
}

impl From<SelectionError> for SuiteError {
    fn from(error: SelectionError) -> Self {
        Self::NothingSelected(error.to_string())
    }
}

/// The cloud a run uses when neither `--config` nor `MARVIN_CONFIG` names
/// one: its admin client and a description of where it points (for the
/// summary). The `marvin` crate passes its embedded simulator, or, built
/// without the `simulator` feature, an error that asks for a config.
pub type DefaultCloud = fn() -> marvin_core::Result<(Client, String)>;

/// The `main` of a test binary of `suite`: parses the command line, runs
/// the selection of `scenarios` on a new runtime, prints the outcome and
/// returns its exit code. `marvin::main!` calls it.
pub fn main(suite: &str, scenarios: &[Scenario], default_cloud: DefaultCloud) -> ExitCode {
    let args = TestBinary::parse().args;
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{suite}: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(suite, scenarios, &args, default_cloud)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{suite}: {error}");
            ExitCode::from(error.exit_code())
        }
    }
}

/// [`main`] for the `#[marvin::test]` functions linked into this binary,
/// sorted by name. `crate_name` is stripped from their module paths, so
/// that names read as cargo's own harness writes them (`vms::deploy`).
pub fn main_registered(crate_name: &str, default_cloud: DefaultCloud) -> ExitCode {
    main(crate_name, &registered(crate_name), default_cloud)
}

/// The `#[marvin::test]` functions linked into this binary, as scenarios
/// named without the crate (`module::function`), sorted by name.
pub fn registered(crate_name: &str) -> Vec<Scenario> {
    let mut scenarios: Vec<Scenario> = inventory::iter::<Registered>
        .into_iter()
        .map(|test| test.scenario(crate_name))
        .collect();
    scenarios.sort_by_key(|s| s.name);
    scenarios
}

/// Runs `suite` (its whole table is `scenarios`) as `args` say: lists it,
/// or selects, checks the cloud is there, runs, reports.
pub async fn run(
    suite: &str,
    scenarios: &[Scenario],
    args: &SuiteArgs,
    default_cloud: DefaultCloud,
) -> Result<(), SuiteError> {
    let last_run = LastRun::path(suite);
    let only = if args.rerun_failed {
        Some(LastRun::failures(&last_run, suite)?)
    } else {
        None
    };
    let filters = Filters {
        libtest: args.libtest.clone(),
        regex: args.regex.clone(),
        tags: args.tags.clone(),
        only,
        partition: args.partition,
        foreign_tags_allowed: args.libtest.list && terse(&args.libtest),
    };
    let selection = Selection::new(suite, scenarios, &filters)?;
    if args.libtest.list {
        list(&selection, &args.libtest);
        return Ok(());
    }
    if selection.tests.is_empty() && args.libtest.ignored {
        // `-- --ignored` on a target without ignored tests runs nothing,
        // as libtest does (`cargo test -- --ignored` over a workspace).
        println!("{suite}: no selected test is marked #[ignore]; 0 passed, 0 failed");
        return Ok(());
    }
    if selection.tests.is_empty() {
        return Err(SuiteError::NothingSelected(format!(
            "no test of {suite} ({} in all) is selected by {}",
            scenarios.len(),
            describe(args)
        )));
    }
    let jobs = match args.jobs.or(args.libtest.test_threads) {
        Some(0) => return Err(SuiteError::Usage("--jobs must be at least 1".into())),
        Some(jobs) => jobs,
        None => default_jobs(),
    };

    let backend = args.backend()?;
    // Before any test: every client of the run records or replays as the
    // backend says, whatever the environment holds.
    cassette::configure(backend.cassettes());
    let (client, target) = backend.connect(default_cloud).await?;
    // One process per test (nextest): each has a run cassette of its own,
    // named after its test, or the processes would replace each other's.
    let run_name = match (under_nextest(), selection.tests.as_slice()) {
        (true, [only]) => format!("{suite}::{}", only.name),
        _ => suite.to_owned(),
    };
    let client = cassette::attach_for_run(client, &run_name);
    backend.wait_for_backend(&client, &target).await?;
    let capabilities = backend.capabilities(&client, &target).await?;
    let mut settings = RunSettings::from_env();
    settings.capabilities = Some(capabilities.clone());
    settings.selected_tags = (!selection.tags.is_empty()).then(|| selection.tags.clone());
    if let Some(grace) = settings.termination_grace {
        if let Err(error) = cleanup::install_termination_handler(grace) {
            eprintln!("marvin: could not install the termination handler: {error}");
        }
    }
    let precache = ApiList::from_json(marvin_entities::PRECACHE)
        .map_err(|error| SuiteError::Usage(format!("the embedded api-precache.json: {error}")))?;
    let color = color_enabled(
        args.libtest.color,
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        std::io::stdout().is_terminal(),
    );
    let options = RunOptions {
        suite: suite.to_string(),
        jobs,
        settings,
        target,
        progress_bar: std::io::stderr().is_terminal(),
        test_lines: !args.libtest.quiet,
    };
    let policy = RunPolicy {
        color,
        fail_fast: args.fail_fast,
        retries: args.retries,
    };
    let mut result = run_selected(&selection.tests, &client, &precache, &options, policy).await;
    result.tests.extend(selection.ignored.iter().map(|s| {
        let why = if s.ignore_reason.is_empty() {
            "#[ignore]"
        } else {
            s.ignore_reason
        };
        TestResult::skipped(
            s.name,
            s.tags,
            format!("ignored: {why} (run with --ignored or --include-ignored)"),
        )
    }));
    if termination_requested() {
        // The signal handler exits the process (130 or 143) once the
        // stopped tests have cleaned up; a report of a cut run would race
        // with it, so none is written.
        std::future::pending::<()>().await;
    }

    let mut out = std::io::stdout().lock();
    let _ = writeln!(out);
    let _ = write!(out, "{}", summary::render(&result));
    if let Some(partition) = args.partition {
        let _ = writeln!(
            out,
            "partition {partition}: {} of {} tests",
            selection.tests.len(),
            scenarios.len()
        );
    }
    drop(out);
    let ledger = options.settings.ledger.as_deref();
    if let Some(said) = backend
        .cleanup_backend(&client, ledger, &result, &capabilities)
        .await
    {
        let _ = writeln!(std::io::stdout().lock(), "{said}");
    }
    write_reports(args, &result, &capabilities)?;
    if !under_nextest() {
        if let Err(error) = LastRun::update(&last_run, &result) {
            eprintln!(
                "marvin: could not record this run's failures in {}: {error}",
                last_run.display()
            );
        }
    }
    let _ = writeln!(
        std::io::stdout().lock(),
        "{}",
        summary::closing_line(&result)
    );
    let leaked = result.leaks.leaks.len();
    if leaked > 0 {
        return Err(SuiteError::Leaks(leaked));
    }
    let failed = result.count(Status::Failed);
    if failed > 0 {
        return Err(SuiteError::TestsFailed(failed));
    }
    Ok(())
}

/// Whether the machine-read list is asked for (`--format terse`, `-q`):
/// what cargo nextest reads.
fn terse(libtest: &Arguments) -> bool {
    libtest.quiet || libtest.format == Some(FormatSetting::Terse)
}

/// Prints the selection as libtest does (`name: test`), so that nextest
/// reads it with `--format terse`; the default format adds the tags and a
/// count. A closed stdout (`| head -1`) ends the list quietly.
fn list(selection: &Selection<'_>, libtest: &Arguments) {
    let terse = terse(libtest);
    let mut out = std::io::stdout().lock();
    let mut text = String::new();
    for test in &selection.listed {
        if terse {
            text.push_str(&format!("{}: test\n", test.name));
        } else {
            text.push_str(&format!("{}: test [{}]\n", test.name, test.tags.join(", ")));
        }
    }
    if !terse {
        let n = selection.listed.len();
        text.push_str(&format!(
            "\n{n} test{}, 0 benchmarks\n",
            if n == 1 { "" } else { "s" }
        ));
    }
    // Errors (a closed pipe) mean nobody reads on: nothing to report.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// What selected the (empty) selection, for the error message.
fn describe(args: &SuiteArgs) -> String {
    let mut parts = Vec::new();
    if let Some(filter) = &args.libtest.filter {
        let how = if args.libtest.exact {
            "exactly"
        } else {
            "containing"
        };
        parts.push(format!("names {how} `{filter}`"));
    }
    if !args.libtest.skip.is_empty() {
        parts.push(format!("--skip {}", args.libtest.skip.join(" --skip ")));
    }
    if let Some(regex) = &args.regex {
        parts.push(format!("--regex `{regex}`"));
    }
    if !args.tags.is_empty() {
        parts.push(format!("tags {}", args.tags.join(",")));
    }
    if args.rerun_failed {
        parts.push("--rerun-failed".into());
    }
    if let Some(partition) = args.partition {
        parts.push(format!("--partition {partition}"));
    }
    if parts.is_empty() {
        "its table (it is empty)".into()
    } else {
        parts.join(" and ")
    }
}

/// Whether output is coloured: `--color always|never` decide; otherwise
/// (`auto`) only on a terminal and without `NO_COLOR`.
pub fn color_enabled(setting: Option<ColorSetting>, no_color: bool, terminal: bool) -> bool {
    match setting {
        Some(ColorSetting::Always) => true,
        Some(ColorSetting::Never) => false,
        Some(ColorSetting::Auto) | None => terminal && !no_color,
    }
}

/// Whether nextest runs this process (one test per process).
fn under_nextest() -> bool {
    std::env::var_os("NEXTEST_EXECUTION_MODE").is_some_and(|m| m == "process-per-test")
}

/// How a report is made from the results.
type Render<'a> = dyn Fn(&SuiteResult) -> String + 'a;

fn write_reports(
    args: &SuiteArgs,
    result: &SuiteResult,
    capabilities: &Capabilities,
) -> Result<(), SuiteError> {
    let json = |result: &SuiteResult| json::render(result, capabilities);
    let reports: [(&Option<PathBuf>, &Render<'_>); 3] = [
        (&args.junit, &junit::render),
        (&args.html, &html::render),
        (&args.json, &json),
    ];
    for (path, render) in reports {
        let Some(path) = path else { continue };
        let path = match (under_nextest(), result.tests.as_slice()) {
            // One process per test: one report per test, side by side.
            (true, [only]) => per_test_path(path, &only.name),
            _ => path.clone(),
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            let _ = std::fs::create_dir_all(parent);
        }
        std::fs::write(&path, render(result))
            .map_err(|error| SuiteError::Config(format!("{}: {error}", path.display())))?;
        let _ = writeln!(std::io::stdout().lock(), "wrote {}", path.display());
    }
    Ok(())
}

/// `report.html` for test `vms::deploy` → `report.vms-deploy.html`.
fn per_test_path(path: &Path, test: &str) -> PathBuf {
    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
    let name = test.replace("::", "-");
    let file = match path.extension() {
        Some(ext) => format!("{stem}.{name}.{}", ext.to_string_lossy()),
        None => format!("{stem}.{name}"),
    };
    path.with_file_name(file)
}

/// The failures of the previous runs of a suite, kept beside the ledger
/// (`<target>/marvin/last-run/<suite>.json`) for `--rerun-failed`.
struct LastRun;

impl LastRun {
    fn path(suite: &str) -> PathBuf {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        // The ledger's directory, also when the ledger itself is off.
        let location = cleanup::locate_ledger_from(&cwd, |name| {
            std::env::var_os(name).filter(|v| !(name == "MARVIN_LEDGER" && v == "off"))
        });
        let dir = match location {
            LedgerLocation::File { path, .. } => {
                path.parent().map(Path::to_path_buf).unwrap_or_default()
            }
            LedgerLocation::Off => cwd.join("target").join("marvin"),
        };
        dir.join("last-run").join(format!("{suite}.json"))
    }

    fn read(path: &Path) -> std::io::Result<BTreeSet<String>> {
        let text = std::fs::read_to_string(path)?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|error| std::io::Error::new(std::io::ErrorKind::InvalidData, error))?;
        Ok(value["failed"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|name| name.as_str().map(String::from))
            .collect())
    }

    /// The previous failures, for `--rerun-failed`.
    fn failures(path: &Path, suite: &str) -> Result<BTreeSet<String>, SuiteError> {
        let failed = match Self::read(path) {
            Ok(failed) => failed,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(SuiteError::Usage(format!(
                    "--rerun-failed: no previous run of {suite} is recorded ({} does not exist)",
                    path.display()
                )));
            }
            Err(error) => {
                return Err(SuiteError::Usage(format!(
                    "--rerun-failed: {}: {error}",
                    path.display()
                )));
            }
        };
        if failed.is_empty() {
            return Err(SuiteError::NothingSelected(format!(
                "--rerun-failed: no test of {suite} failed in the previous runs; nothing to rerun"
            )));
        }
        Ok(failed)
    }

    /// Merges this run into the record, as pytest's last-failed cache
    /// does: tests that ran are failed or not by this run, the others
    /// keep what earlier runs said.
    fn update(path: &Path, result: &SuiteResult) -> std::io::Result<()> {
        let mut failed = Self::read(path).unwrap_or_default();
        for test in &result.tests {
            match test.status {
                Status::Failed => {
                    failed.insert(test.name.clone());
                }
                Status::Passed | Status::Skipped => {
                    failed.remove(&test.name);
                }
                Status::NotRun => {}
            }
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let record = serde_json::json!({
            "suite": result.suite,
            "run_id": result.run_id,
            "failed": failed,
        });
        std::fs::write(path, format!("{record:#}\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_follow_the_setting_then_no_color_and_the_terminal() {
        assert!(color_enabled(Some(ColorSetting::Always), true, false));
        assert!(!color_enabled(Some(ColorSetting::Never), false, true));
        assert!(color_enabled(None, false, true));
        assert!(!color_enabled(None, true, true));
        assert!(!color_enabled(Some(ColorSetting::Auto), false, false));
    }

    #[test]
    fn libtest_and_marvin_options_parse_together() {
        let args = TestBinary::try_parse_from([
            "t",
            "vms",
            "--exact",
            "--tags",
            "a, b",
            "--retries",
            "2",
            "--partition",
            "hash:1/2",
            "--format",
            "terse",
            "--list",
        ])
        .unwrap()
        .args;
        assert_eq!(args.libtest.filter.as_deref(), Some("vms"));
        assert!(args.libtest.exact && args.libtest.list);
        assert_eq!(args.tags, ["a", " b"]);
        assert_eq!(args.retries, 2);
        assert_eq!(args.partition, Some(Partition::Hash { shard: 1, total: 2 }));
        assert!(TestBinary::try_parse_from(["t", "--partition", "hash:3/2"]).is_err());
    }

    #[test]
    fn the_help_ends_with_the_exit_codes() {
        use clap::CommandFactory;
        let help = TestBinary::command().render_long_help().to_string();
        assert!(help.contains("Usage: "), "{help}");
        assert!(help.contains("--rerun-failed"), "{help}");
        assert!(
            help.contains("Exit codes: 0 passed; 1 tests failed;"),
            "{help}"
        );
    }

    #[test]
    fn per_test_reports_sit_beside_the_named_one() {
        assert_eq!(
            per_test_path(Path::new("out/report.html"), "vms::deploy"),
            Path::new("out/report.vms-deploy.html")
        );
    }

    #[test]
    fn the_last_run_keeps_failures_until_they_pass() {
        let dir = std::env::temp_dir().join(format!("marvin-last-run-{}", std::process::id()));
        let path = dir.join("demo.json");
        let _ = std::fs::remove_file(&path);
        let mut result = super::super::summary::tests::fixture();
        LastRun::update(&path, &result).unwrap();
        let failed = LastRun::failures(&path, "demo").unwrap();
        assert_eq!(
            failed.into_iter().collect::<Vec<_>>(),
            ["domains::duplicate_name_is_refused"]
        );
        // A later run of another test keeps it; once it passes it is gone.
        result
            .tests
            .retain(|t| t.name == "domains::duplicate_name_is_refused");
        result.tests[0].status = Status::Passed;
        LastRun::update(&path, &result).unwrap();
        assert!(matches!(
            LastRun::failures(&path, "demo"),
            Err(SuiteError::NothingSelected(_))
        ));
        let _ = std::fs::remove_dir_all(dir);
    }
}
