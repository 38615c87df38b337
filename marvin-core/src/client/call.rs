//! [`ApiCall`]: the one way to send a command, and the [`Api`] it sends,
//! which knows from a precache whether the command answers with a job.

use std::borrow::Cow;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{Client, RequestOptions, Trace, WaitOptions, decode_typed};
use crate::envelope;
use crate::error::{Error, Result};
use crate::params::Params;

/// How an [`Api`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiKind {
    /// With its result.
    Sync,
    /// With a job (`{"jobid": ..}`) whose result is the answer.
    Async,
    /// Not in the precache: sent once, its answer returned as it is (a
    /// job it answers with is not waited for).
    Unknown,
}

/// A CloudStack API as a precache describes it: its name, and whether it
/// answers with a job to wait for.
///
/// Test code gets one from the precache, never by saying itself whether a
/// command is async: `marvin_entities::api("deployVirtualMachine")` (in
/// Marvin's prelude as `api`), a [`Catalog`], or the generated typed
/// commands, which carry theirs.
///
/// ```
/// use marvin_core::client::{ApiKind, Catalog};
/// static APIS: Catalog = Catalog::new(&[("deployVirtualMachine", true), ("listZones", false)]);
/// assert_eq!(APIS.api("deployVirtualMachine").kind(), ApiKind::Async);
/// assert_eq!(APIS.api("listZones").kind(), ApiKind::Sync);
/// assert_eq!(APIS.api("listFlavours").kind(), ApiKind::Unknown);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    name: Cow<'static, str>,
    kind: ApiKind,
}

impl Api {
    /// An API as a precache (or a record made from one, such as a
    /// [`Deletion`](crate::resource::Deletion)) describes it. Generated code
    /// and [`Catalog`] build these; tests look APIs up instead.
    pub fn described(name: impl Into<Cow<'static, str>>, is_async: bool) -> Self {
        let kind = if is_async {
            ApiKind::Async
        } else {
            ApiKind::Sync
        };
        Self {
            name: name.into(),
            kind,
        }
    }

    /// An API the precache does not list (tests of refusals, a newer
    /// cloud's APIs): sent once, its answer returned as it is.
    pub fn unknown(name: impl Into<Cow<'static, str>>) -> Self {
        Self {
            name: name.into(),
            kind: ApiKind::Unknown,
        }
    }

    /// The command name (`deployVirtualMachine`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How it answers.
    pub fn kind(&self) -> ApiKind {
        self.kind
    }

    /// True when it answers with a job.
    pub fn is_async(&self) -> bool {
        self.kind == ApiKind::Async
    }
}

/// The APIs of a precache, by name: which answer with a job. The generated
/// typed layer holds the one of the precache it was built from
/// (`marvin_entities::CATALOG`).
#[derive(Debug, Clone, Copy)]
pub struct Catalog {
    /// Sorted by name.
    apis: &'static [(&'static str, bool)],
}

impl Catalog {
    /// A catalog of `(name, is_async)` pairs sorted by name (a
    /// `debug_assert` checks the order).
    pub const fn new(apis: &'static [(&'static str, bool)]) -> Self {
        Self { apis }
    }

    /// The API named `name`: [`ApiKind::Unknown`] when the catalog does not
    /// list it.
    pub fn api(&self, name: &str) -> Api {
        self.get(name)
            .unwrap_or_else(|| Api::unknown(name.to_owned()))
    }

    /// The API named `name`, if the catalog lists it.
    pub fn get(&self, name: &str) -> Option<Api> {
        debug_assert!(
            self.apis.is_sorted_by_key(|(n, _)| *n),
            "catalog not sorted"
        );
        self.apis
            .binary_search_by_key(&name, |(n, _)| n)
            .ok()
            .map(|i| Api::described(self.apis[i].0, self.apis[i].1))
    }

    /// How many APIs it lists.
    pub fn len(&self) -> usize {
        self.apis.len()
    }

    /// True when it lists none.
    pub fn is_empty(&self) -> bool {
        self.apis.is_empty()
    }
}

