//! Starting Vouch on its embedded default: the BFF, the in-process S3 endpoint, the demo merchant
//! site and (unless told otherwise) the worker, all in one process.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::backends::embedded::{SqliteBackend, CONVERSIONS_TOPIC, ENTRIES_TOPIC, WEBHOOKS_TOPIC};
use crate::backends::objects::{s3_router, LocalObjects};
use crate::backends::referrals::Referrals;
use crate::backends::Queue;
use crate::campaigns::Campaigns;
use crate::config::Config;
use crate::grant::GrantConfig;
use crate::http::{self, WidgetAssets};
use crate::janitor::sweep_orphan_uploads;
use crate::limiter::Limiter;
use crate::secrets::Secrets;
use crate::upload_id::UploadIds;
use crate::worker::conversions::ConversionHandler;
use crate::worker::entries::EntryHandler;
use crate::worker::webhooks::WebhookHandler;
use crate::worker::{Lane, Worker};

/// A started server; dropping it does not stop it, `shutdown` does.
pub struct Running {
    pub bff: SocketAddr,
    pub s3: SocketAddr,
    pub demo: Option<SocketAddr>,
    pub backend: SqliteBackend,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Running {
    pub fn bff_url(&self) -> String {
        format!("http://{}", self.bff)
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

async fn wait_for_signal() {
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

/// Everything the worker needs, built from the same config as the BFF.
pub fn worker(config: &Config, backend: &SqliteBackend, campaigns: Campaigns) -> anyhow::Result<Worker> {
    let objects =
        LocalObjects::new(&config.objects_dir(), &config.objects.bucket).context("opening the object store")?;
    let attempts = config.worker.max_attempts;
    let referrals: Arc<dyn Referrals> = Arc::new(backend.clone());
    let webhooks: Arc<dyn Queue> = Arc::new(backend.queue(WEBHOOKS_TOPIC, attempts.max(8)));
    let entries = EntryHandler {
        store: Arc::new(backend.clone()),
        objects: Arc::new(objects),
        mailer: Arc::new(backend.outbox()),
        campaigns: campaigns.clone(),
    };
    let conversions =
        ConversionHandler { referrals: referrals.clone(), webhooks: webhooks.clone(), campaigns: campaigns.clone() };
    let deliveries = WebhookHandler { referrals, campaigns, http: WebhookHandler::client() };
    Ok(Worker {
        lanes: vec![
            Lane {
                name: ENTRIES_TOPIC,
                queue: Arc::new(backend.queue(ENTRIES_TOPIC, attempts)),
                handler: Arc::new(entries),
            },
            Lane {
                name: CONVERSIONS_TOPIC,
                queue: Arc::new(backend.queue(CONVERSIONS_TOPIC, attempts)),
                handler: Arc::new(conversions),
            },
            Lane { name: WEBHOOKS_TOPIC, queue: webhooks, handler: Arc::new(deliveries) },
        ],
        config: config.worker.clone(),
    })
}

pub async fn start(config: &Config) -> anyhow::Result<Running> {
    let secrets = Secrets::load_or_create(&config.data_dir).context("loading secrets")?;
    let mut campaigns = Campaigns::load_dir(&config.campaigns_dir)?;
    let host = config.http.host;
    let bff_listener = TcpListener::bind((host, config.http.port)).await.context("binding the BFF port")?;
    let s3_listener = TcpListener::bind((host, config.objects.port)).await.context("binding the object store port")?;
    let demo_listener = match config.demo.enabled {
        true => Some(TcpListener::bind((host, config.demo.port)).await.context("binding the demo port")?),
        false => None,
    };
    let (bff, s3) = (bff_listener.local_addr()?, s3_listener.local_addr()?);
    let demo = demo_listener.as_ref().map(TcpListener::local_addr).transpose()?;
    if let Some(demo) = demo {
        let origins = [format!("http://{demo}"), format!("http://localhost:{}", demo.port())];
        campaigns.adopt_demo_origin(&config.demo.campaign, &origins);
    }

    let backend = SqliteBackend::open(&config.db_path())?;
    let objects =
        LocalObjects::new(&config.objects_dir(), &config.objects.bucket).context("opening the object store")?;
    let origins: Vec<String> =
        campaigns.ids().filter_map(|id| campaigns.get(id)).flat_map(|c| c.allowed_origins.clone()).collect();
    let s3_app = s3_router(&config.objects_dir(), &secrets.s3_credentials(), origins)?;
    let public_url = config.objects.public_url.clone().unwrap_or_else(|| format!("http://{s3}"));
    let limiter = Limiter::new(&campaigns);
    let state = Arc::new(http::State {
        campaigns: campaigns.clone(),
        intake: Arc::new(backend.clone()),
        store: Arc::new(backend.clone()),
        queues: [ENTRIES_TOPIC, CONVERSIONS_TOPIC, WEBHOOKS_TOPIC]
            .map(|t| (t, Arc::new(backend.queue(t, config.worker.max_attempts)) as Arc<dyn Queue>))
            .into(),
        referrals: Arc::new(backend.clone()),
        objects: Arc::new(objects),
        grants: GrantConfig {
            credentials: secrets.s3_credentials(),
            region: config.objects.region.clone(),
            bucket: config.objects.bucket.clone(),
            url: format!("{}/{}", public_url.trim_end_matches('/'), config.objects.bucket),
            ttl_secs: config.objects.grant_ttl_secs,
        },
        upload_ids: UploadIds::new(secrets.signing_key.as_bytes()),
        limiter: limiter.clone(),
        widget: WidgetAssets::load(&config.widget_dir),
        metrics: Default::default(),
        max_body_bytes: config.http.max_body_bytes,
        trust_forwarded_for: config.http.trust_forwarded_for,
    });

    let (stop, stopped) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let app = http::app(state).layer(tower_http::trace::TraceLayer::new_for_http());
    tasks.spawn(serve(bff_listener, app, stopped.clone()));
    tasks.spawn(serve(s3_listener, s3_app, stopped.clone()));
    if let Some(listener) = demo_listener {
        tasks.spawn(serve(
            listener,
            crate::demo::router(&format!("http://{bff}"), &config.demo.campaign),
            stopped.clone(),
        ));
    }
    if config.worker.embedded {
        tasks.spawn(worker(config, &backend, campaigns)?.run(stopped.clone()));
    }
    let mut janitor_stop = stopped;
    let (sweep_backend, sweep_objects) =
        (backend.clone(), LocalObjects::new(&config.objects_dir(), &config.objects.bucket)?);
    let orphan_ttl = Duration::from_secs(config.objects.orphan_ttl_hours * 3600);
    tasks.spawn(async move {
        for minute in 0u64.. {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(60)) => {}
                _ = janitor_stop.changed() => return,
            }
            limiter.forget_idle_clients();
            if minute % 10 == 0 {
                if let Err(e) = sweep_orphan_uploads(&sweep_backend, &sweep_objects, orphan_ttl).await {
                    tracing::warn!(error = %e, "orphan upload sweep failed");
                }
            }
        }
    });
    Ok(Running { bff, s3, demo, backend, stop, tasks })
}

async fn serve(listener: TcpListener, app: Router, mut stop: watch::Receiver<bool>) {
    let service = app.into_make_service_with_connect_info::<SocketAddr>();
    let result = axum::serve(listener, service)
        .with_graceful_shutdown(async move {
            let _ = stop.wait_for(|s| *s).await;
        })
        .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "server stopped with an error");
    }
}
