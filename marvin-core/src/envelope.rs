//! Decoding CloudStack's JSON answers: the response envelope, errors, lists,
//! single entities, success answers and async job results.
//!
//! These are pure functions over [`serde_json::Value`]; the client applies
//! them to every answer, and they are tested on real sample bodies.
//!
//! ```
//! use marvin_core::envelope::{decode_body, list_page};
//! let body = br#"{"listzonesresponse":{"count":1,"zone":[{"id":"z1"}]}}"#;
//! let inner = decode_body("listZones", 200, body, &[] as &[&str]).unwrap();
//! let page = list_page("listZones", &inner).unwrap();
//! assert_eq!(page.count, Some(1));
//! assert_eq!(page.items[0]["id"], "z1");
//! ```

use serde_json::{Map, Value};

use crate::codes::{CsErrorCode, ErrorCode};
use crate::error::{Error, Result};
use crate::redact;

/// How many characters of a body an error shows at most.
pub const SNIPPET_CHARS: usize = 200;

/// The envelope key a command answers under: its lower-cased name followed
/// by `response` (`listZones` -> `listzonesresponse`).
pub fn response_key(command: &str) -> String {
    format!("{}response", command.to_ascii_lowercase())
}

/// Finds the answer inside an envelope. In order: the command's own key
/// (ignoring case), `errorresponse`, the single key ending in `response`
/// (ignoring case, as CloudMonkey does: a few commands answer under another
/// name, `listVPCs` under `listvpcresponse`), and finally the single key of
/// the envelope if its value is an object (as the `cs` library does).
pub fn find_response<'a>(command: &str, envelope: &'a Value) -> Option<(&'a str, &'a Value)> {
    let map = envelope.as_object()?;
    let key = response_key(command);
    if let Some(found) = map.iter().find(|(name, _)| name.eq_ignore_ascii_case(&key)) {
        return Some((found.0.as_str(), found.1));
    }
    if let Some(found) = map.get_key_value("errorresponse") {
        return Some((found.0.as_str(), found.1));
    }
    let mut responses = map
        .iter()
        .filter(|(name, _)| name.to_ascii_lowercase().ends_with("response"));
    if let (Some(found), None) = (responses.next(), responses.next()) {
        return Some((found.0.as_str(), found.1));
    }
    if map.len() == 1 {
        let (name, value) = map.iter().next()?;
        if value.is_object() {
            return Some((name.as_str(), value));
        }
    }
    None
}

/// Takes the answer out of an envelope (see [`find_response`]).
pub fn take_response(command: &str, mut envelope: Value) -> Option<Value> {
    let key = find_response(command, &envelope)?.0.to_owned();
    envelope.as_object_mut()?.remove(&key)
}

/// The error carried by an answer: `errorcode` (with `cserrorcode` and
/// `errortext`) inside the envelope's object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFault {
    /// The `errorcode`.
    pub code: ErrorCode,
    /// The `cserrorcode`, if any.
    pub cs_code: Option<CsErrorCode>,
    /// The `errortext` (empty if missing).
    pub text: String,
}

/// The error in an answer, if `errorcode` is present (number or numeric
/// string).
pub fn api_fault(inner: &Value) -> Option<ApiFault> {
    let code = as_u64(inner.get("errorcode")?)?;
    let code = ErrorCode::from_u16(u16::try_from(code).unwrap_or(u16::MAX));
    let cs_code = inner
        .get("cserrorcode")
        .and_then(as_u64)
        .map(|c| CsErrorCode::from_u32(u32::try_from(c).unwrap_or(u32::MAX)));
    let text = inner
        .get("errortext")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    Some(ApiFault {
        code,
        cs_code,
        text,
    })
}

