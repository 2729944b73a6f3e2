//! Operations that survive a lost tap (`fkn_core::token::retap`): the app
//! hands the first link and a [`CardTapSource`] that waits for the next
//! tap; the runner logs in again and finishes. Records and enums here are
//! the FFI's own because the core's `Operation` holds a wiped PIN and its
//! `Outcome` carries no UniFFI derive.
//!
//! Platform duties for a re-tap:
//! - **Android** (`IsoDep`): keep reader mode on for the whole operation;
//!   `nextCard` suspends until the next `onTagDiscovered`, then returns a
//!   transport over `IsoDep.get(tag)` already `connect()`ed. Throw
//!   `TransportException.TagLost` from `transceive` on `TagLostException`.
//! - **iOS** (`NFCISO7816Tag`): a lost tag ends the reader session's
//!   connection, not the session: show "hold your card again" with
//!   `alertMessage`, call `restartPolling()`, and return the next tag after
//!   `connect(to:)` from `nextCard`. The sheet's 60 s limit still applies;
//!   on timeout or cancel throw `TransportException.Cancelled`.

use std::sync::{Arc, Mutex};

use fkn_core::crypto::ec::CurveId;
use fkn_core::error::LinkFault;
use fkn_core::token::retap::{
    DEFAULT_MAX_TAPS, Operation, Outcome, Retap, RetapObserver, RetapState,
};
use fkn_core::token::{KeyInfo, PinRef};
use fkn_core::transport::TransportError as CoreTransportError;
use zeroize::Zeroizing;

use crate::error::{FknError, TransportError, invalid};
use crate::live::LiveGuard;
use crate::transport::{NfcTransport, TransportBridge};

/// Where the next link comes from when the card left the field mid-operation.
#[uniffi::export(with_foreign)]
pub trait CardTapSource: Send + Sync {
    /// Blocks until the user presents the card again (tap number `tap`,
    /// from 2) and returns its connected transport; throws
    /// `TransportError.Cancelled` when the user gives up.
    fn next_card(&self, tap: u32) -> Result<Arc<dyn NfcTransport>, TransportError>;
}

/// Told where the operation stands (on the runner's thread; post to the UI).
#[uniffi::export(with_foreign)]
pub trait RetapListener: Send + Sync {
    /// The runner entered `status`.
    fn status_changed(&self, status: RetapStatus);
}

/// Where an operation across taps stands.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum RetapStatus {
    /// The card is in the field; tap `tap` is at work.
    OnCard {
        /// Which tap, from 1.
        tap: u32,
    },
    /// The card left: show "waiting for the card" (the runner now waits in
    /// `CardTapSource.next_card`).
    WaitingForCard {
        /// The tap that comes next.
        tap: u32,
        /// Whether the card was removed (else it timed out or the link failed).
        card_removed: bool,
    },
    /// Done, or failed for good.
    Finished,
}

/// One operation on the token, run after a login with the runner's PIN.
#[derive(Clone, uniffi::Enum)]
pub enum RetapOperation {
    /// Sign 1 to 16 digests with key `key_id`.
    Sign {
        /// The key.
        key_id: Vec<u8>,
        /// Digests of the key's size.
        digests: Vec<Vec<u8>>,
    },
    /// Generate a key pair under an id that does not exist yet.
    GenerateKey {
        /// The new key's id.
        key_id: Vec<u8>,
        /// Its curve.
        curve: CurveId,
        /// Its label.
        label: String,
    },
    /// Store a certificate (DER) for key `key_id`.
    PutCertificate {
        /// The key.
        key_id: Vec<u8>,
        /// The certificate.
        der: Vec<u8>,
    },
    /// Read the certificate of key `key_id`.
    ReadCertificate {
        /// The key.
        key_id: Vec<u8>,
    },
    /// List the keys.
    ListKeys,
    /// Delete key `key_id` and its certificate.
    DeleteKey {
        /// The key.
        key_id: Vec<u8>,
    },
    /// Change the runner's PIN.
    ChangePin {
        /// The new PIN (the Rust copy is wiped after use).
        new_pin: String,
    },
}

/// What a finished operation gives back.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum RetapOutcome {
    /// Signatures (`s || r`) in the order of the digests.
    Signatures {
        /// The signatures.
        signatures: Vec<Vec<u8>>,
    },
    /// The generated key (possibly made on a lost tap).
    KeyGenerated {
        /// The key.
        key: KeyInfo,
    },
    /// The certificate is stored.
    CertificateStored,
    /// The certificate read.
    Certificate {
        /// DER.
        der: Vec<u8>,
    },
    /// The keys on the token.
    Keys {
        /// In creation order.
        keys: Vec<KeyInfo>,
    },
    /// The key is gone.
    KeyDeleted,
    /// The token holds the new PIN (and the runner logs in with it now).
    PinChanged,
}

