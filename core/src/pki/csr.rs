//! PKCS #10 certification requests (RFC 2986) for GOST keys.
//!
//! The request carries the subject, the key (RFC 9215 encoding) and an
//! extensionRequest attribute with keyUsage and extKeyUsage; it is signed
//! with id-tc26-signwithdigest-gost3410-12-256/512 over the DER of
//! `CertificationRequestInfo`.

use der::asn1::{Any, SetOfVec};
use der::{Decode, Encode, Sequence};
use spki::SubjectPublicKeyInfoOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::Extension;
use x509_cert::request::CertReq;

use super::ext::{self, ExtendedKeyUsage, KeyUsage};
use super::name::{Subject, name_to_string, subject_from_name};
use super::signer::DigestSigner;
use super::{PkiError, alg, oid, signed};
use crate::crypto::ec::CurveId;

/// What to request besides the subject and the key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrOptions {
    /// keyUsage to request; empty means no keyUsage extension.
    pub key_usage: KeyUsage,
    /// extKeyUsage purposes; empty means no extKeyUsage extension.
    pub extended_key_usage: Vec<ExtendedKeyUsage>,
}

impl Default for CsrOptions {
    /// A signing key: digitalSignature and nonRepudiation, no extended usage.
    fn default() -> Self {
        Self {
            key_usage: KeyUsage::signing(),
            extended_key_usage: Vec::new(),
        }
    }
}

/// `CertificationRequestInfo` as we write it.
#[derive(Sequence)]
struct InfoEnc {
    version: u8,
    subject: x509_cert::name::RdnSequence,
    public_key: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT")]
    attributes: SetOfVec<Attribute>,
}

/// Builds and signs a certification request for `signer`'s key.
pub fn build_csr(
    signer: &mut dyn DigestSigner,
    subject: &Subject,
    options: &CsrOptions,
) -> Result<Vec<u8>, PkiError> {
    let curve = signer.curve();
    let public_key = alg::spki(curve, &signer.public_key())?;
    let mut extensions = Vec::new();
    if !options.key_usage.is_empty() {
        extensions.push(ext::key_usage(options.key_usage)?);
    }
    if !options.extended_key_usage.is_empty() {
        extensions.push(ext::extended_key_usage(&options.extended_key_usage)?);
    }
    let mut attributes = SetOfVec::new();
    if !extensions.is_empty() {
        let mut values = SetOfVec::new();
        values
            .insert(Any::encode_from(&extensions).map_err(|e| PkiError::encoding("request", e))?)
            .map_err(|e| PkiError::encoding("request", e))?;
        attributes
            .insert(Attribute {
                oid: oid::EXTENSION_REQUEST,
                values,
            })
            .map_err(|e| PkiError::encoding("request", e))?;
    }
    let info = InfoEnc {
        version: 0,
        subject: subject.rdn_sequence()?,
        public_key,
        attributes,
    }
    .to_der()
    .map_err(|e| PkiError::encoding("request", e))?;
    signed::sign(signer, &info, "certification request")
}

/// A certification request whose signature verified.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[non_exhaustive]
pub struct CsrInfo {
    /// Subject in RFC 4514 form.
    pub subject: String,
    /// Subject as structured fields, when every attribute is one we know.
    pub subject_fields: Option<Subject>,
    /// The key's curve.
    pub curve: CurveId,
    /// `BYTES(Q)` of the key.
    pub public_key: Vec<u8>,
    /// Requested keyUsage (empty if none was requested).
    pub key_usage: KeyUsage,
    /// Requested extKeyUsage purposes.
    pub extended_key_usage: Vec<ExtendedKeyUsage>,
}

/// Parses a DER certification request and verifies its self-signature
/// (proof of possession of the key).
pub fn verify_csr(der: &[u8]) -> Result<CsrInfo, PkiError> {
    const WHAT: &str = "certification request";
    let req = CertReq::from_der(der).map_err(|e| PkiError::malformed(WHAT, e))?;
    let (curve, q) = alg::parse_spki(&req.info.public_key)?;
    signed::verify(der, &req.algorithm, &req.signature, curve, &q, WHAT)?;

    let mut key_usage = KeyUsage::empty();
    let mut extended_key_usage = Vec::new();
    for attr in req.info.attributes.iter() {
        if attr.oid != oid::EXTENSION_REQUEST {
            continue;
        }
        for value in attr.values.iter() {
            let exts: Vec<Extension> = value
                .decode_as()
                .map_err(|e| PkiError::malformed("extensionRequest", e))?;
            for e in &exts {
                if e.extn_id == oid::EXT_KEY_USAGE {
                    key_usage = ext::parse_key_usage(e.extn_value.as_bytes())?;
                } else if e.extn_id == oid::EXT_EXT_KEY_USAGE {
                    extended_key_usage = ext::parse_extended_key_usage(e.extn_value.as_bytes())?;
                }
            }
        }
    }
    Ok(CsrInfo {
        subject: name_to_string(&req.info.subject),
        subject_fields: subject_from_name(&req.info.subject),
        curve,
        public_key: q,
        key_usage,
        extended_key_usage,
    })
}
