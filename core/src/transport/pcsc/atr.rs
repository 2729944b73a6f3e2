//! Just enough of the Answer-To-Reset to learn whether a card takes
//! extended-length APDUs (OFP1 Section 2).
//!
//! ISO/IEC 7816-3 8.2 gives the ATR layout (TS, T0, interface bytes, historical
//! bytes, TCK); ISO/IEC 7816-4 8.1.1 gives the historical bytes (category
//! indicator, COMPACT-TLV objects), and 8.1.1.2.7 the card capabilities object
//! (tag `7x`) whose third software function byte carries bit `0x40`,
//! "extended Lc and Le fields".

/// Why an ATR could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AtrError {
    /// The ATR ends before the bytes T0 and the TDi bytes announce.
    #[error("the ATR is truncated: T0/TDi announce more bytes than it has")]
    Truncated,
    /// TS is neither `3B` (direct) nor `3F` (inverse convention).
    #[error(
        "the ATR starts with {0:02X}, not 3B or 3F; the reader reported something that is not an ATR"
    )]
    BadInitialByte(u8),
    /// The check byte TCK does not make the XOR of T0..TCK zero.
    #[error("the ATR check byte TCK is wrong; the card or reader garbled the ATR")]
    BadChecksum,
    /// Bytes follow the last byte the ATR structure announces.
    #[error("the ATR has {0} byte(s) after its announced end")]
    TrailingBytes(usize),
}

/// The card capabilities object (compact tag 7, ISO/IEC 7816-4 8.1.1.2.7):
/// up to three software function bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CardCapabilities {
    /// The software function bytes present (first, second, third table).
    pub tables: [Option<u8>; 3],
}

impl CardCapabilities {
    /// Bit `0x40` of the third software function byte: extended Lc and Le.
    pub fn extended_length(&self) -> bool {
        self.tables[2].is_some_and(|b| b & 0x40 != 0)
    }

    /// Bit `0x80` of the third software function byte: command chaining.
    pub fn command_chaining(&self) -> bool {
        self.tables[2].is_some_and(|b| b & 0x80 != 0)
    }
}

/// Returns the historical bytes of `atr` after checking its structure
/// (ISO/IEC 7816-3 8.2), including TCK when one is required.
pub fn historical_bytes(atr: &[u8]) -> Result<&[u8], AtrError> {
    let ts = *atr.first().ok_or(AtrError::Truncated)?;
    if ts != 0x3B && ts != 0x3F {
        return Err(AtrError::BadInitialByte(ts));
    }
    let t0 = *atr.get(1).ok_or(AtrError::Truncated)?;
    let k = usize::from(t0 & 0x0F);
    let mut y = t0 >> 4;
    let mut pos = 2;
    // TCK is absent only when T=0 is the sole protocol indicated.
    let mut tck_present = false;
    loop {
        // TAi, TBi, TCi: skipped, only their count matters.
        pos += (y & 0x07).count_ones() as usize;
        if y & 0x08 == 0 {
            break;
        }
        let td = *atr.get(pos).ok_or(AtrError::Truncated)?;
        pos += 1;
        if td & 0x0F != 0 {
            tck_present = true;
        }
        y = td >> 4;
    }
    let historical = atr.get(pos..pos + k).ok_or(AtrError::Truncated)?;
    let mut end = pos + k;
    if tck_present {
        if atr.len() <= end {
            return Err(AtrError::Truncated);
        }
        // XOR of T0 up to and including TCK must be zero.
        if atr[1..=end].iter().fold(0u8, |acc, b| acc ^ b) != 0 {
            return Err(AtrError::BadChecksum);
        }
        end += 1;
    }
    if atr.len() > end {
        return Err(AtrError::TrailingBytes(atr.len() - end));
    }
    Ok(historical)
}

/// Finds the card capabilities object in historical bytes (ISO/IEC 7816-4
/// 8.1.1). Only categories `00` and `80` carry COMPACT-TLV objects; anything
/// else (proprietary layouts, malformed objects) yields `None`.
pub fn card_capabilities(historical: &[u8]) -> Option<CardCapabilities> {
    let (&category, rest) = historical.split_first()?;
    let mut objects = match category {
        // Category 00: the last three bytes are the status indicator, not TLV.
        0x00 => rest.get(..rest.len().checked_sub(3)?)?,
        0x80 => rest,
        _ => return None,
    };
    while let Some((&head, tail)) = objects.split_first() {
        let (tag, len) = (head >> 4, usize::from(head & 0x0F));
        let value = tail.get(..len)?;
        if tag == 0x7 {
            let mut caps = CardCapabilities::default();
            for (slot, byte) in caps.tables.iter_mut().zip(value) {
                *slot = Some(*byte);
            }
            return Some(caps);
        }
        objects = &tail[len..];
    }
    None
}

