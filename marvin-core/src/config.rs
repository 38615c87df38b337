//! [`Config`]: Marvin's JSON configuration file.
//!
//! The format is Marvin's: a JSON object whose lines starting with `#` (after
//! blanks) are comments. `mgtSvr` lists the management servers; `zones`,
//! `dbSvr`, `logger` and `globalConfig` are kept as they are for later use.
//! An optional `"marvin"` object holds this client's own settings
//! ([`ClientSettings`]); unlike the rest it is checked strictly, so a typo
//! there is an error rather than a silently ignored key.
//!
//! ```
//! use marvin_core::Config;
//! let text = r#"
//! ## the simulator (a comment line)
//! {"mgtSvr": [{"mgtSvrIp": "localhost", "port": 8080,
//!              "apiKey": "k", "securityKey": "s", "useHttps": "False"}],
//!  "zones": [],
//!  "marvin": {"jobTimeoutSecs": 120, "pollMaxMs": 500}}
//! "#;
//! let config = Config::from_str_named(text, "inline").unwrap();
//! assert_eq!(config.mgt_svr[0].url(), "http://localhost:8080/client/api");
//! assert_eq!(config.marvin.job_timeout.as_secs(), 120);
//! assert!(!format!("{config:?}").contains("\"s\""));
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::redact;

/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "MARVIN_CONFIG";

/// A whole Marvin configuration.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// Where it came from (a path or a name), for error messages.
    pub origin: String,
    /// The management servers (`mgtSvr`); never empty.
    pub mgt_svr: Vec<MgtServer>,
    /// This client's settings (the optional `marvin` object).
    pub marvin: ClientSettings,
    /// `zones`, uninterpreted.
    pub zones: Option<Value>,
    /// `dbSvr`, uninterpreted.
    pub db_svr: Option<Value>,
    /// `logger`, uninterpreted.
    pub logger: Option<Value>,
    /// `globalConfig`, uninterpreted.
    pub global_config: Option<Value>,
    /// Any other top-level keys, kept as they are.
    pub other: Map<String, Value>,
}

/// One management server entry of `mgtSvr`.
///
/// It needs `apiKey` and `securityKey`, or `user` and `passwd`, or both
/// (keys are then preferred).
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct MgtServer {
    /// `mgtSvrIp`: host name or address.
    pub mgt_svr_ip: String,
    /// `port` (default 8080).
    pub port: u16,
    /// `apiKey`.
    pub api_key: Option<String>,
    /// `securityKey`: the secret key.
    pub security_key: Option<String>,
    /// `user`: the API user name for session login.
    pub user: Option<String>,
    /// `passwd`: that user's password.
    pub passwd: Option<String>,
    /// `useHttps` (`true`, `false`, or Marvin's `"True"`/`"False"`).
    pub use_https: bool,
    /// `certCAPath`: a PEM file with an extra root certificate (`"NA"` is none).
    pub cert_ca_path: Option<PathBuf>,
    /// `certPath`: a PEM file with a client certificate and its key.
    pub cert_path: Option<PathBuf>,
    /// `hypervisor`.
    pub hypervisor: Option<String>,
    /// Other keys of the entry, kept as they are.
    pub extra: Map<String, Value>,
}

/// The client's own settings, from the config's optional `marvin` object.
///
/// | key | field | default |
/// |---|---|---|
/// | `jobTimeoutSecs` | [`job_timeout`](Self::job_timeout) | 600 |
/// | `pollFirstMs` | [`poll_first`](Self::poll_first) | 1 |
/// | `pollMaxMs` | [`poll_max`](Self::poll_max) | 1000 |
/// | `pollFactor` | [`poll_factor`](Self::poll_factor) | 1.5 |
/// | `requestTimeoutSecs` | [`request_timeout`](Self::request_timeout) | 120 |
/// | `retries` | [`retries`](Self::retries) | 3 |
/// | `retryBaseMs` | [`retry_base`](Self::retry_base) | 200 |
/// | `pageSize` | [`page_size`](Self::page_size) | 500 |
/// | `signatureV3` | [`signature_v3`](Self::signature_v3) | true |
/// | `expiresSecs` | [`expires_after`](Self::expires_after) | 300 |
/// | `dangerAcceptInvalidCerts` | [`danger_accept_invalid_certs`](Self::danger_accept_invalid_certs) | false |
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClientSettings {
    /// How long an async job may run before [`Error::JobTimeout`].
    pub job_timeout: Duration,
    /// Delay before the second `queryAsyncJobResult` (the first is sent
    /// as soon as the job is submitted); later delays grow from it (see
    /// [`WaitOptions`](crate::WaitOptions)).
    pub poll_first: Duration,
    /// The longest delay between two polls.
    pub poll_max: Duration,
    /// How much the delay grows after each pending poll (at least 1.0).
    pub poll_factor: f64,
    /// Timeout of one HTTP request.
    pub request_timeout: Duration,
    /// How often an idempotent call (`list*`, `query*`, `get*`) is retried
    /// after a transport error.
    pub retries: u32,
    /// The first retry delay; it doubles on each retry, with jitter.
    pub retry_base: Duration,
    /// Page size of listings (1 to 500).
    pub page_size: u32,
    /// Sign with `signatureVersion=3` and `expires`.
    pub signature_v3: bool,
    /// How far ahead `expires` is set (the server allows 15 minutes at most
    /// when it enforces timestamps).
    pub expires_after: Duration,
    /// Accept any TLS certificate. Dangerous; for throw-away test clouds only.
    pub danger_accept_invalid_certs: bool,
}

