//! File control parameters: what SELECT answers (`62` template) and what
//! CREATE FILE takes (`6F` template, as OpenSC's rtecp driver builds it), and
//! the card's 15-byte security attributes (tag `86`).
//!
//! Security attributes: byte 0 is the AccessMode bitmask; when bit `k` is
//! set, byte `1 + k` holds the access condition of operation `k`. A
//! condition is `00` (always), `FF` (never) or a bitmask of PIN references
//! (`01` = admin, `02` = user, `03` = either). An operation whose bit is
//! not set is never allowed. Operation numbers per file kind are in
//! [`Op`].

use super::apdu::{SW_WRONG_DATA, SW_WRONG_LENGTH};
use crate::tlv;

/// Size of the security attributes (tag `86`).
pub const SEC_ATTR_LEN: usize = 15;

/// File descriptor byte of a DF (`82 02 38 00`).
pub const DESCRIPTOR_DF: u8 = 0x38;
/// File descriptor byte of a transparent working EF (`82 02 01 00`).
pub const DESCRIPTOR_EF: u8 = 0x01;
/// File descriptor byte of a reserved system file (keys, PINs: `82 02 10 00`).
pub const DESCRIPTOR_RSF: u8 = 0x10;

/// An access condition byte meaning "always".
pub const AC_ALWAYS: u8 = 0x00;
/// An access condition byte meaning "never".
pub const AC_NEVER: u8 = 0xFF;

/// The operations of the AccessMode byte, by bit number. One bit means
/// different things on different kinds of file (OpenSC `card-rtecp.c`
/// `set_acl_from_sec_attr`, `pkcs15-rtecp.c` comments on the key and PIN
/// attributes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// EF: READ BINARY. DF: create a DF or EF in it. PIN file: unblock.
    Bit0 = 0,
    /// EF: UPDATE BINARY. DF: create an RSF in it. Key file: write key
    /// material (import, generate). PIN file: change the value.
    Bit1 = 1,
    /// Key file: use (sign). MF: PUT DATA.
    Bit2 = 2,
    /// Any file: DELETE FILE.
    Delete = 6,
}

/// The 15 security-attribute bytes of a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SecAttr(pub [u8; SEC_ATTR_LEN]);

impl SecAttr {
    /// Attributes from `(operation, condition)` pairs; other bytes zero.
    pub fn new(rules: &[(Op, u8)]) -> SecAttr {
        let mut b = [0u8; SEC_ATTR_LEN];
        for &(op, cond) in rules {
            b[0] |= 1 << op as u8;
            b[1 + op as usize] = cond;
        }
        SecAttr(b)
    }

    /// The condition for `op`, [`AC_NEVER`] when the AccessMode bit is clear.
    pub fn condition(&self, op: Op) -> u8 {
        if self.0[0] & (1 << op as u8) != 0 {
            self.0[1 + op as usize]
        } else {
            AC_NEVER
        }
    }
}

/// What CREATE FILE asked for, parsed from its FCP.
#[derive(Debug)]
pub struct CreateRequest {
    pub fid: u16,
    pub descriptor: u8,
    /// Tag `80` (or `81`): data size of an EF or RSF.
    pub size: u16,
    /// Tag `85`: proprietary attributes (RSF type and parameters).
    pub prop: Vec<u8>,
    pub sec: SecAttr,
}

/// Parses CREATE FILE data: a `6F` (or `62`) template holding tags `80`/`81`
/// (2-byte size), `82` (descriptor), `83` (2-byte FID), `85`, `86` (15 bytes).
/// Unknown tags are ignored; a missing `82`, `83` or `86` is `6A 80`.
pub fn parse_create(data: &[u8]) -> Result<CreateRequest, u16> {
    let inner = match tlv::parse(data).map_err(|_| SW_WRONG_DATA)?.as_slice() {
        [(0x6F | 0x62, inner)] => *inner,
        _ => return Err(SW_WRONG_DATA),
    };
    let (mut size, mut descriptor, mut fid, mut prop, mut sec) =
        (0u16, None, None, Vec::new(), None);
    for (tag, value) in tlv::parse(inner).map_err(|_| SW_WRONG_DATA)? {
        match (tag, value) {
            (0x80 | 0x81, [h, l]) => size = u16::from_be_bytes([*h, *l]),
            (0x80 | 0x81, [l]) => size = u16::from(*l),
            (0x80 | 0x81, _) => return Err(SW_WRONG_LENGTH),
            (0x82, [d, ..]) => descriptor = Some(*d),
            (0x83, [h, l]) => fid = Some(u16::from_be_bytes([*h, *l])),
            (0x85, v) => prop = v.to_vec(),
            (0x86, v) => {
                sec = Some(SecAttr(v.try_into().map_err(|_| SW_WRONG_DATA)?));
            }
            _ => {}
        }
    }
    match (descriptor, fid, sec) {
        (Some(descriptor), Some(fid), Some(sec)) => Ok(CreateRequest {
            fid,
            descriptor,
            size,
            prop,
            sec,
        }),
        _ => Err(SW_WRONG_DATA),
    }
}

/// The FCP template SELECT answers with: `62 L 80 02 size 82 02 d 00
/// 83 02 fid [85 n prop] 86 0F sec`. Always under 128 bytes, so the
/// template length is one byte (OpenSC's listing skips exactly two bytes).
pub fn encode(fid: u16, descriptor: u8, size: u16, prop: &[u8], sec: &SecAttr) -> Vec<u8> {
    let mut inner = Vec::with_capacity(48);
    tlv::push(&mut inner, 0x80, &size.to_be_bytes());
    tlv::push(&mut inner, 0x82, &[descriptor, 0x00]);
    tlv::push(&mut inner, 0x83, &fid.to_be_bytes());
    if !prop.is_empty() {
        tlv::push(&mut inner, 0x85, prop);
    }
    tlv::push(&mut inner, 0x86, &sec.0);
    tlv::tlv(0x62, &inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_opensc_sends_for_a_gost_private_key() {
        // 00 E0 00 00 27 | 6F 25 80 02 00 20 82 02 10 00 83 02 00 01
        // 85 06 03 20 00 AA 00 00 86 0F 46 00 02 02 00 00 00 02 00*7
        let data = hex::decode(
            "6F2580020020820210008302000185060320 00AA0000860F460002020000000200000000000000"
                .replace(' ', ""),
        )
        .unwrap();
        let r = parse_create(&data).unwrap();
        assert_eq!((r.fid, r.descriptor, r.size), (1, DESCRIPTOR_RSF, 32));
        assert_eq!(r.prop, [0x03, 0x20, 0x00, 0xAA, 0x00, 0x00]);
        assert_eq!(r.sec.condition(Op::Bit2), 0x02);
        assert_eq!(r.sec.condition(Op::Bit0), AC_NEVER);
    }

    #[test]
    fn security_attributes_of_fourteen_bytes_are_refused() {
        let data = hex::decode(
            "6F13 8302 0001 8202 0100 860D 4300010000000000000000000000".replace(' ', ""),
        )
        .unwrap();
        assert_eq!(parse_create(&data).unwrap_err(), SW_WRONG_DATA);
    }

    #[test]
    fn encode_round_trips_through_parse() {
        let sec = SecAttr::new(&[(Op::Bit0, 0), (Op::Bit1, 1), (Op::Delete, 1)]);
        let mut fcp = encode(0x2F00, DESCRIPTOR_EF, 128, &[], &sec);
        fcp[0] = 0x6F;
        let r = parse_create(&fcp).unwrap();
        assert_eq!((r.fid, r.size, r.sec), (0x2F00, 128, sec));
    }
}
