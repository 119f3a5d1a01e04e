//! Server secrets: the upload-id MAC key and the embedded object store's credentials. Taken from
//! the environment when set, otherwise generated once into the data folder (mode 0700, the file
//! 0600, written whole or not at all). They are never logged or served.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::backends::signing::Credentials;

#[derive(Clone, Serialize, Deserialize)]
pub struct Secrets {
    pub signing_key: String,
    pub s3_access_key: String,
    pub s3_secret_key: String,
    /// Seals imported codes and keys their uniqueness (hex, 32 bytes). Files written before codes
    /// existed lack it: it is generated and added once.
    #[serde(default)]
    pub codes_key: String,
    /// Signs marketing confirmation links (hex, 32 bytes); added once to older files, like
    /// `codes_key`.
    #[serde(default)]
    pub optin_key: String,
    /// Keys the hashes erasure logs keep of erased mailboxes (hex, 32 bytes); added once to older
    /// files, like `codes_key`.
    #[serde(default)]
    pub erasure_key: String,
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
        crate::backends::embedded::db::private_dir(data_dir)?;
        let path = data_dir.join("secrets.json");
        let mut secrets = match std::fs::read(&path) {
            Ok(bytes) => {
                refuse_if_shared(&path)?;
                serde_json::from_slice(&bytes).map_err(std::io::Error::other)?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let fresh = Secrets {
                    signing_key: random_hex(32)?,
                    s3_access_key: format!("VOUCH{}", random_hex(8)?.to_uppercase()),
                    s3_secret_key: random_hex(24)?,
                    codes_key: random_hex(32)?,
                    optin_key: random_hex(32)?,
                    erasure_key: random_hex(32)?,
                };
                write_private(&path, &serde_json::to_vec_pretty(&fresh).map_err(std::io::Error::other)?)?;
                fresh
            }
            Err(e) => return Err(e),
        };
        // Keys added after a secrets file was first written are generated once, then kept.
        let mut added = false;
        for key in [&mut secrets.codes_key, &mut secrets.optin_key, &mut secrets.erasure_key] {
            if key.is_empty() {
                *key = random_hex(32)?;
                added = true;
            }
        }
        if added {
            write_private(&path, &serde_json::to_vec_pretty(&secrets).map_err(std::io::Error::other)?)?;
        }
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
        if let Some(v) = env("VOUCH_CODES_KEY") {
            secrets.codes_key = v;
        }
        if let Some(v) = env("VOUCH_OPTIN_KEY") {
            secrets.optin_key = v;
        }
        if let Some(v) = env("VOUCH_ERASURE_KEY") {
            secrets.erasure_key = v;
        }
        Ok(secrets)
    }

    /// The keys imported codes are sealed and hashed with.
    pub fn code_keys(&self) -> crate::backends::codes::CodeKeys {
        crate::backends::codes::CodeKeys::new(self.codes_key.as_bytes())
    }

    /// The key of the erasure log's identity hashes.
    pub fn erasure_key(&self) -> crate::backends::privacy::ErasureKey {
        crate::backends::privacy::ErasureKey::new(self.erasure_key.as_bytes())
    }

    pub fn s3_credentials(&self) -> Credentials {
        Credentials {
            access_key: self.s3_access_key.clone(),
            secret_key: self.s3_secret_key.clone(),
            session_token: None,
        }
    }
}

/// Other users must not read the keys that sign upload ids and open the object store.
#[cfg(unix)]
fn refuse_if_shared(path: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!(
                "{} can be read by other users (mode {mode:o}); run `chmod 600 {}` and start again",
                path.display(),
                path.display()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_if_shared(_path: &Path) -> std::io::Result<()> {
    Ok(())
}

/// Writes aside, syncs, then renames: a crash leaves either no secrets file or a whole one, never
/// an empty file that would stop the next start.
#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("json.tmp");
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(0o600).open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    match path.parent() {
        Some(dir) => std::fs::File::open(dir)?.sync_all(),
        None => Ok(()),
    }
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

    #[test]
    fn a_secrets_file_from_before_codes_gets_a_codes_key_once() {
        let dir = tempfile::tempdir().unwrap();
        let old = r#"{"signing_key":"s","s3_access_key":"a","s3_secret_key":"k"}"#;
        crate::backends::embedded::db::private_dir(dir.path()).unwrap();
        write_private(&dir.path().join("secrets.json"), old.as_bytes()).unwrap();
        let first = Secrets::load_or_create(dir.path()).unwrap();
        assert_eq!((first.signing_key.as_str(), first.codes_key.len()), ("s", 64));
        assert_eq!(Secrets::load_or_create(dir.path()).unwrap().codes_key, first.codes_key, "kept, not replaced");
        assert_eq!(Secrets::load_or_create(dir.path()).unwrap().erasure_key, first.erasure_key);
        assert_eq!(first.erasure_key.len(), 64);
    }

    #[cfg(unix)]
    #[test]
    fn the_folder_and_file_are_private_and_a_shared_secrets_file_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        Secrets::load_or_create(&data).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&data), 0o700);
        let file = data.join("secrets.json");
        assert_eq!(mode(&file), 0o600);
        assert_eq!(std::fs::read_dir(&data).unwrap().count(), 1, "no temporary file is left behind");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        let err = Secrets::load_or_create(&data).unwrap_err().to_string();
        assert!(err.contains("can be read by other users") && err.contains("chmod 600"), "{err}");
    }
}
