//! Looking curves up. The enum itself is `fkn_core`'s `CurveId`, exported
//! as `Curve` with its methods (short name, standard name, OID, digest
//! length).

use fkn_core::crypto::ec::CurveId;

/// Every curve the SDK supports, in the order OFP1 tokens list them.
#[uniffi::export]
pub fn all_curves() -> Vec<CurveId> {
    CurveId::ALL.to_vec()
}

/// Looks a curve up by short name (case-insensitive), standard name or dotted
/// OID; `null`/`nil` if none matches.
#[uniffi::export]
pub fn curve_from_name(name: String) -> Option<CurveId> {
    CurveId::from_name(&name).or_else(|| CurveId::from_oid(&name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_curve_is_found_by_each_of_its_names() {
        assert_eq!(all_curves().len(), CurveId::ALL.len());
        for id in CurveId::ALL {
            assert_eq!(curve_from_name(id.short_name()), Some(id));
            assert_eq!(curve_from_name(id.standard_name_string()), Some(id));
            assert_eq!(curve_from_name(id.oid_string()), Some(id));
        }
        assert_eq!(CurveId::Tc26_512C.digest_length(), 64);
        assert_eq!(CurveId::CryptoProA.digest_length(), 32);
        assert_eq!(curve_from_name("p-256".into()), None);
    }
}
