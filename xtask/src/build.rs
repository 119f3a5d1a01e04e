//! Building the widget (wasm → wasm-bindgen → wasm-opt → brotli) and the server, running it, and
//! running the tests.

use std::process::Command;

use crate::util::{fresh_dir, on_path, path_with_node_bin, root, run, target_dir, Result};

/// Flags binaryen needs to accept what rustc emits for wasm32 by default.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-nontrapping-float-to-int",
    "--enable-sign-ext",
    "--enable-mutable-globals",
    "--enable-reference-types",
    "--enable-multivalue",
];

/// The widget, the console and the release server, as `cargo xtask run` serves them.
pub(crate) fn all() -> Result {
    widget()?;
    crate::console::build()?;
    server(true)
}

/// The widget's bundles: (cargo feature, file stem). The loader picks one per host.
pub(crate) const BUNDLES: [(&str, &str); 3] =
    [("entry", "vouch_entry"), ("referral", "vouch_referral"), ("offer", "vouch_offer")];

pub(crate) fn widget() -> Result {
    let out = root().join("dist/widget");
    fresh_dir(&out)?;
    for (feature, stem) in BUNDLES {
        bundle(feature, stem, &out)?;
    }
    // The loader as served: minified (the server fills in the bundles' URLs at start).
    run(Command::new("terser")
        .env("PATH", path_with_node_bin())
        .arg(root().join("widget/loader.js"))
        .args(["--compress", "--mangle", "-o"])
        .arg(out.join("loader.js")))?;
    crate::sizes::report(false)
}

fn bundle(feature: &str, stem: &str, out: &std::path::Path) -> Result {
    let manifest = root().join("widget/Cargo.toml");
    let bytes = cargo_wasm(&manifest, &["--lib", "--no-default-features", "--features", feature], "vouch_widget")?;
    if !crate::split::has_split_points(&bytes) {
        return bind_plain(&bytes, stem, out);
    }
    let scratch = target_dir().join("widget-split").join(stem);
    let pieces = crate::split::split(&bytes, stem, &scratch, out)?;
    bind_and_shrink_with(&pieces.main, stem, out, &["--keep-lld-exports"], |glue| {
        crate::split::inline_loaders(&glue, &pieces)
    })?;
    for chunk in &pieces.chunks {
        shrink_wasm(chunk)?;
    }
    compress(&pieces.chunks)
}

/// Flags for every crate of the widget's wasm. Panic locations keep the path of each source file
/// in the data section: a dependency's full path under `$CARGO_HOME/registry/src/<index>/` is
/// cut to `<crate>-<version>/src/…` (the standard library's are fixed at `/rustc/<hash>/`).
fn rustflags() -> Vec<String> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".cargo")))
        .unwrap_or_default();
    // Relocations let wasm-split move functions into lazily loaded pieces (`split.rs`).
    let mut flags = vec!["-Clink-arg=--emit-relocs".to_string()];
    for sources in [cargo_home.join("registry/src"), cargo_home.join("git/checkouts")] {
        let Ok(entries) = std::fs::read_dir(&sources) else { continue };
        for dir in entries.flatten() {
            flags.push(format!("--remap-path-prefix={}/=", dir.path().display()));
        }
    }
    flags
}

