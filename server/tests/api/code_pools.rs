//! Code pools on the internal `/metrics`: per pool gauges that follow imports and claims, and one
//! warning (without a code in it) when a pool falls under its low-water mark and one when it
//! runs dry. On both backends.

use vouch_core::codes::Pool;
use vouch_server::backends::codes::Claim;
use vouch_server::campaigns::Campaigns;
use vouch_server::codes::watch::PoolWatch;
use vouch_server::config::Config;

use crate::helpers::TestApp;
use crate::logs::capture;

fn entry_pool(config: &mut Config) {
    let demo = config.campaigns_dir.join("demo.toml");
    let text = std::fs::read_to_string(&demo).unwrap();
    std::fs::write(demo, format!("{text}\n[codes.entry]\nlow_water = 3\n")).unwrap();
}

/// The value of `gauge` for the demo campaign's entry pool.
async fn gauge(app: &TestApp, gauge: &str) -> u64 {
    let text = app.client.get(app.internal_url("/metrics")).send().await.unwrap().text().await.unwrap();
    let prefix = if gauge.ends_with("_total") {
        format!("vouch_{gauge} ")
    } else {
        format!("vouch_{gauge}{{campaign=\"demo\",pool=\"entry\"}} ")
    };
    let line = text.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no {prefix} in\n{text}"));
    line[prefix.len()..].parse().unwrap()
}

async fn pools_show_on_metrics_and_a_low_or_dry_pool_warns_once(app: TestApp) {
    let logs = capture();
    let codes = app.running.backends.codes.clone();
    let file: Vec<String> = (1..=4).map(|i| format!("SECRET-CODE-{i}")).collect();
    codes.import("demo", Pool::Entry, &file).await.unwrap();
    assert_eq!((gauge(&app, "code_pool_available").await, gauge(&app, "code_pool_low").await), (4, 0));

    for owed in ["ent_1", "ent_2"] {
        codes.claim("demo", Pool::Entry, owed).await.unwrap();
    }
    assert_eq!(gauge(&app, "code_pool_available").await, 2);
    assert_eq!(gauge(&app, "code_pool_assigned").await, 2);
    assert_eq!((gauge(&app, "code_pool_low").await, gauge(&app, "code_pool_dry").await), (1, 0));
    assert_eq!(gauge(&app, "code_pool_alerts_total").await, 1, "low once, however often it is scraped");

    for owed in ["ent_3", "ent_4"] {
        codes.claim("demo", Pool::Entry, owed).await.unwrap();
    }
    // The flows' one call: the claim, then the watch (a watch of its own here).
    let demo = Campaigns::load_dir(&app.config.campaigns_dir).unwrap().get("demo").unwrap();
    let watch = PoolWatch::default();
    let claim = vouch_server::codes::claim(codes.as_ref(), &watch, &demo, Pool::Entry, "ent_5").await.unwrap();
    assert_eq!(claim, Some(Claim::AwaitingCode));
    let none = vouch_server::codes::claim(codes.as_ref(), &watch, &demo, Pool::Winner, "win_1").await.unwrap();
    assert_eq!(none, None, "the campaign hands out no winner codes");
    assert_eq!(watch.alerts(), 1);
    assert_eq!((gauge(&app, "code_pool_dry").await, gauge(&app, "code_pool_awaiting").await), (1, 1));
    assert_eq!(gauge(&app, "code_pool_alerts_total").await, 2);

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert_eq!(logs.matches("code pool is under its low-water mark").count(), 1, "{logs}");
    assert_eq!(logs.matches("code pool is dry").count(), 2, "the flow's watch and the metrics' watch: {logs}");
    assert!(!logs.contains("SECRET-CODE"), "a code in the logs: {logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embedded_pools_show_on_metrics_and_a_low_or_dry_pool_warns_once() {
    pools_show_on_metrics_and_a_low_or_dry_pool_warns_once(TestApp::spawn_with(entry_pool).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aws_pools_show_on_metrics_and_a_low_or_dry_pool_warns_once() {
    pools_show_on_metrics_and_a_low_or_dry_pool_warns_once(TestApp::spawn_aws_with(entry_pool).await).await;
}