/// Decodes a whole answer: parses the body, finds the envelope, turns
/// `errorcode` answers and HTTP error statuses into [`Error::Api`], and
/// returns the inner object (`{"count":2,"zone":[..]}`, `{"account":{..}}`,
/// `{"jobid":".."}`, the `loginresponse` object...).
///
/// `secrets` are values the call sent that must not show up in errors.
pub fn decode_body<S: AsRef<str>>(
    command: &str,
    status: u16,
    body: &[u8],
    secrets: &[S],
) -> Result<Value> {
    let ok_status = (200..300).contains(&status);
    let mut envelope: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(source) => {
            let snippet = snippet(body, secrets);
            if !ok_status {
                return Err(status_error(command, status, &snippet));
            }
            return Err(Error::Decode {
                command: command.to_owned(),
                reason: "not JSON".to_owned(),
                snippet,
                source: Some(source),
            });
        }
    };
    let key = find_response(command, &envelope).map(|(key, _)| key.to_owned());
    let inner = key.and_then(|key| envelope.as_object_mut()?.remove(&key));
    let Some(inner) = inner else {
        let snippet = json_snippet(&envelope, secrets);
        if !ok_status {
            return Err(status_error(command, status, &snippet));
        }
        return Err(Error::Decode {
            command: command.to_owned(),
            reason: format!("no {} key", response_key(command)),
            snippet,
            source: None,
        });
    };
    if let Some(fault) = api_fault(&inner) {
        return Err(Error::Api {
            command: command.to_owned(),
            status,
            code: fault.code,
            cs_code: fault.cs_code,
            text: redact::scrub_values(&fault.text, secrets),
        });
    }
    if !ok_status {
        return Err(status_error(
            command,
            status,
            &json_snippet(&inner, secrets),
        ));
    }
    if !inner.is_object() {
        return Err(Error::Decode {
            command: command.to_owned(),
            reason: "the answer is not an object".to_owned(),
            snippet: json_snippet(&inner, secrets),
            source: None,
        });
    }
    Ok(inner)
}

fn status_error(command: &str, status: u16, snippet: &str) -> Error {
    Error::Api {
        command: command.to_owned(),
        status,
        code: ErrorCode::from_u16(status),
        cs_code: None,
        text: format!("http status {status}: {snippet}"),
    }
}

/// A short, redacted start of a raw body.
pub fn snippet<S: AsRef<str>>(body: &[u8], secrets: &[S]) -> String {
    let text = String::from_utf8_lossy(body);
    let redacted = match serde_json::from_str::<Value>(&text) {
        Ok(value) => redact::redact_json(&value).to_string(),
        Err(_) => redact::redact_text(&text),
    };
    redact::truncate(
        redact::scrub_values(&redacted, secrets).trim(),
        SNIPPET_CHARS,
    )
}

fn json_snippet<S: AsRef<str>>(value: &Value, secrets: &[S]) -> String {
    let redacted = redact::redact_json(value).to_string();
    redact::truncate(&redact::scrub_values(&redacted, secrets), SNIPPET_CHARS)
}

/// The single entity key of an answer: the one key that is not `count`.
/// `None` for `{}`, `{"count":N}` and answers with several other keys.
pub fn entity_key(inner: &Value) -> Option<&str> {
    let mut keys = inner.as_object()?.keys().filter(|key| *key != "count");
    match (keys.next(), keys.next()) {
        (Some(key), None) => Some(key),
        _ => None,
    }
}

/// The single object of an answer (`{"account":{..}}` -> the account).
pub fn single_entity(inner: &Value) -> Option<&Value> {
    inner.get(entity_key(inner)?)
}

/// One page of a list answer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListPage {
    /// The total number of matches (`count`), absent for `{}`.
    pub count: Option<u64>,
    /// The entity key the items were found under (`zone`, `virtualmachine`).
    pub key: Option<String>,
    /// The items of this page.
    pub items: Vec<Value>,
}

