//! `marvin simulator`: run the CloudStack-compatible simulator as a
//! standalone endpoint for any client, also behind the doors of CloudStack's
//! own simulator image (`--cloudstack-ports`) or of the Ansible test
//! container (`--ansible-test-container`), with datacenters deployed at
//! start (`--deploy`); see docs/ci.md.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use marvin_deploy::DataCenter;
use marvin_simulator::{AdminKeys, Simulator, SimulatorConfig};

use super::CliError;
use super::startup;

/// Arguments of `marvin simulator`.
#[derive(Debug, clap::Args)]
pub struct SimulatorArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// The API port (`/client/api`); 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Keep the state in this SQLite file (reused when it exists).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Also listen, without authentication, on this port (CloudStack's
    /// integration port, usually 8096); every caller there is the root admin.
    #[arg(long)]
    integration_port: Option<u16>,
    /// Run the fixture files of this directory after seeding.
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// Start bare, like a fresh install without any zone (for `marvin deploy`).
    #[arg(long)]
    empty: bool,
    /// How long async jobs stay pending, in milliseconds.
    #[arg(long, default_value_t = 15)]
    job_delay_ms: u64,
    /// Write a Marvin config file that clients can use to reach this
    /// simulator, and beside it (extension `.ini`) the settings of the
    /// Python `cs` client and CloudMonkey; both owner-only (0600).
    #[arg(long)]
    write_config: Option<PathBuf>,
    /// CloudStack's simulator image's doors: the API on --port (8080) and
    /// also on 5050, the integration port on 8096 (unless given), and a
    /// fresh install without zones (as --empty).
    #[arg(long)]
    cloudstack_ports: bool,
    /// The Ansible test container's doors: --cloudstack-ports, plus port
    /// 8888 serving the API and `/admin.json` (503 until ready), with that
    /// container's two zones deployed (unless --deploy names others).
    #[arg(long)]
    ansible_test_container: bool,
    /// Deploy this Marvin datacenter config (deployDataCenter's `-i`, for
    /// example CloudStack's setup/dev/advanced.cfg) at start, on a fresh
    /// install (as --empty); may be given more than once. A name that is no
    /// file may be one of the bundled copies: `advanced` and `advdualzone`
    /// (CloudStack's setup/dev files), `ansible-test-container` (that
    /// container's zones.cfg). `GET /` answers 503 until it is done.
    #[arg(long, value_name = "CFG", env = "MARVIN_DEPLOY", value_delimiter = ',')]
    deploy: Vec<PathBuf>,
    /// The root admin's API key, instead of a random one (with
    /// --admin-secret-key).
    #[arg(long, env = "MARVIN_ADMIN_API_KEY", requires = "admin_secret_key")]
    admin_api_key: Option<String>,
    /// The root admin's secret key, instead of a random one (with
    /// --admin-api-key). Prefer the environment variable: a command line
    /// is visible to other users of the machine.
    #[arg(
        long,
        env = "MARVIN_ADMIN_SECRET_KEY",
        hide_env_values = true,
        requires = "admin_api_key"
    )]
    admin_secret_key: Option<String>,
    /// Do not serve: ask a running simulator at --host/--port whether it is
    /// ready (`GET /`), exit 0 when it answers 200 and 1 otherwise (a
    /// container health check without curl).
    #[arg(long)]
    probe: bool,
    /// Do not serve: print every API the simulator answers and how (the
    /// family that models it, or generic from the schema), then the counts.
    #[arg(long)]
    coverage: bool,
}

/// The ports of CloudStack's simulator image.
const CLOUDSTACK_ALSO_PORT: u16 = 5050;
/// CloudStack's unauthenticated integration port.
const INTEGRATION_PORT: u16 = 8096;
/// The Ansible test container's front door.
const ANSIBLE_DOOR_PORT: u16 = 8888;
/// The Ansible test container's datacenter (its zones.cfg).
const ANSIBLE_ZONES: &str = include_str!("datacenters/ansible-test-container-zones.cfg");
/// The datacenters --deploy knows by name: CloudStack's setup/dev files (as
/// they are, licence header included) and the Ansible test container's.
const BUNDLED: [(&str, &str); 3] = [
    ("advanced", include_str!("datacenters/advanced.cfg")),
    ("advdualzone", include_str!("datacenters/advdualzone.cfg")),
    ("ansible-test-container", ANSIBLE_ZONES),
];

