//! The arithmetic of one two-party signature, shared by both roles.
//!
//! FROST-style (RFC 9591 Section 5): each party `i` has two nonces
//! `(a_i, b_i)` with commitments `(D_i, E_i) = (a_i*P, b_i*P)`. The binding
//! factor `rho_i = H(context, curve, key id, Q, digest, all commitments, i)`
//! makes each party's effective nonce `k_i = a_i + rho_i*b_i` depend on the
//! message and on every commitment, which defeats the ROS attack on
//! concurrent sessions (Drijvers et al. 2019; Benhamouda et al. 2021).
//! Then `R = sum(D_i + rho_i*E_i)`, `r = x(R) mod q`, `e` as OFP1 Section 1,
//! and GOST's `s = r*d + e*k` splits into partials
//! `s_i = r*d_i + e*k_i`, so `s = s_dev + s_srv` is an ordinary signature.

use super::error::{DistributedError, Field, Result};
use super::ids::KeyId;
use super::transcript::Transcript;
use crate::crypto::ec::{CurveId, Point, Scalar};

/// Everything the binding factors commit to.
pub(crate) struct SignInputs<'a> {
    pub key_id: &'a KeyId,
    pub public: &'a Point,
    pub digest: &'a [u8],
    pub index: u64,
    pub dev_d: &'a Point,
    pub dev_e: &'a Point,
    pub srv_d: &'a Point,
    pub srv_e: &'a Point,
}

/// The public values of one signature both parties derive.
pub(crate) struct Binding {
    pub rho_dev: Scalar,
    pub rho_srv: Scalar,
    pub r: Scalar,
    pub e: Scalar,
}

/// `e = int_LE(digest) mod q`, or 1 when that is zero (OFP1 Section 1).
pub(crate) fn e_from_digest(curve: CurveId, digest: &[u8]) -> Result<Scalar> {
    if digest.len() != curve.digest_len() {
        return Err(DistributedError::DigestLength {
            curve,
            expected: curve.digest_len(),
            got: digest.len(),
        });
    }
    let e = Scalar::from_le_bytes_reduced(curve, digest);
    Ok(if e.is_zero() { Scalar::one(curve) } else { e })
}

/// `x(p) mod q` of a finite point.
fn x_mod_q(p: &Point) -> Option<Scalar> {
    let (x, _) = p.to_affine_be()?;
    Some(Scalar::from_be_bytes_reduced(p.curve(), &x))
}

/// Binding factors, `r` and `e`. Fails with [`Field::JointNonce`] when
/// `R = O` or `r = 0` (probability about `1/q` for honest parties).
pub(crate) fn bind(inp: &SignInputs<'_>) -> Result<Binding> {
    let curve = inp.public.curve();
    let e = e_from_digest(curve, inp.digest)?;
    let mut t = Transcript::new("binding factor");
    t.curve(curve)
        .bytes(inp.key_id.as_str().as_bytes())
        .point(inp.public)
        .bytes(inp.digest)
        .point(inp.dev_d)
        .point(inp.dev_e)
        .u64(inp.index)
        .point(inp.srv_d)
        .point(inp.srv_e);
    let rho = |i: u64| {
        let mut t = t.clone();
        t.u64(i);
        t.challenge(curve)
    };
    let (rho_dev, rho_srv) = (rho(0), rho(1));
    // All four commitments and both factors are public: variable time is fine.
    let big_r = inp
        .dev_d
        .add(&inp.dev_e.mul_vartime(&rho_dev))
        .add(inp.srv_d)
        .add(&inp.srv_e.mul_vartime(&rho_srv));
    let r = x_mod_q(&big_r)
        .filter(|r| !r.is_zero())
        .ok_or(DistributedError::Degenerate(Field::JointNonce))?;
    Ok(Binding {
        rho_dev,
        rho_srv,
        r,
        e,
    })
}

/// A party's partial `s_i = r*d_i + e*(a_i + rho_i*b_i)`, constant time.
pub(crate) fn partial(
    b: &Binding,
    share: &Scalar,
    a: &Scalar,
    bn: &Scalar,
    rho: &Scalar,
) -> Scalar {
    b.r.mul(share).add(&b.e.mul(&a.add(&rho.mul(bn))))
}

/// `s_i*P == r*Q_i + e*(D_i + rho_i*E_i)`: the partial belongs to the share
/// whose public part is `q_i` (variable time: all values public).
pub(crate) fn partial_is_valid(
    b: &Binding,
    s_i: &Scalar,
    q_i: &Point,
    d_i: &Point,
    e_i: &Point,
    rho: &Scalar,
) -> bool {
    let curve = q_i.curve();
    let lhs = Point::generator(curve).mul_vartime(s_i);
    let k_point = d_i.add(&e_i.mul_vartime(rho));
    let rhs = q_i.mul_vartime(&b.r).add(&k_point.mul_vartime(&b.e));
    lhs == rhs
}

/// Signature octets `s || r`, each big-endian in `n` bytes.
pub(crate) fn signature_bytes(r: &Scalar, s: &Scalar) -> Vec<u8> {
    let mut out = s.to_be_bytes();
    out.extend_from_slice(&r.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::ec::VerifyingKey;

    fn rnd(c: CurveId) -> Scalar {
        Scalar::random_nonzero(c, &mut crate::crypto::os_rng())
    }

    #[test]
    fn partials_add_up_to_a_plain_gost_signature() {
        for curve in CurveId::ALL {
            let (d_dev, d_srv) = (rnd(curve), rnd(curve));
            let q_dev = Point::mul_generator(&d_dev);
            let public = q_dev.add(&Point::mul_generator(&d_srv));
            let (a_d, b_d, a_s, b_s) = (rnd(curve), rnd(curve), rnd(curve), rnd(curve));
            let digest = vec![0x5Au8; curve.digest_len()];
            let key_id = KeyId::new("k").unwrap();
            let pts = [&a_d, &b_d, &a_s, &b_s].map(Point::mul_generator);
            let inp = SignInputs {
                key_id: &key_id,
                public: &public,
                digest: &digest,
                index: 7,
                dev_d: &pts[0],
                dev_e: &pts[1],
                srv_d: &pts[2],
                srv_e: &pts[3],
            };
            let b = bind(&inp).unwrap();
            let s_d = partial(&b, &d_dev, &a_d, &b_d, &b.rho_dev);
            assert!(partial_is_valid(
                &b, &s_d, &q_dev, &pts[0], &pts[1], &b.rho_dev
            ));
            assert!(!partial_is_valid(
                &b, &s_d, &q_dev, &pts[0], &pts[1], &b.rho_srv
            ));
            let s = s_d.add(&partial(&b, &d_srv, &a_s, &b_s, &b.rho_srv));
            VerifyingKey::from_point(public)
                .unwrap()
                .verify_digest(&digest, &signature_bytes(&b.r, &s))
                .unwrap();
        }
    }

    #[test]
    fn e_is_one_for_a_zero_digest() {
        let c = CurveId::CryptoProA;
        assert_eq!(e_from_digest(c, &[0u8; 32]).unwrap(), Scalar::one(c));
        assert!(matches!(
            e_from_digest(c, &[0u8; 64]),
            Err(DistributedError::DigestLength { got: 64, .. })
        ));
    }
}
