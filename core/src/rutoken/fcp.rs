//! File control parameters: the template a Rutoken ECP answers every SELECT
//! with, and the one CREATE FILE takes [2.2, 2.3].

use crate::apdu::tlv;
use crate::crypto::ec::CurveId;
use crate::error::{Error, Violation};

/// Length of the security attributes (tag `86`) of every Rutoken ECP file.
/// OpenSC refuses a SELECT answer without them, and so do we: it is how the
/// card is told apart from other ISO file-system cards.
pub const SECURITY_ATTRIBUTES_LEN: usize = 15;

/// File descriptor byte of a DF (tag `82`).
const DESCRIPTOR_DF: u8 = 0x38;
/// File descriptor of the card's system files holding keys and PINs.
const DESCRIPTOR_SYSTEM_FILE: [u8; 2] = [0x10, 0x00];

/// Type byte (tag `85`, byte 0) of a GOST private key file.
pub const TYPE_GOST_PRIVATE: u8 = 0x03;
/// Type byte of a GOST public key file.
pub const TYPE_GOST_PUBLIC: u8 = 0x13;

/// What a SELECT told about a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    /// File identifier (tag `83`).
    pub fid: u16,
    /// Size of an EF's content (tag `80` or `81`); 0 for a DF.
    pub size: u16,
    /// Whether the file is a DF.
    pub is_df: bool,
    /// Proprietary attributes (tag `85`), empty if absent.
    pub proprietary: Vec<u8>,
}

impl FileInfo {
    /// Parses a SELECT answer: an FCP template (`62` or `6F`) with a 15-byte
    /// tag `86`. Anything else means this is not a Rutoken ECP file system.
    pub fn parse(data: &[u8]) -> Result<FileInfo, Error> {
        let (template, rest) = tlv::next(data).ok_or(Violation::MalformedData)?;
        if !matches!(template.tag, 0x62 | 0x6F) || !rest.is_empty() {
            return Err(Violation::MalformedData.into());
        }
        let items = tlv::parse(template.value)?;
        let security = tlv::find(&items, 0x86)?;
        if security.len() != SECURITY_ATTRIBUTES_LEN {
            return Err(Violation::MalformedData.into());
        }
        let fid = match tlv::find(&items, 0x83)? {
            [hi, lo] => u16::from_be_bytes([*hi, *lo]),
            _ => return Err(Violation::MalformedData.into()),
        };
        let is_df = tlv::find(&items, 0x82)?.first() == Some(&DESCRIPTOR_DF);
        let size = match items.iter().find(|(t, _)| matches!(t, 0x80 | 0x81)) {
            Some((_, [hi, lo])) => u16::from_be_bytes([*hi, *lo]),
            Some(_) => return Err(Violation::MalformedData.into()),
            None => 0,
        };
        let proprietary = tlv::find(&items, 0x85).unwrap_or_default().to_vec();
        Ok(FileInfo {
            fid,
            size,
            is_df,
            proprietary,
        })
    }

    /// The curve of a GOST key file, from its type and parameter-set bytes.
    pub fn gost_key_curve(&self) -> Option<CurveId> {
        match self.proprietary.as_slice() {
            [TYPE_GOST_PRIVATE | TYPE_GOST_PUBLIC, paramset, ..] => curve_of_paramset(*paramset),
            _ => None,
        }
    }
}

/// The parameter-set byte of the key files (`10 + set << 4`, set 1..3 =
/// CryptoPro A, B, C) [2.2, 6.2]. Other curves have no documented code.
pub fn paramset_of_curve(curve: CurveId) -> Option<u8> {
    match curve {
        CurveId::CryptoProA => Some(0x20),
        CurveId::CryptoProB => Some(0x30),
        CurveId::CryptoProC => Some(0x40),
        _ => None,
    }
}

fn curve_of_paramset(b: u8) -> Option<CurveId> {
    match b {
        0x20 => Some(CurveId::CryptoProA),
        0x30 => Some(CurveId::CryptoProB),
        0x40 => Some(CurveId::CryptoProC),
        _ => None,
    }
}

