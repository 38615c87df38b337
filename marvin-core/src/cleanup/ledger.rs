//! The ledger: an append-only JSON-lines file of every resource a test
//! created, and of its end (deleted or kept), so that `marvin cleanup` can
//! find what a crashed or killed run left behind.
//!
//! One record per line:
//!
//! ```json
//! {"event":"created","run":"r1","test":"smoke::vm",
//!  "endpoint":"http://cloud.example:8080/client/api","entity":"VirtualMachine","id":"1f0c",
//!  "deletion":{"entity":"VirtualMachine","id":"1f0c","command":"destroyVirtualMachine",
//!  "is_async":true,"params":[["id","1f0c"],["expunge","true"]],"rank":80},
//!  "time":"2025-01-01T10:00:00.123Z","pid":4242}
//! ```
//!
//! Before a create is sent, an `intent` record names what will identify
//! the object should its answer never arrive (the process killed while the
//! request is in flight): the entity, the create command and the unique
//! name the request carries. The `created` record that follows carries the
//! same `name`; an intent without one is "maybe created", which
//! [`sweep`](super::sweep) settles by looking the name up (see
//! [`LedgerContents::open_intents`]):
//!
//! ```json
//! {"event":"intent","run":"r1","test":"smoke::accounts",
//!  "endpoint":"http://cloud.example:8080/client/api","entity":"Account",
//!  "name":"user-r1-7f3a","intent":{"command":"createAccount","param":"username"},
//!  "time":"2025-01-01T10:00:00.100Z","pid":4242}
//! ```
//!
//! `endpoint` is the cloud the resource lives on (see
//! [`normalized_endpoint`]: scheme, host, port and path; never keys), so
//! that a sweep pointed at another cloud leaves the record alone. Records
//! written before it existed have none: their cloud is unknown.
//!
//! # Where the ledger is
//!
//! Tests and `marvin cleanup` find it with the same function,
//! [`locate_ledger`]: `MARVIN_LEDGER`, else `marvin/ledger.jsonl` in the
//! Cargo target directory of the workspace of the current directory.
//!
//! # Why no lock is needed
//!
//! The file is opened with `O_APPEND` and every record, newline included, is
//! handed to the kernel in one `write(2)` call. With `O_APPEND` the kernel
//! moves to the end of the file and writes as one step, and on local file
//! systems a write of a regular file is not interleaved with other writes to
//! the same file; records are kept under [`MAX_RECORD`] (4 KiB, a page: the
//! unit no file system splits) to stay well inside that guarantee. So any
//! number of threads and processes can append at once and every line stays
//! whole. Nothing is buffered in the process: once `write` returns, the
//! record is in the kernel's page cache and survives the process being
//! SIGKILLed (only a crash of the machine itself could lose it, which the
//! ledger does not try to survive; hence no `fsync`).
//!
//! A process SIGKILLed in the middle of its `write` can still leave part of
//! a record: Linux copies a write into the page cache page by page and
//! stops between two pages when a fatal signal is pending, so a record
//! that crosses a page boundary of the file may be cut there. The next
//! record is then appended to the torn line. The reader recovers it: every
//! record starts with `{"event":"`, which cannot occur inside a JSON string
//! (its quotes would be escaped), so a line that does not parse is split
//! there and its whole records kept; only the torn part counts as
//! malformed.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::resource::Deletion;

/// The largest record written, newline included.
pub const MAX_RECORD: usize = 4095;

/// What happened to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Event {
    /// A test created it; it stays pending until deleted or kept.
    Created,
    /// It was deleted (or was found already gone).
    Deleted,
    /// A test chose to keep it (`Managed::keep`): no sweep will touch it.
    Kept,
    /// A create is about to be sent: the object may exist from now on,
    /// known by the [`LedgerRecord::name`] its request carries (see
    /// [`Intent`]).
    Intent,
    /// The create of an intent made nothing: the cloud refused it, or a
    /// sweep looked the name up and found no object.
    #[serde(rename = "never_created")]
    NeverCreated,
}

/// What an [`Event::Intent`] record says about the create it precedes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intent {
    /// The create command (`createAccount`).
    pub command: String,
    /// The request parameter that carries the unique name (`username`).
    pub param: String,
    /// The project the object is made in (`projectid` of the request), if
    /// any: lists show project objects only when asked for that project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projectid: Option<String>,
}

/// One line of the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerRecord {
    /// What happened.
    pub event: Event,
    /// The run the resource belongs to (see [`run_id`]).
    pub run: String,
    /// The test that created it.
    pub test: String,
    /// The cloud it lives on ([`normalized_endpoint`] of the API endpoint);
    /// `None` in records written before records named their cloud.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The entity name (`VirtualMachine`).
    pub entity: String,
    /// The resource's id (empty on `intent` and `never_created` records:
    /// the object has none yet).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The unique name the create request carried, on the `intent` record
    /// and on the records that settle it (`created`, `never_created`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// How to delete it (on `created` records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion: Option<Deletion>,
    /// The create about to be sent (on `intent` records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<Intent>,
    /// When the record was written (RFC 3339, UTC).
    pub time: String,
    /// The process that wrote it.
    pub pid: u32,
}

