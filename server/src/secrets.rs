//! Server-only secrets at rest (activation codes, the identity key), sealed
//! with Kuznyechik-MGM (RFC 9058) under the key-encryption key, like the
//! core seals shares and nonces; and the server's long-term identity key.

use fkn_core::crypto::ec::{CurveId, SigningKey};
use fkn_core::crypto::hash::streebog256;
use fkn_core::crypto::mgm::{KuznyechikMgm, MGM_NONCE_LEN};
use fkn_core::crypto::secret::{Key256, SecretBytes};

use crate::storage::{Db, StorageError, rand_fill};

/// A sealed value failed to open or the identity key is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// Authentication failed: another KEK, or tampered storage.
    #[error(
        "a sealed value in the database does not open under this key-encryption key; \
         start the server with the KEK the database was created with"
    )]
    WrongKek,
    /// Storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The key-encryption key and its cipher.
pub struct Kek {
    cipher: KuznyechikMgm,
}

impl core::fmt::Debug for Kek {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Kek(<redacted>)")
    }
}

impl Kek {
    /// The cipher under `key`.
    pub fn new(key: &Key256) -> Self {
        Kek {
            cipher: KuznyechikMgm::new(key),
        }
    }

    /// `hex(nonce || ciphertext || tag)`, bound to `label` and `id`.
    pub fn seal(&self, label: &str, id: &str, plaintext: &[u8]) -> String {
        let mut nonce = [0u8; MGM_NONCE_LEN];
        rand_fill(&mut nonce);
        nonce[0] &= 0x7F; // MGM nonces have the top bit clear
        // Fails only for a nonce with the top bit set, cleared above.
        let ct = self
            .cipher
            .encrypt(&nonce, &aad(label, id), plaintext)
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        hex::encode(out)
    }

    /// The plaintext of [`Kek::seal`]'s output for the same `label` and `id`.
    pub fn open(
        &self,
        label: &str,
        id: &str,
        sealed_hex: &str,
    ) -> Result<SecretBytes, SecretError> {
        let sealed = hex::decode(sealed_hex).map_err(|_| SecretError::WrongKek)?;
        if sealed.len() < MGM_NONCE_LEN {
            return Err(SecretError::WrongKek);
        }
        let (nonce, ct) = sealed.split_at(MGM_NONCE_LEN);
        let nonce: &[u8; MGM_NONCE_LEN] = nonce.try_into().map_err(|_| SecretError::WrongKek)?;
        self.cipher
            .decrypt(nonce, &aad(label, id), ct)
            .map_err(|_| SecretError::WrongKek)
    }
}

fn aad(label: &str, id: &str) -> Vec<u8> {
    let mut out = b"fkn-server/".to_vec();
    out.extend_from_slice(label.as_bytes());
    out.push(0);
    out.extend_from_slice(id.as_bytes());
    out
}

const IDENTITY_SETTING: &str = "identity_key";
const IDENTITY_CURVE: CurveId = CurveId::Tc26_256A;

/// The server's long-term GOST identity key (shared by every instance
/// through the database); pairing proves it to the device, which checks it
/// against the fingerprint in the enrollment URI.
pub struct Identity {
    key: SigningKey,
}

impl core::fmt::Debug for Identity {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Identity")
            .field("fingerprint", &hex::encode(self.fingerprint()))
            .finish_non_exhaustive()
    }
}

impl Identity {
    /// Loads the identity key, creating it on first start.
    pub async fn load_or_create(db: &Db, kek: &Kek) -> Result<Identity, SecretError> {
        let fresh = SigningKey::generate(IDENTITY_CURVE, &mut fkn_core::crypto::os_rng());
        let sealed = kek.seal("identity", IDENTITY_SETTING, &fresh.to_be_bytes());
        drop(fresh);
        // The first instance to insert wins; the others open its key.
        let stored = db.setting_or_insert(IDENTITY_SETTING, &sealed).await?;
        let d = kek.open("identity", IDENTITY_SETTING, &stored)?;
        let key = SigningKey::from_be_bytes(IDENTITY_CURVE, d.expose())
            .map_err(|_| SecretError::WrongKek)?;
        Ok(Identity { key })
    }

    /// The signing key (for pairing).
    pub fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    /// Streebog-256 of the public key bytes (`BYTES(Q)`, little-endian X || Y).
    pub fn fingerprint(&self) -> [u8; 32] {
        streebog256(&self.key.verifying_key().to_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_binds_label_and_id() {
        let kek = Kek::new(&Key256::from_bytes([7; 32]));
        let s = kek.seal("code", "e1", b"123456789012");
        assert_eq!(
            kek.open("code", "e1", &s).unwrap().expose(),
            b"123456789012"
        );
        assert!(matches!(
            kek.open("code", "e2", &s),
            Err(SecretError::WrongKek)
        ));
        assert!(matches!(
            kek.open("other", "e1", &s),
            Err(SecretError::WrongKek)
        ));
        let other = Kek::new(&Key256::from_bytes([8; 32]));
        assert!(matches!(
            other.open("code", "e1", &s),
            Err(SecretError::WrongKek)
        ));
    }
}
