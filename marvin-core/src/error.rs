//! [`Error`]: everything a call to a management server can fail with.
//!
//! Messages are lower-case fragments that never contain a secret: URLs are
//! shown without their query, server texts are scrubbed of the secret values
//! the call sent, and body snippets are short and redacted.

use std::time::Duration;

use crate::codes::{CsErrorCode, ErrorCode};

/// The result of every fallible operation of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A boxed error kept as a source.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a call, a job or the setup of a client failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error (`errorcode` in the body, or an
    /// HTTP error status).
    #[error("{command} was rejected ({code}{}): {text}", cs_suffix(cs_code))]
    Api {
        /// The command that was called.
        command: String,
        /// The HTTP status of the answer.
        status: u16,
        /// The `errorcode` (the HTTP status when the body had none).
        code: ErrorCode,
        /// The `cserrorcode`, when the server sent one (401s carry none).
        cs_code: Option<CsErrorCode>,
        /// The `errortext`, scrubbed of secrets.
        text: String,
    },
    /// An async job ended with `jobstatus` 2.
    #[error("async job {job_id} of {command} failed ({code}): {text}")]
    JobFailed {
        /// The command that started the job.
        command: String,
        /// The job's id.
        job_id: String,
        /// The `jobresultcode` (or the `errorcode` in `jobresult`).
        code: ErrorCode,
        /// The `errortext` of the job result.
        text: String,
    },
    /// An async job ended with `jobstatus` 3 (cancelled).
    #[error("async job {job_id} of {command} was cancelled{}", text_suffix(text))]
    JobCancelled {
        /// The command that started the job.
        command: String,
        /// The job's id.
        job_id: String,
        /// The `errortext` of the job result, if any.
        text: String,
    },
    /// An async job was still pending when the wait ran out.
    #[error("async job {job_id} of {command} did not finish within {elapsed:?}")]
    JobTimeout {
        /// The command that started the job.
        command: String,
        /// The job's id.
        job_id: String,
        /// How long the client waited.
        elapsed: Duration,
    },
    /// The request could not be sent or its answer not received.
    #[error("{command}: could not reach the management server at {url}")]
    Transport {
        /// The command that was called.
        command: String,
        /// The endpoint, without any query.
        url: String,
        /// What went wrong (the URL is stripped from it).
        #[source]
        source: reqwest::Error,
    },
    /// The answer was not the JSON envelope the command should produce.
    #[error("{command}: unexpected answer ({reason}): {snippet}")]
    Decode {
        /// The command that was called.
        command: String,
        /// What was wrong with it.
        reason: String,
        /// The start of the body, redacted.
        snippet: String,
        /// The JSON error, when the body did not parse.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// A configuration file or value is invalid.
    #[error("config {origin}: {}{message}", field_prefix(field))]
    Config {
        /// The file (or name) the configuration came from.
        origin: String,
        /// The path of the offending field (`mgtSvr[0].port`); empty when
        /// the whole document is concerned.
        field: String,
        /// What is wrong.
        message: String,
        /// The underlying error (I/O, JSON syntax), if any.
        #[source]
        source: Option<BoxError>,
    },
    /// The client was built or used in a way that cannot work (no
    /// credentials, a bad URL, an unreadable certificate, `login` without
    /// credentials).
    #[error("client setup: {message}")]
    Setup {
        /// What is wrong.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<BoxError>,
    },
}

fn cs_suffix(cs_code: &Option<CsErrorCode>) -> String {
    cs_code.map(|c| format!("/{c}")).unwrap_or_default()
}

fn text_suffix(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

fn field_prefix(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!("{field}: ")
    }
}

/// Texts (lower-cased) meaning "no such entity" in CloudStack error answers.
const NOT_FOUND_PATTERNS: [&str; 7] = [
    "does not exist",
    "unable to find",
    "entity does not exist",
    "unknown id",
    "could not find",
    "cannot find",
    "no entity found",
];

