//! `ApiError`: every refusal the simulator gives, with CloudStack's
//! `errorcode`, `cserrorcode` and text. One serialiser (in the HTTP layer)
//! turns it into the wire shape.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use marvin_core::{CsErrorCode, ErrorCode};

use crate::kernel::catalog::DuplicateCommand;

/// A CloudStack-shaped error answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status and `errorcode`.
    pub code: ErrorCode,
    /// The `cserrorcode` (absent on 401 answers).
    pub cs_code: Option<CsErrorCode>,
    /// The `errortext`.
    pub text: String,
}

impl ApiError {
    /// An error with both codes.
    pub fn new(code: ErrorCode, cs_code: CsErrorCode, text: impl Into<String>) -> Self {
        Self {
            code,
            cs_code: Some(cs_code),
            text: text.into(),
        }
    }

    /// 401: the one answer for every authentication failure.
    pub fn unauthorized() -> Self {
        Self {
            code: ErrorCode::Unauthorized,
            cs_code: None,
            text: "unable to verify user credentials and/or request signature".into(),
        }
    }

    /// 431 / 4350 `InvalidParameterValueException`.
    pub fn param(text: impl Into<String>) -> Self {
        Self::new(
            ErrorCode::ParamError,
            CsErrorCode::InvalidParameterValue,
            text,
        )
    }

    /// 431 for a missing required parameter, with CloudStack's text.
    pub fn missing(command: &str, param: &str) -> Self {
        Self::param(format!(
            "Unable to execute API command {} due to missing parameter {param}",
            command.to_ascii_lowercase()
        ))
    }

    /// 431 for an id that names nothing (or a malformed one).
    pub fn invalid_id(param: &str, value: &str) -> Self {
        Self::param(format!(
            "Invalid parameter {param} value={value} due to incorrect long value format, \
             or entity does not exist or due to incorrect parameter annotation for the field in api cmd class."
        ))
    }

    /// 432: an unknown command, or one this caller may not use.
    pub fn unsupported(text: impl Into<String>) -> Self {
        Self::new(
            ErrorCode::UnsupportedAction,
            CsErrorCode::UnavailableCommand,
            text,
        )
    }

    /// 530 / 4250 `CloudRuntimeException`.
    pub fn internal(text: impl Into<String>) -> Self {
        Self::new(ErrorCode::InternalError, CsErrorCode::CloudRuntime, text)
    }

    /// 531 / 4365 `PermissionDeniedException`.
    pub fn permission(text: impl Into<String>) -> Self {
        Self::new(ErrorCode::AccountError, CsErrorCode::PermissionDenied, text)
    }

    /// 532 / 4280 `AccountLimitException`.
    pub fn account_limit(text: impl Into<String>) -> Self {
        Self::new(
            ErrorCode::AccountResourceLimit,
            CsErrorCode::AccountLimit,
            text,
        )
    }

    /// 533 / 4325 `InsufficientCapacityException`.
    pub fn capacity(text: impl Into<String>) -> Self {
        Self::new(
            ErrorCode::InsufficientCapacity,
            CsErrorCode::InsufficientCapacity,
            text,
        )
    }

    /// 534 / 4380 `ResourceUnavailableException`.
    pub fn unavailable(text: impl Into<String>) -> Self {
        Self::new(
            ErrorCode::ResourceUnavailable,
            CsErrorCode::ResourceUnavailable,
            text,
        )
    }

    /// 535 / 4370 `ResourceAllocationException` (also account limits, see
    /// cloudstack-semantics.md section 7).
    pub fn allocation(text: impl Into<String>) -> Self {
        Self::new(
            ErrorCode::ResourceAllocation,
            CsErrorCode::ResourceAllocation,
            text,
        )
    }

    /// 536 / 4375 `ResourceInUseException`.
    pub fn in_use(text: impl Into<String>) -> Self {
        Self::new(ErrorCode::ResourceInUse, CsErrorCode::ResourceInUse, text)
    }

    /// 537 / 4360 `NetworkRuleConflictException`.
    pub fn conflict(text: impl Into<String>) -> Self {
        Self::new(
            ErrorCode::NetworkRuleConflict,
            CsErrorCode::NetworkRuleConflict,
            text,
        )
    }

    /// The code a failed async job reports for this error (semantics §0):
    /// parameter errors stay 431, everything else becomes 530.
    pub fn job_code(&self) -> ErrorCode {
        match self.code {
            ErrorCode::ParamError => ErrorCode::ParamError,
            _ => ErrorCode::InternalError,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.text)
    }
}

impl std::error::Error for ApiError {}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        Self::internal(format!("database error: {error}"))
    }
}

/// Why a simulator did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The embedded `api-precache.json` is unreadable.
    #[error("{0}")]
    Precache(String),
    /// Two families declare the same command.
    #[error("{0}")]
    Registry(DuplicateCommand),
    /// The database could not be opened or written.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// The database file, or the private directory of a database without a
    /// file, could not be made.
    #[error("the simulator's database file: {0}")]
    PrivateDirectory(std::io::Error),
    /// A family's schema failed.
    #[error("schema of the {family} family: {error}")]
    Schema {
        /// The family.
        family: &'static str,
        /// The SQLite error.
        error: rusqlite::Error,
    },
    /// A family's seed failed.
    #[error("seed of the {family} family: {error}")]
    Seed {
        /// The family.
        family: &'static str,
        /// The error.
        error: ApiError,
    },
    /// A fixture file is unreadable or one of its calls failed.
    #[error("fixture {file}, entry {index}: {message}")]
    Fixture {
        /// The file.
        file: PathBuf,
        /// The position of the entry in the file (from 0).
        index: usize,
        /// What went wrong.
        message: String,
    },
    /// After seeding there is no root admin user with API keys.
    #[error(
        "no root admin user with API keys exists after seeding (is the identity family's seed in place?)"
    )]
    NoAdmin,
    /// The admin keys given to the start-up are unusable (the text says
    /// why, never the keys).
    #[error("the admin keys: {0}")]
    AdminKeys(String),
    /// A listener could not be bound.
    #[error("listening on {addr}: {error}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The error.
        error: std::io::Error,
    },
}
