//! [`Managed<T>`]: a created entity that deletes itself when its test ends.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use super::ledger::Event;
use super::stack::CleanupStack;
use super::{Outcome, execute};
use crate::resource::{Deletion, Resource};
use crate::{Client, Result};

/// A created entity whose deletion is owed.
///
/// Derefs to the entity. End it one of three ways:
/// - [`delete`](Self::delete)`.await`: delete now;
/// - [`keep`](Self::keep): keep the resource (recorded in the ledger, so no
///   sweep touches it) and get the entity back;
/// - drop it: its [`Deletion`] is pushed on the [`CleanupStack`] it was
///   registered with, run after the test. `Drop` only records (no I/O, no
///   blocking, no spawning): that is safe in any context, including a
///   runtime that is shutting down and a panic unwinding.
///
/// Made by [`CleanupStack::manage`] (factories and tests go through
/// `TestContext::manage`).
pub struct Managed<T: Resource> {
    value: Option<T>,
    pending: Option<Pending>,
}

struct Pending {
    deletion: Deletion,
    client: Client,
    stack: Arc<CleanupStack>,
    /// The registration number: its place in the stack's order.
    seq: u64,
}

impl<T: Resource> Managed<T> {
    pub(super) fn from_parts(
        value: T,
        deletion: Option<Deletion>,
        client: Client,
        stack: Arc<CleanupStack>,
        seq: u64,
    ) -> Self {
        Self {
            value: Some(value),
            pending: deletion.map(|deletion| Pending {
                deletion,
                client,
                stack,
                seq,
            }),
        }
    }

    fn value(&self) -> &T {
        self.value
            .as_ref()
            .expect("a Managed value is present until kept")
    }

    /// The deletion still owed (`None` for entities that cannot be deleted).
    pub fn deletion(&self) -> Option<&Deletion> {
        self.pending.as_ref().map(|p| &p.deletion)
    }

    /// Deletes the resource now, through the client it was created with.
    ///
    /// On success (and when the server says it is already gone) a `deleted`
    /// ledger record is written. A not-found answer is still returned as
    /// an error, since the caller asked for a deletion. Any other failure is
    /// returned and the deletion goes back on the stack, so the test's
    /// cleanup tries again. So does a deletion that never finished: the
    /// guard stays whole until the call has answered, so if this future is
    /// dropped or unwinds half-way (a timeout, a panic), the guard's `Drop`
    /// puts the deletion on the stack.
    pub async fn delete(mut self) -> Result<()> {
        let Some(pending) = self.pending.as_ref() else {
            return Ok(());
        };
        let outcome = execute(&pending.client, &pending.deletion).await;
        let pending = self
            .pending
            .take()
            .expect("the deletion is pending until it has answered");
        match outcome {
            Outcome::Deleted => {
                pending
                    .stack
                    .record(Event::Deleted, &pending.deletion, &pending.client);
                Ok(())
            }
            Outcome::AlreadyGone(error) => {
                pending
                    .stack
                    .record(Event::Deleted, &pending.deletion, &pending.client);
                Err(error)
            }
            Outcome::Failed(error) => {
                pending
                    .stack
                    .push_at(pending.seq, pending.deletion, pending.client);
                Err(error)
            }
        }
    }

    /// Keeps the resource: no cleanup will delete it (a `kept` ledger record
    /// tells `marvin cleanup` the same). Returns the entity.
    pub fn keep(mut self) -> T {
        if let Some(pending) = self.pending.take() {
            pending
                .stack
                .record(Event::Kept, &pending.deletion, &pending.client);
        }
        self.value
            .take()
            .expect("a Managed value is present until kept")
    }
}

impl<T: Resource> Drop for Managed<T> {
    fn drop(&mut self) {
        if let Some(pending) = self.pending.take() {
            pending
                .stack
                .push_at(pending.seq, pending.deletion, pending.client);
        }
    }
}

impl<T: Resource> Deref for Managed<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.value()
    }
}

impl<T: Resource> DerefMut for Managed<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.value
            .as_mut()
            .expect("a Managed value is present until kept")
    }
}

impl<T: Resource> AsRef<T> for Managed<T> {
    fn as_ref(&self) -> &T {
        self.value()
    }
}

impl<T: Resource + fmt::Debug> fmt::Debug for Managed<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.value(), f)
    }
}

impl<T: Resource> Resource for Managed<T> {
    const ENTITY: &'static str = T::ENTITY;

    fn id(&self) -> &str {
        self.value().id()
    }

    fn deletion(&self) -> Option<Deletion> {
        self.value().deletion()
    }
}

#[cfg(test)]
mod tests {
    use std::panic::AssertUnwindSafe;
    use std::sync::Arc;

    use futures_util::FutureExt;

    use super::*;
    use crate::observer::{CallObserver, CallRecord};

    #[derive(Debug, Clone)]
    struct Thing(String);

    impl Resource for Thing {
        const ENTITY: &'static str = "Thing";

        fn id(&self) -> &str {
            &self.0
        }

        fn deletion(&self) -> Option<Deletion> {
            Some(Deletion::new("Thing", &self.0, "deleteThing", false))
        }
    }

    /// Panics before any call goes out (as an injected chaos panic does).
    struct PanicBeforeCalls;

    impl CallObserver for PanicBeforeCalls {
        fn on_call(&self, _: &CallRecord) {}

        fn on_start(&self, command: &str) {
            panic!("before {command}");
        }
    }

    #[tokio::test]
    async fn a_deletion_cut_short_goes_back_on_the_stack() {
        let client = Client::builder("http://127.0.0.1:9/client/api")
            .keys("key", "secret")
            .build()
            .unwrap()
            .with_observer(Arc::new(PanicBeforeCalls));
        let stack = CleanupStack::new("t::x", "run", None);
        let managed = stack.manage(Thing("t1".into()), &client);
        assert!(stack.is_empty());
        let result = AssertUnwindSafe(managed.delete()).catch_unwind().await;
        assert!(result.is_err(), "the observer panics");
        // The guard unwound with the future: its deletion is owed again.
        assert_eq!(stack.len(), 1);
        // Not run: there is no cloud behind this client.
        std::mem::forget(stack);
    }
}
