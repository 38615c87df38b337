//! What `marvin simulator` does around the simulator itself: the request
//! log, the written client settings, the datacenters deployed at start, the
//! readiness probe and the signals that stop it.

use std::io::{Read as _, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::path::Path;
use std::time::Duration;

use marvin_core::Client;
use marvin_deploy::{self as deploy, DataCenter};
use marvin_simulator::RunningSimulator;

use super::CliError;

/// The log filter when `RUST_LOG` is not set: the simulator's request log
/// (one line per API call: method, command, caller, status, duration) and
/// this command's own lines at info, everything else from warnings up.
const DEFAULT_LOG: &str = "warn,marvin_simulator=info,marvin=info";

/// Sends the log to standard error, filtered by `RUST_LOG` (default
/// [`DEFAULT_LOG`]). No parameter value is ever logged: the request log
/// names the command, the caller's account and how it authenticated.
pub fn init_request_log() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG));
    // A second initialisation (never in the CLI) keeps the first.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Writes the Marvin config to `path` and the cs/CloudMonkey ini beside it
/// (`path` with the extension `ini`), both owner-only.
pub fn write_configs(simulator: &RunningSimulator, path: &Path) -> Result<(), CliError> {
    let ini = path.with_extension("ini");
    if ini == path {
        return Err(CliError::Usage(format!(
            "--write-config {}: the Marvin config is JSON; the ini is written beside it with \
             the extension .ini, so name the JSON file otherwise",
            path.display()
        )));
    }
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CliError::Io { path, source }
    };
    simulator.write_config(path).map_err(io(path))?;
    simulator.write_client_ini(&ini).map_err(io(&ini))?;
    eprintln!(
        "wrote the client config to {} and the cs/cmk settings to {}",
        path.display(),
        ini.display()
    );
    Ok(())
}

/// Deploys each datacenter over the simulator's own API, signed with the
/// admin's keys, as `marvin deploy` would.
pub async fn deploy_all(
    simulator: &RunningSimulator,
    datacenters: &[DataCenter],
) -> Result<(), CliError> {
    if datacenters.is_empty() {
        return Ok(());
    }
    let client = Client::builder(simulator.url())
        .keys(simulator.api_key(), simulator.secret_key())
        .build()?;
    for datacenter in datacenters {
        let deployment = deploy::deploy(&client, datacenter, &mut |step| {
            tracing::debug!(%step, "deploy");
        })
        .await
        .map_err(|error| CliError::Deploy(error.to_string()))?;
        for (name, id) in &deployment.zones {
            eprintln!("zone {name} is enabled ({id})");
        }
    }
    Ok(())
}

/// Asks the simulator at `addr` whether it is ready (`GET /`): `Ok` on 200,
/// [`CliError::NotReady`] otherwise. An unspecified address (`0.0.0.0`,
/// what a container listens on) is asked on the loopback.
pub fn probe(addr: SocketAddr) -> Result<(), CliError> {
    let addr = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    };
    let not_ready = |why: String| CliError::NotReady(format!("{addr}: {why}"));
    let timeout = Duration::from_secs(5);
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).map_err(|e| not_ready(e.to_string()))?;
    stream
        .set_read_timeout(Some(timeout))
        .map_err(|e| not_ready(e.to_string()))?;
    stream
        .write_all(format!("GET / HTTP/1.0\r\nHost: {addr}\r\n\r\n").as_bytes())
        .map_err(|e| not_ready(e.to_string()))?;
    let mut answer = Vec::new();
    stream
        .take(64 * 1024)
        .read_to_end(&mut answer)
        .map_err(|e| not_ready(e.to_string()))?;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split_whitespace().nth(1).unwrap_or("");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("").trim();
    if status == "200" {
        println!("{body}");
        Ok(())
    } else {
        Err(not_ready(format!("answered {status}: {body}")))
    }
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what `docker stop` sends).
pub async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
