//! The operator console (`console/`): a Leptos CSR bundle built like the widget (wasm32 →
//! wasm-bindgen → wasm-opt → terser → brotli) into `dist/console/`, with its stylesheet. The BFF
//! serves it at `/admin` and writes the page and the boot script itself (with content hashes).

use std::process::Command;

use crate::util::{fresh_dir, on_path, root, run, target_dir, Result};

pub(crate) const STEM: &str = "vouch_console";
pub(crate) const CSS: &str = "console.css";

pub(crate) fn build() -> Result {
    let started = std::time::Instant::now();
    let out = root().join("dist/console");
    fresh_dir(&out)?;
    run(Command::new("cargo")
        .args(["build", "-p", "vouch-console", "--lib", "--target", "wasm32-unknown-unknown", "--profile"])
        .arg(PROFILE)
        .current_dir(root()))?;
    let wasm = target_dir().join(format!("wasm32-unknown-unknown/{PROFILE}/{STEM}.wasm"));
    crate::build::bind_and_shrink(&wasm, STEM, &out)?;
    let css = out.join(CSS);
    std::fs::copy(root().join("console").join(CSS), &css).map_err(|e| format!("copying {CSS}: {e}"))?;
    if on_path("brotli") {
        run(Command::new("brotli").args(["-q", "11", "-f", "-k"]).arg(&css))?;
    }
    eprintln!("console built in {:.0} s", started.elapsed().as_secs_f64());
    crate::sizes::console(false)
}

/// The widget's size profile without fat LTO: operators load the console once per session on a
/// desktop, so a few kB matter less than CI minutes (see README, "Operator console").
const PROFILE: &str = "console-release";
