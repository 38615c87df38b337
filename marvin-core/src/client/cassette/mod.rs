//! Record and replay: every request a test sends and every answer it gets,
//! kept in a cassette (one readable JSON file per test) and answered from
//! it later with no network.
//!
//! The hook sits at the lowest layer of the client, where the final request
//! (parameters, signature) is sent and the raw answer comes back, so
//! synchronous calls, job polls, logins and cleanup all go through it.
//!
//! - `MARVIN_RECORD=DIR` records into `DIR`, in the mode of
//!   `MARVIN_RECORD_MODE` (see [`RecordMode`]; the default is `once`, and
//!   `none` under `CI=true`);
//! - `MARVIN_REPLAY=DIR` replays from `DIR` in mode `none`: no call ever
//!   reaches the network, and a request the cassette cannot answer is an
//!   error showing the diff against the nearest recorded request.
//!
//! How requests are matched (command, canonical parameters, authentication
//! ignored, values the test made up bound to this run's, identical requests
//! in order) is [`matching`]'s rule; what is masked in the file is
//! [`scrub`]'s. Each cassette names the cloud's version (`listCapabilities`),
//! the date and the precache's hash; replaying one recorded against another
//! precache, or older than [`CassetteSettings::max_age`], warns on stderr
//! (and in [`Cassette::warnings`]) and replays all the same.
//!
//! ```no_run
//! use marvin_core::client::cassette::{Cassette, CassetteSettings, RecordMode};
//! # async fn demo(client: marvin_core::Client) -> marvin_core::Result<()> {
//! let settings = CassetteSettings::new("testdata/cassettes", RecordMode::None);
//! let cassette = Cassette::open(&settings, "suite::zones::lists_zones")?;
//! let replaying = client.with_cassette(cassette);
//! let zones = replaying.list_all("listZones", marvin_core::Params::new()).await?;
//! # Ok(()) }
//! ```

pub mod matching;
pub mod scrub;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha1::{Digest as _, Sha1};

use super::{Client, RequestOptions, Trace};
use crate::error::{Error, Result};
use crate::params::Params;
use matching::{Key, Lookup, Matcher};
use scrub::{Credentials, SecretTable};

/// The format version written in every cassette.
pub const FORMAT: u32 = 1;

/// The default [`CassetteSettings::max_age`]: 180 days.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(180 * 24 * 3600);

/// What a cassette does with a request, as VCR libraries name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordMode {
    /// Replays an existing cassette (a miss is an error); records a new one
    /// when the file does not exist yet.
    Once,
    /// Replays only: a miss is an error, never a live call. The default
    /// under `CI=true`, and the mode of `MARVIN_REPLAY`.
    None,
    /// Replays what the cassette holds and records what it misses (live),
    /// appended to the file.
    NewEpisodes,
    /// Records everything live, replacing the cassette.
    All,
}

impl RecordMode {
    /// The mode of a recording that names none: `once`, or `none` under
    /// `CI=true` (CI replays; it never records by accident).
    pub fn default_for_recording() -> Self {
        let ci = std::env::var("CI").is_ok_and(|ci| ci.trim().eq_ignore_ascii_case("true"));
        if ci { Self::None } else { Self::Once }
    }
}

impl FromStr for RecordMode {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "once" => Ok(Self::Once),
            "none" => Ok(Self::None),
            "new_episodes" => Ok(Self::NewEpisodes),
            "all" => Ok(Self::All),
            _ => Err(Error::setup(format!(
                "MARVIN_RECORD_MODE={text}: use once, none, new_episodes or all"
            ))),
        }
    }
}

impl fmt::Display for RecordMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Once => "once",
            Self::None => "none",
            Self::NewEpisodes => "new_episodes",
            Self::All => "all",
        })
    }
}

/// Where cassettes live and how they are used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CassetteSettings {
    /// The directory of the cassettes (one file per test).
    pub dir: PathBuf,
    /// The record mode.
    pub mode: RecordMode,
    /// The hash of the precache this build uses ([`precache_hash`]); kept
    /// in new cassettes and compared with replayed ones. `None`: unknown,
    /// nothing compared.
    pub precache_hash: Option<String>,
    /// A replayed cassette older than this warns.
    pub max_age: Duration,
}

