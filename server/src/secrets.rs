//! Server secrets: the upload-id MAC key and the embedded object store's credentials. Taken from
//! the environment when set, otherwise generated once into the data folder (mode 0600). They are
//! never logged or served.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::grant::Credentials;

#[derive(Clone, Serialize, Deserialize)]
pub struct Secrets {
    pub signing_key: String,
    pub s3_access_key: String,
    pub s3_secret_key: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets(..)")
    }
}

fn random_hex(bytes: usize) -> std::io::Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(hex::encode(buf))
}

impl Secrets {
    pub fn load_or_create(data_dir: &Path) -> std::io::Result<Self> {
        let path = data_dir.join("secrets.json");
        let mut secrets = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(std::io::Error::other)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let fresh = Secrets {
                    signing_key: random_hex(32)?,
                    s3_access_key: format!("VOUCH{}", random_hex(8)?.to_uppercase()),
                    s3_secret_key: random_hex(24)?,
                };
                std::fs::create_dir_all(data_dir)?;
                write_private(&path, &serde_json::to_vec_pretty(&fresh).map_err(std::io::Error::other)?)?;
                fresh
            }
            Err(e) => return Err(e),
        };
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        if let Some(v) = env("VOUCH_SIGNING_KEY") {
            secrets.signing_key = v;
        }
        if let Some(v) = env("VOUCH_S3_ACCESS_KEY") {
            secrets.s3_access_key = v;
        }
        if let Some(v) = env("VOUCH_S3_SECRET_KEY") {
            secrets.s3_secret_key = v;
        }
        Ok(secrets)
    }

    pub fn s3_credentials(&self) -> Credentials {
        Credentials {
            access_key: self.s3_access_key.clone(),
            secret_key: self.s3_secret_key.clone(),
            session_token: None,
        }
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_generated_once_and_then_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = Secrets::load_or_create(dir.path()).unwrap();
        let second = Secrets::load_or_create(dir.path()).unwrap();
        assert_eq!(first.signing_key, second.signing_key);
        assert_eq!(first.signing_key.len(), 64);
        assert!(!format!("{first:?}").contains(&first.s3_secret_key));
    }
}
