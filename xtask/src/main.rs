//! `cargo xtask <command>`: one entry point that sets up a fresh machine, builds the widget and the
//! server, runs Vouch, and runs every test. Only the standard library, so it compiles in seconds.

mod bench;
mod build;
mod console;
mod glue;
mod schemathesis;
mod setup;
mod sizes;
mod split;
mod structure;
mod util;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

  run      set up what is missing, build, and start Vouch on its embedded default
  test     set up what is missing, build, and run all tests (unit, integration, end-to-end)
  setup    install missing tools only (wasm target, wasm-bindgen-cli, npm packages, chromium, moto, schemathesis)
  build    build the widget (dist/widget), the console (dist/console) and the server (release)
  widget   build the widget only (dist/widget) and print its sizes
  console  build the operator console only (dist/console) and print its size
  sizes    print the widget's and the console's sizes (raw, gzip, brotli) and check the budgets
  structure  [DIR] server/src's (or DIR's) top-level files and folders, import cycles, files over 400 lines
  schemathesis  build the debug server and run Schemathesis against its OpenAPI documents
  floor    build bench/floor, the least Leptos app, which the bench loads beside the widget (dist/floor)
  bench    benchmarks beside their peers (Uppy Companion, Uppy Dashboard); writes docs/benchmarks.md";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => setup::all().and_then(|()| build::all()).and_then(|()| build::run_server(&args[1..])),
        // No release build here: every test runs the debug binary the Rust tests build anyway
        // (a clean release build of the server alone takes 12 minutes on 2 cores).
        Some("test") => setup::all().and_then(|()| build::test()),
        Some("setup") => setup::all(),
        Some("build") => setup::all().and_then(|()| build::all()),
        Some("widget") => build::widget(),
        Some("schemathesis") => {
            setup::python_packages().and_then(|()| build::server(false)).and_then(|()| schemathesis::run_all())
        }
        Some("console") => console::build(),
        Some("floor") => build::floor(),
        Some("sizes") => sizes::report(true).and_then(|()| sizes::console(true)),
        Some("structure") => structure::report(args.get(1).map(String::as_str)),
        Some("bench") => setup::all()
            .and_then(|()| bench::tools())
            .and_then(|()| build::all())
            .and_then(|()| build::floor())
            .and_then(|()| bench::run_all()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