impl CassetteSettings {
    /// Cassettes in `dir`, used in `mode`, with no precache hash and the
    /// default maximum age.
    pub fn new(dir: impl Into<PathBuf>, mode: RecordMode) -> Self {
        Self {
            dir: dir.into(),
            mode,
            precache_hash: None,
            max_age: DEFAULT_MAX_AGE,
        }
    }

    /// With the precache hash of this build.
    #[must_use]
    pub fn with_precache_hash(mut self, hash: impl Into<String>) -> Self {
        self.precache_hash = Some(hash.into());
        self
    }

    /// From the environment: `MARVIN_REPLAY=DIR` (mode `none`), else
    /// `MARVIN_RECORD=DIR` with `MARVIN_RECORD_MODE` (default `once`, or
    /// `none` when `CI=true`); `None` when neither is set. Setting both is
    /// an error. The precache hash is that of the file `MARVIN_PRECACHE`
    /// names, else of `api-precache.json` in `CARGO_MANIFEST_DIR` (cargo
    /// sets it for tests), when there is one; `MARVIN_CASSETTE_MAX_AGE_DAYS`
    /// sets the maximum age.
    pub fn from_env() -> Result<Option<Self>> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let (dir, mode) = match (var("MARVIN_RECORD"), var("MARVIN_REPLAY")) {
            (Some(_), Some(_)) => {
                return Err(Error::setup(
                    "MARVIN_RECORD and MARVIN_REPLAY are both set: choose one",
                ));
            }
            (None, Some(dir)) => (dir, RecordMode::None),
            (Some(dir), None) => {
                let mode = match var("MARVIN_RECORD_MODE") {
                    Some(mode) => mode.parse()?,
                    None => RecordMode::default_for_recording(),
                };
                (dir, mode)
            }
            (None, None) => return Ok(None),
        };
        let mut settings = Self::new(dir, mode);
        let precache = var("MARVIN_PRECACHE").map(PathBuf::from).or_else(|| {
            var("CARGO_MANIFEST_DIR").map(|dir| Path::new(&dir).join("api-precache.json"))
        });
        if let Some(bytes) = precache.and_then(|path| std::fs::read(path).ok()) {
            settings.precache_hash = Some(precache_hash(&bytes));
        }
        if let Some(days) = var("MARVIN_CASSETTE_MAX_AGE_DAYS") {
            let days: u64 = days.trim().parse().map_err(|_| {
                Error::setup(format!(
                    "MARVIN_CASSETTE_MAX_AGE_DAYS={days}: use a whole number of days"
                ))
            })?;
            settings.max_age = Duration::from_secs(days.saturating_mul(24 * 3600));
        }
        Ok(Some(settings))
    }

    /// The cassette file of a test: its name with `::` as `.` and any
    /// character other than letters, digits, `.`, `-` and `_` as `_`.
    pub fn path_for(&self, test_name: &str) -> PathBuf {
        let stem: String = test_name
            .replace("::", ".")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{stem}.json"))
    }
}

/// The hash cassettes name a precache by: SHA-1 of the file's bytes, in hex.
pub fn precache_hash(bytes: &[u8]) -> String {
    Sha1::digest(bytes)
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A cassette file, as written: what [`CassetteFile::load`] reads (for
/// tools over recorded runs, such as `marvin conform`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CassetteFile {
    /// The format version ([`FORMAT`]).
    pub format: u32,
    /// The test it belongs to.
    pub test: String,
    /// When it was recorded (RFC 3339).
    pub recorded_at: String,
    /// The cloud's `cloudstackversion` (`listCapabilities`).
    pub cloud_version: Option<String>,
    /// The precache hash of the recording build.
    pub precache: Option<String>,
    /// The requests and their answers, in the order the answers came.
    pub interactions: Vec<Interaction>,
}

impl CassetteFile {
    /// Reads and checks a cassette file (formats 1 to [`FORMAT`]).
    pub fn load(path: &Path) -> Result<CassetteFile> {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::setup_with(format!("cannot read the cassette {}", path.display()), e)
        })?;
        Self::parse(&bytes, path)
    }

    fn parse(bytes: &[u8], path: &Path) -> Result<CassetteFile> {
        let file = serde_json::from_slice::<CassetteFile>(bytes).map_err(|e| {
            Error::setup_with(format!("the cassette {} is malformed", path.display()), e)
        })?;
        if !(1..=FORMAT).contains(&file.format) {
            return Err(Error::setup(format!(
                "the cassette {} has format {}; this Marvin reads formats 1 to {FORMAT}: record it again",
                path.display(),
                file.format
            )));
        }
        Ok(file)
    }

    /// The highest secret placeholder number the file holds.
    fn highest_placeholder(&self) -> u32 {
        let highest_in = |text: &str| scrub::placeholder_numbers(text).into_iter().max();
        self.interactions
            .iter()
            .flat_map(|interaction| {
                let request = &interaction.request;
                let caller = request.caller.iter().flat_map(|caller| {
                    [&caller.apikey, &caller.secretkey, &caller.sessionkey]
                        .into_iter()
                        .flatten()
                });
                let response = &interaction.response;
                request
                    .params
                    .values()
                    .chain(caller)
                    .chain(&response.text)
                    .filter_map(|text| highest_in(text))
                    .chain(response.body.as_ref().map(scrub::highest_placeholder))
            })
            .max()
            .unwrap_or(0)
    }
}

