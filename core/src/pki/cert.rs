//! X.509 v3 certificates for GOST keys: self-signed certificates (tests, the
//! demo, small closed deployments), issuing from a request, reading, and
//! checking one certificate's signature against its issuer's key.
//!
//! Only the signature is checked: no path building, validity period,
//! revocation or policy processing (see docs/pki.md).

use std::time::{Duration, SystemTime};

use der::asn1::{Any, Uint};
use der::{Decode, Encode, Sequence};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Certificate;
use x509_cert::ext::Extension;
use x509_cert::time::Time;

use super::csr::verify_csr;
use super::ext::{self, ExtendedKeyUsage, KeyUsage};
use super::name::{Subject, name_to_string, subject_from_name};
use super::signer::DigestSigner;
use super::{PkiError, alg, oid, signed, time};
use crate::crypto::ec::CurveId;

/// Validity and extensions of a certificate to issue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateOptions {
    /// Start of validity; `None` means one minute ago (clock skew).
    pub not_before: Option<SystemTime>,
    /// Validity in days from `not_before`; at least 1.
    pub days: u32,
    /// keyUsage; empty means none.
    pub key_usage: KeyUsage,
    /// extKeyUsage purposes; empty means none.
    pub extended_key_usage: Vec<ExtendedKeyUsage>,
    /// basicConstraints cA.
    pub ca: bool,
    /// Serial number (big-endian, positive, at most 20 bytes); `None` draws
    /// 16 random bytes.
    pub serial: Option<Vec<u8>>,
}

impl Default for CertificateOptions {
    /// An end-entity signing certificate valid for a year.
    fn default() -> Self {
        Self {
            not_before: None,
            days: 365,
            key_usage: KeyUsage::signing(),
            extended_key_usage: Vec::new(),
            ca: false,
            serial: None,
        }
    }
}

/// `Validity` as we write it.
#[derive(Sequence)]
struct ValidityEnc {
    not_before: Time,
    not_after: Time,
}

/// `TBSCertificate` as we write it (always v3).
#[derive(Sequence)]
struct TbsEnc {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: u8,
    serial_number: Uint,
    signature: AlgorithmIdentifierOwned,
    issuer: Any,
    validity: ValidityEnc,
    subject: Any,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Vec<Extension>,
}

/// Who signs a certificate: the issuer's key, name and key identifier.
struct Issuer<'a> {
    signer: &'a mut dyn DigestSigner,
    name: Any,
    key_id: Vec<u8>,
}

fn serial(options: &CertificateOptions) -> Result<Uint, PkiError> {
    let bytes = match &options.serial {
        Some(s) => {
            if s.is_empty() || s.len() > 20 || s.iter().all(|&b| b == 0) {
                return Err(PkiError::InvalidInput(
                    "the serial number must be 1 to 20 bytes and not zero".into(),
                ));
            }
            s.clone()
        }
        None => {
            let mut s = [0u8; 16];
            getrandom::fill(&mut s).map_err(|e| {
                PkiError::InvalidInput(format!("no randomness for the serial: {e}"))
            })?;
            // Positive and of full length (RFC 5280 4.1.2.2).
            s[0] = (s[0] & 0x7F) | 0x40;
            s.to_vec()
        }
    };
    Uint::new(&bytes).map_err(|e| PkiError::encoding("serial number", e))
}

fn validity(options: &CertificateOptions) -> Result<ValidityEnc, PkiError> {
    if options.days == 0 {
        return Err(PkiError::InvalidInput(
            "a certificate must be valid for at least one day".into(),
        ));
    }
    let start = options
        .not_before
        .unwrap_or_else(|| SystemTime::now() - Duration::from_secs(60));
    let end = start + Duration::from_secs(u64::from(options.days) * 86_400);
    Ok(ValidityEnc {
        not_before: time::to_time(start)?,
        not_after: time::to_time(end)?,
    })
}

