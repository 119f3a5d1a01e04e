//! Deciding about one giveaway entry: validate with the core rules, resolve the receipt upload,
//! then hand it to the intake exactly once per idempotency key.

use sha2::{Digest, Sha256};
use vouch_core::age::CivilDate;
use vouch_core::consent::ConsentForm;
use vouch_core::form::{check_eligibility, validate_entry};
use vouch_core::idempotency::is_valid_key;
use vouch_core::moderation::Signal;
use vouch_core::referral::identity_email;
use vouch_core::schedule::ScheduleState;
use vouch_core::wire::EntryRequest;
use vouch_core::{Field, FieldCode, FieldError};

use crate::backends::{Accepted, BackendError, EntryMessage, Intake, Objects, Quota, Submission};
use crate::campaigns::Campaign;
use crate::clock::now_ms;
use crate::consents::records::shown;
use crate::uploads::budget::UploadBudget;
use crate::uploads::ids::UploadIds;

#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    #[error("the Idempotency-Key header is missing or not 1-255 visible ASCII characters")]
    BadIdempotencyKey,
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("this Idempotency-Key was used with a different body")]
    KeyReused,
    #[error("a request with this Idempotency-Key is in flight")]
    InFlight,
    #[error("outside the campaign's schedule")]
    Schedule(ScheduleState),
    #[error("this person has made as many entries as the campaign allows")]
    LimitReached,
    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// The accepted entry and whether this call was a replay of an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub entry_id: String,
    pub replay: bool,
}

pub struct Deps<'a> {
    pub intake: &'a dyn Intake,
    pub objects: &'a dyn Objects,
    pub upload_ids: &'a UploadIds,
    pub upload_budget: &'a UploadBudget,
    /// This client sent many entries just now (a moderation signal the worker sees).
    pub client_burst: bool,
    /// The request's `Origin`: the page the form was on, for the consent records.
    pub origin: Option<String>,
}

/// The idempotency fingerprint: the parsed request re-serialised, so whitespace or key order in
/// the JSON do not make a retry look like a different body.
pub fn body_hash(req: &EntryRequest) -> Vec<u8> {
    let canonical = serde_json::to_vec(req).unwrap_or_default();
    Sha256::digest(&canonical).to_vec()
}

pub async fn submit(
    deps: &Deps<'_>,
    campaign: &Campaign,
    key: Option<&str>,
    req: EntryRequest,
) -> Result<Outcome, SubmitError> {
    let key = key.filter(|k| is_valid_key(k)).ok_or(SubmitError::BadIdempotencyKey)?;
    let hash = body_hash(&req);
    check_schedule(deps, campaign, key, &hash, req.receipt_upload_id.as_deref()).await?;
    let entry = validate(&req, campaign)?;
    let receipt_key = match entry.receipt_upload_id.as_deref() {
        Some(id) => match resolve_upload(deps, campaign.id(), id).await {
            Ok(key) => Some(key),
            // The worker removes an upload once its entry is processed: a replay of that entry
            // must still get its first answer. (Only this rare path pays for the extra read.)
            Err(SubmitError::Invalid(fields)) => {
                return match deps.intake.earlier(campaign.id(), key).await? {
                    Some((earlier, entry_id)) if earlier == hash => Ok(Outcome { entry_id, replay: true }),
                    Some(_) => Err(SubmitError::KeyReused),
                    None => Err(SubmitError::Invalid(fields)),
                };
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    // The words as this shopper saw them now: a later change of the campaign's copy is not theirs.
    let shown_in = campaign.locale_for(req.locale.as_deref().and_then(vouch_core::i18n::Locale::parse));
    let consents = shown(campaign, ConsentForm::Entry, shown_in, &req.consents);
    let message = EntryMessage {
        // Time-ordered (UUIDv7): entry ids are index keys, and ids that only grow append to the
        // index's last page instead of touching a random page per entry in every group commit.
        entry_id: format!("ent_{}", uuid::Uuid::now_v7().simple()),
        campaign: campaign.id().to_string(),
        idempotency_key: key.to_string(),
        entry,
        receipt_key,
        accepted_at_ms: now_ms(),
        signals: if deps.client_burst { vec![Signal::ClientBurst] } else { Vec::new() },
        consents,
        origin: deps.origin.clone(),
    };
    let claimed = message.receipt_key.clone();
    // The same person as the referral program sees it: one mailbox, however it is spelled.
    let quota = campaign.entry_limit.map(|l| Quota {
        identity: identity_email(&message.entry.entrant.email),
        period: l.period.key(message.accepted_at_ms),
        limit: l.per_person,
    });
    let submission = Submission {
        campaign: campaign.id().to_string(),
        idempotency_key: key.to_string(),
        body_hash: hash,
        message,
        quota,
    };
    match deps.intake.accept(submission).await? {
        Accepted::New { entry_id } => {
            if let Some(upload) = claimed {
                deps.upload_budget.release(campaign.id(), &upload);
            }
            Ok(Outcome { entry_id, replay: false })
        }
        Accepted::Replay { entry_id } => Ok(Outcome { entry_id, replay: true }),
        Accepted::KeyReused => Err(SubmitError::KeyReused),
        Accepted::InFlight => Err(SubmitError::InFlight),
        Accepted::UploadClaimed => Err(receipt_error(FieldCode::UploadAlreadyUsed)),
        Accepted::UploadSwept => Err(receipt_error(FieldCode::UploadExpired)),
        Accepted::LimitReached => Err(SubmitError::LimitReached),
    }
}

/// The form's rules and the campaign's entrant conditions, every refused field at once. The age
/// counts on today's UTC date; the date of birth is only checked, never stored or logged.
fn validate(req: &EntryRequest, campaign: &Campaign) -> Result<vouch_core::form::ValidEntry, SubmitError> {
    let rules = &campaign.public.form;
    let mut refused = check_eligibility(req, rules, CivilDate::from_unix_ms(now_ms()));
    match validate_entry(req, rules) {
        Ok(entry) if refused.is_empty() => Ok(entry),
        Ok(_) => Err(SubmitError::Invalid(refused)),
        Err(mut errors) => {
            errors.append(&mut refused);
            Err(SubmitError::Invalid(errors))
        }
    }
}

/// Outside the window, nothing is taken, except an entry whose upload grant predates the close
/// (within the grace), and a retry of an entry accepted while it was open, which gets its answer.
async fn check_schedule(
    deps: &Deps<'_>,
    campaign: &Campaign,
    key: &str,
    hash: &[u8],
    upload_id: Option<&str>,
) -> Result<(), SubmitError> {
    let issued = upload_id.and_then(|id| deps.upload_ids.issued_at_ms(campaign.id(), id));
    let s = &campaign.schedule;
    let Err(state) = s.window.admits_entry(now_ms(), issued, s.close_grace_ms) else { return Ok(()) };
    match deps.intake.earlier(campaign.id(), key).await? {
        Some((earlier, _)) if earlier == hash => Ok(()),
        _ => Err(SubmitError::Schedule(state)),
    }
}

fn receipt_error(code: FieldCode) -> SubmitError {
    SubmitError::Invalid(vec![FieldError::new(Field::Receipt, code)])
}

async fn resolve_upload(deps: &Deps<'_>, campaign: &str, upload_id: &str) -> Result<String, SubmitError> {
    let not_found = || receipt_error(FieldCode::UploadNotFound);
    let key = deps.upload_ids.resolve(campaign, upload_id).ok_or_else(not_found)?;
    match deps.objects.head(&key).await? {
        Some(_) => Ok(key),
        None => Err(not_found()),
    }
}