/// One request and its answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Interaction {
    /// The request, secrets masked.
    pub request: RecordedRequest,
    /// The answer, secrets masked.
    pub response: RecordedResponse,
    /// When the request was sent, as a process-wide count: the
    /// interactions of all cassettes of one run, sorted by it, are the
    /// run's timeline (a request that used an answer was sent after it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    /// When the answer came, on the same count as [`seq`](Self::seq): what
    /// other requests were sent (and answered) while this one was at the
    /// cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<u64>,
}

/// A request as kept (see [`scrub`]).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedRequest {
    /// `GET` or `POST`.
    pub method: String,
    /// The API command.
    pub command: String,
    /// Which credentials signed it (their placeholders).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<Caller>,
    /// The parameters by name, without the authentication, secrets masked.
    pub params: BTreeMap<String, String>,
}

/// The credentials of a request, as placeholders ([`scrub::placeholder`]):
/// the API key pair that signed it, or the session key it carried. The same
/// placeholder in an earlier answer (`registerUserKeys`, `login`) says
/// whose keys they were.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// The API key's placeholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub apikey: Option<String>,
    /// The secret key's placeholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secretkey: Option<String>,
    /// The session key's placeholder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessionkey: Option<String>,
}

impl Caller {
    /// True when no credential is named (the integration port).
    pub fn is_empty(&self) -> bool {
        self.apikey.is_none() && self.secretkey.is_none() && self.sessionkey.is_none()
    }

    /// The credential that says who called: the API key, else the session key.
    pub fn identity(&self) -> Option<&str> {
        self.apikey.as_deref().or(self.sessionkey.as_deref())
    }
}

/// An answer as kept: its JSON `body`, or its `text` when it is not JSON.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecordedResponse {
    /// The HTTP status.
    pub status: u16,
    /// The answer, when it is JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The answer's text, when it is not JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// The file a recorded run writes beside its cassettes (the runner's
/// manifest: backend, capabilities, outcomes); not a cassette.
pub const RUN_MANIFEST: &str = "marvin-run.json";

/// The cassette files of a directory (`*.json` but the [`RUN_MANIFEST`]),
/// sorted by name.
pub fn cassette_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::setup_with(format!("cannot read the cassettes of {}", dir.display()), e)
    })?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "json")
                && path.file_name().is_some_and(|name| name != RUN_MANIFEST)
                && path.is_file()
        })
        .collect();
    paths.sort();
    Ok(paths)
}

/// The process-wide count behind [`Interaction::seq`].
fn next_seq() -> u64 {
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// The cassette of one test: answers requests from its file, records live
/// answers into it, per its [`RecordMode`]. Attach it to a client with
/// [`Client::with_cassette`]; the test runner does so for every test when
/// `MARVIN_RECORD` or `MARVIN_REPLAY` is set.
pub struct Cassette {
    path: PathBuf,
    mode: RecordMode,
    /// Whether a miss may go live (and be recorded).
    records: bool,
    /// Why every request fails (a cassette that could not be opened).
    broken: Option<String>,
    precache_hash: Option<String>,
    state: Mutex<State>,
    warnings: Mutex<Vec<String>>,
    version: tokio::sync::OnceCell<Option<String>>,
    /// A run's own cassette, which a test's replaces on its clients.
    run_level: bool,
}

struct State {
    file: CassetteFile,
    matcher: Matcher,
    /// The placeholders of the secrets recorded (values in memory only).
    secrets: SecretTable,
    /// The length of the file as this cassette last wrote it.
    written: Option<u64>,
}

impl fmt::Debug for Cassette {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cassette")
            .field("path", &self.path)
            .field("mode", &self.mode)
            .field("records", &self.records)
            .finish_non_exhaustive()
    }
}