/// Whether the ATR announces extended-length APDUs. A malformed ATR, or one
/// without card capabilities, announces nothing: the host then stays with
/// short APDUs, which every card takes.
pub fn extended_length_supported(atr: &[u8]) -> bool {
    historical_bytes(atr)
        .ok()
        .and_then(card_capabilities)
        .is_some_and(|c| c.extended_length())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds `3B`, T0 and the interface bytes given, the historical bytes and,
    /// when `with_tck`, the right TCK.
    fn atr(y1: u8, interface: &[u8], historical: &[u8], with_tck: bool) -> Vec<u8> {
        let mut v = vec![0x3B, (y1 << 4) | historical.len() as u8];
        v.extend_from_slice(interface);
        v.extend_from_slice(historical);
        if with_tck {
            let x = v[1..].iter().fold(0u8, |a, b| a ^ b);
            v.push(x);
        }
        v
    }

    #[test]
    fn t1_atr_with_capabilities_announcing_extended_length() {
        // 3B 88 80 01 | 80 73 00 00 C0 4F 46 50 | 63: TD1 = 80 (TD2 follows,
        // T=0), TD2 = 01 (T=1) so TCK is present; 73 = caps, third byte C0.
        let hist = [0x80, 0x73, 0x00, 0x00, 0xC0, 0x4F, 0x46, 0x50];
        let a = atr(0x8, &[0x80, 0x01], &hist, true);
        assert_eq!(
            a,
            [
                0x3B, 0x88, 0x80, 0x01, 0x80, 0x73, 0x00, 0x00, 0xC0, 0x4F, 0x46, 0x50, 0x63
            ]
        );
        assert_eq!(historical_bytes(&a), Ok(&hist[..]));
        let caps = card_capabilities(&hist).unwrap();
        assert!(caps.extended_length());
        assert!(caps.command_chaining());
        assert!(extended_length_supported(&a));
    }

    #[test]
    fn third_byte_without_bit_0x40_means_short_only() {
        let hist = [0x80, 0x73, 0x00, 0x00, 0x80];
        let a = atr(0x8, &[0x80, 0x01], &hist, true);
        assert!(!extended_length_supported(&a));
        assert!(card_capabilities(&hist).unwrap().command_chaining());
    }

    #[test]
    fn capabilities_with_fewer_than_three_bytes_do_not_announce_it() {
        let hist = [0x80, 0x72, 0xFF, 0xFF];
        assert!(!card_capabilities(&hist).unwrap().extended_length());
    }

    #[test]
    fn capabilities_found_after_other_objects() {
        // 4F 03 = application identifier (3 bytes), then 73.
        let hist = [0x80, 0x43, 0x01, 0x02, 0x03, 0x73, 0x00, 0x00, 0x40];
        assert!(card_capabilities(&hist).unwrap().extended_length());
    }

    #[test]
    fn category_00_excludes_the_status_indicator() {
        // 73 .. .. 40 then status indicator 00 90 00.
        let hist = [0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x90, 0x00];
        let a = atr(0x8, &[0x80, 0x01], &hist, true);
        assert!(extended_length_supported(&a));
        // Here the "73" would be read from inside the status indicator.
        assert_eq!(card_capabilities(&[0x00, 0x73, 0x90, 0x00]), None);
        assert_eq!(card_capabilities(&[0x00, 0x90]), None);
    }

    #[test]
    fn proprietary_historical_bytes_announce_nothing() {
        // Category 0x59 ('Y'): proprietary, e.g. "Yubikey4".
        let a = atr(
            0xF,
            &[0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x15],
            b"Yubikey4",
            true,
        );
        assert!(historical_bytes(&a).is_ok());
        assert!(!extended_length_supported(&a));
    }

    #[test]
    fn t0_only_atr_has_no_tck() {
        // TA1 present, no TD: T=0 implicit, no TCK.
        let hist = [0x80, 0x73, 0x00, 0x00, 0x40];
        let a = atr(0x1, &[0x11], &hist, false);
        assert_eq!(historical_bytes(&a), Ok(&hist[..]));
        assert!(extended_length_supported(&a));
        // A byte after the historical bytes is then not a TCK but garbage.
        let mut b = a.clone();
        b.push(0x00);
        assert_eq!(historical_bytes(&b), Err(AtrError::TrailingBytes(1)));
    }

    #[test]
    fn wrong_tck_is_rejected() {
        let mut a = atr(0x8, &[0x80, 0x01], &[0x80, 0x73, 0, 0, 0x40], true);
        *a.last_mut().unwrap() ^= 0x01;
        assert_eq!(historical_bytes(&a), Err(AtrError::BadChecksum));
        assert!(!extended_length_supported(&a));
    }

    #[test]
    fn truncated_atrs_are_rejected() {
        let a = atr(0x8, &[0x80, 0x01], &[0x80, 0x73, 0, 0, 0x40], true);
        for n in 0..a.len() {
            assert!(historical_bytes(&a[..n]).is_err(), "prefix of {n} bytes");
        }
    }

    #[test]
    fn bad_initial_byte_is_rejected() {
        assert_eq!(
            historical_bytes(&[0x3C, 0x00]),
            Err(AtrError::BadInitialByte(0x3C))
        );
    }

    #[test]
    fn malformed_compact_tlv_is_ignored() {
        // 45 announces five bytes but only two follow.
        assert_eq!(card_capabilities(&[0x80, 0x45, 0x01, 0x02]), None);
        assert_eq!(card_capabilities(&[]), None);
    }
}
