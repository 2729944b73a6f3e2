//! Object identifiers used by the PKI layer: GOST algorithms (RFC 9215 /
//! RFC 4490), the attributes of Russian qualified certificates (order of the
//! FSB of Russia No. 795) and the PKIX / CMS identifiers we emit or check.

use const_oid::ObjectIdentifier as Oid;

use crate::crypto::ec::CurveId;

// --- GOST algorithms, RFC 9215 Section 3 ----------------------------------

/// id-tc26-gost3410-12-256: GOST R 34.10-2012 public key, 256 bits.
pub const GOST3410_12_256: Oid = Oid::new_unwrap("1.2.643.7.1.1.1.1");
/// id-tc26-gost3410-12-512: GOST R 34.10-2012 public key, 512 bits.
pub const GOST3410_12_512: Oid = Oid::new_unwrap("1.2.643.7.1.1.1.2");
/// id-tc26-gost3411-12-256: Streebog-256.
pub const GOST3411_12_256: Oid = Oid::new_unwrap("1.2.643.7.1.1.2.2");
/// id-tc26-gost3411-12-512: Streebog-512.
pub const GOST3411_12_512: Oid = Oid::new_unwrap("1.2.643.7.1.1.2.3");
/// id-tc26-signwithdigest-gost3410-12-256.
pub const SIGNWITHDIGEST_256: Oid = Oid::new_unwrap("1.2.643.7.1.1.3.2");
/// id-tc26-signwithdigest-gost3410-12-512.
pub const SIGNWITHDIGEST_512: Oid = Oid::new_unwrap("1.2.643.7.1.1.3.3");
/// id-GostR3410-2001: the 2001 key algorithm, recognised only to name it in errors.
pub const GOST3410_2001: Oid = Oid::new_unwrap("1.2.643.2.2.19");
/// id-sha256, the default ESS certificate hash (RFC 5035).
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");

/// The OID of a curve's parameter set (RFC 8133 Appendix B).
pub fn curve(c: CurveId) -> Oid {
    match c {
        CurveId::CryptoProA => Oid::new_unwrap("1.2.643.2.2.35.1"),
        CurveId::CryptoProB => Oid::new_unwrap("1.2.643.2.2.35.2"),
        CurveId::CryptoProC => Oid::new_unwrap("1.2.643.2.2.35.3"),
        CurveId::Tc26_256A => Oid::new_unwrap("1.2.643.7.1.2.1.1.1"),
        CurveId::Tc26_512A => Oid::new_unwrap("1.2.643.7.1.2.1.2.1"),
        CurveId::Tc26_512B => Oid::new_unwrap("1.2.643.7.1.2.1.2.2"),
        CurveId::Tc26_512C => Oid::new_unwrap("1.2.643.7.1.2.1.2.3"),
    }
}

/// The curve with parameter-set OID `oid`, if we implement it.
pub fn curve_from_oid(oid: &Oid) -> Option<CurveId> {
    CurveId::ALL.into_iter().find(|c| curve(*c) == *oid)
}

// --- Name attributes -------------------------------------------------------

/// commonName (CN), X.520.
pub const CN: Oid = Oid::new_unwrap("2.5.4.3");
/// surname (SN).
pub const SURNAME: Oid = Oid::new_unwrap("2.5.4.4");
/// countryName (C).
pub const COUNTRY: Oid = Oid::new_unwrap("2.5.4.6");
/// localityName (L).
pub const LOCALITY: Oid = Oid::new_unwrap("2.5.4.7");
/// stateOrProvinceName (ST).
pub const STATE: Oid = Oid::new_unwrap("2.5.4.8");
/// streetAddress.
pub const STREET: Oid = Oid::new_unwrap("2.5.4.9");
/// organizationName (O).
pub const ORGANIZATION: Oid = Oid::new_unwrap("2.5.4.10");
/// organizationalUnitName (OU).
pub const ORG_UNIT: Oid = Oid::new_unwrap("2.5.4.11");
/// title.
pub const TITLE: Oid = Oid::new_unwrap("2.5.4.12");
/// givenName (GN).
pub const GIVEN_NAME: Oid = Oid::new_unwrap("2.5.4.42");
/// emailAddress, PKCS #9.
pub const EMAIL: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
/// INN: taxpayer number of a person (12 digits).
pub const INN: Oid = Oid::new_unwrap("1.2.643.3.131.1.1");
/// OGRN: state registration number of a legal entity (13 digits).
pub const OGRN: Oid = Oid::new_unwrap("1.2.643.100.1");
/// SNILS: individual insurance account number (11 digits).
pub const SNILS: Oid = Oid::new_unwrap("1.2.643.100.3");
/// INNLE: taxpayer number of a legal entity (10 digits).
pub const INNLE: Oid = Oid::new_unwrap("1.2.643.100.4");
/// OGRNIP: state registration number of an individual entrepreneur (15 digits).
pub const OGRNIP: Oid = Oid::new_unwrap("1.2.643.100.5");

// --- Extensions, RFC 5280 Section 4.2 -------------------------------------

/// subjectKeyIdentifier.
pub const EXT_SKI: Oid = Oid::new_unwrap("2.5.29.14");
/// keyUsage.
pub const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
/// basicConstraints.
pub const EXT_BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
/// authorityKeyIdentifier.
pub const EXT_AKI: Oid = Oid::new_unwrap("2.5.29.35");
/// extKeyUsage.
pub const EXT_EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
/// PKCS #9 extensionRequest (the CSR attribute that carries extensions).
pub const EXTENSION_REQUEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.14");

// --- CMS, RFC 5652 / RFC 5035 ---------------------------------------------

/// id-data.
pub const CMS_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
/// id-signedData.
pub const CMS_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
/// id-contentType signed attribute.
pub const ATTR_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest signed attribute.
pub const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
/// id-signingTime signed attribute.
pub const ATTR_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
/// id-aa-signingCertificate (ESS v1, SHA-1; recognised, not checked).
pub const ATTR_SIGNING_CERT_V1: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// id-aa-signingCertificateV2 (RFC 5035).
pub const ATTR_SIGNING_CERT_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_oids_agree_with_curve_id() {
        for c in CurveId::ALL {
            assert_eq!(curve(c).to_string(), c.oid());
            assert_eq!(curve(c).as_bytes(), &c.oid_der()[2..]);
            assert_eq!(curve_from_oid(&curve(c)), Some(c));
        }
        assert_eq!(curve_from_oid(&GOST3410_12_256), None);
    }
}
