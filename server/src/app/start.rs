//! Starting Vouch: the BFF, the in-process S3 endpoint (when objects are local), the demo merchant
//! site and (unless told otherwise) the worker, in one process.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::app::secrets::Secrets;
use crate::app::wiring::Backends;
use crate::backends::embedded::objects::s3_router;
use crate::campaigns::Campaigns;
use crate::config::{grant_ttl, Config, ObjectsBackend};
use crate::http::listener::ConnectionLimits;
use crate::http::{self, ConsoleAssets, WidgetAssets};
use crate::limiter::Limiter;
use crate::uploads::budget::UploadBudget;
use crate::uploads::ids::UploadIds;
use crate::uploads::sweep::sweep_orphan_uploads;
use crate::uploads::GrantConfig;
use crate::worker::{lanes, Worker};

/// A started server; dropping it does not stop it, `shutdown` does.
pub struct Running {
    pub bff: SocketAddr,
    /// The internal listener with `/readyz` and `/metrics`.
    pub metrics: SocketAddr,
    /// The in-process object store, when objects are local.
    pub s3: Option<SocketAddr>,
    pub demo: Option<SocketAddr>,
    pub backends: Backends,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Running {
    pub fn bff_url(&self) -> String {
        format!("http://{}", self.bff)
    }

    pub fn metrics_url(&self) -> String {
        format!("http://{}", self.metrics)
    }

    pub fn demo_url(&self) -> Option<String> {
        self.demo.map(|a| format!("http://{a}"))
    }

    /// Stops accepting, lets in-flight requests and worker tasks finish.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }

    /// Waits until the process is told to stop (Ctrl-C or SIGTERM), then shuts down.
    pub async fn until_signal(self) {
        wait_for_signal().await;
        tracing::info!("shutting down");
        self.shutdown().await;
    }
}

pub async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = term.recv() => {} }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Everything the worker needs, built from the same backends as the BFF.
pub fn worker(config: &Config, backends: &Backends, campaigns: Campaigns) -> Worker {
    let b = backends.clone();
    let parts = lanes::Parts {
        entries: b.entries,
        conversions: b.conversions,
        webhooks: b.webhooks,
        events: b.events,
        analytics: b.analytics,
        store: b.store,
        objects: b.objects,
        mailer: b.mailer.clone(),
        referrals: b.referrals,
        fulfil: crate::codes::fulfil::Fulfil::new(b.codes, b.code_watch),
        control: b.control,
        receipts: b.receipts,
        moderation: b.moderation,
        privacy: b.privacy,
        consents: crate::worker::consents::ConsentStep { store: b.consents, mailer: b.mailer.clone(), links: b.optin },
    };
    lanes::assemble(config, parts, campaigns)
}

/// The URL browsers post receipts to.
fn upload_url(config: &Config, s3: Option<SocketAddr>) -> String {
    let o = &config.objects;
    let base = match (&o.public_url, o.backend, s3, &config.aws.endpoint) {
        (Some(url), ..) => url.trim_end_matches('/').to_string(),
        (None, ObjectsBackend::Local, Some(addr), _) => format!("http://{addr}"),
        (None, ObjectsBackend::S3, _, Some(endpoint)) if o.force_path_style => {
            endpoint.trim_end_matches('/').to_string()
        }
        (None, ObjectsBackend::S3, ..) if !o.force_path_style => {
            return format!("https://{}.s3.{}.amazonaws.com", o.bucket, o.region)
        }
        _ => format!("https://s3.{}.amazonaws.com", o.region),
    };
    format!("{base}/{}", o.bucket)
}

