//! Certification requests, certificates and CMS signatures made with a
//! token key (`fkn_core::token::TokenSigner`), and their verification:
//! forwards to `fkn_core::pki`.

use std::time::SystemTime;

use fkn_core::crypto::ec::{CurveId, EcError, VerifyingKey};
use fkn_core::pki::{self, PkiError, Subject};
use fkn_core::token::{TokenSigner, token_error};

use crate::curve::Curve;
use crate::digest::DigestAlgorithm;
use crate::error::FknError;
use crate::session::TokenSession;

/// A certificate's main fields, parsed (not validated: no chain, no dates).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CertificateInfo {
    /// Subject, RFC 4514 (`CN=...,O=...`).
    pub subject: String,
    /// Issuer, RFC 4514.
    pub issuer: String,
    /// Serial number, big-endian.
    pub serial: Vec<u8>,
    /// Start of validity.
    pub not_before: SystemTime,
    /// End of validity.
    pub not_after: SystemTime,
    /// Curve of the certified key.
    pub curve: Curve,
    /// The certified public key (X then Y, little-endian).
    pub public_key: Vec<u8>,
    /// Whether it is a CA certificate.
    pub ca: bool,
}

/// A certification request whose self-signature verified.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct CsrInfo {
    /// Subject, RFC 4514.
    pub subject: String,
    /// Curve of the key.
    pub curve: Curve,
    /// The public key (X then Y, little-endian).
    pub public_key: Vec<u8>,
}

/// A CMS signature that verified.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct VerifiedSignature {
    /// DER of the signer's certificate.
    pub signer_certificate: Vec<u8>,
    /// The signer's certificate, parsed (not validated: no chain, no dates).
    pub signer: CertificateInfo,
    /// The signing time the signer claimed, if any.
    pub signing_time: Option<SystemTime>,
    /// Digest algorithm of the signature.
    pub digest_algorithm: DigestAlgorithm,
    /// Digest of the signed content.
    pub content_digest: Vec<u8>,
    /// The content of an attached signature; null/nil if detached.
    pub content: Option<Vec<u8>>,
    /// Whether a signing-certificate-v2 attribute binds the certificate (CAdES-BES).
    pub certificate_bound: bool,
}

/// PKI errors in the SDK's error type. A token failure while signing keeps
/// its own variant (a card taken away mid-CMS is `CardRemoved`).
pub(crate) fn pki_error(e: PkiError) -> FknError {
    if let Some(token) = token_error(&e) {
        return token.clone().into();
    }
    let detail = e.to_string();
    match e {
        PkiError::Io(_) => FknError::Storage { detail },
        PkiError::MalformedDer { .. }
        | PkiError::UnsupportedAlgorithm { .. }
        | PkiError::UnsupportedStructure(_)
        | PkiError::MissingContent
        | PkiError::ContentSuppliedTwice
        | PkiError::InvalidSubject(_)
        | PkiError::InvalidInput(_) => FknError::InvalidInput { detail },
        _ => FknError::Crypto { detail },
    }
}

impl From<pki::cert::CertificateInfo> for CertificateInfo {
    fn from(c: pki::cert::CertificateInfo) -> Self {
        CertificateInfo {
            subject: c.subject,
            issuer: c.issuer,
            serial: c.serial,
            not_before: c.not_before,
            not_after: c.not_after,
            curve: c.curve.into(),
            public_key: c.public_key,
            ca: c.ca,
        }
    }
}

fn subject(s: &str) -> Result<Subject, FknError> {
    Subject::parse(s).map_err(pki_error)
}

#[uniffi::export]
impl TokenSession {
    /// A PKCS #10 certification request (DER) for key `key_id`, signed on the
    /// token. `subject` is RFC 4514 (`CN=Ivan Petrov,O=Org,C=RU`) or OpenSSL
    /// style (`/C=RU/O=Org/CN=Ivan Petrov`); INN, OGRN and SNILS are known.
    /// Requests digitalSignature and nonRepudiation. Needs a user login.
    pub fn create_csr(&self, key_id: Vec<u8>, subject: String) -> Result<Vec<u8>, FknError> {
        let subject = self::subject(&subject)?;
        let mut session = self.lock()?;
        let mut signer = TokenSigner::find(&mut session, &key_id)?;
        pki::csr::build_csr(&mut signer, &subject, &pki::csr::CsrOptions::default())
            .map_err(pki_error)
    }

