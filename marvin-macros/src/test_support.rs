//! Shared test inputs: the two real schemas, read once from the
//! repository's `testdata/cloudstack/`.

use std::path::PathBuf;
use std::sync::OnceLock;

use marvin_core::schema::ApiList;

/// The workspace root (the parent of this crate's directory).
pub(crate) fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate lives in the workspace")
        .to_path_buf()
}

fn read(file: &str) -> ApiList {
    let path = workspace_root().join("testdata/cloudstack").join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    ApiList::from_json(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

/// The 828-API CloudStack 4.22 schema rebuilt from cloudstack-go.
pub(crate) fn schema_422() -> &'static ApiList {
    static SCHEMA: OnceLock<ApiList> = OnceLock::new();
    SCHEMA.get_or_init(|| read("listApis-4.22.json"))
}

/// The real 705-API CloudStack 4.18 answer, with its quirks.
pub(crate) fn schema_418() -> &'static ApiList {
    static SCHEMA: OnceLock<ApiList> = OnceLock::new();
    SCHEMA.get_or_init(|| read("listApis-4.18.json"))
}