/// `cargo build` of the wasm crate at `manifest` in the widget's profile and flags: the linked
/// wasm (`artifact.wasm`), relocations still in it.
fn cargo_wasm(manifest: &std::path::Path, args: &[&str], artifact: &str) -> Result<Vec<u8>> {
    run(Command::new("cargo")
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags().join("\x1f"))
        // bench/floor is a workspace of its own: its build goes to the same target dir.
        .env("CARGO_TARGET_DIR", target_dir())
        .args(["build", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release", "--manifest-path"])
        .arg(manifest)
        .args(args)
        .current_dir(root()))?;
    let wasm = target_dir().join(format!("wasm32-unknown-unknown/wasm-release/{artifact}.wasm"));
    std::fs::read(&wasm).map_err(|e| format!("reading {}: {e}", wasm.display()))
}

/// A wasm without split points: its relocations dropped, then bound and shrunk as `stem`.
fn bind_plain(bytes: &[u8], stem: &str, out: &std::path::Path) -> Result {
    let plain = target_dir().join(format!("wasm32-unknown-unknown/wasm-release/{stem}.wasm"));
    std::fs::write(&plain, crate::split::without_relocations(bytes)?)
        .map_err(|e| format!("writing {}: {e}", plain.display()))?;
    bind_and_shrink(&plain, stem, out)
}

/// `bench/floor` (the least a Leptos app can be, which the benchmark loads beside the widget and
/// Uppy) built the way the widget's bundles are: `dist/floor/leptos_floor{.js,_bg.wasm}`.
pub(crate) fn floor() -> Result {
    let bytes = cargo_wasm(&root().join("bench/floor/Cargo.toml"), &["--offline"], "leptos_floor")?;
    let out = root().join("dist/floor");
    fresh_dir(&out)?;
    bind_plain(&bytes, "leptos_floor", &out)
}

/// wasm-bindgen's `web` glue for `wasm`, then wasm-opt, terser and brotli: `{stem}.js` and
/// `{stem}_bg.wasm` (and their `.br`) in `out`. The console's bundle goes the same way.
pub(crate) fn bind_and_shrink(wasm: &std::path::Path, stem: &str, out: &std::path::Path) -> Result {
    bind_and_shrink_with(wasm, stem, out, &[], Ok)
}

/// `edit_glue` changes the glue wasm-bindgen wrote before it is minified.
fn bind_and_shrink_with(
    wasm: &std::path::Path,
    stem: &str,
    out: &std::path::Path,
    bindgen_args: &[&str],
    edit_glue: impl FnOnce(String) -> Result<String>,
) -> Result {
    run(Command::new("wasm-bindgen")
        .arg(wasm)
        .args(["--target", "web", "--no-typescript", "--out-name", stem, "--out-dir"])
        .arg(out)
        .args(bindgen_args))?;
    let bg = out.join(format!("{stem}_bg.wasm"));
    keep_named(&bg)?;
    shrink_wasm(&bg)?;
    let js = out.join(format!("{stem}.js"));
    let glue = std::fs::read_to_string(&js).map_err(|e| format!("reading {}: {e}", js.display()))?;
    let glue = edit_glue(crate::glue::drop_stream_classes(&glue)?)?;
    std::fs::write(&js, glue).map_err(|e| format!("writing {}: {e}", js.display()))?;
    minify_js(&js)?;
    compress([&js, &bg])
}

/// Exports nobody calls: `wasm-streams` (which Leptos' `server_fn` always links in the browser)
/// exports its stream adapters to JavaScript, and they keep about 1.4 kB brotli of code alive in
/// every bundle. Neither the widget nor the console hands a Rust stream to the page; the glue's
/// classes for them go too (`glue::drop_stream_classes`).
const UNUSED_EXPORTS: &str = "*intounderlying*";

/// wasm-opt inlines every function that has one caller, however large (`-Oz`'s default). Leptos'
/// views then become a few huge functions (the form's whole app closure was 16 kB), and the
/// browser compiles a wasm function whole on its first call: the start-up compiled every branch
/// of them, run or not. Only small ones inlined, the form's start-up compiles 134 kB of code
/// where it compiled 148 kB, in 731 functions instead of 643, and its bundle is 4.7 kB brotli
/// smaller (Binaryen's size units; 30 saves 2 kB more but compiles 1,041 functions at start-up).
const ONE_CALLER_INLINE_MAX: &str = "--one-caller-inline-max-function-size=100";

fn shrink_wasm(wasm: &std::path::Path) -> Result {
    run(Command::new("wasm-opt")
        .env("PATH", path_with_node_bin())
        .args(["--remove-exports", &format!("--pass-arg=remove-exports@{UNUSED_EXPORTS}")])
        .args([ONE_CALLER_INLINE_MAX, "-Oz", "--strip-debug", "--strip-producers"])
        .args(WASM_FEATURES)
        .arg(wasm)
        .arg("-o")
        .arg(wasm))
}

/// wasm-bindgen's glue, minified: about 2 kB brotli less. Object keys (the wasm's imports) and
/// the module's exports keep their names.
fn minify_js(js: &std::path::Path) -> Result {
    run(Command::new("terser")
        .env("PATH", path_with_node_bin())
        .arg(js)
        .args(["--module", "--compress", "--mangle", "-o"])
        .arg(js))
}

fn compress<'a>(files: impl IntoIterator<Item = &'a std::path::PathBuf>) -> Result {
    if on_path("brotli") {
        for file in files {
            run(Command::new("brotli").args(["-q", "11", "-f", "-k"]).arg(file))?;
        }
    }
    Ok(())
}

/// A copy of `wasm` before wasm-opt strips its function names, for `twiggy top|monos|dominators`:
/// `$CARGO_TARGET_DIR/widget-named/`.
fn keep_named(wasm: &std::path::Path) -> Result {
    let dir = target_dir().join("widget-named");
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let name = wasm.file_name().ok_or("a wasm path without a file name")?;
    std::fs::copy(wasm, dir.join(name)).map(drop).map_err(|e| format!("copying {}: {e}", wasm.display()))
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
    crate::console::build()?;
    let root = root();
    let nextest = Command::new("cargo").args(["nextest", "--version"]).output().is_ok_and(|o| o.status.success());
    let mut unit = Command::new("cargo");
    if nextest {
        unit.args([
            "nextest",
            "run",
            "--workspace",
            "--exclude",
            "vouch-widget",
            "--exclude",
            "vouch-console",
            "--no-fail-fast",
        ]);
    } else {
        unit.args(["test", "--workspace", "--exclude", "vouch-widget", "--exclude", "vouch-console", "--no-fail-fast"]);
    }
    run(Command::new("cfn-lint").arg(root.join("infra/vouch.yaml")))?;
    // One moto server for every AWS test of the run (tests start their own when it is absent).
    let moto = Moto::start(&root)?;
    unit.env("VOUCH_TEST_MOTO", &moto.endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let result = run(unit.current_dir(&root));
    drop(moto);
    result?;
    // The OpenAPI documents against the binary the Rust tests just built.
    crate::schemathesis::run_all()?;
    let bin = target_dir().join("debug/vouch");
    run(Command::new("npx")
        .args(["playwright", "test"])
        .env("VOUCH_BIN", bin)
        .env("VOUCH_WIDGET_DIR", root.join("dist/widget"))
        .env("VOUCH_CONSOLE_DIR", root.join("dist/console"))
        .current_dir(root.join("end2end")))?;
    crate::sizes::report(true)?;
    crate::sizes::console(true)
}

/// A moto server on a free loopback port, stopped when dropped.
struct Moto {
    endpoint: String,
    child: std::process::Child,
}

impl Moto {
    fn start(root: &std::path::Path) -> Result<Self> {
        let port =
            std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
        // moto with DynamoDB requests serialised, as the real service isolates them.
        let child = Command::new("python3")
            .arg(root.join("server/tests/support/moto_serial.py"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start moto_server: {e}"))?;
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if std::time::Instant::now() > deadline {
                return Err("moto_server did not start".into());
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        Ok(Self { endpoint: format!("http://127.0.0.1:{port}"), child })
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
