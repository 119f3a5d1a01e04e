//! Lazily loaded wasm chunks (wasm-split): a bundle whose code has split points
//! (`#[wasm_split(..)]` of `wasm_split_helpers`, e.g. the widget's `lazy_receipt.rs`) is cut into
//! its main module and one wasm file per split, plus a small JS module that fetches them.
//!
//! The rustc output must keep its relocations (`-C link-arg=--emit-relocs`, see
//! `build::rustflags`); wasm-bindgen then runs on the main module alone, keeping the exports the
//! linker made for the pieces (`--keep-lld-exports`), and wasm-opt runs on every piece.
//!
//! Names: every piece of a bundle carries the bundle's stem and a build id (a hash of the unsplit
//! wasm), so bundles in one folder cannot collide and a year-long cache never serves a piece of
//! another build. The JS module imports the bundle's own glue through the loader's placeholder
//! (`__ENTRY_JS__`, …), which the server fills in with the glue's versioned URL as it does in the
//! loader: a different URL would instantiate a second copy of the glue.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use crate::util::Result;

/// The import module the split-point macros give their loaders before the split names it.
const PLACEHOLDER_IMPORT: &[u8] = b"__wasm_split_placeholder__";

/// What a split bundle is made of, all in the output folder except `main`.
pub(crate) struct Pieces {
    /// The main module, for wasm-bindgen (in a scratch folder).
    pub(crate) main: PathBuf,
    /// The lazily fetched wasm files, for wasm-opt.
    pub(crate) chunks: Vec<PathBuf>,
    /// The JS module that fetches and instantiates them.
    pub(crate) link: PathBuf,
}

/// Whether `wasm` has split points at all (else it goes through wasm-bindgen as one piece).
pub(crate) fn has_split_points(wasm: &[u8]) -> bool {
    wasm.windows(PLACEHOLDER_IMPORT.len()).any(|w| w == PLACEHOLDER_IMPORT)
}

/// Splits `wasm`, the bundle `stem` whose glue the server names with `glue_placeholder`.
pub(crate) fn split(wasm: &[u8], stem: &str, glue_placeholder: &str, scratch: &Path, out: &Path) -> Result<Pieces> {
    let mut hasher = std::hash::DefaultHasher::new();
    wasm.hash(&mut hasher);
    let prefix = format!("{stem}_{:016x}", hasher.finish());
    let _ = std::fs::remove_dir_all(scratch);
    std::fs::create_dir_all(scratch).map_err(|e| format!("creating {}: {e}", scratch.display()))?;
    let main = scratch.join(format!("{stem}.wasm"));
    let link_name = format!("./{prefix}_split.js");
    let split = wasm_split_cli_support::transform({
        let mut opts = wasm_split_cli_support::Options::new(wasm);
        opts.output_dir = scratch;
        opts.main_out_path = &main;
        opts.link_name = &link_name;
        opts.main_module = glue_placeholder;
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
    let link = out.join(link_name.trim_start_matches("./"));
    std::fs::write(&link, js).map_err(|e| format!("writing {}: {e}", link.display()))?;
    Ok(Pieces { main, chunks, link })
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
