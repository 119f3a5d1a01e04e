//! The worker's lanes, assembled from the backends' traits: entries, conversions, webhook
//! deliveries and funnel events, each with its queue and handler.

use std::sync::Arc;

use super::conversions::ConversionHandler;
use super::decode_budget::DecodeBudget;
use super::entries::EntryHandler;
use super::events::EventsHandler;
use super::webhooks::WebhookHandler;
use super::{Handler, Lane, Pace, Worker};
use crate::backends::analytics::Analytics;
use crate::backends::receipts::ReceiptIndex;
use crate::backends::referrals::Referrals;
use crate::backends::review::Moderation;
use crate::backends::{Control, Mailer, Objects, Queue, Store};
use crate::backends::{CONVERSIONS_TOPIC, ENTRIES_TOPIC, EVENTS_TOPIC, WEBHOOKS_TOPIC};
use crate::campaigns::Campaigns;
use crate::codes::fulfil::Fulfil;
use crate::config::Config;
use crate::funnel::Funnel;

/// The events lane's pace: few tasks, each taking a group of batches (SQS gives 10 at most per
/// receive), so a burst of page events keeps the shared writer (SQLite) or the table (DynamoDB)
/// busy with at most this much work at once — and none while entries wait.
const EVENT_TASKS: usize = 2;
const EVENT_GROUP: usize = 10;

/// What the lanes drain and write to.
pub struct Parts {
    pub entries: Arc<dyn Queue>,
    pub conversions: Arc<dyn Queue>,
    pub webhooks: Arc<dyn Queue>,
    /// Funnel events: the lane drains it into `analytics`; the other lanes report to it.
    pub events: Arc<dyn Queue>,
    pub analytics: Arc<dyn Analytics>,
    pub store: Arc<dyn Store>,
    pub objects: Arc<dyn Objects>,
    pub mailer: Arc<dyn Mailer>,
    pub referrals: Arc<dyn Referrals>,
    /// Code pools, for the codes entries and credits are owed.
    pub fulfil: Fulfil,
    pub control: Arc<dyn Control>,
    pub receipts: Arc<dyn ReceiptIndex>,
    pub moderation: Arc<dyn Moderation>,
    pub consents: super::consents::ConsentStep,
    pub privacy: Arc<dyn crate::backends::privacy::Privacy>,
}

/// The worker for `parts`, configured by `config`.
pub fn assemble(config: &Config, parts: Parts, campaigns: Campaigns) -> Worker {
    let funnel = Funnel::new(parts.events.clone());
    let entries = EntryHandler {
        store: parts.store,
        objects: parts.objects,
        mailer: parts.mailer.clone(),
        fulfil: parts.fulfil.clone(),
        campaigns: campaigns.clone(),
        receipts: parts.receipts,
        moderation: parts.moderation,
        decode: DecodeBudget::new(config.worker.decode_budget_megapixels),
        funnel: funnel.clone(),
        consents: parts.consents,
        leftovers: parts.privacy.clone(),
    };
    let conversions = ConversionHandler {
        referrals: parts.referrals.clone(),
        webhooks: parts.webhooks.clone(),
        campaigns: campaigns.clone(),
        fulfil: parts.fulfil,
        mailer: parts.mailer,
        funnel,
        privacy: parts.privacy,
    };
    let deliveries = WebhookHandler::new(parts.referrals, campaigns, config.worker.allow_internal_webhooks);
    let events = EventsHandler { analytics: parts.analytics };
    let events_pace = Pace { tasks: Some(EVENT_TASKS), group: EVENT_GROUP, yields_to: Some(parts.entries.clone()) };
    let lane = |name, queue, handler: Arc<dyn Handler>| Lane { name, queue, handler, pace: Pace::default() };
    Worker {
        lanes: vec![
            lane(ENTRIES_TOPIC, parts.entries, Arc::new(entries)),
            lane(CONVERSIONS_TOPIC, parts.conversions, Arc::new(conversions)),
            lane(WEBHOOKS_TOPIC, parts.webhooks, Arc::new(deliveries)),
            Lane { name: EVENTS_TOPIC, queue: parts.events, handler: Arc::new(events), pace: events_pace },
        ],
        control: parts.control,
        config: config.worker.clone(),
    }
}