impl Default for ClientSettings {
    fn default() -> Self {
        Self {
            job_timeout: Duration::from_secs(600),
            poll_first: Duration::from_millis(1),
            poll_max: Duration::from_millis(1000),
            poll_factor: 1.5,
            request_timeout: Duration::from_secs(120),
            retries: 3,
            retry_base: Duration::from_millis(200),
            page_size: 500,
            signature_v3: true,
            expires_after: Duration::from_secs(300),
            danger_accept_invalid_certs: false,
        }
    }
}

/// The largest page size CloudStack accepts by default.
pub const MAX_PAGE_SIZE: u32 = 500;

impl Config {
    /// Loads the file named by `MARVIN_CONFIG`; `None` when it is unset or
    /// empty.
    pub fn from_env() -> Result<Option<Config>> {
        match std::env::var_os(CONFIG_ENV) {
            Some(path) if !path.is_empty() => Self::from_path(PathBuf::from(path)).map(Some),
            _ => Ok(None),
        }
    }

    /// Loads a config file. Relative certificate paths are taken relative to
    /// the file's folder.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Config> {
        let path = path.as_ref();
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Config {
            origin: origin.clone(),
            field: String::new(),
            message: if source.kind() == std::io::ErrorKind::NotFound {
                "no such file".to_string()
            } else {
                format!("cannot read the file ({})", source.kind())
            },
            source: Some(source.into()),
        })?;
        let mut config = Self::from_str_named(&text, &origin)?;
        if let Some(dir) = path.parent() {
            for server in &mut config.mgt_svr {
                for cert in [&mut server.cert_ca_path, &mut server.cert_path] {
                    if let Some(file) = cert.as_mut().filter(|p| p.is_relative()) {
                        *file = dir.join(&*file);
                    }
                }
            }
        }
        Ok(config)
    }

    /// Parses a config text; `name` stands for it in error messages.
    pub fn from_str_named(text: &str, name: &str) -> Result<Config> {
        let stripped = strip_comments(text);
        let value: Value = serde_json::from_str(&stripped).map_err(|source| Error::Config {
            origin: name.to_owned(),
            field: String::new(),
            message: format!(
                "invalid JSON at line {} column {}",
                source.line(),
                source.column()
            ),
            source: Some(source.into()),
        })?;
        let Value::Object(mut map) = value else {
            return Err(Error::config(name, "", "expected a JSON object"));
        };
        let ctx = Ctx { origin: name };
        let servers = match map.remove("mgtSvr") {
            Some(Value::Array(items)) if !items.is_empty() => items,
            Some(Value::Array(_)) => return Err(ctx.err("mgtSvr", "needs at least one server")),
            Some(_) => return Err(ctx.err("mgtSvr", "expected an array")),
            None => return Err(ctx.err("mgtSvr", "missing")),
        };
        let mgt_svr = servers
            .into_iter()
            .enumerate()
            .map(|(index, item)| parse_server(&ctx, &format!("mgtSvr[{index}]"), item))
            .collect::<Result<Vec<_>>>()?;
        let marvin = match map.remove("marvin") {
            None | Some(Value::Null) => ClientSettings::default(),
            Some(Value::Object(settings)) => parse_settings(&ctx, settings)?,
            Some(_) => return Err(ctx.err("marvin", "expected an object")),
        };
        Ok(Config {
            origin: name.to_owned(),
            mgt_svr,
            marvin,
            zones: map.remove("zones"),
            db_svr: map.remove("dbSvr"),
            logger: map.remove("logger"),
            global_config: map.remove("globalConfig"),
            other: map,
        })
    }

    /// The first management server.
    pub fn server(&self) -> &MgtServer {
        &self.mgt_svr[0]
    }
}

