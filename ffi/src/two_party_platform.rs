//! What the app supplies for two-party keys: where the device keeps its key
//! record ([`SecureStore`]) and how requests reach the signing server
//! ([`ServerChannel`]). Foreign traits, bridged to the core's traits.
//!
//! Their errors are this crate's own (UniFFI's Kotlin generator cannot use
//! another component's error in a callback interface), mapped one to one.

use std::sync::Arc;

use fkn_core::distributed::{
    ChannelError as CoreChannelError, SecureStore as CoreStore, ServerChannel as CoreChannel,
    StoreError as CoreStoreError,
};

use crate::live::LiveGuard;

/// Why a [`SecureStore`] failed.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Error, thiserror::Error)]
pub enum SecureStoreError {
    /// Reading or writing failed.
    #[error("the key store failed: {detail}")]
    Io {
        /// The platform's description.
        detail: String,
    },
    /// The store is not available now (device locked, no user unlocked it yet).
    #[error("the key store is unavailable")]
    Unavailable,
    /// The platform's hardware key can no longer unwrap the blob (Android:
    /// `KeyPermanentlyInvalidatedException`, e.g. after the screen lock was
    /// removed); the key must be enrolled again.
    #[error("the platform key store can no longer unwrap the record")]
    KeystoreInvalidated,
}

/// Persistent storage for two-party key records, one opaque blob per key id:
/// implement it with Android Keystore / iOS Keychain wrapping (the blob is
/// already useless without the PIN and the server; the platform key adds
/// "and without this device"). `save` must be atomic: after a crash `load`
/// returns the old blob or the new one.
#[uniffi::export(with_foreign)]
pub trait SecureStore: Send + Sync {
    /// The blob under `key_id`, or null.
    fn load(&self, key_id: String) -> Result<Option<Vec<u8>>, SecureStoreError>;
    /// Replaces the blob under `key_id` atomically.
    fn save(&self, key_id: String, blob: Vec<u8>) -> Result<(), SecureStoreError>;
    /// Removes the blob under `key_id` (no error if there is none).
    fn delete(&self, key_id: String) -> Result<(), SecureStoreError>;
}

/// Why a [`ServerChannel`] could not deliver a request.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Error, thiserror::Error)]
pub enum ServerChannelError {
    /// No network, DNS or TLS failure.
    #[error("the signing server is unreachable")]
    Unreachable,
    /// No answer in time (the server may have acted; retrying is safe).
    #[error("the signing server did not answer in time")]
    Timeout,
    /// A non-success HTTP status.
    #[error("the signing server answered HTTP {status}")]
    HttpStatus {
        /// The status code.
        status: u16,
    },
}

/// Carries one request to the signing server and returns its answer: POST
/// the bytes (`application/cbor`) over TLS with the app's HTTP stack. Called
/// on the thread that called the SDK, so it may block.
#[uniffi::export(with_foreign)]
pub trait ServerChannel: Send + Sync {
    /// Sends `request` and returns the response body.
    fn exchange(&self, request: Vec<u8>) -> Result<Vec<u8>, ServerChannelError>;
}

// An exception the app's code threw that is not the declared one still ends
// the call cleanly.
impl From<uniffi::UnexpectedUniFFICallbackError> for SecureStoreError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        SecureStoreError::Io { detail: e.reason }
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for ServerChannelError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        ServerChannelError::Unreachable
    }
}

impl From<SecureStoreError> for CoreStoreError {
    fn from(e: SecureStoreError) -> Self {
        match e {
            // The core keeps a kind, not text: the text is the platform's
            // and is logged there.
            SecureStoreError::Io { detail } => {
                log::debug!("secure store failed: {detail}");
                CoreStoreError::Io(std::io::ErrorKind::Other)
            }
            SecureStoreError::Unavailable => CoreStoreError::Unavailable,
            SecureStoreError::KeystoreInvalidated => CoreStoreError::KeystoreInvalidated,
        }
    }
}

impl From<ServerChannelError> for CoreChannelError {
    fn from(e: ServerChannelError) -> Self {
        match e {
            ServerChannelError::Unreachable => CoreChannelError::Unreachable,
            ServerChannelError::Timeout => CoreChannelError::Timeout,
            ServerChannelError::HttpStatus { status } => CoreChannelError::HttpStatus(status),
        }
    }
}

/// The core's view of a foreign [`SecureStore`].
pub(crate) struct StoreBridge {
    inner: Arc<dyn SecureStore>,
    _live: LiveGuard,
}

impl StoreBridge {
    pub(crate) fn new(inner: Arc<dyn SecureStore>) -> Self {
        StoreBridge {
            inner,
            _live: LiveGuard::new(),
        }
    }
}

impl CoreStore for StoreBridge {
    fn load(&self, key_id: &str) -> Result<Option<Vec<u8>>, CoreStoreError> {
        Ok(self.inner.load(key_id.to_owned())?)
    }

    fn save(&self, key_id: &str, blob: &[u8]) -> Result<(), CoreStoreError> {
        Ok(self.inner.save(key_id.to_owned(), blob.to_vec())?)
    }

    fn delete(&self, key_id: &str) -> Result<(), CoreStoreError> {
        Ok(self.inner.delete(key_id.to_owned())?)
    }
}

/// The core's view of a foreign [`ServerChannel`].
pub(crate) struct ChannelBridge {
    inner: Arc<dyn ServerChannel>,
    _live: LiveGuard,
}

impl ChannelBridge {
    pub(crate) fn new(inner: Arc<dyn ServerChannel>) -> Self {
        ChannelBridge {
            inner,
            _live: LiveGuard::new(),
        }
    }
}

impl CoreChannel for ChannelBridge {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, CoreChannelError> {
        Ok(self.inner.exchange(request.to_vec())?)
    }
}