fn issue_inner(
    issuer: Issuer<'_>,
    subject: Any,
    subject_key: SubjectPublicKeyInfoOwned,
    options: &CertificateOptions,
) -> Result<Vec<u8>, PkiError> {
    let mut extensions = vec![ext::basic_constraints(options.ca)?];
    if !options.key_usage.is_empty() {
        extensions.push(ext::key_usage(options.key_usage)?);
    }
    if !options.extended_key_usage.is_empty() {
        extensions.push(ext::extended_key_usage(&options.extended_key_usage)?);
    }
    let ski = ext::key_identifier(subject_key.subject_public_key.raw_bytes());
    extensions.push(ext::subject_key_identifier(&ski)?);
    extensions.push(ext::authority_key_identifier(&issuer.key_id)?);
    let tbs = TbsEnc {
        version: 2,
        serial_number: serial(options)?,
        signature: alg::signature_identifier(issuer.signer.curve()),
        issuer: issuer.name,
        validity: validity(options)?,
        subject,
        subject_public_key_info: subject_key,
        extensions,
    }
    .to_der()
    .map_err(|e| PkiError::encoding("certificate", e))?;
    signed::sign(issuer.signer, &tbs, "certificate")
}

fn name_any(der: &[u8]) -> Result<Any, PkiError> {
    Any::from_der(der).map_err(|e| PkiError::encoding("name", e))
}

/// A self-signed CA certificate for `signer`'s key, valid for `days` days
/// from one minute ago: basicConstraints cA, keyUsage digitalSignature,
/// nonRepudiation and keyCertSign. OpenSSL accepts it with `-CAfile`.
pub fn self_signed(
    signer: &mut dyn DigestSigner,
    subject: &Subject,
    days: u32,
) -> Result<Vec<u8>, PkiError> {
    let options = CertificateOptions {
        days,
        key_usage: KeyUsage::signing() | KeyUsage::KEY_CERT_SIGN,
        ca: true,
        ..CertificateOptions::default()
    };
    self_signed_with(signer, subject, &options)
}

/// A self-signed certificate with explicit options.
pub fn self_signed_with(
    signer: &mut dyn DigestSigner,
    subject: &Subject,
    options: &CertificateOptions,
) -> Result<Vec<u8>, PkiError> {
    let key = alg::spki(signer.curve(), &signer.public_key())?;
    let name = name_any(&subject.to_der()?)?;
    let key_id = ext::key_identifier(key.subject_public_key.raw_bytes());
    let issuer = Issuer {
        signer,
        name: name.clone(),
        key_id,
    };
    issue_inner(issuer, name, key, options)
}

/// Issues a certificate for the key and subject of a verified request,
/// signed by `ca` whose certificate is `ca_cert_der`. The extensions come
/// from `options`, not from the request: the issuer decides.
pub fn issue(
    ca: &mut dyn DigestSigner,
    ca_cert_der: &[u8],
    csr_der: &[u8],
    options: &CertificateOptions,
) -> Result<Vec<u8>, PkiError> {
    verify_csr(csr_der)?;
    let ca_cert = parse_certificate(ca_cert_der)?;
    let (ca_curve, ca_key) = alg::parse_spki(ca_cert.tbs_certificate().subject_public_key_info())?;
    if ca_curve != ca.curve() || ca_key != ca.public_key() {
        return Err(PkiError::CertificateMismatch(
            "the CA key is not the key of the CA certificate".into(),
        ));
    }
    let ca_tbs = ca_cert.tbs_certificate();
    let key_id = ca_tbs
        .get_extension::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
        .ok()
        .flatten()
        .map(|(_, ski)| ski.0.as_bytes().to_vec())
        .unwrap_or_else(|| {
            ext::key_identifier(
                ca_tbs
                    .subject_public_key_info()
                    .subject_public_key
                    .raw_bytes(),
            )
        });
    let issuer_name = name_any(
        &ca_tbs
            .subject()
            .to_der()
            .map_err(|e| PkiError::encoding("name", e))?,
    )?;
    // The request's subject and key, exactly as the requester encoded them.
    let req = x509_cert::request::CertReq::from_der(csr_der)
        .map_err(|e| PkiError::malformed("certification request", e))?;
    let subject = name_any(
        &req.info
            .subject
            .to_der()
            .map_err(|e| PkiError::encoding("name", e))?,
    )?;
    let issuer = Issuer {
        signer: ca,
        name: issuer_name,
        key_id,
    };
    issue_inner(issuer, subject, req.info.public_key, options)
}

