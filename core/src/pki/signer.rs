//! The signing abstraction: anything that can sign a Streebog digest with a
//! GOST R 34.10-2012 key (a software key, a token key, later a two-party
//! key) can make certificates, requests and CMS signatures.

use super::PkiError;
use crate::crypto::ec::{CurveId, SigningKey, VerifyingKey};

/// A GOST R 34.10-2012 key that signs digests. Only the digest travels to
/// the key; the PKI code hashes the data itself.
pub trait DigestSigner {
    /// The key's curve; it fixes the digest (Streebog-256 for 256-bit curves,
    /// Streebog-512 for 512-bit ones).
    fn curve(&self) -> CurveId;

    /// `BYTES(Q) = LE(X) || LE(Y)`, 2n bytes.
    fn public_key(&self) -> Vec<u8>;

    /// Signs a Streebog digest of `curve().digest_len()` bytes, in the byte
    /// order the hash function outputs it (the key computes
    /// `e = int_LE(digest) mod q`). Returns `s || r`, each n bytes big-endian.
    fn sign_digest(&mut self, digest: &[u8]) -> Result<Vec<u8>, PkiError>;
}

/// A software key signs with fresh nonces from the operating system.
impl DigestSigner for SigningKey {
    fn curve(&self) -> CurveId {
        SigningKey::curve(self)
    }

    fn public_key(&self) -> Vec<u8> {
        self.verifying_key().to_bytes()
    }

    fn sign_digest(&mut self, digest: &[u8]) -> Result<Vec<u8>, PkiError> {
        SigningKey::sign_digest(self, digest, &mut crate::crypto::os_rng())
            .map_err(|e| PkiError::Signer(Box::new(e)))
    }
}

/// Signs `digest` and checks the result against the signer's public key
/// before it is used: a faulty token or a wrong key must not yield a
/// certificate or signature that nobody can verify.
pub(crate) fn sign_checked(
    signer: &mut dyn DigestSigner,
    digest: &[u8],
) -> Result<Vec<u8>, PkiError> {
    let sig = signer.sign_digest(digest)?;
    check_signature(signer.curve(), &signer.public_key(), digest, &sig)?;
    Ok(sig)
}

/// What [`sign_checked`] checks of a signature a key returned: its length
/// and that it verifies under the key's public key. For signatures made
/// elsewhere, e.g. many at once in one token command.
pub(crate) fn check_signature(
    curve: CurveId,
    public_key: &[u8],
    digest: &[u8],
    sig: &[u8],
) -> Result<(), PkiError> {
    if sig.len() != 2 * curve.coord_len() {
        return Err(PkiError::Signer(
            format!(
                "the key returned a {}-byte signature, a {curve} signature is {} bytes",
                sig.len(),
                2 * curve.coord_len()
            )
            .into(),
        ));
    }
    verify_digest(curve, public_key, digest, sig).map_err(|_| {
        PkiError::Signer(
            "the key's signature does not verify under its public key; is it the key the \
             certificate was made for?"
                .into(),
        )
    })
}

/// Verifies `s || r` over `digest` with the public key `BYTES(Q)`.
/// `what` names the signed object in the error.
pub(crate) fn verify_digest_for(
    curve: CurveId,
    public_key: &[u8],
    digest: &[u8],
    signature: &[u8],
    what: &'static str,
) -> Result<(), PkiError> {
    let key = VerifyingKey::from_bytes(curve, public_key)
        .map_err(|e| PkiError::InvalidKey(format!("{curve} key: {e}")))?;
    key.verify_digest(digest, signature)
        .map_err(|_| PkiError::BadSignature(what))
}

fn verify_digest(
    curve: CurveId,
    public_key: &[u8],
    digest: &[u8],
    signature: &[u8],
) -> Result<(), PkiError> {
    verify_digest_for(curve, public_key, digest, signature, "digest")
}
