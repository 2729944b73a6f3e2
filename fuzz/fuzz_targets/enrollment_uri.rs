//! The enrollment URI (the operator's QR code, `fkn://enroll?...`) from
//! arbitrary text, as the app reads whatever its camera decoded: a typed
//! error or a URI, never a panic. What parses survives the round trip:
//! `format` accepts it and `parse(format(u)) == u`, and formatting is
//! stable (`format(parse(format(u))) == format(u)`).
//!
//! Input: a selector byte, 8 bytes of `now` (little-endian), then text
//! (lossily UTF-8). An even selector parses the text as it is; an odd one
//! puts the text into a valid URI as the value of one field (or as an extra
//! parameter), so every field's checks are reached, not only the prefix.
#![no_main]

use fkn_core::onboarding::{EnrollmentUri, UriError};
use libfuzzer_sys::fuzz_target;

/// A valid URI's fields, in order.
const FIELDS: [(&str, &str); 6] = [
    ("v", "1"),
    ("s", "https://sign.example.com:8443/fkn"),
    ("a", "alice"),
    ("c", "012345678901"),
    ("x", "1800000000"),
    (
        "f",
        "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    ),
];

fn templated(selector: u8, text: &str) -> String {
    let slot = usize::from(selector >> 1) % (FIELDS.len() + 1);
    let mut out = String::from("fkn://enroll?");
    for (i, (k, v)) in FIELDS.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(if i == slot { text } else { v });
    }
    if slot == FIELDS.len() {
        out.push('&');
        out.push_str(text);
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (now, text) = rest.split_at(rest.len().min(8));
    let mut le = [0u8; 8];
    le[..now.len()].copy_from_slice(now);
    let now = u64::from_le_bytes(le);
    let text = String::from_utf8_lossy(text);
    let text = if selector & 1 == 1 {
        templated(selector, &text)
    } else {
        text.into_owned()
    };
    // With the template, `now` below 2^32 s: its expiry (1.8e9) is then
    // still ahead about half the time.
    let now = if selector & 1 == 1 { now >> 32 } else { now };

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
