//! FKN SDK core: sign with GOST keys that never leave a functional key carrier
//! (FKN) token, over a transport the platform supplies.
//!
//! The crate is layered bottom-up; each layer only knows the ones below it:
//!
//! | layer | module |
//! |---|---|
//! | GOST primitives (34.10, 34.11, 34.12/34.13, R 50.1.113) | [`crypto`] |
//! | link to a token (NFC / PC/SC / in-process) | [`transport`] |
//! | ISO 7816-4 APDUs, chaining, GET RESPONSE | [`apdu`] |
//! | the other party: an OFP1 token in software | [`virtual_token`] |
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod apdu;
pub mod crypto;
pub mod distributed;
pub mod error;
pub mod pki;
pub mod sespake;
pub mod sm;
pub mod token;
pub mod transport;
pub mod virtual_token;

pub use error::{Error, Result};
