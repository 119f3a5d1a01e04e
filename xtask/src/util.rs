//! Running commands and finding paths.

use std::path::{Path, PathBuf};
use std::process::Command;

pub(crate) type Result<T = ()> = std::result::Result<T, String>;

/// The workspace root (xtask lives one level below it).
/// The workspace root. `cargo run` sets CARGO_MANIFEST_DIR at run time too; prefer that, since a
/// target dir shared between clones keeps an xtask binary built in another clone.
pub(crate) fn root() -> PathBuf {
    let manifest_dir =
        std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), PathBuf::from);
    manifest_dir.parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Where cargo puts build output: `CARGO_TARGET_DIR` when set (CI shares one), else ./target.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// `dir` emptied (or made): nothing of an earlier build is left in it to be served or measured.
pub(crate) fn fresh_dir(dir: &Path) -> Result {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))
}

pub(crate) fn run(cmd: &mut Command) -> Result {
    eprintln!("+ {}", describe(cmd));
    let status = cmd.status().map_err(|e| format!("cannot start {}: {e}", describe(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{} failed ({status})", describe(cmd)))
    }
}

/// Standard output of a command, or `None` if it cannot run or fails.
pub(crate) fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

pub(crate) fn on_path(program: &str) -> bool {
    output(Command::new("sh").args(["-c", &format!("command -v {program}")])).is_some()
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program()).chain(cmd.get_args()).map(|s| s.to_string_lossy()).collect::<Vec<_>>().join(" ")
}

/// PATH with the npm-installed tools (wasm-opt from binaryen) first.
pub(crate) fn path_with_node_bin() -> String {
    let bin = root().join("end2end/node_modules/.bin");
    format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default())
}