    /// A self-signed certificate (DER) for key `key_id`, valid for `days`
    /// days: for tests and closed systems without a CA. Needs a user login.
    pub fn self_signed_certificate(
        &self,
        key_id: Vec<u8>,
        subject: String,
        days: u32,
    ) -> Result<Vec<u8>, FknError> {
        let subject = self::subject(&subject)?;
        let mut session = self.lock()?;
        let mut signer = TokenSigner::find(&mut session, &key_id)?;
        pki::cert::self_signed(&mut signer, &subject, days).map_err(pki_error)
    }

    /// A CMS SignedData (DER) over `content` with key `key_id`, whose
    /// certificate (DER) is embedded. `detached` leaves the content out. One
    /// signature on the token. Needs a user login.
    pub fn sign_cms(
        &self,
        key_id: Vec<u8>,
        certificate: Vec<u8>,
        content: Vec<u8>,
        detached: bool,
    ) -> Result<Vec<u8>, FknError> {
        let options = pki::cms::SignOptions {
            detached,
            signing_time: None,
        };
        let mut session = self.lock()?;
        let mut signer = TokenSigner::find(&mut session, &key_id)?;
        pki::cms::sign(&mut signer, &certificate, &mut content.as_slice(), &options)
            .map_err(pki_error)
    }

    /// A detached CMS SignedData over content already hashed with the key's
    /// Streebog (`digest_algorithm_for(curve)`), e.g. a large file hashed with
    /// a `Hasher`. Needs a user login.
    pub fn sign_cms_digest(
        &self,
        key_id: Vec<u8>,
        certificate: Vec<u8>,
        content_digest: Vec<u8>,
    ) -> Result<Vec<u8>, FknError> {
        let mut session = self.lock()?;
        let mut signer = TokenSigner::find(&mut session, &key_id)?;
        pki::cms::sign_digest(&mut signer, &certificate, &content_digest, None).map_err(pki_error)
    }
}

/// Verifies a CMS signature (DER) with the signer certificate it contains.
/// Pass the signed file as `detached_content` for a detached signature, null
/// otherwise. Throws `Crypto` if the signature does not verify. Checks the
/// signature only: no certificate chain, validity period or revocation.
#[uniffi::export]
pub fn verify_cms(
    cms: Vec<u8>,
    detached_content: Option<Vec<u8>>,
) -> Result<VerifiedSignature, FknError> {
    let mut content = detached_content.as_deref();
    let reader = content.as_mut().map(|c| c as &mut dyn std::io::Read);
    let v = pki::cms::verify(&cms, reader).map_err(pki_error)?;
    Ok(VerifiedSignature {
        signer_certificate: v.signer_certificate,
        signer: v.signer.into(),
        signing_time: v.signing_time,
        digest_algorithm: v.digest_algorithm.into(),
        content_digest: v.content_digest,
        content: v.content,
        certificate_bound: v.certificate_bound,
    })
}

/// Parses a certification request (DER) and verifies its self-signature.
#[uniffi::export]
pub fn verify_csr(csr: Vec<u8>) -> Result<CsrInfo, FknError> {
    let info = pki::csr::verify_csr(&csr).map_err(pki_error)?;
    Ok(CsrInfo {
        subject: info.subject,
        curve: info.curve.into(),
        public_key: info.public_key,
    })
}

/// Parses a certificate (DER).
#[uniffi::export]
pub fn certificate_info(certificate: Vec<u8>) -> Result<CertificateInfo, FknError> {
    Ok(pki::cert::certificate_info(&certificate)
        .map_err(pki_error)?
        .into())
}

/// Whether `signature` (`s || r`, as `TokenSession.sign` returns it) is valid
/// for `digest` under `public_key` (X then Y, little-endian) on `curve`.
/// Throws `InvalidInput` if the public key is not a point of the curve, or
/// the digest or signature has the wrong length for it.
#[uniffi::export]
pub fn verify_digest(
    curve: Curve,
    public_key: Vec<u8>,
    digest: Vec<u8>,
    signature: Vec<u8>,
) -> Result<bool, FknError> {
    let key = VerifyingKey::from_bytes(curve.into(), &public_key).map_err(|e| {
        FknError::InvalidInput {
            detail: format!(
                "the public key is not valid for {}: {e}",
                CurveId::from(curve)
            ),
        }
    })?;
    match key.verify_digest(&digest, &signature) {
        Ok(()) => Ok(true),
        // A well-formed signature that does not verify is an answer, not an error.
        Err(EcError::InvalidSignature | EcError::SignatureComponentOutOfRange) => Ok(false),
        Err(e) => Err(FknError::InvalidInput {
            detail: e.to_string(),
        }),
    }
}
