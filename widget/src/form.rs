//! The giveaway form: its state (one `Model` of signals), validation with the core rules as the
//! shopper types, and submission with one idempotency key per form fill.

use leptos::prelude::*;
use leptos::task::spawn_local;
use vouch_core::age::{check_date_of_birth, CivilDate};
use vouch_core::campaign::CampaignPublic;
use vouch_core::form::{validate_field, FormRules, Requirement};
use vouch_core::form_markup::{self, Prefill};
use vouch_core::i18n::{self, Locale, Ui};
use vouch_core::wire::{Consents, EntryAccepted, EntryFields, EntryRequest};
use vouch_core::{ErrorCode, Field, FieldCode, FieldError};

use crate::api::{random_key, sleep, Api, ApiFailure};
use crate::draft::{self, Draft};
use crate::fields::{on_change, on_focusout, on_input, ErrorSummary};
use crate::lazy_receipt::{LazyReceipt, IDLE_LOAD_MS};
use crate::receipt::UploadState;
use crate::status::{follow, StatusPanel};

/// `Reviewing`: a person checks the entry (it can take days); its status is still followed.
/// `Confirmed`: with the entry's code when the campaign hands one out, or `code_pending` while
/// the code follows by e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Phase {
    Editing,
    Submitting,
    Accepted { entry_id: String },
    Reviewing { entry_id: String },
    Confirmed { code: Option<String>, code_pending: bool },
    Rejected { reason: String },
}

/// All of one form's state. Every member is a signal, so the model is `Copy` into any closure.
#[derive(Clone, Copy)]
pub(crate) struct Model {
    pub(crate) first_name: RwSignal<String>,
    pub(crate) last_name: RwSignal<String>,
    pub(crate) email: RwSignal<String>,
    pub(crate) phone: RwSignal<String>,
    pub(crate) postal_code: RwSignal<String>,
    /// Not kept in the draft, as the page's storage outlives the form: a birth date is more
    /// personal than a draft needs, and country and age box are one click each.
    pub(crate) date_of_birth: RwSignal<String>,
    pub(crate) country: RwSignal<String>,
    pub(crate) age_confirmed: RwSignal<bool>,
    pub(crate) terms: RwSignal<bool>,
    pub(crate) marketing: RwSignal<bool>,
    pub(crate) errors: RwSignal<Vec<FieldError>>,
    pub(crate) show_summary: RwSignal<bool>,
    pub(crate) upload: RwSignal<UploadState>,
    pub(crate) phase: RwSignal<Phase>,
    pub(crate) notice: RwSignal<Option<String>>,
    pub(crate) key: RwSignal<String>,
    pub(crate) rules: StoredValue<FormRules>,
    pub(crate) campaign: StoredValue<String>,
    /// The friend's referral code, sent with the entry.
    pub(crate) referral_code: StoredValue<Option<String>>,
    pub(crate) locale: Locale,
}

impl Model {
    fn new(campaign: &str, rules: FormRules, d: Draft, referral_code: Option<String>, locale: Locale) -> Self {
        let key = if d.idempotency_key.is_empty() { random_key() } else { d.idempotency_key };
        let upload = match (d.upload_id, d.upload_name) {
            (Some(upload_id), Some(name)) => UploadState::Done { upload_id, name },
            _ => UploadState::Empty,
        };
        let phase = d.entry_id.map_or(Phase::Editing, |entry_id| Phase::Accepted { entry_id });
        Self {
            first_name: RwSignal::new(d.first_name),
            last_name: RwSignal::new(d.last_name),
            email: RwSignal::new(d.email),
            phone: RwSignal::new(d.phone),
            postal_code: RwSignal::new(d.postal_code),
            date_of_birth: RwSignal::new(String::new()),
            country: RwSignal::new(String::new()),
            age_confirmed: RwSignal::new(false),
            terms: RwSignal::new(d.terms),
            marketing: RwSignal::new(d.marketing),
            errors: RwSignal::new(Vec::new()),
            show_summary: RwSignal::new(false),
            upload: RwSignal::new(upload),
            phase: RwSignal::new(phase),
            notice: RwSignal::new(None),
            key: RwSignal::new(key),
            rules: StoredValue::new(rules),
            campaign: StoredValue::new(campaign.to_string()),
            referral_code: StoredValue::new(referral_code),
            locale,
        }
    }

