//! FKN SDK core: sign with GOST keys that never leave a functional key carrier
//! (FKN) token, over a transport the platform supplies.
//!
//! The crate is layered bottom-up; each layer only knows the ones below it:
//!
//! | layer | module |
//! |---|---|
//! | GOST primitives (34.10, 34.11, 34.12/34.13, R 50.1.113), SESPAKE point tables | [`crypto`] |
//! | link to a token (NFC / PC/SC), ATR parsing | [`transport`] |
//! | ISO 7816-4 APDUs, chaining, GET RESPONSE, status words, TLV | [`apdu`] |
//! | SESPAKE party A | [`sespake`] |
//! | secure messaging; [`sm::SecureLink`] = APDU channel + secure channel | [`sm`] |
//! | PKI formats (PKCS#10, X.509, CMS) over any [`pki::DigestSigner`] | [`pki`] |
//! | OFP1 token commands and sessions; a token key as a `DigestSigner` | [`token`] |
//! | Rutoken ECP in PKI mode (ISO 7816, OpenSC's command set) | [`rutoken`] |
//! | which application a card has; one interface over both; a card key as a `DigestSigner` | [`card`] |
//! | two-party keys, device and server roles; a device key as a `DigestSigner` | [`distributed`] |
//! | enrollment of a phone with a server: the QR code's URI | [`onboarding`] |
//!
//! [`Error`] is the one error a host sees. The other party (an OFP1 token in
//! software) is the `fkn-vtoken` crate; test transports are `fkn-testkit`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod apdu;
pub mod card;
pub mod crypto;
pub mod distributed;
pub mod error;
pub mod onboarding;
pub mod pki;
pub mod requests;
pub mod rutoken;
pub mod sespake;
pub mod sm;
pub mod token;
pub mod transport;

pub use error::{Error, Result};

// The UniFFI component of the types above that cross the FFI (feature
// `uniffi`); `fkn-ffi` exports objects and functions over them.
#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("fkn_core");
#[cfg(feature = "uniffi")]
mod uniffi_types;
