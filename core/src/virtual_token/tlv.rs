//! BER-TLV building with one-byte tags (OFP1 Section 1), token side.

/// Appends the definite length of `len` (`xx`, `81 xx`, `82 xx xx`, ...).
pub(crate) fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
        return;
    }
    let bytes = (len as u64).to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    out.push(0x80 | (8 - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

/// Appends `tag len value`.
pub(crate) fn push(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    push_len(out, value.len());
    out.extend_from_slice(value);
}

/// `tag len value` as a new vector.
pub(crate) fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 4);
    push(&mut out, tag, value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_forms() {
        assert_eq!(tlv(0x80, &[1]), [0x80, 0x01, 0x01]);
        assert_eq!(&tlv(0x70, &[0; 127])[..2], &[0x70, 0x7F]);
        assert_eq!(&tlv(0x70, &[0; 128])[..3], &[0x70, 0x81, 0x80]);
        assert_eq!(&tlv(0x70, &[0; 255])[..3], &[0x70, 0x81, 0xFF]);
        assert_eq!(&tlv(0x70, &[0; 256])[..4], &[0x70, 0x82, 0x01, 0x00]);
        assert_eq!(
            &tlv(0x70, &[0; 65_536])[..5],
            &[0x70, 0x83, 0x01, 0x00, 0x00]
        );
    }
}