    pub(crate) fn value(&self, field: Field) -> Option<RwSignal<String>> {
        match field {
            Field::FirstName => Some(self.first_name),
            Field::LastName => Some(self.last_name),
            Field::Email => Some(self.email),
            Field::Phone => Some(self.phone),
            Field::PostalCode => Some(self.postal_code),
            Field::DateOfBirth => Some(self.date_of_birth),
            Field::Country => Some(self.country),
            _ => None,
        }
    }

    /// The checkbox with this id: its value and the rule that checks it (none for marketing).
    pub(crate) fn check_box(&self, id: &str) -> Option<(RwSignal<bool>, Option<Field>)> {
        if id == form_markup::MARKETING {
            return Some((self.marketing, None));
        }
        [(Field::AgeConfirmation, self.age_confirmed), (Field::Terms, self.terms)]
            .into_iter()
            .find(|(field, _)| field.as_str() == id)
            .map(|(field, checked)| (checked, Some(field)))
    }

    /// The field's error in the shopper's language (errors are kept as codes).
    pub(crate) fn error(&self, field: Field) -> Option<&'static str> {
        let locale = self.locale;
        self.errors.with(|errs| errs.iter().find(|e| e.field == field).map(|e| i18n::field_code(e.code, locale)))
    }

    pub(crate) fn set_error(&self, field: Field, code: Option<FieldCode>) {
        self.errors.update(|errs| {
            errs.retain(|e| e.field != field);
            if let Some(code) = code {
                errs.push(FieldError::new(field, code));
                errs.sort_by_key(|e| FIELD_ORDER.iter().position(|f| *f == e.field));
            }
        });
    }

    /// Checks one field with the same rule the server applies.
    pub(crate) fn validate(&self, field: Field) {
        let code = match field {
            Field::Terms => (!self.terms.get_untracked()).then_some(FieldCode::ConsentRequired),
            Field::Receipt => self.receipt_problem(),
            Field::AgeConfirmation => {
                (!self.age_confirmed.get_untracked()).then_some(FieldCode::AgeConfirmationRequired)
            }
            // The whole age rule, on the shopper's clock; the server checks again on its own.
            Field::DateOfBirth => self.rules.with_value(|rules| {
                let today = CivilDate::from_unix_ms(js_sys::Date::now() as i64);
                let value = self.date_of_birth.get_untracked();
                check_date_of_birth(&value, rules.min_age.unwrap_or(0), today).err()
            }),
            _ => {
                let value = self.value(field).map(|v| v.get_untracked()).unwrap_or_default();
                self.rules.with_value(|rules| validate_field(field, &value, rules).err())
            }
        };
        self.set_error(field, code);
    }

    fn receipt_problem(&self) -> Option<FieldCode> {
        let required = self.rules.with_value(|r| r.requirement(Field::Receipt) == Requirement::Required);
        match self.upload.get_untracked() {
            UploadState::Done { .. } => None,
            UploadState::Empty if !required => None,
            _ => Some(FieldCode::ReceiptRequired),
        }
    }

    pub(crate) fn visible(&self, field: Field) -> bool {
        self.rules.with_value(|r| r.requirement(field) != Requirement::Hidden)
    }

    /// A field's value when the campaign asks for it, else nothing (a stale draft sends no country).
    fn shown(&self, field: Field, value: String) -> String {
        if self.visible(field) {
            value
        } else {
            String::new()
        }
    }

    fn request(&self) -> EntryRequest {
        let upload_id = match self.upload.get_untracked() {
            UploadState::Done { upload_id, .. } => Some(upload_id),
            _ => None,
        };
        EntryRequest {
            fields: EntryFields {
                first_name: self.first_name.get_untracked(),
                last_name: self.last_name.get_untracked(),
                email: self.email.get_untracked(),
                phone: self.phone.get_untracked(),
                postal_code: self.postal_code.get_untracked(),
                date_of_birth: self.shown(Field::DateOfBirth, self.date_of_birth.get_untracked()),
                country: self.shown(Field::Country, self.country.get_untracked()),
            },
            consents: Consents {
                terms: self.terms.get_untracked(),
                marketing: self.marketing.get_untracked(),
                age_confirmed: self.visible(Field::AgeConfirmation) && self.age_confirmed.get_untracked(),
                // The page's answer, not a box of this form: `submit` sets it.
                storage: false,
            },
            receipt_upload_id: upload_id,
            referral_code: self.referral_code.get_value(),
            locale: Some(self.locale.code().into()),
        }
    }

    pub(crate) fn save_draft(&self) {
        let (upload_id, upload_name) = match self.upload.get_untracked() {
            UploadState::Done { upload_id, name } => (Some(upload_id), Some(name)),
            _ => (None, None),
        };
        let entry_id = match self.phase.get_untracked() {
            Phase::Accepted { entry_id } | Phase::Reviewing { entry_id } => Some(entry_id),
            _ => None,
        };
        let r = self.request();
        let d = Draft {
            first_name: r.fields.first_name,
            last_name: r.fields.last_name,
            email: r.fields.email,
            phone: r.fields.phone,
            postal_code: r.fields.postal_code,
            terms: r.consents.terms,
            marketing: r.consents.marketing,
            idempotency_key: self.key.get_untracked(),
            upload_id,
            upload_name,
            entry_id,
        };
        self.campaign.with_value(|c| draft::save(c, &d));
    }

    /// Starts a new form fill (after a verdict): new key, no receipt, the shopper's details kept.
    pub(crate) fn start_over(&self) {
        self.key.set(random_key());
        self.upload.set(UploadState::Empty);
        self.errors.set(Vec::new());
        self.show_summary.set(false);
        self.notice.set(None);
        self.phase.set(Phase::Editing);
        self.save_draft();
    }
}

