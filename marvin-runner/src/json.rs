//! The JSON report (`--json FILE`): the run's results as data for other
//! tools, such as comparing the outcomes of one suite over several
//! backends.
//!
//! ```json
//! {"suite": "smoke", "run_id": "...", "target": "...", "started": "...",
//!  "capabilities": ["live", "simulator"],
//!  "counts": {"passed": 301, "failed": 0, "skipped": 2, "not run": 0},
//!  "leaks": 0,
//!  "tests": [{"name": "accounts::...", "status": "passed", "seconds": 0.012}]}
//! ```
//!
//! A failed test carries `failure` (its message and location), a skipped
//! one `skip_reason`.

use serde_json::{Value, json};

use marvin_core::testing::Capabilities;

use super::backend::status_name;
use super::result::{Status, SuiteResult, TestResult};

/// The JSON report of `result`, run with `capabilities`.
pub fn render(result: &SuiteResult, capabilities: &Capabilities) -> String {
    let counts: serde_json::Map<String, Value> = [
        Status::Passed,
        Status::Failed,
        Status::Skipped,
        Status::NotRun,
    ]
    .into_iter()
    .map(|status| (status_name(status).to_owned(), json!(result.count(status))))
    .collect();
    let report = json!({
        "suite": result.suite,
        "run_id": result.run_id,
        "target": result.target,
        "started": result.started,
        "seconds": result.wall.as_secs_f64(),
        "capabilities": capabilities.names,
        "counts": counts,
        "leaks": result.leaks.leaks.len(),
        "tests": result.tests.iter().map(test).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

fn test(test: &TestResult) -> Value {
    let mut value = json!({
        "name": test.name,
        "status": status_name(test.status),
        "seconds": test.duration.as_secs_f64(),
    });
    if let Some(failure) = &test.failure {
        value["failure"] = json!({
            "message": failure.message,
            "location": failure.location,
        });
    }
    if let Some(reason) = &test.skip_reason {
        value["skip_reason"] = json!(reason);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_holds_each_outcome_and_the_capabilities() {
        let result = super::super::summary::tests::fixture();
        let capabilities = Capabilities::new("the embedded simulator", ["live", "simulator"]);
        let report: Value = serde_json::from_str(&render(&result, &capabilities)).unwrap();
        assert_eq!(report["capabilities"], json!(["live", "simulator"]));
        let tests = report["tests"].as_array().unwrap();
        assert_eq!(tests.len(), result.tests.len());
        let failed = tests
            .iter()
            .find(|t| t["status"] == "failed")
            .expect("the fixture has a failure");
        assert!(failed["failure"]["message"].as_str().is_some());
        assert_eq!(
            report["counts"]["failed"],
            json!(result.count(Status::Failed))
        );
    }
}
