//! ISO 7816-4 APDUs: the command and response types every layer above the
//! transport passes around, their byte encoding, the channel that applies
//! chaining / GET RESPONSE / `6C xx` (OFP1 Section 2), status words decoded
//! once (Section 7), and redacting APDU traces.

mod channel;
pub mod codec;
mod command;
mod error;
pub mod status;
pub mod tlv;
pub mod trace;

pub use channel::{ApduChannel, CHAINING_BIT, INS_GET_RESPONSE, MAX_GET_RESPONSE};
pub use codec::LengthForm;
pub use command::{Command, Response};
pub use error::LinkError;
pub use status::{StatusError, check};