/// The FCP of a GOST key file pair member, as OpenSC creates it: 32 bytes
/// for `d`, 64 for `X || Y`; write and delete by PIN `owner`, use (private
/// key only) by the same PIN [2.2, 6.1]. Unlike OpenSC, the public key file
/// also gets a read rule (bit 0, READ for EFs; assumed to mean the same for
/// key files, not verified on a card): anyone may read it, so the driver
/// finds the public key of a key it generated on a card without PKCS #15
/// objects.
pub fn gost_key_file(reference: u8, paramset: u8, private: bool, owner: u8) -> Vec<u8> {
    let (size, kind, access) = if private {
        // AccessMode 46: bytes 2 (update), 3 (use) and 7 (delete) follow.
        (0x20u16, TYPE_GOST_PRIVATE, [0x46, 0x00, owner, owner])
    } else {
        // AccessMode 47: byte 1 (read) too.
        (0x40, TYPE_GOST_PUBLIC, [0x47, 0x00, owner, 0x00])
    };
    let mut security = [0u8; SECURITY_ATTRIBUTES_LEN];
    security[..4].copy_from_slice(&access);
    security[7] = owner;
    let mut body = Vec::new();
    tlv::put(&mut body, 0x80, &size.to_be_bytes());
    tlv::put(&mut body, 0x82, &DESCRIPTOR_SYSTEM_FILE);
    tlv::put(&mut body, 0x83, &[0x00, reference]);
    tlv::put(&mut body, 0x85, &[kind, paramset, 0x00, 0xAA, 0x00, 0x00]);
    tlv::put(&mut body, 0x86, &security);
    tlv::tlv(0x6F, &body)
}

/// The FCP of a transparent EF of `size` bytes, read by anyone, written and
/// deleted by PIN `owner` (PKCS #15 objects, certificates).
pub fn data_file(fid: u16, size: u16, owner: u8) -> Vec<u8> {
    let mut security = [0u8; SECURITY_ATTRIBUTES_LEN];
    // AccessMode 43: bytes 1 (read), 2 (update) and 7 (delete) follow.
    security[..8].copy_from_slice(&[0x43, 0x00, owner, 0x00, 0x00, 0x00, 0x00, owner]);
    let mut body = Vec::new();
    tlv::put(&mut body, 0x80, &size.to_be_bytes());
    tlv::put(&mut body, 0x82, &[0x01, 0x00]);
    tlv::put(&mut body, 0x83, &fid.to_be_bytes());
    tlv::put(&mut body, 0x86, &security);
    tlv::tlv(0x6F, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The private key file OpenSC creates for key 1 on CryptoPro A (fact
    /// sheet 6.1, step 3).
    #[test]
    fn key_file_fcp_is_opensc_s() {
        assert_eq!(
            hex::encode_upper(gost_key_file(1, 0x20, true, 2)),
            "6F258002002082021000830200018506032000AA0000860F460002020000000200000000000000"
        );
        let public = gost_key_file(1, 0x20, false, 2);
        assert_eq!(&public[2..6], &[0x80, 0x02, 0x00, 0x40]);
    }

    #[test]
    fn select_answer_round_trips() {
        let mut fcp = gost_key_file(7, 0x30, true, 2);
        fcp[0] = 0x62;
        let info = FileInfo::parse(&fcp).expect("parses");
        assert_eq!(info.fid, 7);
        assert_eq!(info.size, 32);
        assert!(!info.is_df);
        assert_eq!(info.gost_key_curve(), Some(CurveId::CryptoProB));
    }

    #[test]
    fn answers_without_rutoken_security_attributes_are_refused() {
        // An FCP with an 8-byte tag 86 (another card's file system).
        let other = hex::decode("621680020020820201008302000186080000000000000000").expect("hex");
        assert!(FileInfo::parse(&other).is_err());
        assert!(FileInfo::parse(&[0x90, 0x00]).is_err());
    }
}
