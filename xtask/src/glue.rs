//! Edits of wasm-bindgen's JS glue before it is minified.

use crate::util::Result;

/// The JS classes wasm-bindgen writes for `wasm-streams`' stream adapters (which Leptos'
/// `server_fn` links into every bundle). Their wasm exports are removed by the build (see
/// `build::UNUSED_EXPORTS`), so the classes could only fail if called, and nothing calls them;
/// without them the glue is 1.7 kB smaller and creates three `FinalizationRegistry`s fewer.
const CLASS: &str = "IntoUnderlying";

/// The glue without the stream adapters' classes, their `Symbol.dispose` lines and their
/// finalization registries. Any other mention of them left over stops the build: the glue's
/// shape has changed and this edit needs a look.
pub(crate) fn drop_stream_classes(glue: &str) -> Result<String> {
    let (class, registry, dispose) =
        (format!("export class {CLASS}"), format!("const {CLASS}"), format!("if (Symbol.dispose) {CLASS}"));
    let mut out = String::with_capacity(glue.len());
    // What ends the statement being dropped, if one is.
    let mut until: Option<fn(&str) -> bool> = None;
    for line in glue.lines() {
        if let Some(end) = until {
            if end(line) {
                until = None;
            }
            continue;
        }
        if line.starts_with(&class) {
            until = Some(|l| l == "}");
        } else if line.starts_with(&registry) {
            until = (!line.ends_with(';')).then_some(|l: &str| l.ends_with(';'));
        } else if !line.starts_with(&dispose) {
            out.push_str(line);
            out.push('\n');
        }
    }
    if out.to_lowercase().contains(&CLASS.to_lowercase()) {
        return Err(format!("the glue mentions {CLASS} in a shape the build does not know"));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = "import * as import1 from \"./x.js\"\nexport class IntoUnderlyingSink {\n    free() {\n        wasm.__wbg_intounderlyingsink_free(ptr, 0);\n    }\n}\nif (Symbol.dispose) IntoUnderlyingSink.prototype[Symbol.dispose] = IntoUnderlyingSink.prototype.free;\n\nexport function start() {\n    wasm.start();\n}\nconst IntoUnderlyingSinkFinalization = (typeof FinalizationRegistry === 'undefined')\n    ? { register: () => {}, unregister: () => {} }\n    : new FinalizationRegistry(ptr => wasm.__wbg_intounderlyingsink_free(ptr, 1));\nconst cached = null;\n";

    #[test]
    fn the_stream_classes_and_their_registries_go_and_the_rest_stays() {
        let out = drop_stream_classes(GLUE).unwrap();
        assert_eq!(
            out,
            "import * as import1 from \"./x.js\"\n\nexport function start() {\n    wasm.start();\n}\nconst cached = null;\n"
        );
    }

    #[test]
    fn a_mention_of_another_shape_stops_the_build() {
        let other = format!("{GLUE}function f() {{ return new IntoUnderlyingSink(); }}\n");
        assert!(drop_stream_classes(&other).is_err());
    }
}
