//! The token's own reading of command APDUs (ISO 7816-4 5.1), written apart
//! from the host's [`fkn_core::apdu::codec`] so that each checks the other.

/// A command APDU as the token received it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Apdu<'a> {
    /// Class byte, chaining bit included.
    pub cla: u8,
    /// Instruction.
    pub ins: u8,
    /// Parameter 1.
    pub p1: u8,
    /// Parameter 2.
    pub p2: u8,
    /// Command data (empty when Lc is absent).
    pub data: &'a [u8],
    /// Ne: the expected response length, `None` when Le is absent
    /// (`00` = 256, extended `00 00` = 65536).
    pub ne: Option<usize>,
    /// Whether the length fields were extended.
    pub extended: bool,
}

impl Apdu<'_> {
    /// `P1 P2` as one number.
    pub fn p1p2(&self) -> u16 {
        u16::from_be_bytes([self.p1, self.p2])
    }
}

/// Parses `raw`; `None` when its length fields do not add up (`67 00`).
pub(crate) fn parse(raw: &[u8]) -> Option<Apdu<'_>> {
    if raw.len() < 4 {
        return None;
    }
    let mut apdu = Apdu {
        cla: raw[0],
        ins: raw[1],
        p1: raw[2],
        p2: raw[3],
        data: &[],
        ne: None,
        extended: false,
    };
    let body = &raw[4..];
    let short_ne = |b: u8| if b == 0 { 256 } else { usize::from(b) };
    let ext_ne = |hi: u8, lo: u8| match usize::from(hi) << 8 | usize::from(lo) {
        0 => 65_536,
        n => n,
    };
    match body.len() {
        0 => {}
        1 => apdu.ne = Some(short_ne(body[0])),
        _ if body[0] != 0 => {
            // Short: Lc, data, optional Le.
            let lc = usize::from(body[0]);
            let rest = body.len() - 1;
            if rest == lc {
                apdu.data = &body[1..];
            } else if rest == lc + 1 {
                apdu.data = &body[1..=lc];
                apdu.ne = Some(short_ne(body[lc + 1]));
            } else {
                return None;
            }
        }
        3 => {
            apdu.extended = true;
            apdu.ne = Some(ext_ne(body[1], body[2]));
        }
        n if n > 3 => {
            apdu.extended = true;
            let lc = usize::from(body[1]) << 8 | usize::from(body[2]);
            if lc == 0 {
                return None;
            }
            let rest = n - 3;
            if rest == lc {
                apdu.data = &body[3..];
            } else if rest == lc + 2 {
                apdu.data = &body[3..3 + lc];
                apdu.ne = Some(ext_ne(body[3 + lc], body[4 + lc]));
            } else {
                return None;
            }
        }
        _ => return None,
    }
    Some(apdu)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<Apdu<'static>> {
        let bytes: &'static [u8] = Box::leak(hex::decode(s).expect("hex").into_boxed_slice());
        parse(bytes)
    }

    #[test]
    fn all_cases() {
        let a = p("00A40400").expect("case 1");
        assert_eq!((a.data.len(), a.ne, a.extended), (0, None, false));
        assert_eq!(p("0084000000").expect("2S").ne, Some(256));
        assert_eq!(p("0084000008").expect("2S").ne, Some(8));
        let a = p("00DA010002AABB").expect("3S");
        assert_eq!((a.data, a.ne), (&[0xAA, 0xBB][..], None));
        let a = p("00DA010002AABB00").expect("4S");
        assert_eq!((a.data, a.ne), (&[0xAA, 0xBB][..], Some(256)));
        let a = p("00840000000000").expect("2E");
        assert_eq!((a.ne, a.extended), (Some(65_536), true));
        let a = p("00DA0100000002AABB").expect("3E");
        assert_eq!((a.data, a.ne, a.extended), (&[0xAA, 0xBB][..], None, true));
        let a = p("00DA0100000002AABB0101").expect("4E");
        assert_eq!((a.data, a.ne), (&[0xAA, 0xBB][..], Some(257)));
        assert_eq!(a.p1p2(), 0x0100);
    }

    #[test]
    fn bad_lengths() {
        for s in [
            "",
            "00",
            "00A404",
            "00A404000000",
            "00A4040003AABB",
            "00A4040001AABBCC",
            "00A4040000000001",
            "00A404000000020102030405",
        ] {
            assert_eq!(p(s), None, "{s}");
        }
    }
}