pub(crate) const FIELD_ORDER: [Field; 10] = [
    Field::FirstName,
    Field::LastName,
    Field::Email,
    Field::Phone,
    Field::PostalCode,
    Field::Country,
    Field::DateOfBirth,
    Field::Receipt,
    Field::AgeConfirmation,
    Field::Terms,
];

/// When the parts of the form are built: `App` sets each a task after the one before, so that
/// the form is built in three tasks, none of them a long one: its state and card, then its frame
/// and first fields (`body`), then the rest (`rest`).
#[derive(Clone, Copy)]
pub(crate) struct Stages {
    pub(crate) body: RwSignal<bool>,
    pub(crate) rest: RwSignal<bool>,
}

#[component]
pub(crate) fn EntryForm(
    api: Api,
    campaign: CampaignPublic,
    referral_code: Option<String>,
    stages: Stages,
) -> impl IntoView {
    let saved = draft::load(&campaign.id).unwrap_or_default();
    let l = api.locale;
    let model = Model::new(&campaign.id, campaign.form.clone(), saved, referral_code, l);
    if let Phase::Accepted { entry_id } = model.phase.get_untracked() {
        spawn_local(follow(api.clone(), model, entry_id));
    }
    let campaign = StoredValue::new(campaign);
    // A half of the static fields, drawn anew (with the values so far) whenever the form shows.
    let part = move |half: fn(&CampaignPublic, &dyn Prefill) -> String| campaign.with_value(|c| half(c, &model));
    let form_ref = NodeRef::<leptos::html::Form>::new();
    Effect::new(move || {
        if let Some(form) = form_ref.get() {
            crate::fields::show_errors(model, &form);
        }
    });
    let text = move |pick: fn(&vouch_core::campaign::Copy) -> &String| campaign.with_value(|c| pick(&c.copy).clone());
    let api = StoredValue::new(api);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if model.phase.get_untracked() != Phase::Editing {
            return; // a double click while the first submit is in flight
        }
        for field in FIELD_ORDER.into_iter().filter(|f| model.visible(*f)) {
            model.validate(field);
        }
        if !model.errors.get_untracked().is_empty() {
            model.show_summary.set(true);
            return;
        }
        model.phase.set(Phase::Submitting);
        model.notice.set(None);
        let api = api.get_value();
        crate::track::track(&api.campaign, vouch_core::analytics::EventKind::Submit);
        spawn_local(submit(api, model));
    };
    // The receipt's chunk: fetched when the shopper starts on the form, else soon after it shows.
    let receipt = LazyReceipt::new(model, api.get_value());
    set_timeout(move || receipt.load(), std::time::Duration::from_millis(IDLE_LOAD_MS));
    let editing = move || matches!(model.phase.get(), Phase::Editing | Phase::Submitting);
    let submitting = move || model.phase.get() == Phase::Submitting;
    view! {
        <section class="card" part="card" aria-labelledby="vouch-title">
            <h2 id="vouch-title" part="title">{text(|c| &c.title)}</h2>
            {move || stages.body.get().then(|| view! {
                <Show when=editing fallback=move || view! { <StatusPanel model=model confirmed=text(|c| &c.confirmed) /> }>
                    <p class="intro">{text(|c| &c.intro)}</p>
                    <form novalidate node_ref=form_ref on:submit=on_submit on:focusin=move |_| receipt.load()
                        on:pointerdown=move |_| receipt.load() on:dragenter=move |_| receipt.load()
                        on:input=move |ev| on_input(model, &ev) on:change=move |ev| on_change(model, &ev)
                        on:focusout=move |ev| on_focusout(model, &ev)>
                        <ErrorSummary model=model />
                        <div class="part" inner_html=part(form_markup::before_receipt)></div>
                        {move || stages.rest.get().then(|| view! {
                            {receipt.render()}
                            <div class="part" inner_html=part(form_markup::after_receipt)></div>
                            <p class="notice" role="status">{move || model.notice.get()}</p>
                            <button type="submit" class="submit" part="submit" aria-disabled=move || submitting().to_string()>
                                {move || if submitting() { i18n::ui(Ui::Sending, l).to_string() } else { text(|c| &c.submit_label) }}
                            </button>
                        })}
                    </form>
                </Show>
            })}
        </section>
    }
}

