//! Many clients at once: every answer is a proper one, no lock errors, and
//! the writes all land.

use crate::support::{Api, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thirty_two_clients_fifty_calls_each() {
    let sim = start().await;
    let admin = Api::admin(&sim);
    let mut tasks = Vec::new();
    for task in 0..32 {
        let api = admin.clone();
        tasks.push(tokio::spawn(async move {
            let mut created = 0;
            for call in 0..50 {
                let (status, body) = if call % 5 == 0 {
                    created += 1;
                    api.call("createDomain", &[("name", &format!("c-{task}-{call}"))])
                        .await
                } else if call % 5 == 1 {
                    api.call("listDomains", &[("listall", "true"), ("keyword", "c-")])
                        .await
                } else {
                    api.call("listEvents", &[("page", "1"), ("pagesize", "20")])
                        .await
                };
                assert_eq!(status, 200, "task {task} call {call}: {body}");
                assert!(!body.to_string().contains("locked"), "{body}");
            }
            created
        }));
    }
    let mut created = 0;
    for task in tasks {
        created += task.await.expect("the task did not panic");
    }
    let listed = admin
        .ok(
            "listDomains",
            &[("listall", "true"), ("keyword", "c-"), ("pagesize", "-1")],
        )
        .await;
    assert_eq!(
        listed["count"], created,
        "every domain was created exactly once"
    );
    let events = admin
        .ok(
            "listEvents",
            &[("type", "DOMAIN.CREATE"), ("pagesize", "-1")],
        )
        .await;
    assert_eq!(events["count"], created);
}
