//! The expunge thread of CloudStack's `UserVmManagerImpl`: every
//! `expunge.interval` seconds it expunges the VMs that have been destroyed
//! for at least `expunge.delay` seconds.
//!
//! It runs beside the listeners and expunges each due VM through the
//! dispatcher as the root admin (`expungeVirtualMachine`), so a VM goes
//! exactly as an explicit expunge takes it. The two settings are read at
//! every tick, so a change applies without a restart (CloudStack reads
//! them at start-up).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::kernel::engine::Engine;
use crate::kernel::params::Params;

/// How often the thread looks at the settings.
const TICK: Duration = Duration::from_secs(1);

/// Starts the thread; it stops when `stopped` turns true.
pub(crate) fn spawn(engine: Arc<Engine>, mut stopped: watch::Receiver<bool>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut last_sweep = Instant::now();
        loop {
            tokio::select! {
                _ = stopped.wait_for(|stop| *stop) => return,
                () = tokio::time::sleep(TICK) => {}
            }
            let engine = Arc::clone(&engine);
            let due = last_sweep;
            let swept = tokio::task::spawn_blocking(move || sweep_if_due(&engine, due)).await;
            if let Ok(Some(at)) = swept {
                last_sweep = at;
            }
        }
    })
}

/// Sweeps when `expunge.interval` has passed since `last`: the time of this
/// sweep, or `None` when it was not due.
fn sweep_if_due(engine: &Arc<Engine>, last: Instant) -> Option<Instant> {
    let (interval, delay) = engine.with_connection(|conn| {
        let setting = |name: &str, fallback: u64| -> u64 {
            conn.query_row(
                "SELECT COALESCE(value, default_value) FROM identity_configurations WHERE name = ?1",
                [name],
                |r| r.get::<_, Option<String>>(0),
            )
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(fallback)
        };
        (
            setting("expunge.interval", 86_400),
            setting("expunge.delay", 86_400),
        )
    });
    if last.elapsed() < Duration::from_secs(interval) {
        return None;
    }
    let now = Instant::now();
    let cutoff = crate::kernel::time::format(
        crate::kernel::engine::now()
            - time::Duration::seconds(i64::try_from(delay).unwrap_or(i64::MAX)),
    );
    let due: Vec<String> = engine.with_connection(|conn| {
        conn.prepare(
            "SELECT id FROM compute_vms WHERE state = 'Destroyed' AND last_updated <= ?1 ORDER BY seq",
        )
        .and_then(|mut stmt| {
            stmt.query_map([&cutoff], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .unwrap_or_default()
    });
    for id in due {
        let params = Params::from_pairs([("id", id.clone())]);
        if let Err(error) = engine.run_as_root("expungeVirtualMachine", params) {
            tracing::warn!(vm = %id, %error, "the expunge thread could not expunge a VM");
        }
    }
    Some(now)
}
