//! The device credential: a GOST key made at pairing, kept in the app's
//! [`SecureStore`], that signs every later request to the server
//! ([`SignedChannel`]: timestamp, random nonce, signature; the server
//! refuses a nonce it has seen and a timestamp outside its window).

use std::sync::Arc;

use minicbor::bytes::ByteVec;
use minicbor::{Decode, Encode};
use zeroize::Zeroizing;

use super::params::{PAIRING_CURVE, call_digest, request_digest};
use super::wire::{self, DeviceMessage, ServerMessage, bv};
use crate::Error;
use crate::crypto::ec::{SigningKey, VerifyingKey};
use crate::crypto::os_rng;
use crate::distributed::{ChannelError, SecureStore, ServerChannel, TwoPartyFault};

/// Where a credential is kept in a [`SecureStore`] (next to the key records).
pub const CREDENTIAL_STORE_ID: &str = "fkn-device-credential";

const RECORD_VERSION: u8 = 1;

/// A paired device's identity towards one server.
pub struct DeviceCredential {
    server: String,
    account: String,
    device_id: String,
    server_key: VerifyingKey,
    key: SigningKey,
}

impl core::fmt::Debug for DeviceCredential {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeviceCredential")
            .field("server", &self.server)
            .field("account", &self.account)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

#[derive(Encode, Decode)]
struct Record {
    #[n(0)]
    version: u8,
    #[n(1)]
    server: String,
    #[n(2)]
    account: String,
    #[n(3)]
    device_id: String,
    #[n(4)]
    server_key: ByteVec,
    #[n(5)]
    key: ByteVec,
}

impl DeviceCredential {
    pub(crate) fn new(
        server: String,
        account: String,
        device_id: String,
        server_key: VerifyingKey,
        key: SigningKey,
    ) -> Self {
        DeviceCredential {
            server,
            account,
            device_id,
            server_key,
            key,
        }
    }

    /// The server's base URL from the QR code.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The account the device was paired to.
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The id the server gave this device.
    pub fn device_id(&self) -> &str {
        &self.device_id
    }

    /// The server's identity key, proven at pairing.
    pub fn server_key(&self) -> &VerifyingKey {
        &self.server_key
    }

    /// Saves the credential under [`CREDENTIAL_STORE_ID`].
    ///
    /// # Errors
    /// The store's.
    pub fn save(&self, store: &dyn SecureStore) -> Result<(), Error> {
        let secret = self.key.to_be_bytes();
        let record = Record {
            version: RECORD_VERSION,
            server: self.server.clone(),
            account: self.account.clone(),
            device_id: self.device_id.clone(),
            server_key: bv(self.server_key.to_bytes()),
            key: bv(secret.to_vec()),
        };
        let mut bytes = Zeroizing::new(minicbor::to_vec(&record).unwrap_or_default());
        let Record { key: mut k, .. } = record;
        zeroize::Zeroize::zeroize(&mut *k);
        let out = store.save(CREDENTIAL_STORE_ID, &bytes);
        zeroize::Zeroize::zeroize(&mut *bytes);
        Ok(out?)
    }

    /// Loads the credential.
    ///
    /// # Errors
    /// [`TwoPartyFault::NotEnrolled`] when there is none, `Storage` for a
    /// damaged record, the store's own errors.
    pub fn load(store: &dyn SecureStore) -> Result<DeviceCredential, Error> {
        let bytes = store
            .load(CREDENTIAL_STORE_ID)?
            .ok_or(TwoPartyFault::NotEnrolled)?;
        let bytes = Zeroizing::new(bytes);
        let damaged = || Error::Storage {
            detail: "the device credential record is damaged; enroll again".into(),
        };
        let mut record: Record = minicbor::decode(&bytes).map_err(|_| damaged())?;
        let key = SigningKey::from_be_bytes(PAIRING_CURVE, &record.key);
        zeroize::Zeroize::zeroize(&mut *record.key);
        if record.version != RECORD_VERSION {
            return Err(damaged());
        }
        Ok(DeviceCredential {
            server_key: VerifyingKey::from_bytes(PAIRING_CURVE, &record.server_key)
                .map_err(|_| damaged())?,
            key: key.map_err(|_| damaged())?,
            server: record.server,
            account: record.account,
            device_id: record.device_id,
        })
    }

    /// Removes the credential from the store (unpairing on this side).
    ///
    /// # Errors
    /// The store's.
    pub fn delete(store: &dyn SecureStore) -> Result<(), Error> {
        Ok(store.delete(CREDENTIAL_STORE_ID)?)
    }

    /// The signed request for `inner` at `timestamp` (Unix seconds) with `nonce`.
    pub fn sign_request(&self, timestamp: u64, nonce: [u8; 16], inner: &[u8]) -> Vec<u8> {
        let signature = self.sign(&request_digest(&self.device_id, timestamp, &nonce, inner));
        wire::encode(DeviceMessage::Signed(
            self.device_id.clone(),
            timestamp,
            bv(nonce.to_vec()),
            bv(inner.to_vec()),
            bv(signature),
        ))
    }

    /// The signed signing-request call `call` (CBOR of a
    /// [`crate::requests::DeviceCall`]) at `timestamp` with `nonce`.
    pub fn sign_call(&self, timestamp: u64, nonce: [u8; 16], call: &[u8]) -> Vec<u8> {
        let signature = self.sign(&call_digest(&self.device_id, timestamp, &nonce, call));
        wire::encode(DeviceMessage::Call(
            self.device_id.clone(),
            timestamp,
            bv(nonce.to_vec()),
            bv(call.to_vec()),
            bv(signature),
        ))
    }

    fn sign(&self, digest: &[u8; 32]) -> Vec<u8> {
        // A 32-byte digest on a 256-bit curve cannot be refused.
        self.key
            .sign_digest(digest, &mut os_rng())
            .unwrap_or_default()
    }
}

/// Now (Unix seconds) and a fresh random nonce, for a signed message.
pub(crate) fn fresh_stamp() -> (u64, [u8; 16]) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut nonce = [0u8; 16];
    rand_core::Rng::fill_bytes(&mut os_rng(), &mut nonce);
    (now, nonce)
}

/// A [`ServerChannel`] that signs every two-party request with the device
/// credential and unwraps the server's answer; give it to
/// [`crate::distributed::Device`] after pairing. `inner` carries the bytes to
/// the server's device endpoint (`POST {server}/v1/device`).
pub struct SignedChannel {
    credential: Arc<DeviceCredential>,
    inner: Arc<dyn ServerChannel>,
}

impl SignedChannel {
    /// Signs with `credential`, sends through `inner`.
    pub fn new(credential: Arc<DeviceCredential>, inner: Arc<dyn ServerChannel>) -> Self {
        SignedChannel { credential, inner }
    }
}

impl ServerChannel for SignedChannel {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, ChannelError> {
        let (now, nonce) = fresh_stamp();
        let signed = self.credential.sign_request(now, nonce, request);
        let answer = self.inner.exchange(&signed)?;
        match wire::decode::<ServerMessage>(&answer) {
            Ok(ServerMessage::Answer(inner)) => Ok(inner.into()),
            Ok(ServerMessage::Refused(code, arg)) => Err(ChannelError::Refused { code, arg }),
            _ => Err(ChannelError::Misbehaved),
        }
    }
}
