//! The data of CHANGE REFERENCE DATA as the card reads it: `80 02 len`
//! (the total value length, first segment only) then `A5 n value`
//! objects whose length is one raw byte (up to 255; not BER, which OpenSC
//! notes the card does not take above 127), each chained segment a whole
//! number of objects.

use super::apdu::SW_WRONG_DATA;
use super::card::Chain;

/// Adds one segment's objects to `chain` (`6A 80` if it does not parse).
pub(super) fn append_segment(chain: &mut Chain, mut data: &[u8]) -> Result<(), u16> {
    let first = chain.declared.is_none();
    if first {
        match data {
            [0x80, 0x02, h, l, rest @ ..] => {
                chain.declared = Some(usize::from(u16::from_be_bytes([*h, *l])));
                data = rest;
            }
            _ => return Err(SW_WRONG_DATA),
        }
    }
    if data.is_empty() && !first {
        return Err(SW_WRONG_DATA);
    }
    while let [0xA5, n, rest @ ..] = data {
        let n = usize::from(*n);
        if rest.len() < n {
            return Err(SW_WRONG_DATA);
        }
        chain.value.extend_from_slice(&rest[..n]);
        data = &rest[n..];
    }
    if data.is_empty() {
        Ok(())
    } else {
        Err(SW_WRONG_DATA)
    }
}
