//! `cargo xtask bench`: the benchmarks in bench/run.py, with what they need installed.

use std::process::Command;

use crate::util::{output, root, run, target_dir, Result};

/// wrk (Debian), the peers (Uppy Companion, Uppy with @uppy/compressor) and Lighthouse (npm, in
/// bench/), Pillow and matplotlib (PyPI).
pub(crate) fn tools() -> Result {
    if !std::path::Path::new("/usr/bin/wrk").exists() {
        crate::setup::apt(&["wrk"])?;
    }
    let bench = root().join("bench");
    let installed = ["@uppy/companion", "@uppy/compressor", "lighthouse"];
    if installed.iter().any(|p| !bench.join("node_modules").join(p).exists()) {
        run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&bench))?;
    }
    if output(Command::new("python3").args(["-c", "import PIL, matplotlib"])).is_none() {
        run(Command::new("python3").args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "pillow",
            "matplotlib",
        ]))?;
    }
    Ok(())
}

pub(crate) fn run_all() -> Result {
    run(Command::new("python3").arg(root().join("bench/run.py")).env("CARGO_TARGET_DIR", target_dir()))
}
