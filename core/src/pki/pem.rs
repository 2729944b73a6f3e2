//! PEM (RFC 7468) for files people pass around; everything else in
//! [`pki`](super) works on DER.

use der::pem::{LineEnding, decode_vec, encode_string};

use super::PkiError;

/// Label of a certificate.
pub const CERTIFICATE: &str = "CERTIFICATE";
/// Label of a PKCS #10 request (OpenSSL also reads `NEW CERTIFICATE REQUEST`).
pub const CERTIFICATE_REQUEST: &str = "CERTIFICATE REQUEST";
/// Label OpenSSL uses for CMS (`PKCS7` is also common).
pub const CMS: &str = "CMS";

/// Labels accepted for each kind when decoding.
const ALIASES: [(&str, &str); 2] = [
    ("NEW CERTIFICATE REQUEST", CERTIFICATE_REQUEST),
    ("PKCS7", CMS),
];

/// PEM text of `der` under `label`, LF line endings, 64-column base64.
pub fn encode(label: &str, der: &[u8]) -> Result<String, PkiError> {
    encode_string(label, LineEnding::LF, der).map_err(|e| PkiError::encoding("PEM", e))
}

/// DER from `input`, which may be DER already or PEM with `label` (or one
/// of its aliases); text before the `-----BEGIN` line is skipped.
pub fn to_der(input: &[u8], label: &str) -> Result<Vec<u8>, PkiError> {
    const BEGIN: &[u8] = b"-----BEGIN ";
    let Some(start) = input.windows(BEGIN.len()).position(|w| w == BEGIN) else {
        return Ok(input.to_vec());
    };
    let (found, der) = decode_vec(&input[start..]).map_err(|e| PkiError::malformed("PEM", e))?;
    let canonical = ALIASES
        .iter()
        .find(|(alias, _)| *alias == found)
        .map_or(found, |(_, c)| *c);
    if canonical != label {
        return Err(PkiError::MalformedDer {
            what: "PEM",
            detail: format!("the file holds a {found:?}, expected a {label:?}"),
        });
    }
    Ok(der)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_aliases_and_der_passthrough() {
        let der = [0x30, 0x03, 0x02, 0x01, 0x05];
        let pem = encode(CERTIFICATE, &der).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\nMAMCAQU=\n"));
        let noisy = format!("Certificate:\n  Data: ...\n{pem}");
        assert_eq!(to_der(noisy.as_bytes(), CERTIFICATE).unwrap(), der);
        assert_eq!(to_der(&der, CMS).unwrap(), der);
        let p7 = encode("PKCS7", &der).unwrap();
        assert_eq!(to_der(p7.as_bytes(), CMS).unwrap(), der);
        let err = to_der(pem.as_bytes(), CMS).unwrap_err();
        assert!(err.to_string().contains("expected a \"CMS\""), "{err}");
        let broken = pem.replace("MAMCAQU=", "M@MCAQU=");
        assert!(matches!(
            to_der(broken.as_bytes(), CERTIFICATE),
            Err(PkiError::MalformedDer { .. })
        ));
    }
}
