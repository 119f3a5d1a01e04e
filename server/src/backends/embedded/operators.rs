//! Operators, sessions, API tokens and login failures in SQLite (`operators.sql`).

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};
use vouch_core::admin::Role;

use super::SqliteBackend;
use crate::backends::operators::{scope_from, scope_text, ApiToken, Failures, Operator, Operators, Session};
use crate::backends::Result;

fn role(text: &str) -> rusqlite::Result<Role> {
    Role::parse(text).ok_or_else(|| rusqlite::Error::InvalidColumnName(format!("role {text:?}")))
}

fn operator_from(r: &Row<'_>) -> rusqlite::Result<Operator> {
    Ok(Operator {
        email: r.get(0)?,
        password_hash: r.get(1)?,
        role: role(&r.get::<_, String>(2)?)?,
        campaigns: scope_from(&r.get::<_, String>(3)?),
        created_at_ms: r.get(4)?,
    })
}

fn token_from(r: &Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        name: r.get(0)?,
        token_hash: r.get(1)?,
        role: role(&r.get::<_, String>(2)?)?,
        campaigns: scope_from(&r.get::<_, String>(3)?),
        created_at_ms: r.get(4)?,
        revoked: r.get(5)?,
    })
}

const OPERATOR_COLUMNS: &str = "email, password_hash, role, campaigns, created_ms";
const TOKEN_COLUMNS: &str = "name, token_hash, role, campaigns, created_ms, revoked";

#[async_trait]
impl Operators for SqliteBackend {
    async fn add_operator(&self, operator: &Operator) -> Result<bool> {
        let o = operator.clone();
        let added = self
            .db()
            .write(move |conn| {
                let n = conn
                    .prepare_cached(
                        "INSERT INTO operators (email, password_hash, role, campaigns, created_ms)
                         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![
                        o.email,
                        o.password_hash,
                        o.role.as_str(),
                        scope_text(o.campaigns.as_deref()),
                        o.created_at_ms
                    ])?;
                Ok(n == 1)
            })
            .await?;
        Ok(added)
    }

    async fn operator(&self, email: &str) -> Result<Option<Operator>> {
        let email = email.to_string();
        let found = self
            .db()
            .read(move |conn| {
                let sql = format!("SELECT {OPERATOR_COLUMNS} FROM operators WHERE email = ?1");
                Ok(conn.prepare_cached(&sql)?.query_row(params![email], operator_from).optional()?)
            })
            .await?;
        Ok(found)
    }