/// How long the form keeps retrying an entry the server still holds in flight (409) before it
/// tells the shopper the server is busy. After an outage the server may need its takeover window
/// (four AWS timeouts and a margin, 14 s by default) before it takes the same key over.
const IN_FLIGHT_PATIENCE_MS: i32 = 20_000;

/// Sends the entry; retries a concurrent-duplicate answer as the server's `Retry-After` says,
/// maps field errors back onto the form.
async fn submit(api: Api, model: Model) {
    let mut request = model.request();
    request.consents.storage = api.storage;
    let key = model.key.get_untracked();
    model.save_draft();
    let mut waited = 0;
    loop {
        match api.post::<_, EntryAccepted>("/entries", &request, Some(&key)).await {
            Ok(accepted) => {
                model.phase.set(Phase::Accepted { entry_id: accepted.entry_id.clone() });
                model.save_draft();
                follow(api, model, accepted.entry_id).await;
                return;
            }
            Err(ApiFailure::Http { body: Some(body), retry_after, .. })
                if body.error.code == ErrorCode::IdempotencyKeyInFlight =>
            {
                if waited >= IN_FLIGHT_PATIENCE_MS {
                    break;
                }
                let wait = i32::try_from(retry_after.unwrap_or(1).clamp(1, 5)).unwrap_or(1) * 1000;
                sleep(wait).await;
                waited += wait;
            }
            Err(ApiFailure::Http { body: Some(body), .. }) if !body.error.fields.is_empty() => {
                // Render from our own catalogue: the codes are the contract, the server's words are not.
                let fields = body.error.fields.into_iter().map(|f| FieldError::new(f.field, f.code)).collect();
                model.errors.set(fields);
                model.show_summary.set(true);
                model.phase.set(Phase::Editing);
                return;
            }
            Err(failure) => {
                if failure.code() == Some(ErrorCode::IdempotencyKeyReused) {
                    model.key.set(random_key());
                }
                model.notice.set(Some(failure.message(model.locale)));
                model.phase.set(Phase::Editing);
                return;
            }
        }
    }
    model.notice.set(Some(i18n::ui(Ui::ServerBusy, model.locale).into()));
    model.phase.set(Phase::Editing);
}
