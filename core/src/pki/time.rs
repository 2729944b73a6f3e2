//! Times in certificates and signed attributes: UTCTime up to 2049,
//! GeneralizedTime from 2050 (RFC 5280 Section 4.1.2.5, RFC 5652 Section 11.3).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use der::asn1::{GeneralizedTime, UtcTime};
use x509_cert::time::Time;

use super::PkiError;

/// 2050-01-01T00:00:00Z, the first instant UTCTime cannot express.
const Y2050: u64 = 2_524_608_000;

/// `t` truncated to whole seconds, in the encoding its year calls for.
pub(crate) fn to_time(t: SystemTime) -> Result<Time, PkiError> {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map_err(|_| PkiError::InvalidInput("times before 1970 cannot be encoded".into()))?
        .as_secs();
    let d = Duration::from_secs(secs);
    let time = if secs < Y2050 {
        UtcTime::from_unix_duration(d).map(Time::UtcTime)
    } else {
        GeneralizedTime::from_unix_duration(d).map(Time::GeneralTime)
    };
    time.map_err(|e| PkiError::InvalidInput(format!("time out of range: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    #[test]
    fn switches_encoding_in_2050() {
        let before = UNIX_EPOCH + Duration::from_secs(Y2050 - 1);
        let at = UNIX_EPOCH + Duration::from_secs(Y2050);
        let b = to_time(before).unwrap().to_der().unwrap();
        let a = to_time(at).unwrap().to_der().unwrap();
        assert_eq!(b, b"\x17\x0d491231235959Z");
        assert_eq!(a, b"\x18\x0f20500101000000Z");
        // Sub-second parts are dropped, not rounded.
        let t = to_time(UNIX_EPOCH + Duration::from_millis(1_999)).unwrap();
        assert_eq!(t.to_unix_duration(), Duration::from_secs(1));
    }
}
