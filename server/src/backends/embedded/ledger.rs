//! Conversions and the rewards ledger in SQLite: what runs inside the writer's transactions for
//! `accept_conversion`, `record_credits` and `decide_credit`.

use rusqlite::{params, Connection, OptionalExtension, Row};
use vouch_core::rewards::{CreditState, Side};

use super::queue::enqueue;
use crate::backends::embedded::db::DbError;
use crate::backends::referrals::{ConversionIntake, Credit, NewConversion, OutboxEvent};
use crate::backends::{CONVERSIONS_TOPIC, WEBHOOKS_TOPIC};
use crate::clock::now_ms;

const CREDIT_COLUMNS: &str =
    "credit_id, conversion_id, side, campaign, referrer_id, recipient, reward, state, reason, created_ms, from_browser";

/// Where each source's reports are kept: the merchant's and a browser's never share a key.
const fn table(from_merchant: bool) -> &'static str {
    if from_merchant {
        "conversions"
    } else {
        "browser_conversions"
    }
}

fn reported(
    conn: &Connection,
    table: &str,
    campaign: &str,
    order_id: &str,
) -> rusqlite::Result<Option<(Vec<u8>, String)>> {
    let sql = format!("SELECT body_hash, conversion_id FROM {table} WHERE campaign = ?1 AND order_id = ?2");
    conn.prepare_cached(&sql)?.query_row(params![campaign, order_id], |r| Ok((r.get(0)?, r.get(1)?))).optional()
}

pub(super) fn accept_conversion(conn: &Connection, c: NewConversion) -> Result<ConversionIntake, DbError> {
    if let Some((hash, conversion_id)) = reported(conn, table(c.from_merchant), &c.campaign, &c.order_id)? {
        return Ok(if hash == c.body_hash {
            ConversionIntake::Replay { conversion_id }
        } else {
            ConversionIntake::OrderReused
        });
    }
    let other = reported(conn, table(!c.from_merchant), &c.campaign, &c.order_id)?.map(|(_, id)| id);
    let conversion_id = match (c.from_merchant, other) {
        // The merchant already reported this order: the browser's report adds nothing.
        (false, Some(merchants)) => return Ok(ConversionIntake::Replay { conversion_id: merchants }),
        // A browser reported it first: the merchant's report takes over its ledger rows.
        (true, Some(browsers)) => browsers,
        (_, None) => c.conversion_id.clone(),
    };
    let sql = format!(
        "INSERT INTO {} (conversion_id, campaign, order_id, body_hash, code, client, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        table(c.from_merchant)
    );
    conn.prepare_cached(&sql)?.execute(params![
        conversion_id,
        c.campaign,
        c.order_id,
        c.body_hash,
        c.code,
        c.client,
        now_ms()
    ])?;
    let message = c.message.body_as(&conversion_id).map_err(|e| DbError::Corrupt(e.to_string()))?;
    enqueue(conn, CONVERSIONS_TOPIC, &message)?;
    Ok(ConversionIntake::New { conversion_id })
}

/// Distinct conversions since `since_ms` on `code` and from `client`, from either source.
pub(super) fn recent_conversions(
    conn: &Connection,
    (campaign, code, client): (&str, &str, &str),
    since_ms: i64,
    except: &str,
) -> rusqlite::Result<(u32, u32)> {
    let both = "(SELECT conversion_id, campaign, code, client, created_ms FROM conversions
                 UNION ALL SELECT conversion_id, campaign, code, client, created_ms FROM browser_conversions)";
    let count = |filter: &str, args: &[&dyn rusqlite::ToSql]| -> rusqlite::Result<u32> {
        let sql = format!("SELECT count(DISTINCT conversion_id) FROM {both} WHERE {filter}");
        let n: i64 = conn.prepare_cached(&sql)?.query_row(args, |r| r.get(0))?;
        Ok(u32::try_from(n.max(0)).unwrap_or(u32::MAX))
    };
    let on_code = count("code = ?1 AND created_ms > ?2 AND conversion_id != ?3", &[&code, &since_ms, &except])?;
    let from_client = count(
        "campaign = ?1 AND client = ?2 AND created_ms > ?3 AND conversion_id != ?4",
        &[&campaign, &client, &since_ms, &except],
    )?;
    Ok((on_code, from_client))
}

