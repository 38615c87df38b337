//! Where a scenario panicked, without the panic's message on stderr.
//!
//! Scenarios of a suite run are polled concurrently on one thread. While a
//! scenario's future is being polled, [`Captured`] marks it as the current
//! one in a thread-local; the panic hook installed by [`CaptureGuard`]
//! stores the location of a panic there (instead of printing it, which
//! would tear through the progress bar). Panics elsewhere (other threads,
//! code outside a scenario) go to the previous hook as usual.

use std::cell::RefCell;
use std::future::Future;
use std::panic::PanicHookInfo;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// Where the first panic of one scenario happened.
#[derive(Debug, Clone, Default)]
pub struct PanicSlot(Arc<Mutex<Option<String>>>);

impl PanicSlot {
    /// The location (`marvin-smoke/src/accounts.rs:42:9`), if it panicked.
    pub fn location(&self) -> Option<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

thread_local! {
    static CURRENT: RefCell<Option<PanicSlot>> = const { RefCell::new(None) };
}

/// Installs the capturing panic hook for as long as it lives; the previous
/// hook is restored on drop.
pub struct CaptureGuard {
    previous: Option<Arc<Hook>>,
}

impl std::fmt::Debug for CaptureGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureGuard").finish_non_exhaustive()
    }
}

impl CaptureGuard {
    /// Installs the hook.
    pub fn install() -> Self {
        let previous: Arc<Hook> = Arc::new(std::panic::take_hook());
        let chained = Arc::clone(&previous);
        std::panic::set_hook(Box::new(move |info| {
            let captured = CURRENT.with(|current| match current.try_borrow() {
                Ok(current) => match current.as_ref() {
                    Some(slot) => {
                        let mut location = slot.0.lock().unwrap_or_else(|p| p.into_inner());
                        if location.is_none() {
                            *location = info.location().map(ToString::to_string);
                        }
                        true
                    }
                    None => false,
                },
                Err(_) => false,
            });
            if !captured {
                chained(info);
            }
        }));
        Self {
            previous: Some(previous),
        }
    }
}

impl Drop for CaptureGuard {
    fn drop(&mut self) {
        let _ = std::panic::take_hook();
        if let Some(previous) = self.previous.take() {
            std::panic::set_hook(Box::new(move |info| previous(info)));
        }
    }
}

/// A future whose panics are recorded in `slot` (with [`CaptureGuard`]
/// installed).
#[derive(Debug)]
pub struct Captured<F> {
    slot: PanicSlot,
    inner: Pin<Box<F>>,
}

impl<F> Captured<F> {
    /// Wraps `inner`.
    pub fn new(slot: PanicSlot, inner: F) -> Self {
        Self {
            slot,
            inner: Box::pin(inner),
        }
    }
}

impl<F: Future> Future for Captured<F> {
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        struct Reset(Option<PanicSlot>);
        impl Drop for Reset {
            fn drop(&mut self) {
                let previous = self.0.take();
                CURRENT.with(|current| *current.borrow_mut() = previous);
            }
        }
        let previous = CURRENT.with(|current| current.replace(Some(self.slot.clone())));
        let _reset = Reset(previous);
        self.inner.as_mut().poll(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::panic::AssertUnwindSafe;

    use futures_util::FutureExt;

    use super::*;

    #[test]
    fn the_location_of_a_panic_inside_the_future_is_captured() {
        let slot = PanicSlot::default();
        let guard = CaptureGuard::install();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let result = runtime.block_on(
            AssertUnwindSafe(Captured::new(slot.clone(), async {
                panic!("inside");
            }))
            .catch_unwind(),
        );
        drop(guard);
        assert!(result.is_err());
        let location = slot.location().expect("a location");
        assert!(
            location.starts_with("marvin-runner/src/panics.rs:"),
            "{location}"
        );
    }
}
