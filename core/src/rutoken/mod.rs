//! Rutoken ECP cards (ECP 2.0/3.0, the ECP 3.0 NFC smart card) in their
//! PKI mode ("active token", what PKCS #11 drives): plain ISO 7816 commands,
//! the card's file system, the PIN in clear. The second driver next to OFP1
//! ([`crate::token`]); [`crate::card`] picks one for the card presented.
//!
//! The command set is the one OpenSC's `card-rtecp.c` sends, learned from
//! its public source (facts and their sources, with the confidence of each:
//! `docs/research/rutoken-ecp-pki.md`, whose section numbers the comments
//! cite); no OpenSC code is used. What this mode cannot give, the driver
//! does not fake: no SESPAKE (the PIN crosses the link in clear, so over
//! NFC only when the app allows it: [`RutokenOptions`]), no secure
//! messaging, one digest per PSO, CryptoPro A/B/C keys only. Signatures are
//! cryptographically valid GOST R 34.10 signatures, not qualified ones: that
//! needs a certified crypto provider.
//!
//! - [`commands`]: the APDUs, pure constructors.
//! - [`fcp`]: the file control parameters every SELECT returns.
//! - [`pkcs15`]: OpenSC's PKCS #15 objects (ids, labels, public keys,
//!   certificates), their formats; `objects.rs` reads and stores them.
//! - [`RutokenSession`]: login, keys, signing.

pub mod commands;
pub mod fcp;
mod objects;
pub mod pkcs15;
mod session;

pub use session::{MAX_PIN_LEN, PinState, RutokenKey, RutokenOptions, RutokenSession};

/// Which Rutoken the ATR names, for PC/SC and platforms that show the ATR
/// (or the historical bytes of a contactless card).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RutokenModel {
    /// Rutoken ECP (USB), ATR historical bytes "Rutoken ECP".
    Ecp,
    /// Rutoken ECP SC, a contact smart card ("RutokenECPsc").
    EcpSc,
    /// Rutoken ECP SC NFC (contactless pseudo-ATR with "RtSC").
    EcpScNfc,
}

/// The ATR of a Rutoken ECP on USB [1].
pub const ATR_ECP: [u8; 15] = [
    0x3B, 0x8B, 0x01, 0x52, 0x75, 0x74, 0x6F, 0x6B, 0x65, 0x6E, 0x20, 0x45, 0x43, 0x50, 0xA0,
];

/// The PC/SC pseudo-ATR of a Rutoken ECP SC NFC in a contactless reader [1].
pub const ATR_ECP_SC_NFC: [u8; 13] = [
    0x3B, 0x88, 0x80, 0x01, 0x52, 0x74, 0x53, 0x43, 0x77, 0x81, 0x83, 0x20, 0x6A,
];

/// The model an ATR names, compared as OpenSC does: exactly for the USB
/// token, by the historical bytes OpenSC's masks keep for the cards [1].
pub fn model_from_atr(atr: &[u8]) -> Option<RutokenModel> {
    if atr == ATR_ECP {
        return Some(RutokenModel::Ecp);
    }
    match atr.len() {
        13 if atr[4..8] == *b"RtSC" => Some(RutokenModel::EcpScNfc),
        16 if atr[4..] == *b"RutokenECPsc" => Some(RutokenModel::EcpSc),
        19 if atr[6..18] == *b"RutokenECPsc" => Some(RutokenModel::EcpSc),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atrs_name_their_models() {
        assert_eq!(model_from_atr(&ATR_ECP), Some(RutokenModel::Ecp));
        assert_eq!(
            model_from_atr(&ATR_ECP_SC_NFC),
            Some(RutokenModel::EcpScNfc)
        );
        let t0 = hex::decode("3B9C96005275746F6B656E45435073 63".replace(' ', "")).expect("hex");
        assert_eq!(model_from_atr(&t0), Some(RutokenModel::EcpSc));
        let t1 =
            hex::decode("3B9C94801140 5275746F6B656E45435073 63C3".replace(' ', "")).expect("hex");
        assert_eq!(model_from_atr(&t1), Some(RutokenModel::EcpSc));
        // Rutoken Lite: no keys, not this driver's.
        let lite = hex::decode("3B8B015275746F6B656E6C697465C2").expect("hex");
        assert_eq!(model_from_atr(&lite), None);
    }
}
