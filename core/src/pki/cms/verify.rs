//! Checking CMS SignedData made by us, by OpenSSL's gost-engine or by any
//! RFC 5652 signer using GOST R 34.10-2012: one signer, identified by issuer
//! and serial or by subject key identifier.

use std::io::Read;
use std::time::SystemTime;

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::{Decode, Tagged};
use x509_cert::Certificate;
use x509_cert::ext::pkix::SubjectKeyIdentifier;

use super::attrs;
use super::sign::hash_reader;
use crate::crypto::hash::DigestAlgorithm;
use crate::pki::cert::{CertificateInfo, certificate_info};
use crate::pki::signer::verify_digest_for;
use crate::pki::{PkiError, alg, oid, raw};

/// A CMS signature that verified.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
#[non_exhaustive]
pub struct VerifiedSignature {
    /// DER of the signer's certificate (as found in the message or given).
    pub signer_certificate: Vec<u8>,
    /// The signer's certificate, parsed. Not validated: no chain, no dates.
    pub signer: CertificateInfo,
    /// The signing-time attribute, if present (claimed by the signer).
    pub signing_time: Option<SystemTime>,
    /// The digest algorithm of the signature.
    pub digest_algorithm: DigestAlgorithm,
    /// Digest of the signed content.
    pub content_digest: Vec<u8>,
    /// The encapsulated content of an attached signature; `None` if detached.
    pub content: Option<Vec<u8>>,
    /// Whether a signing-certificate-v2 attribute bound the certificate
    /// (CAdES-BES); `false` for plain CMS, where the certificate is bound
    /// only by the signature.
    pub certificate_bound: bool,
}

/// Verifies a DER CMS signature, using the signer certificate it contains.
/// Pass the signed file as `detached_content` for a detached signature and
/// `None` for an attached one.
pub fn verify(
    cms_der: &[u8],
    detached_content: Option<&mut dyn Read>,
) -> Result<VerifiedSignature, PkiError> {
    verify_inner(cms_der, detached_content.map(Detached::Content), None)
}

/// Verifies a detached DER CMS signature over content known only by its
/// digest (the signer key's Streebog variant), e.g. a document that was
/// signed by digest and never travelled.
pub fn verify_digest(cms_der: &[u8], content_digest: &[u8]) -> Result<VerifiedSignature, PkiError> {
    verify_inner(cms_der, Some(Detached::Digest(content_digest)), None)
}

/// Like [`verify`], but the signer must be the holder of `cert_der` (which
/// need not be inside the message).
pub fn verify_signed_by(
    cms_der: &[u8],
    detached_content: Option<&mut dyn Read>,
    cert_der: &[u8],
) -> Result<VerifiedSignature, PkiError> {
    verify_inner(
        cms_der,
        detached_content.map(Detached::Content),
        Some(cert_der),
    )
}

/// The content of a detached signature: the bytes, or their digest.
enum Detached<'a> {
    Content(&'a mut dyn Read),
    Digest(&'a [u8]),
}

/// The raw pieces of SignedData we need byte-exact: the certificates and
/// the signed attributes of the (single) signer.
struct RawParts<'a> {
    certificates: Vec<&'a [u8]>,
    signed_attrs: Option<Vec<u8>>,
}

fn raw_parts(cms_der: &[u8]) -> Result<RawParts<'_>, PkiError> {
    const W: &str = "CMS signature";
    let ci = raw::single(cms_der, 0x30, W)?;
    let ci = raw::children(ci.value, W)?;
    let explicit = ci
        .get(1)
        .ok_or_else(|| PkiError::malformed(W, "no content"))?;
    let sd = raw::single(explicit.value, 0x30, W)?;
    let parts = raw::children(sd.value, W)?;
    let mut certificates = Vec::new();
    if let Some(certs) = parts.iter().find(|t| t.tag == 0xA0) {
        for c in raw::children(certs.value, W)? {
            if c.tag == 0x30 {
                certificates.push(c.raw);
            }
        }
    }
    let infos = parts
        .last()
        .ok_or_else(|| PkiError::malformed(W, "no signerInfos"))?;
    let info = raw::children(infos.value, W)?;
    let signed_attrs = match info.as_slice() {
        [one] => raw::children(one.value, W)?
            .get(3)
            .filter(|t| t.tag == 0xA0)
            .map(|t| {
                // [0] IMPLICIT SET OF: the signature is over the SET OF form.
                let mut v = t.raw.to_vec();
                v[0] = 0x31;
                v
            }),
        _ => None,
    };
    Ok(RawParts {
        certificates,
        signed_attrs,
    })
}

fn matches_sid(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    let tbs = cert.tbs_certificate();
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            isn.issuer == *tbs.issuer() && isn.serial_number == *tbs.serial_number()
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => tbs
            .get_extension::<SubjectKeyIdentifier>()
            .ok()
            .flatten()
            .is_some_and(|(_, own)| own.0 == ski.0),
    }
}

