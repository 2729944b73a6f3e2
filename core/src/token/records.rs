//! What the token tells about itself: the SELECT template (Section 3), token
//! info and the key list (Section 6), parsed from their TLVs.

use super::commands::PinRef;
use crate::apdu::tlv::{self, TlvError};
use crate::crypto::ec::CurveId;

/// A token's 8-byte serial number.
pub type Serial = [u8; 8];

/// One password's SESPAKE parameters from SELECT (`A0` template).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PasswordInfo {
    /// Which PIN.
    pub reference: PinRef,
    /// SESPAKE point index (`ind`).
    pub ind: u8,
    /// PBKDF2 salt.
    pub salt: Vec<u8>,
    /// Curve of the SESPAKE exchange.
    pub curve: CurveId,
    /// Attempts left before the PIN is blocked (C1).
    pub attempts_left: u8,
}

/// The SELECT response: everything needed to start SESPAKE.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SelectInfo {
    /// OFP1 version (1).
    pub version: u8,
    /// 8-byte serial number (SESPAKE `ID_B`).
    pub serial: Serial,
    /// Token label.
    pub label: String,
    /// Curves the token can generate keys on.
    pub curves: Vec<CurveId>,
    /// Password templates.
    pub passwords: Vec<PasswordInfo>,
}

impl SelectInfo {
    /// The template for `pin`, if the token has one.
    pub fn password(&self, pin: PinRef) -> Option<&PasswordInfo> {
        self.passwords.iter().find(|p| p.reference == pin)
    }

    /// Parses `6F { 84 AID, A5 { ... } }`.
    pub fn parse(data: &[u8]) -> Result<SelectInfo, TlvError> {
        let fci = tlv::expect_single(data, 0x6F)?;
        let fci = tlv::parse(fci)?;
        let prop = tlv::parse(tlv::find(&fci, 0xA5)?)?;
        let version = *tlv::find(&prop, 0x80)?.first().ok_or(TlvError::Truncated)?;
        let serial = tlv::find(&prop, 0x81)?
            .try_into()
            .map_err(|_| TlvError::BadLength)?;
        let label = String::from_utf8_lossy(tlv::find(&prop, 0x82)?).into_owned();
        let curves = parse_oid_list(tlv::find(&prop, 0x83)?)?;
        let mut passwords: Vec<PasswordInfo> = Vec::new();
        for (_, tpl) in prop.iter().filter(|(t, _)| *t == 0xA0) {
            let items = tlv::parse(tpl)?;
            let byte = |tag| -> Result<u8, TlvError> {
                tlv::find(&items, tag)?
                    .first()
                    .copied()
                    .ok_or(TlvError::Truncated)
            };
            // OFP1 version 1 has exactly these references and curves: anything
            // else is a damaged answer, not something to skip in silence (a
            // flipped byte would otherwise hide the admin PIN).
            let reference = PinRef::from_byte(byte(0xC0)?).ok_or(TlvError::Unexpected(0xC0))?;
            if passwords.iter().any(|p| p.reference == reference) {
                return Err(TlvError::Unexpected(0xC0));
            }
            let curve = CurveId::from_oid_der(&tlv_bytes(0x06, tlv::find(&items, 0xC3)?)?)
                .ok_or(TlvError::Unexpected(0xC3))?;
            passwords.push(PasswordInfo {
                reference,
                ind: byte(0xC1)?,
                salt: tlv::find(&items, 0xC2)?.to_vec(),
                curve,
                attempts_left: byte(0xC4)?,
            });
        }
        Ok(SelectInfo {
            version,
            serial,
            label,
            curves,
            passwords,
        })
    }
}

/// `C3` holds the full `06 len oid` TLV; check it is exactly one OID TLV.
fn tlv_bytes(tag: u8, value: &[u8]) -> Result<Vec<u8>, TlvError> {
    tlv::expect_single(value, tag)?;
    Ok(value.to_vec())
}

/// Parses concatenated `06 len oid` TLVs of the curves OFP1 version 1 names;
/// anything else in the list is a damaged answer (a flipped byte would
/// otherwise drop a curve in silence).
fn parse_oid_list(data: &[u8]) -> Result<Vec<CurveId>, TlvError> {
    tlv::parse(data)?
        .into_iter()
        .map(|(t, v)| match t {
            0x06 => CurveId::from_oid_der(&tlv::tlv(0x06, v)).ok_or(TlvError::Unexpected(0x83)),
            _ => Err(TlvError::Unexpected(0x83)),
        })
        .collect()
}

/// Token info (`E0` template of `00 CA 01 00`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct TokenInfo {
    /// 8-byte serial.
    pub serial: Serial,
    /// Label.
    pub label: String,
    /// Free key slots.
    pub free_slots: u8,
    /// User PIN attempts left.
    pub user_pin_attempts: u8,
    /// Admin PIN attempts left.
    pub admin_pin_attempts: u8,
}

