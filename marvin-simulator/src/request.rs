//! One API request as the engine sees it: the decoded parameters (names as
//! sent, for signing), the HTTP method, the session cookies, and which
//! listener it came through.
//!
//! Decoding follows the servlet container CloudStack runs in: query string
//! and form body are both `application/x-www-form-urlencoded` (`+` is a
//! space), then merged, query first. Values that are not valid UTF-8 after
//! decoding, or broken `%` escapes, are refused with a CloudStack-shaped 430.
//!
//! A literal `+` is a trap: a client that signs `+0000` but sends it
//! unescaped has its value turned into ` 0000` by form decoding, and the
//! signature fails on a real server. We keep a second decoding with `+`
//! left as is, and the signature check tries it when the first fails.

use std::fmt;

use marvin_core::{CsErrorCode, ErrorCode};

use crate::error::ApiError;

/// The HTTP method of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// GET (parameters in the query string).
    Get,
    /// POST (parameters in the query string and the form body).
    Post,
}

/// A decoded request.
#[derive(Clone)]
pub(crate) struct Request {
    /// Decoded parameters, names as sent, in the order received.
    pub(crate) pairs: Vec<(String, String)>,
    /// The same with `+` kept literal, when any raw value contained a `+`.
    pub(crate) literal_plus: Option<Vec<(String, String)>>,
    /// GET or POST.
    pub(crate) method: Method,
    /// The `JSESSIONID` cookie, without its `.node0` suffix.
    pub(crate) jsessionid: Option<String>,
    /// The `sessionkey` cookie.
    pub(crate) sessionkey_cookie: Option<String>,
    /// Whether it came through the unauthenticated integration port.
    pub(crate) integration: bool,
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Values may be passwords, keys or signatures: only names are shown.
        let names: Vec<&str> = self.pairs.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("Request")
            .field("params", &names)
            .field("method", &self.method)
            .field("session", &self.jsessionid.is_some())
            .field("integration", &self.integration)
            .finish()
    }
}

impl Request {
    /// A request made of already decoded pairs.
    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: Vec<(String, String)>, method: Method) -> Self {
        Self {
            pairs,
            literal_plus: None,
            method,
            jsessionid: None,
            sessionkey_cookie: None,
            integration: false,
        }
    }

    /// Decodes a query string and, for POST, a form body.
    pub(crate) fn decode(
        method: Method,
        query: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<Self, ApiError> {
        let mut pairs = Vec::new();
        let mut plus = false;
        if let Some(query) = query {
            plus |= decode_form(query.as_bytes(), true, &mut pairs)?;
        }
        if let Some(body) = body {
            plus |= decode_form(body, true, &mut pairs)?;
        }
        // The second decoding only matters when a value held a `+`.
        let literal_plus = if plus {
            let mut literal = Vec::with_capacity(pairs.len());
            if let Some(query) = query {
                decode_form(query.as_bytes(), false, &mut literal)?;
            }
            if let Some(body) = body {
                decode_form(body, false, &mut literal)?;
            }
            Some(literal)
        } else {
            None
        };
        Ok(Self {
            pairs,
            literal_plus,
            method,
            jsessionid: None,
            sessionkey_cookie: None,
            integration: false,
        })
    }

    /// Reads the `JSESSIONID` and `sessionkey` cookies of a `Cookie` header.
    pub(crate) fn read_cookies(&mut self, header: &str) {
        for part in header.split(';') {
            let Some((name, value)) = part.trim().split_once('=') else {
                continue;
            };
            let value = value.trim().trim_matches('"');
            match name.trim() {
                "JSESSIONID" => {
                    let id = value.split_once('.').map_or(value, |(id, _)| id);
                    self.jsessionid = Some(id.to_string());
                }
                "sessionkey" => self.sessionkey_cookie = Some(value.to_string()),
                _ => {}
            }
        }
    }

    /// The first value of a parameter, the name compared without case.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        find(&self.pairs, name)
    }
}

