//! Operators, sessions, API tokens and login failures in DynamoDB.
//!
//! Items: `operator#{email}`, `opsession#{id_hash}` (gsi1 `opsessions#{email}`, to end an
//! operator's sessions), `apitoken#{name}` with `apitokenhash#{hash}` pointing at it (both
//! written in one conditional transaction, so a name and a token are unique), and
//! `loginfail#{key}`. Operators and tokens are listed through gsi1 (`operators`, `apitokens`).
//! A session is only honoured while its operator exists (the caller is looked up on every
//! request), so a session the gsi1 query misses right after it was made still dies with its
//! operator.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue as AV;
use vouch_core::admin::Role;

use super::{corrupt, flag, item, n, number, s, text, DynamoStore, Item, WHAT};
use crate::backends::aws::unavailable;
use crate::backends::operators::{scope_from, scope_text, ApiToken, Failures, Operator, Operators, Session};
use crate::backends::Result;

fn operator_pk(email: &str) -> String {
    format!("operator#{email}")
}
fn session_pk(id_hash: &str) -> String {
    format!("opsession#{id_hash}")
}
fn token_pk(name: &str) -> String {
    format!("apitoken#{name}")
}
fn token_hash_pk(hash: &str) -> String {
    format!("apitokenhash#{hash}")
}
fn failures_pk(key: &str) -> String {
    format!("loginfail#{key}")
}

fn role(i: &Item) -> Result<Role> {
    let r = text(i, "role")?;
    Role::parse(&r).ok_or_else(|| corrupt(format!("unknown role {r:?}")))
}

fn operator_from(i: &Item) -> Result<Operator> {
    Ok(Operator {
        email: text(i, "email")?,
        password_hash: text(i, "password_hash")?,
        role: role(i)?,
        campaigns: scope_from(&text(i, "campaigns")?),
        created_at_ms: number(i, "created_ms"),
    })
}

fn session_from(i: &Item) -> Result<Session> {
    Ok(Session {
        id_hash: text(i, "id_hash")?,
        email: text(i, "email")?,
        csrf_token: text(i, "csrf_token")?,
        created_at_ms: number(i, "created_ms"),
        last_seen_ms: number(i, "last_seen_ms"),
    })
}

fn token_from(i: &Item) -> Result<ApiToken> {
    Ok(ApiToken {
        name: text(i, "name")?,
        token_hash: text(i, "token_hash")?,
        role: role(i)?,
        campaigns: scope_from(&text(i, "campaigns")?),
        created_at_ms: number(i, "created_ms"),
        revoked: flag(i, "revoked"),
    })
}

impl DynamoStore {
    async fn end_sessions_of(&self, email: &str) -> Result<()> {
        for found in self.query("gsi1", &format!("opsessions#{email}"), None).await? {
            self.delete(&session_pk(&text(&found, "id_hash")?)).await?;
        }
        Ok(())
    }
}

#[async_trait]
impl Operators for DynamoStore {
    async fn add_operator(&self, o: &Operator) -> Result<bool> {
        let it = item(vec![
            ("pk", Some(s(&operator_pk(&o.email)))),
            ("email", Some(s(&o.email))),
            ("password_hash", Some(s(&o.password_hash))),
            ("role", Some(s(o.role.as_str()))),
            ("campaigns", Some(s(&scope_text(o.campaigns.as_deref())))),
            ("created_ms", Some(n(o.created_at_ms))),
            ("gsi1pk", Some(s("operators"))),
            ("gsi1sk", Some(s(&o.email))),
        ]);
        self.put_if(it, "attribute_not_exists(pk)", None).await
    }

    async fn operator(&self, email: &str) -> Result<Option<Operator>> {
        self.get(&operator_pk(email)).await?.as_ref().map(operator_from).transpose()
    }

    async fn list_operators(&self) -> Result<Vec<Operator>> {
        let mut all = Vec::new();
        // The index is eventually consistent: read each one back from its item.
        for found in self.query("gsi1", "operators", None).await? {
            all.extend(self.operator(&text(&found, "email")?).await?);
        }
        Ok(all)
    }

    async fn remove_operator(&self, email: &str) -> Result<bool> {
        let existed = self.operator(email).await?.is_some();
        self.delete(&operator_pk(email)).await?;
        self.end_sessions_of(email).await?;
        Ok(existed)
    }