impl Cassette {
    /// Opens the cassette of `test_name` under `settings`: loads the file
    /// (unless the mode is `all`), checks its format, precache and age
    /// (warning on a mismatch). Fails on an unreadable or malformed file.
    pub fn open(settings: &CassetteSettings, test_name: &str) -> Result<Arc<Cassette>> {
        Self::load(settings, test_name).map(Arc::new)
    }

    fn load(settings: &CassetteSettings, test_name: &str) -> Result<Cassette> {
        let path = settings.path_for(test_name);
        let existing = if settings.mode == RecordMode::All {
            None
        } else {
            match std::fs::read(&path) {
                Ok(bytes) => Some(CassetteFile::parse(&bytes, &path)?),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return Err(Error::setup_with(
                        format!("cannot read the cassette {}", path.display()),
                        e,
                    ));
                }
            }
        };
        let mut warnings = Vec::new();
        if let Some(file) = &existing {
            warnings.extend(stale_or_mismatched(file, settings, &path));
        }
        let records = match settings.mode {
            RecordMode::None => false,
            RecordMode::Once => existing.is_none(),
            RecordMode::NewEpisodes | RecordMode::All => true,
        };
        let file = existing.unwrap_or_else(|| CassetteFile {
            format: FORMAT,
            test: test_name.to_owned(),
            recorded_at: now_rfc3339(),
            cloud_version: None,
            precache: settings.precache_hash.clone(),
            interactions: Vec::new(),
        });
        for warning in &warnings {
            eprintln!("marvin: {warning}");
        }
        let matcher = Matcher::new(&file.interactions);
        // Only a recording numbers new secrets (after those the file has).
        let secrets = SecretTable::after(if records {
            file.highest_placeholder()
        } else {
            0
        });
        Ok(Cassette {
            path,
            mode: settings.mode,
            records,
            broken: None,
            precache_hash: settings.precache_hash.clone(),
            state: Mutex::new(State {
                file,
                matcher,
                secrets,
                written: None,
            }),
            warnings: Mutex::new(warnings),
            version: tokio::sync::OnceCell::new(),
            run_level: false,
        })
    }

    /// A cassette every request of which fails with `reason` (the
    /// environment asked for one that cannot be opened): the test fails
    /// clearly instead of reaching the network.
    fn broken(path: PathBuf, mode: RecordMode, reason: String) -> Cassette {
        Cassette {
            path,
            mode,
            records: false,
            broken: Some(reason),
            precache_hash: None,
            state: Mutex::new(State {
                file: CassetteFile {
                    format: FORMAT,
                    test: String::new(),
                    recorded_at: String::new(),
                    cloud_version: None,
                    precache: None,
                    interactions: Vec::new(),
                },
                matcher: Matcher::default(),
                secrets: SecretTable::default(),
                written: None,
            }),
            warnings: Mutex::new(Vec::new()),
            version: tokio::sync::OnceCell::new(),
            run_level: false,
        }
    }

    /// The cassette's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The mode it was opened in.
    pub fn mode(&self) -> RecordMode {
        self.mode
    }

    /// Whether a request it cannot answer goes live (and is recorded).
    pub fn records(&self) -> bool {
        self.records
    }

    /// The warnings about this cassette (stale, another precache, another
    /// cloud version), also printed on stderr.
    pub fn warnings(&self) -> Vec<String> {
        self.warnings.lock().expect("cassette lock").clone()
    }

    /// How many interactions it holds.
    pub fn len(&self) -> usize {
        self.state
            .lock()
            .expect("cassette lock")
            .file
            .interactions
            .len()
    }

    /// How many recorded interactions no request has been answered with
    /// yet: after a complete replay, zero (every poll of every job was
    /// answered, none skipped).
    pub fn unreplayed(&self) -> usize {
        self.state.lock().expect("cassette lock").matcher.unused()
    }

    /// True when it holds no interaction.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn warn(&self, warning: String) {
        eprintln!("marvin: {warning}");
        self.warnings.lock().expect("cassette lock").push(warning);
    }

    /// Answers one request: from the cassette when it can, else (when it
    /// records) with `live`, whose answer is recorded. `encoded` is the
    /// request's final `name=value&...`, `secrets` the values it must not
    /// keep.
    pub(super) async fn exchange<F>(
        &self,
        client: &Client,
        method: &str,
        encoded: &str,
        credentials: Credentials<'_>,
        secrets: &[&str],
        live: F,
    ) -> Result<(u16, Vec<u8>)>
    where
        F: Future<Output = Result<(u16, Vec<u8>)>>,
    {
        if let Some(reason) = &self.broken {
            return Err(Error::setup(reason.clone()));
        }
        let sent = scrub::request_as_sent(method, encoded);
        if self.mode != RecordMode::All {
            let miss = {
                let mut state = self.state.lock().expect("cassette lock");
                let state = &mut *state;
                let key = Key::sent(&sent, credentials.apikey.or(credentials.sessionkey));
                match state.matcher.lookup(&key) {
                    Lookup::Hit(index) => {
                        let response = &state.file.interactions[index].response;
                        let body = match (&response.body, &response.text) {
                            (Some(body), _) => state.matcher.answer_for_this_run(body).to_string(),
                            (None, text) => state
                                .matcher
                                .text_for_this_run(text.as_deref().unwrap_or_default()),
                        };
                        return Ok((response.status, body.into_bytes()));
                    }
                    Lookup::Miss(text) => text,
                }
            };
            if !self.records {
                return Err(Error::setup(format!(
                    "cassette {} (mode {}{}): {miss}",
                    self.path.display(),
                    self.mode,
                    if self.is_empty() {
                        ", no such file or no interaction"
                    } else {
                        ""
                    },
                )));
            }
        }
        // Numbered as sent, not as answered: see `matching::Matcher::sent`.
        let seq = next_seq();
        let (status, body) = live.await?;
        let answered = next_seq();
        // Not while logging in: the version is asked with the session that
        // login is making (it holds the login lock).
        if !super::is_session_command(&sent.command) {
            self.cloud_version(client).await;
        }
        // The lock is held while writing, so that writes keep the order of
        // the interactions.
        let mut state = self.state.lock().expect("cassette lock");
        let request = scrub::request(&sent, credentials, &mut state.secrets);
        let response = scrub::response(status, &body, secrets, &mut state.secrets);
        let interaction = Interaction {
            request,
            response,
            seq: Some(seq),
            answered: Some(answered),
        };
        state.matcher.push(&interaction, true);
        state.file.interactions.push(interaction);
        self.save(&mut state)?;
        Ok((status, body))
    }

    /// Learns the cloud's version once (per cassette; per endpoint in the
    /// process), outside the cassette, and warns when a cassette recorded
    /// against another version gets new interactions.
    async fn cloud_version(&self, client: &Client) {
        let version = self
            .version
            .get_or_init(|| async { live_cloud_version(client).await })
            .await;
        let mismatch = {
            let mut state = self.state.lock().expect("cassette lock");
            match (&state.file.cloud_version, version) {
                (None, Some(version)) => {
                    state.file.cloud_version = Some(version.clone());
                    None
                }
                (Some(recorded), Some(version)) if recorded != version => {
                    Some((recorded.clone(), version.clone()))
                }
                _ => None,
            }
        };
        if let Some((recorded, version)) = mismatch {
            if self.warnings().iter().all(|w| !w.contains("cloud version")) {
                self.warn(format!(
                    "cassette {} was recorded against cloud version {recorded}; new interactions come from {version}",
                    self.path.display()
                ));
            }
        }
    }

    /// Writes the cassette after an interaction was added: the new
    /// interaction appended in place when the file is as this cassette left
    /// it (a long test does not rewrite its whole cassette on every call),
    /// else the whole file, written aside and renamed.
    fn save(&self, state: &mut State) -> Result<()> {
        let failed = |e: std::io::Error| {
            Error::setup_with(
                format!("cannot write the cassette {}", self.path.display()),
                e,
            )
        };
        if let (Some(length), [_, .., last]) = (state.written, &state.file.interactions[..]) {
            let element = serde_json::to_string_pretty(last)
                .map_err(|e| Error::setup_with("cannot write a cassette", e))?;
            if let Some(length) = append(&self.path, length, &element).map_err(failed)? {
                state.written = Some(length);
                return Ok(());
            }
        }
        let text = serde_json::to_string_pretty(&state.file)
            .map_err(|e| Error::setup_with("cannot write a cassette", e))?
            + "\n";
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(failed)?;
        }
        let temporary = self
            .path
            .with_extension(format!("json.{}.tmp", std::process::id()));
        std::fs::write(&temporary, &text).map_err(failed)?;
        std::fs::rename(&temporary, &self.path).map_err(failed)?;
        state.written = Some(text.len() as u64);
        Ok(())
    }

    /// The precache hash this cassette was opened with.
    pub fn precache_hash(&self) -> Option<&str> {
        self.precache_hash.as_deref()
    }
}

