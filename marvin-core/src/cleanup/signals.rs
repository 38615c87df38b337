//! Termination handling: on SIGTERM (what nextest sends a test that ran too
//! long, before SIGKILL) or SIGINT (Ctrl-C), pending cleanups get a grace
//! period before the process exits.
//!
//! Built on `tokio::signal` (tokio's `signal` feature), so no extra crate:
//! a dedicated `std::thread` with its own current-thread runtime listens,
//! independent of any test's runtime. On a signal it tells every running
//! test (they stop their body and run their cleanup stack), waits until
//! they are done or the grace period ends, lets the cleanup thread finish
//! within the same limit, and exits with 128 + the signal number. A second
//! signal exits at once. Whatever is still pending then is in the ledger
//! for `marvin cleanup`.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, mpsc};
use std::time::{Duration, Instant};

use tokio::sync::watch;

struct State {
    terminated: watch::Sender<bool>,
    deadline: OnceLock<Instant>,
}

static STATE: OnceLock<State> = OnceLock::new();
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// Installs the process-wide termination handler (once; later calls do
/// nothing and return `Ok`). `grace` bounds the time cleanups get.
///
/// Replaces the default action of SIGTERM and SIGINT for the whole process:
/// after a signal the process always exits (status 143 or 130), after its
/// cleanups or the grace period, whichever comes first.
pub fn install_termination_handler(grace: Duration) -> io::Result<()> {
    static INSTALLED: OnceLock<io::Result<()>> = OnceLock::new();
    let result = INSTALLED.get_or_init(|| {
        let (ready_tx, ready_rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("marvin-signals".into())
            .spawn(move || listen(grace, ready_tx))?;
        ready_rx
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("the signal thread ended early")))
    });
    match result {
        Ok(()) => Ok(()),
        Err(error) => Err(io::Error::new(error.kind(), error.to_string())),
    }
}

fn listen(grace: Duration, ready: mpsc::Sender<io::Result<()>>) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let _ = ready.send(Err(error));
            return;
        }
    };
    runtime.block_on(async move {
        let mut signals = match Signals::new() {
            Ok(signals) => signals,
            Err(error) => {
                let _ = ready.send(Err(error));
                return;
            }
        };
        let (sender, _) = watch::channel(false);
        let state = STATE.get_or_init(|| State { terminated: sender, deadline: OnceLock::new() });
        let _ = ready.send(Ok(()));

        let (name, code) = signals.next().await;
        let deadline = Instant::now() + grace;
        let _ = state.deadline.set(deadline);
        eprintln!(
            "marvin: {name} received: running pending cleanups (at most {grace:?}); send it again to exit at once"
        );
        state.terminated.send_replace(true);
        loop {
            tokio::select! {
                _ = signals.next() => std::process::exit(code),
                () = tokio::time::sleep(Duration::from_millis(10)) => {}
            }
            if IN_FLIGHT.load(Ordering::SeqCst) == 0 || Instant::now() >= deadline {
                break;
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        let flushed = tokio::task::spawn_blocking(move || super::thread::flush_timeout(left));
        tokio::select! {
            _ = signals.next() => {}
            _ = flushed => {}
        }
        std::process::exit(code);
    });
}

#[cfg(unix)]
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
        })
    }

    async fn next(&mut self) -> (&'static str, i32) {
        tokio::select! {
            _ = self.term.recv() => ("SIGTERM", 143),
            _ = self.int.recv() => ("SIGINT", 130),
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> io::Result<Self> {
        Ok(Self)
    }

    async fn next(&mut self) -> (&'static str, i32) {
        let _ = tokio::signal::ctrl_c().await;
        ("Ctrl-C", 130)
    }
}

/// Resolves once a termination signal arrived (never, without a handler).
pub(crate) async fn terminated() {
    match STATE.get() {
        Some(state) => {
            let mut receiver = state.terminated.subscribe();
            let _ = receiver.wait_for(|terminated| *terminated).await;
        }
        None => std::future::pending().await,
    }
}

/// When the grace period ends, once a signal arrived.
pub(crate) fn termination_deadline() -> Option<Instant> {
    STATE.get().and_then(|state| state.deadline.get().copied())
}

/// Marks a test as running: the handler waits for it before exiting.
#[derive(Debug)]
pub(crate) struct InFlight(());

impl InFlight {
    pub(crate) fn enter() -> Self {
        IN_FLIGHT.fetch_add(1, Ordering::SeqCst);
        Self(())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.fetch_sub(1, Ordering::SeqCst);
    }
}
