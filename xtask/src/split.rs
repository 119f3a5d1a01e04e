//! Lazily loaded wasm chunks (wasm-split): a bundle whose code has split points
//! (`#[wasm_split(..)]` of `wasm_split_helpers`, e.g. the widget's `lazy_receipt.rs`) is cut into
//! its main module and one wasm file per split, plus the JS that fetches them, which goes into the
//! bundle's glue (`inline_loaders`).
//!
//! The rustc output must keep its relocations (`-C link-arg=--emit-relocs`, see
//! `build::rustflags`); wasm-bindgen then runs on the main module alone, keeping the exports the
//! linker made for the pieces (`--keep-lld-exports`), and wasm-opt runs on every piece.
//!
//! Names: every piece of a bundle carries the bundle's stem and a build id (a hash of the unsplit
//! wasm), so bundles in one folder cannot collide and a year-long cache never serves a piece of
//! another build.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::util::Result;

/// The import module the split-point macros give their loaders before the split names it.
const PLACEHOLDER_IMPORT: &[u8] = b"__wasm_split_placeholder__";

/// What a split bundle is made of: the main module (in a scratch folder), the chunks (in the
/// output folder) and the JS that loads the chunks.
pub(crate) struct Pieces {
    /// The main module, for wasm-bindgen.
    pub(crate) main: PathBuf,
    /// The lazily fetched wasm files, for wasm-opt.
    pub(crate) chunks: Vec<PathBuf>,
    /// wasm-split's JS module that fetches and instantiates them, with the name the glue imports
    /// it by.
    link: String,
    link_name: String,
}

/// Whether `wasm` has split points at all (else it goes through wasm-bindgen as one piece).
pub(crate) fn has_split_points(wasm: &[u8]) -> bool {
    wasm.windows(PLACEHOLDER_IMPORT.len()).any(|w| w == PLACEHOLDER_IMPORT)
}

/// Splits `wasm`, the bundle `stem`.
pub(crate) fn split(wasm: &[u8], stem: &str, scratch: &Path, out: &Path) -> Result<Pieces> {
    let mut hasher = std::hash::DefaultHasher::new();
    wasm.hash(&mut hasher);
    let prefix = format!("{stem}_{:016x}", hasher.finish());
    crate::util::fresh_dir(scratch)?;
    let main = scratch.join(format!("{stem}.wasm"));
    let link_name = format!("./{prefix}_split.js");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(wasm);
        opts.output_dir = scratch;
        opts.main_out_path = &main;
        opts.link_name = &link_name;
        opts.main_module = GLUE;
        opts.target.web();
        opts
    })
    .map_err(|e| format!("wasm-split of {stem}: {e:#}"))?;
    // The JS module fetches its pieces relative to itself (`new URL("./split_x.wasm", …)`): both
    // move to `out` under the bundle's prefix, and the module's references with them.
    let mut js = std::fs::read_to_string(scratch.join(&link_name))
        .map_err(|e| format!("reading wasm-split's JS module: {e}"))?;
    let mut chunks = vec![];
    for piece in &split.split_modules {
        let name = piece.file_name().and_then(|n| n.to_str()).ok_or("a wasm-split piece without a name")?;
        let renamed = format!("{prefix}_{name}");
        let reference = format!("\"./{name}\"");
        if !js.contains(&reference) {
            return Err(format!("wasm-split's JS module does not fetch {name} as {reference}"));
        }
        js = js.replace(&reference, &format!("\"./{renamed}\""));
        let to = out.join(&renamed);
        std::fs::copy(piece, &to).map_err(|e| format!("copying {}: {e}", piece.display()))?;
        chunks.push(to);
    }
    Ok(Pieces { main, chunks, link: js, link_name })
}

/// What the chunks' JS module imports the glue as; `inline_loaders` takes that import out again.
const GLUE: &str = "__vouch_glue__";

