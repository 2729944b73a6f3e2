//! BER-TLV with one-byte tags (OFP1 Section 1), token side: building, and
//! reading command data (`6A 80` when it does not parse).

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

/// Command data that is not a sequence of well-formed TLVs (`6A 80`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Malformed;

/// Splits `data` into `(tag, value)` pairs. Lengths: `xx` (< 80), `81 xx`,
/// `82 xx xx`; every byte must belong to an object.
pub(crate) fn parse(mut data: &[u8]) -> Result<Vec<(u8, &[u8])>, Malformed> {
    let mut out = Vec::new();
    while let [tag, first, rest @ ..] = data {
        let (len, rest) = match (*first, rest) {
            (l @ 0..=0x7F, rest) => (usize::from(l), rest),
            (0x81, [l, rest @ ..]) => (usize::from(*l), rest),
            (0x82, [h, l, rest @ ..]) => (usize::from(u16::from_be_bytes([*h, *l])), rest),
            _ => return Err(Malformed),
        };
        if rest.len() < len {
            return Err(Malformed);
        }
        let (value, rest) = rest.split_at(len);
        out.push((*tag, value));
        data = rest;
    }
    if data.is_empty() {
        Ok(out)
    } else {
        Err(Malformed)
    }
}

/// The value of a data object that must be the only thing in `data`.
pub(crate) fn single(data: &[u8], tag: u8) -> Result<&[u8], Malformed> {
    match parse(data)?.as_slice() {
        [(t, v)] if *t == tag => Ok(v),
        _ => Err(Malformed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_it_builds() {
        let mut data = tlv(0x84, &[1, 2]);
        push(&mut data, 0x70, &[7; 300]);
        push(&mut data, 0x88, &[]);
        let objects = parse(&data).expect("well formed");
        assert_eq!(objects.len(), 3);
        assert_eq!(objects[0], (0x84, &[1u8, 2][..]));
        assert_eq!((objects[1].0, objects[1].1.len()), (0x70, 300));
        assert_eq!(objects[2], (0x88, &[][..]));
        assert_eq!(parse(&[]), Ok(vec![]));
        assert_eq!(
            parse(&[0x84, 0x81, 0x01, 0xAA]),
            Ok(vec![(0x84, &[0xAA][..])])
        );
        assert_eq!(single(&tlv(0x84, &[5]), 0x84), Ok(&[5u8][..]));
    }

    #[test]
    fn refuses_what_does_not_add_up() {
        for bad in [
            &[0x84][..],
            &[0x84, 0x02, 0x01],
            &[0x84, 0x80],
            &[0x84, 0x83, 0, 0, 1, 0],
            &[0x84, 0x81],
            &[0x84, 0x82, 0x01],
            &[0x84, 0x01, 0x01, 0x00],
        ] {
            assert_eq!(parse(bad), Err(Malformed), "{bad:02X?}");
        }
        assert_eq!(single(&tlv(0x85, &[5]), 0x84), Err(Malformed));
        let two = [tlv(0x84, &[5]), tlv(0x84, &[6])].concat();
        assert_eq!(single(&two, 0x84), Err(Malformed));
    }

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
