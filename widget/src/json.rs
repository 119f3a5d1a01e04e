//! JSON read through the browser's own `JSON.parse`: the same serde types as the server, without
//! shipping a JSON parser in the wasm (serde_json's parser cost ~65 kB before wasm-opt).
//!
//! Reading goes through [`JsDe`], a serde deserializer over the parsed JS value whose errors carry
//! no text: the server's answers are trusted to match the wire types, and formatting serde's
//! error messages (it prints the offending float) would link Rust's float formatting, ~15 kB.

use js_sys::{Array, Object};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IntoDeserializer, Visitor};
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

pub(crate) fn parse<T: DeserializeOwned>(text: &str) -> Option<T> {
    let value = js_sys::JSON::parse(text).ok()?;
    T::deserialize(JsDe(value)).ok()
}

/// Written by serde_json straight into a string: building a JS object field by field first (as
/// serde_wasm_bindgen did) crossed into JS for every field and cost more code. No wire type the
/// widget sends has a float, so its float formatting is not linked.
pub(crate) fn stringify<T: Serialize>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}

/// "This value does not fit the type"; deliberately without a message (see the module docs).
#[derive(Debug)]
pub(crate) struct Mismatch;

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("unexpected JSON")
    }
}

impl std::error::Error for Mismatch {}

impl de::Error for Mismatch {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        Mismatch
    }
}

struct JsDe(JsValue);

/// Integers beyond this are not exact in a JS number, so they stay floats.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

impl<'de> de::Deserializer<'de> for JsDe {
    type Error = Mismatch;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        match Kind::of(self.0) {
            Kind::Unit => visitor.visit_unit(),
            Kind::Bool(b) => visitor.visit_bool(b),
            Kind::U64(n) => visitor.visit_u64(n),
            Kind::I64(n) => visitor.visit_i64(n),
            Kind::F64(n) => visitor.visit_f64(n),
            Kind::Str(s) => visitor.visit_string(s),
            Kind::Seq(items) => visitor.visit_seq(items),
            Kind::Map(entries) => visitor.visit_map(entries),
            Kind::Other => Err(Mismatch),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Mismatch> {
        if self.0.is_null() || self.0.is_undefined() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, visitor: V) -> Result<V::Value, Mismatch> {
        visitor.visit_newtype_struct(self)
    }

    /// The wire's enums are all plain strings (unit variants).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Mismatch> {
        let name = self.0.as_string().ok_or(Mismatch)?;
        visitor.visit_enum(IntoDeserializer::<Mismatch>::into_deserializer(name))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// What a JS value is, decided once outside the generic code: `deserialize_any` is instantiated
/// for every type we read, and each copy stays a small match.
enum Kind {
    Unit,
    Bool(bool),
    U64(u64),
    I64(i64),
    F64(f64),
    Str(String),
    Seq(Items),
    Map(Entries),
    Other,
}

impl Kind {
    #[inline(never)]
    fn of(v: JsValue) -> Kind {
        if v.is_null() || v.is_undefined() {
            Kind::Unit
        } else if let Some(b) = v.as_bool() {
            Kind::Bool(b)
        } else if let Some(n) = v.as_f64() {
            match n {
                n if n.fract() != 0.0 || n.abs() > MAX_SAFE_INTEGER => Kind::F64(n),
                n if n >= 0.0 => Kind::U64(n as u64),
                n => Kind::I64(n as i64),
            }
        } else if let Some(s) = v.as_string() {
            Kind::Str(s)
        } else if Array::is_array(&v) {
            Kind::Seq(Items(Array::from(&v).into_iter()))
        } else if v.is_object() {
            Kind::Map(Entries { entries: Object::entries(v.unchecked_ref()).into_iter(), value: None })
        } else {
            Kind::Other
        }
    }
}

struct Items(js_sys::ArrayIntoIter);

impl<'de> de::SeqAccess<'de> for Items {
    type Error = Mismatch;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Mismatch> {
        self.0.next().map(|v| seed.deserialize(JsDe(v))).transpose()
    }
}

struct Entries {
    entries: js_sys::ArrayIntoIter,
    value: Option<JsValue>,
}

impl<'de> de::MapAccess<'de> for Entries {
    type Error = Mismatch;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Mismatch> {
        let Some(pair) = self.entries.next() else {
            return Ok(None);
        };
        let pair = Array::from(&pair);
        self.value = Some(pair.get(1));
        seed.deserialize(JsDe(pair.get(0))).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Mismatch> {
        seed.deserialize(JsDe(self.value.take().ok_or(Mismatch)?))
    }
}
