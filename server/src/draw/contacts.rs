//! Who has won a draw and whether they were told: the winners list with its contact status.

use super::notify::mail_key;
use super::DrawFailure;
use crate::app::wiring::Backends;
use crate::backends::draws::DrawRecord;

/// One entry that has held a win in a draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub entry_id: String,
    /// A winner now (not forfeited).
    pub current: bool,
    /// When it took the place of a winner who forfeited; `None` for a drawn winner.
    pub promoted_at_ms: Option<i64>,
    /// When its winner's e-mail went out; `None`: not mailed (yet).
    pub mailed_at_ms: Option<i64>,
    pub forfeited_at_ms: Option<i64>,
    /// Who recorded the forfeit.
    pub forfeited_by: Option<String>,
}

/// Every entry that has held a win in `draw`, drawn winners first, then promoted alternates in
/// the order they were promoted.
pub async fn contacts(backends: &Backends, draw: &DrawRecord) -> Result<Vec<Contact>, DrawFailure> {
    let current = draw.current_winners();
    let mut out = Vec::new();
    for entry_id in draw.ever_won() {
        let promoted = draw.history.iter().find(|f| f.replaced_by.as_ref() == Some(entry_id));
        let forfeit = draw.history.iter().find(|f| &f.entry_id == entry_id);
        out.push(Contact {
            entry_id: entry_id.clone(),
            current: current.contains(entry_id),
            promoted_at_ms: promoted.map(|f| f.at_ms),
            mailed_at_ms: backends.mailer.sent_at(&mail_key(&draw.draw_id, entry_id)).await?,
            forfeited_at_ms: forfeit.map(|f| f.at_ms),
            forfeited_by: forfeit.map(|f| f.actor.clone()),
        });
    }
    Ok(out)
}