/// Reads a list answer: `{count, <entity>: [...]}`, `{}` (empty) or
/// `{"count":N}` (a page past the end). The items are the one array under a
/// key that is not `count`.
pub fn list_page(command: &str, inner: &Value) -> Result<ListPage> {
    let Some(map) = inner.as_object() else {
        return Err(decode_error(
            command,
            "a list answer is not an object",
            inner,
        ));
    };
    let count = map.get("count").and_then(as_u64);
    let mut arrays = map
        .iter()
        .filter(|(key, value)| *key != "count" && value.is_array());
    match (arrays.next(), arrays.next()) {
        (None, _) => Ok(ListPage {
            count,
            key: None,
            items: Vec::new(),
        }),
        (Some((key, items)), None) => Ok(ListPage {
            count,
            key: Some(key.clone()),
            items: items.as_array().cloned().unwrap_or_default(),
        }),
        (Some(_), Some(_)) => Err(decode_error(
            command,
            "several lists in a list answer",
            inner,
        )),
    }
}

/// Like [`list_page`], but takes the items out without copying them.
pub fn into_list_page(command: &str, inner: Value) -> Result<ListPage> {
    let Value::Object(mut map) = inner else {
        return Err(decode_error(
            command,
            "a list answer is not an object",
            &inner,
        ));
    };
    let count = map.get("count").and_then(as_u64);
    let keys: Vec<String> = map
        .iter()
        .filter(|(key, value)| *key != "count" && value.is_array())
        .map(|(key, _)| key.clone())
        .collect();
    match keys.as_slice() {
        [] => Ok(ListPage {
            count,
            key: None,
            items: Vec::new(),
        }),
        [key] => {
            let items = match map.remove(key) {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            };
            Ok(ListPage {
                count,
                key: Some(key.clone()),
                items,
            })
        }
        _ => Err(decode_error(
            command,
            "several lists in a list answer",
            &Value::Object(map),
        )),
    }
}

/// The `success` of a success-only answer (`{"success":true,
/// "displaytext":".."}`); accepts `true` and `"true"`.
pub fn success(inner: &Value) -> Option<bool> {
    match inner.get("success")? {
        Value::Bool(b) => Some(*b),
        Value::String(s) => Some(s.eq_ignore_ascii_case("true")),
        _ => None,
    }
}