pub async fn start(config: &Config) -> anyhow::Result<Running> {
    config.check_bff()?;
    let mut secrets = Secrets::load_or_create(&config.data_dir).context("loading secrets")?;
    if let Some(key) = &config.signing_key {
        secrets.signing_key = key.expose().to_string();
    }
    let mut campaigns = Campaigns::load_dir(&config.campaigns_dir)?;
    let host = config.http.host;
    let bff_listener = TcpListener::bind((host, config.http.port)).await.context("binding the BFF port")?;
    let metrics_listener =
        TcpListener::bind(config.http.metrics_addr).await.context("binding the metrics address (metrics_addr)")?;
    let s3_listener = match config.objects.backend {
        ObjectsBackend::Local => {
            Some(TcpListener::bind((host, config.objects.port)).await.context("binding the object store port")?)
        }
        ObjectsBackend::S3 => None,
    };
    let demo_listener = match config.demo.enabled {
        true => Some(TcpListener::bind((host, config.demo.port)).await.context("binding the demo port")?),
        false => None,
    };
    let bff = bff_listener.local_addr()?;
    let metrics = metrics_listener.local_addr()?;
    let s3 = s3_listener.as_ref().map(TcpListener::local_addr).transpose()?;
    let demo = demo_listener.as_ref().map(TcpListener::local_addr).transpose()?;
    // The hosted page and the Facebook tab run the widget on the BFF's own origin.
    let mut own = vec![format!("http://{bff}"), format!("http://localhost:{}", bff.port())];
    // The first is the pages' canonical origin without `public_url`; 0.0.0.0 is no place to visit.
    if bff.ip().is_unspecified() {
        own.swap(0, 1);
    }
    own.extend(config.http.public_url.as_deref().map(|u| u.trim_end_matches('/').to_string()));
    for origin in &own {
        campaigns.allow_everywhere(origin);
    }
    if let Some(demo) = demo {
        let origins = [format!("http://{demo}"), format!("http://localhost:{}", demo.port())];
        campaigns.adopt_demo_origin(&config.demo.campaign, &origins);
    }

    // Receipt links point at the port the in-process store really listens on (0 picks one).
    let mut config = config.clone();
    if let Some(addr) = s3 {
        config.objects.port = addr.port();
    }
    let config = &config;
    let mut backends = Backends::open(config, &secrets).await?;
    tokio::spawn(crate::codes::pools::warn_removed_in_use(campaigns.clone(), backends.codes.clone()));
    let limiter = Limiter::new(&campaigns);
    let public_url = config.http.public_url.clone().unwrap_or_else(|| own[0].clone());
    // Opt-in links point where this BFF really listens (port 0 picks one).
    backends.optin = backends.optin.clone().with_base(&public_url);
    let admin = crate::admin::router(crate::admin::AdminState {
        backends: backends.clone(),
        campaigns: campaigns.clone(),
        origin: crate::admin::origin_of(&public_url),
        trusted_proxy_hops: config.http.trusted_proxy_hops,
        settings: config.admin.clone(),
    });
    let state = Arc::new(http::State {
        campaigns: campaigns.clone(),
        intake: backends.intake.clone(),
        store: backends.store.clone(),
        queues: backends.queues(),
        events: backends.events.clone(),
        referrals: backends.referrals.clone(),
        codes: backends.codes.clone(),
        objects: backends.objects.clone(),
        grants: GrantConfig {
            credentials: backends.signing.clone(),
            region: config.objects.region.clone(),
            bucket: config.objects.bucket.clone(),
            url: upload_url(config, s3),
            ttl_secs: config.objects.grant_ttl_secs,
            // Until the sweep would remove an upload written at the grant's last moment.
            budget: UploadBudget::new(config.orphan_age() + grant_ttl(config.objects.grant_ttl_secs) + SWEEP_EVERY),
        },
        upload_ids: UploadIds::new(secrets.signing_key.as_bytes()),
        limiter: limiter.clone(),
        widget: WidgetAssets::load(&config.widget_dir),
        console: ConsoleAssets::load(&config.console_dir),
        metrics: http::metrics::Metrics { code_pools: backends.code_watch.clone(), ..Default::default() },
        max_body_bytes: config.http.max_body_bytes,
        trusted_proxy_hops: config.http.trusted_proxy_hops,
        request_timeout: Duration::from_millis(config.http.request_timeout_ms),
        body_timeout: Duration::from_millis(config.http.body_timeout_ms),
        public_url,
        facebook: config.facebook.clone(),
        consents: backends.consents.clone(),
        optin: backends.optin.clone(),
    });

    let (stop, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let limits = ConnectionLimits {
        max_connections: config.http.max_connections,
        header_timeout: Duration::from_millis(config.http.header_timeout_ms),
    };
    let serve = move |listener, app, stopped| http::listener::serve(listener, app, limits, stopped);
    tasks.spawn(serve(metrics_listener, http::internal(state.clone()), stopped.clone()));
    let app = http::app(state, admin).layer(tower_http::trace::TraceLayer::new_for_http());
    tasks.spawn(serve(bff_listener, app, stopped.clone()));
    if let Some(listener) = s3_listener {
        let origins: Vec<String> =
            campaigns.ids().filter_map(|id| campaigns.get(id)).flat_map(|c| c.allowed_origins.clone()).collect();
        let s3_app = s3_router(&config.objects_dir(), &secrets.s3_credentials(), origins)?;
        tasks.spawn(serve(listener, s3_app, stopped.clone()));
    }
    if let Some(listener) = demo_listener {
        let site = crate::app::demo::router(&format!("http://{bff}"), &config.demo.campaign);
        tasks.spawn(serve(listener, site, stopped.clone()));
    }
    if config.worker.embedded {
        tasks.spawn(worker(config, &backends, campaigns.clone()).run(stopped.clone()));
        tasks.spawn(crate::worker::retention::sweeper(config, &backends, campaigns.clone(), stopped.clone()));
    }
    tasks.spawn(janitor(config, &backends, limiter, campaigns, stopped));
    Ok(Running { bff, metrics, s3, demo, backends, stop, tasks })
}

/// How often the janitor runs.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Once a minute: forget idle rate-limit clients, relay join events a crash or a queue outage
/// left behind, mail filled codes a crash held back and, with the local object store, sweep
/// abandoned uploads (S3 does that with a lifecycle rule).
fn janitor(
    config: &Config,
    backends: &Backends,
    limiter: Limiter,
    campaigns: Campaigns,
    mut stop: watch::Receiver<bool>,
) -> impl std::future::Future<Output = ()> + Send + 'static {
    let sweep = backends.local_objects.clone().map(|objects| (backends.intake.clone(), objects));
    let orphan_age = config.orphan_age();
    let referrals = backends.referrals.clone();
    let b = backends.clone();
    async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(SWEEP_EVERY) => {}
                _ = stop.changed() => return,
            }
            limiter.forget_idle_clients();
            if let Err(e) = referrals.relay_stranded_events(Duration::from_secs(60)).await {
                tracing::warn!(error = %e, "relaying join events failed");
            }
            // Codes an import filled whose mail a crash held back.
            let recipients = crate::codes::fulfil::Recipients {
                store: b.store.as_ref(),
                referrals: b.referrals.as_ref(),
                webhooks: &b.webhooks,
            };
            let filled =
                crate::codes::fulfil::deliver_filled(b.codes.as_ref(), b.mailer.as_ref(), &recipients, &campaigns);
            if let Err(e) = filled.await {
                tracing::warn!(error = %e, "delivering filled codes failed");
            }
            if let Some((intake, objects)) = &sweep {
                if let Err(e) = sweep_orphan_uploads(intake.as_ref(), objects, orphan_age).await {
                    tracing::warn!(error = %e, "orphan upload sweep failed");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browsers_upload_to_the_local_store_or_to_s3() {
        let mut config = Config::default();
        let addr: SocketAddr = "127.0.0.1:8082".parse().unwrap();
        assert_eq!(upload_url(&config, Some(addr)), "http://127.0.0.1:8082/receipts");
        config.objects.backend = ObjectsBackend::S3;
        config.objects.region = "eu-west-1".into();
        assert_eq!(upload_url(&config, None), "https://receipts.s3.eu-west-1.amazonaws.com");
        config.objects.force_path_style = true;
        config.aws.endpoint = Some("http://127.0.0.1:5000/".into());
        assert_eq!(upload_url(&config, None), "http://127.0.0.1:5000/receipts");
    }
}
