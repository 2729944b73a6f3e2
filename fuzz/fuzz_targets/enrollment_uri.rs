//! The enrollment URI (the operator's QR code, `fkn://enroll?...`) from
//! arbitrary text, as the app reads whatever its camera decoded: a typed
//! error or a URI, never a panic. What parses survives the round trip:
//! `format` accepts it and `parse(format(u)) == u`, and formatting is
//! stable (`format(parse(format(u))) == format(u)`).
//!
//! The first 8 input bytes are `now` (little-endian), so the expiry check
//! is fuzzed too; the rest is the URI, lossily decoded as UTF-8.
#![no_main]

use fkn_core::onboarding::{EnrollmentUri, UriError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (now, text) = data.split_at(data.len().min(8));
    let mut le = [0u8; 8];
    le[..now.len()].copy_from_slice(now);
    let now = u64::from_le_bytes(le);
    let text = String::from_utf8_lossy(text);

    let uri = match EnrollmentUri::parse(&text, now) {
        Ok(uri) => uri,
        Err(UriError::Expired { expires, now: n }) => {
            assert!(n == now && now >= expires);
            return;
        }
        Err(_) => return,
    };
    assert!(now < uri.expires, "an expired URI was accepted");
    assert!(text.starts_with("fkn://enroll?"));
    let formatted = uri.format().expect("format accepts what parse accepted");
    let again = EnrollmentUri::parse(&formatted, now).expect("parse reads what format wrote");
    assert_eq!(again, uri, "the round trip changed the URI");
    assert_eq!(again.format().expect("format"), formatted);
});
