//! The worker's lanes, assembled from the backends' traits: entries, conversions and webhook
//! deliveries, each with its queue and handler.

use std::sync::Arc;

use super::conversions::ConversionHandler;
use super::decode_budget::DecodeBudget;
use super::entries::EntryHandler;
use super::webhooks::WebhookHandler;
use super::{Lane, Worker};
use crate::backends::receipts::ReceiptIndex;
use crate::backends::referrals::Referrals;
use crate::backends::review::Moderation;
use crate::backends::{Control, Mailer, Objects, Queue, Store};
use crate::backends::{CONVERSIONS_TOPIC, ENTRIES_TOPIC, WEBHOOKS_TOPIC};
use crate::campaigns::Campaigns;
use crate::codes::fulfil::Fulfil;
use crate::config::Config;

/// What the lanes drain and write to.
pub struct Parts {
    pub entries: Arc<dyn Queue>,
    pub conversions: Arc<dyn Queue>,
    pub webhooks: Arc<dyn Queue>,
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
}

/// The worker for `parts`, configured by `config`.
pub fn assemble(config: &Config, parts: Parts, campaigns: Campaigns) -> Worker {
    let entries = EntryHandler {
        store: parts.store,
        objects: parts.objects,
        mailer: parts.mailer.clone(),
        fulfil: parts.fulfil.clone(),
        campaigns: campaigns.clone(),
        receipts: parts.receipts,
        moderation: parts.moderation,
        decode: DecodeBudget::new(config.worker.decode_budget_megapixels),
        consents: parts.consents,
    };
    let conversions = ConversionHandler {
        referrals: parts.referrals.clone(),
        webhooks: parts.webhooks.clone(),
        campaigns: campaigns.clone(),
        fulfil: parts.fulfil,
        mailer: parts.mailer,
    };
    let deliveries = WebhookHandler::new(parts.referrals, campaigns, config.worker.allow_internal_webhooks);
    Worker {
        lanes: vec![
            Lane { name: ENTRIES_TOPIC, queue: parts.entries, handler: Arc::new(entries) },
            Lane { name: CONVERSIONS_TOPIC, queue: parts.conversions, handler: Arc::new(conversions) },
            Lane { name: WEBHOOKS_TOPIC, queue: parts.webhooks, handler: Arc::new(deliveries) },
        ],
        control: parts.control,
        config: config.worker.clone(),
    }
}