/// The first value of `name` (any case) among `pairs`.
pub(crate) fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Decodes `application/x-www-form-urlencoded` text (`plus_is_space`: `+`
/// is a space, else kept); returns whether a raw `+` was seen in a value.
fn decode_form(
    raw: &[u8],
    plus_is_space: bool,
    pairs: &mut Vec<(String, String)>,
) -> Result<bool, ApiError> {
    let mut plus = false;
    for segment in raw.split(|&b| b == b'&') {
        if segment.is_empty() {
            continue;
        }
        let (name, value) = match segment.iter().position(|&b| b == b'=') {
            Some(at) => (&segment[..at], &segment[at + 1..]),
            None => (segment, &segment[segment.len()..]),
        };
        plus |= value.contains(&b'+');
        pairs.push((
            decode(name, plus_is_space, name)?,
            decode(value, plus_is_space, name)?,
        ));
    }
    Ok(plus)
}

/// Percent-decodes one component; `plus_is_space` applies form rules.
fn decode(raw: &[u8], plus_is_space: bool, name_for_errors: &[u8]) -> Result<String, ApiError> {
    if !raw.iter().any(|&b| b == b'%' || b == b'+') {
        return std::str::from_utf8(raw)
            .map(str::to_owned)
            .map_err(|_| malformed(name_for_errors, "is not valid UTF-8 once decoded"));
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'%' => {
                let hex = raw
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok());
                let byte = hex
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        malformed(
                            name_for_errors,
                            "contains a broken %-escape (expected % and two hex digits)",
                        )
                    })?;
                out.push(byte);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
        .map_err(|_| malformed(name_for_errors, "is not valid UTF-8 once decoded"))
}

fn malformed(name: &[u8], why: &str) -> ApiError {
    // The name is shown decoded leniently and shortened: it is not a secret.
    let mut shown: String = String::from_utf8_lossy(name).chars().take(64).collect();
    if shown.is_empty() {
        shown = "(unnamed)".into();
    }
    ApiError::new(
        ErrorCode::MalformedParameter,
        CsErrorCode::InvalidParameterValue,
        format!("Unable to decode parameter {shown}: its value {why}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_merges_query_and_body() {
        let req = Request::decode(
            Method::Post,
            Some("command=listZones&name=a%20b+c"),
            Some(b"x=%C3%A9&flag"),
        )
        .unwrap();
        assert_eq!(
            req.pairs,
            vec![
                ("command".to_string(), "listZones".to_string()),
                ("name".into(), "a b c".into()),
                ("x".into(), "é".into()),
                ("flag".into(), String::new()),
            ]
        );
        let literal = req.literal_plus.unwrap();
        assert_eq!(literal[1].1, "a b+c");
    }

    #[test]
    fn no_plus_means_no_second_decoding() {
        let req = Request::decode(Method::Get, Some("a=1&&b=%2B"), None).unwrap();
        assert!(req.literal_plus.is_none());
        assert_eq!(req.get("B"), Some("+"));
    }

    #[test]
    fn bad_escapes_and_bad_utf8_are_430() {
        for query in ["a=%zz", "a=%4", "a=%C3%28", "%FF=1"] {
            let error = Request::decode(Method::Get, Some(query), None).unwrap_err();
            assert_eq!(error.code.as_u16(), 430, "{query}");
        }
    }

    #[test]
    fn cookies_strip_the_node_suffix() {
        let mut req = Request::from_pairs(vec![], Method::Get);
        req.read_cookies("JSESSIONID=abc.node0; sessionkey=k1; other=x");
        assert_eq!(req.jsessionid.as_deref(), Some("abc"));
        assert_eq!(req.sessionkey_cookie.as_deref(), Some("k1"));
    }

    #[test]
    fn debug_shows_names_only() {
        let req =
            Request::decode(Method::Get, Some("password=hunter2&signature=abc"), None).unwrap();
        let shown = format!("{req:?}");
        assert!(!shown.contains("hunter2") && !shown.contains("abc"));
    }
}
