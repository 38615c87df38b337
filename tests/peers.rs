//! Peer checks: third-party CloudStack clients against the simulator.
//!
//! Each script in `tests/peers/` drives a simulator the way its users would,
//! configured only from the Marvin config file the simulator writes. The
//! Python `cs` client is installed from PyPI into `target/peer-venv` on first
//! use. Without Python or network the checks are skipped with a visible
//! reason, except under CI (`CI=true`), where that is a failure.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use marvin_simulator::{Simulator, SimulatorConfig};

mod python;
use python::{in_ci, workspace};

/// The venv's python with `cs` installed, or why it is not available.
fn python_with_cs() -> Result<PathBuf, String> {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    PYTHON
        .get_or_init(|| python::python_with("peer-venv", "cs", "cs==5.2.0"))
        .clone()
}

/// Runs one peer script against a fresh simulator.
fn run_peer_script(script: &str) {
    let python = match python_with_cs() {
        Ok(python) => python,
        Err(reason) if !in_ci() => {
            eprintln!("skipped: peer check {script} ({reason})");
            return;
        }
        Err(reason) => panic!("peer check {script} cannot run under CI: {reason}"),
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let simulator = runtime
        .block_on(Simulator::start(SimulatorConfig {
            job_delay: std::time::Duration::from_millis(5),
            ..Default::default()
        }))
        .expect("the simulator starts");
    let config =
        std::env::temp_dir().join(format!("marvin-peer-{}-{script}.json", std::process::id()));
    simulator.write_config(&config).expect("config written");
    let script_path = workspace().join("tests").join("peers").join(script);
    let output = Command::new(&python)
        .arg(&script_path)
        .arg(&config)
        .output()
        .expect("the peer script runs");
    let _ = std::fs::remove_file(&config);
    runtime.block_on(simulator.shutdown());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{script} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    eprint!("{stdout}");
}

#[test]
fn python_cs_manages_identity_and_gets_cloudstack_errors() {
    run_peer_script("cs_identity.py");
}

#[test]
fn python_cs_runs_a_vm_with_its_network_and_storage() {
    run_peer_script("cs_compute_network.py");
}

#[test]
fn python_cs_forwards_to_static_nat_and_secondary_addresses() {
    run_peer_script("cs_forwarding.py");
}

#[test]
fn python_cs_manages_roles_rules_regions_resource_details_and_storage_maintenance() {
    run_peer_script("cs_roles_regions_details.py");
}

#[test]
fn python_cs_runs_kubernetes_clusters_quota_tariffs_and_sees_system_vms() {
    run_peer_script("cs_kubernetes_quota_system.py");
}

/// A loopback address of this test alone (127.0.0.0/8 is all loopback on
/// Linux), so that the fixed ports of CloudStack's doors (8080, 5050,
/// 8096, 8888) never meet another test's or another run's.
fn own_loopback(test: u8) -> String {
    let pid = std::process::id();
    format!(
        "127.{}.{}.{}",
        100 + test,
        (pid >> 8) & 0xff,
        (pid % 254) + 1
    )
}

/// The fixed admin keys the CI doors tests start the simulator with.
const CI_API_KEY: &str = "ci-doors-api-key-0123456789";
const CI_SECRET_KEY: &str = "ci-doors-secret-key-9876543210";

/// A `marvin simulator` process of the built binary, killed when dropped;
/// its standard error (the request log) goes to `log`.
struct SimulatorProcess {
    child: std::process::Child,
    log: PathBuf,
}

impl SimulatorProcess {
    fn start(host: &str, args: &[&str]) -> Self {
        let log =
            std::env::temp_dir().join(format!("marvin-ci-doors-{}-{host}.log", std::process::id()));
        let stderr = std::fs::File::create(&log).expect("log file");
        let child = Command::new(env!("CARGO_BIN_EXE_marvin"))
            .arg("simulator")
            .args(["--host", host])
            .args(args)
            .env("MARVIN_ADMIN_API_KEY", CI_API_KEY)
            .env("MARVIN_ADMIN_SECRET_KEY", CI_SECRET_KEY)
            .env_remove("RUST_LOG")
            .stdout(std::process::Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("marvin simulator starts");
        Self { child, log }
    }

    /// Stops the process and returns its log.
    fn stop(mut self) -> String {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for SimulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

fn datacenter(name: &str) -> String {
    workspace()
        .join("testdata/cloudstack/datacenter")
        .join(name)
        .display()
        .to_string()
}

/// Runs `cs_ci_doors.py MODE HOST ZONES..` against a simulator process and
/// returns that process's log; skipped (outside CI) without Python.
fn drive_ci_doors(test: u8, args: &[&str], mode: &str, zones: &[&str]) -> Option<String> {
    let python = match python_with_cs() {
        Ok(python) => python,
        Err(reason) if !in_ci() => {
            eprintln!("skipped: CI doors check {mode} ({reason})");
            return None;
        }
        Err(reason) => panic!("CI doors check {mode} cannot run under CI: {reason}"),
    };
    let host = own_loopback(test);
    let simulator = SimulatorProcess::start(&host, args);
    let output = Command::new(&python)
        .arg(workspace().join("tests/peers/cs_ci_doors.py"))
        .arg(mode)
        .arg(&host)
        .args(zones)
        .output()
        .expect("the CI doors script runs");
    let log = simulator.stop();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cs_ci_doors.py {mode} failed\nstdout:\n{stdout}\nstderr:\n{stderr}\nsimulator log:\n{log}"
    );
    eprint!("{stdout}");
    Some(log)
}

/// The request log has a line per call with its command and caller, and
/// never a secret.
fn check_request_log(log: &str, calls: &[(&str, &str)]) {
    for (command, caller) in calls {
        assert!(
            log.lines()
                .any(|line| line.contains(&format!("command={command}"))
                    && line.contains(&format!("caller={caller}"))
                    && line.contains("status=")
                    && line.contains("duration_ms=")),
            "no request log line for {command} by {caller}:\n{log}"
        );
    }
    for secret in [CI_SECRET_KEY, "signature="] {
        assert!(!log.contains(secret), "the log shows {secret}:\n{log}");
    }
}

#[test]
fn cloudstack_ports_serve_the_java_simulators_ci_set_up_with_advanced_cfg() {
    let cfg = datacenter("advanced.cfg");
    let args = ["--cloudstack-ports", "--deploy", cfg.as_str()];
    let Some(log) = drive_ci_doors(1, &args, "cloudstack", &["Sandbox-simulator"]) else {
        return;
    };
    check_request_log(
        &log,
        &[
            ("login", "anonymous (Anonymous)"),
            ("getUserKeys", "admin (Session)"),
            ("registerUserKeys", "admin (Session)"),
            ("getUserKeys", "admin (Integration)"),
            ("listZones", "admin (Key)"),
        ],
    );
}

#[test]
fn ansible_test_container_doors_hold_admin_json_until_the_zones_are_ready() {
    // Without --deploy the mode deploys the Ansible container's own
    // zones.cfg: a Basic zone (security groups, pod-scoped guest range) and
    // an Advanced one, both ready before /admin.json answers.
    let args = ["--ansible-test-container"];
    drive_ci_doors(
        2,
        &args,
        "ansible",
        &["Sandbox-simulator-advanced", "Sandbox-simulator-basic"],
    );
}

#[test]
fn ansible_test_container_mode_also_deploys_a_named_cfg() {
    // --deploy replaces the container's zones.cfg (here the bundled
    // advdualzone.cfg, named as --deploy knows it).
    let args = ["--ansible-test-container", "--deploy", "advdualzone"];
    drive_ci_doors(5, &args, "ansible", &["zim1", "zim2"]);
}

/// `marvin deploy` with CloudStack's advdualzone.cfg as it is, aimed (as
/// Python Marvin would be) by a config with `"user": "root"`, port 8096 and
/// no keys: unsigned calls to the integration port.
#[test]
fn marvin_deploy_takes_advdualzone_cfg_through_a_python_marvin_config() {
    let host = own_loopback(3);
    let simulator = SimulatorProcess::start(&host, &["--cloudstack-ports"]);
    let target = std::env::temp_dir().join(format!("marvin-pymarvin-{}.json", std::process::id()));
    let config = serde_json::json!({"mgtSvr": [{
        "mgtSvrIp": host, "port": 8096, "user": "root", "passwd": "password",
        "hypervisor": "simulator", "useHttps": "False", "certCAPath": "NA", "certPath": "NA"
    }]});
    std::fs::write(&target, config.to_string()).expect("config written");
    // The readiness poll of a container health check: `--probe` until 200.
    let probe = || {
        Command::new(env!("CARGO_BIN_EXE_marvin"))
            .args(["simulator", "--probe", "--host", &host])
            .output()
            .expect("marvin simulator --probe runs")
    };
    let mut answers = 0;
    while !probe().status.success() {
        answers += 1;
        assert!(answers < 400, "the simulator did not become ready");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = Command::new(env!("CARGO_BIN_EXE_marvin"))
        .args([
            "deploy",
            "--config",
            &datacenter("advdualzone.cfg"),
            "--target",
        ])
        .arg(&target)
        .output()
        .expect("marvin deploy runs");
    let (ok, stdout, stderr) = (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    let _ = std::fs::remove_file(&target);
    let log = simulator.stop();
    assert!(
        ok,
        "marvin deploy failed\n{stdout}\n{stderr}\nsimulator log:\n{log}"
    );
    assert!(
        stdout.contains("zone zim1 is enabled") && stdout.contains("zone zim2 is enabled"),
        "{stdout}"
    );
    check_request_log(
        &log,
        &[
            ("createZone", "admin (Integration)"),
            ("addHost", "admin (Integration)"),
        ],
    );
}

/// Installs Apache Libcloud into the peer venv, beside `cs`, on first use,
/// or says why it is not available.
fn install_libcloud() -> Result<(), String> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    INSTALLED
        .get_or_init(|| {
            python_with_cs()?;
            python::python_with("peer-venv", "libcloud", "apache-libcloud==3.9.1").map(|_| ())
        })
        .clone()
}

#[test]
fn libcloud_drives_nodes_addresses_storage_keys_tags_and_vpcs() {
    match install_libcloud() {
        Ok(()) => run_peer_script("libcloud_cloudstack.py"),
        Err(reason) if !in_ci() => eprintln!("skipped: Libcloud peer check ({reason})"),
        Err(reason) => panic!("the Libcloud peer check cannot run under CI: {reason}"),
    }
}

/// The datacenters `marvin simulator --deploy NAME` carries are the files
/// the tests deploy from `testdata` (CloudStack's and the Ansible
/// container's, as they are).
#[test]
fn bundled_datacenters_are_the_testdata_files() {
    for (bundled, testdata) in [
        ("advanced.cfg", "advanced.cfg"),
        ("advdualzone.cfg", "advdualzone.cfg"),
        (
            "ansible-test-container-zones.cfg",
            "ansible-test-container-zones.cfg",
        ),
    ] {
        let read = |path: PathBuf| std::fs::read(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        assert!(
            read(workspace().join("src/cli/datacenters").join(bundled))
                == read(
                    workspace()
                        .join("testdata/cloudstack/datacenter")
                        .join(testdata)
                ),
            "src/cli/datacenters/{bundled} differs from testdata/cloudstack/datacenter/{testdata}"
        );
    }
}

#[test]
fn python_cs_binds_certificates_and_runs_autoscale_groups() {
    run_peer_script("cs_lb_autoscale.py");
}

/// `--write-config` writes the Marvin config and, beside it, the ini the
/// Python `cs` client reads (`CLOUDSTACK_CONFIG`), both owner-only.
#[test]
fn write_config_also_writes_a_cs_ini_that_cs_reads() {
    let python = match python_with_cs() {
        Ok(python) => python,
        Err(reason) if !in_ci() => {
            eprintln!("skipped: the cs ini check ({reason})");
            return;
        }
        Err(reason) => panic!("the cs ini check cannot run under CI: {reason}"),
    };
    let host = own_loopback(4);
    let dir = std::env::temp_dir().join(format!("marvin-cs-ini-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let json = dir.join("cloud.json");
    let ini = dir.join("cloud.ini");
    let simulator = SimulatorProcess::start(
        &host,
        &[
            "--cloudstack-ports",
            "--deploy",
            "advanced",
            "--write-config",
            json.to_str().expect("a UTF-8 path"),
        ],
    );
    let mut tries = 0;
    while !Command::new(env!("CARGO_BIN_EXE_marvin"))
        .args(["simulator", "--probe", "--host", &host])
        .output()
        .expect("marvin simulator --probe runs")
        .status
        .success()
    {
        tries += 1;
        assert!(tries < 400, "the simulator did not become ready");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let output = Command::new(&python)
        .args([
            "-c",
            "from cs import CloudStack, read_config\n\
             zones = CloudStack(**read_config()).listZones()['zone']\n\
             print(','.join(z['name'] for z in zones))",
        ])
        .env("CLOUDSTACK_CONFIG", &ini)
        .env_remove("CLOUDSTACK_ENDPOINT")
        .env_remove("CLOUDSTACK_KEY")
        .env_remove("CLOUDSTACK_SECRET")
        .output()
        .expect("python runs");
    let log = simulator.stop();
    assert!(
        output.status.success(),
        "cs with the ini failed: {}\n{log}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "Sandbox-simulator"
    );
    let text = std::fs::read_to_string(&ini).expect("the ini");
    for line in [
        "[cloudstack]",
        "[core]",
        "profile = marvin",
        "[marvin]",
        &format!("endpoint = http://{host}:8080/client/api"),
        &format!("key = {CI_API_KEY}"),
        "username = admin",
    ] {
        assert!(text.lines().any(|l| l == line), "no `{line}` in:\n{text}");
    }
    #[cfg(unix)]
    for path in [&json, &ini] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .expect("written")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{}", path.display());
    }
    let _ = std::fs::remove_dir_all(&dir);
}