fn parse_certificate(der: &[u8]) -> Result<Certificate, PkiError> {
    Certificate::from_der(der).map_err(|e| PkiError::malformed("certificate", e))
}

/// The facts of a certificate that callers usually show or check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[non_exhaustive]
pub struct CertificateInfo {
    /// Subject in RFC 4514 form.
    pub subject: String,
    /// Subject as structured fields, when every attribute is one we know.
    pub subject_fields: Option<Subject>,
    /// Issuer in RFC 4514 form.
    pub issuer: String,
    /// Serial number, big-endian, as encoded.
    pub serial: Vec<u8>,
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
    /// The subject key's curve.
    pub curve: CurveId,
    /// `BYTES(Q)` of the subject key.
    pub public_key: Vec<u8>,
    /// keyUsage (empty if absent).
    pub key_usage: KeyUsage,
    /// basicConstraints cA.
    pub ca: bool,
}

/// Parses a DER certificate with a GOST R 34.10-2012 key. Does not verify
/// its signature; see [`verify_certificate_signature`].
pub fn certificate_info(der: &[u8]) -> Result<CertificateInfo, PkiError> {
    let cert = parse_certificate(der)?;
    let tbs = cert.tbs_certificate();
    let (curve, public_key) = alg::parse_spki(tbs.subject_public_key_info())?;
    let mut key_usage = KeyUsage::empty();
    let mut ca = false;
    for e in tbs.extensions().map(|e| e.as_slice()).unwrap_or_default() {
        if e.extn_id == oid::EXT_KEY_USAGE {
            key_usage = ext::parse_key_usage(e.extn_value.as_bytes())?;
        } else if e.extn_id == oid::EXT_BASIC_CONSTRAINTS {
            ca = x509_cert::ext::pkix::BasicConstraints::from_der(e.extn_value.as_bytes())
                .map_err(|err| PkiError::malformed("basicConstraints", err))?
                .ca;
        }
    }
    Ok(CertificateInfo {
        subject: name_to_string(tbs.subject()),
        subject_fields: subject_from_name(tbs.subject()),
        issuer: name_to_string(tbs.issuer()),
        serial: tbs.serial_number().as_bytes().to_vec(),
        not_before: tbs.validity().not_before.to_system_time(),
        not_after: tbs.validity().not_after.to_system_time(),
        curve,
        public_key,
        key_usage,
        ca,
    })
}

/// Checks that `cert_der` was signed by the key of `issuer_cert_der` (pass
/// the certificate itself for a self-signed one): the issuer name must match
/// the issuer's subject and the GOST signature over the TBSCertificate must
/// verify. Nothing else is checked (no validity period, no chain).
pub fn verify_certificate_signature(
    cert_der: &[u8],
    issuer_cert_der: &[u8],
) -> Result<(), PkiError> {
    let cert = parse_certificate(cert_der)?;
    let issuer = parse_certificate(issuer_cert_der)?;
    if cert.tbs_certificate().issuer() != issuer.tbs_certificate().subject() {
        return Err(PkiError::CertificateMismatch(format!(
            "the certificate was issued by \"{}\", not by \"{}\"",
            name_to_string(cert.tbs_certificate().issuer()),
            name_to_string(issuer.tbs_certificate().subject())
        )));
    }
    let (curve, key) = alg::parse_spki(issuer.tbs_certificate().subject_public_key_info())?;
    if cert.signature_algorithm() != cert.tbs_certificate().signature() {
        return Err(PkiError::malformed(
            "certificate",
            "the inner and outer signature algorithms differ",
        ));
    }
    signed::verify(
        cert_der,
        cert.signature_algorithm(),
        cert.signature(),
        curve,
        &key,
        "certificate",
    )
}
