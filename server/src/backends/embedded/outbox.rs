//! The embedded mailer: confirmation mails land in an outbox table that tests and the CLI read
//! (and that a relay could forward); the dedup key makes each mail exist once.

use async_trait::async_trait;
use rusqlite::params;
use serde::Serialize;

use vouch_core::referral::identity_email;

use crate::backends::embedded::db::Db;
use crate::backends::privacy::Shopper;
use crate::backends::{Mail, Mailer, Result};
use crate::clock::now_ms;

#[derive(Debug, Clone)]
pub struct SqliteOutbox {
    db: Db,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMail {
    pub dedup_key: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub created_at_ms: i64,
}

impl SqliteOutbox {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// The mails to the shopper (a full read: addresses are matched by core's identity rule).
    pub async fn mails_to(&self, who: &Shopper) -> Result<Vec<OutboxMail>> {
        let who = who.clone();
        Ok(self.list().await?.into_iter().filter(|m| identity_email(&m.to) == who.identity).collect())
    }

    /// Empties these mails (address, subject, text) and keeps their dedup keys, so a redelivered
    /// message still finds its mail sent.
    pub async fn anonymise(&self, mails: &[OutboxMail], anon_id: &str) -> Result<u64> {
        let keys: Vec<String> = mails.iter().map(|m| m.dedup_key.clone()).collect();
        let anon = crate::backends::privacy::anonymous_email(anon_id);
        let n = self
            .db
            .write(move |conn| {
                let mut n = 0;
                for key in &keys {
                    n += conn
                        .prepare_cached("UPDATE outbox SET to_addr = ?2, subject = '', body = '' WHERE dedup_key = ?1")?
                        .execute(params![key, anon])? as u64;
                }
                Ok(n)
            })
            .await?;
        Ok(n)
    }

    pub async fn list(&self) -> Result<Vec<OutboxMail>> {
        let mails = self
            .db
            .read(|conn| {
                let mut stmt =
                    conn.prepare("SELECT dedup_key, to_addr, subject, body, created_ms FROM outbox ORDER BY id")?;
                let rows = stmt.query_map([], |r| {
                    Ok(OutboxMail {
                        dedup_key: r.get(0)?,
                        to: r.get(1)?,
                        subject: r.get(2)?,
                        text: r.get(3)?,
                        created_at_ms: r.get(4)?,
                    })
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        Ok(mails)
    }
}

#[async_trait]
impl Mailer for SqliteOutbox {
    async fn send_once(&self, dedup_key: &str, mail: &Mail) -> Result<()> {
        let (key, mail) = (dedup_key.to_string(), mail.clone());
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO outbox (dedup_key, to_addr, subject, body, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT (dedup_key) DO NOTHING",
                )?
                .execute(params![key, mail.to, mail.subject, mail.text, now_ms()])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn sent_at(&self, dedup_key: &str) -> Result<Option<i64>> {
        let key = dedup_key.to_string();
        let at = self
            .db
            .read(move |conn| {
                let mut stmt = conn.prepare_cached("SELECT created_ms FROM outbox WHERE dedup_key = ?1")?;
                let mut rows = stmt.query_map(params![key], |r| r.get::<_, i64>(0))?;
                Ok(rows.next().transpose()?)
            })
            .await?;
        Ok(at)
    }
}
