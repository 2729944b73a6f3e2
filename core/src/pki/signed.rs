//! The envelope shared by certificates and certification requests:
//! `SEQUENCE { tbs, signatureAlgorithm, signature BIT STRING }`, signed with
//! id-tc26-signwithdigest-gost3410-12-256/512 over the DER of `tbs`.

use der::asn1::{Any, BitString};
use der::{Decode, Encode, Sequence};
use spki::{AlgorithmIdentifier, AlgorithmIdentifierOwned};

use super::signer::{DigestSigner, sign_checked, verify_digest_for};
use super::{PkiError, alg, raw};
use crate::crypto::ec::CurveId;

#[derive(Sequence)]
struct SignedEnc {
    signed: Any,
    algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

/// Signs the DER `tbs` with `signer` and wraps it in the envelope.
pub(crate) fn sign(
    signer: &mut dyn DigestSigner,
    tbs: &[u8],
    what: &'static str,
) -> Result<Vec<u8>, PkiError> {
    let curve = signer.curve();
    let digest = alg::digest_for(curve).digest(tbs);
    let sig = sign_checked(signer, &digest)?;
    SignedEnc {
        signed: Any::from_der(tbs).map_err(|e| PkiError::encoding(what, e))?,
        algorithm: alg::signature_identifier(curve),
        signature: BitString::from_bytes(&sig).map_err(|e| PkiError::encoding(what, e))?,
    }
    .to_der()
    .map_err(|e| PkiError::encoding(what, e))
}

/// Verifies the envelope `der` (already parsed into `algorithm` and
/// `signature`) with the key `BYTES(Q)` on `curve`. The signed part is taken
/// from `der` as received, not re-encoded.
pub(crate) fn verify(
    der: &[u8],
    algorithm: &AlgorithmIdentifier<Any>,
    signature: &BitString,
    curve: CurveId,
    public_key: &[u8],
    what: &'static str,
) -> Result<(), PkiError> {
    let owned = AlgorithmIdentifierOwned {
        oid: algorithm.oid,
        parameters: algorithm.parameters.clone(),
    };
    alg::check_signature_identifier(&owned, curve)?;
    let sig = signature
        .as_bytes()
        .ok_or_else(|| PkiError::malformed(what, "signature BIT STRING has unused bits"))?;
    let tbs = raw::first_of_sequence(der, what)?;
    let digest = alg::digest_for(curve).digest(tbs);
    verify_digest_for(curve, public_key, &digest, sig, what)
}