/// How a cassette file written by [`Cassette::save`] ends: the close of
/// `interactions` (its last field) and of the file.
const FILE_END: &[u8] = b"\n  ]\n}\n";

/// Appends one interaction (`element`, pretty JSON) to the cassette at
/// `path`, if the file still is `length` bytes long and ends as written;
/// returns the new length, or `None` when the file must be rewritten.
fn append(path: &Path, length: u64, element: &str) -> std::io::Result<Option<u64>> {
    use std::io::{Read as _, Seek as _, SeekFrom, Write as _};
    let mut file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let end = FILE_END.len() as u64;
    if file.metadata()?.len() != length || length < end {
        return Ok(None);
    }
    let mut tail = [0u8; FILE_END.len()];
    file.seek(SeekFrom::Start(length - end))?;
    file.read_exact(&mut tail)?;
    if tail != FILE_END {
        return Ok(None);
    }
    // The element sits at depth 2 of the file: four more spaces a line.
    let mut addition = String::with_capacity(element.len() + element.len() / 8 + 16);
    addition.push(',');
    for line in element.lines() {
        addition.push_str("\n    ");
        addition.push_str(line);
    }
    addition.push_str(std::str::from_utf8(FILE_END).unwrap_or_default());
    file.seek(SeekFrom::Start(length - end))?;
    file.write_all(addition.as_bytes())?;
    let length = length - end + addition.len() as u64;
    file.set_len(length)?;
    Ok(Some(length))
}

