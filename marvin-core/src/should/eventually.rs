//! [`eventually`]: re-read a value until a condition holds or time runs out.

use std::fmt::{self, Debug, Display};
use std::future::{Future, IntoFuture};
use std::marker::PhantomData;
use std::panic::Location;
use std::pin::Pin;
use std::time::Duration;

use tokio::time::Instant;

/// Waits until `condition` holds for the value `read` returns, re-reading it
/// until the timeout (default 60 s) passes.
///
/// Re-reads start quickly and back off: the first after 10 ms, each next
/// wait doubled up to [`interval`](Eventually::interval) (default 1 s).
///
/// Awaiting it gives `Ok(value)` (the first value that satisfied the
/// condition), or `Err` as soon as a read fails (unless
/// [`retry_errors`](Eventually::retry_errors)); when the timeout passes it
/// panics like a failed assertion, reporting the last value seen and the time
/// waited. [`check`](Eventually::check) returns the timeout as an
/// [`EventuallyError`] instead.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use std::time::Duration;
/// use marvin_core::should::eventually;
///
/// let reads = AtomicU32::new(0);
/// let state = eventually(
///     || async { Ok::<_, std::io::Error>(if reads.fetch_add(1, Ordering::SeqCst) < 2 { "Starting" } else { "Running" }) },
///     |state| *state == "Running",
/// )
/// .named("vm is Running")
/// .timeout(Duration::from_secs(5))
/// .await
/// .unwrap();
/// assert_eq!(state, "Running");
/// # }
/// ```
#[track_caller]
pub fn eventually<'a, R, C, Fut, T, E>(read: R, condition: C) -> Eventually<'a, R, C>
where
    R: FnMut() -> Fut + 'a,
    Fut: Future<Output = Result<T, E>>,
    C: Fn(&T) -> bool + 'a,
{
    Eventually {
        lifetime: PhantomData,
        read,
        condition,
        name: None,
        timeout: Duration::from_secs(60),
        interval: Duration::from_secs(1),
        retry_errors: false,
        location: Location::caller(),
    }
}

/// A pending [`eventually`] wait; configure it, then `.await` it.
#[must_use = "an eventually does nothing until awaited"]
pub struct Eventually<'a, R, C> {
    lifetime: PhantomData<&'a ()>,
    read: R,
    condition: C,
    name: Option<String>,
    timeout: Duration,
    interval: Duration,
    retry_errors: bool,
    location: &'static Location<'static>,
}

impl<R, C> Debug for Eventually<'_, R, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Eventually")
            .field("name", &self.name)
            .field("timeout", &self.timeout)
            .field("interval", &self.interval)
            .field("retry_errors", &self.retry_errors)
            .finish_non_exhaustive()
    }
}

impl<R, C> Eventually<'_, R, C> {
    /// Names the condition in the timeout report (`vm is Running`).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// How long to keep re-reading (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest wait between two reads (default 1 s).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// Treats a failed read as "not yet" and keeps re-reading; the last
    /// error is reported on timeout.
    pub fn retry_errors(mut self) -> Self {
        self.retry_errors = true;
        self
    }
}

impl<R, C, Fut, T, E> Eventually<'_, R, C>
where
    R: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    C: Fn(&T) -> bool,
    T: Debug,
    E: Display,
{
    /// Waits, returning the timeout as an error instead of panicking.
    pub async fn check(mut self) -> Result<T, EventuallyError<E>> {
        let start = Instant::now();
        let mut pause = Duration::from_millis(10).min(self.interval);
        let mut reads = 0u32;
        let mut last;
        loop {
            reads += 1;
            match (self.read)().await {
                Ok(value) if (self.condition)(&value) => return Ok(value),
                Ok(value) => last = Last::Value(format!("{value:#?}")),
                Err(error) if self.retry_errors => last = Last::Error(error.to_string()),
                Err(error) => return Err(EventuallyError::Read(error)),
            }
            let elapsed = start.elapsed();
            if elapsed >= self.timeout {
                return Err(EventuallyError::Timeout(Timeout {
                    name: self.name.take(),
                    timeout: self.timeout,
                    elapsed,
                    reads,
                    last: last.text(),
                    location: self.location.to_string(),
                }));
            }
            tokio::time::sleep(pause.min(self.timeout - elapsed)).await;
            pause = (pause * 2).min(self.interval);
        }
    }
}

enum Last {
    Value(String),
    Error(String),
}

impl Last {
    fn text(self) -> String {
        match self {
            Last::Value(value) => format!("last value: {value}"),
            Last::Error(error) => format!("last read failed: {error}"),
        }
    }
}

impl<'a, R, C, Fut, T, E> IntoFuture for Eventually<'a, R, C>
where
    R: FnMut() -> Fut + Send + 'a,
    Fut: Future<Output = Result<T, E>> + Send + 'a,
    C: Fn(&T) -> bool + Send + 'a,
    T: Debug + Send + 'a,
    E: Display + Send + 'a,
{
    type Output = Result<T, E>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<T, E>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            match self.check().await {
                Ok(value) => Ok(value),
                Err(EventuallyError::Read(error)) => Err(error),
                Err(EventuallyError::Timeout(timeout)) => panic!("{timeout}"),
            }
        })
    }
}

