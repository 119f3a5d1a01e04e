use super::*;
use crate::app::secrets::Secrets;
use crate::config::Config;

struct Setup {
    backends: Backends,
    campaigns: Campaigns,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let config = Config { data_dir: dir.path().join("data"), ..Config::default() };
    let secrets = Secrets::load_or_create(&config.data_dir).unwrap();
    let backends = Backends::open(&config, &secrets).await.unwrap();
    let mut campaigns = Campaigns::default();
    campaigns.insert(crate::campaigns::parse("id = \"demo\"\nname = \"Demo\"\n").unwrap());
    Setup { backends, campaigns, _dir: dir }
}

impl Setup {
    async fn run(&self, command: OperatorsCommand, password: PasswordSource) -> Result<String, String> {
        let mut out = Vec::new();
        run(&self.backends, &self.campaigns, command, || Ok(password), &mut out).await.map_err(|e| format!("{e:#}"))?;
        Ok(String::from_utf8(out).unwrap())
    }
}

fn add(email: &str, role: Role, campaigns: &[&str]) -> OperatorsCommand {
    OperatorsCommand::Add { email: email.into(), role, campaigns: campaigns.iter().map(|c| c.to_string()).collect() }
}

#[tokio::test]
async fn a_piped_password_is_used_and_a_generated_one_is_printed_once() {
    let s = setup().await;
    let given = PasswordSource::Given("a piped long password".into());
    let out = s.run(add("Ana@Shop.example", Role::Owner, &["demo"]), given).await.unwrap();
    assert_eq!(out, "added ana@shop.example (owner)\n");
    let hash = s.backends.operators.operator("ana@shop.example").await.unwrap().unwrap().password_hash;
    assert!(crate::admin::auth::secrets::verify_password("a piped long password", Some(&hash)));
    let out = s.run(add("mo@shop.example", Role::Moderator, &["demo"]), PasswordSource::Generate).await.unwrap();
    let printed = out.lines().next().unwrap().strip_prefix("password (shown once): ").unwrap();
    let hash = s.backends.operators.operator("mo@shop.example").await.unwrap().unwrap().password_hash;
    assert!(crate::admin::auth::secrets::verify_password(printed, Some(&hash)));
    let listed = s.run(OperatorsCommand::List, PasswordSource::Generate).await.unwrap();
    assert_eq!(listed, "ana@shop.example\towner\tall campaigns\nmo@shop.example\tmoderator\tdemo\n");
}

#[tokio::test]
async fn mistakes_are_refused_with_a_reason_and_change_nothing() {
    let s = setup().await;
    let pw = || PasswordSource::Given("a piped long password".into());
    let typo = s.run(add("x@shop.example", Role::Viewer, &["dmeo"]), pw()).await.unwrap_err();
    assert!(typo.contains("no campaign \"dmeo\""), "{typo}");
    let unscoped = s.run(add("x@shop.example", Role::Viewer, &[]), pw()).await.unwrap_err();
    assert!(unscoped.contains("--campaigns"), "{unscoped}");
    let short =
        s.run(add("x@shop.example", Role::Owner, &[]), PasswordSource::Given("short".into())).await.unwrap_err();
    assert!(short.contains("12 characters"), "{short}");
    assert!(s.backends.operators.list_operators().await.unwrap().is_empty());
    s.run(add("x@shop.example", Role::Owner, &[]), pw()).await.unwrap();
    let twice = s.run(add("X@shop.example", Role::Owner, &[]), pw()).await.unwrap_err();
    assert!(twice.contains("exists already"), "{twice}");
    let missing = s.run(OperatorsCommand::Remove { email: "nobody@shop.example".into() }, pw()).await.unwrap_err();
    assert!(missing.contains("no such operator"), "{missing}");
}

#[tokio::test]
async fn tokens_are_printed_once_listed_by_name_and_revoked() {
    let s = setup().await;
    let create = |name: &str| OperatorsCommand::Token {
        command: TokenCommand::Create { name: name.into(), role: Role::Viewer, campaigns: vec!["demo".into()] },
    };
    let token = s.run(create("shop-sync"), PasswordSource::Generate).await.unwrap();
    assert!(token.starts_with("vat_") && token.trim().len() > 40, "{token}");
    assert!(s.run(create("shop-sync"), PasswordSource::Generate).await.unwrap_err().contains("exists already"));
    let revoke = OperatorsCommand::Token { command: TokenCommand::Revoke { name: "shop-sync".into() } };
    s.run(revoke, PasswordSource::Generate).await.unwrap();
    let listed =
        s.run(OperatorsCommand::Token { command: TokenCommand::List }, PasswordSource::Generate).await.unwrap();
    assert_eq!(listed, "shop-sync\tviewer\tdemo\trevoked\n");
    let audit = s.backends.moderation.list_audit("*").await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(actions, ["token.create", "token.revoke"]);
}
