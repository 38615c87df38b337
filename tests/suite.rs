//! The suite runner end to end against the embedded simulator: a small
//! table of scenarios that pass, fail, skip and leak, run concurrently in
//! one process; the results, the captured panic location, the leak check
//! and the coverage must say exactly that.

use marvin::prelude::*;
use marvin::suite::{self, FailureKind, Fate, RunOptions, Status};
use marvin_core::schema::ApiList;
use marvin_core::testing::RunSettings;

mod cases {
    use marvin::prelude::*;
    use marvin::smoke::support::{ACCOUNT, account_params, create};

    pub async fn passes(ctx: &mut TestContext) -> Result<()> {
        let account = create(ctx, &ACCOUNT, account_params(0)).await?;
        account["state"].should().equal("enabled");
        Ok(())
    }

    pub async fn fails_an_assertion(ctx: &mut TestContext) -> Result<()> {
        let account = create(ctx, &ACCOUNT, account_params(0)).await?;
        account["state"].should().equal("locked");
        Ok(())
    }

    pub async fn returns_an_error(ctx: &mut TestContext) -> Result<()> {
        ctx.client().request("createDomain", Params::new()).await?;
        Ok(())
    }

    pub async fn skips(ctx: &mut TestContext) -> Result<()> {
        ctx.skip("the cloud lacks what this needs")
    }

    /// Keeps the account it creates: the leak check must find it.
    pub async fn leaks(ctx: &mut TestContext) -> Result<()> {
        let account = create(ctx, &ACCOUNT, account_params(0)).await?;
        let _kept = account.keep();
        Ok(())
    }

    pub async fn not_selected(_ctx: &mut TestContext) -> Result<()> {
        panic!("deselected by tag, must not run")
    }
}

mod table {
    marvin::scenario_table! { list, crate;
        cases {
            passes => ["runner"],
            fails_an_assertion => ["runner"],
            returns_an_error => ["runner"],
            skips => ["runner"],
            leaks => ["runner"],
            not_selected => ["other"],
        }
    }
}

fn by_name<'r>(result: &'r suite::SuiteResult, name: &str) -> &'r suite::TestResult {
    result
        .tests
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no result for {name}"))
}

#[test]
fn a_run_reports_results_locations_leaks_and_coverage() {
    let endpoint = marvin::embedded_simulator().expect("the embedded simulator");
    let client = endpoint.admin_client().expect("an admin client");
    let precache = ApiList::from_json(marvin::simulator::catalog::PRECACHE).expect("the precache");
    let dir = std::env::temp_dir().join(format!("marvin-suite-{}", std::process::id()));
    let settings = RunSettings {
        run_id: format!("suite-test-{}", std::process::id()),
        ledger: Some(dir.join("ledger.jsonl")),
        selected_tags: Some(vec!["runner".into()]),
        termination_grace: None,
        hardware: false,
        chaos: None,
    };
    let options = RunOptions {
        suite: "runner".into(),
        jobs: 3,
        settings,
        target: endpoint.url.clone(),
        progress_bar: false,
        test_lines: false,
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let result = runtime.block_on(suite::run_suite(
        table::SCENARIOS,
        &client,
        &precache,
        &options,
    ));

    let names: Vec<&str> = result.tests.iter().map(|t| t.name.as_str()).collect();
    names.should().equal(vec![
        "cases::passes",
        "cases::fails_an_assertion",
        "cases::returns_an_error",
        "cases::skips",
        "cases::leaks",
    ]);
    (
        result.count(Status::Passed),
        result.count(Status::Failed),
        result.count(Status::Skipped),
    )
        .should()
        .equal((2, 2, 1));

    let passed = by_name(&result, "cases::passes");
    passed.resources.len().should().equal(1);
    passed.resources[0]
        .fate
        .should()
        .equal(Fate::DeletedByCleanup);
    passed
        .calls
        .iter()
        .map(|c| c.command.as_str())
        .collect::<Vec<_>>()
        .should()
        .equal(vec!["createAccount", "deleteAccount"]);

    let failed = by_name(&result, "cases::fails_an_assertion");
    let failure = failed.failure.clone().expect("a failure");
    failure.kind.should().equal(FailureKind::Panic);
    failure.message.should().contain("should equal \"locked\"");
    failure
        .location
        .clone()
        .unwrap_or_default()
        .should()
        .start_with("tests/suite.rs:");
    // Its account was cleaned up all the same.
    failed.resources[0]
        .fate
        .should()
        .equal(Fate::DeletedByCleanup);

    let error = by_name(&result, "cases::returns_an_error");
    error
        .failure
        .as_ref()
        .map(|f| f.kind)
        .should()
        .equal(Some(FailureKind::Error));
    error.calls[0]
        .error
        .as_ref()
        .and_then(|e| e.code)
        .should()
        .equal(Some(431));

    by_name(&result, "cases::skips")
        .skip_reason
        .as_deref()
        .should()
        .equal(Some("the cloud lacks what this needs"));

    // The kept account is the one leak, found on the cloud.
    let kept = &by_name(&result, "cases::leaks").resources[0];
    kept.fate.should().equal(Fate::Kept);
    result.leaks.created.should().equal(3);
    result.leaks.verified_gone.should().equal(2);
    result.leaks.leaks.len().should().equal(1);
    let leak = &result.leaks.leaks[0];
    leak.id.should().equal(kept.id.clone());
    leak.recorded.should().equal("kept");
    leak.evidence
        .should()
        .start_with("still listed by listAccounts");
    result.is_success().should().equal(false);

    let create_account = result
        .coverage
        .apis
        .iter()
        .find(|a| a.name == "createAccount")
        .expect("createAccount is in the precache");
    create_account.calls.should().equal(3);
    create_account.tests.should().equal(3);

    // Leave nothing behind ourselves.
    runtime
        .block_on(client.execute("deleteAccount", Params::new().with("id", &kept.id), true))
        .expect("the kept account is deleted");
    let _ = std::fs::remove_dir_all(dir);
}
