//! The virtual token's Answer-To-Reset (ISO/IEC 7816-3 8.2).

/// Bit of the third software function byte announcing extended Lc/Le
/// (ISO/IEC 7816-4 8.1.1.2.7; OFP1 Section 2).
pub const EXTENDED_LENGTH_BIT: u8 = 0x40;
/// Bit of the same byte announcing command chaining.
pub const COMMAND_CHAINING_BIT: u8 = 0x80;

/// `3B 8K 80 01 <historical> TCK`: TD1 = `80` (T=0, TD2 follows), TD2 = `01`
/// (T=1), so TCK is present. Historical bytes: category `80`, card service
/// data `31 80` (selection by full DF name), card capabilities
/// `73 80 00 xx` with chaining and, when on, extended length.
pub(crate) fn build(extended_length: bool) -> Vec<u8> {
    let third = COMMAND_CHAINING_BIT
        | if extended_length {
            EXTENDED_LENGTH_BIT
        } else {
            0
        };
    let historical = [0x80, 0x31, 0x80, 0x73, 0x80, 0x00, third];
    let mut atr = vec![0x3B, 0x80 | historical.len() as u8, 0x80, 0x01];
    atr.extend_from_slice(&historical);
    // TCK: XOR of T0 .. last historical byte.
    let tck = atr[1..].iter().fold(0, |acc, b| acc ^ b);
    atr.push(tck);
    atr
}

#[cfg(test)]
mod tests {
    use super::*;
    use fkn_core::transport::atr::{card_capabilities, historical_bytes};

    #[test]
    fn atr_announces_capabilities_with_a_valid_tck() {
        for ext in [false, true] {
            let atr = build(ext);
            // XOR over T0..TCK is zero.
            assert_eq!(atr[1..].iter().fold(0, |a, b| a ^ b), 0);
            assert_eq!(historical_bytes(&atr).expect("well formed").len(), 7);
            let caps = card_capabilities(&atr).expect("capabilities");
            assert_eq!(caps.extended_length, ext);
            assert!(caps.command_chaining);
        }
        assert_eq!(hex::encode_upper(build(true)), "3B878001803180738000C004");
    }
}