impl TokenInfo {
    /// Parses `E0 { 81 serial, 82 label, 85 free, C5 user C1, C6 admin C1 }`.
    pub fn parse(data: &[u8]) -> Result<TokenInfo, TlvError> {
        let items = tlv::parse(tlv::expect_single(data, 0xE0)?)?;
        let byte = |tag| -> Result<u8, TlvError> {
            tlv::find(&items, tag)?
                .first()
                .copied()
                .ok_or(TlvError::Truncated)
        };
        Ok(TokenInfo {
            serial: tlv::find(&items, 0x81)?
                .try_into()
                .map_err(|_| TlvError::BadLength)?,
            label: String::from_utf8_lossy(tlv::find(&items, 0x82)?).into_owned(),
            free_slots: byte(0x85)?,
            user_pin_attempts: byte(0xC5)?,
            admin_pin_attempts: byte(0xC6)?,
        })
    }
}

/// One key on the token (`E1` template of `00 CA 02 00`).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct KeyInfo {
    /// Key id (1..16 bytes).
    pub id: Vec<u8>,
    /// Curve.
    pub curve: CurveId,
    /// Public key, `BYTES(Q)`.
    pub public_key: Vec<u8>,
    /// Label (may be empty).
    pub label: String,
    /// Whether a certificate is stored for the key.
    pub has_certificate: bool,
}

impl KeyInfo {
    /// Parses the concatenated `E1` templates of a list-keys response.
    pub fn parse_list(data: &[u8]) -> Result<Vec<KeyInfo>, TlvError> {
        let mut keys = Vec::new();
        for (tag, tpl) in tlv::parse(data)? {
            if tag != 0xE1 {
                return Err(TlvError::Missing(0xE1));
            }
            let items = tlv::parse(tpl)?;
            let oid = tlv::find(&items, 0x06)?;
            let Some(curve) = CurveId::from_oid_der(&tlv::tlv(0x06, oid)) else {
                continue; // a curve this SDK does not know
            };
            keys.push(KeyInfo {
                id: tlv::find(&items, 0x84)?.to_vec(),
                curve,
                public_key: tlv::find(&items, 0x86)?.to_vec(),
                label: String::from_utf8_lossy(tlv::find(&items, 0x88).unwrap_or_default())
                    .into_owned(),
                has_certificate: tlv::find(&items, 0x87)?.first() == Some(&1),
            });
        }
        Ok(keys)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ofp1-transcript.json, tc26-256-A example, SELECT response (without SW).
    const SELECT: &str = "6F81C78407F0464B4E4F5031A581BB80010181084F46503100000001820F4F465031207465737420746F6B656E834706072A85030202230106072A85030202230206072A85030202230306092A850307010201020106092A850307010201020206092A850307010201010106092A8503070102010203A028C00101C10101C2102923BE84E16CD6AE529049F1F1BBE9EBC30B06092A8503070102010101C40105A028C00102C10101C210000102030405060708090A0B0C0D0E0FC30B06092A8503070102010101C40105";

    #[test]
    fn parses_transcript_select() {
        let info = SelectInfo::parse(&hex::decode(SELECT).unwrap()).unwrap();
        assert_eq!(info.version, 1);
        assert_eq!(info.serial, [0x4F, 0x46, 0x50, 0x31, 0, 0, 0, 1]);
        assert_eq!(info.label, "OFP1 test token");
        assert_eq!(info.curves, CurveId::ALL.to_vec());
        let user = info.password(PinRef::User).unwrap();
        assert_eq!(user.curve, CurveId::Tc26_256A);
        assert_eq!(user.attempts_left, 5);
        assert_eq!(user.ind, 1);
        assert_eq!(
            hex::encode_upper(&user.salt),
            "2923BE84E16CD6AE529049F1F1BBE9EB"
        );
        assert!(info.password(PinRef::Admin).is_some());
    }

    #[test]
    fn flipped_template_or_curve_bytes_are_errors_not_omissions() {
        let data = hex::decode(SELECT).unwrap();
        // The admin template's C0 02 made 03: the admin PIN would vanish.
        let admin = data
            .windows(3)
            .rposition(|w| w == [0xC0, 0x01, 0x02])
            .unwrap();
        let mut flipped = data.clone();
        flipped[admin + 2] = 0x03;
        assert_eq!(SelectInfo::parse(&flipped), Err(TlvError::Unexpected(0xC0)));
        // Two user templates.
        let mut twice = data.clone();
        twice[admin + 2] = 0x01;
        assert_eq!(SelectInfo::parse(&twice), Err(TlvError::Unexpected(0xC0)));
        // The last byte of the first curve OID in 83: a curve would vanish.
        let list = data.windows(2).position(|w| w == [0x83, 0x47]).unwrap();
        let mut curve = data.clone();
        curve[list + 2 + 8] ^= 0x40;
        assert_eq!(SelectInfo::parse(&curve), Err(TlvError::Unexpected(0x83)));
    }

    #[test]
    fn rejects_truncated_select() {
        let data = hex::decode(SELECT).unwrap();
        for cut in [0, 1, 5, 20, data.len() - 1] {
            assert!(SelectInfo::parse(&data[..cut]).is_err(), "cut at {cut}");
        }
    }
}
