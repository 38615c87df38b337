//! The runtime the generated code calls: lenient decoding of answers,
//! encoding of parameters, and the futures and streams that link a typed
//! request to [`marvin_core::Client`].
//!
//! Everything the generated items need lives here, so each generated item is
//! a few lines of calls into this module (that keeps the crate fast to
//! build). The public types are re-exported at the crate root; the helpers
//! are reachable through the hidden `__private` module only.

use std::collections::BTreeMap;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::future::BoxFuture;
use futures_util::stream::Stream;
use marvin_core::{Error, Result};
use serde_json::{Map, Value};

/// A JSON object: the fields of an answer.
pub type Object = Map<String, Value>;

/// A value that must not show up in logs: passwords, secret and private
/// keys. `Debug` prints `Secret("***")`; [`expose`](Self::expose) gives the
/// value.
///
/// ```
/// use marvin_entities::Secret;
/// let s = Secret::new("hunter2");
/// assert_eq!(format!("{s:?}"), r#"Secret("***")"#);
/// assert_eq!(s.expose(), "hunter2");
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret value itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"Secret("***")"#)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.to_string())
    }
}

/// A date as CloudStack sent it (`2024-01-01T10:00:00+0000`), kept verbatim;
/// [`parse`](Self::parse) reads it.
///
/// ```
/// use marvin_entities::Timestamp;
/// let t = Timestamp::new("2021-10-04T09:24:38+0000");
/// assert_eq!(t.parse().unwrap().unix_timestamp(), 1_633_339_478);
/// assert_eq!(t.as_str(), "2021-10-04T09:24:38+0000");
/// assert!(Timestamp::new("yesterday").parse().is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(String);

impl Timestamp {
    /// Keeps a date string.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The date as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Parses CloudStack's `yyyy-MM-dd'T'HH:mm:ssZ` (offset `+0000`), RFC
    /// 3339 (`Z`, `+01:00`) or a plain `yyyy-MM-dd HH:mm:ss` (UTC). `None`
    /// for anything else.
    pub fn parse(&self) -> Option<time::OffsetDateTime> {
        use time::format_description::well_known::Rfc3339;
        use time::macros::format_description;
        let text = self.0.trim();
        let compact = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"
        );
        if let Ok(t) = time::OffsetDateTime::parse(text, compact) {
            return Some(t);
        }
        if let Ok(t) = time::OffsetDateTime::parse(text, &Rfc3339) {
            return Some(t);
        }
        let plain = format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        time::PrimitiveDateTime::parse(text, plain)
            .ok()
            .map(time::PrimitiveDateTime::assume_utc)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The answer of commands that only report success
/// (`{"success": true, "displaytext": ".."}`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Success {
    /// Whether the server reports success.
    pub success: bool,
    /// The server's message, if any.
    pub displaytext: Option<String>,
    /// Any other fields of the answer.
    pub extra: Object,
}

/// Builds a generated type from a JSON object, leniently: unknown fields
/// go to `extra`, missing ones become `None` (lists: empty), numbers sent
/// as strings and strings sent as numbers are both accepted.
pub trait Decode: Sized {
    /// Decodes the fields of `object`, taking them out of it.
    fn decode(object: &mut Object) -> Self;

    /// The fields the schema does not list, as sent.
    fn extra(&self) -> &Object;

    /// Decodes a JSON value; anything but an object gives a value with
    /// every field unset.
    ///
    /// ```
    /// use marvin_entities::{Decode, Success};
    /// let s = Success::from_value(serde_json::json!({"success": "true", "displaytext": 7}));
    /// assert!(s.success);
    /// assert_eq!(s.displaytext.as_deref(), Some("7"));
    /// ```
    fn from_value(value: Value) -> Self {
        match value {
            Value::Object(mut object) => Self::decode(&mut object),
            _ => Self::decode(&mut Object::new()),
        }
    }
}

impl Decode for Success {
    fn decode(object: &mut Object) -> Self {
        Self {
            success: private::take::<Option<bool>>(object, "success").unwrap_or(false),
            displaytext: private::take(object, "displaytext"),
            extra: std::mem::take(object),
        }
    }

    fn extra(&self) -> &Object {
        &self.extra
    }
}

