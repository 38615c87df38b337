//! The error codes of the CloudStack API: the HTTP-level `errorcode` and the
//! Java-exception-level `cserrorcode`.
//!
//! Both the client (to classify failures) and the simulator (to produce them)
//! use these, so the numbers live in one place.

use std::fmt;

/// The `errorcode` of a CloudStack error answer. The HTTP status equals it.
///
/// ```
/// use marvin_core::ErrorCode;
/// assert_eq!(ErrorCode::from_u16(431), ErrorCode::ParamError);
/// assert_eq!(ErrorCode::ParamError.as_u16(), 431);
/// assert_eq!(ErrorCode::from_u16(599), ErrorCode::Other(599));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// 401: bad keys, bad or expired signature, bad session.
    Unauthorized,
    /// 405: wrong HTTP method (for example `login` over GET).
    MethodNotAllowed,
    /// 429: the API rate limit was exceeded.
    ApiLimitExceeded,
    /// 430: a malformed parameter.
    MalformedParameter,
    /// 431: a missing or invalid parameter, or an unknown id.
    ParamError,
    /// 432: unknown command, or not available to this caller.
    UnsupportedAction,
    /// 530: an internal error (also the code of most failed async jobs).
    InternalError,
    /// 531: an account error, or permission denied on another account's resource.
    AccountError,
    /// 532: an account resource limit was exceeded.
    AccountResourceLimit,
    /// 533: insufficient capacity.
    InsufficientCapacity,
    /// 534: a resource is unavailable.
    ResourceUnavailable,
    /// 535: a resource could not be allocated.
    ResourceAllocation,
    /// 536: a resource is in use.
    ResourceInUse,
    /// 537: a network rule conflicts with another.
    NetworkRuleConflict,
    /// Any other code a server sent.
    Other(u16),
}

impl ErrorCode {
    /// The numeric code, as sent on the wire.
    pub const fn as_u16(self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::MethodNotAllowed => 405,
            Self::ApiLimitExceeded => 429,
            Self::MalformedParameter => 430,
            Self::ParamError => 431,
            Self::UnsupportedAction => 432,
            Self::InternalError => 530,
            Self::AccountError => 531,
            Self::AccountResourceLimit => 532,
            Self::InsufficientCapacity => 533,
            Self::ResourceUnavailable => 534,
            Self::ResourceAllocation => 535,
            Self::ResourceInUse => 536,
            Self::NetworkRuleConflict => 537,
            Self::Other(code) => code,
        }
    }

    /// The code for a number received on the wire.
    pub const fn from_u16(code: u16) -> Self {
        match code {
            401 => Self::Unauthorized,
            405 => Self::MethodNotAllowed,
            429 => Self::ApiLimitExceeded,
            430 => Self::MalformedParameter,
            431 => Self::ParamError,
            432 => Self::UnsupportedAction,
            530 => Self::InternalError,
            531 => Self::AccountError,
            532 => Self::AccountResourceLimit,
            533 => Self::InsufficientCapacity,
            534 => Self::ResourceUnavailable,
            535 => Self::ResourceAllocation,
            536 => Self::ResourceInUse,
            537 => Self::NetworkRuleConflict,
            other => Self::Other(other),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_u16())
    }
}

/// The `cserrorcode` of an error answer: which server-side exception it was.
///
/// ```
/// use marvin_core::CsErrorCode;
/// assert_eq!(CsErrorCode::InvalidParameterValue.as_u32(), 4350);
/// assert_eq!(CsErrorCode::from_u32(4365), CsErrorCode::PermissionDenied);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CsErrorCode {
    /// 4250 `CloudRuntimeException`.
    CloudRuntime,
    /// 4275 `CloudException`.
    Cloud,
    /// 4280 `AccountLimitException`.
    AccountLimit,
    /// 4290 `CloudAuthenticationException`.
    CloudAuthentication,
    /// 4300 `ConcurrentOperationException`.
    ConcurrentOperation,
    /// 4325 `InsufficientCapacityException`.
    InsufficientCapacity,
    /// 4345 `InternalErrorException`.
    InternalError,
    /// 4350 `InvalidParameterValueException`.
    InvalidParameterValue,
    /// 4360 `NetworkRuleConflictException`.
    NetworkRuleConflict,
    /// 4365 `PermissionDeniedException`.
    PermissionDenied,
    /// 4370 `ResourceAllocationException`.
    ResourceAllocation,
    /// 4375 `ResourceInUseException`.
    ResourceInUse,
    /// 4380 `ResourceUnavailableException`.
    ResourceUnavailable,
    /// 4390 `UnsupportedServiceException`.
    UnsupportedService,
    /// 4545 `RequestLimitException`.
    RequestLimit,
    /// 4555 `UnavailableCommandException`.
    UnavailableCommand,
    /// 4560 `OperationTimedoutException`.
    OperationTimedout,
    /// 9999 `ServerApiException`.
    ServerApi,
    /// Any other code a server sent.
    Other(u32),
}

impl CsErrorCode {
    const TABLE: [(CsErrorCode, u32); 18] = [
        (Self::CloudRuntime, 4250),
        (Self::Cloud, 4275),
        (Self::AccountLimit, 4280),
        (Self::CloudAuthentication, 4290),
        (Self::ConcurrentOperation, 4300),
        (Self::InsufficientCapacity, 4325),
        (Self::InternalError, 4345),
        (Self::InvalidParameterValue, 4350),
        (Self::NetworkRuleConflict, 4360),
        (Self::PermissionDenied, 4365),
        (Self::ResourceAllocation, 4370),
        (Self::ResourceInUse, 4375),
        (Self::ResourceUnavailable, 4380),
        (Self::UnsupportedService, 4390),
        (Self::RequestLimit, 4545),
        (Self::UnavailableCommand, 4555),
        (Self::OperationTimedout, 4560),
        (Self::ServerApi, 9999),
    ];

    /// The numeric code, as sent on the wire.
    pub fn as_u32(self) -> u32 {
        if let Self::Other(code) = self {
            return code;
        }
        Self::TABLE
            .iter()
            .find(|(known, _)| *known == self)
            .map(|(_, code)| *code)
            .unwrap_or_default()
    }

    /// The code for a number received on the wire.
    pub fn from_u32(code: u32) -> Self {
        Self::TABLE
            .iter()
            .find(|(_, known)| *known == code)
            .map(|(name, _)| *name)
            .unwrap_or(Self::Other(code))
    }
}

impl fmt::Display for CsErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_u32())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_round_trips() {
        for code in [
            401, 405, 429, 430, 431, 432, 530, 531, 532, 533, 534, 535, 536, 537, 200,
        ] {
            assert_eq!(ErrorCode::from_u16(code).as_u16(), code);
        }
    }

    #[test]
    fn every_cs_error_code_round_trips() {
        for (name, code) in CsErrorCode::TABLE {
            assert_eq!(CsErrorCode::from_u32(code), name);
            assert_eq!(name.as_u32(), code);
        }
        assert_eq!(CsErrorCode::from_u32(1234), CsErrorCode::Other(1234));
    }
}
