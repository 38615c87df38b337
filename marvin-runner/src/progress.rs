//! Progress while a suite runs: a bar on stderr (when it is a terminal) and
//! one line per finished test on stdout.

use std::io::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::result::{Status, TestResult};
use super::summary::{colored_test_line, test_line};

/// The progress display of one run.
#[derive(Debug)]
pub struct Progress {
    bar: ProgressBar,
    running: Mutex<Vec<&'static str>>,
    failed: Mutex<usize>,
    lines: bool,
    color: bool,
}

impl Progress {
    /// A display for `total` tests. `bar`: draw the bar (on stderr, only if
    /// it is a terminal); `lines`: print a line per finished test, coloured
    /// with `color`.
    pub fn new(total: usize, bar: bool, lines: bool, color: bool) -> Self {
        let target = if bar {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let progress = ProgressBar::with_draw_target(Some(total as u64), target);
        progress.set_style(
            ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] [{bar:32}] {pos}/{len} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        progress.enable_steady_tick(Duration::from_millis(100));
        Self {
            bar: progress,
            running: Mutex::new(Vec::new()),
            failed: Mutex::new(0),
            lines,
            color,
        }
    }

    /// A test started.
    pub fn started(&self, name: &'static str) {
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.push(name);
        self.update(&running);
    }

    /// A test finished.
    pub fn finished(&self, name: &'static str, result: &TestResult) {
        if result.status == Status::Failed {
            *self.failed.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        }
        if self.lines {
            let line = if self.color {
                colored_test_line(result)
            } else {
                test_line(result)
            };
            // A closed stdout (`| head`) must not abort the run: the
            // reports and the leak check still matter.
            self.bar.suspend(|| {
                let _ = writeln!(std::io::stdout().lock(), "{line}");
            });
        }
        self.bar.inc(1);
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        running.retain(|n| *n != name);
        self.update(&running);
    }

    /// Shows what happens after the tests (`checking for leaks`).
    pub fn phase(&self, text: &str) {
        self.bar.set_message(text.to_string());
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    fn update(&self, running: &[&'static str]) {
        let failed = *self.failed.lock().unwrap_or_else(|p| p.into_inner());
        let mut message = String::new();
        if failed > 0 {
            message.push_str(&format!("{failed} failed; "));
        }
        match running {
            [] => {}
            [only] => message.push_str(only),
            [first, rest @ ..] => message.push_str(&format!("{first} and {} more", rest.len())),
        }
        self.bar.set_message(message);
    }
}
