//! The enrollment URI: `fkn://enroll?v=1&s=SERVER&a=ACCOUNT&c=CODE&x=EXPIRES&f=FINGERPRINT`.
//!
//! Query parameters (order free, each exactly once; unknown ones ignored so
//! a later minor addition does not break older apps):
//!
//! | key | value |
//! |---|---|
//! | `v` | URI version, `1` |
//! | `s` | server base URL, `http://` or `https://`, percent-encoded but for `: / @` |
//! | `a` | account id, 1 to 64 of `A-Z a-z 0-9 . _ -`, not starting with a dot |
//! | `c` | activation code, 12 decimal digits (10^12 codes) |
//! | `x` | expiry, Unix time in seconds |
//! | `f` | fingerprint of the server's identity key: Streebog-256, 64 lowercase hex digits |

use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The version [`EnrollmentUri::format`] writes and [`EnrollmentUri::parse`] reads.
pub const URI_VERSION: u32 = 1;

/// Digits of an activation code: 10^12 possibilities (the issue asks for at
/// least 10^10), typable by hand from a screen.
pub const ACTIVATION_CODE_DIGITS: usize = 12;

const PREFIX: &str = "fkn://enroll?";
const MAX_ACCOUNT_LEN: usize = 64;
const MAX_SERVER_LEN: usize = 256;

/// A field of the enrollment URI, to say which one was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UriField {
    /// `v`, the version.
    Version,
    /// `s`, the server URL.
    Server,
    /// `a`, the account id.
    Account,
    /// `c`, the activation code.
    Code,
    /// `x`, the expiry.
    Expires,
    /// `f`, the server key fingerprint.
    Fingerprint,
}

impl UriField {
    const ALL: [UriField; 6] = [
        UriField::Version,
        UriField::Server,
        UriField::Account,
        UriField::Code,
        UriField::Expires,
        UriField::Fingerprint,
    ];

    fn key(self) -> &'static str {
        match self {
            UriField::Version => "v",
            UriField::Server => "s",
            UriField::Account => "a",
            UriField::Code => "c",
            UriField::Expires => "x",
            UriField::Fingerprint => "f",
        }
    }
}

impl core::fmt::Display for UriField {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            UriField::Version => "version (v)",
            UriField::Server => "server address (s)",
            UriField::Account => "account (a)",
            UriField::Code => "activation code (c)",
            UriField::Expires => "expiry (x)",
            UriField::Fingerprint => "server key fingerprint (f)",
        })
    }
}

/// Why an enrollment URI was refused. Never carries the activation code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// Not an `fkn://enroll?` URI at all.
    #[error("not an FKN enrollment code (expected fkn://enroll?...); scan the operator's QR code")]
    NotEnrollment,
    /// A field is missing.
    #[error("the enrollment code has no {0}; ask the operator for a new one")]
    Missing(UriField),
    /// A field appears twice.
    #[error("the enrollment code has the {0} twice; ask the operator for a new one")]
    Duplicate(UriField),
    /// A field has an invalid value (or bad percent-encoding).
    #[error("the enrollment code has an invalid {0}; ask the operator for a new one")]
    Invalid(UriField),
    /// A version this library does not read.
    #[error("enrollment code version {got}, this app reads version {supported}; update the app")]
    UnknownVersion {
        /// Version found.
        got: u32,
        /// Version this library reads.
        supported: u32,
    },
    /// The enrollment expired.
    #[error(
        "the enrollment code expired at {expires} (Unix time, now {now}); ask the operator for a new one"
    )]
    Expired {
        /// Expiry in the URI.
        expires: u64,
        /// The time it was checked against.
        now: u64,
    },
}

/// A one-time enrollment, as carried by the QR code the operator shows.
///
/// `Debug` hides the activation code; the code is erased on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct EnrollmentUri {
    /// Server base URL (`http://` or `https://`).
    pub server: String,
    /// Account the device enrolls into.
    pub account: String,
    /// One-time activation code, [`ACTIVATION_CODE_DIGITS`] digits (the
    /// SESPAKE password of pairing).
    pub code: String,
    /// Expiry, Unix time in seconds.
    pub expires: u64,
    /// Streebog-256 of the server's long-term identity public key.
    pub server_key_fingerprint: [u8; 32],
}

