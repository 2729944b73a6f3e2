//! The error type of the PKI layer. Each message says what went wrong and what
//! to try next; none of them carries key material.

/// Everything that can go wrong when building or checking certificates,
/// certificate requests and CMS signatures.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// The input is not well-formed DER of the expected structure.
    #[error(
        "malformed {what}: {detail}; expected binary DER (convert PEM with `openssl ... -outform DER`, \
         BER with `openssl cms -cmsout -outform DER`)"
    )]
    MalformedDer {
        /// What was being parsed, e.g. "certificate".
        what: &'static str,
        /// The parser's complaint.
        detail: String,
    },
    /// An algorithm or parameter set this SDK does not implement.
    #[error(
        "unsupported {what}: {oid}; only GOST R 34.10-2012 keys (RFC 9215) with GOST R 34.11-2012 \
         digests are supported"
    )]
    UnsupportedAlgorithm {
        /// Which field held it, e.g. "public key algorithm".
        what: &'static str,
        /// The dotted OID (or a short description).
        oid: String,
    },
    /// A well-formed structure that uses a feature not implemented here.
    #[error("unsupported structure: {0}")]
    UnsupportedStructure(String),
    /// The content's digest differs from the signed message-digest attribute.
    #[error(
        "the content does not match the signature (message digest differs): the document was \
         altered, or it is not the file that was signed"
    )]
    DigestMismatch,
    /// A GOST R 34.10-2012 signature did not verify.
    #[error(
        "the signature over the {0} is invalid: the signed data was altered or it was signed by \
         another key"
    )]
    BadSignature(&'static str),
    /// The certificate is not the one the signature or the caller refers to.
    #[error("certificate mismatch: {0}")]
    CertificateMismatch(String),
    /// The signature names no certificate we have.
    #[error(
        "the CMS message does not include its signer's certificate; pass the certificate with \
         `verify_signed_by`"
    )]
    MissingCertificate,
    /// A signed attribute that must be present is absent.
    #[error(
        "the signed attribute {0} is missing; the signature does not follow RFC 5652 / CAdES-BES"
    )]
    MissingAttribute(&'static str),
    /// A signed attribute is present but wrong.
    #[error("invalid signed attribute {name}: {detail}")]
    InvalidAttribute {
        /// Attribute name, e.g. "content-type".
        name: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A detached signature was given without its content.
    #[error("this is a detached signature: supply the signed file to verify it")]
    MissingContent,
    /// Content was supplied for a signature that already contains its own.
    #[error(
        "this signature already contains the signed content; do not pass a separate file (or \
         re-sign it detached)"
    )]
    ContentSuppliedTwice,
    /// A subject name field is invalid.
    #[error("invalid subject: {0}")]
    InvalidSubject(String),
    /// A public key is malformed or not a point of its curve.
    #[error("invalid public key: {0}")]
    InvalidKey(String),
    /// An argument cannot be used (e.g. zero validity days).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The signing key (software, token or distributed) failed to sign.
    #[error("the signing key failed: {0}")]
    Signer(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// Reading the content to sign or verify failed.
    #[error("could not read the content: {0}")]
    Io(#[from] std::io::Error),
    /// Encoding our own structure failed (a bug or a value out of DER's range).
    #[error("could not encode the {what}: {detail}")]
    Encoding {
        /// What was being encoded.
        what: &'static str,
        /// The encoder's complaint.
        detail: String,
    },
}

impl PkiError {
    /// A [`PkiError::MalformedDer`] for `what` from a `der` error.
    pub(crate) fn malformed(what: &'static str, e: impl core::fmt::Display) -> Self {
        PkiError::MalformedDer {
            what,
            detail: e.to_string(),
        }
    }

    /// A [`PkiError::Encoding`] for `what` from a `der` error.
    pub(crate) fn encoding(what: &'static str, e: impl core::fmt::Display) -> Self {
        PkiError::Encoding {
            what,
            detail: e.to_string(),
        }
    }
}
