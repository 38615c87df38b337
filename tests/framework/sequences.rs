//! Sequences never collide across processes of one run, even with one
//! seed for the fake data (which then repeats in every process).

use std::collections::HashSet;

use super::child::{Cloud, spawn};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_concurrent_processes_never_make_the_same_name() {
    let cloud = Cloud::start("sequences").await;
    let accounts = cloud.count("listAccounts").await;
    let children: Vec<_> = (0..8)
        .map(|_| {
            let mut command = cloud.fixture("makes_names");
            command.env("MARVIN_SEED", "42");
            spawn(command)
        })
        .collect();
    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|child| child.wait_with_output().expect("the child ends"))
            .collect::<Vec<_>>()
    })
    .await
    .expect("the waiting thread");
    let mut names = Vec::new();
    let mut fakes = HashSet::new();
    for output in &outputs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        names.extend(
            stdout
                .lines()
                // libtest may start the first line with `test ... `.
                .filter_map(|line| line.split_once("NAME=").map(|(_, name)| name))
                .map(str::to_string),
        );
        let fake: Vec<&str> = stdout
            .lines()
            .filter_map(|line| line.split_once("FAKE=").map(|(_, name)| name))
            .collect();
        assert_eq!(fake.len(), 5, "{stdout}");
        fakes.insert(fake.join(","));
    }
    assert_eq!(
        fakes.len(),
        1,
        "MARVIN_SEED makes the fake data repeat: {fakes:?}"
    );
    assert_eq!(names.len(), 8 * 203);
    let unique: HashSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "a name was made twice");
    assert_eq!(
        cloud.count("listAccounts").await,
        accounts,
        "all cleaned up"
    );
}
