//! Sending the receipt straight to the object store with the grant's form fields, over XHR so the
//! shopper sees real upload progress (fetch cannot report it).

use vouch_core::i18n::{Locale, Ui};
use vouch_core::wire::UploadGrant;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, FormData, ProgressEvent, XmlHttpRequest};

/// Why an upload did not land. The store's own error code is kept for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum UploadFailure {
    Network,
    Refused { code: String },
}

impl UploadFailure {
    pub(crate) fn message(&self, locale: Locale) -> String {
        let key = match self {
            UploadFailure::Network => Ui::UploadInterrupted,
            UploadFailure::Refused { code } if code == "EntityTooLarge" => Ui::UploadTooLarge,
            UploadFailure::Refused { code } if code == "AccessDenied" || code == "RequestTimeTooSkewed" => {
                Ui::UploadExpired
            }
            UploadFailure::Refused { .. } => Ui::UploadRefused,
        };
        vouch_core::i18n::ui(key, locale).into()
    }
}

/// Posts `file` as `name` with the grant's fields; `on_progress` gets 0.0–1.0 as bytes leave the
/// browser.
pub(crate) async fn upload(
    grant: &UploadGrant,
    file: &Blob,
    name: &str,
    on_progress: impl Fn(f64) + 'static,
) -> Result<(), UploadFailure> {
    let xhr = XmlHttpRequest::new().map_err(|_| UploadFailure::Network)?;
    xhr.open("POST", &grant.url).map_err(|_| UploadFailure::Network)?;
    let form = FormData::new().map_err(|_| UploadFailure::Network)?;
    for (name, value) in &grant.fields {
        form.append_with_str(name, value).map_err(|_| UploadFailure::Network)?;
    }
    // The store reads no field after the file, so it goes last.
    form.append_with_blob_and_filename("file", file, name).map_err(|_| UploadFailure::Network)?;

    let progress = Closure::<dyn Fn(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() && e.total() > 0.0 {
            on_progress(e.loaded() / e.total());
        }
    });
    if let Ok(target) = xhr.upload() {
        target.set_onprogress(Some(progress.as_ref().unchecked_ref()));
    }
    let done = js_sys::Promise::new(&mut |resolve, _| xhr.set_onloadend(Some(&resolve)));
    xhr.send_with_opt_form_data(Some(&form)).map_err(|_| UploadFailure::Network)?;
    let _ = JsFuture::from(done).await;
    drop(progress);

    match xhr.status().unwrap_or(0) {
        200..=299 => Ok(()),
        0 => Err(UploadFailure::Network),
        _ => Err(UploadFailure::Refused { code: error_code(&xhr.response_text().ok().flatten().unwrap_or_default()) }),
    }
}

/// The `<Code>` of an S3 XML error body.
fn error_code(xml: &str) -> String {
    xml.split_once("<Code>")
        .and_then(|(_, rest)| rest.split_once("</Code>"))
        .map(|(code, _)| code.to_string())
        .unwrap_or_default()
}
