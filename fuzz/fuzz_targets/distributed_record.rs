//! A device key record from storage, decoded from arbitrary bytes: must return a typed error, never
//! panic, hang or allocate without bound; what decodes re-encodes to the
//! same value.
#![no_main]

use fkn_core::distributed::DeviceRecord;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = DeviceRecord::decode(data) {
        let again = DeviceRecord::decode(&v.encode()).expect("re-encoded value decodes");
        assert_eq!(again, v);
    }
});
