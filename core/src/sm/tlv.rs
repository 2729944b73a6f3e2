//! The few BER-TLV operations secure messaging needs: one-byte tags, definite
//! lengths up to `82 xx xx`, and a strict reader that accepts only the
//! shortest length form (so each object has exactly one encoding).

/// Appends `tag || len || value`.
pub(super) fn put(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    let len = value.len();
    match len {
        0..=0x7F => out.push(len as u8),
        0x80..=0xFF => out.extend_from_slice(&[0x81, len as u8]),
        _ => out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]),
    }
    out.extend_from_slice(value);
}

/// The largest value [`put`] can encode.
pub(super) const MAX_VALUE_LEN: usize = 0xFFFF;

/// One object read from the front of a buffer.
pub(super) struct Tlv<'a> {
    /// The tag.
    pub tag: u8,
    /// The value.
    pub value: &'a [u8],
    /// The whole object as encoded (tag, length and value), for MAC inputs.
    pub raw: &'a [u8],
}

/// Reads one TLV from the front of `data`; `None` when it is truncated or its
/// length is not in the shortest definite form. Returns the object and the rest.
pub(super) fn next(data: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
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
