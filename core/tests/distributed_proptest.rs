//! For random keys and digests, the two-party signature is an ordinary GOST
//! R 34.10-2012 signature under `Q`, on all seven curves.

mod distributed_common;

use distributed_common::{Lab, PIN};
use fkn_core::crypto::ec::CurveId;
use fkn_core::crypto::hash::streebog512;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(28))]

    #[test]
    fn two_party_signatures_verify_as_plain_gost(
        curve_ix in 0usize..7,
        seed in any::<[u8; 32]>(),
        zero_digest in prop::bool::weighted(0.1),
    ) {
        let curve = CurveId::ALL[curve_ix];
        let lab = Lab::new();
        let id = lab.keygen("p", curve);
        let key = lab.device.unlock(&id, PIN).unwrap();
        let public = lab.device.public_key(&id).unwrap();
        for i in 0..2u8 {
            let mut input = seed.to_vec();
            input.push(i);
            let digest = if zero_digest {
                vec![0u8; curve.digest_len()] // e = 0 mod q, signed with e = 1
            } else {
                streebog512(&input)[..curve.digest_len()].to_vec()
            };
            let sig = key.sign_digest(&digest).unwrap();
            prop_assert_eq!(sig.len(), 2 * curve.coord_len());
            prop_assert!(public.verify_digest(&digest, &sig).is_ok());
            let mut other = digest.clone();
            other[5] ^= 1;
            prop_assert!(public.verify_digest(&other, &sig).is_err());
        }
    }
}

/// Every curve at least once, whatever proptest draws.
#[test]
fn every_curve_signs() {
    for curve in CurveId::ALL {
        let lab = Lab::new();
        let id = lab.keygen("c", curve);
        let key = lab.device.unlock(&id, PIN).unwrap();
        let d = vec![0xA5; curve.digest_len()];
        let sig = key.sign_digest(&d).unwrap();
        key.verifying_key().verify_digest(&d, &sig).unwrap();
    }
}
