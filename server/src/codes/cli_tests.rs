use vouch_core::codes::Pool;

use super::*;
use crate::backends::codes::{Claim, CodeKeys, PoolCounts};
use crate::backends::embedded::{SqliteBackend, SqliteCodes};
use crate::campaigns::parse;

struct Setup {
    codes: SqliteCodes,
    dir: tempfile::TempDir,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let db = SqliteBackend::open(&dir.path().join("vouch.db")).unwrap();
    Setup { codes: db.codes(CodeKeys::new(b"test key")), dir }
}

fn campaigns(pools: &str) -> Campaigns {
    let mut all = Campaigns::default();
    all.insert(parse(&format!("id = \"demo\"\nname = \"Demo\"\n{pools}")).unwrap());
    all
}

const POOLS: &str = "[codes.entry]\nlow_water = 2\n[codes.winner]\n";

impl Setup {
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    async fn run(&self, campaigns: &Campaigns, command: CodesCommand) -> (String, Result<(), String>) {
        let mut out = Vec::new();
        let result = run(command, campaigns, &self.codes, &mut out).await.map_err(|e| format!("{e:#}"));
        (String::from_utf8(out).unwrap(), result)
    }

    async fn import(&self, campaigns: &Campaigns, pool: &str, file: PathBuf) -> (String, Result<(), String>) {
        self.run(campaigns, CodesCommand::Import { campaign: "demo".into(), pool: pool.into(), file }).await
    }

    async fn stored(&self) -> Vec<(Pool, PoolCounts)> {
        self.codes.status("demo").await.unwrap()
    }
}

#[tokio::test]
async fn a_file_is_imported_once_and_counted() {
    let s = setup();
    let c = campaigns(POOLS);
    let file = s.file("codes.csv", b"code,value\nSAVE-1,10\nSAVE-2,10\nSAVE-1,10\n");
    let (out, result) = s.import(&c, "entry", file.clone()).await;
    assert_eq!(result, Ok(()));
    assert_eq!(out, "new 2, duplicate 1, invalid 0\n");
    let (out, _) = s.import(&c, "entry", file).await;
    assert_eq!(out, "new 0, duplicate 3, invalid 0\n", "the same file again adds nothing");
    let (out, _) = s.import(&c, "winner", s.file("w.txt", b"SAVE-2\nWIN-1\n")).await;
    assert_eq!(out, "new 1, duplicate 1, invalid 0\n", "a code of another pool is a duplicate");
}

#[tokio::test]
async fn unknown_or_undeclared_pools_empty_and_binary_files_are_refused_and_change_nothing() {
    let s = setup();
    let c = campaigns(POOLS);
    let good = s.file("good.txt", b"A-1\n");
    let (_, result) = s.import(&c, "prize", good.clone()).await;
    assert!(result.unwrap_err().contains("unknown pool \"prize\""));
    let (_, result) = s.import(&c, "referrer", good).await;
    assert!(result.unwrap_err().contains("declare [codes.referrer]"));
    let (_, result) = s.import(&c, "entry", s.file("empty.csv", b"")).await;
    assert!(result.unwrap_err().contains("holds no codes"));
    let (_, result) = s.import(&c, "entry", s.file("header.csv", b"code\n\n")).await;
    assert!(result.unwrap_err().contains("holds no codes"));
    let (_, result) = s.import(&c, "entry", s.file("codes.xlsx", b"PK\x03\x04\x14\x00\x06\x00")).await;
    assert!(result.unwrap_err().contains("not text"));
    let (_, result) = s.import(&c, "entry", s.file("latin1.txt", b"CAF\xc9-10\n")).await;
    assert!(result.unwrap_err().contains("not text"));
    assert_eq!(s.stored().await, vec![]);
}

#[tokio::test]
async fn a_file_with_an_invalid_code_imports_nothing_and_names_the_line_not_the_code() {
    let s = setup();
    let c = campaigns(POOLS);
    let long = format!("LONG{}", "X".repeat(125));
    let file = s.file("codes.txt", format!("OK-1\n\n{long}\nOK-2\nBAD\u{7}BELL\n").as_bytes());
    let (out, result) = s.import(&c, "entry", file).await;
    let err = result.unwrap_err();
    assert!(err.contains("nothing imported") && err.contains("2 invalid"), "{err}");
    assert_eq!(out, "line 3: the code is longer than 128 characters\nline 5: the code contains a control character (tab, line break, …)\n");
    assert!(!format!("{out}{err}").contains("LONGX") && !err.contains("BELL"));
    assert_eq!(s.stored().await, vec![]);
}

#[tokio::test]
async fn an_import_fills_waiting_items_and_status_shows_each_pool() {
    let s = setup();
    let c = campaigns(POOLS);
    for owed in ["ent_1", "ent_2"] {
        assert_eq!(s.codes.claim("demo", Pool::Entry, owed).await.unwrap(), Claim::AwaitingCode);
    }
    let (out, _) = s.import(&c, "entry", s.file("codes.txt", b"E-1\nE-2\nE-3\n")).await;
    assert_eq!(out, "new 3, duplicate 0, invalid 0\n2 waiting item(s) got a code\n");
    assert_eq!(s.codes.assigned("demo", Pool::Entry, "ent_1").await.unwrap().unwrap().1, "E-1");

    let status = CodesCommand::Status { campaign: "demo".into(), format: StatusFormat::Table };
    let (out, result) = s.run(&c, status).await;
    assert_eq!(result, Ok(()));
    let rows: Vec<Vec<&str>> = out.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(rows[1], ["entry", "1", "2", "0", "2", "low"]);
    assert_eq!(rows[2], ["winner", "0", "0", "0", "10", "dry"]);
    let json = CodesCommand::Status { campaign: "demo".into(), format: StatusFormat::Json };
    let (out, _) = s.run(&c, json).await;
    let parsed: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(parsed[0]["pool"], "entry");
    assert_eq!(parsed[0]["available"], 1);
    assert_eq!(parsed[0]["low_water"], 2);
}

#[tokio::test]
async fn a_pool_removed_from_the_campaign_file_while_codes_are_assigned_is_an_error() {
    let s = setup();
    let before = campaigns(POOLS);
    s.import(&before, "entry", s.file("codes.txt", b"E-1\nE-2\n")).await.1.unwrap();
    s.codes.claim("demo", Pool::Entry, "ent_1").await.unwrap();
    let after = campaigns("[codes.winner]\n");
    let (_, result) = s.import(&after, "winner", s.file("w.txt", b"W-1\n")).await;
    let err = result.unwrap_err();
    assert!(
        err.contains("pool entry is no longer in the campaign file") && err.contains("1 codes are assigned"),
        "{err}"
    );
    assert_eq!(s.stored().await.len(), 1, "nothing imported into winner");
    let (out, result) =
        s.run(&after, CodesCommand::Status { campaign: "demo".into(), format: StatusFormat::Table }).await;
    assert!(out.contains("removed"), "{out}");
    assert!(result.unwrap_err().contains("put [codes.entry] back"));
}
