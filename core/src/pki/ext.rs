//! X.509 v3 extensions we write (RFC 5280 Section 4.2): key usage, extended
//! key usage, basic constraints, subject and authority key identifiers.

use der::asn1::{BitString, ObjectIdentifier, OctetString};
use der::{Decode, Encode};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, BasicConstraints};

use super::PkiError;
use super::oid;
use crate::crypto::hash::streebog256;

/// The keyUsage bits (RFC 5280 Section 4.2.1.3). Combine with `|`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct KeyUsage(u16);

impl KeyUsage {
    /// digitalSignature (0).
    pub const DIGITAL_SIGNATURE: Self = Self(1 << 0);
    /// nonRepudiation / contentCommitment (1).
    pub const NON_REPUDIATION: Self = Self(1 << 1);
    /// keyEncipherment (2).
    pub const KEY_ENCIPHERMENT: Self = Self(1 << 2);
    /// dataEncipherment (3).
    pub const DATA_ENCIPHERMENT: Self = Self(1 << 3);
    /// keyAgreement (4).
    pub const KEY_AGREEMENT: Self = Self(1 << 4);
    /// keyCertSign (5).
    pub const KEY_CERT_SIGN: Self = Self(1 << 5);
    /// cRLSign (6).
    pub const CRL_SIGN: Self = Self(1 << 6);
    /// encipherOnly (7).
    pub const ENCIPHER_ONLY: Self = Self(1 << 7);
    /// decipherOnly (8).
    pub const DECIPHER_ONLY: Self = Self(1 << 8);

    /// The bits (bit `n` is RFC 5280's bit `n`).
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// The set with these bits (bit `n` is RFC 5280's bit `n`).
    pub const fn from_bits(bits: u16) -> Self {
        Self(bits)
    }

    /// No bits.
    pub const fn empty() -> Self {
        Self(0)
    }

    /// Whether every bit of `other` is set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no bit is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The usual usage of a signing key: digitalSignature | nonRepudiation.
    pub const fn signing() -> Self {
        Self(Self::DIGITAL_SIGNATURE.0 | Self::NON_REPUDIATION.0)
    }

    /// DER named-bit-list BIT STRING: bit n is bit `7 - n % 8` of byte `n / 8`,
    /// trailing zero bits removed (X.690 11.2.2).
    fn to_bit_string(self) -> Result<BitString, PkiError> {
        let mut bytes = [0u8; 2];
        for n in 0..9 {
            if self.0 & (1 << n) != 0 {
                bytes[n / 8] |= 0x80 >> (n % 8);
            }
        }
        let len = if bytes[1] != 0 {
            2
        } else if bytes[0] != 0 {
            1
        } else {
            0
        };
        let unused = bytes[..len]
            .last()
            .map_or(0, |b| u8::try_from(b.trailing_zeros()).unwrap_or(0));
        BitString::new(unused, &bytes[..len]).map_err(|e| PkiError::encoding("key usage", e))
    }
}

