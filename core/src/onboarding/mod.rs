//! Onboarding: pairing a phone (and its card) with a server.
//!
//! The server's operator creates a one-time enrollment; the phone scans it
//! as a QR code of an [`EnrollmentUri`] (`fkn://enroll?v=1&...`), then
//! [`pair`]s: SESPAKE (RFC 8133) with the activation code as the password,
//! a device credential made on the phone, and the server's proof of the
//! identity key the QR code fingerprints. Inside the sealed session that
//! follows, the app generates two-party keys and registers card keys; after
//! it, every request is signed with the credential ([`SignedChannel`]).
//! The server's side is the [`Gateway`]. The protocol is documented in
//! `docs/onboarding.md`.

mod credential;
mod device;
mod gateway;
pub mod params;
mod refusal;
mod session_box;
mod store;
mod uri;
pub mod wire;

pub(crate) use credential::fresh_stamp;
pub use credential::{CREDENTIAL_STORE_ID, DeviceCredential, SignedChannel};
pub use device::{PairedSession, pair};
pub use gateway::{Gateway, GatewayConfig, GatewayEvent, GatewayOutcome, random_id};
pub use params::{PAIRING_CURVE, pairing_salt};
pub use refusal::{ACCESS_BASE, PairingRefusal, refused_fault};
pub use session_box::SessionBox;
pub use store::{CardRecord, EnrollmentRecord, MemoryPairingStore, PairedDevice, PairingStore};
pub use uri::{
    ACTIVATION_CODE_DIGITS, EnrollmentUri, URI_VERSION, UriError, UriField, activation_code,
};
