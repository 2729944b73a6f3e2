//! Where `fkn enroll` and `fkn dsign` keep the device's side of two-party
//! keys: the key shares, the device credential and the keys' certificates,
//! in one directory (`--store`, else `$FKN_HOME/device`, else the user's
//! data directory).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;
use fkn_core::distributed::{FileSecureStore, KeyId};

/// `--store DIR`: the device directory.
#[derive(Args, Debug, Clone)]
pub struct StoreOpt {
    /// Directory of the device's key shares, credential and certificates
    /// (default: $FKN_HOME/device, else $XDG_DATA_HOME/fkn/device, else
    /// ~/.local/share/fkn/device).
    #[arg(long, value_name = "DIR", env = "FKN_STORE")]
    store: Option<PathBuf>,
}

impl StoreOpt {
    /// The directory to use.
    pub fn dir(&self) -> anyhow::Result<PathBuf> {
        if let Some(d) = &self.store {
            return Ok(d.clone());
        }
        let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        if let Some(home) = var("FKN_HOME") {
            return Ok(PathBuf::from(home).join("device"));
        }
        if let Some(data) = var("XDG_DATA_HOME") {
            return Ok(PathBuf::from(data).join("fkn/device"));
        }
        match var("HOME") {
            Some(home) => Ok(PathBuf::from(home).join(".local/share/fkn/device")),
            None => bail!("no --store given and neither FKN_HOME nor HOME is set"),
        }
    }

    /// The store in that directory (created, owner-only, if missing).
    pub fn open(&self) -> anyhow::Result<(PathBuf, Arc<FileSecureStore>)> {
        let dir = self.dir()?;
        create_private_dir(&dir)?;
        let store = FileSecureStore::new(&dir).map_err(fkn_core::Error::from)?;
        Ok((dir, Arc::new(store)))
    }
}

/// The key shares are masked under the PIN, the credential is not: the
/// directory is the owner's only.
fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create the device directory {}", dir.display()))
}

/// `--key ID` of a two-party key: 1 to 64 of `A-Z a-z 0-9 . _ -`.
pub fn parse_key_id(s: &str) -> Result<KeyId, String> {
    KeyId::new(s).map_err(|e| e.to_string())
}

/// The file naming the key `fkn dsign` uses without `--key`.
const DEFAULT_KEY_FILE: &str = "default-key";

/// The key id `fkn enroll` picks without `--key`: `main-` and the start of
/// the device id. The server holds key ids for all its devices in one
/// namespace, so a fixed "main" would clash with the first device's key.
pub fn default_key_for(device_id: &str) -> anyhow::Result<KeyId> {
    let short: String = device_id.chars().take(12).collect();
    parse_key_id(&format!("main-{short}")).map_err(anyhow::Error::msg)
}

/// Records `key` as the one `fkn dsign` uses by default.
pub fn save_default_key(dir: &Path, key: &KeyId) -> anyhow::Result<()> {
    crate::opts::write_file(
        &dir.join(DEFAULT_KEY_FILE),
        "default key id",
        key.as_str().as_bytes(),
    )
}

/// `--key`, else the key `fkn enroll` made.
pub fn key_or_default(dir: &Path, key: Option<&KeyId>) -> anyhow::Result<KeyId> {
    if let Some(k) = key {
        return Ok(k.clone());
    }
    let path = dir.join(DEFAULT_KEY_FILE);
    let text = std::fs::read_to_string(&path).with_context(|| {
        format!(
            "no --key given and no default key in {} (run `fkn enroll` first)",
            dir.display()
        )
    })?;
    parse_key_id(text.trim()).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

/// The certificate `fkn dsign` made for a key, kept next to its share.
pub fn certificate_path(dir: &Path, key: &KeyId) -> PathBuf {
    dir.join(format!("{}.crt", key.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_explicit_store_wins() {
        let o = StoreOpt {
            store: Some("/tmp/x".into()),
        };
        assert_eq!(o.dir().unwrap(), PathBuf::from("/tmp/x"));
    }

    #[test]
    fn the_default_key_is_per_device_and_remembered() {
        let t = tempfile::tempdir().unwrap();
        let k = default_key_for("0123456789abcdef0123").unwrap();
        assert_eq!(k.as_str(), "main-0123456789ab");
        assert!(key_or_default(t.path(), None).is_err());
        save_default_key(t.path(), &k).unwrap();
        assert_eq!(key_or_default(t.path(), None).unwrap(), k);
        let other = parse_key_id("other").unwrap();
        assert_eq!(key_or_default(t.path(), Some(&other)).unwrap(), other);
    }

    #[test]
    fn key_ids_are_checked() {
        assert_eq!(parse_key_id("main").unwrap().as_str(), "main");
        assert!(parse_key_id("../etc").is_err());
        assert!(parse_key_id("").is_err());
    }

    #[test]
    fn the_directory_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let t = tempfile::tempdir().unwrap();
        let o = StoreOpt {
            store: Some(t.path().join("dev")),
        };
        let (dir, _) = o.open().unwrap();
        let mode = std::fs::metadata(dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
    }
}