/// Why an [`eventually`] wait ended without a value.
#[derive(Debug)]
#[non_exhaustive]
pub enum EventuallyError<E> {
    /// The condition did not hold within the timeout.
    Timeout(Timeout),
    /// A read failed (and errors were not retried).
    Read(E),
}

impl<E: Display> Display for EventuallyError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Timeout(timeout) => Display::fmt(timeout, f),
            Self::Read(error) => write!(f, "a read failed while waiting: {error}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for EventuallyError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Timeout(_) => None,
            Self::Read(error) => Some(error),
        }
    }
}

/// The report of a wait that timed out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeout {
    /// The condition's name, if given.
    pub name: Option<String>,
    /// The timeout.
    pub timeout: Duration,
    /// The time actually waited.
    pub elapsed: Duration,
    /// How many reads were made.
    pub reads: u32,
    /// The last value seen (`last value: ...`) or the last read error.
    pub last: String,
    /// Where the wait was written (`file:line:column`).
    pub location: String,
}

impl Display for Timeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.name.as_deref().unwrap_or("condition");
        write!(
            f,
            "eventually: {name} did not hold within {:?} ({} reads, {:.3}s elapsed)",
            self.timeout,
            self.reads,
            self.elapsed.as_secs_f64()
        )?;
        if !self.last.is_empty() {
            write!(f, "\n{}", super::Description::text(&self.last).indented(2))?;
        }
        write!(f, "\n  at {}", self.location)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Duration;

    use super::*;

    #[derive(Debug)]
    #[allow(dead_code)]
    struct Vm {
        state: &'static str,
    }

    /// Replaces the measured parts (elapsed seconds, read count) with `#`.
    fn normalized(text: &str) -> String {
        let mut out = String::new();
        let mut rest = text;
        while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
            let (before, tail) = rest.split_at(start);
            let end = tail
                .find(|c: char| !c.is_ascii_digit() && c != '.')
                .unwrap_or(tail.len());
            let number = &tail[..end];
            out.push_str(before);
            let after = &tail[end..];
            if after.starts_with(" reads") || after.starts_with("s elapsed") {
                out.push('#');
            } else {
                out.push_str(number);
            }
            rest = after;
        }
        out.push_str(rest);
        out
    }

    #[tokio::test]
    async fn returns_the_first_value_that_satisfies_the_condition() {
        let reads = AtomicU32::new(0);
        let vm = eventually(
            || async {
                let n = reads.fetch_add(1, Ordering::SeqCst);
                Ok::<_, std::io::Error>(Vm {
                    state: if n < 3 { "Starting" } else { "Running" },
                })
            },
            |vm: &Vm| vm.state == "Running",
        )
        .interval(Duration::from_millis(5))
        .timeout(Duration::from_secs(10))
        .await
        .unwrap();
        assert_eq!(vm.state, "Running");
        assert_eq!(reads.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn a_timeout_reports_the_last_value_and_the_time_waited() {
        let line = line!() + 1;
        let error = eventually(
            || async { Ok::<_, std::io::Error>(Vm { state: "Starting" }) },
            |vm: &Vm| vm.state == "Running",
        )
        .named("vm is Running")
        .timeout(Duration::from_millis(60))
        .interval(Duration::from_millis(20))
        .check()
        .await
        .unwrap_err();
        let EventuallyError::Timeout(timeout) = &error else {
            panic!("{error}")
        };
        assert!(timeout.elapsed >= Duration::from_millis(60), "{timeout:?}");
        assert!(timeout.reads >= 3, "{timeout:?}");
        assert_eq!(
            normalized(&error.to_string()),
            format!(
                "eventually: vm is Running did not hold within 60ms (# reads, #s elapsed)
  last value: Vm {{
      state: \"Starting\",
  }}
  at {}:{line}:21",
                file!()
            )
        );
    }

    #[tokio::test]
    async fn awaiting_panics_on_timeout() {
        use futures_util::FutureExt;
        let payload = std::panic::AssertUnwindSafe(async {
            let _ = eventually(|| async { Ok::<_, std::io::Error>(1) }, |n: &i32| *n > 1)
                .timeout(Duration::from_millis(10))
                .await;
        })
        .catch_unwind()
        .await
        .unwrap_err();
        let message = payload.downcast_ref::<String>().unwrap();
        assert!(
            normalized(message).starts_with(
                "eventually: condition did not hold within 10ms (# reads, #s elapsed)\n  last value: 1\n  at "
            ),
            "{message}"
        );
    }

    #[tokio::test]
    async fn read_errors_end_the_wait_unless_retried() {
        let error = eventually(
            || async { Err::<i32, _>("listVirtualMachines failed") },
            |_: &i32| true,
        )
        .await
        .unwrap_err();
        assert_eq!(error, "listVirtualMachines failed");

        let reads = AtomicU32::new(0);
        let value = eventually(
            || async {
                match reads.fetch_add(1, Ordering::SeqCst) {
                    0 => Err("not yet listed"),
                    n => Ok(n),
                }
            },
            |_: &u32| true,
        )
        .retry_errors()
        .await
        .unwrap();
        assert_eq!(value, 1);

        let error = eventually(|| async { Err::<i32, _>("gone") }, |_: &i32| true)
            .retry_errors()
            .timeout(Duration::from_millis(15))
            .check()
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("\n  last read failed: gone\n"),
            "{error}"
        );
    }
}