impl LedgerRecord {
    /// A record stamped with the current time and process, of no known
    /// cloud (see [`on`](Self::on)).
    pub fn new(event: Event, run: &str, test: &str, deletion: &Deletion) -> Self {
        Self {
            event,
            run: run.to_string(),
            test: test.to_string(),
            endpoint: None,
            entity: deletion.entity.clone(),
            id: deletion.id.clone(),
            name: None,
            deletion: (event == Event::Created).then(|| deletion.clone()),
            intent: None,
            time: now_rfc3339(),
            pid: std::process::id(),
        }
    }

    /// An `intent` record: test `test` of run `run` is about to send
    /// `intent.command` for an `entity` named `name` (see [`Intent`]).
    pub fn intent(run: &str, test: &str, entity: &str, name: &str, intent: Intent) -> Self {
        Self {
            event: Event::Intent,
            run: run.to_string(),
            test: test.to_string(),
            endpoint: None,
            entity: entity.to_string(),
            id: String::new(),
            name: Some(name.to_string()),
            deletion: None,
            intent: Some(intent),
            time: now_rfc3339(),
            pid: std::process::id(),
        }
    }

    /// The `never_created` record settling the intent `intent`: same run,
    /// test, cloud, entity and name.
    pub fn never_created(intent: &LedgerRecord) -> Self {
        Self {
            event: Event::NeverCreated,
            id: String::new(),
            deletion: None,
            intent: None,
            time: now_rfc3339(),
            pid: std::process::id(),
            ..intent.clone()
        }
    }

    /// The record, naming the unique name the create request carried.
    #[must_use]
    pub fn named(mut self, name: Option<&str>) -> Self {
        self.name = name.map(str::to_owned);
        self
    }

    /// Whether this record settles the intent `intent`: a `created` or
    /// `never_created` record of the same cloud, run, test, entity and name.
    pub fn settles(&self, intent: &LedgerRecord) -> bool {
        matches!(self.event, Event::Created | Event::NeverCreated)
            && self.name.is_some()
            && self.name == intent.name
            && self.endpoint == intent.endpoint
            && self.run == intent.run
            && self.test == intent.test
            && self.entity == intent.entity
    }

    /// The record, naming the cloud at API endpoint `endpoint` (normalised
    /// with [`normalized_endpoint`]).
    #[must_use]
    pub fn on(mut self, endpoint: &str) -> Self {
        self.endpoint = Some(normalized_endpoint(endpoint));
        self
    }
}

/// The form in which the ledger names a cloud: `scheme://host:port/path` of
/// its API endpoint, with the port always spelled out, no trailing slash,
/// and nothing else (no credentials, query or fragment), so that two
/// spellings of one endpoint compare equal.
///
/// ```
/// use marvin_core::cleanup::normalized_endpoint;
/// assert_eq!(
///     normalized_endpoint("HTTP://Cloud.Example/client/api/?apiKey=k"),
///     "http://cloud.example:80/client/api"
/// );
/// assert_eq!(
///     normalized_endpoint("https://u:p@cloud.example:8443/client/api"),
///     "https://cloud.example:8443/client/api"
/// );
/// ```
pub fn normalized_endpoint(url: &str) -> String {
    let url = url.trim();
    match reqwest::Url::parse(url) {
        Ok(parsed) if parsed.host_str().is_some() => {
            let port = parsed
                .port_or_known_default()
                .map(|port| format!(":{port}"))
                .unwrap_or_default();
            let path = parsed.path().trim_end_matches('/');
            format!(
                "{}://{}{port}{path}",
                parsed.scheme(),
                parsed.host_str().unwrap_or_default()
            )
        }
        // Not a URL: keep the text up to a query, without anything that
        // could be a credential.
        _ => {
            let text = url.split(['?', '#']).next().unwrap_or_default();
            match text.split_once("://") {
                Some((scheme, rest)) => {
                    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
                    format!("{scheme}://{}", rest.trim_end_matches('/'))
                }
                None => text.trim_end_matches('/').to_string(),
            }
        }
    }
}

/// Errors of the ledger.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// The file could not be opened, written or read.
    #[error("ledger {path}: {source}")]
    Io {
        /// The ledger file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// A record would be larger than [`MAX_RECORD`] bytes.
    #[error("ledger {path}: a record of {len} bytes for {entity} {id} exceeds {MAX_RECORD} bytes")]
    TooLarge {
        /// The ledger file.
        path: PathBuf,
        /// The record's entity.
        entity: String,
        /// The record's id (its name, for an intent).
        id: String,
        /// Its size.
        len: usize,
    },
    /// The kernel took only part of a record (disk full?).
    #[error("ledger {path}: short write ({written} of {len} bytes)")]
    ShortWrite {
        /// The ledger file.
        path: PathBuf,
        /// Bytes written.
        written: usize,
        /// Bytes of the record.
        len: usize,
    },
}

/// An append-only ledger file. Cheap to share (`Arc<Ledger>`); the file is
/// opened on the first append and kept open.
#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    file: OnceLock<File>,
}