fn one_signer(sd: &SignedData) -> Result<&SignerInfo, PkiError> {
    let mut it = sd.signer_infos.0.iter();
    match (it.next(), it.next()) {
        (Some(si), None) => Ok(si),
        (None, _) => Err(PkiError::UnsupportedStructure(
            "the CMS message has no signer (a certificate bundle?)".into(),
        )),
        _ => Err(PkiError::UnsupportedStructure(format!(
            "{} signers; only single-signer messages are supported",
            sd.signer_infos.0.len()
        ))),
    }
}

fn verify_inner(
    cms_der: &[u8],
    detached_content: Option<Detached<'_>>,
    given_cert: Option<&[u8]>,
) -> Result<VerifiedSignature, PkiError> {
    const W: &str = "CMS signature";
    let ci = ContentInfo::from_der(cms_der).map_err(|e| PkiError::malformed(W, e))?;
    if ci.content_type != oid::CMS_SIGNED_DATA {
        return Err(PkiError::UnsupportedStructure(format!(
            "content type {} is not SignedData (1.2.840.113549.1.7.2)",
            ci.content_type
        )));
    }
    let sd: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| PkiError::malformed(W, e))?;
    let si = one_signer(&sd)?;
    let raw = raw_parts(cms_der)?;

    // The signer's certificate: the one given, or the embedded one its SID names.
    let (cert, cert_der) = match given_cert {
        Some(der) => {
            let cert = attrs::parse_cert(der)?;
            if !matches_sid(&si.sid, &cert) {
                return Err(PkiError::CertificateMismatch(
                    "the message was signed by the holder of another certificate".into(),
                ));
            }
            (cert, der.to_vec())
        }
        None => {
            let mut found = None;
            for der in &raw.certificates {
                let cert = attrs::parse_cert(der)?;
                if matches_sid(&si.sid, &cert) {
                    found = Some((cert, der.to_vec()));
                    break;
                }
            }
            found.ok_or(PkiError::MissingCertificate)?
        }
    };
    let signer = certificate_info(&cert_der)?;
    let curve = signer.curve;

    let digest_algorithm = alg::digest_from_identifier(&si.digest_alg)?;
    if digest_algorithm != alg::digest_for(curve) {
        return Err(PkiError::UnsupportedAlgorithm {
            what: "digest for the signer's key size",
            oid: si.digest_alg.oid.to_string(),
        });
    }
    alg::check_signature_identifier(&si.signature_algorithm, curve)?;

    // The content: encapsulated or supplied, never both, never neither.
    let econtent = sd.encap_content_info.econtent.as_ref();
    let (content_digest, content) = match (econtent, detached_content) {
        (Some(_), Some(_)) => return Err(PkiError::ContentSuppliedTwice),
        (None, None) => return Err(PkiError::MissingContent),
        (None, Some(Detached::Content(reader))) => (hash_reader(digest_algorithm, reader)?, None),
        (None, Some(Detached::Digest(d))) => (d.to_vec(), None),
        (Some(any), None) => {
            if any.tag() != der::Tag::OctetString {
                return Err(PkiError::malformed(W, "eContent is not an OCTET STRING"));
            }
            let data = any.value().to_vec();
            (digest_algorithm.digest(&data), Some(data))
        }
    };

    let mut signing_time = None;
    let mut certificate_bound = false;
    let signed_digest = match &si.signed_attrs {
        None => content_digest.clone(),
        Some(set) => {
            let parsed = attrs::parse(set)?;
            let ct = parsed
                .content_type
                .ok_or(PkiError::MissingAttribute("content-type"))?;
            if ct != sd.encap_content_info.econtent_type {
                return Err(PkiError::InvalidAttribute {
                    name: "content-type",
                    detail: format!(
                        "{ct} differs from the encapsulated content type {}",
                        sd.encap_content_info.econtent_type
                    ),
                });
            }
            let md = parsed
                .message_digest
                .ok_or(PkiError::MissingAttribute("message-digest"))?;
            if md != content_digest {
                return Err(PkiError::DigestMismatch);
            }
            if let Some(ess) = &parsed.signing_certificate_v2 {
                attrs::check_signing_certificate(ess, &cert, &cert_der)?;
                certificate_bound = true;
            }
            signing_time = parsed.signing_time;
            let attrs_der = raw.signed_attrs.ok_or_else(|| {
                PkiError::malformed(W, "signed attributes not found where expected")
            })?;
            digest_algorithm.digest(&attrs_der)
        }
    };
    verify_digest_for(
        curve,
        &signer.public_key,
        &signed_digest,
        si.signature.as_bytes(),
        if si.signed_attrs.is_some() {
            "signed attributes"
        } else {
            "content"
        },
    )?;
    Ok(VerifiedSignature {
        signer_certificate: cert_der,
        signer,
        signing_time,
        digest_algorithm,
        content_digest,
        content,
        certificate_bound,
    })
}
