//! Waiting for async jobs with adaptive polling.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{Client, RequestOptions, Trace, WaitOptions};
use crate::envelope::{self, JobState};
use crate::error::{Error, Result};
use crate::params::Params;
use crate::redact;

/// The command that polls jobs.
pub(super) const QUERY_JOB: &str = "queryAsyncJobResult";

/// The schedule of polls: the first after `first`, each later one `factor`
/// times the previous, never more than `max`.
#[derive(Debug, Clone, Copy)]
pub(super) struct PollSchedule {
    next: Duration,
    max: Duration,
    factor: f64,
}

impl PollSchedule {
    pub(super) fn new(first: Duration, max: Duration, factor: f64) -> Self {
        let factor = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        Self {
            next: first.min(max),
            max,
            factor,
        }
    }

    /// The delay before the next poll, advancing the schedule.
    pub(super) fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        let grown = self.next.as_secs_f64() * self.factor;
        self.next = Duration::from_secs_f64(grown.min(self.max.as_secs_f64()));
        delay
    }
}

impl Client {
    /// Polls until the job ends or the timeout passes. `command` names the
    /// job in errors (else the job's `cmd` class is used); `sent` holds the
    /// parameters that started it, whose secrets are scrubbed from texts.
    pub(super) async fn wait_job(
        &self,
        command: Option<&str>,
        job_id: &str,
        options: &WaitOptions,
        sent: &Params,
    ) -> Result<Value> {
        let settings = &self.shared.settings;
        let timeout = options.timeout().unwrap_or(settings.job_timeout);
        let mut schedule = PollSchedule::new(
            options.first_poll().unwrap_or(settings.poll_first),
            options.poll_max().unwrap_or(settings.poll_max),
            options.factor().unwrap_or(settings.poll_factor),
        );
        let params = Params::from([("jobid", job_id)]);
        let request = RequestOptions::default();
        let start = Instant::now();
        let mut polls = 0u32;
        loop {
            let remaining = timeout.saturating_sub(start.elapsed());
            tokio::time::sleep(schedule.next_delay().min(remaining)).await;
            let answer = self
                .call(QUERY_JOB, &params, &request, &Trace::default())
                .await?;
            polls += 1;
            let status = envelope::job_status(QUERY_JOB, &answer)?;
            let name = || {
                command
                    .or(status.cmd_name())
                    .unwrap_or(QUERY_JOB)
                    .to_owned()
            };
            let scrub = |text: String| {
                let secrets: Vec<&str> = sent
                    .iter()
                    .filter(|(name, _)| redact::is_secret_name(name))
                    .map(|(_, value)| value)
                    .collect();
                redact::scrub_values(&text, &secrets)
            };
            match status.state {
                JobState::Pending => {}
                JobState::Succeeded => {
                    tracing::debug!(job_id, polls, "job succeeded");
                    return Ok(status.result.unwrap_or_else(envelope::empty_object));
                }
                JobState::Failed => {
                    return Err(Error::JobFailed {
                        command: name(),
                        job_id: job_id.to_owned(),
                        code: status.error_code(),
                        text: scrub(status.error_text()),
                    });
                }
                JobState::Cancelled => {
                    return Err(Error::JobCancelled {
                        command: name(),
                        job_id: job_id.to_owned(),
                        text: scrub(status.error_text()),
                    });
                }
            }
            let elapsed = start.elapsed();
            if elapsed >= timeout {
                return Err(Error::JobTimeout {
                    command: name(),
                    job_id: job_id.to_owned(),
                    elapsed,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_starts_small_and_grows_to_the_cap() {
        let mut schedule = PollSchedule::new(Duration::from_millis(3), Duration::from_secs(1), 1.5);
        let delays: Vec<Duration> = (0..30).map(|_| schedule.next_delay()).collect();
        assert_eq!(delays[0], Duration::from_millis(3));
        assert!(delays.windows(2).all(|w| w[1] >= w[0]));
        assert!(delays[1] > delays[0]);
        assert_eq!(*delays.last().unwrap(), Duration::from_secs(1));
        // A job that takes 100 ms is seen within a few polls.
        let mut total = Duration::ZERO;
        let polls = delays
            .iter()
            .take_while(|d| {
                total += **d;
                total < Duration::from_millis(100)
            })
            .count();
        assert!(polls < 10, "{polls}");
    }

    #[test]
    fn a_bad_factor_does_not_shrink_the_delay() {
        let mut schedule =
            PollSchedule::new(Duration::from_millis(10), Duration::from_secs(1), 0.1);
        assert_eq!(schedule.next_delay(), Duration::from_millis(10));
        assert_eq!(schedule.next_delay(), Duration::from_millis(10));
        let mut schedule =
            PollSchedule::new(Duration::from_secs(5), Duration::from_secs(1), f64::NAN);
        assert_eq!(schedule.next_delay(), Duration::from_secs(1));
    }
}
