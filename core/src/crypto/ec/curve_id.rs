//! The seven parameter sets of RFC 8133 Appendix B, by name and OID.

/// A GOST R 34.10 parameter set (RFC 8133 Appendix B).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CurveId {
    /// id-GostR3410-2001-CryptoPro-A-ParamSet, 1.2.643.2.2.35.1
    CryptoProA,
    /// id-GostR3410-2001-CryptoPro-B-ParamSet, 1.2.643.2.2.35.2
    CryptoProB,
    /// id-GostR3410-2001-CryptoPro-C-ParamSet, 1.2.643.2.2.35.3
    CryptoProC,
    /// id-tc26-gost-3410-2012-256-paramSetA, 1.2.643.7.1.2.1.1.1 (cofactor 4)
    Tc26_256A,
    /// id-tc26-gost-3410-2012-512-paramSetA, 1.2.643.7.1.2.1.2.1
    Tc26_512A,
    /// id-tc26-gost-3410-2012-512-paramSetB, 1.2.643.7.1.2.1.2.2
    Tc26_512B,
    /// id-tc26-gost-3410-2012-512-paramSetC, 1.2.643.7.1.2.1.2.3 (cofactor 4)
    Tc26_512C,
}

impl CurveId {
    /// Every supported curve, in the order OFP1 tokens list them.
    pub const ALL: [CurveId; 7] = [
        CurveId::CryptoProA,
        CurveId::CryptoProB,
        CurveId::CryptoProC,
        CurveId::Tc26_512A,
        CurveId::Tc26_512B,
        CurveId::Tc26_256A,
        CurveId::Tc26_512C,
    ];

    /// Short CLI name, e.g. `tc26-256-a`.
    pub const fn name(self) -> &'static str {
        match self {
            CurveId::CryptoProA => "cryptopro-a",
            CurveId::CryptoProB => "cryptopro-b",
            CurveId::CryptoProC => "cryptopro-c",
            CurveId::Tc26_256A => "tc26-256-a",
            CurveId::Tc26_512A => "tc26-512-a",
            CurveId::Tc26_512B => "tc26-512-b",
            CurveId::Tc26_512C => "tc26-512-c",
        }
    }

    /// The standard's identifier, e.g. `id-tc26-gost-3410-2012-256-paramSetA`.
    pub const fn standard_name(self) -> &'static str {
        match self {
            CurveId::CryptoProA => "id-GostR3410-2001-CryptoPro-A-ParamSet",
            CurveId::CryptoProB => "id-GostR3410-2001-CryptoPro-B-ParamSet",
            CurveId::CryptoProC => "id-GostR3410-2001-CryptoPro-C-ParamSet",
            CurveId::Tc26_256A => "id-tc26-gost-3410-2012-256-paramSetA",
            CurveId::Tc26_512A => "id-tc26-gost-3410-2012-512-paramSetA",
            CurveId::Tc26_512B => "id-tc26-gost-3410-2012-512-paramSetB",
            CurveId::Tc26_512C => "id-tc26-gost-3410-2012-512-paramSetC",
        }
    }

    /// Dotted OID.
    pub const fn oid(self) -> &'static str {
        match self {
            CurveId::CryptoProA => "1.2.643.2.2.35.1",
            CurveId::CryptoProB => "1.2.643.2.2.35.2",
            CurveId::CryptoProC => "1.2.643.2.2.35.3",
            CurveId::Tc26_256A => "1.2.643.7.1.2.1.1.1",
            CurveId::Tc26_512A => "1.2.643.7.1.2.1.2.1",
            CurveId::Tc26_512B => "1.2.643.7.1.2.1.2.2",
            CurveId::Tc26_512C => "1.2.643.7.1.2.1.2.3",
        }
    }

    /// `ID_ALG` of OFP1: the full DER TLV of the OID (`06 len ...`).
    pub const fn oid_der(self) -> &'static [u8] {
        match self {
            CurveId::CryptoProA => &[0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x01],
            CurveId::CryptoProB => &[0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x02],
            CurveId::CryptoProC => &[0x06, 0x07, 0x2A, 0x85, 0x03, 0x02, 0x02, 0x23, 0x03],
            CurveId::Tc26_256A => &[
                0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x01, 0x01,
            ],
            CurveId::Tc26_512A => &[
                0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x01,
            ],
            CurveId::Tc26_512B => &[
                0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x02,
            ],
            CurveId::Tc26_512C => &[
                0x06, 0x09, 0x2A, 0x85, 0x03, 0x07, 0x01, 0x02, 0x01, 0x02, 0x03,
            ],
        }
    }

    /// Looks a curve up by its CLI name (case-insensitive) or standard name.
    pub fn from_name(name: &str) -> Option<CurveId> {
        Self::ALL.into_iter().find(|c| {
            c.name().eq_ignore_ascii_case(name) || c.standard_name().eq_ignore_ascii_case(name)
        })
    }

    /// Looks a curve up by its dotted OID.
    pub fn from_oid(oid: &str) -> Option<CurveId> {
        Self::ALL.into_iter().find(|c| c.oid() == oid)
    }

    /// Looks a curve up by the full DER TLV of its OID (`ID_ALG`).
    pub fn from_oid_der(der: &[u8]) -> Option<CurveId> {
        Self::ALL.into_iter().find(|c| c.oid_der() == der)
    }

    /// Coordinate (and scalar) length in bytes: 32 or 64.
    pub const fn coord_len(self) -> usize {
        match self {
            CurveId::CryptoProA
            | CurveId::CryptoProB
            | CurveId::CryptoProC
            | CurveId::Tc26_256A => 32,
            CurveId::Tc26_512A | CurveId::Tc26_512B | CurveId::Tc26_512C => 64,
        }
    }

    /// Digest length a key on this curve signs: Streebog-256 or Streebog-512.
    pub const fn digest_len(self) -> usize {
        self.coord_len()
    }

    /// Group order divided by subgroup order (`m/q`): 4 for the two twisted
    /// Edwards-equivalent tc26 sets, 1 otherwise.
    pub const fn cofactor(self) -> u32 {
        match self {
            CurveId::Tc26_256A | CurveId::Tc26_512C => 4,
            _ => 1,
        }
    }
}

impl core::fmt::Display for CurveId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_der_matches_dotted_oid() {
        for c in CurveId::ALL {
            let der = c.oid_der();
            assert_eq!(der[0], 0x06);
            assert_eq!(der[1] as usize, der.len() - 2);
            // Decode base-128 arcs and compare with the dotted form.
            let mut arcs = vec![];
            let mut v = 0u64;
            for &b in &der[2..] {
                v = (v << 7) | u64::from(b & 0x7F);
                if b & 0x80 == 0 {
                    arcs.push(v);
                    v = 0;
                }
            }
            let mut dotted = vec![arcs[0] / 40, arcs[0] % 40];
            dotted.extend_from_slice(&arcs[1..]);
            let s: Vec<String> = dotted.iter().map(u64::to_string).collect();
            assert_eq!(s.join("."), c.oid());
            assert_eq!(CurveId::from_oid_der(der), Some(c));
            assert_eq!(CurveId::from_name(&c.name().to_uppercase()), Some(c));
        }
    }
}
