//! `marvin openapi`: the documents of the three snapshots the repository
//! holds pass `openapi-spec-validator` (installed from PyPI into
//! `target/openapi-venv` on first use; without Python or network the check
//! is skipped with a visible reason, except under CI, where that is a
//! failure), and `--diff` finds the real changes from 4.18 to 4.22.

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

mod python;
use python::{in_ci, workspace};

/// The validator's version, pinned so that a new release cannot change the
/// verdict unseen.
const VALIDATOR: &str = "openapi-spec-validator==0.9.0";

/// The venv's python with the validator installed, or why it is not there.
fn python_with_validator() -> Result<PathBuf, String> {
    python::python_with("openapi-venv", "openapi_spec_validator", VALIDATOR)
}

fn marvin(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_marvin"))
        .args(args)
        .current_dir(workspace())
        .output()
        .expect("marvin runs")
}

fn snapshot(name: &str) -> String {
    workspace()
        .join(name)
        .to_str()
        .expect("a UTF-8 path")
        .to_string()
}

const SNAPSHOTS: &[(&str, &str)] = &[
    ("api-precache.json", "precache"),
    ("testdata/cloudstack/listApis-4.18.json", "4.18"),
    ("testdata/cloudstack/listApis-4.22.json", "4.22"),
];

#[test]
fn documents_of_all_three_snapshots_pass_the_validator() {
    let dir = workspace().join("target").join("openapi-docs");
    std::fs::create_dir_all(&dir).unwrap();
    let mut outputs = Vec::new();
    for (file, version) in SNAPSHOTS {
        let output = dir.join(format!("{version}.json"));
        let out = output.to_str().unwrap();
        let run = marvin(&[
            "openapi",
            "--precache",
            &snapshot(file),
            "--api-version",
            version,
            "-o",
            out,
        ]);
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        assert_eq!(doc["info"]["version"], *version);
        outputs.push(output);
    }
    let python = match python_with_validator() {
        Ok(python) => python,
        Err(reason) if !in_ci() => {
            eprintln!("skipped: openapi-spec-validator ({reason})");
            return;
        }
        Err(reason) => panic!("openapi-spec-validator cannot run under CI: {reason}"),
    };
    let script = "import json, sys\n\
        from openapi_spec_validator import validate\n\
        for path in sys.argv[1:]:\n\
        \x20   validate(json.load(open(path)))\n\
        \x20   print('valid', path)\n";
    let run = Command::new(python)
        .args(["-c", script])
        .args(&outputs)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        stdout.matches("valid ").count(),
        SNAPSHOTS.len(),
        "{stdout}"
    );
}

#[test]
fn an_invalid_document_fails_the_validator() {
    // The check above can fail: a document with a dangling reference does.
    let Ok(python) = python_with_validator() else {
        return;
    };
    let dir = workspace().join("target").join("openapi-docs");
    std::fs::create_dir_all(&dir).unwrap();
    let broken = dir.join("broken.json");
    std::fs::write(
        &broken,
        r##"{"openapi":"3.1.0","info":{"title":"x","version":"1"},"paths":{"/a":{"get":
            {"responses":{"200":{"$ref":"#/components/responses/Missing"}}}}}}"##,
    )
    .unwrap();
    let run = Command::new(python)
        .args([
            "-c",
            "import json, sys\nfrom openapi_spec_validator import validate\nvalidate(json.load(open(sys.argv[1])))",
        ])
        .arg(&broken)
        .output()
        .unwrap();
    assert!(!run.status.success());
}

fn has_api(file: &str, api: &str) -> bool {
    let text = std::fs::read_to_string(snapshot(file)).unwrap();
    let list = marvin_core::schema::ApiList::from_json(&text).unwrap();
    list.find(api).is_some()
}

#[test]
fn diff_from_4_18_to_4_22_finds_the_real_changes_and_fails() {
    let (old, new) = (
        snapshot("testdata/cloudstack/listApis-4.18.json"),
        snapshot("testdata/cloudstack/listApis-4.22.json"),
    );
    // The facts, read from the snapshots themselves.
    assert!(has_api(
        "testdata/cloudstack/listApis-4.18.json",
        "addCiscoAsa1000vResource"
    ));
    assert!(!has_api(
        "testdata/cloudstack/listApis-4.22.json",
        "addCiscoAsa1000vResource"
    ));
    assert!(!has_api(
        "testdata/cloudstack/listApis-4.18.json",
        "addBackupRepository"
    ));

    let text = marvin(&["openapi", "--diff", &old, &new]);
    assert_eq!(text.status.code(), Some(6), "breaking changes fail the run");
    let out = String::from_utf8_lossy(&text.stdout);
    for line in [
        "! API removed: addCiscoAsa1000vResource\n",
        "  API added: addBackupRepository\n",
        "! parameter made required: isAccountAllowedToCreateOfferingsWithTags id\n",
        "  parameter added: deployVirtualMachine leaseduration (integer)\n",
        "! field removed: listStaticRoutes gatewayid\n",
        "! field retyped: findHostsForMigration memoryallocated (string -> long)\n",
    ] {
        assert!(out.contains(line), "missing {line:?}");
    }
    // A snapshot that only names types another way (uuid, date as string)
    // is not a retyping.
    assert!(!out.contains("(uuid -> string)"));

    let json = marvin(&["openapi", "--diff", &old, &new, "--json"]);
    assert_eq!(json.status.code(), Some(6));
    let doc: Value = serde_json::from_slice(&json.stdout).unwrap();
    let changes = doc["changes"].as_array().unwrap();
    assert_eq!(
        doc["breaking"],
        changes.iter().filter(|c| c["breaking"] == true).count()
    );
    let required = changes
        .iter()
        .find(|c| c["what"] == "param-required")
        .unwrap();
    assert_eq!(required["api"], "isAccountAllowedToCreateOfferingsWithTags");
    assert_eq!(required["item"], "id");

    let same = marvin(&["openapi", "--diff", &new, &new]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&same.stdout),
        "0 changes, 0 breaking\n"
    );
}
