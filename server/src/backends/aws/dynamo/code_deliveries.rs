//! Filled items on their way to delivery. A fill keeps its waiting item (`codewait#…#<n>`), so
//! the items between the pool's `n_deliver_head` and `n_wait_head` were handed a code by a fill;
//! those without `delivered` still owe the shopper a mail, also after a crash.

use aws_sdk_dynamodb::types::AttributeValue as AV;
use vouch_core::codes::Pool;

use super::super::{flag, n, number, opt_text, text};
use super::{owed_pk, pool_pk, wait_pk, DynamoCodes};
use crate::backends::{BackendError, Result};

impl DynamoCodes {
    pub(super) async fn undelivered_fills(&self, campaign: &str, pool: Pool) -> Result<Vec<(String, String)>> {
        let Some(counters) = self.store.get(&pool_pk(campaign, pool)).await? else { return Ok(Vec::new()) };
        let (head, filled) = (number(&counters, "n_deliver_head"), number(&counters, "n_wait_head"));
        let mut out = Vec::new();
        // Delivered items at the front need not be read again: the head moves past them.
        let mut new_head = head;
        for seq in head..filled {
            let wait = self.store.get(&wait_pk(campaign, pool, seq)).await?;
            let wait = wait.ok_or_else(|| BackendError::Corrupt("a filled item is missing".into()))?;
            if flag(&wait, "delivered") {
                if new_head == seq {
                    new_head = seq + 1;
                }
                continue;
            }
            let owed_id = text(&wait, "owed_id")?;
            let owed = self.store.get(&owed_pk(campaign, pool, &owed_id)).await?;
            let code_id = owed.as_ref().and_then(|o| opt_text(o, "code_id"));
            let code_id = code_id.ok_or_else(|| BackendError::Corrupt("a filled item holds no code".into()))?;
            out.push((owed_id, code_id));
        }
        if new_head > head {
            let advance = self.store.update_item(
                &pool_pk(campaign, pool),
                "SET n_deliver_head = :h",
                &[(":h", n(new_head))],
                Some("attribute_not_exists(n_deliver_head) OR n_deliver_head < :h"),
            )?;
            // A concurrent reader that moved it further is as good.
            self.store.transact(vec![advance]).await?;
        }
        Ok(out)
    }

    pub(super) async fn mark_delivered(&self, campaign: &str, pool: Pool, owed_id: &str) -> Result<()> {
        let Some(owed) = self.store.get(&owed_pk(campaign, pool, owed_id)).await? else { return Ok(()) };
        // Only items that waited have a place in the line; one claimed at once was delivered by
        // its flow.
        let Some(AV::N(seq)) = owed.get("wait_seq") else { return Ok(()) };
        let seq: i64 = seq.parse().map_err(|_| BackendError::Corrupt("wait_seq is not a number".into()))?;
        let mark = self.store.update_item(
            &wait_pk(campaign, pool, seq),
            "SET delivered = :t",
            &[(":t", AV::Bool(true))],
            Some("attribute_exists(pk)"),
        )?;
        self.store.transact(vec![mark]).await?;
        Ok(())
    }
}