/// One call of one API, built by [`Client::call`]: add parameters and
/// per-call options, then `.await` it (or [`send_as`](Self::send_as) to
/// decode the answer as your own type).
///
/// What the answer is depends on the [`Api`]: for a sync API the object
/// under the response key (`{"count":2,"zone":[..]}`); for an async one
/// the job's result (`{"virtualmachine":{..}}`), or with
/// [`no_wait`](Self::no_wait) the submission's answer (`{"jobid":..}`);
/// for an API the precache does not know, the answer as sent.
///
/// ```no_run
/// use std::time::Duration;
/// use marvin_core::client::Catalog;
/// use marvin_core::{Client, Params, Result};
/// # static CATALOG: Catalog = Catalog::new(&[("deployVirtualMachine", true), ("listZones", false)]);
/// # async fn demo(client: Client) -> Result<()> {
/// let zones = client.call(CATALOG.api("listZones")).param("available", true).await?;
/// let vm = client
///     .call(CATALOG.api("deployVirtualMachine"))
///     .params(Params::from([("zoneid", "z1"), ("templateid", "t1"), ("serviceofferingid", "s1")]))
///     .job_timeout(Duration::from_secs(300))
///     .await?;
/// println!("{} zones; vm {}", zones["count"], vm["virtualmachine"]["id"]);
/// # Ok(()) }
/// ```
#[must_use = "a call does nothing until it is awaited"]
#[derive(Debug, Clone)]
pub struct ApiCall {
    client: Client,
    api: Api,
    params: Params,
    options: RequestOptions,
    wait: bool,
}

impl Client {
    /// Starts a call of `api` (see [`ApiCall`]).
    pub fn call(&self, api: Api) -> ApiCall {
        ApiCall {
            client: self.clone(),
            api,
            params: Params::new(),
            options: RequestOptions::default(),
            wait: true,
        }
    }
}

impl ApiCall {
    /// The API this call sends.
    pub fn api(&self) -> &Api {
        &self.api
    }

    /// The parameters set so far.
    pub fn parameters(&self) -> &Params {
        &self.params
    }