/// The `jobid` of an async command's first answer.
pub fn job_id(inner: &Value) -> Option<String> {
    match inner.get("jobid")? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The state of an async job (`jobstatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobState {
    /// 0: still running.
    Pending,
    /// 1: finished; `jobresult` holds the answer.
    Succeeded,
    /// 2: failed; `jobresult` holds `errorcode` and `errortext`.
    Failed,
    /// 3: cancelled.
    Cancelled,
}

/// A decoded `queryAsyncJobResult` answer.
#[derive(Debug, Clone, PartialEq)]
pub struct JobStatus {
    /// The job's state.
    pub state: JobState,
    /// The `jobresultcode` (0 on success).
    pub result_code: Option<u64>,
    /// The `jobresult`, absent while pending.
    pub result: Option<Value>,
    /// The `cmd`: the Java class of the command, when sent.
    pub cmd: Option<String>,
}

impl JobStatus {
    /// The failure code: `jobresult.errorcode`, else `jobresultcode`, else 530.
    pub fn error_code(&self) -> ErrorCode {
        let from_result = self
            .result
            .as_ref()
            .and_then(|r| r.get("errorcode"))
            .and_then(as_u64);
        let code = from_result
            .or(self.result_code.filter(|c| *c != 0))
            .unwrap_or(530);
        ErrorCode::from_u16(u16::try_from(code).unwrap_or(u16::MAX))
    }

    /// The failure text: `jobresult.errortext`, or the result when it is text.
    pub fn error_text(&self) -> String {
        match &self.result {
            Some(Value::String(text)) => text.clone(),
            Some(result) => result
                .get("errortext")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            None => String::new(),
        }
    }

    /// The short name of the job's command class (`DeployVMCmdByAdmin`).
    pub fn cmd_name(&self) -> Option<&str> {
        let cmd = self.cmd.as_deref()?;
        Some(cmd.rsplit('.').next().unwrap_or(cmd))
    }
}

/// Reads a `queryAsyncJobResult` answer (the inner object).
pub fn job_status(command: &str, inner: &Value) -> Result<JobStatus> {
    let state = match inner.get("jobstatus").and_then(as_u64) {
        Some(0) => JobState::Pending,
        Some(1) => JobState::Succeeded,
        Some(2) => JobState::Failed,
        Some(3) => JobState::Cancelled,
        _ => return Err(decode_error(command, "no valid jobstatus", inner)),
    };
    Ok(JobStatus {
        state,
        result_code: inner.get("jobresultcode").and_then(as_u64),
        result: inner.get("jobresult").cloned(),
        cmd: inner.get("cmd").and_then(Value::as_str).map(str::to_owned),
    })
}

fn decode_error(command: &str, reason: &str, value: &Value) -> Error {
    Error::Decode {
        command: command.to_owned(),
        reason: reason.to_owned(),
        snippet: json_snippet::<&str>(value, &[]),
        source: None,
    }
}

fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// An empty JSON object, the answer of an empty list.
pub fn empty_object() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn response_keys_are_lower_cased() {
        assert_eq!(
            response_key("deployVirtualMachine"),
            "deployvirtualmachineresponse"
        );
    }

    #[test]
    fn the_own_key_wins_then_errorresponse_then_any_response_key() {
        let env = json!({"listzonesresponse": {"count": 0}, "otherresponse": {}});
        assert_eq!(
            find_response("listZones", &env).unwrap().0,
            "listzonesresponse"
        );
        let env = json!({"errorresponse": {"errorcode": 432}});
        assert_eq!(find_response("nope", &env).unwrap().0, "errorresponse");
        let env = json!({"listvpcresponse": {"count": 0}});
        assert_eq!(
            find_response("listVPCs", &env).unwrap().0,
            "listvpcresponse"
        );
        let env = json!({"aresponse": {}, "bresponse": {}});
        assert!(find_response("listVPCs", &env).is_none());
        assert!(find_response("x", &json!([1])).is_none());
    }

    #[test]
    fn errors_in_the_body_become_api_errors() {
        let body = br#"{"listvirtualmachinesresponse":{"uuidList":[],"errorcode":431,"cserrorcode":4350,"errortext":"Unable to execute API command listvirtualmachines due to missing parameter id"}}"#;
        let err = decode_body("listVirtualMachines", 431, body, &[] as &[&str]).unwrap_err();
        match err {
            Error::Api {
                status,
                code,
                cs_code,
                text,
                ..
            } => {
                assert_eq!(status, 431);
                assert_eq!(code, ErrorCode::ParamError);
                assert_eq!(cs_code, Some(CsErrorCode::InvalidParameterValue));
                assert!(text.contains("missing parameter id"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn non_json_error_statuses_keep_their_status() {
        let err = decode_body(
            "listZones",
            502,
            b"<html>bad gateway</html>",
            &[] as &[&str],
        )
        .unwrap_err();
        assert_eq!(err.status(), Some(502));
        assert!(err.is_retryable());
        let err = decode_body("listZones", 200, b"<html>", &[] as &[&str]).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    }

    #[test]
    fn lists_empty_and_past_the_end() {
        let page = list_page("listZones", &json!({})).unwrap();
        assert_eq!((page.count, page.items.len()), (None, 0));
        let page = list_page("listZones", &json!({"count": 7})).unwrap();
        assert_eq!((page.count, page.items.len()), (Some(7), 0));
        let page = into_list_page("listZones", json!({"count": 2, "zone": [{}, {}]})).unwrap();
        assert_eq!(
            (page.count, page.key.as_deref(), page.items.len()),
            (Some(2), Some("zone"), 2)
        );
        assert!(list_page("x", &json!({"a": [], "b": []})).is_err());
    }

    #[test]
    fn jobs_report_state_code_and_text() {
        let failed = json!({"jobstatus": 2, "jobresultcode": 530,
            "jobresult": {"errorcode": 530, "errortext": "boom"}});
        let status = job_status("q", &failed).unwrap();
        assert_eq!(status.state, JobState::Failed);
        assert_eq!(status.error_code(), ErrorCode::InternalError);
        assert_eq!(status.error_text(), "boom");
        assert!(job_status("q", &json!({"jobid": "x"})).is_err());
    }
}