impl core::ops::BitOr for KeyUsage {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl core::ops::BitOrAssign for KeyUsage {
    fn bitor_assign(&mut self, rhs: Self) {
        self.0 |= rhs.0;
    }
}

/// An extendedKeyUsage purpose (RFC 5280 Section 4.2.1.12).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
#[non_exhaustive]
pub enum ExtendedKeyUsage {
    /// id-kp-serverAuth, 1.3.6.1.5.5.7.3.1.
    ServerAuth,
    /// id-kp-clientAuth, 1.3.6.1.5.5.7.3.2.
    ClientAuth,
    /// id-kp-codeSigning, 1.3.6.1.5.5.7.3.3.
    CodeSigning,
    /// id-kp-emailProtection, 1.3.6.1.5.5.7.3.4 (S/MIME and CMS signing).
    EmailProtection,
    /// id-kp-timeStamping, 1.3.6.1.5.5.7.3.8.
    TimeStamping,
    /// id-kp-OCSPSigning, 1.3.6.1.5.5.7.3.9.
    OcspSigning,
    /// Any other purpose, as a dotted OID (e.g. a CA's policy-specific one).
    Other(String),
}

impl ExtendedKeyUsage {
    fn oid(&self) -> Result<ObjectIdentifier, PkiError> {
        let dotted = match self {
            Self::ServerAuth => "1.3.6.1.5.5.7.3.1",
            Self::ClientAuth => "1.3.6.1.5.5.7.3.2",
            Self::CodeSigning => "1.3.6.1.5.5.7.3.3",
            Self::EmailProtection => "1.3.6.1.5.5.7.3.4",
            Self::TimeStamping => "1.3.6.1.5.5.7.3.8",
            Self::OcspSigning => "1.3.6.1.5.5.7.3.9",
            Self::Other(s) => s.as_str(),
        };
        ObjectIdentifier::new(dotted).map_err(|_| {
            PkiError::InvalidInput(format!(
                "{dotted:?} is not a dotted OID such as 1.3.6.1.5.5.7.3.4"
            ))
        })
    }
}

fn extension(
    extn_id: ObjectIdentifier,
    critical: bool,
    value: &impl Encode,
) -> Result<Extension, PkiError> {
    let der = value
        .to_der()
        .map_err(|e| PkiError::encoding("extension", e))?;
    Ok(Extension {
        extn_id,
        critical,
        extn_value: OctetString::new(der).map_err(|e| PkiError::encoding("extension", e))?,
    })
}

/// keyUsage, critical (RFC 5280 says SHOULD).
pub(crate) fn key_usage(ku: KeyUsage) -> Result<Extension, PkiError> {
    extension(oid::EXT_KEY_USAGE, true, &ku.to_bit_string()?)
}

/// extKeyUsage, not critical.
pub(crate) fn extended_key_usage(purposes: &[ExtendedKeyUsage]) -> Result<Extension, PkiError> {
    let oids = purposes
        .iter()
        .map(ExtendedKeyUsage::oid)
        .collect::<Result<Vec<_>, _>>()?;
    extension(oid::EXT_EXT_KEY_USAGE, false, &oids)
}

/// basicConstraints, critical.
pub(crate) fn basic_constraints(ca: bool) -> Result<Extension, PkiError> {
    let bc = BasicConstraints {
        ca,
        path_len_constraint: None,
    };
    extension(oid::EXT_BASIC_CONSTRAINTS, true, &bc)
}

/// Key identifier of a public key: the first 20 bytes of Streebog-256 over
/// the subjectPublicKey BIT STRING value (RFC 5280 4.2.1.2 allows any
/// unique method; we have no SHA-1).
pub(crate) fn key_identifier(subject_public_key: &[u8]) -> Vec<u8> {
    streebog256(subject_public_key)[..20].to_vec()
}

/// subjectKeyIdentifier, not critical.
pub(crate) fn subject_key_identifier(id: &[u8]) -> Result<Extension, PkiError> {
    let os = OctetString::new(id).map_err(|e| PkiError::encoding("key identifier", e))?;
    extension(oid::EXT_SKI, false, &os)
}

/// authorityKeyIdentifier with keyIdentifier only, not critical.
pub(crate) fn authority_key_identifier(id: &[u8]) -> Result<Extension, PkiError> {
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(
            OctetString::new(id).map_err(|e| PkiError::encoding("key identifier", e))?,
        ),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    extension(oid::EXT_AKI, false, &aki)
}

/// Reads a keyUsage extension value.
pub(crate) fn parse_key_usage(extn_value: &[u8]) -> Result<KeyUsage, PkiError> {
    let bits = BitString::from_der(extn_value).map_err(|e| PkiError::malformed("keyUsage", e))?;
    let mut ku = KeyUsage::empty();
    for (n, set) in bits.bits().enumerate().take(9) {
        if set {
            ku.0 |= 1 << n;
        }
    }
    Ok(ku)
}

/// Reads an extKeyUsage extension value.
pub(crate) fn parse_extended_key_usage(
    extn_value: &[u8],
) -> Result<Vec<ExtendedKeyUsage>, PkiError> {
    let oids: Vec<ObjectIdentifier> =
        Vec::from_der(extn_value).map_err(|e| PkiError::malformed("extKeyUsage", e))?;
    Ok(oids
        .into_iter()
        .map(|o| {
            let known = [
                ExtendedKeyUsage::ServerAuth,
                ExtendedKeyUsage::ClientAuth,
                ExtendedKeyUsage::CodeSigning,
                ExtendedKeyUsage::EmailProtection,
                ExtendedKeyUsage::TimeStamping,
                ExtendedKeyUsage::OcspSigning,
            ];
            known
                .into_iter()
                .find(|k| k.oid().is_ok_and(|k| k == o))
                .unwrap_or_else(|| ExtendedKeyUsage::Other(o.to_string()))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ku_der(ku: KeyUsage) -> String {
        hex::encode(ku.to_bit_string().unwrap().to_der().unwrap())
    }

    #[test]
    fn key_usage_named_bits_are_minimal_der() {
        // digitalSignature: 03 02 07 80; + nonRepudiation: 03 02 06 C0.
        assert_eq!(ku_der(KeyUsage::DIGITAL_SIGNATURE), "03020780");
        assert_eq!(ku_der(KeyUsage::signing()), "030206c0");
        // keyCertSign | cRLSign: bits 5, 6 -> 0x06, one unused bit.
        assert_eq!(
            ku_der(KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN),
            "03020106"
        );
        // decipherOnly is bit 8: second byte 0x80, seven unused bits.
        assert_eq!(
            ku_der(KeyUsage::DIGITAL_SIGNATURE | KeyUsage::DECIPHER_ONLY),
            "0303078080"
        );
        assert_eq!(ku_der(KeyUsage::empty()), "030100");
        for ku in [
            KeyUsage::signing(),
            KeyUsage::KEY_CERT_SIGN | KeyUsage::CRL_SIGN,
            KeyUsage::DIGITAL_SIGNATURE | KeyUsage::DECIPHER_ONLY,
        ] {
            let der = ku.to_bit_string().unwrap().to_der().unwrap();
            assert_eq!(parse_key_usage(&der).unwrap(), ku);
        }
        let mut ku = KeyUsage::empty();
        ku |= KeyUsage::KEY_AGREEMENT;
        assert!(ku.contains(KeyUsage::KEY_AGREEMENT) && !ku.contains(KeyUsage::signing()));
    }

    #[test]
    fn eku_encodes_and_rejects_garbage() {
        let e = extended_key_usage(&[
            ExtendedKeyUsage::ClientAuth,
            ExtendedKeyUsage::EmailProtection,
        ])
        .unwrap();
        assert_eq!(
            hex::encode(e.extn_value.as_bytes()),
            "301406082b0601050507030206082b06010505070304"
        );
        assert!(!e.critical);
        assert_eq!(
            parse_extended_key_usage(e.extn_value.as_bytes()).unwrap(),
            [
                ExtendedKeyUsage::ClientAuth,
                ExtendedKeyUsage::EmailProtection
            ]
        );
        let err = extended_key_usage(&[ExtendedKeyUsage::Other("email".into())]).unwrap_err();
        assert!(matches!(err, PkiError::InvalidInput(_)), "{err}");
    }

    #[test]
    fn basic_constraints_encoding() {
        let ca = basic_constraints(true).unwrap();
        assert_eq!(hex::encode(ca.extn_value.as_bytes()), "30030101ff");
        let leaf = basic_constraints(false).unwrap();
        assert_eq!(hex::encode(leaf.extn_value.as_bytes()), "3000");
    }
}
