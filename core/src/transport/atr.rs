//! Reading an ATR (ISO/IEC 7816-3 8.2) for the card capabilities that
//! OFP1 Section 2 puts in its historical bytes (ISO/IEC 7816-4 8.1.1.2.7).
//!
//! Contact and PC/SC transports use this to answer
//! [`Transport::extended_length_supported`](crate::transport::Transport::extended_length_supported).

/// Why an ATR could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AtrError {
    /// TS is neither `3B` (direct) nor `3F` (inverse).
    #[error("not an ATR: initial character {0:02X} is neither 3B nor 3F")]
    BadInitialCharacter(u8),
    /// The interface or historical bytes run past the end.
    #[error("the ATR is truncated")]
    Truncated,
    /// The check byte TCK does not match.
    #[error("the ATR check byte is wrong (expected {expected:02X}, got {got:02X})")]
    BadCheckByte {
        /// XOR of T0..the last historical byte.
        expected: u8,
        /// The TCK sent.
        got: u8,
    },
    /// Bytes after the end of the ATR.
    #[error("{0} unexpected bytes after the end of the ATR")]
    TrailingBytes(usize),
}

/// Card capabilities (compact-TLV tag `7x`) from the historical bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CardCapabilities {
    /// First software function table byte: selection methods.
    pub selection_methods: u8,
    /// Second byte: data coding.
    pub data_coding: u8,
    /// Third byte, bit `0x80`: command chaining supported.
    pub command_chaining: bool,
    /// Third byte, bit `0x40`: extended Lc and Le supported.
    pub extended_length: bool,
}

/// The historical bytes of `atr`, after checking its structure and TCK.
pub fn historical_bytes(atr: &[u8]) -> Result<&[u8], AtrError> {
    let (&ts, rest) = atr.split_first().ok_or(AtrError::Truncated)?;
    if ts != 0x3B && ts != 0x3F {
        return Err(AtrError::BadInitialCharacter(ts));
    }
    let (&t0, mut rest) = rest.split_first().ok_or(AtrError::Truncated)?;
    let k = usize::from(t0 & 0x0F);
    let mut y = t0 >> 4;
    let mut needs_tck = false;
    loop {
        // TA, TB, TC are skipped; TD tells what follows.
        let skip = (y & 0x7).count_ones() as usize;
        rest = rest.get(skip..).ok_or(AtrError::Truncated)?;
        if y & 0x8 == 0 {
            break;
        }
        let (&td, tail) = rest.split_first().ok_or(AtrError::Truncated)?;
        needs_tck |= td & 0x0F != 0;
        y = td >> 4;
        rest = tail;
    }
    let historical = rest.get(..k).ok_or(AtrError::Truncated)?;
    let after = &rest[k..];
    let extra = if needs_tck {
        let (&tck, tail) = after.split_first().ok_or(AtrError::Truncated)?;
        // XOR of T0..TCK inclusive is zero.
        let body_len = atr.len() - 1 - tail.len();
        let expected = atr[1..body_len].iter().fold(0, |a, b| a ^ b);
        if expected != tck {
            return Err(AtrError::BadCheckByte { expected, got: tck });
        }
        tail.len()
    } else {
        after.len()
    };
    if extra != 0 {
        return Err(AtrError::TrailingBytes(extra));
    }
    Ok(historical)
}

/// The card capabilities in `atr`'s historical bytes, if it announces them
/// (category indicator `00` or `80`, compact-TLV tag `7x` with three bytes).
pub fn card_capabilities(atr: &[u8]) -> Option<CardCapabilities> {
    let hist = historical_bytes(atr).ok()?;
    let (&category, objects) = hist.split_first()?;
    let objects = match category {
        0x80 => objects,
        // Category 00: the last three bytes are a status indicator.
        0x00 => objects.get(..objects.len().checked_sub(3)?)?,
        _ => return None,
    };
    let mut rest = objects;
    while let Some((&tl, tail)) = rest.split_first() {
        let len = usize::from(tl & 0x0F);
        let value = tail.get(..len)?;
        if tl >> 4 == 0x7 && len >= 3 {
            return Some(CardCapabilities {
                selection_methods: value[0],
                data_coding: value[1],
                command_chaining: value[2] & 0x80 != 0,
                extended_length: value[2] & 0x40 != 0,
            });
        }
        rest = &tail[len..];
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).expect("test hex")
    }

    #[test]
    fn t1_atr_with_capabilities() {
        // TD1 = 80 (T=0, TD2 follows), TD2 = 01 (T=1): TCK required.
        // Historical: 80 | 31 80 (DF selection by name) | 73 80 00 C0.
        let mut atr = hex("3B 87 80 01 80 31 80 73 80 00 C0 00");
        let tck = atr[1..atr.len() - 1].iter().fold(0, |a, b| a ^ b);
        *atr.last_mut().expect("non-empty") = tck;
        assert_eq!(historical_bytes(&atr), Ok(&hex("80 31 80 73 80 00 C0")[..]));
        let caps = card_capabilities(&atr).expect("has capabilities");
        assert!(caps.extended_length && caps.command_chaining);
        let bad = {
            let mut b = atr.clone();
            *b.last_mut().expect("non-empty") ^= 1;
            b
        };
        assert!(matches!(
            historical_bytes(&bad),
            Err(AtrError::BadCheckByte { .. })
        ));
    }

    #[test]
    fn t0_only_atr_has_no_tck() {
        // T0 = 02: no interface bytes, two historical bytes, T=0 implied.
        let atr = hex("3B 02 14 50");
        assert_eq!(historical_bytes(&atr), Ok(&[0x14, 0x50][..]));
        assert_eq!(card_capabilities(&atr), None);
        assert_eq!(
            historical_bytes(&hex("3B 03 14 50")),
            Err(AtrError::Truncated)
        );
        assert_eq!(
            historical_bytes(&hex("3B 02 14 50 00")),
            Err(AtrError::TrailingBytes(1))
        );
        assert_eq!(
            historical_bytes(&hex("12 00")),
            Err(AtrError::BadInitialCharacter(0x12))
        );
        assert_eq!(historical_bytes(&[]), Err(AtrError::Truncated));
    }

    #[test]
    fn category_00_with_status_indicator() {
        // 00 | 73 00 00 40 | status 00 90 00 ; T=0 only, no TCK.
        let atr = hex("3B 08 00 73 00 00 40 00 90 00");
        let caps = card_capabilities(&atr).expect("has capabilities");
        assert!(caps.extended_length && !caps.command_chaining);
    }
}
