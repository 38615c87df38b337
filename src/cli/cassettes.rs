//! `marvin cassettes DIR`: checks a directory of recorded cassettes before
//! it is committed or shared: every file reads as a cassette, and none
//! still holds a secret (`scrub::scan_dir`).

use std::path::PathBuf;

use marvin_core::client::cassette::{CassetteFile, cassette_files, scrub};

use super::CliError;

/// Arguments of `marvin cassettes`.
#[derive(Debug, clap::Args)]
pub struct CassettesArgs {
    /// The directory of cassettes (what `--record DIR` wrote).
    dir: PathBuf,
}

pub fn run(args: &CassettesArgs) -> Result<(), CliError> {
    let files = cassette_files(&args.dir)?;
    let mut interactions = 0;
    for path in &files {
        interactions += CassetteFile::load(path)?.interactions.len();
    }
    let found = scrub::scan_dir(&args.dir)?;
    for (path, findings) in &found {
        for finding in findings {
            println!("{}: {finding}", path.display());
        }
    }
    let places: usize = found.iter().map(|(_, findings)| findings.len()).sum();
    println!(
        "{} cassette(s), {interactions} interaction(s) in {}: {}",
        files.len(),
        args.dir.display(),
        if places == 0 {
            "no secret left".to_owned()
        } else {
            format!("{places} secret(s) left in {} file(s)", found.len())
        }
    );
    if places > 0 {
        return Err(CliError::SecretsLeft(places));
    }
    Ok(())
}
