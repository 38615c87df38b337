//! Where a simulator without a database file keeps its database: a private
//! directory under the system's temporary directory, readable by its owner
//! only (the database holds API secret keys and passwords), removed when
//! the engine is dropped.
//!
//! A process that ends without dropping its engine (killed, or an embedded
//! simulator that lives as long as its test process) leaves its directory
//! behind; the next process to start a simulator removes those of
//! processes that no longer run. The directory's name carries its process
//! id for that.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The start of every private directory's name.
const PREFIX: &str = "marvin-simulator-";

/// A new private directory (mode 0700). The first one a process makes
/// removes those of processes that have ended (once: a test process may
/// start many simulators).
pub(crate) fn directory() -> io::Result<tempfile::TempDir> {
    static SWEPT: std::sync::Once = std::sync::Once::new();
    let base = std::env::temp_dir();
    SWEPT.call_once(|| remove_abandoned(&base));
    let prefix = format!("{PREFIX}{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o700));
    }
    builder.tempdir_in(base)
}

/// Creates the database file readable by its owner only, when it does not
/// exist yet (SQLite would make it, and its `-wal` and `-shm` files, which
/// take the same permissions, readable by everyone).
pub(crate) fn create_owner_only(path: &Path) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Removes the private directories under `base` whose process has ended
/// (best effort: a directory that cannot be removed stays).
fn remove_abandoned(base: &Path) {
    let Ok(entries) = fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(owner_pid) else {
            continue;
        };
        if pid != std::process::id() && process_ended(pid) {
            let path: PathBuf = entry.path();
            if let Err(error) = fs::remove_dir_all(&path) {
                tracing::debug!(path = %path.display(), %error, "an abandoned simulator directory stays");
            }
        }
    }
}

/// The process id in a private directory's name.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix(PREFIX)?;
    let (pid, _random) = rest.split_once('-')?;
    pid.parse().ok()
}

/// Whether process `pid` no longer runs (known only where `/proc` is; elsewhere
/// nothing is ever taken for ended).
fn process_ended(pid: u32) -> bool {
    let proc = Path::new("/proc");
    proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_owner_process() {
        assert_eq!(owner_pid("marvin-simulator-4242-Ab3dEf"), Some(4242));
        assert_eq!(owner_pid("marvin-simulator-Ab3dEf"), None);
        assert_eq!(owner_pid("other-4242-Ab3dEf"), None);
    }

    #[test]
    fn directories_of_ended_processes_are_removed_and_others_kept() {
        let base = tempfile::tempdir().unwrap();
        // No process has this id (above the kernel's pid limit).
        let ended = base.path().join(format!("{PREFIX}4294967-abc"));
        let running = base
            .path()
            .join(format!("{PREFIX}{}-abc", std::process::id()));
        let unrelated = base.path().join("something-else-1-abc");
        for dir in [&ended, &running, &unrelated] {
            fs::create_dir(dir).unwrap();
            fs::write(dir.join("simulator.db"), b"x").unwrap();
        }
        remove_abandoned(base.path());
        if Path::new("/proc/self").exists() {
            assert!(!ended.exists());
        }
        assert!(running.exists());
        assert!(unrelated.exists());
    }

    #[cfg(unix)]
    #[test]
    fn the_directory_and_the_database_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = directory().unwrap();
        let mode = fs::metadata(dir.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let db = dir.path().join("simulator.db");
        create_owner_only(&db).unwrap();
        let mode = fs::metadata(&db).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