impl MgtServer {
    /// The API endpoint: `http(s)://HOST:PORT/client/api`.
    pub fn url(&self) -> String {
        let scheme = if self.use_https { "https" } else { "http" };
        let host = if self.mgt_svr_ip.contains(':') && !self.mgt_svr_ip.starts_with('[') {
            format!("[{}]", self.mgt_svr_ip)
        } else {
            self.mgt_svr_ip.clone()
        };
        format!("{scheme}://{host}:{}/client/api", self.port)
    }

    /// True when both `apiKey` and `securityKey` are set.
    pub fn has_keys(&self) -> bool {
        self.api_key.is_some() && self.security_key.is_some()
    }

    /// True when both `user` and `passwd` are set.
    pub fn has_credentials(&self) -> bool {
        self.user.is_some() && self.passwd.is_some()
    }
}

fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.trim_start().starts_with('#') {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

struct Ctx<'a> {
    origin: &'a str,
}

impl Ctx<'_> {
    fn err(&self, field: &str, message: &str) -> Error {
        Error::config(self.origin, field, message)
    }
}

fn parse_server(ctx: &Ctx<'_>, path: &str, item: Value) -> Result<MgtServer> {
    let Value::Object(mut map) = item else {
        return Err(ctx.err(path, "expected an object"));
    };
    let field = |name: &str| format!("{path}.{name}");
    let mgt_svr_ip = opt_string(ctx, &field("mgtSvrIp"), map.remove("mgtSvrIp"))?
        .ok_or_else(|| ctx.err(&field("mgtSvrIp"), "missing"))?;
    let port = match map.remove("port") {
        None | Some(Value::Null) => 8080,
        Some(value) => {
            as_port(&value).ok_or_else(|| ctx.err(&field("port"), "expected a number"))?
        }
    };
    let api_key = opt_string(ctx, &field("apiKey"), map.remove("apiKey"))?;
    let security_key = opt_string(ctx, &field("securityKey"), map.remove("securityKey"))?;
    let user = opt_string(ctx, &field("user"), map.remove("user"))?;
    let passwd = opt_string(ctx, &field("passwd"), map.remove("passwd"))?;
    let use_https = match map.remove("useHttps") {
        None | Some(Value::Null) => false,
        Some(value) => {
            as_bool(&value).ok_or_else(|| ctx.err(&field("useHttps"), "expected true or false"))?
        }
    };
    let cert_ca_path = opt_path(ctx, &field("certCAPath"), map.remove("certCAPath"))?;
    let cert_path = opt_path(ctx, &field("certPath"), map.remove("certPath"))?;
    let hypervisor = opt_string(ctx, &field("hypervisor"), map.remove("hypervisor"))?;

    match (&api_key, &security_key) {
        (Some(_), None) => return Err(ctx.err(&field("securityKey"), "missing (apiKey is set)")),
        (None, Some(_)) => return Err(ctx.err(&field("apiKey"), "missing (securityKey is set)")),
        _ => {}
    }
    match (&user, &passwd) {
        (Some(_), None) => return Err(ctx.err(&field("passwd"), "missing (user is set)")),
        (None, Some(_)) => return Err(ctx.err(&field("user"), "missing (passwd is set)")),
        _ => {}
    }
    if api_key.is_none() && user.is_none() {
        return Err(ctx.err(path, "needs apiKey and securityKey, or user and passwd"));
    }
    Ok(MgtServer {
        mgt_svr_ip,
        port,
        api_key,
        security_key,
        user,
        passwd,
        use_https,
        cert_ca_path,
        cert_path,
        hypervisor,
        extra: map,
    })
}