    /// Sets one parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.params.set(name, value);
        self
    }

    /// Adds these parameters (replacing ones of the same name).
    pub fn params(mut self, params: Params) -> Self {
        if self.params.is_empty() {
            self.params = params;
        } else {
            for (name, value) in params.iter() {
                self.params.set(name, value);
            }
        }
        self
    }

    /// Sends the call as a POST form (see [`CallOptions::post`]).
    pub fn post(self) -> Self {
        CallOptions::post(self)
    }

    /// Timeout of each HTTP request of this call (see
    /// [`CallOptions::timeout`]).
    pub fn timeout(self, timeout: Duration) -> Self {
        CallOptions::timeout(self, timeout)
    }

    /// Retries after transport errors (see [`CallOptions::retries`]).
    pub fn retries(self, retries: u32) -> Self {
        CallOptions::retries(self, retries)
    }

    /// How to wait for the job of an async API (see
    /// [`CallOptions::wait`]).
    pub fn wait(self, wait: WaitOptions) -> Self {
        CallOptions::wait(self, wait)
    }

    /// Fails with [`Error::JobTimeout`] when the job of an async API is
    /// still pending after this long (see [`CallOptions::job_timeout`]).
    pub fn job_timeout(self, timeout: Duration) -> Self {
        CallOptions::job_timeout(self, timeout)
    }

    /// Does not wait for the job of an async API: the answer is the
    /// submission's (`{"jobid": .., "id": ..}`).
    pub fn no_wait(mut self) -> Self {
        self.wait = false;
        self
    }

    /// Replaces all per-call options (see [`CallOptions::options`]).
    pub fn options(self, options: RequestOptions) -> Self {
        CallOptions::options(self, options)
    }

    fn waits(&self) -> bool {
        self.wait && self.api.is_async()
    }

    /// Sends the call; the same as awaiting it.
    pub async fn send(self) -> Result<Value> {
        self.send_submitted(|_| {}).await
    }

    /// Sends the call and hands the answer of an async API's submission to
    /// `on_submit` before waiting for its job. For async creates that
    /// answer carries the new object's `id` beside the `jobid`, and the
    /// object exists from then on even if the job fails: this is where a
    /// caller registers it for cleanup. Not called when nothing is waited
    /// for.
    pub async fn send_submitted(self, on_submit: impl FnOnce(&Value)) -> Result<Value> {
        let Self {
            client,
            api,
            params,
            options,
            ..
        } = &self;
        let command = api.name();
        let trace = Trace::default();
        let waits = self.waits();
        let run = async {
            let answer = client.call_value(command, params, options, &trace).await?;
            if !waits {
                return Ok(answer);
            }
            let Some(job_id) = envelope::job_id(&answer) else {
                return Ok(answer);
            };
            on_submit(&answer);
            let _ = trace.job_id.set(job_id.clone());
            client
                .wait_job(Some(command), &job_id, options.wait(), params, &trace)
                .await
        };
        client.observed(command, params, &trace, run).await
    }

    /// Sends the call and decodes the answer (as [`send`](Self::send)
    /// returns it) as `T`; keys `T` does not declare are skipped, and an
    /// answer that does not fit `T` is an [`Error::Decode`]. Without a job
    /// to wait for, the body is decoded straight into `T`, which is several
    /// times cheaper than a [`Value`] on large answers.
    ///
    /// ```no_run
    /// # async fn demo(client: marvin_core::Client, zones: marvin_core::client::Api) -> marvin_core::Result<()> {
    /// #[derive(serde::Deserialize)]
    /// struct Zones {
    ///     #[serde(default)]
    ///     zone: Vec<Zone>,
    /// }
    /// #[derive(serde::Deserialize)]
    /// struct Zone {
    ///     id: String,
    ///     name: String,
    /// }
    /// let zones: Zones = client.call(zones).send_as().await?;
    /// for zone in &zones.zone {
    ///     println!("{} {}", zone.id, zone.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_as<T: DeserializeOwned>(self) -> Result<T> {
        if self.waits() {
            let command = self.api.name().to_owned();
            let value = self.send().await?;
            return serde_json::from_value(value.clone()).map_err(|e| Error::Decode {
                command,
                reason: e.to_string(),
                snippet: envelope::snippet::<&str>(value.to_string().as_bytes(), &[]),
                source: None,
            });
        }
        let Self {
            client,
            api,
            params,
            options,
            ..
        } = &self;
        let trace = Trace::default();
        let call = client.call_decoded(api.name(), params, options, &trace, decode_typed::<T>);
        client.observed(api.name(), params, &trace, call).await
    }
}

impl CallOptions for ApiCall {
    fn request_options(&mut self) -> &mut RequestOptions {
        &mut self.options
    }
}

