//! What the benchmarks share: a simulator on its own runtime and threads,
//! as a separate server process would have, in the benchmark's process.

// Each example uses its own part of this module.
#![allow(dead_code)]

use std::sync::mpsc;
use std::thread::JoinHandle;

use marvin_core::Client;
use marvin_simulator::{RunningSimulator, Simulator, SimulatorConfig};

/// A simulator served by a two-worker runtime on its own thread; stopped
/// and joined when dropped. `T` is what `setup` made before it was ready
/// (the ids of deployed VMs, say).
pub struct SimulatorThread<T> {
    /// The API URL.
    pub url: String,
    /// The admin's API key.
    pub api_key: String,
    /// The admin's secret key.
    pub secret_key: String,
    /// What `setup` made.
    pub setup: T,
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl<T: Send + 'static> SimulatorThread<T> {
    /// Starts the simulator with `config`, runs `setup` on it (on the
    /// simulator's thread, with the runtime running), then returns.
    pub fn start(
        config: SimulatorConfig,
        setup: impl FnOnce(&RunningSimulator) -> T + Send + 'static,
    ) -> Self {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime");
            let sim = runtime
                .block_on(Simulator::start(config))
                .expect("the simulator starts");
            let made = setup(&sim);
            let keys = (
                sim.url(),
                sim.api_key().to_owned(),
                sim.secret_key().to_owned(),
            );
            ready_tx.send((keys, made)).expect("the bench waits");
            let _ = stop_rx.recv();
            runtime.block_on(sim.shutdown());
        });
        let ((url, api_key, secret_key), setup) = ready_rx.recv().expect("the simulator started");
        Self {
            url,
            api_key,
            secret_key,
            setup,
            stop: Some(stop_tx),
            thread: Some(thread),
        }
    }
}

impl<T> SimulatorThread<T> {
    /// An admin client with the simulator's keys.
    pub fn client(&self) -> Client {
        Client::builder(&self.url)
            .keys(&self.api_key, &self.secret_key)
            .build()
            .expect("a client")
    }
}

impl<T> Drop for SimulatorThread<T> {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
