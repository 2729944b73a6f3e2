//! ISO 7816-4 APDUs: the command and response types every layer above the
//! transport passes around.

mod command;

pub use command::{Command, Response};
