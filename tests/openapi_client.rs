//! A client generated from `marvin openapi`'s document talks to the
//! simulator: `openapi-python-client` (PyPI, pinned, in
//! `target/openapi-client-venv`) generates a Python package from the
//! document of the repository's precache, failing on any warning; the
//! package goes into a venv of its own (`target/openapi-client/venv`), and
//! `tests/python/openapi_client_zones.py` logs in with a session through the
//! generated `login` and lists the zones through the generated `listZones`.
//! Without Python or network that test is skipped with the reason, except
//! under CI (`CI=true`), where that is a failure. The second test makes the
//! same calls with `reqwest`, at the document's paths, without Python.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use marvin_simulator::{Simulator, SimulatorConfig};
use serde_json::{Value, json};

mod python;
use python::{in_ci, workspace};

/// The generator, pinned so that a new release cannot change the client
/// unseen.
const GENERATOR: &str = "openapi-python-client==0.29.1";

/// The generated client's runtime dependencies, pinned (within the ranges
/// its generated `setup.py` asks for).
const CLIENT_DEPENDENCIES: &[&str] = &["httpx==0.28.1", "attrs==26.1.0"];

/// The generated package's name.
const PACKAGE: &str = "cloudstack_openapi_client";

/// Skips the test outside CI, fails it under CI.
fn unavailable(what: &str, reason: &str) {
    if in_ci() {
        panic!("{what} cannot run under CI: {reason}");
    }
    eprintln!("skipped: {what} ({reason})");
}

