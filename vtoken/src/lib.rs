//! An OFP1 token in software: the other party of the SDK for tests, the CLI
//! and the vpcd bridge.
//!
//! - [`state`]: what the token persists (serial, label, password verifiers
//!   and counters, keys), [`store`]: the file it lives in.
//! - [`VirtualToken`]: the card: raw APDU in, raw APDU out, with chaining,
//!   GET RESPONSE and the command table (`commands.rs`): SESPAKE party B
//!   (`auth.rs` over [`sespake`]), secure messaging (`wrapped.rs` over
//!   [`secure_messaging`]) and the Section 6 commands with the rights of
//!   each PIN (`key_commands.rs`, `info_commands.rs`, `pin_commands.rs`).
//! - [`TokenRandom`]: where its randomness comes from ([`ScriptedRandom`]
//!   replays worked examples).
//! - [`VirtualTokenTransport`]: the token as a [`fkn_core::transport::Transport`].
//! - [`rutoken`]: an emulated Rutoken ECP in PKI mode (plain ISO 7816, as
//!   OpenSC drives it), [`EmulatedRutoken`], and [`RutokenTransport`].
//!
//! The token parses APDUs with its own code, not the host's
//! [`fkn_core::apdu`] codec, so tests of one check the other. **A virtual token
//! is for development and tests only: its file holds private keys in plain
//! form.**

mod atr;
mod auth;
mod commands;
mod error;
mod info_commands;
mod key_commands;
mod pin_commands;
mod random;
pub mod rutoken;
pub mod secure_messaging;
pub mod sespake;
mod session;
pub mod state;
pub mod store;
mod tlv;
mod token;
mod transport;
mod verifier;
pub mod vpcd;
mod wire;
mod wrapped;

pub use atr::{COMMAND_CHAINING_BIT, EXTENDED_LENGTH_BIT};
pub use error::VirtualTokenError;
pub use key_commands::{MAX_CERTIFICATE_LEN, MAX_DIGESTS};
pub use random::{OsRandom, ScriptedRandom, TokenRandom};
pub use rutoken::{EmulatedRutoken, RutokenError, RutokenModel, RutokenTransport};
pub use session::SessionStatus;
pub use state::{
    AddKeyError, KeyRecord, PasswordRef, PinCounters, PinRecord, TokenConfig, TokenState,
};
pub use token::{MAX_CHAIN_DATA, OFP1_AID, VirtualToken};
pub use transport::{EXTENDED_APDU_LINK, VirtualTokenTransport};
pub use verifier::{PBKDF2_ITERATIONS, password_verifier};