/// A required argument of a call builder that is set (see
/// `commands::args` for the unset ones).
#[derive(Debug, Clone)]
pub struct Given<T>(pub T);

/// The client slot of a call builder made with `builder()`: it builds a
/// request (`into_request`) but sends nothing.
#[derive(Debug, Clone, Copy)]
pub struct NoClient;

/// A typed request of the `commands` module.
///
/// ```
/// # fn demo<C: marvin_entities::Command>(request: &C) {
/// let sent: Vec<(String, String)> =
///     request.to_params().iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
/// println!("{} ({}): {sent:?}", C::API, if C::IS_ASYNC { "async" } else { "sync" });
/// # }
/// ```
pub trait Command {
    /// The CloudStack API name (`deployVirtualMachine`).
    const API: &'static str;
    /// Whether the API answers with a job to wait for.
    const IS_ASYNC: bool;
    /// What sending it yields.
    type Answer;
    /// The parameters as they are sent.
    fn to_params(&self) -> marvin_core::Params;
}

/// The pending answer of one typed call: a future of `Result<T>`.
///
/// It owns a clone of the client (cheap: the client is shared), so it can
/// be stored or spawned.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<T> {
    command: &'static str,
    future: BoxFuture<'static, Result<T>>,
}

impl<T> Call<T> {
    /// The CloudStack command this call sends.
    pub fn command(&self) -> &'static str {
        self.command
    }
}

impl<T> fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("command", &self.command)
            .finish_non_exhaustive()
    }
}

impl<T> Future for Call<T> {
    type Output = Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T>> {
        self.get_mut().future.as_mut().poll(cx)
    }
}

/// An async command sent without waiting for its job (a typed call's
/// `no_wait()`): the job's id, and the new object's id for creates, known
/// at once; [`wait`](Self::wait) gets the answer the call would have
/// given.
///
/// ```no_run
/// use marvin_entities::VirtualMachine;
/// # async fn demo(client: marvin_core::Client, vm: VirtualMachine) -> marvin_core::Result<()> {
/// let job = vm.stop(&client).no_wait().await?;
/// println!("stopping {} in job {}", vm.id, job.job_id());
/// let stopped = job.wait(&client).await?;
/// # let _ = stopped; Ok(()) }
/// ```
pub struct Submitted<T> {
    command: &'static str,
    job_id: String,
    id: Option<String>,
    wait: marvin_core::WaitOptions,
    answer: std::marker::PhantomData<fn() -> T>,
}

impl<T> fmt::Debug for Submitted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Submitted")
            .field("command", &self.command)
            .field("job_id", &self.job_id)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl<T> Clone for Submitted<T> {
    fn clone(&self) -> Self {
        Self {
            command: self.command,
            job_id: self.job_id.clone(),
            id: self.id.clone(),
            wait: self.wait.clone(),
            answer: std::marker::PhantomData,
        }
    }
}

impl<T> Submitted<T> {
    /// The CloudStack command that started the job.
    pub fn command(&self) -> &'static str {
        self.command
    }

    /// The job's id.
    pub fn job_id(&self) -> &str {
        &self.job_id
    }

    /// The id the submission answered beside the job's: the new object's,
    /// for async creates (it exists from then on, even if the job fails).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

impl<T: private::Answer + Send + 'static> Submitted<T> {
    /// Waits for the job (with the call's wait options, such as its
    /// `job_timeout`) and decodes its result as the call would have.
    pub fn wait(&self, client: &marvin_core::Client) -> Call<T> {
        let (client, job_id, wait) = (client.clone(), self.job_id.clone(), self.wait.clone());
        let command = self.command;
        private::decoded(
            command,
            Box::pin(async move { client.wait_for_job_of(command, &job_id, &wait).await }),
            T::from_answer,
        )
    }
}

/// The items of a listing across all its pages, decoded; it ends after the
/// first error (see [`marvin_core::Client::list_stream`]).
#[must_use = "streams do nothing unless polled"]
pub struct ListStream<T> {
    command: &'static str,
    inner: marvin_core::ListStream,
    decode: fn(Value) -> T,
}

impl<T> fmt::Debug for ListStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ListStream")
            .field("command", &self.command)
            .finish_non_exhaustive()
    }
}

