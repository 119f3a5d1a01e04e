//! The worker's retention sweeper: at start and then every `[worker] retention_sweep_secs`, the
//! campaigns past retention are swept ([`crate::privacy::retention`]). Several workers may sweep
//! at once: every page of a sweep is idempotent, so the worst is work done twice.

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

use crate::app::wiring::Backends;
use crate::campaigns::Campaigns;
use crate::clock::now_ms;
use crate::config::Config;
use crate::privacy::retention::sweep_due;

/// Runs until `stop` turns true; does nothing when the interval is 0 (sweeper off).
pub fn sweeper(
    config: &Config,
    backends: &Backends,
    campaigns: Campaigns,
    mut stop: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send + 'static {
    let every = config.worker.retention_sweep_secs;
    let backends = backends.clone();
    async move {
        if every == 0 {
            return;
        }
        loop {
            match sweep_due(&backends, &campaigns, now_ms()).await {
                Ok(swept) => {
                    for r in swept {
                        tracing::info!(campaign = %r.campaign, counts = ?r.counts, "campaign swept past retention");
                    }
                }
                // The next round resumes where this one stopped.
                Err(e) => tracing::warn!(error = %e, "retention sweep failed"),
            }
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(every)) => {}
                _ = stop.changed() => return,
            }
        }
    }
}
