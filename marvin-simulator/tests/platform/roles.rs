//! Roles: an API the caller's role may not use is 432 and hidden from listApis.

use crate::support::{Api, assert_error, start, user_with_keys};

#[tokio::test]
async fn users_get_432_for_admin_apis_and_do_not_see_them() {
    let sim = start().await;
    user_with_keys(&sim, "plain", 0, "k-plain", "s-plain").await;
    let user = Api::new(sim.url(), "k-plain", "s-plain");
    let (status, body) = user
        .call(
            "configureSimulatorFault",
            &[("apiname", "listEvents"), ("action", "fail")],
        )
        .await;
    assert_error(
        status,
        &body,
        432,
        "configuresimulatorfaultresponse",
        "The API configureSimulatorFault does not exist or is not available for this account.",
    );
    assert_eq!(body["configuresimulatorfaultresponse"]["cserrorcode"], 4555);

    let names = |answer: serde_json::Value| -> Vec<String> {
        answer["api"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_string())
            .collect()
    };
    let mine = names(user.ok("listApis", &[]).await);
    let all = names(Api::admin(&sim).ok("listApis", &[]).await);
    assert!(
        mine.contains(&"listEvents".to_string())
            && mine.contains(&"queryAsyncJobResult".to_string())
    );
    assert!(!mine.contains(&"configureSimulatorFault".to_string()));
    assert!(all.contains(&"configureSimulatorFault".to_string()));
    assert!(mine.len() < all.len());
    let (status, _) = user
        .call("listApis", &[("name", "configureSimulatorFault")])
        .await;
    assert_eq!(status, 530);
}