/// The glue of the split bundle, with the chunks' loaders inside it instead of imported from a
/// module of their own: that module is a request the browser only makes once it has parsed the
/// glue, and the glue only runs once it is there, so every start-up waited for one more round
/// trip (and a task to compile it). The loaders' module is scoped in a function, its exports
/// become the object the glue gave the wasm as that module's namespace, and the glue's own
/// `initSync` is the one the loaders imported from it.
pub(crate) fn inline_loaders(glue: &str, pieces: &Pieces) -> Result<String> {
    let import_line = glue
        .lines()
        .find(|l| l.starts_with("import * as ") && l.contains(&format!("\"{}\"", pieces.link_name)))
        .ok_or_else(|| format!("the glue does not import {}", pieces.link_name))?;
    let binding = import_line["import * as ".len()..].split_whitespace().next().ok_or("an unnamed import")?;
    let own_import = format!("import {{ initSync }} from \"{GLUE}\";");
    if !pieces.link.contains(&own_import) {
        return Err(format!("wasm-split's JS module does not start with `{own_import}`"));
    }
    let mut names = vec![];
    let mut body = String::new();
    for line in pieces.link.replace(&own_import, "").lines() {
        match line.strip_prefix("export const ") {
            Some(rest) => {
                names.push(rest.split([' ', '=']).next().ok_or("an unnamed export")?.to_string());
                body.push_str(&format!("const {rest}\n"));
            }
            None if line.trim_start().starts_with("export ") => {
                return Err(format!("wasm-split's JS module exports something new: {line}"))
            }
            None => body.push_str(&format!("{line}\n")),
        }
    }
    let inlined = format!("const {binding} = (() => {{\n{body}return {{ {} }};\n}})();", names.join(", "));
    Ok(glue.replacen(import_line, &inlined, 1))
}

/// `wasm` without the linker's `linking` and `reloc.*` sections, which only wasm-split reads
/// (wasm-opt mishandles a module that keeps them): for bundles without split points.
pub(crate) fn without_relocations(wasm: &[u8]) -> Result<Vec<u8>> {
    let mut out = wasm.get(..8).ok_or("not a wasm module")?.to_vec();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        let (size, len_bytes) = leb128(&wasm[at + 1..])?;
        let start = at + 1 + len_bytes;
        let end = start + size;
        let payload = wasm.get(start..end).ok_or("a wasm section runs past the end")?;
        let custom_name = (id == 0).then(|| leb128(payload).ok().and_then(|(n, l)| payload.get(l..l + n))).flatten();
        let linker_only = custom_name.is_some_and(|name| name == b"linking" || name.starts_with(b"reloc."));
        if !linker_only {
            out.extend_from_slice(&wasm[at..end]);
        }
        at = end;
    }
    Ok(out)
}

/// An unsigned LEB128 number and how many bytes it took.
fn leb128(bytes: &[u8]) -> Result<(usize, usize)> {
    let mut value = 0usize;
    for (i, byte) in bytes.iter().take(5).enumerate() {
        value |= usize::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Ok((value, i + 1));
        }
    }
    Err("a malformed LEB128 number in the wasm".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// wasm-split's module as it writes it: an import of the glue, helpers, one export per split.
    const LINK: &str = "import { initSync } from \"__vouch_glue__\";\nlet shared;\nfunction load() { return initSync(undefined); }\nexport const __wasm_split_load_a = wrap(() => {\n    return load();\n}\n, []);\nexport const __wasm_split_load_b = 2;\n";

    #[test]
    fn the_loaders_module_becomes_the_namespace_object_the_glue_imported() {
        let pieces =
            Pieces { main: PathBuf::new(), chunks: vec![], link: LINK.into(), link_name: "./x_1_split.js".into() };
        let glue = "import * as import1 from \"./x_1_split.js\"\nfunction initSync() {}\nconst imports = { \"./x_1_split.js\": import1 };\n";
        let out = inline_loaders(glue, &pieces).unwrap();
        assert!(!out.contains("import "), "{out}");
        assert!(out.starts_with("const import1 = (() => {\n"), "{out}");
        assert!(out.contains("const __wasm_split_load_a = wrap(() => {\n    return load();\n}\n, []);"), "{out}");
        assert!(
            out.contains("return { __wasm_split_load_a, __wasm_split_load_b };\n})();\nfunction initSync() {}"),
            "{out}"
        );
    }

    #[test]
    fn a_glue_or_module_of_another_shape_stops_the_build() {
        let pieces =
            Pieces { main: PathBuf::new(), chunks: vec![], link: LINK.into(), link_name: "./x_1_split.js".into() };
        assert!(inline_loaders("import * as i from \"./other.js\"\n", &pieces).is_err());
        let default_export = Pieces { link: format!("{LINK}export default 1;\n"), ..pieces };
        assert!(inline_loaders("import * as i from \"./x_1_split.js\"\n", &default_export).is_err());
    }
}