fn parse_settings(ctx: &Ctx<'_>, map: Map<String, Value>) -> Result<ClientSettings> {
    let mut settings = ClientSettings::default();
    for (key, value) in map {
        let path = format!("marvin.{key}");
        let number = || as_u64(&value).ok_or_else(|| ctx.err(&path, "expected a whole number"));
        match key.as_str() {
            "jobTimeoutSecs" => settings.job_timeout = Duration::from_secs(number()?),
            "pollFirstMs" => settings.poll_first = Duration::from_millis(number()?),
            "pollMaxMs" => settings.poll_max = Duration::from_millis(number()?),
            "pollFactor" => {
                settings.poll_factor = value
                    .as_f64()
                    .filter(|f| f.is_finite() && *f >= 1.0 && *f <= 10.0)
                    .ok_or_else(|| ctx.err(&path, "expected a number from 1 to 10"))?;
            }
            "requestTimeoutSecs" => settings.request_timeout = Duration::from_secs(number()?),
            "retries" => {
                settings.retries =
                    u32::try_from(number()?).map_err(|_| ctx.err(&path, "too large"))?;
            }
            "retryBaseMs" => settings.retry_base = Duration::from_millis(number()?),
            "pageSize" => {
                settings.page_size = number()?
                    .try_into()
                    .ok()
                    .filter(|size| (1..=MAX_PAGE_SIZE).contains(size))
                    .ok_or_else(|| ctx.err(&path, "expected a number from 1 to 500"))?;
            }
            "signatureV3" => {
                settings.signature_v3 =
                    as_bool(&value).ok_or_else(|| ctx.err(&path, "expected true or false"))?;
            }
            "expiresSecs" => settings.expires_after = Duration::from_secs(number()?),
            "dangerAcceptInvalidCerts" => {
                settings.danger_accept_invalid_certs =
                    as_bool(&value).ok_or_else(|| ctx.err(&path, "expected true or false"))?;
            }
            _ => return Err(ctx.err(&path, "unknown setting")),
        }
    }
    if settings.request_timeout.is_zero() {
        return Err(ctx.err("marvin.requestTimeoutSecs", "must be more than 0"));
    }
    Ok(settings)
}

fn opt_string(ctx: &Ctx<'_>, path: &str, value: Option<Value>) -> Result<Option<String>> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(ctx.err(path, "expected a string")),
    }
}

fn opt_path(ctx: &Ctx<'_>, path: &str, value: Option<Value>) -> Result<Option<PathBuf>> {
    Ok(opt_string(ctx, path, value)?
        .filter(|s| !s.eq_ignore_ascii_case("NA"))
        .map(PathBuf::from))
}

fn as_port(value: &Value) -> Option<u16> {
    u16::try_from(as_u64(value)?).ok().filter(|port| *port > 0)
}

fn as_u64(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

fn masked(value: &Option<String>) -> Option<&'static str> {
    value.as_ref().map(|_| redact::MASK)
}

