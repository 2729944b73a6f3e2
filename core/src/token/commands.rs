//! OFP1 Section 6 commands as pure constructors (before secure messaging), and
//! the GENERAL AUTHENTICATE steps of Section 4. Nothing here does I/O.

use crate::apdu::Command;
use crate::apdu::tlv::{put, tlv};
use crate::crypto::ec::CurveId;

/// Le meaning "up to 256 bytes" (short) / the whole response (extended chains it).
const LE_MAX_SHORT: u32 = 256;

/// Password reference of a PIN (OFP1 Section 3, `C0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[repr(u8)]
pub enum PinRef {
    /// The user PIN (`01`): sign, generate, put certificates, delete keys.
    User = 1,
    /// The admin PIN (`02`): unblock the user PIN.
    Admin = 2,
}

impl PinRef {
    /// From the wire value.
    pub fn from_byte(b: u8) -> Option<PinRef> {
        match b {
            1 => Some(PinRef::User),
            2 => Some(PinRef::Admin),
            _ => None,
        }
    }
}

/// `00 A4 04 00 07 F0464B4E4F5031 00`.
pub fn select() -> Command {
    Command::new(0x00, 0xA4, 0x04, 0x00)
        .with_data(super::OFP1_AID.to_vec())
        .with_le(LE_MAX_SHORT)
}

/// GENERAL AUTHENTICATE step 1: `7C { [80 ID_A] 81 U1 }`.
pub fn general_authenticate_1(pin: PinRef, id_a: &[u8], u1: &[u8]) -> Command {
    let mut inner = Vec::new();
    if !id_a.is_empty() {
        put(&mut inner, 0x80, id_a);
    }
    put(&mut inner, 0x81, u1);
    Command::new(0x00, 0x86, 0x00, pin as u8)
        .with_data(tlv(0x7C, &inner))
        .with_le(LE_MAX_SHORT)
}

/// GENERAL AUTHENTICATE step 2: `7C { 83 MAC_A }`.
pub fn general_authenticate_2(pin: PinRef, mac_a: &[u8]) -> Command {
    Command::new(0x00, 0x86, 0x00, pin as u8)
        .with_data(tlv(0x7C, &tlv(0x83, mac_a)))
        .with_le(LE_MAX_SHORT)
}

/// Token info: `00 CA 01 00`.
pub fn token_info() -> Command {
    Command::new(0x00, 0xCA, 0x01, 0x00).with_le(LE_MAX_SHORT)
}

/// List keys: `00 CA 02 00`.
pub fn list_keys() -> Command {
    Command::new(0x00, 0xCA, 0x02, 0x00).with_le(LE_MAX_SHORT)
}

/// Generate key: `00 47 00 00 { 84 id, 06.. curve, [88 label] }`.
pub fn generate_key(id: &[u8], curve: CurveId, label: &str) -> Command {
    let mut data = tlv(0x84, id);
    data.extend_from_slice(curve.oid_der());
    if !label.is_empty() {
        put(&mut data, 0x88, label.as_bytes());
    }
    Command::new(0x00, 0x47, 0x00, 0x00)
        .with_data(data)
        .with_le(LE_MAX_SHORT)
}

/// Length of one `9E signature` object in a sign response for digests of
/// `digest_len` bytes (a signature is twice the digest size).
pub fn signature_tlv_len(digest_len: usize) -> usize {
    let sig = 2 * digest_len;
    sig + if sig > 127 { 3 } else { 2 }
}

/// Sign: `00 2A 9E 9A { 84 id, 90 digest ... }` (1..=16 digests of one size).
/// Le asks for exactly the signatures (the session caps it at 256 on links
/// without extended length; the rest then arrives through `61 xx`).
pub fn sign<D: AsRef<[u8]>>(id: &[u8], digests: &[D]) -> Command {
    let mut data = tlv(0x84, id);
    for d in digests {
        put(&mut data, 0x90, d.as_ref());
    }
    let digest_len = digests.first().map_or(0, |d| d.as_ref().len());
    let expected = (signature_tlv_len(digest_len) * digests.len()) as u32;
    Command::new(0x00, 0x2A, 0x9E, 0x9A)
        .with_data(data)
        .with_le(expected.max(1))
}

/// Put certificate: `00 DA 01 00 { 84 id, 70 cert }`.
pub fn put_certificate(id: &[u8], cert_der: &[u8]) -> Command {
    let mut data = tlv(0x84, id);
    put(&mut data, 0x70, cert_der);
    Command::new(0x00, 0xDA, 0x01, 0x00).with_data(data)
}

/// Get certificate: `00 CA 03 00 { 84 id }`.
pub fn get_certificate(id: &[u8]) -> Command {
    Command::new(0x00, 0xCA, 0x03, 0x00)
        .with_data(tlv(0x84, id))
        .with_le(LE_MAX_SHORT)
}

/// Delete key: `00 E4 00 00 { 84 id }`.
pub fn delete_key(id: &[u8]) -> Command {
    Command::new(0x00, 0xE4, 0x00, 0x00).with_data(tlv(0x84, id))
}

fn new_password_data(salt: &[u8], q_pw: &[u8]) -> Vec<u8> {
    let mut data = tlv(0xC2, salt);
    put(&mut data, 0xC7, q_pw);
    data
}

/// Change PIN: `00 24 00 P2 { C2 salt, C7 Q_PW }`.
pub fn change_pin(pin: PinRef, salt: &[u8], q_pw: &[u8]) -> Command {
    Command::new(0x00, 0x24, 0x00, pin as u8)
        .with_data(new_password_data(salt, q_pw))
        .sensitive()
}

/// Unblock the user PIN: `00 2C 02 01 { C2 salt, C7 Q_PW }`.
pub fn unblock_user_pin(salt: &[u8], q_pw: &[u8]) -> Command {
    Command::new(0x00, 0x2C, 0x02, 0x01)
        .with_data(new_password_data(salt, q_pw))
        .sensitive()
}

/// Random: `00 84 00 00 Le`.
pub fn random(len: u32) -> Command {
    Command::new(0x00, 0x84, 0x00, 0x00).with_le(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transcript_plain_commands() {
        // ofp1-transcript.json, tc26-256-A: generate key and sign, plain form.
        let g = generate_key(&[1], CurveId::Tc26_256A, "transcript key");
        assert_eq!(g.data.len(), 0x1E);
        assert_eq!(g.le, Some(256));
        let d = [0u8; 32];
        let s = sign(&[1], &[d]);
        assert_eq!(s.le, Some(0x42));
        let s = sign(&[1], &[[0u8; 64]]);
        assert_eq!(s.le, Some(0x83));
        let s = sign(&[1], &[d; 16]);
        assert_eq!(s.le, Some(16 * 66));
    }
}
