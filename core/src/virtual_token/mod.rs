//! An OFP1 token in software: the other party of the SDK for tests, the CLI
//! and the vpcd bridge.
//!
//! - [`state`]: what the token persists (serial, label, password verifiers
//!   and counters, keys), [`store`]: the file it lives in.
//! - [`VirtualToken`]: the card: raw APDU in, raw APDU out, with chaining,
//!   GET RESPONSE and the command table (`commands.rs`).
//! - [`VirtualTokenTransport`]: the token as a [`crate::transport::Transport`].
//!
//! The token parses APDUs with its own code, not the host's
//! [`crate::apdu`] codec, so tests of one check the other. **A virtual token
//! is for development and tests only: its file holds private keys in plain
//! form.**

mod atr;
mod commands;
mod error;
pub mod secure_messaging;
pub mod sespake;
pub mod state;
pub mod store;
mod tlv;
mod token;
mod transport;
pub mod vpcd;
mod wire;

pub use atr::{COMMAND_CHAINING_BIT, EXTENDED_LENGTH_BIT};
pub use error::VirtualTokenError;
pub use state::{
    AddKeyError, KeyRecord, PasswordRef, PinCounters, PinRecord, TokenConfig, TokenState,
};
pub use token::{MAX_CHAIN_DATA, OFP1_AID, VirtualToken};
pub use transport::{EXTENDED_APDU_LINK, VirtualTokenTransport};