fn credit_from_row(r: &Row<'_>) -> rusqlite::Result<(Credit, String, String)> {
    let credit = Credit {
        credit_id: r.get(0)?,
        conversion_id: r.get(1)?,
        side: Side::Referrer,
        campaign: r.get(3)?,
        referrer_id: r.get(4)?,
        recipient: r.get(5)?,
        reward: r.get(6)?,
        state: CreditState::Pending,
        reason: r.get(8)?,
        created_at_ms: r.get(9)?,
        from_browser: r.get(10)?,
    };
    Ok((credit, r.get(2)?, r.get(7)?))
}

pub(super) fn query_credits(conn: &Connection, filter: &str, value: &str) -> Result<Vec<Credit>, DbError> {
    let sql = format!("SELECT {CREDIT_COLUMNS} FROM credits WHERE {filter} = ?1 ORDER BY created_ms, credit_id");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![value], credit_from_row)?;
    rows.map(|row| {
        let (mut credit, side, state) = row?;
        credit.side = Side::parse(&side).ok_or_else(|| DbError::Corrupt(format!("credit side {side:?}")))?;
        credit.state = CreditState::parse(&state).ok_or_else(|| DbError::Corrupt(format!("credit state {state:?}")))?;
        Ok(credit)
    })
    .collect()
}

fn queue_events(conn: &Connection, events: &[OutboxEvent]) -> rusqlite::Result<()> {
    events.iter().try_for_each(|e| enqueue(conn, WEBHOOKS_TOPIC, &e.body))
}

pub(super) fn record_credits(conn: &Connection, credits: &[Credit], events: &[OutboxEvent]) -> Result<(), DbError> {
    let mut written = false;
    for c in credits {
        let values = params![
            c.credit_id,
            c.conversion_id,
            c.side.as_str(),
            c.campaign,
            c.referrer_id,
            c.recipient,
            c.reward,
            c.state.as_str(),
            c.reason,
            c.created_at_ms,
            c.from_browser
        ];
        let inserted = conn
            .prepare_cached(&format!(
                "INSERT INTO credits ({CREDIT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
                 ON CONFLICT DO NOTHING"
            ))?
            .execute(values)?;
        // Only the merchant's report may replace a credit, and only a browser's pending one.
        let replaced = if inserted == 0 && !c.from_browser {
            conn.prepare_cached(
                "UPDATE credits SET referrer_id = ?5, recipient = ?6, reward = ?7, state = ?8, reason = ?9,
                    from_browser = ?11
                 WHERE credit_id = ?1 AND conversion_id = ?2 AND side = ?3 AND campaign = ?4
                   AND state = 'pending' AND from_browser = 1",
            )?
            .execute(values)?
        } else {
            0
        };
        if inserted + replaced == 1 {
            let actor = if replaced == 1 { "merchant_report" } else { "worker" };
            log_change(conn, &c.credit_id, c.state, c.reason.as_deref(), actor)?;
            written = true;
        }
    }
    if written {
        queue_events(conn, events)?;
    }
    Ok(())
}

/// Moves `credit_id` from pending to `next`; `event` is queued only if it moved.
pub(super) fn decide_credit(
    conn: &Connection,
    credit_id: &str,
    (next, actor, reason): (CreditState, &str, Option<&str>),
    event: Option<&OutboxEvent>,
) -> Result<Option<Credit>, DbError> {
    let Some(mut credit) = query_credits(conn, "credit_id", credit_id)?.pop() else { return Ok(None) };
    if !credit.state.can_become(next) {
        return Ok(None);
    }
    let moved = conn
        .prepare_cached("UPDATE credits SET state = ?2, reason = ?3 WHERE credit_id = ?1 AND state = 'pending'")?
        .execute(params![credit_id, next.as_str(), reason])?;
    if moved == 0 {
        return Ok(None);
    }
    log_change(conn, credit_id, next, reason, actor)?;
    if let Some(event) = event {
        enqueue(conn, WEBHOOKS_TOPIC, &event.body)?;
    }
    credit.state = next;
    credit.reason = reason.map(str::to_string);
    Ok(Some(credit))
}

/// The ledger's append-only history of state changes.
fn log_change(
    conn: &Connection,
    credit_id: &str,
    state: CreditState,
    reason: Option<&str>,
    actor: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO credit_changes (credit_id, state, reason, actor, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![credit_id, state.as_str(), reason, actor, now_ms()])?;
    Ok(())
}
