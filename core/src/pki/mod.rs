//! PKI formats for GOST keys: PKCS #10 requests, X.509 certificates and CMS
//! signatures, built with the RustCrypto `x509-cert`, `cms`, `der` and `spki`
//! crates and our GOST R 34.10-2012 code.
//!
//! Everything that signs takes a [`DigestSigner`]: a software
//! [`SigningKey`](crate::crypto::ec::SigningKey), a token key, or later a
//! two-party key. Data is hashed here (streamed for CMS); only the Streebog
//! digest goes to the key, and each signature is checked against the key's
//! public key before it is used.
//!
//! | what | module |
//! |---|---|
//! | names with INN / OGRN / SNILS | [`Subject`] |
//! | certification requests | [`csr`] |
//! | certificates | [`cert`] |
//! | CMS SignedData (CAdES-BES) | [`cms`] |
//! | PEM armour | [`pem`] |
//!
//! Verification checks signatures only: there is no path building, validity
//! period, revocation or policy checking yet.

mod alg;
pub mod cert;
pub mod cms;
pub mod csr;
mod error;
mod ext;
mod name;
pub mod oid;
pub mod pem;
mod raw;
mod signed;
mod signer;
mod time;

pub use alg::digest_for;
pub use error::PkiError;
pub use ext::{ExtendedKeyUsage, KeyUsage};
pub use name::{NameAttribute, Subject};
pub use signer::DigestSigner;