impl fmt::Debug for MgtServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MgtServer")
            .field("mgt_svr_ip", &self.mgt_svr_ip)
            .field("port", &self.port)
            .field("api_key", &masked(&self.api_key))
            .field("security_key", &masked(&self.security_key))
            .field("user", &self.user)
            .field("passwd", &masked(&self.passwd))
            .field("use_https", &self.use_https)
            .field("cert_ca_path", &self.cert_ca_path)
            .field("cert_path", &self.cert_path)
            .field("hypervisor", &self.hypervisor)
            .field(
                "extra",
                &redact::redact_json(&Value::Object(self.extra.clone())),
            )
            .finish()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |value: &Option<Value>| value.as_ref().map(redact::redact_json);
        f.debug_struct("Config")
            .field("origin", &self.origin)
            .field("mgt_svr", &self.mgt_svr)
            .field("marvin", &self.marvin)
            .field("zones", &redacted(&self.zones))
            .field("db_svr", &redacted(&self.db_svr))
            .field("logger", &redacted(&self.logger))
            .field("global_config", &redacted(&self.global_config))
            .field(
                "other",
                &redact::redact_json(&Value::Object(self.other.clone())),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::from_str_named(text, "/x/cloud.json")
    }

    const MARVIN_SAMPLE: &str = r#"
{
    "zones": [{"name": "Sandbox-simulator", "networktype": "Advanced",
               "pods": [{"clusters": [{"hosts": [{"url": "http://sim/c0/h0",
                          "username": "root", "password": "host-secret"}]}]}]}],
    # a comment line, Marvin style
    "dbSvr": {"dbSvr": "localhost", "passwd": "cloud", "db": "cloud", "port": 3306, "user": "cloud"},
    "logger": {"LogFolderPath": "/tmp/"},
      # indented comment
    "globalConfig": [{"name": "network.gc.wait", "value": "20"}],
    "mgtSvr": [{"mgtSvrIp": "localhost", "passwd": "password", "user": "admin",
                "port": 8096, "hypervisor": "simulator", "useHttps": "False",
                "certCAPath": "NA", "certPath": "NA"}]
}
"#;

    #[test]
    fn a_marvin_simulator_config_loads() {
        let config = parse(MARVIN_SAMPLE).unwrap();
        let server = config.server();
        assert_eq!(server.mgt_svr_ip, "localhost");
        assert_eq!(server.port, 8096);
        assert!(!server.use_https);
        assert_eq!(server.cert_ca_path, None);
        assert_eq!(server.hypervisor.as_deref(), Some("simulator"));
        assert!(server.has_credentials() && !server.has_keys());
        assert_eq!(
            config.zones.as_ref().unwrap()[0]["name"],
            "Sandbox-simulator"
        );
        assert_eq!(config.global_config.as_ref().unwrap()[0]["value"], "20");
        assert_eq!(config.marvin, ClientSettings::default());
    }

    #[test]
    fn debug_never_shows_secrets() {
        let text = MARVIN_SAMPLE.replace(
            "\"user\": \"admin\",",
            "\"user\": \"admin\", \"apiKey\": \"the-api-key\", \"securityKey\": \"the-secret-key\",",
        );
        let config = parse(&text).unwrap();
        let debug = format!("{config:?}");
        for secret in ["the-secret-key", "the-api-key", "host-secret"] {
            assert!(!debug.contains(secret), "{secret} in {debug}");
        }
        assert!(debug.contains("localhost"));
    }

    #[test]
    fn errors_name_the_file_and_the_field() {
        let err = parse(
            r#"{"mgtSvr":[{"mgtSvrIp":"h","port":"eighty","apiKey":"a","securityKey":"s"}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "config /x/cloud.json: mgtSvr[0].port: expected a number"
        );
        let err = parse(r#"{"mgtSvr":[{"mgtSvrIp":"h"}]}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "config /x/cloud.json: mgtSvr[0]: needs apiKey and securityKey, or user and passwd"
        );
        let err = parse(r#"{"mgtSvr":[{"mgtSvrIp":"h","apiKey":"a"}]}"#).unwrap_err();
        assert!(
            err.to_string().contains("mgtSvr[0].securityKey: missing"),
            "{err}"
        );
        let err = parse(r#"{"zones":[]}"#).unwrap_err();
        assert_eq!(err.to_string(), "config /x/cloud.json: mgtSvr: missing");
        let err = parse("{\n\"mgtSvr\": [,]\n}").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("config /x/cloud.json: invalid JSON at line 2"),
            "{err}"
        );
        let err = parse(
            r#"{"mgtSvr":[{"mgtSvrIp":"h","user":"u","passwd":"p"}],"marvin":{"jobTimeoutSec":3}}"#,
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "config /x/cloud.json: marvin.jobTimeoutSec: unknown setting"
        );
    }

    #[test]
    fn files_are_read_with_paths_relative_to_them() {
        let dir = std::env::temp_dir().join(format!("marvin-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("cloud.json");
        std::fs::write(
            &path,
            "# comment\n{\"mgtSvr\":[{\"mgtSvrIp\":\"h\",\"user\":\"u\",\"passwd\":\"p\",\"certCAPath\":\"ca.pem\"}]}\n",
        )
        .unwrap();
        let config = Config::from_path(&path).unwrap();
        assert_eq!(
            config.server().cert_ca_path.as_deref(),
            Some(dir.join("ca.pem").as_path())
        );
        assert_eq!(config.server().port, 8080);
        assert_eq!(config.origin, path.display().to_string());
        std::fs::remove_dir_all(&dir).unwrap();
        let err = Config::from_path(&path).unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&format!("config {}: no such file", path.display())),
            "{err}"
        );
    }

    #[test]
    fn client_settings_are_read_and_checked() {
        let config = parse(
            r#"{"mgtSvr":[{"mgtSvrIp":"::1","port":8443,"useHttps":true,"apiKey":"a","securityKey":"s"}],
                "marvin":{"jobTimeoutSecs":30,"pollMaxMs":250,"requestTimeoutSecs":5,"retries":0,
                          "pageSize":100,"signatureV3":false,"pollFactor":2}}"#,
        )
        .unwrap();
        assert_eq!(config.server().url(), "https://[::1]:8443/client/api");
        let s = &config.marvin;
        assert_eq!(s.job_timeout, Duration::from_secs(30));
        assert_eq!(s.poll_max, Duration::from_millis(250));
        assert_eq!(s.request_timeout, Duration::from_secs(5));
        assert_eq!((s.retries, s.page_size, s.signature_v3), (0, 100, false));
        assert_eq!(s.poll_factor, 2.0);
        let err = parse(
            r#"{"mgtSvr":[{"mgtSvrIp":"h","user":"u","passwd":"p"}],"marvin":{"pageSize":501}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("marvin.pageSize"), "{err}");
    }
}
