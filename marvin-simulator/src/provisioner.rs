//! The background part of CloudStack's system VM managers: once a zone can
//! run them, its secondary storage VM and console proxy are made a moment
//! later (`families::systemvms::api::provision`), as the managers' scans
//! start them after the zone comes up.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::kernel::engine::Engine;

/// How often zones are looked at.
const SCAN: Duration = Duration::from_secs(1);

/// Starts the scan; it stops when `stopped` turns true. The first scan
/// runs before this returns, so that zones ready at start-up (the default
/// seed's) have their system VMs from the first answer on, and the world a
/// client first lists is the one it keeps.
pub(crate) fn spawn(engine: Arc<Engine>, mut stopped: watch::Receiver<bool>) -> JoinHandle<()> {
    if let Err(error) = scan(&engine) {
        tracing::warn!(%error, "the system VM scan failed");
    }
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = stopped.wait_for(|stop| *stop) => return,
                () = tokio::time::sleep(SCAN) => {}
            }
            let engine = Arc::clone(&engine);
            let scanned = tokio::task::spawn_blocking(move || scan(&engine)).await;
            if let Ok(Err(error)) = scanned {
                tracing::warn!(%error, "the system VM scan failed");
            }
        }
    })
}

/// One scan, in one transaction on the writer connection.
fn scan(engine: &Arc<Engine>) -> Result<(), crate::kernel::error::ApiError> {
    engine.with_connection(|conn| {
        let tx = conn.unchecked_transaction()?;
        let now = crate::kernel::time::format(crate::kernel::engine::now());
        let made = crate::families::systemvms::api::provision(&tx, &now)?;
        if made > 0 {
            tx.commit()?;
        }
        Ok(())
    })
}
