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

/// The schedule of polls after the first one (which is sent at once): the
/// first delay is `first`, each later one `factor` times the previous, but
/// never more than `max` and never more than [`ELAPSED_SHARE`] of the time
/// waited so far (with `first` as the floor), so that a job is seen soon
/// after it ends whatever its length.
#[derive(Debug, Clone, Copy)]
pub(super) struct PollSchedule {
    first: Duration,
    next: Duration,
    max: Duration,
    factor: f64,
}

/// The longest delay between two polls as a share of the time waited so
/// far: a job is seen at most about this much (plus one poll) after it
/// ends, once the delays have grown past `first`.
pub(super) const ELAPSED_SHARE: f64 = 0.1;

impl PollSchedule {
    pub(super) fn new(first: Duration, max: Duration, factor: f64) -> Self {
        let factor = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        let first = first.min(max);
        Self {
            first,
            next: first,
            max,
            factor,
        }
    }

    /// The delay before the next poll, `elapsed` after the wait started,
    /// advancing the schedule.
    pub(super) fn next_delay(&mut self, elapsed: Duration) -> Duration {
        let share = elapsed.mul_f64(ELAPSED_SHARE).max(self.first);
        let delay = self.next.min(share).min(self.max);
        let grown = delay.as_secs_f64() * self.factor;
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
        trace: &Trace,
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
        // The secrets of the call that started the job, scrubbed from its
        // texts.
        let secrets: Vec<&str> = sent
            .iter()
            .filter(|(name, _)| redact::is_secret_name(name))
            .map(|(_, value)| value)
            .collect();
        let start = Instant::now();
        let mut polls = 0u32;
        loop {
            // The first poll goes out at once: a job that is already done
            // (the server ran it before answering) costs one call.
            // A replayed poll answers at once: no reason to wait for it.
            if polls > 0 && !self.replays_only() {
                let elapsed = start.elapsed();
                let remaining = timeout.saturating_sub(elapsed);
                tokio::time::sleep(schedule.next_delay(elapsed).min(remaining)).await;
            }
            let answer = self.call_value(QUERY_JOB, &params, &request, trace).await?;
            polls += 1;
            let status = envelope::job_status(QUERY_JOB, &answer)?;
            let name = || {
                command
                    .or(status.cmd_name())
                    .unwrap_or(QUERY_JOB)
                    .to_owned()
            };
            let scrub = |text: String| redact::scrub_values(&text, &secrets);
            if matches!(status.state, JobState::Failed | JobState::Cancelled) {
                // The failed job's answer is the body its report shows.
                trace.keep_answer(answer.to_string().into_bytes(), &secrets);
            }
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

    /// The poll times (after the immediate one) of a schedule, assuming
    /// polls take no time.
    fn poll_times(mut schedule: PollSchedule, until: Duration) -> Vec<Duration> {
        let mut at = Duration::ZERO;
        let mut times = vec![at];
        while at < until {
            at += schedule.next_delay(at);
            times.push(at);
        }
        times
    }

    #[test]
    fn the_schedule_starts_small_and_grows_to_the_cap() {
        let mut schedule = PollSchedule::new(Duration::from_millis(1), Duration::from_secs(1), 1.5);
        let mut elapsed = Duration::ZERO;
        let delays: Vec<Duration> = (0..200)
            .map(|_| {
                let delay = schedule.next_delay(elapsed);
                elapsed += delay;
                delay
            })
            .collect();
        assert_eq!(delays[0], Duration::from_millis(1));
        assert!(delays.windows(2).all(|w| w[1] >= w[0]), "{delays:?}");
        assert_eq!(*delays.last().unwrap(), Duration::from_secs(1));
        // A job that takes 100 ms is seen within a few dozen polls.
        let polls = poll_times(schedule_of(1, 1000), Duration::from_millis(100)).len();
        assert!(polls < 40, "{polls}");
    }

    fn schedule_of(first_ms: u64, max_ms: u64) -> PollSchedule {
        PollSchedule::new(
            Duration::from_millis(first_ms),
            Duration::from_millis(max_ms),
            1.5,
        )
    }

    #[test]
    fn a_job_is_seen_within_a_tenth_of_its_length_after_it_ends() {
        let times = poll_times(schedule_of(1, 1000), Duration::from_secs(60));
        for job_ms in (1..=60_000).step_by(7) {
            let ends = Duration::from_millis(job_ms);
            let seen = *times.iter().find(|at| **at >= ends).unwrap();
            let late = seen - ends;
            let allowed = ends
                .mul_f64(ELAPSED_SHARE)
                .clamp(Duration::from_millis(1), Duration::from_secs(1));
            assert!(
                late <= allowed + Duration::from_micros(1),
                "a {job_ms} ms job is seen {late:?} late"
            );
        }
        // A 500 ms job: at most 10% late, with a bounded number of polls.
        let polls = times
            .iter()
            .take_while(|at| **at < Duration::from_millis(500))
            .count();
        assert!(polls <= 60, "{polls} polls for a 500 ms job");
    }

    #[test]
    fn a_bad_factor_does_not_shrink_the_delay() {
        let mut schedule =
            PollSchedule::new(Duration::from_millis(10), Duration::from_secs(1), 0.1);
        let late = Duration::from_secs(10);
        assert_eq!(schedule.next_delay(late), Duration::from_millis(10));
        assert_eq!(schedule.next_delay(late), Duration::from_millis(10));
        let mut schedule =
            PollSchedule::new(Duration::from_secs(5), Duration::from_secs(1), f64::NAN);
        assert_eq!(schedule.next_delay(Duration::ZERO), Duration::from_secs(1));
        assert_eq!(schedule.next_delay(late), Duration::from_secs(1));
    }
}
