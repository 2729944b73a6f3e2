//! A response from a server, decoded from arbitrary bytes: must return a typed error, never
//! panic, hang or allocate without bound; what decodes re-encodes to the
//! same value.
#![no_main]

use fkn_core::distributed::Response;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = Response::decode(data) {
        let again = Response::decode(&v.encode()).expect("re-encoded value decodes");
        assert_eq!(again, v);
    }
});
