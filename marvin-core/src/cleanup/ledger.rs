//! The ledger: an append-only JSON-lines file of every resource a test
//! created, and of its end (deleted or kept), so that `marvin cleanup` can
//! find what a crashed or killed run left behind.
//!
//! One record per line:
//!
//! ```json
//! {"event":"created","run":"r1","test":"smoke::vm","entity":"VirtualMachine","id":"1f0c",
//!  "deletion":{"entity":"VirtualMachine","id":"1f0c","command":"destroyVirtualMachine",
//!  "is_async":true,"params":[["id","1f0c"],["expunge","true"]],"rank":80},
//!  "time":"2025-01-01T10:00:00.123Z","pid":4242}
//! ```
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

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

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
    /// The entity name (`VirtualMachine`).
    pub entity: String,
    /// The resource's id.
    pub id: String,
    /// How to delete it (on `created` records).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion: Option<Deletion>,
    /// When the record was written (RFC 3339, UTC).
    pub time: String,
    /// The process that wrote it.
    pub pid: u32,
}

impl LedgerRecord {
    /// A record stamped with the current time and process.
    pub fn new(event: Event, run: &str, test: &str, deletion: &Deletion) -> Self {
        Self {
            event,
            run: run.to_string(),
            test: test.to_string(),
            entity: deletion.entity.clone(),
            id: deletion.id.clone(),
            deletion: (event == Event::Created).then(|| deletion.clone()),
            time: now_rfc3339(),
            pid: std::process::id(),
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
        /// The record's id.
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

    /// The ledger of this process, at [`default_path`] (shared).
    pub fn global() -> Arc<Ledger> {
        static GLOBAL: OnceLock<Arc<Ledger>> = OnceLock::new();
        Arc::clone(GLOBAL.get_or_init(|| Arc::new(Ledger::open(default_path()))))
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
                id: record.id.clone(),
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

    /// Appends a record of `event` for `deletion`'s resource.
    pub fn record(
        &self,
        event: Event,
        run: &str,
        test: &str,
        deletion: &Deletion,
    ) -> Result<(), LedgerError> {
        self.append(&LedgerRecord::new(event, run, test, deletion))
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
    /// A resource is identified by entity and id; its latest record decides.
    pub fn pending(&self, run: Option<&str>) -> Vec<&LedgerRecord> {
        let mut latest: std::collections::HashMap<(&str, &str), (usize, Event)> =
            std::collections::HashMap::new();
        for (index, record) in self.records.iter().enumerate() {
            let key = (record.entity.as_str(), record.id.as_str());
            latest.insert(key, (index, record.event));
        }
        let mut created: std::collections::HashMap<(&str, &str), usize> =
            std::collections::HashMap::new();
        for (index, record) in self.records.iter().enumerate() {
            if record.event == Event::Created && record.deletion.is_some() {
                created.insert((record.entity.as_str(), record.id.as_str()), index);
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
            Err(_) => contents.malformed_lines += 1,
        }
    }
    Ok(contents)
}

/// Where the ledger is, in order: `$MARVIN_LEDGER`; else
/// `marvin/ledger.jsonl` in the Cargo target directory (`$CARGO_TARGET_DIR`,
/// or the `target` directory the running executable was built in, found by
/// its `CACHEDIR.TAG`); else `target/marvin/ledger.jsonl` under the nearest
/// directory above the current one that has a `Cargo.lock` (the workspace
/// root); else under the current directory.
pub fn default_path() -> PathBuf {
    if let Some(path) = std::env::var_os("MARVIN_LEDGER").filter(|p| !p.is_empty()) {
        return PathBuf::from(path);
    }
    let in_target = |target: &Path| target.join("marvin").join("ledger.jsonl");
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|p| !p.is_empty()) {
        let dir = PathBuf::from(dir);
        let dir = if dir.is_relative() {
            std::env::current_dir()
                .map(|cwd| cwd.join(&dir))
                .unwrap_or(dir)
        } else {
            dir
        };
        return in_target(&dir);
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(target) = exe
            .ancestors()
            .skip(1)
            .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        {
            return in_target(target);
        }
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let root = cwd
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .unwrap_or(&cwd);
    in_target(&root.join("target"))
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

    #[test]
    fn records_round_trip_as_single_lines() {
        let path = temp_ledger("round-trip");
        let ledger = Ledger::open(&path);
        let d = deletion("Network", "n1").param("forced", "true");
        ledger.record(Event::Created, "r1", "t::a", &d).unwrap();
        ledger.record(Event::Deleted, "r1", "t::a", &d).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["event"], "created");
        assert_eq!(first["run"], "r1");
        assert_eq!(first["test"], "t::a");
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
        ledger.record(Event::Created, "r1", "t", &a).unwrap();
        ledger.record(Event::Created, "r1", "t", &b).unwrap();
        ledger.record(Event::Created, "r2", "t", &c).unwrap();
        ledger.record(Event::Created, "r2", "t", &d).unwrap();
        ledger.record(Event::Deleted, "r1", "t", &b).unwrap();
        ledger.record(Event::Kept, "r2", "t", &d).unwrap();
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
    fn a_missing_ledger_reads_as_empty() {
        let contents = Ledger::open(temp_ledger("missing")).read().unwrap();
        assert_eq!(contents, LedgerContents::default());
    }

    #[test]
    fn oversized_records_are_refused_whole() {
        let path = temp_ledger("large");
        let ledger = Ledger::open(&path);
        let big = deletion("Vm", "x").param("userdata", &"a".repeat(5000));
        let error = ledger.record(Event::Created, "r", "t", &big).unwrap_err();
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
                .record(Event::Created, "concurrent", writer, &d)
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
    fn the_default_path_is_in_the_target_directory() {
        // Test executables live in <target>/debug/deps, next to CACHEDIR.TAG.
        let path = default_path();
        if std::env::var_os("MARVIN_LEDGER").is_none() {
            assert!(path.ends_with("marvin/ledger.jsonl"), "{}", path.display());
            let target = path.parent().unwrap().parent().unwrap();
            assert!(
                target.join("CACHEDIR.TAG").is_file()
                    || std::env::var_os("CARGO_TARGET_DIR").is_some()
            );
        }
    }
}
