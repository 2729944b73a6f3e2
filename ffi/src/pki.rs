//! Certification requests, certificates and CMS signatures made with a
//! token key (`fkn_core::token::TokenSigner`) or a two-party key, and their
//! verification: forwards to `fkn_core::pki`.

use fkn_core::crypto::ec::{CurveId, EcError, VerifyingKey};
use fkn_core::pki::cert::CertificateInfo;
use fkn_core::pki::cms::VerifiedSignature;
use fkn_core::pki::csr::CsrInfo;
use fkn_core::pki::{self, PkiError, Subject};
use fkn_core::token::TokenSigner;

use crate::error::{FknError, invalid};
use crate::session::TokenSession;

/// PKI errors in the SDK's error type. A token failure while signing keeps
/// its own variant (a card taken away mid-CMS is `CardRemoved`).
pub(crate) fn pki_error(e: PkiError) -> FknError {
    fkn_core::Error::from(e)
}

fn subject(s: &str) -> Result<Subject, FknError> {
    Subject::parse(s).map_err(pki_error)
}

/// What every signer (a token key, a two-party key) makes: the four PKI
/// operations, written once over the core's `DigestSigner`.
pub(crate) mod with_signer {
    use super::*;
    use fkn_core::pki::DigestSigner;

    pub(crate) fn csr(signer: &mut dyn DigestSigner, subject: &str) -> Result<Vec<u8>, FknError> {
        let subject = self::subject(subject)?;
        pki::csr::build_csr(signer, &subject, &pki::csr::CsrOptions::default()).map_err(pki_error)
    }

    pub(crate) fn self_signed(
        signer: &mut dyn DigestSigner,
        subject: &str,
        days: u32,
    ) -> Result<Vec<u8>, FknError> {
        let subject = self::subject(subject)?;
        pki::cert::self_signed(signer, &subject, days).map_err(pki_error)
    }

    pub(crate) fn cms(
        signer: &mut dyn DigestSigner,
        certificate: &[u8],
        content: &[u8],
        detached: bool,
    ) -> Result<Vec<u8>, FknError> {
        let options = pki::cms::SignOptions {
            detached,
            signing_time: None,
        };
        pki::cms::sign(signer, certificate, &mut &*content, &options).map_err(pki_error)
    }

    pub(crate) fn cms_digest(
        signer: &mut dyn DigestSigner,
        certificate: &[u8],
        content_digest: &[u8],
    ) -> Result<Vec<u8>, FknError> {
        pki::cms::sign_digest(signer, certificate, content_digest, None).map_err(pki_error)
    }
}

#[uniffi::export]
impl TokenSession {
    /// A PKCS #10 certification request (DER) for key `key_id`, signed on the
    /// token. `subject` is RFC 4514 (`CN=Ivan Petrov,O=Org,C=RU`) or OpenSSL
    /// style (`/C=RU/O=Org/CN=Ivan Petrov`); INN, OGRN and SNILS are known.
    /// Requests digitalSignature and nonRepudiation. Needs a user login.
    pub fn create_csr(&self, key_id: Vec<u8>, subject: String) -> Result<Vec<u8>, FknError> {
        let mut session = self.lock()?;
        with_signer::csr(&mut TokenSigner::find(&mut session, &key_id)?, &subject)
    }

    /// A self-signed certificate (DER) for key `key_id`, valid for `days`
    /// days: for tests and closed systems without a CA. Needs a user login.
    pub fn self_signed_certificate(
        &self,
        key_id: Vec<u8>,
        subject: String,
        days: u32,
    ) -> Result<Vec<u8>, FknError> {
        let mut session = self.lock()?;
        with_signer::self_signed(
            &mut TokenSigner::find(&mut session, &key_id)?,
            &subject,
            days,
        )
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
        let mut session = self.lock()?;
        let mut signer = TokenSigner::find(&mut session, &key_id)?;
        with_signer::cms(&mut signer, &certificate, &content, detached)
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
        with_signer::cms_digest(&mut signer, &certificate, &content_digest)
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
    pki::cms::verify(&cms, reader).map_err(pki_error)
}

/// Parses a certification request (DER) and verifies its self-signature.
#[uniffi::export]
pub fn verify_csr(csr: Vec<u8>) -> Result<CsrInfo, FknError> {
    pki::csr::verify_csr(&csr).map_err(pki_error)
}

/// Parses a certificate (DER).
#[uniffi::export]
pub fn certificate_info(certificate: Vec<u8>) -> Result<CertificateInfo, FknError> {
    pki::cert::certificate_info(&certificate).map_err(pki_error)
}

/// Whether `signature` (`s || r`, as `TokenSession.sign` returns it) is valid
/// for `digest` under `public_key` (X then Y, little-endian) on `curve`.
/// Throws `InvalidInput` if the public key is not a point of the curve, or
/// the digest or signature has the wrong length for it.
#[uniffi::export]
pub fn verify_digest(
    curve: CurveId,
    public_key: Vec<u8>,
    digest: Vec<u8>,
    signature: Vec<u8>,
) -> Result<bool, FknError> {
    let key = VerifyingKey::from_bytes(curve, &public_key)
        .map_err(|e| invalid(format!("the public key is not valid for {curve}: {e}")))?;
    match key.verify_digest(&digest, &signature) {
        Ok(()) => Ok(true),
        // A well-formed signature that does not verify is an answer, not an error.
        Err(EcError::InvalidSignature | EcError::SignatureComponentOutOfRange) => Ok(false),
        Err(e) => Err(invalid(e.to_string())),
    }
}
