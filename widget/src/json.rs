//! JSON through the browser's own `JSON.parse`/`JSON.stringify` and serde-wasm-bindgen: the
//! same serde types as the server, without shipping a JSON parser in the wasm (serde_json cost
//! ~65 kB before wasm-opt).

use serde::de::DeserializeOwned;
use serde::Serialize;

pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    serde_wasm_bindgen::from_value(value).ok()
}

pub(crate) fn stringify<T: Serialize>(value: &T) -> Option<String> {
    let js = value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok()?;
    js_sys::JSON::stringify(&js).ok()?.as_string()
}
