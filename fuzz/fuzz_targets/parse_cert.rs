//! Certificate and certification-request parsers on arbitrary bytes.
#![no_main]

use fkn_core::pki::{cert, csr};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = cert::certificate_info(data);
    // Self-issued check: name comparison, key parsing, signature check.
    let _ = cert::verify_certificate_signature(data, data);
    let _ = csr::verify_csr(data);
});
