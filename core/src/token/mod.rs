//! OFP1 token commands on the host side (Sections 3, 4 and 6): pure command
//! constructors, the records the token returns, and the session that runs them.

pub mod commands;
pub mod records;
pub mod retap;
pub mod salt_cache;
pub mod session;
pub mod signer;
pub mod status;

pub use commands::PinRef;
pub use records::{KeyInfo, PasswordInfo, SelectInfo, Serial, TokenInfo};
pub use retap::{Operation, Outcome, Retap, RetapObserver, RetapState, TapSource};
pub use salt_cache::SaltCache;
pub use session::{MAX_DIGESTS_PER_SIGN, PreparedPin, TokenSession};
pub use signer::{TokenSigner, token_error};

/// AID of the OFP1 application: `F0 46 4B 4E 4F 50 31` ("FKNOP1" with F0 prefix).
pub const OFP1_AID: [u8; 7] = [0xF0, 0x46, 0x4B, 0x4E, 0x4F, 0x50, 0x31];
