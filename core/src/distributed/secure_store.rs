//! Where the device keeps its key record: a [`SecureStore`] the platform
//! implements (wrapping the blob with Android Keystore or the iOS Keychain /
//! Secure Enclave), and a file-backed store for desktops and tests.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::error::StoreError;
use super::ids::KeyId;

/// Persistent storage for device key records, one opaque blob per key id.
///
/// Object safe and `Send + Sync` so the FFI can export it as a foreign trait.
/// `save` must be atomic: after a crash, `load` returns the old blob or the
/// new one, never a mix.
pub trait SecureStore: Send + Sync {
    /// The blob saved under `key_id`, if any.
    fn load(&self, key_id: &str) -> Result<Option<Vec<u8>>, StoreError>;
    /// Replaces the blob under `key_id` atomically.
    fn save(&self, key_id: &str, blob: &[u8]) -> Result<(), StoreError>;
    /// Removes the blob under `key_id` (no error if there is none).
    fn delete(&self, key_id: &str) -> Result<(), StoreError>;
}

fn io(e: std::io::Error) -> StoreError {
    StoreError::Io(e.kind())
}

/// One file per key in a directory, `<key id>.fkd`, replaced atomically
/// (write a temporary file, fsync, rename, fsync the directory) and readable
/// by the owner only.
#[derive(Debug, Clone)]
pub struct FileSecureStore {
    dir: PathBuf,
}

impl FileSecureStore {
    /// A store in `dir` (created if missing).
    pub fn new(dir: impl AsRef<Path>) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir.as_ref()).map_err(io)?;
        Ok(FileSecureStore {
            dir: dir.as_ref().to_path_buf(),
        })
    }

    /// The file of a key; key ids are checked, so they cannot leave the directory.
    fn path(&self, key_id: &str) -> Result<PathBuf, StoreError> {
        let id =
            KeyId::new(key_id).map_err(|_| StoreError::Io(std::io::ErrorKind::InvalidInput))?;
        Ok(self.dir.join(format!("{id}.fkd")))
    }
}

impl SecureStore for FileSecureStore {
    fn load(&self, key_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        match std::fs::read(self.path(key_id)?) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    fn save(&self, key_id: &str, blob: &[u8]) -> Result<(), StoreError> {
        let path = self.path(key_id)?;
        let mut rnd = [0u8; 8];
        rand_core::Rng::fill_bytes(&mut crate::crypto::os_rng(), &mut rnd);
        let tmp = self.dir.join(format!(".{key_id}.{}.tmp", hex::encode(rnd)));
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let write = || -> std::io::Result<()> {
            let mut f = opts.open(&tmp)?;
            f.write_all(blob)?;
            f.sync_all()?;
            std::fs::rename(&tmp, &path)?;
            // The rename itself must reach the disk.
            std::fs::File::open(&self.dir)?.sync_all()
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }

    fn delete(&self, key_id: &str) -> Result<(), StoreError> {
        match std::fs::remove_file(self.path(key_id)?) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(e)),
        }
    }
}

/// An in-memory store, for tests.
#[derive(Debug, Default)]
pub struct MemorySecureStore {
    blobs: Mutex<HashMap<String, Vec<u8>>>,
}

impl MemorySecureStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl SecureStore for MemorySecureStore {
    fn load(&self, key_id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let m = self.blobs.lock().map_err(|_| StoreError::Unavailable)?;
        Ok(m.get(key_id).cloned())
    }

    fn save(&self, key_id: &str, blob: &[u8]) -> Result<(), StoreError> {
        let mut m = self.blobs.lock().map_err(|_| StoreError::Unavailable)?;
        m.insert(key_id.to_owned(), blob.to_vec());
        Ok(())
    }

    fn delete(&self, key_id: &str) -> Result<(), StoreError> {
        let mut m = self.blobs.lock().map_err(|_| StoreError::Unavailable)?;
        m.remove(key_id);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_store_saves_replaces_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let s = FileSecureStore::new(dir.path().join("keys")).unwrap();
        assert_eq!(s.load("k1").unwrap(), None);
        s.save("k1", b"one").unwrap();
        s.save("k1", b"two").unwrap();
        assert_eq!(s.load("k1").unwrap().as_deref(), Some(&b"two"[..]));
        let names: Vec<_> = std::fs::read_dir(dir.path().join("keys"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, ["k1.fkd"], "no temporary file left");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("keys/k1.fkd"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "owner only: {mode:o}");
        }
        s.delete("k1").unwrap();
        s.delete("k1").unwrap();
        assert_eq!(s.load("k1").unwrap(), None);
        assert!(s.save("../evil", b"x").is_err());
        assert!(s.load("a/b").is_err());
    }
}