pub async fn run(args: SimulatorArgs) -> Result<(), CliError> {
    if args.coverage {
        return print_coverage();
    }
    if args.probe {
        return startup::probe(SocketAddr::new(args.host, args.port));
    }
    startup::init_request_log();
    let started = std::time::Instant::now();
    let datacenters = datacenters(&args)?;
    let doors = args.cloudstack_ports || args.ansible_test_container;
    let at = |port: u16| SocketAddr::new(args.host, port);
    let admin_keys = match (args.admin_api_key, args.admin_secret_key) {
        (Some(api_key), Some(secret_key)) => Some(AdminKeys {
            api_key,
            secret_key,
        }),
        _ => None,
    };
    let config = SimulatorConfig {
        bind: at(args.port),
        db_path: args.db,
        integration_bind: args
            .integration_port
            .or(doors.then_some(INTEGRATION_PORT))
            .map(at),
        job_delay: Duration::from_millis(args.job_delay_ms),
        empty: args.empty || doors || !datacenters.is_empty(),
        fixtures: args.fixtures,
        also_bind: if doors {
            vec![at(CLOUDSTACK_ALSO_PORT)]
        } else {
            Vec::new()
        },
        keys_door_bind: args.ansible_test_container.then(|| at(ANSIBLE_DOOR_PORT)),
        admin_keys,
        hold_ready: !datacenters.is_empty(),
        ..SimulatorConfig::default()
    };
    let simulator = Simulator::start(config)
        .await
        .map_err(|error| CliError::Usage(error.to_string()))?;
    if let Some(path) = &args.write_config {
        startup::write_configs(&simulator, path)?;
    }
    eprintln!("marvin simulator listening on {}", simulator.url());
    eprintln!(
        "API docs on http://{}/docs (OpenAPI: /client/api/openapi.json)",
        simulator.addr()
    );
    for addr in simulator.also_addrs() {
        eprintln!("the same API on http://{addr}/client/api");
    }
    if let Some(url) = simulator.integration_url() {
        eprintln!("integration port (no authentication) on {url}");
    }
    if let Some(addr) = simulator.keys_door_addr() {
        eprintln!("admin keys at http://{addr}/admin.json (503 until ready)");
    }
    eprintln!(
        "admin API key: {} (the secret key is in the written config)",
        simulator.api_key()
    );
    if let Err(error) = startup::deploy_all(&simulator, &datacenters).await {
        simulator.shutdown().await;
        return Err(error);
    }
    simulator.release();
    eprintln!(
        "ready in {} ms (GET http://{}/ answers 200)",
        started.elapsed().as_millis(),
        simulator.addr()
    );
    simulator.serve_until(startup::stop_signal()).await;
    Ok(())
}

/// The datacenters to deploy at start: --deploy's, else the Ansible test
/// container's own.
fn datacenters(args: &SimulatorArgs) -> Result<Vec<DataCenter>, CliError> {
    let deploy_error = |error: marvin_deploy::DeployError| CliError::Usage(error.to_string());
    if args.deploy.is_empty() && args.ansible_test_container {
        return Ok(vec![
            DataCenter::from_str_named(ANSIBLE_ZONES, "the Ansible test container's zones.cfg")
                .map_err(deploy_error)?,
        ]);
    }
    args.deploy
        .iter()
        .map(|path| {
            let bundled = BUNDLED
                .iter()
                .find(|(name, _)| !path.exists() && path.as_os_str() == *name);
            match bundled {
                Some((name, text)) => {
                    DataCenter::from_str_named(text, &format!("the bundled {name}.cfg"))
                }
                None => DataCenter::from_path(path),
            }
            .map_err(deploy_error)
        })
        .collect()
}

/// `--coverage`: one line per API (name, then `modeled by <family>` or
/// `generic`), then the totals.
fn print_coverage() -> Result<(), CliError> {
    use marvin_simulator::catalog::Level;
    let coverage = marvin_simulator::coverage().map_err(|e| CliError::Usage(e.to_string()))?;
    let width = coverage
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    let mut modeled = 0;
    for (name, level) in &coverage {
        let level = match level {
            Level::Modeled(family) => {
                modeled += 1;
                format!("modeled by {family}")
            }
            Level::Generic(_) => "generic".to_string(),
        };
        println!("{name:width$}  {level}");
    }
    println!(
        "{} APIs: {modeled} modeled, {} generic",
        coverage.len(),
        coverage.len() - modeled
    );
    Ok(())
}
