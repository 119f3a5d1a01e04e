//! Building the widget (wasm → wasm-bindgen → wasm-opt → brotli) and the server, running it, and
//! running the tests.

use std::process::Command;

use crate::util::{on_path, path_with_node_bin, root, run, target_dir, Result};

/// Flags binaryen needs to accept what rustc emits for wasm32 by default.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The widget and the release server, as `cargo xtask run` serves them.
pub(crate) fn all() -> Result {
    widget()?;
    server(true)
}

pub(crate) fn widget() -> Result {
    let root = root();
    run(Command::new("cargo")
        .args([
            "build",
            "-p",
            "vouch-widget",
            "--lib",
            "--target",
            "wasm32-unknown-unknown",
            "--profile",
            "wasm-release",
        ])
        .current_dir(&root))?;
    let wasm = target_dir().join("wasm32-unknown-unknown/wasm-release/vouch_widget.wasm");
    let out = root.join("dist/widget");
    std::fs::create_dir_all(&out).map_err(|e| format!("creating {}: {e}", out.display()))?;
    run(Command::new("wasm-bindgen").arg(&wasm).args(["--target", "web", "--no-typescript", "--out-dir"]).arg(&out))?;
    let bg = out.join("vouch_widget_bg.wasm");
    run(Command::new("wasm-opt")
        .env("PATH", path_with_node_bin())
        .args(["-Oz", "--strip-debug", "--strip-producers"])
        .args(WASM_FEATURES)
        .arg(&bg)
        .arg("-o")
        .arg(&bg))?;
    if on_path("brotli") {
        for file in ["vouch_widget.js", "vouch_widget_bg.wasm"] {
            run(Command::new("brotli").args(["-q", "11", "-f", "-k"]).arg(out.join(file)))?;
        }
    }
    crate::sizes::report(false).map(|_| ())
}

pub(crate) fn server(release: bool) -> Result {
    let mut cmd = Command::new("cargo");
    cmd.args(["build", "-p", "vouch-server", "--bin", "vouch"]).current_dir(root());
    if release {
        cmd.arg("--release");
    }
    run(&mut cmd)
}

pub(crate) fn run_server(args: &[String]) -> Result {
    let bin = target_dir().join("release/vouch");
    run(Command::new(bin).arg("serve").args(args).current_dir(root()))
}

/// Every test. The server binary the end-to-end tests start is the one the Rust tests build (same
/// profile and features), so nothing is compiled twice.
pub(crate) fn test() -> Result {
    widget()?;
    let root = root();
    let nextest = Command::new("cargo").args(["nextest", "--version"]).output().is_ok_and(|o| o.status.success());
    let mut unit = Command::new("cargo");
    if nextest {
        unit.args(["nextest", "run", "--workspace", "--exclude", "vouch-widget", "--no-fail-fast"]);
    } else {
        unit.args(["test", "--workspace", "--exclude", "vouch-widget", "--no-fail-fast"]);
    }
    run(unit.current_dir(&root))?;
    let bin = target_dir().join("debug/vouch");
    run(Command::new("npx")
        .args(["playwright", "test"])
        .env("VOUCH_BIN", bin)
        .env("VOUCH_WIDGET_DIR", root.join("dist/widget"))
        .current_dir(root.join("end2end")))?;
    // Printed every run; the 90 kB budget is enforced once the widget fits it (issue 5).
    crate::sizes::report(false).map(|_| ())
}