impl core::fmt::Debug for EnrollmentUri {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EnrollmentUri")
            .field("server", &self.server)
            .field("account", &self.account)
            .field("code", &"<redacted>")
            .field("expires", &self.expires)
            .field(
                "server_key_fingerprint",
                &hex::encode(self.server_key_fingerprint),
            )
            .finish()
    }
}

impl EnrollmentUri {
    /// Checks every field as [`EnrollmentUri::parse`] would (expiry aside).
    pub fn validate(&self) -> Result<(), UriError> {
        if !valid_server(&self.server) {
            return Err(UriError::Invalid(UriField::Server));
        }
        if !valid_account(&self.account) {
            return Err(UriError::Invalid(UriField::Account));
        }
        if !valid_code(&self.code) {
            return Err(UriError::Invalid(UriField::Code));
        }
        Ok(())
    }

    /// The URI text, version [`URI_VERSION`]. Refuses invalid fields, so
    /// whatever it writes [`EnrollmentUri::parse`] reads back.
    pub fn format(&self) -> Result<String, UriError> {
        self.validate()?;
        let mut out = String::from(PREFIX);
        out.push_str(&format!("v={URI_VERSION}&s="));
        percent_encode(&self.server, &mut out);
        out.push_str("&a=");
        out.push_str(&self.account);
        out.push_str("&c=");
        out.push_str(&self.code);
        out.push_str(&format!(
            "&x={}&f={}",
            self.expires,
            hex::encode(self.server_key_fingerprint)
        ));
        Ok(out)
    }

    /// Reads a URI and refuses it if expired at `now` (Unix seconds).
    pub fn parse(uri: &str, now: u64) -> Result<EnrollmentUri, UriError> {
        let query = uri.strip_prefix(PREFIX).ok_or(UriError::NotEnrollment)?;
        let mut values: [Option<&str>; 6] = [None; 6];
        for pair in query.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if let Some(i) = UriField::ALL.iter().position(|f| f.key() == k) {
                if values[i].is_some() {
                    return Err(UriError::Duplicate(UriField::ALL[i]));
                }
                values[i] = Some(v);
            }
        }
        let get = |f: UriField| {
            let i = UriField::ALL.iter().position(|&g| g == f).unwrap_or(0);
            values[i].ok_or(UriError::Missing(f))
        };
        // The version first: a later version may change everything else.
        let v = get(UriField::Version)?;
        let version = parse_decimal(v).ok_or(UriError::Invalid(UriField::Version))?;
        if version != u64::from(URI_VERSION) {
            return Err(UriError::UnknownVersion {
                got: u32::try_from(version).unwrap_or(u32::MAX),
                supported: URI_VERSION,
            });
        }
        let server = percent_decode(get(UriField::Server)?)
            .filter(|s| valid_server(s))
            .ok_or(UriError::Invalid(UriField::Server))?;
        let account = get(UriField::Account)?;
        if !valid_account(account) {
            return Err(UriError::Invalid(UriField::Account));
        }
        let code = get(UriField::Code)?;
        if !valid_code(code) {
            return Err(UriError::Invalid(UriField::Code));
        }
        let expires =
            parse_decimal(get(UriField::Expires)?).ok_or(UriError::Invalid(UriField::Expires))?;
        let f = get(UriField::Fingerprint)?;
        let mut fingerprint = [0u8; 32];
        if f.len() != 64
            || f.bytes().any(|b| b.is_ascii_uppercase())
            || hex::decode_to_slice(f, &mut fingerprint).is_err()
        {
            return Err(UriError::Invalid(UriField::Fingerprint));
        }
        if now >= expires {
            return Err(UriError::Expired { expires, now });
        }
        Ok(EnrollmentUri {
            server,
            account: account.to_owned(),
            code: code.to_owned(),
            expires,
            server_key_fingerprint: fingerprint,
        })
    }
}

/// Decimal without sign, leading zeros (other than `0` itself) or overflow.
fn parse_decimal(s: &str) -> Option<u64> {
    let ok =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if ok { s.parse().ok() } else { None }
}

