//! CMS SignedData parser and verifier on arbitrary bytes: must return an
//! error, never panic, hang or allocate without bound.
#![no_main]

use fkn_core::pki::cms;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Attached form, then detached with a small content: both paths parse
    // everything before they touch the content.
    let _ = cms::verify(data, None);
    let _ = cms::verify(data, Some(&mut &b"fuzz"[..]));
});