/// The per-call options every call builder takes: [`ApiCall`] and the
/// generated typed calls (`vm.stop(&client)`, `VirtualMachine::list(&client)`,
/// `commands::StopVirtualMachine::call(&client)`). Set them anywhere before
/// the `.await`; they change how the call is sent, never what it asks.
///
/// Whether a command answers with a job never comes from the caller: the
/// precache says so. Not waiting for a job is `no_wait`, which a typed call
/// of an async API has (it then yields the job to wait for later) and a
/// typed call of a sync API has not.
///
/// The trait is in Marvin's prelude. Where an API has a parameter of the
/// same name (`timeout` of `startRollingMaintenance`), the typed call's
/// setter of that parameter comes first: `CallOptions::timeout(call, d)`
/// sets the option.
///
/// On a typed call:
/// `vm.stop(&client).forced(true).post().job_timeout(d).await?`. Code that
/// sets options on any call, typed or not, takes a `C: CallOptions`:
///
/// ```no_run
/// use std::time::Duration;
/// use marvin_core::client::{CallOptions, Catalog};
/// # static CATALOG: Catalog = Catalog::new(&[("deployVirtualMachine", true)]);
/// /// The options of a suite's slow calls, typed or not.
/// fn patient<C: CallOptions>(call: C) -> C {
///     call.post()
///         .timeout(Duration::from_secs(30))
///         .job_timeout(Duration::from_secs(600))
/// }
/// # async fn demo(client: marvin_core::Client) -> marvin_core::Result<()> {
/// let deploy = client.call(CATALOG.api("deployVirtualMachine")).param("zoneid", "z1");
/// let vm = patient(deploy).await?;
/// # let _ = vm; Ok(()) }
/// ```
pub trait CallOptions: Sized {
    /// The options set so far: the one method an implementor writes.
    fn request_options(&mut self) -> &mut RequestOptions;

    /// Sends the call as a POST form (calls carrying secrets or large
    /// values are sent as POST anyway).
    fn post(mut self) -> Self {
        let options = self.request_options();
        *options = std::mem::take(options).with_post(true);
        self
    }

    /// Timeout of each HTTP request of this call (the client's
    /// `request_timeout` otherwise).
    fn timeout(mut self, timeout: Duration) -> Self {
        let options = self.request_options();
        *options = std::mem::take(options).with_timeout(timeout);
        self
    }

    /// Retries after transport errors (idempotent commands only).
    fn retries(mut self, retries: u32) -> Self {
        let options = self.request_options();
        *options = std::mem::take(options).with_retries(retries);
        self
    }

    /// How to wait for the job of an async API.
    fn wait(mut self, wait: WaitOptions) -> Self {
        let options = self.request_options();
        *options = std::mem::take(options).with_wait(wait);
        self
    }

    /// Fails with [`Error::JobTimeout`] when the job of an async API is
    /// still pending after this long (the client's `job_timeout`
    /// otherwise).
    fn job_timeout(mut self, timeout: Duration) -> Self {
        let options = self.request_options();
        let wait = options.wait().clone().with_timeout(timeout);
        *options = std::mem::take(options).with_wait(wait);
        self
    }

    /// Replaces all per-call options.
    fn options(mut self, options: RequestOptions) -> Self {
        *self.request_options() = options;
        self
    }
}

impl Client {
    /// Waits for the job of `command` submitted earlier without waiting
    /// (`no_wait`), as a call that waits for it would: its `jobresult`, or
    /// the job's failure, cancellation or timeout, each naming `command`.
    pub async fn wait_for_job_of(
        &self,
        command: &str,
        job_id: &str,
        options: &WaitOptions,
    ) -> Result<Value> {
        let trace = Trace::default();
        let _ = trace.job_id.set(job_id.to_owned());
        let params = Params::from([("jobid", job_id)]);
        let sent = Params::new();
        let wait = self.wait_job(Some(command), job_id, options, &sent, &trace);
        self.observed(super::jobs::QUERY_JOB, &params, &trace, wait)
            .await
    }
}

impl IntoFuture for ApiCall {
    type Output = Result<Value>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<Value>> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static CATALOG: Catalog = Catalog::new(&[("a", false), ("b", true), ("c", false)]);

    #[test]
    fn the_catalog_says_which_apis_answer_with_a_job() {
        assert_eq!(CATALOG.api("b"), Api::described("b", true));
        assert_eq!(CATALOG.api("c").kind(), ApiKind::Sync);
        assert_eq!(CATALOG.get("d"), None);
        assert_eq!(CATALOG.api("d"), Api::unknown("d"));
        assert_eq!(CATALOG.len(), 3);
    }
}
