//! The compute and storage families through the whole stack: signed HTTP
//! requests, create-style async answers (`id` + `jobid`), refusals as HTTP
//! errors in the request (533, 535, 431) and as failed jobs (431 for
//! parameter errors, 530 for the rest).

mod common;

use common::{Client, start};
use serde_json::Value;

#[tokio::test]
async fn vm_lifecycle_over_http_with_cloudstack_error_codes() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    let zone = admin.ok("listZones", &[]).await["zone"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let offering = admin.ok("listServiceOfferings", &[]).await["serviceoffering"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let template = admin
        .ok("listTemplates", &[("templatefilter", "featured")])
        .await["template"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let created = admin
        .ok(
            "createAccount",
            &[
                ("username", "carl"),
                ("password", "pw"),
                ("firstname", "C"),
                ("lastname", "L"),
                ("email", "c@example.com"),
                ("accounttype", "0"),
            ],
        )
        .await;
    let user_id = created["account"]["user"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let keys = admin.ok("registerUserKeys", &[("id", &user_id)]).await;
    let carl = Client::new(
        &sim,
        keys["userkeys"]["apikey"].as_str().unwrap(),
        keys["userkeys"]["secretkey"].as_str().unwrap(),
    );
    let deploy = [
        ("zoneid", zone.as_str()),
        ("serviceofferingid", offering.as_str()),
        ("templateid", template.as_str()),
    ];

    // Create-style: the id comes at once with the job.
    let answer = carl.ok("deployVirtualMachine", &deploy).await;
    let id = answer["id"].as_str().expect("an id at once").to_string();
    let job = carl.wait(answer["jobid"].as_str().unwrap()).await;
    assert_eq!(job["jobstatus"], 1, "{job}");
    assert_eq!(job["jobinstancetype"], "VirtualMachine");
    assert_eq!(job["jobresult"]["virtualmachine"]["state"], "Running");
    assert_eq!(
        job["jobresult"]["virtualmachine"]["nic"][0]["isdefault"],
        true
    );
    let listed = carl.ok("listVirtualMachines", &[]).await;
    assert_eq!(listed["count"], 1);

    // A rule of the state machine fails the job: IPVE keeps 431.
    let job = carl.job("startVirtualMachine", &[("id", &id)]).await;
    assert_eq!(
        (job["jobstatus"].as_i64(), job["jobresultcode"].as_i64()),
        (Some(2), Some(431)),
        "{job}"
    );
    // A permission refusal inside the job is 530.
    let job = carl
        .job("destroyVirtualMachine", &[("id", &id), ("expunge", "true")])
        .await;
    assert_eq!(job["jobresultcode"], 530, "{job}");
    assert_eq!(
        job["jobresult"]["errortext"],
        "Parameter expunge can be passed by Admin only. Or when the allow.user.expunge.recover.vm key is set."
    );

    // Refusals of the create phase are HTTP errors.
    let domain = created["account"]["domainid"].as_str().unwrap().to_string();
    admin
        .ok(
            "updateResourceLimit",
            &[
                ("resourcetype", "0"),
                ("max", "1"),
                ("account", "carl"),
                ("domainid", &domain),
            ],
        )
        .await;
    let (status, body) = carl.call("deployVirtualMachine", &deploy).await;
    assert_eq!(
        (status, body["cserrorcode"].as_i64()),
        (535, Some(4370)),
        "{body}"
    );
    admin
        .ok(
            "updateResourceLimit",
            &[
                ("resourcetype", "0"),
                ("max", "-1"),
                ("account", "carl"),
                ("domainid", &domain),
            ],
        )
        .await;
    sim.with_db(|db| {
        db.execute("UPDATE hosts SET memory_allocated = memory_total", [])
            .expect("full hosts")
    });
    let (status, body) = carl.call("deployVirtualMachine", &deploy).await;
    assert_eq!(
        (status, body["cserrorcode"].as_i64()),
        (533, Some(4325)),
        "{body}"
    );

    let volumes = carl.ok("listVolumes", &[("virtualmachineid", &id)]).await;
    let root = volumes["volume"][0]["id"].as_str().unwrap().to_string();
    let (status, body) = carl.call("deleteVolume", &[("id", &root)]).await;
    assert_eq!(
        (status, body["cserrorcode"].as_i64()),
        (431, Some(4350)),
        "{body}"
    );
    assert_eq!(
        body["errortext"],
        "Please specify a volume that is not attached to any VM."
    );

    let job = carl.job("stopVirtualMachine", &[("id", &id)]).await;
    assert_eq!(job["jobresult"]["virtualmachine"]["state"], "Stopped");
    let job = admin
        .job("destroyVirtualMachine", &[("id", &id), ("expunge", "true")])
        .await;
    assert_eq!(job["jobstatus"], 1, "{job}");
    let listed = admin
        .ok("listVirtualMachines", &[("listall", "true")])
        .await;
    assert!(
        listed.get("count").is_none(),
        "an empty list is {{}}: {listed}"
    );
    sim.shutdown().await;
}

#[tokio::test]
async fn list_answers_are_the_same_over_http_and_in_process() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    let first = |answer: serde_json::Value, key: &str| -> String {
        answer[key][0]["id"].as_str().unwrap().to_string()
    };
    let zone = first(sim.call_as_admin("listZones", &[]).unwrap(), "zone");
    let offering = first(
        sim.call_as_admin("listServiceOfferings", &[]).unwrap(),
        "serviceoffering",
    );
    let template = first(
        sim.call_as_admin("listTemplates", &[("templatefilter", "featured")])
            .unwrap(),
        "template",
    );
    let mut vms = Vec::new();
    for name in ["alpha", "beta", "gamma"] {
        let deployed = sim
            .call_as_admin(
                "deployVirtualMachine",
                &[
                    ("zoneid", &zone),
                    ("serviceofferingid", &offering),
                    ("templateid", &template),
                    ("name", name),
                ],
            )
            .unwrap();
        vms.push(
            deployed["virtualmachine"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    sim.call_as_admin(
        "createTags",
        &[
            ("resourceids", &vms[0]),
            ("resourcetype", "UserVm"),
            ("tags[0].key", "tier"),
            ("tags[0].value", "web \"quoted\""),
        ],
    )
    .unwrap();
    sim.call_as_admin("stopVirtualMachine", &[("id", &vms[1])])
        .unwrap();
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("listVirtualMachines", vec![("listall", "true")]),
        ("listVirtualMachines", vec![("details", "min")]),
        ("listVirtualMachines", vec![("id", &vms[0])]),
        (
            "listVirtualMachines",
            vec![("page", "2"), ("pagesize", "2")],
        ),
        ("listVirtualMachines", vec![("state", "Running")]),
        ("listVirtualMachines", vec![("keyword", "nothing-matches")]),
        ("listZones", vec![]),
        ("listServiceOfferings", vec![]),
        ("listDomains", vec![("listall", "true")]),
    ];
    for (command, params) in calls {
        let text = sim.call_as_admin_text(command, &params).unwrap();
        let value = sim.call_as_admin(command, &params).unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, value, "{command} {params:?}");
        let (status, body) = admin.raw(command, &params).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body,
            format!("{{\"{}response\":{text}}}", command.to_ascii_lowercase()),
            "{command} {params:?}"
        );
    }
}

#[tokio::test]
async fn a_snapshot_whose_job_failed_is_left_in_error_and_can_be_deleted() {
    let sim = start(false).await;
    let admin = Client::admin(&sim);
    let first_id = |answer: Value, key: &str| answer[key][0]["id"].as_str().unwrap().to_string();
    let zone = first_id(admin.ok("listZones", &[]).await, "zone");
    let offering = first_id(
        admin.ok("listServiceOfferings", &[]).await,
        "serviceoffering",
    );
    let template = first_id(
        admin
            .ok("listTemplates", &[("templatefilter", "featured")])
            .await,
        "template",
    );
    let vm = admin
        .job(
            "deployVirtualMachine",
            &[
                ("zoneid", &zone),
                ("serviceofferingid", &offering),
                ("templateid", &template),
            ],
        )
        .await;
    let vm_id = vm["jobresult"]["virtualmachine"]["id"].as_str().unwrap();
    let root = first_id(
        admin
            .ok(
                "listVolumes",
                &[("virtualmachineid", vm_id), ("type", "ROOT")],
            )
            .await,
        "volume",
    );
    admin
        .ok(
            "configureSimulatorFault",
            &[
                ("apiname", "createSnapshot"),
                ("action", "fail"),
                ("target", "job"),
            ],
        )
        .await;

    let answer = admin.ok("createSnapshot", &[("volumeid", &root)]).await;
    let id = answer["id"].as_str().expect("an id at once").to_string();
    let job = admin.wait(answer["jobid"].as_str().unwrap()).await;
    assert_eq!(job["jobstatus"], 2, "{job}");
    let listed = admin.ok("listSnapshots", &[("id", &id)]).await;
    assert_eq!(listed["snapshot"][0]["state"], "Error", "{listed}");

    let deleted = admin.job("deleteSnapshot", &[("id", &id)]).await;
    assert_eq!(deleted["jobstatus"], 1, "{deleted}");
    let listed = admin.ok("listSnapshots", &[("id", &id)]).await;
    assert_eq!(listed["count"].as_u64().unwrap_or(0), 0, "gone: {listed}");
}
