//! Onboarding: pairing a phone (and its card) with a server.
//!
//! The server's operator creates a one-time enrollment; the phone scans it
//! as a QR code of an [`EnrollmentUri`] (`fkn://enroll?v=1&...`, documented
//! in `docs/onboarding.md`). The pairing protocol that uses the activation
//! code (SESPAKE) builds on this module.

mod uri;

pub use uri::{ACTIVATION_CODE_DIGITS, EnrollmentUri, URI_VERSION, UriError, UriField};