    async fn list_operators(&self) -> Result<Vec<Operator>> {
        let all = self
            .db()
            .read(move |conn| {
                let sql = format!("SELECT {OPERATOR_COLUMNS} FROM operators ORDER BY email");
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map([], operator_from)?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        Ok(all)
    }

    async fn remove_operator(&self, email: &str) -> Result<bool> {
        let email = email.to_string();
        let removed = self
            .db()
            .write(move |conn| {
                conn.prepare_cached("DELETE FROM operator_sessions WHERE email = ?1")?.execute(params![email])?;
                Ok(conn.prepare_cached("DELETE FROM operators WHERE email = ?1")?.execute(params![email])? == 1)
            })
            .await?;
        Ok(removed)
    }

    async fn set_password(&self, email: &str, password_hash: &str) -> Result<bool> {
        let (email, hash) = (email.to_string(), password_hash.to_string());
        let changed = self
            .db()
            .write(move |conn| {
                let n = conn
                    .prepare_cached("UPDATE operators SET password_hash = ?2 WHERE email = ?1")?
                    .execute(params![email, hash])?;
                conn.prepare_cached("DELETE FROM operator_sessions WHERE email = ?1")?.execute(params![email])?;
                Ok(n == 1)
            })
            .await?;
        Ok(changed)
    }

    async fn create_session(&self, session: &Session) -> Result<()> {
        let s = session.clone();
        self.db()
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO operator_sessions (id_hash, email, csrf_token, created_ms, last_seen_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    s.id_hash,
                    s.email,
                    s.csrf_token,
                    s.created_at_ms,
                    s.last_seen_ms
                ])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn session(&self, id_hash: &str) -> Result<Option<Session>> {
        let id_hash = id_hash.to_string();
        let found = self
            .db()
            .read(move |conn| {
                Ok(conn
                    .prepare_cached(
                        "SELECT id_hash, email, csrf_token, created_ms, last_seen_ms FROM operator_sessions
                         WHERE id_hash = ?1",
                    )?
                    .query_row(params![id_hash], |r| {
                        Ok(Session {
                            id_hash: r.get(0)?,
                            email: r.get(1)?,
                            csrf_token: r.get(2)?,
                            created_at_ms: r.get(3)?,
                            last_seen_ms: r.get(4)?,
                        })
                    })
                    .optional()?)
            })
            .await?;
        Ok(found)
    }

    async fn touch_session(&self, id_hash: &str, last_seen_ms: i64) -> Result<()> {
        let id_hash = id_hash.to_string();
        self.db()
            .write(move |conn| {
                conn.prepare_cached(
                    "UPDATE operator_sessions SET last_seen_ms = max(last_seen_ms, ?2) WHERE id_hash = ?1",
                )?
                .execute(params![id_hash, last_seen_ms])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn delete_session(&self, id_hash: &str) -> Result<()> {
        let id_hash = id_hash.to_string();
        self.db()
            .write(move |conn| {
                conn.prepare_cached("DELETE FROM operator_sessions WHERE id_hash = ?1")?.execute(params![id_hash])?;
                Ok(())
            })
            .await?;
        Ok(())
    }

    async fn add_token(&self, token: &ApiToken) -> Result<bool> {
        let t = token.clone();
        let added = self
            .db()
            .write(move |conn| {
                let n = conn
                    .prepare_cached(
                        "INSERT INTO api_tokens (name, token_hash, role, campaigns, created_ms, revoked)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
                    )?
                    .execute(params![
                        t.name,
                        t.token_hash,
                        t.role.as_str(),
                        scope_text(t.campaigns.as_deref()),
                        t.created_at_ms,
                        t.revoked
                    ])?;
                Ok(n == 1)
            })
            .await?;
        Ok(added)
    }

    async fn token(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        let hash = token_hash.to_string();
        let found = self
            .db()
            .read(move |conn| {
                let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE token_hash = ?1");
                Ok(conn.prepare_cached(&sql)?.query_row(params![hash], token_from).optional()?)
            })
            .await?;
        Ok(found)
    }

    async fn list_tokens(&self) -> Result<Vec<ApiToken>> {
        let all = self
            .db()
            .read(move |conn| {
                let sql = format!("SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY name");
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map([], token_from)?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        Ok(all)
    }

    async fn revoke_token(&self, name: &str) -> Result<bool> {
        let name = name.to_string();
        let revoked = self
            .db()
            .write(move |conn| {
                Ok(conn.prepare_cached("UPDATE api_tokens SET revoked = 1 WHERE name = ?1")?.execute(params![name])?
                    == 1)
            })
            .await?;
        Ok(revoked)
    }

    async fn record_failure(&self, key: &str, at_ms: i64, window_ms: i64) -> Result<Failures> {
        let key = key.to_string();
        let failures = self
            .db()
            .write(move |conn| {
                let (count, since_ms): (u32, i64) = conn
                    .prepare_cached(
                        "INSERT INTO login_failures (key, count, since_ms) VALUES (?1, 1, ?2)
                         ON CONFLICT (key) DO UPDATE SET
                           count = CASE WHEN since_ms <= ?2 - ?3 THEN 1 ELSE count + 1 END,
                           since_ms = CASE WHEN since_ms <= ?2 - ?3 THEN ?2 ELSE since_ms END
                         RETURNING count, since_ms",
                    )?
                    .query_row(params![key, at_ms, window_ms], |r| Ok((r.get(0)?, r.get(1)?)))?;
                Ok(Failures { count, since_ms })
            })
            .await?;
        Ok(failures)
    }

    async fn failures(&self, key: &str) -> Result<Failures> {
        let key = key.to_string();
        let found = self
            .db()
            .read(move |conn| {
                Ok(conn
                    .prepare_cached("SELECT count, since_ms FROM login_failures WHERE key = ?1")?
                    .query_row(params![key], |r| Ok(Failures { count: r.get(0)?, since_ms: r.get(1)? }))
                    .optional()?
                    .unwrap_or_default())
            })
            .await?;
        Ok(found)
    }

    async fn clear_failures(&self, key: &str) -> Result<()> {
        let key = key.to_string();
        self.db()
            .write(move |conn| {
                conn.prepare_cached("DELETE FROM login_failures WHERE key = ?1")?.execute(params![key])?;
                Ok(())
            })
            .await?;
        Ok(())
    }
}
