//! One API request as the engine sees it: the decoded parameters (names as
//! sent, for signing), the HTTP method, the session cookies, and which
//! listener it came through.
//!
//! Decoding follows the servlet container CloudStack runs in: query string
//! and form body are both `application/x-www-form-urlencoded` (`+` is a
//! space), then merged into one value per name, as CloudStack's servlet
//! reads them ([`Request::decode`]). Values that are not valid UTF-8 after
//! decoding, or broken `%` escapes, are refused with a CloudStack-shaped 430.
//!
//! A literal `+` is a trap: a client that signs `+0000` but sends it
//! unescaped has its value turned into ` 0000` by form decoding, and the
//! signature fails on a real server. We keep a second decoding with `+`
//! left as is, and the signature check tries it when the first fails.

use std::fmt;

use marvin_core::{CsErrorCode, ErrorCode};

use crate::kernel::error::ApiError;

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
    /// Decoded parameters, names as sent, one value per exactly spelled
    /// name (see [`Request::decode`]), in the order the names first came.
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

    /// Decodes a query string and, for POST, a form body, into one value
    /// per exactly spelled name, the value CloudStack reads
    /// (`ApiServlet.processRequestInContext`): it copies the servlet's
    /// parameter map (query values before body values, and it reads the
    /// first), then `utf8Fixup` puts every `name=value` segment of the query
    /// string back over it, one after the other. So a name in the query
    /// string has its last `name=value` there (a body value of that name is
    /// dropped), and a name only in the body has its first value. Every
    /// reader (signature check, routing, session key, handlers) sees that
    /// one value, and the signature covers each name once, with it
    /// (`ApiServer.verifyRequest`).
    pub(crate) fn decode(
        method: Method,
        query: Option<&str>,
        body: Option<&[u8]>,
    ) -> Result<Self, ApiError> {
        let mut query_pairs = Vec::new();
        let mut body_pairs = Vec::new();
        let mut plus = false;
        if let Some(query) = query {
            plus |= decode_form(query.as_bytes(), true, &mut query_pairs)?;
        }
        if let Some(body) = body {
            plus |= decode_form(body, true, &mut body_pairs)?;
        }
        let pairs = servlet_parameters(query_pairs, body_pairs);
        // The second decoding only matters when a value held a `+`.
        let literal_plus = if plus {
            let (mut query_pairs, mut body_pairs) = (Vec::new(), Vec::new());
            if let Some(query) = query {
                decode_form(query.as_bytes(), false, &mut query_pairs)?;
            }
            if let Some(body) = body {
                decode_form(body, false, &mut body_pairs)?;
            }
            Some(servlet_parameters(query_pairs, body_pairs))
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

/// The first value of `name` (any case) among `pairs`. Names that differ
/// only in case are different parameters to CloudStack's servlet and are
/// merged in no defined order by its dispatcher; the first is taken here,
/// by every reader alike ([`crate::Params::from_pairs`] too).
pub(crate) fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// One decoded `name=value` segment.
struct Segment {
    name: String,
    value: String,
    /// Whether the segment had an `=` (`flag` alone has none).
    assigned: bool,
}

/// The parameter map CloudStack's servlet reads (see [`Request::decode`]):
/// one value per exactly spelled name, in the order names first came.
fn servlet_parameters(query: Vec<Segment>, body: Vec<Segment>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::with_capacity(query.len() + body.len());
    let mut position: std::collections::HashMap<String, usize> =
        std::collections::HashMap::with_capacity(pairs.capacity());
    for segment in query {
        match position.get(&segment.name) {
            // `utf8Fixup` puts back only segments with an `=`, in order.
            Some(&at) if segment.assigned => pairs[at].1 = segment.value,
            Some(_) => {}
            None => {
                position.insert(segment.name.clone(), pairs.len());
                pairs.push((segment.name, segment.value));
            }
        }
    }
    for segment in body {
        if !position.contains_key(&segment.name) {
            position.insert(segment.name.clone(), pairs.len());
            pairs.push((segment.name, segment.value));
        }
    }
    pairs
}

/// Decodes `application/x-www-form-urlencoded` text (`plus_is_space`: `+`
/// is a space, else kept); returns whether a raw `+` was seen in a value.
fn decode_form(
    raw: &[u8],
    plus_is_space: bool,
    segments: &mut Vec<Segment>,
) -> Result<bool, ApiError> {
    let mut plus = false;
    for segment in raw.split(|&b| b == b'&') {
        if segment.is_empty() {
            continue;
        }
        let (name, value, assigned) = match segment.iter().position(|&b| b == b'=') {
            Some(at) => (&segment[..at], &segment[at + 1..], true),
            None => (segment, &segment[segment.len()..], false),
        };
        plus |= value.contains(&b'+');
        segments.push(Segment {
            name: decode(name, plus_is_space, name)?,
            value: decode(value, plus_is_space, name)?,
            assigned,
        });
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

    /// `ApiServlet.processRequestInContext` and its `utf8Fixup`: the last
    /// `name=value` of the query string, else the first of the body.
    #[test]
    fn one_value_per_name_as_cloudstacks_servlet_reads_it() {
        let req = Request::decode(
            Method::Post,
            Some("a=1&a=2&b=1&c&c=3&d=4&d&A=5"),
            Some(b"a=body&e=1&e=2&f&f=2&b=body"),
        )
        .unwrap();
        let pairs: Vec<(&str, &str)> = req
            .pairs
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("a", "2"),
                ("b", "1"),
                ("c", "3"),
                ("d", "4"),
                ("A", "5"),
                ("e", "1"),
                ("f", ""),
            ]
        );
        assert_eq!(
            req.get("a"),
            Some("2"),
            "names differing in case: the first"
        );
        let req = Request::decode(Method::Get, Some("x=a+b&x=c+d"), None).unwrap();
        assert_eq!(req.pairs, [("x".to_string(), "c d".to_string())]);
        assert_eq!(
            req.literal_plus.unwrap(),
            [("x".to_string(), "c+d".to_string())]
        );
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