impl Ledger {
    /// A ledger at `path` (created, with its directories, on first append).
    pub fn open(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            file: OnceLock::new(),
        }
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self, source: io::Error) -> LedgerError {
        LedgerError::Io {
            path: self.path.clone(),
            source,
        }
    }

    fn file(&self) -> Result<&File, LedgerError> {
        if let Some(file) = self.file.get() {
            return Ok(file);
        }
        if let Some(dir) = self.path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| self.io(e))?;
        }
        // `append` opens with O_APPEND: see the module documentation.
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| self.io(e))?;
        // Two threads may race here; the loser's handle is simply closed.
        let _ = self.file.set(file);
        Ok(self.file.get().expect("just set"))
    }

    /// Appends one record as one line, in one `write` call.
    pub fn append(&self, record: &LedgerRecord) -> Result<(), LedgerError> {
        let mut line = serde_json::to_vec(record).expect("a ledger record always serializes");
        line.push(b'\n');
        if line.len() > MAX_RECORD {
            return Err(LedgerError::TooLarge {
                path: self.path.clone(),
                entity: record.entity.clone(),
                id: record
                    .name
                    .clone()
                    .filter(|_| record.id.is_empty())
                    .unwrap_or_else(|| record.id.clone()),
                len: line.len(),
            });
        }
        let mut file = self.file()?;
        // One call, never `write_all`: a retry loop could interleave the
        // rest of a record with another process's record.
        let written = loop {
            match file.write(&line) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other.map_err(|e| self.io(e))?,
            }
        };
        if written != line.len() {
            return Err(LedgerError::ShortWrite {
                path: self.path.clone(),
                written,
                len: line.len(),
            });
        }
        Ok(())
    }

    /// Appends a record of `event` for `deletion`'s resource, made by
    /// test `test` of run `run` on the cloud at API endpoint `endpoint`.
    pub fn record(
        &self,
        event: Event,
        run: &str,
        test: &str,
        endpoint: &str,
        deletion: &Deletion,
    ) -> Result<(), LedgerError> {
        self.append(&LedgerRecord::new(event, run, test, deletion).on(endpoint))
    }

    /// Reads every record of the file (none if it does not exist).
    pub fn read(&self) -> Result<LedgerContents, LedgerError> {
        read_ledger(&self.path)
    }
}

/// What [`Ledger::read`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LedgerContents {
    /// The records, in file order.
    pub records: Vec<LedgerRecord>,
    /// Lines that were not records (a torn line after a machine crash, or
    /// foreign text); they are skipped.
    pub malformed_lines: usize,
}

impl LedgerContents {
    /// The resources created and not yet deleted or kept, in creation order,
    /// optionally only those of one run.
    ///
    /// A resource is identified by its cloud, entity and id (two clouds
    /// may well hand out the same id); its latest record decides.
    pub fn pending(&self, run: Option<&str>) -> Vec<&LedgerRecord> {
        type Key<'a> = (Option<&'a str>, &'a str, &'a str);
        fn key(record: &LedgerRecord) -> Key<'_> {
            (
                record.endpoint.as_deref(),
                record.entity.as_str(),
                record.id.as_str(),
            )
        }
        let mut latest: std::collections::HashMap<Key<'_>, (usize, Event)> =
            std::collections::HashMap::new();
        // Intents and their `never_created` ends name no resource id.
        for (index, record) in self.records.iter().enumerate() {
            if matches!(record.event, Event::Created | Event::Deleted | Event::Kept) {
                latest.insert(key(record), (index, record.event));
            }
        }
        let mut created: std::collections::HashMap<Key<'_>, usize> =
            std::collections::HashMap::new();
        for (index, record) in self.records.iter().enumerate() {
            if record.event == Event::Created && record.deletion.is_some() {
                created.insert(key(record), index);
            }
        }
        let mut pending: Vec<(usize, &LedgerRecord)> = created
            .into_iter()
            .filter(|(key, _)| {
                latest
                    .get(key)
                    .is_some_and(|(_, event)| *event == Event::Created)
            })
            .map(|(_, index)| (index, &self.records[index]))
            .filter(|(_, record)| run.is_none_or(|run| record.run == run))
            .collect();
        pending.sort_by_key(|(index, _)| *index);
        pending.into_iter().map(|(_, record)| record).collect()
    }

    /// The intents no record settles (see [`LedgerRecord::settles`]), in
    /// file order, optionally only those of one run: creates whose answer
    /// never reached the ledger, so whose object may or may not exist.
    pub fn open_intents(&self, run: Option<&str>) -> Vec<&LedgerRecord> {
        type Key<'a> = (Option<&'a str>, &'a str, &'a str, &'a str, Option<&'a str>);
        fn key(record: &LedgerRecord) -> Key<'_> {
            (
                record.endpoint.as_deref(),
                record.run.as_str(),
                record.test.as_str(),
                record.entity.as_str(),
                record.name.as_deref(),
            )
        }
        // A name is unique, so a settling record anywhere in the file
        // settles it (a sweep's `created` comes after the intent, a
        // test's always does).
        let settled: std::collections::HashSet<Key<'_>> = self
            .records
            .iter()
            .filter(|record| {
                matches!(record.event, Event::Created | Event::NeverCreated)
                    && record.name.is_some()
            })
            .map(key)
            .collect();
        let mut seen = std::collections::HashSet::new();
        self.records
            .iter()
            .filter(|record| record.event == Event::Intent && record.intent.is_some())
            .filter(|record| record.name.as_deref().is_some_and(|name| !name.is_empty()))
            .filter(|record| run.is_none_or(|run| record.run == run))
            .filter(|record| !settled.contains(&key(record)))
            .filter(|record| seen.insert(key(record)))
            .collect()
    }
}

