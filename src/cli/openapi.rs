//! `marvin openapi`: the OpenAPI 3.1 document of a `listApis` snapshot, or
//! the changes between two snapshots (`--diff OLD NEW`).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use marvin_core::openapi::{self, diff};
use marvin_core::schema::ApiList;

use super::CliError;

/// Arguments of `marvin openapi`.
#[derive(Debug, clap::Args)]
pub struct OpenApiArgs {
    /// The listApis snapshot to describe (default: the precache the
    /// simulator serves).
    #[arg(long, conflicts_with = "diff")]
    precache: Option<PathBuf>,
    /// The CloudStack version the document names (`info.version`).
    #[arg(long = "api-version", default_value = "snapshot")]
    api_version: String,
    /// Compare two snapshots instead: APIs, parameters and answer fields
    /// added, removed, made required or retyped. Exits with 6 when a change
    /// breaks clients of OLD.
    #[arg(long, num_args = 2, value_names = ["OLD", "NEW"])]
    diff: Option<Vec<PathBuf>>,
    /// With --diff: the changes as JSON rather than text.
    #[arg(long, requires = "diff")]
    json: bool,
    /// Where to write the output (default: standard output).
    #[arg(short, long)]
    output: Option<PathBuf>,
}

fn read(path: &Path) -> Result<ApiList, CliError> {
    let text = std::fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    ApiList::from_json(&text).map_err(|e| CliError::Usage(format!("{}: {e}", path.display())))
}

fn write(output: Option<&Path>, text: &str) -> Result<(), CliError> {
    match output {
        Some(path) => std::fs::write(path, text).map_err(|source| CliError::Io {
            path: path.to_path_buf(),
            source,
        }),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|source| CliError::Io {
                path: "<stdout>".into(),
                source,
            }),
    }
}

/// Runs `marvin openapi`.
pub fn run(args: OpenApiArgs) -> Result<(), CliError> {
    if let Some(paths) = &args.diff {
        let (old, new) = (read(&paths[0])?, read(&paths[1])?);
        let changes = diff::diff(&old, &new);
        let text = if args.json {
            diff::render_json(&changes)
        } else {
            diff::render_text(&changes)
        };
        write(args.output.as_deref(), &text)?;
        let breaking = changes.iter().filter(|c| c.breaking).count();
        return match breaking {
            0 => Ok(()),
            n => Err(CliError::Breaking(n)),
        };
    }
    let list = match &args.precache {
        Some(path) => read(path)?,
        None => ApiList::from_json(marvin_simulator::catalog::PRECACHE)
            .map_err(|e| CliError::Usage(format!("the embedded precache: {e}")))?,
    };
    let document = openapi::document(&list, &args.api_version);
    let mut text = serde_json::to_string_pretty(&document).expect("JSON values serialise");
    text.push('\n');
    write(args.output.as_deref(), &text)?;
    if let Some(path) = &args.output {
        eprintln!("wrote {} operations to {}", list.api.len(), path.display());
    }
    Ok(())
}