/// Runs operations across taps with one PIN: when the card leaves the field
/// it reports `WaitingForCard`, asks the `CardTapSource` for the next tap,
/// logs in again and finishes; a wrong PIN or a refusal ends it at once
/// (`docs/retap.md` says why each step may be repeated).
#[derive(uniffi::Object)]
pub struct RetapRunner {
    inner: Mutex<Retap>,
    _live: LiveGuard,
}

#[uniffi::export]
impl RetapRunner {
    /// A runner logging in with `pin` as `reference`, at most `max_taps`
    /// taps per operation (0: the default, 5).
    #[uniffi::constructor]
    pub fn new(reference: PinRef, pin: String, max_taps: u32) -> Arc<Self> {
        let pin = Zeroizing::new(pin);
        let taps = if max_taps == 0 {
            DEFAULT_MAX_TAPS
        } else {
            max_taps
        };
        Arc::new(RetapRunner {
            inner: Mutex::new(Retap::new(reference, &pin).max_taps(taps)),
            _live: LiveGuard::new(),
        })
    }

    /// Runs `operation` on the card behind `first`. Blocks (card I/O and
    /// waiting for taps): call it off the main thread.
    pub fn run(
        &self,
        first: Arc<dyn NfcTransport>,
        operation: RetapOperation,
        source: Arc<dyn CardTapSource>,
        listener: Option<Arc<dyn RetapListener>>,
    ) -> Result<RetapOutcome, FknError> {
        let mut runner = self
            .inner
            .lock()
            .map_err(|_| invalid("this runner failed internally earlier; make a new one"))?;
        let mut next = |tap: u32| {
            source
                .next_card(tap)
                .map(TransportBridge::new)
                .map_err(|e| FknError::from(CoreTransportError::from(e)))
        };
        let observer = Listener(listener);
        runner
            .run(
                TransportBridge::new(first),
                operation.into(),
                &mut next,
                &observer,
            )
            .map(RetapOutcome::from)
    }
}

struct Listener(Option<Arc<dyn RetapListener>>);

impl RetapObserver for Listener {
    fn state_changed(&self, state: &RetapState) {
        let Some(listener) = &self.0 else { return };
        let status = match state {
            RetapState::OnCard { tap } => RetapStatus::OnCard { tap: *tap },
            RetapState::WaitingForCard { tap, fault } => RetapStatus::WaitingForCard {
                tap: *tap,
                card_removed: *fault == LinkFault::CardRemoved,
            },
            RetapState::Finished => RetapStatus::Finished,
        };
        listener.status_changed(status);
    }
}

impl From<RetapOperation> for Operation {
    fn from(op: RetapOperation) -> Self {
        match op {
            RetapOperation::Sign { key_id, digests } => Operation::Sign { key_id, digests },
            RetapOperation::GenerateKey {
                key_id,
                curve,
                label,
            } => Operation::GenerateKey {
                key_id,
                curve,
                label,
            },
            RetapOperation::PutCertificate { key_id, der } => {
                Operation::PutCertificate { key_id, der }
            }
            RetapOperation::ReadCertificate { key_id } => Operation::ReadCertificate { key_id },
            RetapOperation::ListKeys => Operation::ListKeys,
            RetapOperation::DeleteKey { key_id } => Operation::DeleteKey { key_id },
            RetapOperation::ChangePin { new_pin } => Operation::ChangePin {
                new_pin: Zeroizing::new(new_pin),
            },
        }
    }
}

impl From<Outcome> for RetapOutcome {
    fn from(outcome: Outcome) -> Self {
        match outcome {
            Outcome::Signatures(signatures) => RetapOutcome::Signatures { signatures },
            Outcome::KeyGenerated(key) => RetapOutcome::KeyGenerated { key },
            Outcome::CertificateStored => RetapOutcome::CertificateStored,
            Outcome::Certificate(der) => RetapOutcome::Certificate { der },
            Outcome::Keys(keys) => RetapOutcome::Keys { keys },
            Outcome::KeyDeleted => RetapOutcome::KeyDeleted,
            Outcome::PinChanged => RetapOutcome::PinChanged,
        }
    }
}
