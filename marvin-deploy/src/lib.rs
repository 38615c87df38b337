//! Datacenter tooling: build a zone topology described in Marvin's config
//! format (`marvin deploy`, as Marvin's `deployDataCenter`), write a
//! cloud's topology back in that format (`marvin export`), and read its
//! `listApis` into the precache snapshot ([`sync`], `marvin sync`): what an
//! operator does to a cloud's setup, as opposed to the tests run on it.
//!
//! ```no_run
//! # async fn demo(client: marvin_core::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use marvin_deploy::{DataCenter, deploy, export};
//! let datacenter = DataCenter::from_path("datacenter.json".as_ref())?;
//! deploy(&client, &datacenter, &mut |step| println!("{step}")).await?;
//! let back = export(&client).await?;
//! # Ok(()) }
//! ```

mod apply;
mod export;
pub mod model;
pub mod sync;

pub use apply::{Deployment, deploy};
pub use export::export;
pub use model::DataCenter;

/// Why a deployment did not happen or stopped.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    /// The datacenter description is unreadable or unsupported.
    #[error("{origin}: {message}")]
    Config {
        /// The file (or section) at fault.
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A step failed; what was built before it was deleted again.
    #[error(
        "step `{step}` failed: {source} (rolled back {rolled_back} resource(s){})",
        rollback_note(rollback_failures)
    )]
    Step {
        /// The step (`addHost http://sim/c1/h1 to C1`).
        step: String,
        /// The step's error.
        source: Box<marvin_core::Error>,
        /// How many built resources were deleted again.
        rolled_back: usize,
        /// Deletions that failed (`deleteZone ID: error`).
        rollback_failures: Vec<String>,
    },
}

fn rollback_note(failures: &[String]) -> String {
    if failures.is_empty() {
        String::new()
    } else {
        format!(
            "; {} could not be deleted: {}",
            failures.len(),
            failures.join("; ")
        )
    }
}
