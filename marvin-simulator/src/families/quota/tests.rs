//! Quota as CloudStack's quota plugin answers (`QuotaServiceImpl`,
//! `QuotaResponseBuilderImpl`).

use crate::families::testkit::{Kit, code};

/// `QuotaServiceImpl.isQuotaServiceEnabled`: `quota.enable.service`, off
/// by default.
#[test]
fn quota_is_enabled_follows_its_setting() {
    let mut kit = Kit::new();
    let user = kit.account("q-user", 0, None);
    let answer = kit.call(&user, "quotaIsEnabled", &[]).unwrap();
    assert_eq!(answer["isenabled"], false);
    let admin = kit.admin();
    kit.call(
        &admin,
        "updateConfiguration",
        &[("name", "quota.enable.service"), ("value", "true")],
    )
    .unwrap();
    assert_eq!(
        kit.call(&user, "quotaIsEnabled", &[]).unwrap()["isenabled"],
        true
    );
}

/// `createQuotaTariff`, `updateQuotaTariffPlan`, `deleteQuotaTariff`,
/// `listQuotaTariffPlans`: a tariff per name, its update a successor with
/// the old one removed, deletion marks it removed.
#[test]
fn tariffs_are_created_updated_listed_and_removed() {
    let mut kit = Kit::new();
    let admin = kit.admin();
    let made = kit
        .call(
            &admin,
            "quotaTariffCreate",
            &[("name", "cpu"), ("usagetype", "1"), ("value", "0.05")],
        )
        .unwrap();
    let tariff = &made["quotatariff"];
    assert_eq!(tariff["usageName"], "RUNNING_VM");
    assert_eq!(tariff["usageUnit"], "Compute*Month");
    assert_eq!(tariff["tariffValue"], 0.05);
    assert_eq!(tariff["currency"], "$");
    assert_eq!(tariff["position"], 1);
    let first = tariff["id"].as_str().unwrap().to_string();

    let err = kit
        .call(
            &admin,
            "quotaTariffCreate",
            &[("name", "cpu"), ("usagetype", "1"), ("value", "1")],
        )
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "A quota tariff with name [cpu] already exist.")
    );
    let err = kit
        .call(
            &admin,
            "quotaTariffCreate",
            &[("name", "odd"), ("usagetype", "99"), ("value", "1")],
        )
        .unwrap_err();
    assert_eq!(err.text, "There is no usage type with value [99].");
    let err = kit
        .call(
            &admin,
            "quotaTariffCreate",
            &[
                ("name", "ruled"),
                ("usagetype", "1"),
                ("value", "1"),
                ("activationrule", "true"),
            ],
        )
        .unwrap_err();
    assert_eq!(code(&err), 531);

    let updated = kit
        .call(
            &admin,
            "quotaTariffUpdate",
            &[("name", "cpu"), ("value", "0.07")],
        )
        .unwrap();
    assert_eq!(updated["quotatariff"]["tariffValue"], 0.07);
    assert_ne!(updated["quotatariff"]["id"], first.as_str());
    let in_force = kit.call(&admin, "quotaTariffList", &[]).unwrap();
    assert_eq!(in_force["count"], 1);
    let history = kit
        .call(&admin, "quotaTariffList", &[("listall", "true")])
        .unwrap();
    assert_eq!(history["count"], 2);
    let removed = kit
        .call(&admin, "quotaTariffList", &[("listonlyremoved", "true")])
        .unwrap();
    assert_eq!(removed["quotatariff"][0]["id"], first.as_str());
    let err = kit
        .call(&admin, "quotaTariffUpdate", &[("name", "nothing")])
        .unwrap_err();
    assert_eq!(err.text, "There is no quota tariffs with name [nothing].");

    let current = updated["quotatariff"]["id"].as_str().unwrap().to_string();
    kit.call(&admin, "quotaTariffDelete", &[("id", &current)])
        .unwrap();
    assert_eq!(
        kit.call(&admin, "quotaTariffList", &[]).unwrap()["count"],
        0
    );
    let err = kit
        .call(&admin, "quotaTariffDelete", &[("id", &current)])
        .unwrap_err();
    assert_eq!(
        (code(&err), err.text.as_str()),
        (431, "Quota tariff with the provided UUID does not exist.")
    );
    for kind in [
        "QUOTA.TARIFF.CREATE",
        "QUOTA.TARIFF.UPDATE",
        "QUOTA.TARIFF.DELETE",
    ] {
        assert_eq!(
            kit.count("SELECT COUNT(*) FROM events WHERE type = ?1", kind),
            1
        );
    }
}

/// `QuotaSummaryCmd`: a user sees its own account; a root admin sees every
/// account with `listall`, and none without (no account has quota records).
#[test]
fn quota_summary_shows_the_callers_account_or_all_for_root() {
    let mut kit = Kit::new();
    let user = kit.account("q-sum", 0, None);
    let mine = kit.call(&user, "quotaSummary", &[]).unwrap();
    assert_eq!(mine["count"], 1);
    assert_eq!(mine["summary"][0]["account"], "q-sum");
    assert_eq!(mine["summary"][0]["balance"], 0);
    assert_eq!(mine["summary"][0]["quotaenabled"], true);
    let admin = kit.admin();
    assert_eq!(kit.call(&admin, "quotaSummary", &[]).unwrap()["count"], 0);
    let all = kit
        .call(&admin, "quotaSummary", &[("listall", "true")])
        .unwrap();
    assert!(all["count"].as_u64().unwrap() >= 2);
}
