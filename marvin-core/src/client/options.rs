//! Per-call options: [`RequestOptions`] and [`WaitOptions`].

use std::time::Duration;

/// How to wait for an async job. Unset values come from the client's
/// [`ClientSettings`](crate::config::ClientSettings).
///
/// The waiter polls `queryAsyncJobResult` once at once, then after
/// [`first_poll`](Self::with_first_poll), then ever less often (see there)
/// until the job ends or the [timeout](Self::with_timeout) passes.
///
/// ```
/// use std::time::Duration;
/// use marvin_core::WaitOptions;
/// let wait = WaitOptions::new().with_timeout(Duration::from_secs(30));
/// assert_eq!(wait.timeout(), Some(Duration::from_secs(30)));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WaitOptions {
    timeout: Option<Duration>,
    first_poll: Option<Duration>,
    poll_max: Option<Duration>,
    factor: Option<f64>,
}

impl WaitOptions {
    /// The client's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fails with [`Error::JobTimeout`](crate::Error::JobTimeout) when the
    /// job is still pending after this long.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Delay after the first poll before the second one. The first poll
    /// is sent as soon as the job is submitted; from the second on, the
    /// delay grows by the [factor](Self::with_factor) up to the
    /// [cap](Self::with_poll_max), and never exceeds a tenth of the time
    /// waited so far (this delay being the floor), so a job is seen at
    /// most about 10% of its length after it ends.
    #[must_use]
    pub fn with_first_poll(mut self, delay: Duration) -> Self {
        self.first_poll = Some(delay);
        self
    }

    /// The longest delay between two polls.
    #[must_use]
    pub fn with_poll_max(mut self, delay: Duration) -> Self {
        self.poll_max = Some(delay);
        self
    }

    /// Growth factor of the delay between polls (at least 1.0).
    #[must_use]
    pub fn with_factor(mut self, factor: f64) -> Self {
        self.factor = Some(factor);
        self
    }

    /// The timeout, if set here.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The delay before the second poll, if set here.
    pub fn first_poll(&self) -> Option<Duration> {
        self.first_poll
    }

    /// The poll delay cap, if set here.
    pub fn poll_max(&self) -> Option<Duration> {
        self.poll_max
    }

    /// The growth factor, if set here.
    pub fn factor(&self) -> Option<f64> {
        self.factor
    }
}

/// Options of one call.
///
/// ```
/// use std::time::Duration;
/// use marvin_core::RequestOptions;
/// let options = RequestOptions::post().with_timeout(Duration::from_secs(5)).with_retries(0);
/// assert!(options.is_post());
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestOptions {
    post: bool,
    timeout: Option<Duration>,
    retries: Option<u32>,
    wait: WaitOptions,
}

impl RequestOptions {
    /// The defaults: GET unless the parameters need POST, the client's
    /// timeout and retries.
    pub fn new() -> Self {
        Self::default()
    }

    /// Options that send the call as a POST form.
    pub fn post() -> Self {
        Self::default().with_post(true)
    }

    /// Sends the call as a POST form (`true`), or lets the client choose.
    #[must_use]
    pub fn with_post(mut self, post: bool) -> Self {
        self.post = post;
        self
    }

    /// Timeout of each HTTP request of this call.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Retries after transport errors (idempotent commands only).
    #[must_use]
    pub fn with_retries(mut self, retries: u32) -> Self {
        self.retries = Some(retries);
        self
    }

    /// How to wait for the job, for async commands.
    #[must_use]
    pub fn with_wait(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }

    /// True when POST is forced.
    pub fn is_post(&self) -> bool {
        self.post
    }

    /// The request timeout, if set here.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The retry count, if set here.
    pub fn retries(&self) -> Option<u32> {
        self.retries
    }

    /// The wait options.
    pub fn wait(&self) -> &WaitOptions {
        &self.wait
    }
}
