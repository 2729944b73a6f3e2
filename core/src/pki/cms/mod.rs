//! CMS SignedData (RFC 5652) with GOST R 34.10-2012 / 34.11-2012 (RFC 4490
//! conventions with the RFC 9215 identifiers), CAdES-BES signed attributes.
//!
//! * [`sign`] / [`sign_digest`]: detached or attached, one signer, the
//!   signer's certificate included, signed attributes content-type,
//!   signing-time, message-digest and signing-certificate-v2.
//! * [`prepare`]: the same in two steps, for keys that sign many digests
//!   in one command.
//! * [`verify`] / [`verify_signed_by`]: checks the content digest, the
//!   signed attributes and the signature. The certificate itself is not
//!   validated (no chain, no validity period, no revocation).

mod attrs;
mod sign;
mod verify;

pub use sign::{Prepared, SignOptions, prepare, sign, sign_digest};
pub use verify::{VerifiedSignature, verify, verify_digest, verify_signed_by};
