//! Making CMS SignedData (RFC 5652) with a GOST key, as OpenSSL's gost-engine
//! does: digestAlgorithm id-tc26-gost3411-12-256/512, signatureAlgorithm the
//! key OID id-tc26-gost3410-12-256/512, signature `s || r` in an OCTET STRING.

use std::io::Read;
use std::time::SystemTime;

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, OctetString, SetOfVec};
use der::{Encode, Tag};
use spki::AlgorithmIdentifierOwned;

use super::attrs;
use crate::crypto::ec::CurveId;
use crate::crypto::hash::DigestAlgorithm;
use crate::pki::signer::{DigestSigner, check_signature, sign_checked};
use crate::pki::{PkiError, alg, oid};

/// How to sign.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignOptions {
    /// Leave the content out of the signature (a `.sig` next to the file).
    pub detached: bool,
    /// The signing-time attribute; `None` means now.
    pub signing_time: Option<SystemTime>,
}

/// Read size for streamed hashing.
const CHUNK: usize = 64 * 1024;

/// Streebog of everything `content` yields, in 64 KiB pieces.
pub(crate) fn hash_reader(
    alg: DigestAlgorithm,
    content: &mut dyn Read,
) -> Result<Vec<u8>, PkiError> {
    let mut h = alg.hasher();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = match content.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e.into()),
        };
        h.update(&buf[..n]);
    }
    Ok(h.finalize())
}

/// Signs `content` with `signer`, whose certificate `cert_der` is included.
/// Detached signatures hash the content as a stream; attached ones must hold
/// it in memory (it goes into the output).
pub fn sign(
    signer: &mut dyn DigestSigner,
    cert_der: &[u8],
    content: &mut dyn Read,
    options: &SignOptions,
) -> Result<Vec<u8>, PkiError> {
    let digest_alg = alg::digest_for(signer.curve());
    if options.detached {
        let digest = hash_reader(digest_alg, content)?;
        build(signer, cert_der, &digest, None, options)
    } else {
        let mut data = Vec::new();
        content.read_to_end(&mut data)?;
        let digest = digest_alg.digest(&data);
        build(signer, cert_der, &digest, Some(&data), options)
    }
}

/// Detached signature over content the caller has already hashed with the
/// key's Streebog variant (e.g. on another thread or machine).
pub fn sign_digest(
    signer: &mut dyn DigestSigner,
    cert_der: &[u8],
    content_digest: &[u8],
    signing_time: Option<SystemTime>,
) -> Result<Vec<u8>, PkiError> {
    let want = alg::digest_for(signer.curve()).output_len();
    if content_digest.len() != want {
        return Err(PkiError::InvalidInput(format!(
            "a {} key signs a {want}-byte Streebog digest, got {} bytes",
            signer.curve(),
            content_digest.len()
        )));
    }
    let options = SignOptions {
        detached: true,
        signing_time,
    };
    build(signer, cert_der, content_digest, None, &options)
}

fn build(
    signer: &mut dyn DigestSigner,
    cert_der: &[u8],
    content_digest: &[u8],
    content: Option<&[u8]>,
    options: &SignOptions,
) -> Result<Vec<u8>, PkiError> {
    let prepared = prepare(
        signer.curve(),
        &signer.public_key(),
        cert_der,
        content_digest,
        content.map(<[u8]>::to_vec),
        options.signing_time,
    )?;
    let signature = sign_checked(signer, prepared.digest())?;
    prepared.finish(&signature)
}

/// A CMS signature whose signed attributes are fixed and whose one
/// signature is still to be made: [`Prepared::digest`] goes to the key,
/// [`Prepared::finish`] takes its answer. Lets a token sign the attributes
/// of many messages in one command (OFP1 signs up to 16 digests at once).
pub struct Prepared {
    curve: CurveId,
    public_key: Vec<u8>,
    cert: x509_cert::Certificate,
    signed_attrs: cms::signed_data::SignedAttributes,
    digest: Vec<u8>,
    content: Option<Vec<u8>>,
}

impl core::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Prepared")
            .field("curve", &self.curve)
            .field("detached", &self.content.is_none())
            .finish_non_exhaustive()
    }
}

