//! The console's entry search and counts in SQLite. Each filter has an index in `schema.sql` that
//! SQLite walks backwards from the cursor, so a deep page costs what the first one does: by time
//! `(campaign, accepted_ms, entry_id)`, by status `(campaign, status, accepted_ms, entry_id)`, by
//! e-mail `(campaign, lower(email), …)`. A name prefix reads the matching names through the two
//! `NOCASE` name indexes and sorts those matches by time: as costly as the prefix is common.

use async_trait::async_trait;
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter};

use super::store::{query_entries, SELECT_ENTRY};
use super::SqliteBackend;
use crate::backends::entry_search::{Cursor, EntryPage, EntryQuery, EntrySearch, StatusCounts, TextMatch};
use crate::backends::Result;

/// The arguments of a statement under construction.
struct Sql {
    args: Vec<Value>,
}

impl Sql {
    /// Adds `value` as the next argument and returns its placeholder.
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.args.push(value.into());
        format!("?{}", self.args.len())
    }
}

/// The statement and its arguments for one page of `query` after `cursor` (one row more than the
/// page, to know whether another follows).
fn page_sql(campaign: &str, query: &EntryQuery, cursor: Option<&Cursor>, limit: u32) -> (String, Vec<Value>) {
    let mut q = Sql { args: Vec::new() };
    // Without statistics SQLite may take the time index for a status and date filter and read past
    // every entry of other statuses; naming the index keeps each page's cost that of the page.
    let index = match (&query.text, query.status) {
        (Some(TextMatch::Email(_)), _) => " INDEXED BY entries_by_email",
        (Some(TextMatch::NamePrefix(_)), _) => " NOT INDEXED",
        (None, Some(_)) => " INDEXED BY entries_by_status",
        (None, None) => " INDEXED BY entries_by_time",
    };
    let mut sql = format!("{SELECT_ENTRY}{index} WHERE campaign = {}", q.bind(campaign.to_string()));
    match &query.text {
        Some(TextMatch::Email(email)) => sql += &format!(" AND lower(email) = {}", q.bind(email.clone())),
        Some(TextMatch::NamePrefix(prefix)) => {
            // Every name that starts with the prefix sorts between it and it followed by the
            // highest code point. The matches come from the two name indexes, then are sorted
            // by time: without this SQLite may walk the whole campaign by time instead.
            let (c, lo, hi) =
                (q.bind(campaign.to_string()), q.bind(prefix.clone()), q.bind(format!("{prefix}\u{10FFFF}")));
            let names = |column: &str| {
                format!(
                    "SELECT rowid FROM entries INDEXED BY entries_by_{column} WHERE campaign = {c}
                        AND {column} >= {lo} COLLATE NOCASE AND {column} < {hi} COLLATE NOCASE"
                )
            };
            sql += &format!(" AND rowid IN ({} UNION ALL {})", names("first_name"), names("last_name"));
        }
        None => {}
    }
    if let Some(status) = query.status {
        sql += &format!(" AND status = {}", q.bind(status.as_str().to_string()));
    }
    if let Some(from) = query.from_ms {
        sql += &format!(" AND accepted_ms >= {}", q.bind(from));
    }
    if let Some(to) = query.to_ms {
        sql += &format!(" AND accepted_ms < {}", q.bind(to));
    }
    // The same indexes serve either direction: SQLite walks them forwards for oldest first.
    let (past, order) = if query.oldest_first { (">", "ASC") } else { ("<", "DESC") };
    if let Some(c) = cursor {
        let (ms, id) = (q.bind(c.accepted_at_ms), q.bind(c.entry_id.clone()));
        sql += &format!(" AND (accepted_ms, entry_id) {past} ({ms}, {id})");
    }
    sql += &format!(" ORDER BY accepted_ms {order}, entry_id {order} LIMIT {}", q.bind(i64::from(limit) + 1));
    (sql, q.args)
}

#[async_trait]
impl EntrySearch for SqliteBackend {
    async fn search_entries(
        &self,
        campaign: &str,
        query: &EntryQuery,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> Result<EntryPage> {
        let limit = limit.max(1);
        let (sql, args) = page_sql(campaign, query, cursor, limit);
        let mut entries = self.db().read(move |conn| query_entries(conn, &sql, params_from_iter(args))).await?;
        let more = entries.len() > limit as usize;
        entries.truncate(limit as usize);
        let next_cursor = more.then(|| entries.last().map(|e| Cursor::after(e).encode())).flatten();
        Ok(EntryPage { entries, next_cursor })
    }

    async fn entry_counts(&self, campaign: &str) -> Result<StatusCounts> {
        let campaign = campaign.to_string();
        let counts = self
            .db()
            .read(move |conn| {
                let mut stmt =
                    conn.prepare_cached("SELECT status, COUNT(*) FROM entries WHERE campaign = ?1 GROUP BY status")?;
                let rows = stmt.query_map(params![campaign], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
                let mut counts = StatusCounts::new();
                for row in rows {
                    let (status, n) = row?;
                    counts.insert(status, n.max(0) as u64);
                }
                Ok(counts)
            })
            .await?;
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vouch_core::wire::EntryStatus;

    /// How SQLite runs each kind of page: through an index, never a scan of the table.
    fn plan(query: EntryQuery, cursor: bool) -> String {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        db.execute_batch(super::super::SCHEMA).unwrap();
        let cursor = cursor.then(|| Cursor { accepted_at_ms: 5, entry_id: "ent_5".into() });
        let (sql, args) = page_sql("demo", &query, cursor.as_ref(), 50);
        let mut stmt = db.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map(params_from_iter(args), |r| r.get::<_, String>(3)).unwrap();
        rows.map(|r| r.unwrap()).collect::<Vec<_>>().join("\n")
    }

    #[test]
    fn every_filter_pages_through_an_index_without_sorting_the_campaign() {
        let day = Some(86_400_000);
        let cases = [
            (EntryQuery::default(), "entries_by_time"),
            (
                EntryQuery {
                    status: Some(EntryStatus::PendingReview),
                    from_ms: Some(0),
                    to_ms: day,
                    ..Default::default()
                },
                "entries_by_status",
            ),
            (
                EntryQuery { status: Some(EntryStatus::PendingReview), oldest_first: true, ..Default::default() },
                "entries_by_status",
            ),
            (EntryQuery { text: TextMatch::parse("a@example.com"), ..Default::default() }, "entries_by_email"),
        ];
        for (query, index) in cases {
            for cursor in [false, true] {
                let plan = plan(query.clone(), cursor);
                assert!(plan.contains(index), "{query:?}: {plan}");
                assert!(!plan.contains("TEMP B-TREE") && !plan.starts_with("SCAN entries"), "{query:?}: {plan}");
            }
        }
        let names = plan(EntryQuery { text: TextMatch::parse("ann"), ..Default::default() }, true);
        assert!(names.contains("entries_by_first_name") && names.contains("entries_by_last_name"), "{names}");
        assert!(names.contains("INTEGER PRIMARY KEY") && !names.contains("SCAN entries"), "{names}");
    }
}