impl<T> Stream for ListStream<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        let this = self.get_mut();
        this.inner
            .as_mut()
            .poll_next(cx)
            .map(|item| item.map(|result| result.map(this.decode)))
    }
}

/// Helpers for the generated code; not a stable API.
pub mod private {
    use super::*;

    pub use super::NoClient;
    pub use marvin_core::Result;
    pub use marvin_core::client::{Api, CallOptions, Catalog};
    pub use marvin_core::{RequestOptions, WaitOptions};

    /// A call builder's slot that holds its value; only [`Given`] does, so
    /// a call with an unset required argument is not a future.
    #[diagnostic::on_unimplemented(
        message = "the required argument `{Self}` is not set",
        label = "call its setter before sending"
    )]
    pub trait Filled<T> {
        /// The value.
        fn take(self) -> T;
    }

    impl<T> Filled<T> for Given<T> {
        fn take(self) -> T {
            self.0
        }
    }
    pub use futures_util::future::LocalBoxFuture;
    pub use marvin_core::cleanup::Managed;
    pub use marvin_core::resource::{Deletion, DeletionRule, Resource};
    pub use marvin_core::testing::TestContext;
    pub use marvin_core::{Client, Params};
    pub use serde_json::Value;

    /// How a field of an answer becomes a Rust value.
    pub trait FromField: Sized {
        /// Converts the field's value (`None` when absent).
        fn from_field(value: Option<Value>) -> Self;
    }

    /// Takes field `key` out of `object` and converts it.
    pub fn take<T: FromField>(object: &mut Object, key: &str) -> T {
        T::from_field(object.remove(key))
    }

    fn text(value: Value) -> Option<String> {
        match value {
            Value::Null => None,
            Value::String(s) => Some(s),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            other => Some(other.to_string()),
        }
    }

    impl FromField for Option<String> {
        fn from_field(value: Option<Value>) -> Self {
            value.and_then(text)
        }
    }

    /// Ids: an entity always has one; a missing id reads as empty.
    impl FromField for String {
        fn from_field(value: Option<Value>) -> Self {
            value.and_then(text).unwrap_or_default()
        }
    }

    impl FromField for Option<Secret> {
        fn from_field(value: Option<Value>) -> Self {
            value.and_then(text).map(Secret)
        }
    }

    impl FromField for Option<Timestamp> {
        fn from_field(value: Option<Value>) -> Self {
            value.and_then(text).map(Timestamp)
        }
    }

    impl FromField for Option<i64> {
        fn from_field(value: Option<Value>) -> Self {
            match value? {
                Value::Number(n) => {
                    n.as_i64()
                        .or_else(|| n.as_u64().map(|u| u as i64))
                        .or_else(|| {
                            n.as_f64()
                                .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                                .map(|f| f as i64)
                        })
                }
                Value::String(s) => {
                    let s = s.trim();
                    s.parse::<i64>().ok().or_else(|| {
                        s.parse::<f64>()
                            .ok()
                            .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                            .map(|f| f as i64)
                    })
                }
                Value::Bool(b) => Some(i64::from(b)),
                _ => None,
            }
        }
    }

    impl FromField for Option<f64> {
        fn from_field(value: Option<Value>) -> Self {
            match value? {
                Value::Number(n) => n.as_f64(),
                Value::String(s) => s.trim().trim_end_matches('%').parse().ok(),
                _ => None,
            }
        }
    }

    impl FromField for Option<bool> {
        fn from_field(value: Option<Value>) -> Self {
            match value? {
                Value::Bool(b) => Some(b),
                Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => Some(true),
                    "false" | "no" | "0" => Some(false),
                    _ => None,
                },
                Value::Number(n) => n.as_f64().map(|f| f != 0.0),
                _ => None,
            }
        }
    }

    impl FromField for Option<Object> {
        fn from_field(value: Option<Value>) -> Self {
            match value? {
                Value::Object(object) => Some(object),
                Value::String(s) => serde_json::from_str(&s).ok(),
                _ => None,
            }
        }
    }

    impl FromField for Option<Value> {
        fn from_field(value: Option<Value>) -> Self {
            value.filter(|v| !v.is_null())
        }
    }

    /// Lists of untyped items: an array as is, a single value as one item,
    /// `{}` and `null` as none.
    impl FromField for Vec<Value> {
        fn from_field(value: Option<Value>) -> Self {
            match value {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items,
                Some(Value::Object(object)) if object.is_empty() => Vec::new(),
                Some(other) => vec![other],
            }
        }
    }

    /// Lists of ids or names: an array's items as text (`null` skipped), a
    /// string as its comma-separated parts (CloudStack sends some lists
    /// joined), `{}` and `null` as none.
    impl FromField for Vec<String> {
        fn from_field(value: Option<Value>) -> Self {
            match value {
                Some(Value::Array(items)) => items.into_iter().filter_map(text).collect(),
                Some(Value::String(joined)) => joined
                    .split(',')
                    .map(str::trim)
                    .filter(|part| !part.is_empty())
                    .map(str::to_string)
                    .collect(),
                Some(Value::Object(object)) if object.is_empty() => Vec::new(),
                Some(Value::Null) | None => Vec::new(),
                Some(other) => text(other).into_iter().collect(),
            }
        }
    }

    /// Lists of objects: non-object items and `{}` are skipped, a single
    /// object reads as a list of one.
    impl<T: Decode> FromField for Vec<T> {
        fn from_field(value: Option<Value>) -> Self {
            match value {
                Some(Value::Array(items)) => items
                    .into_iter()
                    .filter_map(|item| match item {
                        Value::Object(mut object) if !object.is_empty() => {
                            Some(T::decode(&mut object))
                        }
                        _ => None,
                    })
                    .collect(),
                Some(Value::Object(mut object)) if !object.is_empty() => {
                    vec![T::decode(&mut object)]
                }
                _ => Vec::new(),
            }
        }
    }

    /// Nested objects: an array reads as its first object.
    impl<T: Decode> FromField for Option<T> {
        fn from_field(value: Option<Value>) -> Self {
            match value? {
                Value::Object(mut object) => Some(T::decode(&mut object)),
                Value::Array(items) => items.into_iter().find_map(|item| match item {
                    Value::Object(mut object) => Some(T::decode(&mut object)),
                    _ => None,
                }),
                _ => None,
            }
        }
    }

    /// How a request field is sent.
    pub trait ToParam {
        /// Adds the value to `params` under `name`.
        fn put(&self, params: &mut Params, name: &str);
    }

    impl ToParam for String {
        fn put(&self, params: &mut Params, name: &str) {
            params.set(name, self);
        }
    }

    impl ToParam for Secret {
        fn put(&self, params: &mut Params, name: &str) {
            params.set(name, self.expose());
        }
    }

    impl ToParam for i64 {
        fn put(&self, params: &mut Params, name: &str) {
            params.set(name, self);
        }
    }

    impl ToParam for f64 {
        fn put(&self, params: &mut Params, name: &str) {
            params.set(name, self);
        }
    }

    impl ToParam for bool {
        fn put(&self, params: &mut Params, name: &str) {
            params.set_bool(name, *self);
        }
    }

    impl ToParam for Vec<String> {
        fn put(&self, params: &mut Params, name: &str) {
            params.set_list(name, self);
        }
    }

    impl ToParam for Vec<BTreeMap<String, String>> {
        fn put(&self, params: &mut Params, name: &str) {
            params.set_map(
                name,
                self.iter()
                    .map(|map| map.iter().map(|(k, v)| (k.as_str(), v.as_str()))),
            );
        }
    }

    impl<T: ToParam> ToParam for Option<T> {
        fn put(&self, params: &mut Params, name: &str) {
            if let Some(value) = self {
                value.put(params, name);
            }
        }
    }

    /// Adds one request field to `params`.
    pub fn put<T: ToParam>(params: &mut Params, name: &str, value: &T) {
        value.put(params, name);
    }

    /// Request parts (options structs, target selectors) that add their
    /// fields to the parameters.
    pub trait Encode {
        /// Adds the fields that are set.
        fn encode(&self, params: &mut Params);
    }

    /// Collects list arguments.
    pub fn strings<I, S>(values: I) -> Vec<String>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        values.into_iter().map(Into::into).collect()
    }

    /// Collects map arguments (`[[("key", "a"), ("value", "b")]]`).
    pub fn maps<I, M, K, V>(maps: I) -> Vec<BTreeMap<String, String>>
    where
        I: IntoIterator<Item = M>,
        M: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        maps.into_iter()
            .map(|map| map.into_iter().map(|(k, v)| (k.into(), v.into())).collect())
            .collect()
    }

    /// How a whole answer becomes a value.
    pub trait Answer: Sized {
        /// Decodes the answer of `command`.
        fn from_answer(command: &'static str, answer: Value) -> Result<Self>;
    }

    fn not_an_object(command: &str, reason: &str, answer: &Value) -> Error {
        let mut snippet = answer.to_string();
        snippet.truncate(marvin_core::envelope::SNIPPET_CHARS);
        Error::Decode {
            command: command.to_string(),
            reason: reason.to_string(),
            snippet,
            source: None,
        }
    }

    /// The object an answer is about: the single entity key's object
    /// (`{"virtualmachine": {..}}`), the first item when that key holds a
    /// list (`registerTemplate` answers `{"count":1,"template":[..]}`), or
    /// the answer itself when its fields are the entity's (`login`).
    fn single(command: &str, answer: Value) -> Result<Object> {
        let Value::Object(mut object) = answer else {
            return Err(not_an_object(
                command,
                "the answer is not an object",
                &answer,
            ));
        };
        let mut keys = object.keys().filter(|key| *key != "count");
        if let (Some(key), None) = (keys.next(), keys.next()) {
            let key = key.clone();
            match object.remove(&key) {
                Some(Value::Object(inner)) => return Ok(inner),
                Some(Value::Array(items)) if items.iter().all(Value::is_object) => {
                    return Ok(items
                        .into_iter()
                        .find_map(|item| match item {
                            Value::Object(inner) => Some(inner),
                            _ => None,
                        })
                        .unwrap_or_default());
                }
                Some(other) => {
                    object.insert(key, other);
                }
                None => {}
            }
        }
        Ok(object)
    }

    impl<T: Decode> Answer for T {
        fn from_answer(command: &'static str, answer: Value) -> Result<Self> {
            single(command, answer).map(|mut object| T::decode(&mut object))
        }
    }

    /// Lists: the items of `list_all`, or the array under the answer's
    /// single key; a single object reads as a list of one.
    impl<T: Decode> Answer for Vec<T> {
        fn from_answer(command: &'static str, answer: Value) -> Result<Self> {
            let items = match answer {
                Value::Array(items) => Value::Array(items),
                Value::Object(mut object) => {
                    let mut keys = object.keys().filter(|key| *key != "count");
                    match (keys.next(), keys.next()) {
                        (Some(key), None) => {
                            let key = key.clone();
                            object.remove(&key).unwrap_or_default()
                        }
                        (None, _) => Value::Null,
                        _ => Value::Object(object),
                    }
                }
                other => {
                    return Err(not_an_object(
                        command,
                        "a list answer is not an object",
                        &other,
                    ));
                }
            };
            Ok(FromField::from_field(Some(items)))
        }
    }

    impl Answer for Value {
        fn from_answer(_: &'static str, answer: Value) -> Result<Self> {
            Ok(answer)
        }
    }

    /// A call whose answer `future` gives is decoded by `decode`.
    pub(crate) fn decoded<T: Send + 'static>(
        command: &'static str,
        future: BoxFuture<'static, Result<Value>>,
        decode: fn(&'static str, Value) -> Result<T>,
    ) -> Call<T> {
        Call {
            command,
            future: Box::pin(async move { decode(command, future.await?) }),
        }
    }

    /// The one way a typed call is sent: an [`ApiCall`](marvin_core::ApiCall)
    /// of the API as the precache describes it.
    fn api_call(
        client: &Client,
        command: &'static str,
        params: Params,
        is_async: bool,
        options: RequestOptions,
    ) -> marvin_core::ApiCall {
        client
            .call(Api::described(command, is_async))
            .params(params)
            .options(options)
    }

    fn execute(
        client: &Client,
        command: &'static str,
        params: Params,
        is_async: bool,
        options: RequestOptions,
    ) -> BoxFuture<'static, Result<Value>> {
        Box::pin(api_call(client, command, params, is_async, options).into_future())
    }

    fn list_all(
        client: &Client,
        command: &'static str,
        params: Params,
        options: RequestOptions,
    ) -> BoxFuture<'static, Result<Value>> {
        use futures_util::TryStreamExt;
        let pages = client.list_stream_with(command, params, options);
        Box::pin(async move { pages.try_collect().await.map(Value::Array) })
    }

    /// Sends a command with these per-call options and registers the
    /// entity it answers for cleanup with `ctx`
    /// (`TestContext::create_managed`: an async create from its
    /// submission's `id`, before its job is waited for).
    pub fn managed<'c, T>(
        ctx: &'c TestContext,
        client: &Client,
        command: &'static str,
        params: Params,
        is_async: bool,
        options: RequestOptions,
    ) -> LocalBoxFuture<'c, Result<Managed<T>>>
    where
        T: Answer + Decode + marvin_core::Resource + 'static,
    {
        let call = api_call(client, command, params, is_async, options);
        Box::pin(ctx.create_managed(
            call,
            |id| Some(T::from_value(serde_json::json!({ "id": id }))),
            move |answer| T::from_answer(command, answer),
        ))
    }

    /// Sends a command (waiting for its job when `is_async`) with these
    /// per-call options and decodes the answer as `T`.
    pub fn call<T: Answer + Send + 'static>(
        client: &Client,
        command: &'static str,
        params: Params,
        is_async: bool,
        options: RequestOptions,
    ) -> Call<T> {
        decoded(
            command,
            execute(client, command, params, is_async, options),
            T::from_answer,
        )
    }

    /// Sends an async command without waiting for its job: the job to
    /// wait for later, which keeps the wait options of `options`.
    pub fn submit<T>(
        client: &Client,
        command: &'static str,
        params: Params,
        options: RequestOptions,
    ) -> Call<Submitted<T>> {
        let wait = options.wait().clone();
        let future = api_call(client, command, params, true, options)
            .no_wait()
            .into_future();
        Call {
            command,
            future: Box::pin(async move {
                let answer = future.await?;
                let Some(job_id) = marvin_core::envelope::job_id(&answer) else {
                    return Err(not_an_object(
                        command,
                        "the submission answered no jobid",
                        &answer,
                    ));
                };
                let id = answer.get("id").and_then(Value::as_str).map(str::to_owned);
                Ok(Submitted {
                    command,
                    job_id,
                    id,
                    wait,
                    answer: std::marker::PhantomData,
                })
            }),
        }
    }

    /// Lists every page of a list command, each page sent with `options`.
    pub fn list<T: Decode + Send + 'static>(
        client: &Client,
        command: &'static str,
        params: Params,
        options: RequestOptions,
    ) -> Call<Vec<T>> {
        decoded(
            command,
            list_all(client, command, params, options),
            <Vec<T>>::from_answer,
        )
    }

    /// Streams the items of a list command, page by page, each page sent
    /// with `options`.
    pub fn stream<T: Decode>(
        client: &Client,
        command: &'static str,
        params: Params,
        options: RequestOptions,
    ) -> ListStream<T> {
        ListStream {
            command,
            inner: client.list_stream_with(command, params, options),
            decode: T::from_value,
        }
    }

    fn first<T: Decode>(command: &'static str, answer: Value) -> Result<T> {
        let mut items = <Vec<T>>::from_answer(command, answer.clone())?;
        if items.is_empty() {
            return Err(not_an_object(
                command,
                "the listing by id found nothing",
                &answer,
            ));
        }
        Ok(items.swap_remove(0))
    }

    /// Lists by id (across pages when the command is `paged`) and decodes
    /// the one item found (`refresh`).
    pub fn refresh<T: Decode + Send + 'static>(
        client: &Client,
        command: &'static str,
        params: Params,
        paged: bool,
    ) -> Call<T> {
        let options = RequestOptions::default();
        let future = if paged {
            list_all(client, command, params, options)
        } else {
            execute(client, command, params, false, options)
        };
        decoded(command, future, first::<T>)
    }

    /// The deletion of a resource whose deleting command takes its id as
    /// `id_param`, as its [`DeletionRule`] (in `DELETION_RULES`) builds it.
    pub fn deletion(
        entity: &'static str,
        id: &str,
        command: &'static str,
        is_async: bool,
        id_param: &'static str,
        extra: &'static [(&'static str, &'static str)],
    ) -> Deletion {
        DeletionRule::new(entity, command, is_async, id_param)
            .sends(extra)
            .deletion(id)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::private::*;
    use super::*;

    #[derive(Debug, Default)]
    struct Vm {
        id: String,
        cpunumber: Option<i64>,
        memory: Option<f64>,
        haenable: Option<bool>,
        created: Option<Timestamp>,
        nic: Vec<Nic>,
        password: Option<Secret>,
        details: Option<Object>,
        extra: Object,
    }

    #[derive(Debug, Default)]
    struct Nic {
        ipaddress: Option<String>,
        extra: Object,
    }

    impl Decode for Nic {
        fn decode(o: &mut Object) -> Self {
            Self {
                ipaddress: take(o, "ipaddress"),
                extra: std::mem::take(o),
            }
        }

        fn extra(&self) -> &Object {
            &self.extra
        }
    }

    impl Decode for Vm {
        fn decode(o: &mut Object) -> Self {
            Self {
                id: take(o, "id"),
                cpunumber: take(o, "cpunumber"),
                memory: take(o, "memory"),
                haenable: take(o, "haenable"),
                created: take(o, "created"),
                nic: take(o, "nic"),
                password: take(o, "password"),
                details: take(o, "details"),
                extra: std::mem::take(o),
            }
        }

        fn extra(&self) -> &Object {
            &self.extra
        }
    }

    #[test]
    fn numbers_and_strings_are_accepted_both_ways() {
        let vm = Vm::from_value(
            json!({"id": 42, "cpunumber": "2", "memory": "512", "haenable": "TRUE"}),
        );
        assert_eq!(vm.id, "42");
        assert_eq!(vm.cpunumber, Some(2));
        assert_eq!(vm.memory, Some(512.0));
        assert_eq!(vm.haenable, Some(true));
    }

    #[test]
    fn unknown_fields_go_to_extra_and_missing_ones_are_unset() {
        let vm = Vm::from_value(json!({"id": "a", "flavour": "x"}));
        assert_eq!(vm.cpunumber, None);
        assert!(vm.nic.is_empty());
        assert_eq!(vm.extra.get("flavour"), Some(&json!("x")));
    }

    #[test]
    fn empty_objects_read_as_empty_lists_and_empty_items_are_skipped() {
        let vm = Vm::from_value(json!({"nic": {}}));
        assert!(vm.nic.is_empty());
        let vm = Vm::from_value(json!({"nic": [{}, {"ipaddress": "10.0.0.1"}, 3]}));
        assert_eq!(vm.nic.len(), 1);
        assert_eq!(vm.nic[0].ipaddress.as_deref(), Some("10.0.0.1"));
        let vm = Vm::from_value(json!({"nic": {"ipaddress": "10.0.0.2"}}));
        assert_eq!(vm.nic[0].ipaddress.as_deref(), Some("10.0.0.2"));
    }

    #[test]
    fn dates_are_kept_and_secrets_hidden() {
        let vm = Vm::from_value(json!({"created": "2021-10-04T09:24:38+0000", "password": "p4ss"}));
        assert_eq!(
            vm.created.as_ref().map(Timestamp::as_str),
            Some("2021-10-04T09:24:38+0000")
        );
        assert!(vm.created.unwrap().parse().is_some());
        let shown = format!("{:?}", vm.password);
        assert!(!shown.contains("p4ss"), "{shown}");
        assert_eq!(vm.password.unwrap().expose(), "p4ss");
    }

    #[test]
    fn maps_stay_objects() {
        let vm = Vm::from_value(json!({"details": {"cpuNumber": "2"}}));
        assert_eq!(vm.details.unwrap()["cpuNumber"], "2");
    }

    #[test]
    fn answers_unwrap_the_single_entity_key() {
        let vm = Vm::from_answer(
            "deployVirtualMachine",
            json!({"virtualmachine": {"id": "v1"}}),
        )
        .unwrap();
        assert_eq!(vm.id, "v1");
        // Lists under the entity key give their first item.
        let vm = Vm::from_answer(
            "registerTemplate",
            json!({"count": 1, "template": [{"id": "t1"}]}),
        )
        .unwrap();
        assert_eq!(vm.id, "t1");
        // Fields directly in the answer (login) stay.
        let vm = Vm::from_answer("login", json!({"id": "u", "cpunumber": 1})).unwrap();
        assert_eq!((vm.id.as_str(), vm.cpunumber), ("u", Some(1)));
        // The entity key may be a field name of the entity too.
        let nic = Nic::from_answer("x", json!({"ipaddress": {"ipaddress": "1.2.3.4"}})).unwrap();
        assert_eq!(nic.ipaddress.as_deref(), Some("1.2.3.4"));
        assert!(Vm::from_answer("x", json!("nope")).is_err());
    }

    #[test]
    fn string_lists_read_arrays_and_joined_text() {
        let mut o = json!({
            "ids": ["a", 2, null],
            "joined": "x, y,,z",
            "empty": {},
            "null": null
        })
        .as_object()
        .cloned()
        .unwrap();
        let ids: Vec<String> = take(&mut o, "ids");
        assert_eq!(ids, ["a", "2"]);
        let joined: Vec<String> = take(&mut o, "joined");
        assert_eq!(joined, ["x", "y", "z"]);
        let empty: Vec<String> = take(&mut o, "empty");
        let null: Vec<String> = take(&mut o, "null");
        let absent: Vec<String> = take(&mut o, "absent");
        assert!(empty.is_empty() && null.is_empty() && absent.is_empty());
    }

    #[test]
    fn list_answers_accept_arrays_objects_and_empty_answers() {
        let items =
            <Vec<Nic>>::from_answer("listNics", json!([{"ipaddress": "a"}, {"ipaddress": "b"}]))
                .unwrap();
        assert_eq!(items.len(), 2);
        let items =
            <Vec<Nic>>::from_answer("listNics", json!({"count": 1, "nic": [{"ipaddress": "a"}]}))
                .unwrap();
        assert_eq!(items.len(), 1);
        let items = <Vec<Nic>>::from_answer(
            "listCapabilities",
            json!({"capability": {"ipaddress": "a"}}),
        )
        .unwrap();
        assert_eq!(items.len(), 1);
        assert!(
            <Vec<Nic>>::from_answer("listNics", json!({}))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn success_answers() {
        let s = Success::from_answer("deleteX", json!({"success": "true", "displaytext": "ok"}))
            .unwrap();
        assert!(s.success);
        let s = Success::from_answer("deleteX", json!({"success": false})).unwrap();
        assert!(!s.success);
    }

    #[test]
    fn params_encode_every_kind() {
        let mut p = Params::new();
        put(&mut p, "name", &"web".to_string());
        put(&mut p, "size", &10_i64);
        put(&mut p, "ratio", &1.5_f64);
        put(&mut p, "startvm", &false);
        put(&mut p, "ids", &strings(["a", "b"]));
        put(&mut p, "tags", &maps([[("key", "k"), ("value", "v")]]));
        put(&mut p, "password", &Secret::new("s"));
        put(&mut p, "unset", &None::<String>);
        let pairs: Vec<_> = p.iter().collect();
        assert_eq!(
            pairs,
            [
                ("name", "web"),
                ("size", "10"),
                ("ratio", "1.5"),
                ("startvm", "false"),
                ("ids", "a,b"),
                ("tags[0].key", "k"),
                ("tags[0].value", "v"),
                ("password", "s"),
            ]
        );
    }

    #[test]
    fn deletions_name_the_id_parameter() {
        let d = deletion(
            "VirtualMachine",
            "v1",
            "destroyVirtualMachine",
            true,
            "id",
            &[("expunge", "true")],
        );
        assert_eq!(
            d.params,
            [
                ("id".to_string(), "v1".to_string()),
                ("expunge".to_string(), "true".to_string())
            ]
        );
        let d = deletion("Nic", "n1", "removeIpFromNic", true, "nicid", &[]);
        assert_eq!(d.params[0].0, "nicid");
    }
}