fn read_ledger(path: &Path) -> Result<LedgerContents, LedgerError> {
    let io = |source| LedgerError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(LedgerContents::default()),
        Err(e) => return Err(io(e)),
    };
    let mut contents = LedgerContents::default();
    for line in BufReader::new(file).split(b'\n') {
        let line = line.map_err(io)?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<LedgerRecord>(&line) {
            Ok(record) => contents.records.push(record),
            Err(_) => {
                for piece in split_at_records(&line) {
                    match serde_json::from_slice::<LedgerRecord>(piece) {
                        Ok(record) => contents.records.push(record),
                        Err(_) => contents.malformed_lines += 1,
                    }
                }
            }
        }
    }
    Ok(contents)
}

/// How every record begins (`event` is the first field serialized).
const RECORD_START: &[u8] = b"{\"event\":\"";

/// `line` cut before every [`RECORD_START`] (a torn record followed by
/// whole ones, see the module documentation); a line with none is one
/// piece.
fn split_at_records(line: &[u8]) -> Vec<&[u8]> {
    let mut starts: Vec<usize> = line
        .windows(RECORD_START.len())
        .enumerate()
        .filter(|(_, window)| *window == RECORD_START)
        .map(|(index, _)| index)
        .filter(|index| *index > 0)
        .collect();
    starts.insert(0, 0);
    starts.push(line.len());
    starts
        .windows(2)
        .map(|bounds| &line[bounds[0]..bounds[1]])
        .filter(|piece| !piece.iter().all(u8::is_ascii_whitespace))
        .collect()
}

/// The ledger file name inside a target directory.
const IN_TARGET: [&str; 2] = ["marvin", "ledger.jsonl"];

/// Where the ledger is ([`locate_ledger`]), and why there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LedgerLocation {
    /// `MARVIN_LEDGER=off`: no ledger is written.
    Off,
    /// The ledger file.
    File {
        /// The file.
        path: PathBuf,
        /// Why this file.
        origin: LedgerOrigin,
    },
}

impl LedgerLocation {
    /// The file, unless the ledger is off.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Self::Off => None,
            Self::File { path, .. } => Some(path),
        }
    }
}

/// Why the ledger is where [`locate_ledger`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LedgerOrigin {
    /// `MARVIN_LEDGER` names it.
    MarvinLedger,
    /// It is in `CARGO_TARGET_DIR`.
    CargoTargetDir,
    /// It is in the `target` directory of the Cargo workspace (or lone
    /// package) rooted at this directory.
    Workspace(PathBuf),
    /// No `Cargo.toml` above the current directory: it is in `target` under
    /// this directory.
    NoWorkspace(PathBuf),
}

impl std::fmt::Display for LedgerOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::MarvinLedger => write!(f, "MARVIN_LEDGER"),
            Self::CargoTargetDir => write!(f, "CARGO_TARGET_DIR"),
            Self::Workspace(root) => {
                write!(f, "target directory of the workspace {}", root.display())
            }
            Self::NoWorkspace(dir) => write!(
                f,
                "no Cargo workspace above {}: its target directory",
                dir.display()
            ),
        }
    }
}

/// Where the ledger is: the one answer the test runner (where tests write)
/// and `marvin cleanup` (where it reads) share. See [`locate_ledger_from`].
pub fn locate_ledger() -> LedgerLocation {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    locate_ledger_from(&cwd, |name| std::env::var_os(name))
}

/// Where the ledger of the Cargo workspace containing `dir` is, with `env`
/// for the environment, in order:
///
/// 1. `MARVIN_LEDGER`: that file (`off`: none);
/// 2. `CARGO_TARGET_DIR`: `marvin/ledger.jsonl` in it;
/// 3. `target/marvin/ledger.jsonl` in the workspace root: the nearest
///    directory above `dir` whose `Cargo.toml` has a `[workspace]` table,
///    else the nearest with a `Cargo.toml` (a package of its own), else
///    `dir` itself.
///
/// Relative paths in either variable are taken from the workspace root:
/// test processes run in their package's directory and `marvin cleanup` in
/// the user's, and both must land on the same file.
///
/// ```
/// use std::ffi::OsString;
/// use std::path::Path;
/// use marvin_core::cleanup::locate_ledger_from;
///
/// let env = |name: &str| (name == "MARVIN_LEDGER").then(|| OsString::from("/tmp/l.jsonl"));
/// let location = locate_ledger_from(Path::new("/anywhere"), env);
/// assert_eq!(location.path(), Some(Path::new("/tmp/l.jsonl")));
/// ```
pub fn locate_ledger_from(
    dir: &Path,
    env: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> LedgerLocation {
    let var = |name: &str| env(name).filter(|value| !value.to_string_lossy().trim().is_empty());
    let root = workspace_root(dir);
    let base = root.clone().unwrap_or_else(|| dir.to_path_buf());
    if let Some(path) = var("MARVIN_LEDGER") {
        if path.to_string_lossy().trim().eq_ignore_ascii_case("off") {
            return LedgerLocation::Off;
        }
        return LedgerLocation::File {
            path: base.join(path),
            origin: LedgerOrigin::MarvinLedger,
        };
    }
    let (target, origin) = match (var("CARGO_TARGET_DIR"), root) {
        (Some(target), _) => (base.join(target), LedgerOrigin::CargoTargetDir),
        (None, Some(root)) => (root.join("target"), LedgerOrigin::Workspace(root)),
        (None, None) => (
            dir.join("target"),
            LedgerOrigin::NoWorkspace(dir.to_path_buf()),
        ),
    };
    LedgerLocation::File {
        path: IN_TARGET.iter().fold(target, |path, part| path.join(part)),
        origin,
    }
}

/// The root of the Cargo workspace containing `dir`, found as cargo finds
/// it: the nearest `Cargo.toml` above with a `[workspace]` table, else the
/// nearest `Cargo.toml` (a package outside any workspace).
fn workspace_root(dir: &Path) -> Option<PathBuf> {
    let mut package = None;
    for candidate in dir.ancestors() {
        let manifest = candidate.join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        if declares_workspace(&text) {
            return Some(candidate.to_path_buf());
        }
        package.get_or_insert_with(|| candidate.to_path_buf());
    }
    package
}

/// Whether a manifest has a `[workspace]` table (or one of its sub-tables,
/// which imply it).
fn declares_workspace(manifest: &str) -> bool {
    manifest.lines().any(|line| {
        let line = line.split('#').next().unwrap_or_default().trim();
        line == "[workspace]" || line.starts_with("[workspace.")
    })
}

/// The id of this run: `$MARVIN_RUN_ID`, else `$NEXTEST_RUN_ID`, else one
/// generated once per process (UTC time and 32 random bits:
/// `20250101T100000Z-1a2b3c4d`).
///
/// Under `cargo nextest` every test is its own process, so a generated id
/// would differ per test; nextest's `NEXTEST_RUN_ID` (or a `MARVIN_RUN_ID`
/// set by CI or by `marvin smoke`) spans the whole run and is what lets
/// `marvin cleanup --run ID` sweep one run.
pub fn run_id() -> &'static str {
    static RUN_ID: OnceLock<String> = OnceLock::new();
    RUN_ID.get_or_init(|| {
        ["MARVIN_RUN_ID", "NEXTEST_RUN_ID"]
            .iter()
            .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
            .unwrap_or_else(generate_run_id)
    })
}

