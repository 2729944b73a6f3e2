//! The FKN SDK's foreign-function interface: the one library that Kotlin
//! (Android, JVM) and Swift (iOS) load, exported with UniFFI proc-macros
//! under the namespace `fkn`.
//!
//! Every exported item is a thin object or a one-line forward to `fkn-core`;
//! no protocol logic lives here. The records, enums and the error that cross
//! are `fkn-core`'s own, derived there behind its `uniffi` feature (UniFFI
//! component `fkn_core`); this crate adds the objects, the foreign transport
//! trait and logging. Calls are blocking: the core is blocking and
//! so is the platform's [`NfcTransport`], which the SDK calls back on the
//! caller's thread. The Kotlin and Swift layers wrap each call in
//! `withContext(Dispatchers.IO)` / a detached task (see `docs/ffi.md`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

mod card;
mod curves;
mod digest;
mod enrollment;
mod error;
mod live;
mod logging;
mod pki;
mod prepared_pin;
mod requests;
mod retap;
mod session;
mod transport;
mod two_party;
mod two_party_platform;
mod virtual_rutoken;
mod virtual_signing_server;
mod virtual_token;

pub use card::Card;
pub use curves::{all_curves, curve_from_name};
pub use digest::{Hasher, digest, digest_algorithm_for};
pub use enrollment::{EnrolledDevice, Enrollment, EnrollmentSummary, read_enrollment_uri};
pub use error::{FknError, TransportError};
pub use live::live_object_count;
pub use logging::{LogLevel, set_log_level};
pub use pki::{certificate_info, verify_cms, verify_csr, verify_digest};
pub use prepared_pin::PreparedPin;
pub use requests::{ApprovalResult, RequestKeyKind, SigningRequest};
pub use retap::{
    CardTapSource, RetapListener, RetapOperation, RetapOutcome, RetapRunner, RetapStatus,
};
pub use session::TokenSession;
pub use transport::NfcTransport;
pub use two_party::{TwoPartyDevice, TwoPartyKey, TwoPartyKeyInfo};
pub use two_party_platform::{SecureStore, SecureStoreError, ServerChannel, ServerChannelError};
pub use virtual_rutoken::VirtualRutoken;
pub use virtual_signing_server::{RequestResult, TwoPartyKeyStatus, VirtualSigningServer};
pub use virtual_token::VirtualToken;

uniffi::setup_scaffolding!("fkn");