fn run(command: &mut Command, what: &str) -> Result<String, String> {
    let output = command
        .output()
        .map_err(|error| format!("{what} did not start: {error}"))?;
    if !output.status.success() {
        return Err(format!(
            "{what} failed ({})\nstdout:\n{}\nstderr:\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Writes the document of the repository's precache with the `marvin`
/// binary; returns its number of operations.
fn write_document(path: &Path) -> usize {
    let precache = workspace().join("api-precache.json");
    let output = Command::new(env!("CARGO_BIN_EXE_marvin"))
        .arg("openapi")
        .arg("--precache")
        .arg(&precache)
        .arg("-o")
        .arg(path)
        .output()
        .expect("marvin runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc["paths"].as_object().expect("paths").len()
}

/// Generates the client into `dir/client` (replacing an earlier one);
/// the generator's own post-hooks (ruff) run from its venv.
fn generate(generator_python: &Path, document: &Path, dir: &Path) -> PathBuf {
    let config = dir.join("generator-config.json");
    let settings = json!({
        "project_name_override": "cloudstack-openapi-client",
        "package_name_override": PACKAGE,
        "package_version_override": "0.0.0",
    });
    std::fs::write(&config, settings.to_string()).unwrap();
    let output = dir.join("client");
    if output.exists() {
        std::fs::remove_dir_all(&output).unwrap();
    }
    let bin = generator_python.parent().expect("the venv's bin");
    let path = std::env::join_paths(std::iter::once(bin.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let log = run(
        Command::new(bin.join("openapi-python-client"))
            .arg("generate")
            .arg("--path")
            .arg(document)
            .arg("--output-path")
            .arg(&output)
            .args(["--meta", "setup", "--fail-on-warning", "--config"])
            .arg(&config)
            .env("PATH", path),
        "openapi-python-client generate",
    )
    .unwrap_or_else(|error| panic!("{error}"));
    assert!(!log.contains("Warning"), "{log}");
    output
}

/// The generated operations: one module per operation under `api/<tag>/`.
fn generated_operations(client: &Path) -> usize {
    let api = client.join(PACKAGE).join("api");
    let mut count = 0;
    for tag in std::fs::read_dir(&api).expect("the generated api package") {
        let tag = tag.unwrap().path();
        if !tag.is_dir() {
            continue;
        }
        count += std::fs::read_dir(&tag)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|file| {
                file.extension().is_some_and(|e| e == "py")
                    && file.file_name().is_some_and(|n| n != "__init__.py")
            })
            .count();
    }
    count
}

/// A fresh venv with the generated client and its pinned dependencies.
fn install_client(dir: &Path, client: &Path) -> Result<PathBuf, String> {
    let venv = dir.join("venv");
    if venv.exists() {
        std::fs::remove_dir_all(&venv).unwrap();
    }
    run(
        Command::new("python3").args(["-m", "venv"]).arg(&venv),
        "python3 -m venv",
    )?;
    let python = venv.join("bin").join("python");
    run(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
            ])
            .args(CLIENT_DEPENDENCIES)
            .arg(client),
        "pip install of the generated client (no network to PyPI?)",
    )?;
    Ok(python)
}

/// `(id, name)` of every zone in a `listZones` answer's items.
fn zone_names(items: &Value) -> BTreeSet<(String, String)> {
    items
        .as_array()
        .expect("a zone list")
        .iter()
        .map(|zone| {
            (
                zone["id"].as_str().expect("an id").to_string(),
                zone["name"].as_str().expect("a name").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_generated_python_client_logs_in_and_lists_the_zones() {
    let generator =
        match python::python_with("openapi-client-venv", "openapi_python_client", GENERATOR) {
            Ok(python) => python,
            Err(reason) => return unavailable("openapi-python-client", &reason),
        };
    let dir = workspace().join("target").join("openapi-client");
    std::fs::create_dir_all(&dir).unwrap();
    let document = dir.join("cloudstack.json");
    let operations = write_document(&document);
    let client = generate(&generator, &document, &dir);
    assert_eq!(
        generated_operations(&client),
        operations,
        "one generated function module per operation of the document"
    );
    let python = match install_client(&dir, &client) {
        Ok(python) => python,
        Err(reason) => return unavailable("the generated client's venv", &reason),
    };

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let simulator = runtime
        .block_on(Simulator::start(SimulatorConfig::default()))
        .expect("the simulator starts");
    // A zone of this test's own, beside the seeded ones.
    let created = simulator
        .call_as_admin(
            "createZone",
            &[
                ("name", "Zone of the generated client"),
                ("dns1", "192.0.2.53"),
                ("internaldns1", "192.0.2.54"),
                ("networktype", "Advanced"),
            ],
        )
        .expect("createZone");
    let created_id = created["zone"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("createZone answered {created}"))
        .to_string();
    let listed = simulator
        .call_as_admin("listZones", &[])
        .expect("listZones as the admin");
    let expected = zone_names(&listed["zone"]);

    let config =
        std::env::temp_dir().join(format!("marvin-openapi-client-{}.json", std::process::id()));
    simulator.write_config(&config).expect("config written");
    let outcome = run(
        Command::new(&python)
            .arg(workspace().join("tests/python/openapi_client_zones.py"))
            .arg(&config)
            .arg(PACKAGE),
        "openapi_client_zones.py",
    );
    let _ = std::fs::remove_file(&config);
    runtime.block_on(simulator.shutdown());
    let stdout = outcome.unwrap_or_else(|error| panic!("{error}"));

    let answer: Value = serde_json::from_str(stdout.trim()).expect("the script's JSON");
    let zones = zone_names(&answer["zones"]);
    assert_eq!(zones, expected, "the generated client's zones");
    assert!(
        zones.iter().any(|(id, _)| *id == created_id),
        "the created zone is listed"
    );
    assert_eq!(answer["count"], json!(expected.len()));
    assert_eq!(answer["refused"], 401, "listZones without the session key");
    eprintln!(
        "generated {operations} operations; listZones through the client: {} zones",
        zones.len()
    );
}

/// The `JSESSIONID` cookie of a response's `Set-Cookie` headers.
fn jsessionid(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|cookie| cookie.strip_prefix("JSESSIONID="))
        .and_then(|rest| rest.split(';').next())
        .expect("login sets JSESSIONID")
        .to_string()
}

#[test]
fn the_documents_paths_and_login_answer_are_what_the_simulator_answers() {
    // Without Python: the document's server URL and paths, its methods, and
    // its schema of login's answer, against the simulator over HTTP.
    let dir = workspace().join("target").join("openapi-client");
    std::fs::create_dir_all(&dir).unwrap();
    let document = dir.join("cloudstack-paths.json");
    write_document(&document);
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&document).unwrap()).unwrap();
    let server = doc["servers"][0]["url"].as_str().expect("a server URL");
    assert!(doc["paths"]["/login"]["post"].is_object());
    assert!(doc["paths"]["/listZones"]["get"].is_object());
    let answer = &doc["paths"]["/login"]["post"]["responses"]["200"]["content"]["application/json"]
        ["schema"]["properties"]["loginresponse"]["$ref"];
    let session = answer
        .as_str()
        .expect("a reference")
        .rsplit('/')
        .next()
        .unwrap();
    let fields = doc["components"]["schemas"][session]["properties"]
        .as_object()
        .expect("the session's fields");

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let simulator = Simulator::start(SimulatorConfig::default())
            .await
            .expect("the simulator starts");
        let base = format!("http://{}{server}", simulator.addr());
        let http = reqwest::Client::new();
        let login = http
            .post(format!("{base}/login?command=login&response=json"))
            .form(&[
                ("username", simulator.admin_username()),
                ("password", simulator.admin_password()),
                ("domain", "/"),
            ])
            .send()
            .await
            .expect("login");
        assert_eq!(login.status(), 200);
        let cookie = jsessionid(&login);
        let body: Value = serde_json::from_str(&login.text().await.unwrap()).unwrap();
        let answered = body["loginresponse"].as_object().expect("loginresponse");
        for name in answered.keys() {
            assert!(
                fields.contains_key(name),
                "login answers {name}, which the document lacks"
            );
        }
        let key = answered["sessionkey"].as_str().expect("a session key");

        let zones = http
            .get(format!("{base}/listZones"))
            .query(&[
                ("command", "listZones"),
                ("response", "json"),
                ("sessionkey", key),
            ])
            .header(reqwest::header::COOKIE, format!("JSESSIONID={cookie}"))
            .send()
            .await
            .expect("listZones");
        assert_eq!(zones.status(), 200);
        let body: Value = serde_json::from_str(&zones.text().await.unwrap()).unwrap();
        let listed = simulator.call_as_admin("listZones", &[]).unwrap();
        assert_eq!(
            zone_names(&body["listzonesresponse"]["zone"]),
            zone_names(&listed["zone"])
        );
        // A path the document does not have is no API.
        let deeper = http
            .get(format!("{base}/listZones/deeper?command=listZones"))
            .send()
            .await
            .expect("a request");
        assert_eq!(deeper.status(), 404);
        simulator.shutdown().await;
    });
}