    async fn set_password(&self, email: &str, password_hash: &str) -> Result<bool> {
        let update = self
            .ddb
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&operator_pk(email)))
            .update_expression("SET password_hash = :h")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_values(":h", s(password_hash));
        let changed = match update.send().await {
            Ok(_) => true,
            Err(e) => {
                let service = e.into_service_error();
                if !service.is_conditional_check_failed_exception() {
                    return Err(unavailable(WHAT, service));
                }
                false
            }
        };
        self.end_sessions_of(email).await?;
        Ok(changed)
    }

    async fn create_session(&self, x: &Session) -> Result<()> {
        self.put(item(vec![
            ("pk", Some(s(&session_pk(&x.id_hash)))),
            ("id_hash", Some(s(&x.id_hash))),
            ("email", Some(s(&x.email))),
            ("csrf_token", Some(s(&x.csrf_token))),
            ("created_ms", Some(n(x.created_at_ms))),
            ("last_seen_ms", Some(n(x.last_seen_ms))),
            ("gsi1pk", Some(s(&format!("opsessions#{}", x.email)))),
            ("gsi1sk", Some(s(&x.id_hash))),
        ]))
        .await
    }

    async fn session(&self, id_hash: &str) -> Result<Option<Session>> {
        self.get(&session_pk(id_hash)).await?.as_ref().map(session_from).transpose()
    }

    async fn touch_session(&self, id_hash: &str, last_seen_ms: i64) -> Result<()> {
        // Only an existing session, and never backwards: a late touch must not revive one.
        let update = self
            .ddb
            .update_item()
            .table_name(&self.table)
            .key("pk", s(&session_pk(id_hash)))
            .update_expression("SET last_seen_ms = :t")
            .condition_expression("attribute_exists(pk) AND last_seen_ms < :t")
            .expression_attribute_values(":t", n(last_seen_ms));
        match update.send().await {
            Ok(_) => Ok(()),
            Err(e) => {
                let service = e.into_service_error();
                if service.is_conditional_check_failed_exception() {
                    Ok(())
                } else {
                    Err(unavailable(WHAT, service))
                }
            }
        }
    }

    async fn delete_session(&self, id_hash: &str) -> Result<()> {
        self.delete(&session_pk(id_hash)).await
    }

    async fn add_token(&self, t: &ApiToken) -> Result<bool> {
        let token = item(vec![
            ("pk", Some(s(&token_pk(&t.name)))),
            ("name", Some(s(&t.name))),
            ("token_hash", Some(s(&t.token_hash))),
            ("role", Some(s(t.role.as_str()))),
            ("campaigns", Some(s(&scope_text(t.campaigns.as_deref())))),
            ("created_ms", Some(n(t.created_at_ms))),
            ("revoked", Some(AV::Bool(t.revoked))),
            ("gsi1pk", Some(s("apitokens"))),
            ("gsi1sk", Some(s(&t.name))),
        ]);
        let pointer = item(vec![("pk", Some(s(&token_hash_pk(&t.token_hash)))), ("name", Some(s(&t.name)))]);
        let writes = vec![self.put_item(token, true)?, self.put_item(pointer, true)?];
        Ok(self.transact(writes).await?.is_none())
    }

    async fn token(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        let Some(pointer) = self.get(&token_hash_pk(token_hash)).await? else { return Ok(None) };
        let found = self.get(&token_pk(&text(&pointer, "name")?)).await?;
        Ok(found.as_ref().map(token_from).transpose()?.filter(|t| t.token_hash == token_hash))
    }

    async fn list_tokens(&self) -> Result<Vec<ApiToken>> {
        let mut all = Vec::new();
        for found in self.query("gsi1", "apitokens", None).await? {
            all.extend(self.get(&token_pk(&text(&found, "name")?)).await?.as_ref().map(token_from).transpose()?);
        }
        Ok(all)
    }

    async fn revoke_token(&self, name: &str) -> Result<bool> {
        if self.get(&token_pk(name)).await?.is_none() {
            return Ok(false);
        }
        self.update(&token_pk(name), "SET revoked = :r", &[(":r", AV::Bool(true))]).await?;
        Ok(true)
    }

    async fn record_failure(&self, key: &str, at_ms: i64, window_ms: i64) -> Result<Failures> {
        let pk = failures_pk(key);
        let old = n(at_ms - window_ms);
        // Count in the running window, or start a new one where there is none or it is over; each
        // step is conditional, so of two failures racing at a window's start neither is lost.
        for _ in 0..3 {
            let add = self
                .ddb
                .update_item()
                .table_name(&self.table)
                .key("pk", s(&pk))
                .update_expression("ADD #c :one")
                .condition_expression("since_ms > :old")
                .expression_attribute_names("#c", "count")
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":old", old.clone())
                .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew);
            match add.send().await {
                Ok(out) => {
                    let i = out.attributes.unwrap_or_default();
                    let count = u32::try_from(number(&i, "count")).unwrap_or(u32::MAX);
                    return Ok(Failures { count, since_ms: number(&i, "since_ms") });
                }
                Err(e) => {
                    let service = e.into_service_error();
                    if !service.is_conditional_check_failed_exception() {
                        return Err(unavailable(WHAT, service));
                    }
                }
            }
            let fresh = item(vec![("pk", Some(s(&pk))), ("count", Some(n(1))), ("since_ms", Some(n(at_ms)))]);
            let condition = "attribute_not_exists(pk) OR #s <= :v";
            if self.put_if(fresh, condition, Some(("since_ms", old.clone()))).await? {
                return Ok(Failures { count: 1, since_ms: at_ms });
            }
        }
        Err(unavailable(WHAT, std::io::Error::other("login failures kept changing")))
    }

    async fn failures(&self, key: &str) -> Result<Failures> {
        Ok(self
            .get(&failures_pk(key))
            .await?
            .map(|i| Failures {
                count: u32::try_from(number(&i, "count")).unwrap_or(u32::MAX),
                since_ms: number(&i, "since_ms"),
            })
            .unwrap_or_default())
    }

    async fn clear_failures(&self, key: &str) -> Result<()> {
        self.delete(&failures_pk(key)).await
    }
}
