//! Host-side BER-TLV for OFP1 (ISO 7816-4 data objects): one-byte tags,
//! definite lengths (`81 xx`, `82 xx xx`). Small enough that a general BER
//! crate would add more than it saves. [`parse`] reads token answers;
//! [`next`] is the strict reader secure messaging needs (shortest length form
//! only, so every object has exactly one encoding, and the raw bytes for MACs).
//! The virtual token has its own parser: it is the independent other party.

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
    /// A data object whose value the protocol does not allow there (an
    /// unknown reference or curve, a repeated template).
    #[error("unexpected value in TLV tag {0:02X}")]
    Unexpected(u8),
}

/// Appends `tag || len || value` to `out`.
pub fn put(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    put_len(out, value.len());
    out.extend_from_slice(value);
}

/// Bytes of tag and length in front of a value of `len` bytes.
pub fn header_len(len: usize) -> usize {
    match len {
        0..=0x7F => 2,
        0x80..=0xFF => 3,
        _ => 4,
    }
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

/// The largest value [`put`] can encode.
pub const MAX_VALUE_LEN: usize = 0xFFFF;

/// One object read from the front of a buffer.
pub struct Tlv<'a> {
    /// The tag.
    pub tag: u8,
    /// The value.
    pub value: &'a [u8],
    /// The whole object as encoded (tag, length and value), for MAC inputs.
    pub raw: &'a [u8],
}

/// Reads one TLV from the front of `data`; `None` when it is truncated or its
/// length is not in the shortest definite form. Returns the object and the rest.
pub fn next(data: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, header): (usize, usize) = match first {
        0x00..=0x7F => (usize::from(first), 2),
        0x81 => {
            let l = usize::from(*rest.first()?);
            if l < 0x80 {
                return None;
            }
            (l, 3)
        }
        0x82 => {
            let l = usize::from(*rest.first()?) << 8 | usize::from(*rest.get(1)?);
            if l < 0x100 {
                return None;
            }
            (l, 4)
        }
        _ => return None,
    };
    let total = header.checked_add(len)?;
    if data.len() < total {
        return None;
    }
    let (raw, rest) = data.split_at(total);
    Some((
        Tlv {
            tag,
            value: &raw[header..],
            raw,
        },
        rest,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_round_trip() {
        for len in [0usize, 1, 127, 128, 255, 256, 8192] {
            let v = vec![0xAB; len];
            let enc = tlv(0x70, &v);
            assert_eq!(enc.len(), header_len(len) + len);
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

    #[test]
    fn round_trip_and_shortest_form_only() {
        for len in [0usize, 1, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF] {
            let mut enc = Vec::new();
            put(&mut enc, 0x85, &vec![0xAB; len]);
            enc.push(0x99);
            let (t, rest) = next(&enc).expect("well-formed");
            assert_eq!((t.tag, t.value.len(), rest), (0x85, len, &[0x99][..]));
            assert_eq!(t.raw, &enc[..enc.len() - 1]);
        }
        assert!(next(&[0x85, 0x81, 0x05, 1, 2, 3, 4, 5]).is_none());
        assert!(next(&[0x85, 0x82, 0x00, 0x05, 1, 2, 3, 4, 5]).is_none());
        assert!(next(&[0x85, 0x83, 0, 0, 1, 0]).is_none());
        assert!(next(&[0x85, 0x80]).is_none());
        assert!(next(&[0x85, 2, 0]).is_none());
        assert!(next(&[0x85]).is_none());
        assert!(next(&[]).is_none());
    }
}