/// The warnings a loaded cassette deserves.
fn stale_or_mismatched(
    file: &CassetteFile,
    settings: &CassetteSettings,
    path: &Path,
) -> Vec<String> {
    let mut warnings = Vec::new();
    if let (Some(recorded), Some(current)) = (&file.precache, &settings.precache_hash) {
        if recorded != current {
            warnings.push(format!(
                "cassette {} was recorded with precache {recorded}, this build uses {current}: \
                 record it again (MARVIN_RECORD_MODE=all)",
                path.display()
            ));
        }
    }
    let format = time::format_description::well_known::Rfc3339;
    match time::OffsetDateTime::parse(&file.recorded_at, &format) {
        Ok(recorded_at) => {
            let age = time::OffsetDateTime::now_utc() - recorded_at;
            if age > settings.max_age {
                warnings.push(format!(
                    "cassette {} is {} days old (recorded {}, against cloud version {}): \
                     record it again (MARVIN_RECORD_MODE=all)",
                    path.display(),
                    age.whole_days(),
                    file.recorded_at,
                    file.cloud_version.as_deref().unwrap_or("unknown")
                ));
            }
        }
        Err(_) => warnings.push(format!(
            "cassette {} has no readable recording date ({:?})",
            path.display(),
            file.recorded_at
        )),
    }
    warnings
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc())
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// `listCapabilities`' `cloudstackversion`, asked once per endpoint, by a
/// copy of the client with no cassette and no observer (it is not part of
/// the test).
fn live_cloud_version(client: &Client) -> VersionFuture<'_> {
    static KNOWN: OnceLock<Mutex<HashMap<String, String>>> = OnceLock::new();
    // Boxed (and so named Send): this call goes through the transport
    // that asked for it.
    Box::pin(async move {
        let known = KNOWN.get_or_init(Mutex::default);
        let endpoint = client.endpoint().to_owned();
        if let Some(version) = known.lock().expect("versions lock").get(&endpoint) {
            return Some(version.clone());
        }
        let plain = Client {
            shared: Arc::clone(&client.shared),
            observer: None,
            cassette: None,
        };
        let (params, options, trace) = (Params::new(), RequestOptions::default(), Trace::default());
        let answer = plain
            .call_value("listCapabilities", &params, &options, &trace)
            .await
            .ok()?;
        let capability = answer.get("capability").unwrap_or(&answer);
        let version = capability.get("cloudstackversion")?.as_str()?.to_owned();
        known
            .lock()
            .expect("versions lock")
            .insert(endpoint, version.clone());
        Some(version)
    })
}

