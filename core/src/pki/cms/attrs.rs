//! Signed attributes of a CAdES-BES signature: content-type, message-digest,
//! signing-time (RFC 5652 Section 11) and signing-certificate-v2 (RFC 5035).

use std::time::SystemTime;

use der::asn1::{Any, ObjectIdentifier, OctetString, SetOfVec};
use der::{Decode, Encode, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Time;

use super::super::{PkiError, alg, oid, time};
use crate::crypto::hash::DigestAlgorithm;

/// `ESSCertIDv2` (RFC 5035 Section 4).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct EssCertIdV2 {
    /// Absent means SHA-256.
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    pub cert_hash: OctetString,
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial` (RFC 5035).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct IssuerSerial {
    pub issuer: Vec<GeneralName>,
    pub serial_number: SerialNumber,
}

/// `SigningCertificateV2` (RFC 5035 Section 3).
#[derive(Clone, Debug, Sequence)]
pub(crate) struct SigningCertificateV2 {
    pub certs: Vec<EssCertIdV2>,
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

fn attribute(oid: ObjectIdentifier, value: &impl Encode) -> Result<Attribute, PkiError> {
    let enc = |e| PkiError::encoding("signed attribute", e);
    let mut values = SetOfVec::new();
    let der = value.to_der().map_err(enc)?;
    values
        .insert(Any::from_der(&der).map_err(enc)?)
        .map_err(enc)?;
    Ok(Attribute { oid, values })
}

/// The four signed attributes, DER-sorted as a SET OF.
pub(crate) fn build(
    content_type: ObjectIdentifier,
    content_digest: &[u8],
    signing_time: SystemTime,
    cert: &Certificate,
    cert_der: &[u8],
    digest: DigestAlgorithm,
) -> Result<SetOfVec<Attribute>, PkiError> {
    let enc = |e| PkiError::encoding("signed attributes", e);
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: Some(alg::digest_identifier(digest)),
            cert_hash: OctetString::new(digest.digest(cert_der)).map_err(enc)?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(
                    cert.tbs_certificate().issuer().clone(),
                )],
                serial_number: cert.tbs_certificate().serial_number().clone(),
            }),
        }],
        policies: None,
    };
    let attrs = vec![
        attribute(oid::ATTR_CONTENT_TYPE, &content_type)?,
        attribute(oid::ATTR_SIGNING_TIME, &time::to_time(signing_time)?)?,
        attribute(
            oid::ATTR_MESSAGE_DIGEST,
            &OctetString::new(content_digest).map_err(enc)?,
        )?,
        attribute(oid::ATTR_SIGNING_CERT_V2, &ess)?,
    ];
    SetOfVec::try_from(attrs).map_err(enc)
}

/// What the signed attributes say, after the per-attribute checks.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub content_type: Option<ObjectIdentifier>,
    pub message_digest: Option<Vec<u8>>,
    pub signing_time: Option<SystemTime>,
    pub signing_certificate_v2: Option<SigningCertificateV2>,
}

/// The single value of an attribute that RFC 5652 allows only once with
/// one value.
fn single_value<'a>(attr: &'a Attribute, name: &'static str) -> Result<&'a Any, PkiError> {
    let mut it = attr.values.iter();
    match (it.next(), it.next()) {
        (Some(v), None) => Ok(v),
        _ => Err(PkiError::InvalidAttribute {
            name,
            detail: format!("{} values, exactly one is required", attr.values.len()),
        }),
    }
}

fn once<T>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), PkiError> {
    if slot.replace(value).is_some() {
        return Err(PkiError::InvalidAttribute {
            name,
            detail: "present more than once".into(),
        });
    }
    Ok(())
}

/// Reads the attributes we know; others are ignored (they are still covered
/// by the signature).
pub(crate) fn parse(attrs: &SetOfVec<Attribute>) -> Result<Parsed, PkiError> {
    let mut p = Parsed::default();
    for attr in attrs.iter() {
        let bad = |name: &'static str| {
            move |e: der::Error| PkiError::InvalidAttribute {
                name,
                detail: e.to_string(),
            }
        };
        if attr.oid == oid::ATTR_CONTENT_TYPE {
            const N: &str = "content-type";
            let v: ObjectIdentifier = single_value(attr, N)?.decode_as().map_err(bad(N))?;
            once(&mut p.content_type, v, N)?;
        } else if attr.oid == oid::ATTR_MESSAGE_DIGEST {
            const N: &str = "message-digest";
            let v: OctetString = single_value(attr, N)?.decode_as().map_err(bad(N))?;
            once(&mut p.message_digest, v.as_bytes().to_vec(), N)?;
        } else if attr.oid == oid::ATTR_SIGNING_TIME {
            const N: &str = "signing-time";
            let v: Time = single_value(attr, N)?.decode_as().map_err(bad(N))?;
            once(&mut p.signing_time, v.to_system_time(), N)?;
        } else if attr.oid == oid::ATTR_SIGNING_CERT_V2 {
            const N: &str = "signing-certificate-v2";
            let v: SigningCertificateV2 = single_value(attr, N)?.decode_as().map_err(bad(N))?;
            once(&mut p.signing_certificate_v2, v, N)?;
        }
    }
    Ok(p)
}

/// Checks that signing-certificate-v2 names `cert` (its first ESSCertIDv2
/// identifies the signer's certificate, RFC 5035 Section 3).
pub(crate) fn check_signing_certificate(
    ess: &SigningCertificateV2,
    cert: &Certificate,
    cert_der: &[u8],
) -> Result<(), PkiError> {
    const N: &str = "signing-certificate-v2";
    let id = ess.certs.first().ok_or(PkiError::InvalidAttribute {
        name: N,
        detail: "it lists no certificate".into(),
    })?;
    let hash = match &id.hash_algorithm {
        None => sha256(cert_der),
        Some(a) if a.oid == oid::SHA256 => sha256(cert_der),
        Some(a) => alg::digest_from_identifier(a)?.digest(cert_der),
    };
    if hash != id.cert_hash.as_bytes() {
        return Err(PkiError::CertificateMismatch(
            "the signing-certificate-v2 attribute names another certificate than the one \
             attached; the certificate was replaced"
                .into(),
        ));
    }
    if let Some(is) = &id.issuer_serial {
        let tbs = cert.tbs_certificate();
        let issuer_ok = is
            .issuer
            .iter()
            .any(|g| matches!(g, GeneralName::DirectoryName(n) if n == tbs.issuer()));
        if !issuer_ok || is.serial_number != *tbs.serial_number() {
            return Err(PkiError::CertificateMismatch(
                "the issuer and serial in signing-certificate-v2 do not match the certificate"
                    .into(),
            ));
        }
    }
    Ok(())
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(data).to_vec()
}

/// `Certificate` from DER, for the signer's certificate.
pub(crate) fn parse_cert(der: &[u8]) -> Result<Certificate, PkiError> {
    Certificate::from_der(der).map_err(|e| PkiError::malformed("certificate", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::ec::{CurveId, SigningKey};
    use crate::pki::{Subject, cert};
    use std::time::{Duration, UNIX_EPOCH};

    fn cert_der() -> Vec<u8> {
        let mut k = SigningKey::generate(CurveId::Tc26_256A, &mut crate::crypto::os_rng());
        cert::self_signed(&mut k, &Subject::new().common_name("ESS"), 1).unwrap()
    }

    #[test]
    fn build_then_parse() {
        let der = cert_der();
        let cert = parse_cert(&der).unwrap();
        let t = UNIX_EPOCH + Duration::from_secs(1_600_000_000);
        let set = build(
            oid::CMS_DATA,
            &[7; 32],
            t,
            &cert,
            &der,
            DigestAlgorithm::Streebog256,
        )
        .unwrap();
        assert_eq!(set.len(), 4);
        let p = parse(&set).unwrap();
        assert_eq!(p.content_type, Some(oid::CMS_DATA));
        assert_eq!(p.message_digest.as_deref(), Some(&[7u8; 32][..]));
        assert_eq!(p.signing_time, Some(t));
        let ess = p.signing_certificate_v2.unwrap();
        check_signing_certificate(&ess, &cert, &der).unwrap();
        let other = cert_der();
        let err = check_signing_certificate(&ess, &parse_cert(&other).unwrap(), &other);
        assert!(matches!(err, Err(PkiError::CertificateMismatch(_))));
    }

    #[test]
    fn default_hash_is_sha256() {
        let der = cert_der();
        let cert = parse_cert(&der).unwrap();
        let id = |hash: Vec<u8>| SigningCertificateV2 {
            certs: vec![EssCertIdV2 {
                hash_algorithm: None,
                cert_hash: OctetString::new(hash).unwrap(),
                issuer_serial: None,
            }],
            policies: None,
        };
        // SHA-256 of the certificate, as RFC 5035's DEFAULT demands.
        check_signing_certificate(&id(sha256(&der)), &cert, &der).unwrap();
        assert!(check_signing_certificate(&id(vec![0; 32]), &cert, &der).is_err());
        assert_eq!(
            hex::encode(sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let empty = SigningCertificateV2 {
            certs: vec![],
            policies: None,
        };
        assert!(matches!(
            check_signing_certificate(&empty, &cert, &der),
            Err(PkiError::InvalidAttribute { .. })
        ));
    }

    #[test]
    fn duplicate_or_multi_valued_attributes_are_rejected() {
        let ct = attribute(oid::ATTR_CONTENT_TYPE, &oid::CMS_DATA).unwrap();
        let mut two = ct.clone();
        two.values
            .insert(Any::from_der(&oid::CMS_SIGNED_DATA.to_der().unwrap()).unwrap())
            .unwrap();
        let set = SetOfVec::try_from(vec![two]).unwrap();
        assert!(matches!(
            parse(&set),
            Err(PkiError::InvalidAttribute {
                name: "content-type",
                ..
            })
        ));
        // The same attribute twice (different values, so the SET accepts both).
        let md1 = attribute(oid::ATTR_MESSAGE_DIGEST, &OctetString::new([1u8]).unwrap()).unwrap();
        let md2 = attribute(oid::ATTR_MESSAGE_DIGEST, &OctetString::new([2u8]).unwrap()).unwrap();
        let set = SetOfVec::try_from(vec![md1, md2]).unwrap();
        assert!(matches!(
            parse(&set),
            Err(PkiError::InvalidAttribute {
                name: "message-digest",
                ..
            })
        ));
    }
}
