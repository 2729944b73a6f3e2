//! Hex in and out of the command line: APDUs as typed, responses as printed.

use anyhow::{Context, bail};

/// Parses a hex APDU as typed: spaces (and `:` separators) allowed, any case.
pub fn parse_apdu(text: &str) -> anyhow::Result<Vec<u8>> {
    let compact: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .collect();
    let bytes = hex::decode(&compact).with_context(|| format!("\"{text}\" is not hex"))?;
    if bytes.len() < 4 {
        bail!(
            "\"{text}\" is {} byte(s); an APDU has at least CLA INS P1 P2",
            bytes.len()
        );
    }
    Ok(bytes)
}

/// Formats a response APDU as `DATA  SW1 SW2` (just `SW1 SW2` with no data).
pub fn format_response(response: &[u8]) -> anyhow::Result<String> {
    let Some((data, sw)) = response.split_last_chunk::<2>().map(|(d, sw)| (d, *sw)) else {
        bail!(
            "the card answered {} byte(s), too short for a status word",
            response.len()
        );
    };
    let sw = format!("{:02X} {:02X}", sw[0], sw[1]);
    Ok(if data.is_empty() {
        sw
    } else {
        format!("{}  {sw}", hex::encode_upper(data))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_spaces_and_any_case() {
        assert_eq!(
            parse_apdu("00 a4 0400 07 F0464B4E4F5031 00").unwrap(),
            [
                0x00, 0xA4, 0x04, 0x00, 0x07, 0xF0, 0x46, 0x4B, 0x4E, 0x4F, 0x50, 0x31, 0x00
            ]
        );
        assert_eq!(parse_apdu("00:84:00:00:08").unwrap(), [0, 0x84, 0, 0, 8]);
    }

    #[test]
    fn rejects_bad_hex_and_short_apdus() {
        assert!(parse_apdu("00A4040").is_err());
        assert!(parse_apdu("00G4").is_err());
        let e = parse_apdu("00A404").unwrap_err().to_string();
        assert!(e.contains("at least"), "{e}");
    }

    #[test]
    fn formats_data_and_status_word_apart() {
        assert_eq!(
            format_response(&[0x6F, 0x81, 0x90, 0x00]).unwrap(),
            "6F81  90 00"
        );
        assert_eq!(format_response(&[0x6A, 0x82]).unwrap(), "6A 82");
        assert!(format_response(&[0x90]).is_err());
        assert!(format_response(&[]).is_err());
    }
}