/// Prepares the CMS signature of `content_digest` (the key's Streebog of the
/// content) by the key `public_key` on `curve`, whose certificate is
/// `cert_der`. `content` is encapsulated when given (its digest must be
/// `content_digest`); `None` makes a detached signature.
pub fn prepare(
    curve: CurveId,
    public_key: &[u8],
    cert_der: &[u8],
    content_digest: &[u8],
    content: Option<Vec<u8>>,
    signing_time: Option<SystemTime>,
) -> Result<Prepared, PkiError> {
    let enc = |e| PkiError::encoding("CMS signature", e);
    let digest_alg = alg::digest_for(curve);
    if content_digest.len() != digest_alg.output_len() {
        return Err(PkiError::InvalidInput(format!(
            "a {curve} key signs a {}-byte Streebog digest, got {} bytes",
            digest_alg.output_len(),
            content_digest.len()
        )));
    }
    let cert = attrs::parse_cert(cert_der)?;
    if cert.to_der().map_err(enc)? != cert_der {
        return Err(PkiError::malformed(
            "certificate",
            "not in canonical DER; re-encode it with `openssl x509 -outform DER`",
        ));
    }
    let (cert_curve, cert_key) = alg::parse_spki(cert.tbs_certificate().subject_public_key_info())?;
    if cert_curve != curve || cert_key != public_key {
        return Err(PkiError::CertificateMismatch(
            "the certificate is not for the signing key; pick the certificate of this key".into(),
        ));
    }
    let signed_attrs = attrs::build(
        oid::CMS_DATA,
        content_digest,
        signing_time.unwrap_or_else(SystemTime::now),
        &cert,
        cert_der,
        digest_alg,
    )?;
    // The signature covers the attributes as an explicit SET OF (RFC 5652 5.4).
    let digest = digest_alg.digest(&signed_attrs.to_der().map_err(enc)?);
    Ok(Prepared {
        curve,
        public_key: public_key.to_vec(),
        cert,
        signed_attrs,
        digest,
        content,
    })
}

impl Prepared {
    /// What the key signs: the Streebog digest of the signed attributes.
    pub fn digest(&self) -> &[u8] {
        &self.digest
    }

    /// The DER CMS message with `signature` (`s || r`), which must verify
    /// under the key: a wrong answer from a token never becomes a message.
    pub fn finish(self, signature: &[u8]) -> Result<Vec<u8>, PkiError> {
        check_signature(self.curve, &self.public_key, &self.digest, signature)?;
        let enc = |e| PkiError::encoding("CMS signature", e);
        let curve = self.curve;
        let digest_alg = alg::digest_for(curve);
        let cert = self.cert;
        let signer_info = SignerInfo {
            version: CmsVersion::V1,
            sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
                issuer: cert.tbs_certificate().issuer().clone(),
                serial_number: cert.tbs_certificate().serial_number().clone(),
            }),
            digest_alg: alg::digest_identifier(digest_alg),
            signed_attrs: Some(self.signed_attrs),
            signature_algorithm: AlgorithmIdentifierOwned {
                oid: alg::key_oid(curve),
                parameters: None,
            },
            signature: OctetString::new(signature).map_err(enc)?,
            unsigned_attrs: None,
        };
        let econtent = self
            .content
            .map(|c| Any::new(Tag::OctetString, c))
            .transpose()
            .map_err(enc)?;
        let signed_data = SignedData {
            version: CmsVersion::V1,
            digest_algorithms: SetOfVec::try_from(vec![alg::digest_identifier(digest_alg)])
                .map_err(enc)?,
            encap_content_info: EncapsulatedContentInfo {
                econtent_type: oid::CMS_DATA,
                econtent,
            },
            certificates: Some(
                CertificateSet::try_from(vec![CertificateChoices::Certificate(cert)])
                    .map_err(enc)?,
            ),
            crls: None,
            signer_infos: SignerInfos::try_from(vec![signer_info]).map_err(enc)?,
        };
        ContentInfo {
            content_type: oid::CMS_SIGNED_DATA,
            content: Any::encode_from(&signed_data).map_err(enc)?,
        }
        .to_der()
        .map_err(enc)
    }
}