fn valid_server(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    match rest {
        Some(r) => {
            !r.is_empty()
                && s.len() <= MAX_SERVER_LEN
                && r.bytes().all(|b| b.is_ascii_graphic())
                && !r.starts_with('/')
        }
        None => false,
    }
}

fn valid_account(a: &str) -> bool {
    !a.is_empty()
        && a.len() <= MAX_ACCOUNT_LEN
        && !a.starts_with('.')
        && a.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn valid_code(c: &str) -> bool {
    c.len() == ACTIVATION_CODE_DIGITS && c.bytes().all(|b| b.is_ascii_digit())
}

/// RFC 3986 percent-encoding of everything but unreserved characters and
/// `:` `/` `@` (allowed in a query as they are, and frequent in URLs: left
/// as they are, the QR code stays smaller).
fn percent_encode(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'@')
        {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hexpair = bytes.get(i + 1..i + 3)?;
                let mut b = [0u8; 1];
                hex::decode_to_slice(hexpair, &mut b).ok()?;
                out.push(b[0]);
                i += 3;
            }
            // Reserved characters must arrive encoded.
            b'&' | b'=' | b'#' | b'?' | b'+' => return None,
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// A uniformly random activation code of [`ACTIVATION_CODE_DIGITS`] decimal
/// digits (rejection sampling: no modulo bias).
pub fn activation_code() -> Zeroizing<String> {
    let modulus: u64 = 10u64.pow(ACTIVATION_CODE_DIGITS as u32);
    let limit = u64::MAX - u64::MAX % modulus;
    loop {
        let mut b = Zeroizing::new([0u8; 8]);
        rand_core::Rng::fill_bytes(&mut crate::crypto::os_rng(), &mut *b);
        let v = u64::from_be_bytes(*b);
        if v < limit {
            return Zeroizing::new(format!(
                "{:0width$}",
                v % modulus,
                width = ACTIVATION_CODE_DIGITS
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> EnrollmentUri {
        EnrollmentUri {
            server: "https://sign.example.com:8443/fkn".into(),
            account: "alice.smith".into(),
            code: "012345678901".into(),
            expires: 1_800_000_000,
            server_key_fingerprint: [0xab; 32],
        }
    }

    #[test]
    fn round_trip_and_exact_text() {
        let s = sample().format().unwrap();
        assert_eq!(
            s,
            format!(
                "fkn://enroll?v=1&s=https://sign.example.com:8443/fkn&a=alice.smith\
                 &c=012345678901&x=1800000000&f={}",
                "ab".repeat(32)
            )
        );
        assert_eq!(EnrollmentUri::parse(&s, 1_700_000_000).unwrap(), sample());
    }

    #[test]
    fn expired_at_and_after_expiry() {
        let s = sample().format().unwrap();
        for now in [1_800_000_000, 1_900_000_000] {
            assert_eq!(
                EnrollmentUri::parse(&s, now),
                Err(UriError::Expired {
                    expires: 1_800_000_000,
                    now
                })
            );
        }
        assert!(EnrollmentUri::parse(&s, 1_799_999_999).is_ok());
    }

    #[test]
    fn unknown_version_is_reported_before_other_fields() {
        assert_eq!(
            EnrollmentUri::parse("fkn://enroll?v=2&whatever", 0),
            Err(UriError::UnknownVersion {
                got: 2,
                supported: 1
            })
        );
    }

    #[test]
    fn malformed_inputs_are_typed() {
        let good = sample().format().unwrap();
        let cases: Vec<(String, UriError)> = vec![
            ("https://x/".into(), UriError::NotEnrollment),
            (good.replace("fkn://", "FKN://"), UriError::NotEnrollment),
            (
                good.replace("&c=012345678901", ""),
                UriError::Missing(UriField::Code),
            ),
            (
                format!("{good}&a=bob"),
                UriError::Duplicate(UriField::Account),
            ),
            (
                good.replace("c=012345678901", "c=01234567890"),
                UriError::Invalid(UriField::Code),
            ),
            (
                good.replace("c=012345678901", "c=01234567890x"),
                UriError::Invalid(UriField::Code),
            ),
            (
                good.replace("a=alice.smith", "a=.alice"),
                UriError::Invalid(UriField::Account),
            ),
            (
                good.replace("a=alice.smith", "a="),
                UriError::Invalid(UriField::Account),
            ),
            (
                good.replace("x=1800000000", "x=018"),
                UriError::Invalid(UriField::Expires),
            ),
            (
                good.replace("x=1800000000", "x=99999999999999999999"),
                UriError::Invalid(UriField::Expires),
            ),
            (
                good.replace("v=1", "v=01"),
                UriError::Invalid(UriField::Version),
            ),
            (
                good.replace("f=abab", "f=ABAB"),
                UriError::Invalid(UriField::Fingerprint),
            ),
            (
                good.replace("f=abab", "f=ab"),
                UriError::Invalid(UriField::Fingerprint),
            ),
            (
                good.replace("s=https:", "s=ftp:"),
                UriError::Invalid(UriField::Server),
            ),
            (
                good.replace(":8443", "%3"),
                UriError::Invalid(UriField::Server),
            ),
            (
                good.replace(":8443", ":8443?q"),
                UriError::Invalid(UriField::Server),
            ),
        ];
        for (uri, want) in cases {
            assert_eq!(EnrollmentUri::parse(&uri, 0), Err(want.clone()), "{uri}");
        }
        // `:` and `/` may also arrive percent-encoded.
        let encoded = good
            .replace("https://", "https%3A%2F%2F")
            .replace(":8443", "%3A8443");
        assert_eq!(EnrollmentUri::parse(&encoded, 0).unwrap(), sample());
    }

    #[test]
    fn unknown_parameters_are_ignored() {
        let s = format!("{}&future=1", sample().format().unwrap());
        assert_eq!(EnrollmentUri::parse(&s, 0).unwrap(), sample());
    }

    #[test]
    fn format_refuses_what_parse_would() {
        let mut u = sample();
        u.code = "123".into();
        assert_eq!(u.format(), Err(UriError::Invalid(UriField::Code)));
        let mut u = sample();
        u.server = "sign.example.com".into();
        assert_eq!(u.format(), Err(UriError::Invalid(UriField::Server)));
    }

    #[test]
    fn debug_hides_the_code() {
        let d = format!("{:?}", sample());
        assert!(!d.contains("012345678901"), "{d}");
        assert!(d.contains("alice.smith"));
    }

    #[test]
    fn errors_never_carry_the_code() {
        let good = sample().format().unwrap();
        let e = EnrollmentUri::parse(&good, 1_900_000_000).unwrap_err();
        assert!(!e.to_string().contains("012345678901"));
    }

    proptest::proptest! {
        #[test]
        fn any_valid_uri_round_trips(
            host in "[a-z0-9.-]{1,40}",
            port in proptest::option::of(1u16..),
            path in "(/[a-zA-Z0-9 _~%?&=+-]{0,10}){0,3}",
            account in "[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}",
            code in "[0-9]{12}",
            expires in 1u64..,
            fp in proptest::array::uniform32(proptest::num::u8::ANY),
            https in proptest::bool::ANY,
        ) {
            let server = format!(
                "{}://{host}{}{path}",
                if https { "https" } else { "http" },
                port.map(|p| format!(":{p}")).unwrap_or_default()
            );
            proptest::prop_assume!(valid_server(&server));
            let u = EnrollmentUri { server, account, code, expires, server_key_fingerprint: fp };
            let s = u.format().unwrap();
            proptest::prop_assert_eq!(EnrollmentUri::parse(&s, expires - 1).unwrap(), u);
        }

        #[test]
        fn parse_never_panics(s in "fkn://enroll\\?[ -~]{0,200}", now in proptest::num::u64::ANY) {
            let _ = EnrollmentUri::parse(&s, now);
        }
    }

    #[test]
    fn activation_codes_are_twelve_digits_and_vary() {
        let a = activation_code();
        assert_eq!(a.len(), ACTIVATION_CODE_DIGITS);
        assert!(a.bytes().all(|b| b.is_ascii_digit()));
        let distinct: std::collections::HashSet<String> =
            (0..64).map(|_| activation_code().to_string()).collect();
        assert!(distinct.len() > 60);
    }
}
