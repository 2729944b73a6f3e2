//! What the FFI needs beyond the derives on the types themselves (feature
//! `uniffi`): how types without a UniFFI form of their own cross (a serial
//! as bytes, a subject as its RFC 4514 string, keyUsage as its bits), the
//! methods a curve offers in Kotlin and Swift, and the error's message.

use crate::Error;
use crate::crypto::ec::CurveId;
use crate::pki::{KeyUsage, PkiError, Subject};
use crate::token::Serial;

uniffi::custom_type!(Serial, Vec<u8>, {
    remote,
    lower: |serial| serial.to_vec(),
    try_lift: |bytes| {
        let len = bytes.len();
        bytes
            .try_into()
            .map_err(|_| uniffi::deps::anyhow::anyhow!("a serial is 8 bytes, not {len}"))
    },
});

uniffi::custom_type!(Subject, String, {
    lower: |subject| subject.to_string(),
    try_lift: |text| Subject::parse(&text).map_err(|e: PkiError| uniffi::deps::anyhow::anyhow!(e.to_string())),
});

uniffi::custom_type!(KeyUsage, u16, {
    lower: |usage| usage.bits(),
    try_lift: |bits| Ok(KeyUsage::from_bits(bits)),
});

#[uniffi::export]
impl CurveId {
    /// Short name, e.g. `tc26-256-a` (what the `fkn` command line takes).
    pub fn short_name(&self) -> String {
        self.name().to_owned()
    }

    /// The standard's identifier, e.g. `id-tc26-gost-3410-2012-256-paramSetA`.
    #[uniffi::method(name = "standard_name")]
    pub fn standard_name_string(&self) -> String {
        CurveId::standard_name(*self).to_owned()
    }

    /// Dotted OID, e.g. `1.2.643.7.1.2.1.1.1`.
    #[uniffi::method(name = "oid")]
    pub fn oid_string(&self) -> String {
        CurveId::oid(*self).to_owned()
    }

    /// Length in bytes of the digest a key on this curve signs (Streebog-256:
    /// 32, Streebog-512: 64); signatures are twice as long, public keys too.
    pub fn digest_length(&self) -> u32 {
        // 32 or 64: always fits.
        u32::try_from(self.digest_len()).unwrap_or(u32::MAX)
    }
}

/// The SDK's message for `error`: what happened, then what to do. (UniFFI
/// cannot attach `Display` to a renamed type: `Error` crosses as `FknError`,
/// since plain `Error` would become Kotlin's `Exception`.)
#[uniffi::export]
pub fn fkn_error_message(error: Error) -> String {
    error.to_string()
}
