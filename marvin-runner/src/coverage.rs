//! API coverage: which APIs of the precache a run exercised, and how.

use std::collections::BTreeMap;
use std::time::Duration;

use marvin_core::schema::ApiList;

use super::result::TestResult;

/// How a run used one API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiUse {
    /// The API (`createAccount`).
    pub name: String,
    /// Whether it is asynchronous.
    pub is_async: bool,
    /// How many calls the tests made (for `queryAsyncJobResult`: the
    /// number of jobs waited for, each of which polled it).
    pub calls: usize,
    /// How many of them failed (refusals that tests provoked on purpose
    /// count too).
    pub failures: usize,
    /// Their summed wall time.
    pub total_time: Duration,
    /// How many tests called it.
    pub tests: usize,
}

impl ApiUse {
    /// The mean wall time of a call.
    pub fn mean_time(&self) -> Duration {
        match u32::try_from(self.calls) {
            Ok(0) | Err(_) => Duration::ZERO,
            Ok(calls) => self.total_time / calls,
        }
    }
}

/// Coverage of the precache's APIs by a run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Every API of the precache, by name; `calls == 0` for those the run
    /// did not exercise.
    pub apis: Vec<ApiUse>,
    /// Commands the tests called that the precache does not list.
    pub unknown: Vec<ApiUse>,
}

impl Coverage {
    /// Counts the calls of `tests` against the APIs of `precache` (names
    /// compared without case, as CloudStack does).
    pub fn compute(precache: &ApiList, tests: &[TestResult]) -> Self {
        let mut apis: BTreeMap<String, ApiUse> = precache
            .api
            .iter()
            .map(|api| {
                (
                    api.name.to_ascii_lowercase(),
                    ApiUse {
                        name: api.name.clone(),
                        is_async: api.isasync,
                        ..ApiUse::default()
                    },
                )
            })
            .collect();
        let mut unknown: BTreeMap<String, ApiUse> = BTreeMap::new();
        for test in tests {
            let mut seen: Vec<String> = Vec::new();
            for call in &test.calls {
                let mut count = |name: &str, duration: Duration, failed: bool| {
                    let key = name.to_ascii_lowercase();
                    let entry = match apis.get_mut(&key) {
                        Some(entry) => entry,
                        None => unknown.entry(key.clone()).or_insert_with(|| ApiUse {
                            name: name.to_string(),
                            ..ApiUse::default()
                        }),
                    };
                    entry.calls += 1;
                    entry.failures += usize::from(failed);
                    entry.total_time += duration;
                    if !seen.contains(&key) {
                        entry.tests += 1;
                        seen.push(key);
                    }
                };
                count(&call.command, call.duration, call.error.is_some());
                // The client polls queryAsyncJobResult inside an async call.
                if call.job_id.is_some()
                    && !call.command.eq_ignore_ascii_case("queryAsyncJobResult")
                {
                    count("queryAsyncJobResult", Duration::ZERO, false);
                }
            }
        }
        Self {
            apis: apis.into_values().collect(),
            unknown: unknown.into_values().collect(),
        }
    }

    /// How many precache APIs were exercised.
    pub fn exercised(&self) -> usize {
        self.apis.iter().filter(|api| api.calls > 0).count()
    }

    /// How many APIs the precache lists.
    pub fn total(&self) -> usize {
        self.apis.len()
    }

    /// The exercised share, in percent.
    pub fn percent(&self) -> f64 {
        if self.apis.is_empty() {
            return 0.0;
        }
        // Counts are far below 2^52: the conversion is exact.
        self.exercised() as f64 * 100.0 / self.total() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::super::result::{ApiCall, CallError, Status};
    use super::*;

    fn call(command: &str, ms: u64, job: bool, failed: bool) -> ApiCall {
        ApiCall {
            command: command.into(),
            params: Vec::new(),
            started_at: None,
            duration: Duration::from_millis(ms),
            job_id: job.then(|| "j1".to_string()),
            error: failed.then(|| CallError {
                code: Some(431),
                message: "refused".into(),
                response: None,
                expected: false,
            }),
        }
    }

    fn test(name: &str, calls: Vec<ApiCall>) -> TestResult {
        let mut result = TestResult::skipped(name, &[], String::new());
        result.status = Status::Passed;
        result.calls = calls;
        result
    }

    #[test]
    fn counts_calls_failures_tests_and_job_waits() {
        let precache = ApiList::from_json(
            r#"{"api":[{"name":"createAccount","isasync":false},
                        {"name":"deleteAccount","isasync":true},
                        {"name":"queryAsyncJobResult","isasync":false},
                        {"name":"listZones","isasync":false}]}"#,
        )
        .unwrap();
        let tests = [
            test(
                "a",
                vec![
                    call("createAccount", 10, false, false),
                    call("createaccount", 30, false, true),
                    call("deleteAccount", 50, true, false),
                ],
            ),
            test(
                "b",
                vec![
                    call("createAccount", 20, false, false),
                    call("configureSimulatorFault", 1, false, false),
                ],
            ),
        ];
        let coverage = Coverage::compute(&precache, &tests);
        let create = &coverage.apis[0];
        assert_eq!(create.name, "createAccount");
        assert_eq!((create.calls, create.failures, create.tests), (3, 1, 2));
        assert_eq!(create.mean_time(), Duration::from_millis(20));
        let by_name = |name: &str| coverage.apis.iter().find(|a| a.name == name).unwrap();
        assert!(by_name("deleteAccount").is_async);
        assert_eq!(by_name("queryAsyncJobResult").calls, 1);
        assert_eq!(by_name("listZones").calls, 0);
        assert_eq!(coverage.exercised(), 3);
        assert_eq!(coverage.total(), 4);
        assert!((coverage.percent() - 75.0).abs() < 1e-9);
        assert_eq!(coverage.unknown.len(), 1);
        assert_eq!(coverage.unknown[0].name, "configureSimulatorFault");
    }
}
