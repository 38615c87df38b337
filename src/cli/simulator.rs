//! `marvin simulator`: run the CloudStack-compatible simulator as a
//! standalone endpoint for any client.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use marvin_simulator::{Simulator, SimulatorConfig};

use super::CliError;

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
    /// Write a Marvin config file that clients can use to reach this simulator.
    #[arg(long)]
    write_config: Option<PathBuf>,
}

pub async fn run(args: SimulatorArgs) -> Result<(), CliError> {
    let config = SimulatorConfig {
        bind: SocketAddr::new(args.host, args.port),
        db_path: args.db,
        integration_bind: args
            .integration_port
            .map(|port| SocketAddr::new(args.host, port)),
        job_delay: Duration::from_millis(args.job_delay_ms),
        empty: args.empty,
        fixtures: args.fixtures,
        ..SimulatorConfig::default()
    };
    let simulator = Simulator::start(config)
        .await
        .map_err(|error| CliError::Usage(error.to_string()))?;
    if let Some(path) = &args.write_config {
        simulator
            .write_config(path)
            .map_err(|source| CliError::Io {
                path: path.clone(),
                source,
            })?;
        eprintln!("wrote the client config to {}", path.display());
    }
    eprintln!("marvin simulator listening on {}", simulator.url());
    if let Some(url) = simulator.integration_url() {
        eprintln!("integration port (no authentication) on {url}");
    }
    eprintln!(
        "admin API key: {} (the secret key is in the written config)",
        simulator.api_key()
    );
    simulator.serve_forever().await;
    Ok(())
}
