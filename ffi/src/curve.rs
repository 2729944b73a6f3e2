//! The GOST R 34.10-2012 parameter sets, as an exported enum with the core's
//! names and OIDs.

use fkn_core::crypto::ec::CurveId;

/// A GOST R 34.10-2012 parameter set (the seven of RFC 8133 Appendix B).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum Curve {
    /// id-GostR3410-2001-CryptoPro-A-ParamSet (256-bit).
    CryptoProA,
    /// id-GostR3410-2001-CryptoPro-B-ParamSet (256-bit).
    CryptoProB,
    /// id-GostR3410-2001-CryptoPro-C-ParamSet (256-bit).
    CryptoProC,
    /// id-tc26-gost-3410-2012-256-paramSetA (256-bit, twisted Edwards form).
    Tc26_256A,
    /// id-tc26-gost-3410-2012-512-paramSetA (512-bit).
    Tc26_512A,
    /// id-tc26-gost-3410-2012-512-paramSetB (512-bit).
    Tc26_512B,
    /// id-tc26-gost-3410-2012-512-paramSetC (512-bit, twisted Edwards form).
    Tc26_512C,
}

impl From<CurveId> for Curve {
    fn from(c: CurveId) -> Self {
        match c {
            CurveId::CryptoProA => Curve::CryptoProA,
            CurveId::CryptoProB => Curve::CryptoProB,
            CurveId::CryptoProC => Curve::CryptoProC,
            CurveId::Tc26_256A => Curve::Tc26_256A,
            CurveId::Tc26_512A => Curve::Tc26_512A,
            CurveId::Tc26_512B => Curve::Tc26_512B,
            CurveId::Tc26_512C => Curve::Tc26_512C,
        }
    }
}

impl From<Curve> for CurveId {
    fn from(c: Curve) -> Self {
        match c {
            Curve::CryptoProA => CurveId::CryptoProA,
            Curve::CryptoProB => CurveId::CryptoProB,
            Curve::CryptoProC => CurveId::CryptoProC,
            Curve::Tc26_256A => CurveId::Tc26_256A,
            Curve::Tc26_512A => CurveId::Tc26_512A,
            Curve::Tc26_512B => CurveId::Tc26_512B,
            Curve::Tc26_512C => CurveId::Tc26_512C,
        }
    }
}

#[uniffi::export]
impl Curve {
    /// Short name, e.g. `tc26-256-a` (what the `fkn` command line takes).
    pub fn short_name(&self) -> String {
        CurveId::from(*self).name().to_owned()
    }

    /// The standard's identifier, e.g. `id-tc26-gost-3410-2012-256-paramSetA`.
    pub fn standard_name(&self) -> String {
        CurveId::from(*self).standard_name().to_owned()
    }

    /// Dotted OID, e.g. `1.2.643.7.1.2.1.1.1`.
    pub fn oid(&self) -> String {
        CurveId::from(*self).oid().to_owned()
    }

    /// Length in bytes of the digest a key on this curve signs (Streebog-256:
    /// 32, Streebog-512: 64); signatures are twice as long, public keys too.
    pub fn digest_length(&self) -> u32 {
        // 32 or 64: always fits.
        u32::try_from(CurveId::from(*self).digest_len()).unwrap_or(u32::MAX)
    }
}

/// Every curve the SDK supports, in the order OFP1 tokens list them.
#[uniffi::export]
pub fn all_curves() -> Vec<Curve> {
    CurveId::ALL.into_iter().map(Curve::from).collect()
}

/// Looks a curve up by short name (case-insensitive), standard name or dotted
/// OID; `null`/`nil` if none matches.
#[uniffi::export]
pub fn curve_from_name(name: String) -> Option<Curve> {
    CurveId::from_name(&name)
        .or_else(|| CurveId::from_oid(&name))
        .map(Curve::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curves_round_trip_and_keep_core_names() {
        assert_eq!(all_curves().len(), CurveId::ALL.len());
        for id in CurveId::ALL {
            let c = Curve::from(id);
            assert_eq!(CurveId::from(c), id);
            assert_eq!(c.short_name(), id.name());
            assert_eq!(curve_from_name(c.short_name()), Some(c));
            assert_eq!(curve_from_name(c.standard_name()), Some(c));
            assert_eq!(curve_from_name(c.oid()), Some(c));
        }
        assert_eq!(Curve::Tc26_512C.digest_length(), 64);
        assert_eq!(Curve::CryptoProA.digest_length(), 32);
        assert_eq!(curve_from_name("p-256".into()), None);
    }
}
