//! The cookies of a login session (`JSESSIONID`, `sessionkey`), kept by the
//! client itself.
//!
//! reqwest's cookie store logs every cookie it stores and sends, values
//! included, through the `log` crate at DEBUG: that would put the session's
//! secrets in the logs of whoever turns DEBUG on. This jar never logs, and
//! its `Debug` shows only the cookie names.

use std::fmt;

use reqwest::header::HeaderValue;

/// The cookies one session client sends with every call.
#[derive(Default)]
pub(super) struct CookieJar {
    /// `(name, value)`, in the order they were first set.
    cookies: Vec<(String, String)>,
    /// The `Cookie` header for `cookies`, made when they change.
    header: Option<HeaderValue>,
}

impl CookieJar {
    /// The `Cookie` header to send, if there is any cookie.
    pub(super) fn header(&self) -> Option<HeaderValue> {
        self.header.clone()
    }

    /// Applies one `Set-Cookie` header received from the endpoint
    /// (`https` tells whether the endpoint is `https`, `path` is its path).
    ///
    /// A cookie replaces an earlier one of the same name; `Max-Age=0` (or
    /// less) and an `Expires` in the past remove it. A cookie whose `Path`
    /// does not cover the endpoint, or that is `Secure` on a plain-HTTP
    /// endpoint, is not for this client and is ignored. `Domain` is not
    /// checked: the client only ever talks to the one host.
    pub(super) fn store(&mut self, set_cookie: &str, https: bool, path: &str) {
        let mut parts = set_cookie.split(';');
        let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
            return;
        };
        let (name, value) = (name.trim(), trim_quotes(value.trim()));
        if name.is_empty() || !is_token(name) || !is_cookie_value(value) {
            return;
        }
        let mut expired = false;
        for attribute in parts {
            let (key, arg) = attribute
                .split_once('=')
                .map_or((attribute.trim(), ""), |(k, v)| (k.trim(), v.trim()));
            if key.eq_ignore_ascii_case("max-age") {
                expired = arg.parse::<i64>().is_ok_and(|age| age <= 0);
            } else if key.eq_ignore_ascii_case("expires") && !expired {
                expired = is_past(arg);
            } else if key.eq_ignore_ascii_case("path") && arg.starts_with('/') {
                let arg = arg.trim_end_matches('/');
                let covers = path == arg
                    || (path.starts_with(arg) && path.as_bytes().get(arg.len()) == Some(&b'/'));
                if !covers {
                    return;
                }
            } else if key.eq_ignore_ascii_case("secure") && !https {
                return;
            }
        }
        let existing = self.cookies.iter().position(|(n, _)| n == name);
        match (existing, expired) {
            (Some(index), true) => {
                self.cookies.remove(index);
            }
            (None, true) => return,
            (Some(index), false) => {
                if self.cookies[index].1 == value {
                    return;
                }
                self.cookies[index].1 = value.to_owned();
            }
            (None, false) => self.cookies.push((name.to_owned(), value.to_owned())),
        }
        self.rebuild();
    }

    fn rebuild(&mut self) {
        if self.cookies.is_empty() {
            self.header = None;
            return;
        }
        let mut text = String::new();
        for (name, value) in &self.cookies {
            if !text.is_empty() {
                text.push_str("; ");
            }
            text.push_str(name);
            text.push('=');
            text.push_str(value);
        }
        // Names and values were checked to be header-safe.
        self.header = HeaderValue::from_str(&text).ok().map(|mut header| {
            header.set_sensitive(true);
            header
        });
    }
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.cookies.iter().map(|(name, _)| name))
            .finish()
    }
}

fn trim_quotes(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// RFC 6265 cookie names are HTTP tokens.
fn is_token(name: &str) -> bool {
    name.bytes()
        .all(|b| b.is_ascii_graphic() && !b"()<>@,;:\\\"/[]?={}".contains(&b))
}

/// RFC 6265 `cookie-octet`s: printable ASCII but `"`, `,`, `;` and `\`.
fn is_cookie_value(value: &str) -> bool {
    value
        .bytes()
        .all(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b',' | b';' | b'\\'))
}

/// True when an `Expires` date (`Thu, 01 Jan 1970 00:00:00 GMT`) is in the
/// past. An unreadable date does not expire the cookie.
fn is_past(date: &str) -> bool {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let alternative = time::macros::format_description!(
        "[weekday repr:short], [day]-[month repr:short]-[year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(date, &format)
        .or_else(|_| time::PrimitiveDateTime::parse(date, &alternative))
        .is_ok_and(|at| at.assume_utc() <= time::OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(jar: &CookieJar) -> Option<String> {
        jar.header().map(|h| h.to_str().unwrap().to_owned())
    }

    #[test]
    fn a_login_answer_sets_the_session_cookies() {
        let mut jar = CookieJar::default();
        assert_eq!(header(&jar), None);
        jar.store(
            "JSESSIONID=abc123.node0; Path=/client; HttpOnly",
            false,
            "/client/api",
        );
        jar.store("sessionkey=sk-1; Path=/client", false, "/client/api");
        assert_eq!(
            header(&jar).as_deref(),
            Some("JSESSIONID=abc123.node0; sessionkey=sk-1")
        );
        assert!(jar.header().unwrap().is_sensitive());
        // A new login replaces them in place.
        jar.store("JSESSIONID=def.node0; Path=/client", false, "/client/api");
        assert_eq!(
            header(&jar).as_deref(),
            Some("JSESSIONID=def.node0; sessionkey=sk-1")
        );
        let debug = format!("{jar:?}");
        assert!(
            debug.contains("JSESSIONID") && !debug.contains("def.node0"),
            "{debug}"
        );
    }

    #[test]
    fn expired_foreign_and_malformed_cookies_are_not_sent() {
        let mut jar = CookieJar::default();
        jar.store("a=1", false, "/client/api");
        jar.store("b=2; Path=/other", false, "/client/api");
        jar.store("c=3; Secure", false, "/client/api");
        jar.store("no-equals-sign", false, "/client/api");
        jar.store("d=x y", false, "/client/api");
        jar.store("e=\"quoted\"; Path=/client/api", false, "/client/api");
        jar.store("f=4; Path=/client/apix", false, "/client/api");
        assert_eq!(header(&jar).as_deref(), Some("a=1; e=quoted"));
        jar.store("a=; Max-Age=0", false, "/client/api");
        jar.store(
            "e=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            false,
            "/client/api",
        );
        assert_eq!(header(&jar), None);
        jar.store("c=3; Secure", true, "/client/api");
        jar.store(
            "g=5; Expires=Fri, 01 Jan 2100 00:00:00 GMT; Path=/",
            true,
            "/client/api",
        );
        assert_eq!(header(&jar).as_deref(), Some("c=3; g=5"));
    }
}