type VersionFuture<'a> = std::pin::Pin<Box<dyn Future<Output = Option<String>> + Send + 'a>>;

/// The cassette settings of this process: those [`configure`] set, else
/// those of the environment ([`CassetteSettings::from_env`]), read once.
fn process_settings() -> &'static std::result::Result<Option<CassetteSettings>, String> {
    PROCESS_SETTINGS.get_or_init(|| CassetteSettings::from_env().map_err(|e| e.to_string()))
}

static PROCESS_SETTINGS: OnceLock<std::result::Result<Option<CassetteSettings>, String>> =
    OnceLock::new();

/// Sets the cassette settings of this process (a runner's `--record` or
/// `--replay`), instead of the environment's. Must come before the first
/// test; returns false (and changes nothing) when the settings were already
/// fixed.
pub fn configure(settings: Option<CassetteSettings>) -> bool {
    PROCESS_SETTINGS.set(Ok(settings)).is_ok()
}

/// True when this process replays only (`MARVIN_REPLAY` or a runner's
/// `--replay`): nothing may reach the network.
pub fn replaying() -> bool {
    matches!(process_settings(), Ok(Some(settings)) if settings.mode == RecordMode::None)
}

/// Where a replaying run's clients point: a name that never resolves
/// (`.invalid`), so a request that escaped its cassette fails at once
/// instead of reaching anything.
pub const REPLAY_ENDPOINT: &str = "http://replay.invalid/client/api";

/// The admin client of a replaying run: keys of its own, on
/// [`REPLAY_ENDPOINT`]. Every answer it gets comes from a cassette.
pub fn replay_client() -> Result<Client> {
    Client::builder(REPLAY_ENDPOINT)
        .keys("replay-admin-api-key", "replay-admin-secret-key")
        .build()
}

/// The name of a run's own cassette (its readiness check, shared fixtures,
/// leak check): `run::[run]`, which no test can be named. `run` is the
/// suite, or under one process per test (nextest) the suite and the test.
pub fn run_cassette_name(run: &str) -> String {
    format!("{run}::[run]")
}

/// The client a test runs with: `client` with the cassette of `test_name`
/// attached when cassettes are in use ([`configure`], `MARVIN_RECORD`,
/// `MARVIN_REPLAY`), replacing a run's cassette, keeping one attached by
/// hand. A cassette that cannot be opened, or a malformed setting, makes
/// every call of the test fail with the reason: a test asked to replay
/// never goes live.
pub fn attach_for_test(client: Client, test_name: &str) -> Client {
    if client.cassette.as_ref().is_some_and(|c| !c.run_level) {
        return client;
    }
    attach(client, test_name, false)
}

/// The run's admin client with the run's cassette ([`run_cassette_name`]
/// of `run`) attached when cassettes are in use.
pub fn attach_for_run(client: Client, run: &str) -> Client {
    attach(client, &run_cassette_name(run), true)
}

fn attach(client: Client, name: &str, run_level: bool) -> Client {
    let mut cassette = match process_settings() {
        Ok(None) => return client,
        Ok(Some(settings)) => Cassette::load(settings, name).unwrap_or_else(|error| {
            Cassette::broken(settings.path_for(name), settings.mode, error.to_string())
        }),
        Err(reason) => Cassette::broken(PathBuf::new(), RecordMode::None, reason.clone()),
    };
    cassette.run_level = run_level;
    let cassette = Arc::new(cassette);
    client.with_cassette(cassette)
}

