//! The operator's commands as a process on a test app's data: what an operator at a shell sees.

use crate::helpers::TestApp;

impl TestApp {
    /// Runs the real `vouch` binary with `args` on this app's data folder and campaigns; answers
    /// whether it exited 0, and its stdout and stderr.
    pub fn cli(&self, args: &[&str]) -> (bool, String, String) {
        let config = self.config.data_dir.parent().unwrap().join("cli.toml");
        let dirs = format!("data_dir = {:?}\ncampaigns_dir = {:?}\n", self.config.data_dir, self.config.campaigns_dir);
        std::fs::write(&config, dirs).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_vouch"))
            .arg("--config")
            .arg(&config)
            .args(args)
            .env("RUST_LOG", "error")
            .output()
            .unwrap();
        let text = |b: Vec<u8>| String::from_utf8(b).unwrap();
        (out.status.success(), text(out.stdout), text(out.stderr))
    }
}
