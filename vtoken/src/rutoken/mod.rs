//! An emulated Rutoken ECP in PKI mode: the card as OpenSC's `rtecp`
//! driver (`card-rtecp.c`, `pkcs15-rtecp.c`) talks to it, in plain
//! ISO 7816-4 APDUs with no secure messaging. The other party for the
//! host's Rutoken driver and for interop tests with OpenSC.
//!
//! The facts it follows, with their sources, are in
//! `docs/research/rutoken-ecp-pki.md`. The layers:
//!
//! - `apdu.rs`: short APDUs and status words;
//! - `fcp.rs`: file control parameters and the 15-byte security attributes;
//! - `fs.rs`: the file tree, with keys and PINs as reserved system files;
//! - `file_commands.rs`, `pins.rs`, `crypto_commands.rs`: the commands;
//! - `card.rs`: [`EmulatedRutoken`], its state and command table;
//! - `transport.rs`: [`RutokenTransport`], the card as a
//!   [`fkn_core::transport::Transport`].

mod apdu;
mod card;
mod change_data;
mod crypto_commands;
mod fcp;
mod file_commands;
mod fs;
mod pins;
mod transport;

use fkn_core::transport::LinkKind;

pub use card::{
    ADMIN_PIN_REF, EmulatedRutoken, FACTORY_ADMIN_PIN, FACTORY_PIN_TRIES, FACTORY_USER_PIN,
    LifeCycle, RutokenError, USER_PIN_REF,
};
pub use crypto_commands::{curve_of, paramset_byte};
pub use fcp::SEC_ATTR_LEN;
pub use file_commands::CAPACITY;
pub use transport::RutokenTransport;

/// ATR of the USB Rutoken ECP ("Rutoken ECP" in the historical bytes).
pub const ATR_ECP: [u8; 15] = [
    0x3B, 0x8B, 0x01, 0x52, 0x75, 0x74, 0x6F, 0x6B, 0x65, 0x6E, 0x20, 0x45, 0x43, 0x50, 0xA0,
];
/// ATR of the Rutoken ECP SC NFC (a PC/SC contactless pseudo-ATR, "RtSC").
pub const ATR_ECP_SC_NFC: [u8; 13] = [
    0x3B, 0x88, 0x80, 0x01, 0x52, 0x74, 0x53, 0x43, 0x77, 0x81, 0x83, 0x20, 0x6A,
];

/// Which Rutoken: the two differ only in ATR and link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RutokenModel {
    /// The USB token (a reader, for the host).
    Ecp,
    /// The NFC card (contactless).
    EcpScNfc,
}

impl RutokenModel {
    /// The Answer-To-Reset.
    pub fn atr(self) -> &'static [u8] {
        match self {
            RutokenModel::Ecp => &ATR_ECP,
            RutokenModel::EcpScNfc => &ATR_ECP_SC_NFC,
        }
    }

    /// The link a host sees it on.
    pub fn link_kind(self) -> LinkKind {
        match self {
            RutokenModel::Ecp => LinkKind::Reader,
            RutokenModel::EcpScNfc => LinkKind::Contactless,
        }
    }
}