impl Client {
    /// The same client (sharing connections and session) answering from,
    /// and recording into, `cassette`. Clients made from it
    /// ([`with_observer`](Self::with_observer), [`for_user`](Self::for_user))
    /// keep it.
    pub fn with_cassette(&self, cassette: Arc<Cassette>) -> Client {
        Client {
            shared: Arc::clone(&self.shared),
            observer: self.observer.clone(),
            cassette: Some(cassette),
        }
    }

    /// The cassette this client answers from, if any.
    pub fn cassette(&self) -> Option<&Arc<Cassette>> {
        self.cassette.as_ref()
    }

    /// True when every answer comes from a cassette (none may go live):
    /// job polls then need no delay between them.
    pub(super) fn replays_only(&self) -> bool {
        self.cassette
            .as_ref()
            .is_some_and(|cassette| !cassette.records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_as_vcr_names_them() {
        assert_eq!("once".parse::<RecordMode>().unwrap(), RecordMode::Once);
        assert_eq!(" NONE ".parse::<RecordMode>().unwrap(), RecordMode::None);
        assert_eq!(
            "new-episodes".parse::<RecordMode>().unwrap(),
            RecordMode::NewEpisodes
        );
        assert_eq!("all".parse::<RecordMode>().unwrap(), RecordMode::All);
        let error = "sometimes".parse::<RecordMode>().unwrap_err().to_string();
        assert!(error.contains("once, none, new_episodes or all"), "{error}");
    }

    #[test]
    fn test_names_become_file_names() {
        let settings = CassetteSettings::new("/c", RecordMode::None);
        assert_eq!(
            settings.path_for("suite::vms::deploy <1>"),
            Path::new("/c/suite.vms.deploy__1_.json")
        );
    }

    #[test]
    fn appended_interactions_read_as_a_whole_file_would() {
        let dir = std::env::temp_dir().join(format!(
            "marvin-cassette-append-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let settings = CassetteSettings::new(&dir, RecordMode::All);
        let cassette = Cassette::open(&settings, "append").unwrap();
        for index in 0..5 {
            let mut state = cassette.state.lock().unwrap();
            let sent = scrub::request_as_sent("GET", &format!("command=listZones&name=z{index}"));
            let request = scrub::request(&sent, Credentials::default(), &mut state.secrets);
            let response = scrub::response(
                200,
                format!(
                    r#"{{"listzonesresponse":{{"count":{index},"zone":[{{"name":"a\nb"}}]}}}}"#
                )
                .as_bytes(),
                &[],
                &mut state.secrets,
            );
            state.file.interactions.push(Interaction {
                request,
                response,
                seq: Some(next_seq()),
                answered: None,
            });
            cassette.save(&mut state).unwrap();
            let whole = serde_json::to_string_pretty(&state.file).unwrap() + "\n";
            assert_eq!(std::fs::read_to_string(cassette.path()).unwrap(), whole);
        }
        // A file changed behind the cassette's back is rewritten whole.
        std::fs::write(cassette.path(), "{}").unwrap();
        let mut state = cassette.state.lock().unwrap();
        let again = state.file.interactions[0].clone();
        state.file.interactions.push(again);
        cassette.save(&mut state).unwrap();
        let whole = serde_json::to_string_pretty(&state.file).unwrap() + "\n";
        assert_eq!(std::fs::read_to_string(cassette.path()).unwrap(), whole);
        drop(state);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn new_secrets_are_numbered_after_every_placeholder_of_the_file() {
        let file: CassetteFile = serde_json::from_value(serde_json::json!({
            "format": 2, "test": "t", "recorded_at": "2026-12-06T00:00:00Z",
            "cloud_version": null, "precache": null,
            "interactions": [
                {"request": {"method": "GET", "command": "login",
                             "caller": {"sessionkey": "***secret-7***"},
                             "params": {"password": "***secret-2***"}},
                 "response": {"status": 200, "body": {"k": ["***secret-9***"]}}},
                {"request": {"method": "GET", "command": "x", "params": {}},
                 "response": {"status": 500, "text": "bad ***secret-4***"}}
            ]
        }))
        .unwrap();
        assert_eq!(file.highest_placeholder(), 9);
        let mut table = SecretTable::after(file.highest_placeholder());
        assert_eq!(table.mask("new"), scrub::placeholder(10));
    }

    #[test]
    fn the_precache_hash_is_sha1_hex() {
        assert_eq!(
            precache_hash(b"abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
    }
}