fn generate_run_id() -> String {
    let format = time::macros::format_description!("[year][month][day]T[hour][minute][second]Z");
    let now = time::OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_default();
    format!("{now}-{:08x}", rand::random::<u32>())
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::process::Command;

    use super::*;

    /// A fresh path under the system temp dir.
    pub(crate) fn temp_ledger(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "marvin-ledger-test-{}-{}-{:08x}",
            std::process::id(),
            name,
            rand::random::<u32>()
        ));
        dir.join("ledger.jsonl")
    }

    fn deletion(entity: &str, id: &str) -> Deletion {
        Deletion::new(entity, id, &format!("delete{entity}"), false)
    }

    /// The cloud the tests' records are made on.
    const CLOUD: &str = "http://cloud-a.example:8080/client/api";

    #[test]
    fn records_round_trip_as_single_lines() {
        let path = temp_ledger("round-trip");
        let ledger = Ledger::open(&path);
        let d = deletion("Network", "n1").param("forced", "true");
        ledger
            .record(Event::Created, "r1", "t::a", CLOUD, &d)
            .unwrap();
        ledger
            .record(Event::Deleted, "r1", "t::a", CLOUD, &d)
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["event"], "created");
        assert_eq!(first["run"], "r1");
        assert_eq!(first["test"], "t::a");
        assert_eq!(first["endpoint"], CLOUD);
        assert_eq!(first["entity"], "Network");
        assert_eq!(first["id"], "n1");
        assert_eq!(first["deletion"]["command"], "deleteNetwork");
        assert_eq!(
            first["deletion"]["params"][1],
            serde_json::json!(["forced", "true"])
        );
        assert_eq!(first["pid"], std::process::id());
        assert!(first["time"].as_str().unwrap().ends_with('Z'));
        let contents = ledger.read().unwrap();
        assert_eq!(contents.records.len(), 2);
        assert_eq!(contents.records[0].deletion.as_ref(), Some(&d));
        assert_eq!(contents.records[1].deletion, None);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn pending_is_created_minus_deleted_and_kept() {
        let path = temp_ledger("pending");
        let ledger = Ledger::open(&path);
        let (a, b, c, d) = (
            deletion("Vm", "a"),
            deletion("Vm", "b"),
            deletion("Vm", "c"),
            deletion("Vm", "d"),
        );
        ledger.record(Event::Created, "r1", "t", CLOUD, &a).unwrap();
        ledger.record(Event::Created, "r1", "t", CLOUD, &b).unwrap();
        ledger.record(Event::Created, "r2", "t", CLOUD, &c).unwrap();
        ledger.record(Event::Created, "r2", "t", CLOUD, &d).unwrap();
        ledger.record(Event::Deleted, "r1", "t", CLOUD, &b).unwrap();
        ledger.record(Event::Kept, "r2", "t", CLOUD, &d).unwrap();
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"torn\":\n")
            .unwrap();
        let contents = ledger.read().unwrap();
        assert_eq!(contents.malformed_lines, 1);
        let ids = |run| {
            contents
                .pending(run)
                .iter()
                .map(|r| r.id.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(None), ["a", "c"]);
        assert_eq!(ids(Some("r1")), ["a"]);
        assert_eq!(ids(Some("r2")), ["c"]);
        assert_eq!(ids(Some("r3")), Vec::<String>::new());
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_record_appended_to_a_torn_one_is_recovered() {
        let path = temp_ledger("torn");
        let ledger = Ledger::open(&path);
        let d = deletion("Account", "a1");
        ledger.record(Event::Created, "r1", "t", CLOUD, &d).unwrap();
        let whole = std::fs::read_to_string(&path).unwrap();
        // A record cut by SIGKILL, then two records appended to it.
        let torn = &whole[..whole.len() / 2];
        std::fs::write(&path, format!("{whole}{torn}")).unwrap();
        ledger.record(Event::Deleted, "r1", "t", CLOUD, &d).unwrap();
        let intent = Intent {
            command: "createAccount".into(),
            param: "username".into(),
            projectid: None,
        };
        ledger
            .append(&LedgerRecord::intent("r1", "t", "Account", "user-1", intent).on(CLOUD))
            .unwrap();
        let contents = ledger.read().unwrap();
        assert_eq!(contents.malformed_lines, 1);
        let events: Vec<Event> = contents.records.iter().map(|r| r.event).collect();
        assert_eq!(events, [Event::Created, Event::Deleted, Event::Intent]);
        assert!(contents.pending(None).is_empty());
        assert_eq!(contents.open_intents(None).len(), 1);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn intents_are_settled_by_a_created_or_never_created_record_of_their_name() {
        let path = temp_ledger("intents");
        let ledger = Ledger::open(&path);
        let intent = |name: &str| {
            LedgerRecord::intent(
                "r1",
                "t",
                "Account",
                name,
                Intent {
                    command: "createAccount".into(),
                    param: "username".into(),
                    projectid: None,
                },
            )
            .on(CLOUD)
        };
        for name in ["made", "refused", "open", "other-test"] {
            ledger.append(&intent(name)).unwrap();
        }
        let made = LedgerRecord::new(Event::Created, "r1", "t", &deletion("Account", "a1"))
            .on(CLOUD)
            .named(Some("made"));
        ledger.append(&made).unwrap();
        ledger
            .append(&LedgerRecord::never_created(&intent("refused")))
            .unwrap();
        let mut elsewhere =
            LedgerRecord::new(Event::Created, "r1", "t2", &deletion("Account", "a2"))
                .on(CLOUD)
                .named(Some("other-test"));
        ledger.append(&elsewhere).unwrap();
        // Another run's record of the same name settles nothing either.
        elsewhere.run = "r2".into();
        elsewhere.test = "t".into();
        ledger.append(&elsewhere).unwrap();
        let contents = ledger.read().unwrap();
        let open: Vec<&str> = contents
            .open_intents(None)
            .iter()
            .filter_map(|r| r.name.as_deref())
            .collect();
        assert_eq!(open, ["open", "other-test"]);
        assert!(contents.open_intents(Some("r2")).is_empty());
        // Intents are not pending resources.
        let pending: Vec<&str> = contents
            .pending(None)
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(pending, ["a1", "a2"]);
        // An old ledger, without intents or names, reads as before.
        let old = r#"{"event":"created","run":"r0","test":"t","entity":"Network","id":"n0","deletion":{"entity":"Network","id":"n0","command":"deleteNetwork","is_async":false,"params":[["id","n0"]],"rank":50},"time":"2024-01-01T00:00:00Z","pid":1}"#;
        let record: LedgerRecord = serde_json::from_str(old).unwrap();
        assert_eq!((record.name, record.intent), (None, None));
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn a_missing_ledger_reads_as_empty() {
        let contents = Ledger::open(temp_ledger("missing")).read().unwrap();
        assert_eq!(contents, LedgerContents::default());
    }

    #[test]
    fn oversized_records_are_refused_whole() {
        let path = temp_ledger("large");
        let ledger = Ledger::open(&path);
        let big = deletion("Vm", "x").param("userdata", &"a".repeat(5000));
        let error = ledger
            .record(Event::Created, "r", "t", CLOUD, &big)
            .unwrap_err();
        assert!(matches!(error, LedgerError::TooLarge { .. }), "{error}");
        assert!(!path.exists() || std::fs::read_to_string(&path).unwrap().is_empty());
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    /// Writes `count` records of about 3 KiB (close to the limit, where
    /// interleaving would show first) tagged with `writer`.
    fn write_many(ledger: &Ledger, writer: &str, count: usize) {
        let filler = "x".repeat(2800);
        for n in 0..count {
            let d = deletion("Vm", &format!("{writer}-{n}")).param("filler", &filler);
            ledger
                .record(Event::Created, "concurrent", writer, CLOUD, &d)
                .unwrap();
        }
    }

    /// Every line parses and every (writer, n) appears exactly once.
    fn assert_whole_lines(path: &Path, writers: &[String], count: usize) {
        let text = std::fs::read_to_string(path).unwrap();
        let mut seen = HashSet::new();
        for line in text.lines() {
            let record: LedgerRecord = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("interleaved or torn line ({e}): {:.120}", line));
            assert!(seen.insert(record.id.clone()), "duplicate {}", record.id);
        }
        for writer in writers {
            for n in 0..count {
                assert!(
                    seen.contains(&format!("{writer}-{n}")),
                    "missing {writer}-{n}"
                );
            }
        }
        assert_eq!(seen.len(), writers.len() * count);
    }

    #[test]
    fn appends_from_eight_threads_never_interleave() {
        let path = temp_ledger("threads");
        let own: Vec<String> = (0..8).map(|n| format!("thread{n}")).collect();
        let shared_writers: Vec<String> = (0..4).map(|n| format!("shared{n}")).collect();
        let shared = Ledger::open(&path);
        std::thread::scope(|scope| {
            // Eight threads with a `Ledger` each (separate open file
            // descriptions, as separate processes have) ...
            for writer in &own {
                let path = &path;
                scope.spawn(move || write_many(&Ledger::open(path), writer, 150));
            }
            // ... and four sharing one descriptor, at the same time.
            for writer in &shared_writers {
                let shared = &shared;
                scope.spawn(move || write_many(shared, writer, 150));
            }
        });
        let all: Vec<String> = own.into_iter().chain(shared_writers).collect();
        assert_whole_lines(&path, &all, 150);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    const CHILD_ENV: &str = "MARVIN_TEST_LEDGER_WRITER";

    /// Not a test on its own: the body of the child processes of
    /// `appends_from_several_processes_never_interleave`.
    #[test]
    #[ignore = "helper process for appends_from_several_processes_never_interleave"]
    fn ledger_writer_process() {
        let spec = std::env::var(CHILD_ENV).expect("run by the multi-process test");
        let (path, writer) = spec.split_once('|').unwrap();
        write_many(&Ledger::open(path), writer, 300);
    }

    #[test]
    fn appends_from_several_processes_never_interleave() {
        let path = temp_ledger("processes");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let writers: Vec<String> = (0..4).map(|n| format!("process{n}")).collect();
        let children: Vec<_> = writers
            .iter()
            .map(|writer| {
                Command::new(std::env::current_exe().unwrap())
                    .args([
                        "--ignored",
                        "--exact",
                        "cleanup::ledger::tests::ledger_writer_process",
                    ])
                    .arg("--nocapture")
                    .env(CHILD_ENV, format!("{}|{writer}", path.display()))
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut child in children {
            assert!(child.wait().unwrap().success());
        }
        assert_whole_lines(&path, &writers, 300);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn run_ids_are_stable_within_a_process() {
        assert_eq!(run_id(), run_id());
        assert!(!run_id().is_empty());
        let generated = generate_run_id();
        assert_eq!(
            generated.len(),
            "20250101T100000Z-1a2b3c4d".len(),
            "{generated}"
        );
        assert_ne!(generate_run_id(), generated);
    }

    #[test]
    fn records_name_their_cloud_without_credentials_and_old_ones_read_as_unknown() {
        let path = temp_ledger("endpoint");
        let ledger = Ledger::open(&path);
        let d = deletion("Network", "n1");
        ledger
            .record(
                Event::Created,
                "r1",
                "t",
                "HTTP://user:secret@Cloud-A.example:8080/client/api/?apiKey=k&signature=s",
                &d,
            )
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            !text.contains("secret") && !text.contains("apiKey") && !text.contains("signature"),
            "{text}"
        );
        let contents = ledger.read().unwrap();
        assert_eq!(contents.records[0].endpoint.as_deref(), Some(CLOUD));
        // A record of before endpoints were recorded.
        let old = r#"{"event":"created","run":"r0","test":"t","entity":"Network","id":"n0","deletion":{"entity":"Network","id":"n0","command":"deleteNetwork","is_async":false,"params":[["id","n0"]],"rank":50},"time":"2024-01-01T00:00:00Z","pid":1}"#;
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(format!("{old}\n").as_bytes())
            .unwrap();
        let contents = ledger.read().unwrap();
        assert_eq!(contents.malformed_lines, 0);
        assert_eq!(contents.records[1].endpoint, None);
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    #[test]
    fn endpoints_normalise_to_scheme_host_port_and_path() {
        for (given, normal) in [
            (
                "http://127.0.0.1:8080/client/api",
                "http://127.0.0.1:8080/client/api",
            ),
            (
                "http://127.0.0.1:8080/client/api/",
                "http://127.0.0.1:8080/client/api",
            ),
            (
                "https://Cloud.Example/client/api#x",
                "https://cloud.example:443/client/api",
            ),
            (
                "http://cloud.example:80/client/api",
                "http://cloud.example:80/client/api",
            ),
            (
                "  http://h:8096/client/api?command=x ",
                "http://h:8096/client/api",
            ),
            ("not a url?apiKey=k", "not a url"),
            ("weird://u:p@host/x", "weird://host/x"),
        ] {
            assert_eq!(normalized_endpoint(given), normal, "{given}");
        }
        assert_ne!(
            normalized_endpoint("http://h:8080/client/api"),
            normalized_endpoint("http://h:8081/client/api")
        );
    }

    #[test]
    fn the_same_id_on_two_clouds_is_two_resources() {
        let path = temp_ledger("two-clouds");
        let ledger = Ledger::open(&path);
        let d = deletion("Network", "n1");
        let other = "http://cloud-b.example:8080/client/api";
        ledger.record(Event::Created, "r1", "t", CLOUD, &d).unwrap();
        ledger.record(Event::Created, "r1", "t", other, &d).unwrap();
        // Deleted on B: still pending on A.
        ledger.record(Event::Deleted, "r1", "t", other, &d).unwrap();
        let contents = ledger.read().unwrap();
        let pending = contents.pending(None);
        assert_eq!(pending.len(), 1);
        assert_eq!(pending[0].endpoint.as_deref(), Some(CLOUD));
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }

    /// A directory tree for [`locate_ledger_from`], removed when dropped.
    struct Tree(PathBuf);

    impl Tree {
        fn new(name: &str) -> Self {
            let root = temp_ledger(name).parent().unwrap().to_path_buf();
            std::fs::create_dir_all(&root).unwrap();
            Self(root)
        }

        fn file(&self, path: &str, text: &str) -> &Self {
            let path = self.0.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
            self
        }

        fn dir(&self, path: &str) -> PathBuf {
            let path = self.0.join(path);
            std::fs::create_dir_all(&path).unwrap();
            path
        }
    }

    impl Drop for Tree {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<std::ffi::OsString> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.into())
    }

    #[test]
    fn the_ledger_is_in_the_target_directory_of_the_workspace_of_the_directory() {
        let tree = Tree::new("locate-workspace");
        tree.file("ws/Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\n")
            .file(
                "ws/crates/suite/Cargo.toml",
                "[package]\nname = \"suite\"\n# [workspace] in a comment does not count\n",
            );
        let root = tree.0.join("ws");
        let expected = root.join("target").join("marvin").join("ledger.jsonl");
        // From the workspace root, from a member (where cargo runs tests)
        // and from below it: one file.
        for dir in [
            tree.dir("ws"),
            tree.dir("ws/crates/suite"),
            tree.dir("ws/crates/suite/tests/it"),
        ] {
            let location = locate_ledger_from(&dir, env(&[]));
            assert_eq!(
                location,
                LedgerLocation::File {
                    path: expected.clone(),
                    origin: LedgerOrigin::Workspace(root.clone()),
                },
                "from {}",
                dir.display()
            );
        }
    }

    #[test]
    fn a_workspace_sub_table_marks_the_root_and_a_lone_package_is_its_own_root() {
        let tree = Tree::new("locate-lone");
        tree.file(
            "ws/Cargo.toml",
            "[package]\nname = \"x\"\n[workspace.dependencies]\n",
        )
        .file("ws/member/Cargo.toml", "[package]\nname = \"m\"\n")
        .file("lone/Cargo.toml", "[package]\nname = \"lone\"\n");
        let from_member = locate_ledger_from(&tree.dir("ws/member/src"), env(&[]));
        assert_eq!(
            from_member.path(),
            Some(tree.0.join("ws/target/marvin/ledger.jsonl").as_path())
        );
        let lone = locate_ledger_from(&tree.dir("lone/src"), env(&[]));
        assert_eq!(
            lone.path(),
            Some(tree.0.join("lone/target/marvin/ledger.jsonl").as_path())
        );
    }

    #[test]
    fn the_environment_overrides_and_relative_paths_start_at_the_workspace_root() {
        let tree = Tree::new("locate-env");
        tree.file("ws/Cargo.toml", "[workspace]\n")
            .file("ws/member/Cargo.toml", "[package]\nname = \"m\"\n");
        let member = tree.dir("ws/member");
        let root = tree.0.join("ws");
        assert_eq!(
            locate_ledger_from(&member, env(&[("CARGO_TARGET_DIR", "/elsewhere/target")])),
            LedgerLocation::File {
                path: PathBuf::from("/elsewhere/target/marvin/ledger.jsonl"),
                origin: LedgerOrigin::CargoTargetDir,
            }
        );
        assert_eq!(
            locate_ledger_from(&member, env(&[("CARGO_TARGET_DIR", "build")])).path(),
            Some(root.join("build/marvin/ledger.jsonl").as_path())
        );
        let explicit = locate_ledger_from(
            &member,
            env(&[
                ("MARVIN_LEDGER", "/tmp/mine.jsonl"),
                ("CARGO_TARGET_DIR", "/elsewhere"),
            ]),
        );
        assert_eq!(
            explicit,
            LedgerLocation::File {
                path: PathBuf::from("/tmp/mine.jsonl"),
                origin: LedgerOrigin::MarvinLedger,
            }
        );
        assert_eq!(
            locate_ledger_from(&member, env(&[("MARVIN_LEDGER", "ledgers/l.jsonl")])).path(),
            Some(root.join("ledgers/l.jsonl").as_path())
        );
        assert_eq!(
            locate_ledger_from(&member, env(&[("MARVIN_LEDGER", " OFF ")])),
            LedgerLocation::Off
        );
        // Empty values count as unset.
        assert_eq!(
            locate_ledger_from(
                &member,
                env(&[("MARVIN_LEDGER", ""), ("CARGO_TARGET_DIR", " ")])
            )
            .path(),
            Some(root.join("target/marvin/ledger.jsonl").as_path())
        );
    }

    #[test]
    fn outside_any_workspace_the_ledger_is_under_the_directory() {
        let tree = Tree::new("locate-none");
        let dir = tree.dir("plain");
        // The temp dir may sit under a Cargo.toml on odd machines; only
        // check when it does not.
        if workspace_root(&dir).is_none() {
            assert_eq!(
                locate_ledger_from(&dir, env(&[])),
                LedgerLocation::File {
                    path: dir.join("target/marvin/ledger.jsonl"),
                    origin: LedgerOrigin::NoWorkspace(dir.clone()),
                }
            );
        }
    }

    #[test]
    fn this_crates_tests_write_where_the_cli_reads() {
        // cargo runs this test in marvin-core/, inside the workspace.
        if std::env::var_os("MARVIN_LEDGER").is_none()
            && std::env::var_os("CARGO_TARGET_DIR").is_none()
        {
            let location = locate_ledger();
            let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
            let root = manifest_dir.parent().unwrap();
            assert_eq!(
                location.path(),
                Some(root.join("target/marvin/ledger.jsonl").as_path())
            );
        }
    }
}
