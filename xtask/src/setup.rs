//! Installs what a fresh machine lacks, skipping whatever is already there. Everything comes from
//! the registries this machine reaches (crates.io, npm, Debian, PyPI); nothing downloads its own
//! binaries.

use std::process::Command;

use crate::util::{on_path, output, root, run, Result};

pub(crate) fn all() -> Result {
    wasm_target()?;
    wasm_bindgen()?;
    debian_packages()?;
    npm_packages()?;
    python_packages()?;
    Ok(())
}

/// moto (the AWS wire protocol, for the AWS backend tests), cfn-lint (for the CloudFormation
/// template) and Schemathesis (the OpenAPI documents against a live server, pinned: the xtask
/// uses its CLI), from PyPI.
pub(crate) fn python_packages() -> Result {
    let schemathesis = format!("schemathesis=={}", crate::schemathesis::VERSION);
    let version_check = format!(
        "import importlib.metadata as m; assert m.version('schemathesis') == '{}'",
        crate::schemathesis::VERSION
    );
    let missing: Vec<&str> = [
        ("import moto.server".to_string(), "moto[server]"),
        ("import cfnlint".to_string(), "cfn-lint"),
        (version_check, schemathesis.as_str()),
    ]
    .iter()
    .filter(|(check, _)| output(Command::new("python3").args(["-c", check])).is_none())
    .map(|(_, package)| *package)
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    run(Command::new("python3").args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"]).args(&missing))
}

fn wasm_target() -> Result {
    let installed = output(Command::new("rustup").args(["target", "list", "--installed"])).unwrap_or_default();
    if installed.lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
pub(crate) fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn wasm_bindgen() -> Result {
    let want = locked_wasm_bindgen()?;
    let have = output(Command::new("wasm-bindgen").arg("--version")).unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str()) {
        return Ok(());
    }
    // No --locked: its lock file wants a webpki-roots release this registry does not carry.
    run(Command::new("cargo").args(["install", &format!("wasm-bindgen-cli@{want}")]))
}

fn debian_packages() -> Result {
    let missing: Vec<&str> = [("chromium", "/usr/bin/chromium"), ("brotli", "/usr/bin/brotli")]
        .into_iter()
        .filter(|(_, path)| !std::path::Path::new(path).exists())
        .map(|(pkg, _)| pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    apt(&missing)
}

/// Installs Debian packages (with sudo when not root).
pub(crate) fn apt(packages: &[&str]) -> Result {
    let root_user = output(Command::new("id").arg("-u")).is_some_and(|u| u.trim() == "0");
    let apt_get = |args: &[&str]| {
        let mut cmd = if root_user { Command::new("apt-get") } else { Command::new("sudo") };
        if !root_user {
            cmd.arg("apt-get");
        }
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut cmd)
    };
    apt_get(&["update", "-qq"])?;
    apt_get(&[&["install", "-y", "-qq"][..], packages].concat())
}

fn npm_packages() -> Result {
    let dir = root().join("end2end");
    let needed = ["node_modules/.bin/wasm-opt", "node_modules/.bin/terser", "node_modules/@playwright/test"];
    if needed.iter().all(|p| dir.join(p).exists()) {
        return Ok(());
    }
    if !on_path("npm") {
        return Err("npm is missing: install Node.js 20 (Debian: apt-get install nodejs npm)".into());
    }
    run(Command::new("npm").args(["ci", "--no-audit", "--no-fund"]).current_dir(&dir))
}
