//! Host-side BER-TLV for OFP1: one-byte tags, definite lengths (`81 xx`,
//! `82 xx xx`). Small enough that a general BER crate would add more than it saves;
//! the virtual token has its own parser (it is the independent other party).

/// Why a TLV structure could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TlvError {
    /// The data ended inside a tag, length or value.
    #[error("truncated TLV")]
    Truncated,
    /// A length form OFP1 does not use (indefinite or longer than `82`).
    #[error("unsupported TLV length encoding")]
    BadLength,
    /// A required tag was absent.
    #[error("missing TLV tag {0:02X}")]
    Missing(u8),
}

/// Appends `tag || len || value` to `out`.
pub fn put(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    put_len(out, value.len());
    out.extend_from_slice(value);
}

/// Encodes a definite length.
pub fn put_len(out: &mut Vec<u8>, len: usize) {
    match len {
        0..=0x7F => out.push(len as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
        _ => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
    }
}

/// `tag || len || value` as a new vector.
pub fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(value.len() + 4);
    put(&mut out, tag, value);
    out
}

/// Iterates over the TLVs of a byte string: `(tag, value)` pairs.
pub fn parse(mut data: &[u8]) -> Result<Vec<(u8, &[u8])>, TlvError> {
    let mut items = Vec::new();
    while !data.is_empty() {
        let (&tag, rest) = data.split_first().ok_or(TlvError::Truncated)?;
        let (&first, rest) = rest.split_first().ok_or(TlvError::Truncated)?;
        let (len, rest) = match first {
            0x00..=0x7F => (usize::from(first), rest),
            0x81 => {
                let (&l, rest) = rest.split_first().ok_or(TlvError::Truncated)?;
                (usize::from(l), rest)
            }
            0x82 => {
                if rest.len() < 2 {
                    return Err(TlvError::Truncated);
                }
                (usize::from(rest[0]) << 8 | usize::from(rest[1]), &rest[2..])
            }
            _ => return Err(TlvError::BadLength),
        };
        if rest.len() < len {
            return Err(TlvError::Truncated);
        }
        items.push((tag, &rest[..len]));
        data = &rest[len..];
    }
    Ok(items)
}

/// The value of the first TLV with `tag`.
pub fn find<'a>(items: &[(u8, &'a [u8])], tag: u8) -> Result<&'a [u8], TlvError> {
    items
        .iter()
        .find(|(t, _)| *t == tag)
        .map(|(_, v)| *v)
        .ok_or(TlvError::Missing(tag))
}

/// Parses `data` as exactly one TLV with `tag` and returns its value.
pub fn expect_single(data: &[u8], tag: u8) -> Result<&[u8], TlvError> {
    match parse(data)?.as_slice() {
        [(t, v)] if *t == tag => Ok(v),
        _ => Err(TlvError::Missing(tag)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 8192] {
            let v = vec![0xAB; len];
            let enc = tlv(0x70, &v);
            let items = parse(&enc).unwrap();
            assert_eq!(items, vec![(0x70, v.as_slice())]);
        }
        assert_eq!(tlv(0x84, &[1])[..], [0x84, 1, 1]);
        assert_eq!(&tlv(0x84, &[0; 128])[..3], &[0x84, 0x81, 0x80]);
        assert_eq!(&tlv(0x84, &[0; 256])[..4], &[0x84, 0x82, 0x01, 0x00]);
    }

    #[test]
    fn rejects_truncated_and_odd_lengths() {
        assert_eq!(parse(&[0x84]), Err(TlvError::Truncated));
        assert_eq!(parse(&[0x84, 2, 0]), Err(TlvError::Truncated));
        assert_eq!(parse(&[0x84, 0x81]), Err(TlvError::Truncated));
        assert_eq!(parse(&[0x84, 0x82, 0]), Err(TlvError::Truncated));
        assert_eq!(parse(&[0x84, 0x80]), Err(TlvError::BadLength));
        assert_eq!(parse(&[0x84, 0x83, 0, 0, 1]), Err(TlvError::BadLength));
        assert_eq!(
            expect_single(&[0x84, 0, 0x85, 0], 0x84),
            Err(TlvError::Missing(0x84))
        );
    }
}
