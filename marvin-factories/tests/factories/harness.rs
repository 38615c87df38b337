//! A simulator, an admin client and a test context, for one test.

use marvin_core::Client;
use marvin_core::cleanup::CleanupReport;
use marvin_core::testing::{RunSettings, TestContext, TestSpec};
use marvin_simulator::{RunningSimulator, Simulator};

pub struct Harness {
    /// The simulator (dropping it stops the server).
    pub simulator: RunningSimulator,
    pub ctx: TestContext,
}

impl Harness {
    /// A fresh simulator and a context for the test `name` (no ledger).
    pub async fn start(name: &str) -> Harness {
        let simulator = Simulator::start_default()
            .await
            .expect("the simulator starts");
        let client = Client::builder(simulator.url())
            .keys(simulator.api_key(), simulator.secret_key())
            .build()
            .expect("a client");
        let settings = RunSettings {
            capabilities: None,
            run_id: "factories-test".into(),
            ledger: None,
            selected_tags: None,
            termination_grace: None,
            hardware: false,
            chaos: None,
        };
        let ctx = TestContext::new(client, &TestSpec::new(name), &settings);
        Harness { simulator, ctx }
    }

    /// Runs the context's cleanup stack.
    pub async fn cleanup(&self) -> CleanupReport {
        self.ctx.cleanup().run().await
    }

    /// How many items `command` lists (as the admin, everything).
    pub async fn count(&self, command: &str, params: &[(&str, &str)]) -> usize {
        let mut all: Vec<(&str, &str)> = vec![("listall", "true")];
        all.extend_from_slice(params);
        self.ctx
            .client()
            .list_all(command, all.into_iter().collect())
            .await
            .unwrap_or_else(|e| panic!("{command}: {e}"))
            .len()
    }

    /// The parameters of the calls of `command` so far.
    pub fn params_of(&self, command: &str) -> Vec<Vec<(String, String)>> {
        self.ctx
            .trace()
            .calls()
            .into_iter()
            .filter(|c| c.command == command)
            .map(|c| c.params)
            .collect()
    }

    /// The commands called so far, in order.
    pub fn calls(&self) -> Vec<String> {
        self.ctx
            .trace()
            .calls()
            .into_iter()
            .map(|c| c.command)
            .collect()
    }
}
