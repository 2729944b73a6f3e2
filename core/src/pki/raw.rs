//! A minimal DER TLV walker. Signatures cover the bytes as received, so the
//! signed parts of certificates, requests and CMS signer infos are cut out of
//! the input here rather than re-encoded after parsing.

use super::PkiError;

/// One DER element.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet (single-byte tags only).
    pub tag: u8,
    /// The contents octets.
    pub value: &'a [u8],
    /// The whole element, header included.
    pub raw: &'a [u8],
}

/// Reads the element at the start of `input`; returns it and the rest.
/// Rejects high tag numbers, indefinite and non-minimal lengths.
pub(crate) fn next<'a>(
    input: &'a [u8],
    what: &'static str,
) -> Result<(Tlv<'a>, &'a [u8]), PkiError> {
    let bad = |detail: &str| PkiError::MalformedDer {
        what,
        detail: detail.to_owned(),
    };
    let (&tag, rest) = input
        .split_first()
        .ok_or_else(|| bad("unexpected end of data"))?;
    if tag & 0x1F == 0x1F {
        return Err(bad("multi-byte tags are not used by these structures"));
    }
    let (&first, rest) = rest.split_first().ok_or_else(|| bad("truncated length"))?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else if first == 0x80 {
        return Err(bad("indefinite length (BER) is not DER"));
    } else {
        let n = usize::from(first & 0x7F);
        if n > 4 {
            return Err(bad("length field longer than 4 bytes"));
        }
        let bytes = rest.get(..n).ok_or_else(|| bad("truncated length"))?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        if bytes[0] == 0 || len < 0x80 {
            return Err(bad("non-minimal length encoding"));
        }
        (len, &rest[n..])
    };
    let value = rest
        .get(..len)
        .ok_or_else(|| bad("length runs past the end of the data"))?;
    let header = input.len() - rest.len();
    Ok((
        Tlv {
            tag,
            value,
            raw: &input[..header + len],
        },
        &rest[len..],
    ))
}

/// Reads exactly one element filling all of `input`, with tag `tag`.
pub(crate) fn single<'a>(
    input: &'a [u8],
    tag: u8,
    what: &'static str,
) -> Result<Tlv<'a>, PkiError> {
    let (tlv, rest) = next(input, what)?;
    if tlv.tag != tag {
        return Err(PkiError::MalformedDer {
            what,
            detail: format!("expected tag {tag:#04x}, found {:#04x}", tlv.tag),
        });
    }
    if !rest.is_empty() {
        return Err(PkiError::MalformedDer {
            what,
            detail: format!("{} trailing bytes after the structure", rest.len()),
        });
    }
    Ok(tlv)
}

/// The elements inside a constructed value.
pub(crate) fn children<'a>(value: &'a [u8], what: &'static str) -> Result<Vec<Tlv<'a>>, PkiError> {
    let mut out = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let (tlv, r) = next(rest, what)?;
        out.push(tlv);
        rest = r;
    }
    Ok(out)
}

/// The first element of a `SEQUENCE` that fills `der`: the signed part of a
/// certificate, CRL or certification request.
pub(crate) fn first_of_sequence<'a>(
    der: &'a [u8],
    what: &'static str,
) -> Result<&'a [u8], PkiError> {
    let outer = single(der, 0x30, what)?;
    let (first, _) = next(outer.value, what)?;
    Ok(first.raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_short_and_long_forms() {
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend([7u8; 0x80]);
        let (t, rest) = next(&long, "t").unwrap();
        assert_eq!(
            (t.tag, t.value.len(), t.raw.len(), rest.len()),
            (4, 128, 131, 0)
        );
        let seq = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xAA];
        let kids = children(single(&seq, 0x30, "t").unwrap().value, "t").unwrap();
        assert_eq!(kids.len(), 2);
        assert_eq!(kids[1].raw, &[0x04, 0x01, 0xAA]);
        assert_eq!(first_of_sequence(&seq, "t").unwrap(), &[0x02, 0x01, 0x05]);
    }

    #[test]
    fn rejects_non_der() {
        let cases: [&[u8]; 8] = [
            &[],
            &[0x30],
            &[0x30, 0x80, 0x00, 0x00],             // indefinite
            &[0x30, 0x81, 0x05, 0, 0, 0, 0, 0],    // non-minimal
            &[0x30, 0x82, 0x00, 0x90],             // leading zero
            &[0x30, 0x85, 1, 0, 0, 0, 0],          // 5-byte length
            &[0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF], // huge length
            &[0x1F, 0x81, 0x01, 0x00],             // high tag number
        ];
        for c in cases {
            assert!(
                matches!(next(c, "t"), Err(PkiError::MalformedDer { .. })),
                "{c:02x?}"
            );
        }
        assert!(single(&[0x30, 0x00, 0x00], 0x30, "t").is_err());
        assert!(single(&[0x31, 0x00], 0x30, "t").is_err());
    }
}