impl Error {
    /// The CloudStack error code: `errorcode` of an API error, the result
    /// code of a failed job. `None` for other failures.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Api { code, .. } | Self::JobFailed { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// The `cserrorcode` of an API error, when the server sent one.
    pub fn cs_code(&self) -> Option<CsErrorCode> {
        match self {
            Self::Api { cs_code, .. } => *cs_code,
            _ => None,
        }
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The command the failure belongs to.
    pub fn command(&self) -> Option<&str> {
        match self {
            Self::Api { command, .. }
            | Self::JobFailed { command, .. }
            | Self::JobCancelled { command, .. }
            | Self::JobTimeout { command, .. }
            | Self::Transport { command, .. }
            | Self::Decode { command, .. } => Some(command),
            Self::Config { .. } | Self::Setup { .. } => None,
        }
    }

    /// The async job concerned, for job failures.
    pub fn job_id(&self) -> Option<&str> {
        match self {
            Self::JobFailed { job_id, .. }
            | Self::JobCancelled { job_id, .. }
            | Self::JobTimeout { job_id, .. } => Some(job_id),
            _ => None,
        }
    }

    /// The server's error text, for API errors and failed jobs.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Api { text, .. }
            | Self::JobFailed { text, .. }
            | Self::JobCancelled { text, .. } => Some(text),
            _ => None,
        }
    }

    /// True when the server said the entity does not exist: a 431 answer
    /// (or job result) whose text says "does not exist", "unable to find",
    /// "entity does not exist" and the like. Cleanup treats these as
    /// already gone.
    pub fn is_not_found(&self) -> bool {
        if self.code() != Some(ErrorCode::ParamError) {
            return false;
        }
        let text = self.text().unwrap_or_default().to_ascii_lowercase();
        NOT_FOUND_PATTERNS
            .iter()
            .any(|pattern| text.contains(pattern))
    }

    /// True for failures that may pass when the same call is sent again:
    /// transport errors, rate limiting (429) and gateway errors
    /// (502, 503, 504). The client itself retries only transport errors, and
    /// only for idempotent (`list*`, `query*`, `get*`) commands.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Transport { .. } => true,
            Self::Api { status, .. } => matches!(status, 429 | 502 | 503 | 504),
            _ => false,
        }
    }

    /// True for a transport failure.
    pub fn is_transport(&self) -> bool {
        matches!(self, Self::Transport { .. })
    }

    pub(crate) fn config(
        origin: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self::Config {
            origin: origin.into(),
            field: field.into(),
            message: message.into(),
            source: None,
        }
    }

    /// A setup error (the environment around the client cannot work).
    pub fn setup(message: impl Into<String>) -> Self {
        Self::Setup {
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn setup_with(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Self::Setup {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    pub(crate) fn transport(command: &str, url: &str, source: reqwest::Error) -> Self {
        Self::Transport {
            command: command.to_owned(),
            url: url.split(['?', '#']).next().unwrap_or_default().to_owned(),
            source: source.without_url(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: u16, text: &str) -> Error {
        Error::Api {
            command: "deleteNetwork".into(),
            status: code,
            code: ErrorCode::from_u16(code),
            cs_code: Some(CsErrorCode::InvalidParameterValue),
            text: text.into(),
        }
    }

    #[test]
    fn display_is_a_readable_fragment() {
        assert_eq!(
            api(431, "Unable to find network").to_string(),
            "deleteNetwork was rejected (431/4350): Unable to find network"
        );
        let unauthorized = Error::Api {
            command: "listZones".into(),
            status: 401,
            code: ErrorCode::Unauthorized,
            cs_code: None,
            text: "unable to verify user credentials and/or request signature".into(),
        };
        assert_eq!(
            unauthorized.to_string(),
            "listZones was rejected (401): unable to verify user credentials and/or request signature"
        );
        assert_eq!(
            Error::config("/x/cloud.json", "mgtSvr[0].port", "expected a number").to_string(),
            "config /x/cloud.json: mgtSvr[0].port: expected a number"
        );
        let timeout = Error::JobTimeout {
            command: "deployVirtualMachine".into(),
            job_id: "j-1".into(),
            elapsed: Duration::from_millis(1500),
        };
        assert_eq!(
            timeout.to_string(),
            "async job j-1 of deployVirtualMachine did not finish within 1.5s"
        );
    }

    #[test]
    fn not_found_needs_431_and_a_matching_text() {
        assert!(api(431, "Unable to find network with id 1").is_not_found());
        assert!(
            api(
                431,
                "Invalid parameter id value=abc due to incorrect long value format, or entity does not exist or due to incorrect parameter annotation for the field in api cmd class."
            )
            .is_not_found()
        );
        assert!(api(431, "Network with specified id does not exist").is_not_found());
        assert!(
            !api(
                431,
                "Unable to execute API command x due to missing parameter id"
            )
            .is_not_found()
        );
        assert!(!api(530, "Unable to find suitable host").is_not_found());
        let job = Error::JobFailed {
            command: "deleteVolume".into(),
            job_id: "j".into(),
            code: ErrorCode::ParamError,
            text: "Unable to find volume".into(),
        };
        assert!(job.is_not_found());
        assert_eq!(job.code(), Some(ErrorCode::ParamError));
    }

    #[test]
    fn retryable_is_transport_and_overload_only() {
        assert!(!api(431, "x").is_retryable());
        assert!(api(429, "slow down").is_retryable());
        assert!(!api(530, "x").is_retryable());
    }
}
