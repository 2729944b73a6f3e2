//! Schnorr proofs of knowledge of a discrete logarithm (`X = x*P`), bound to
//! a transcript: key generation proves each share, PIN checks prove the
//! device share. Proof: `T = k*P`, `c = H(ctx, X, T)`, `z = k + c*x`;
//! valid iff `z*P == T + c*X`.

use super::transcript::Transcript;
use crate::crypto::ec::{Point, Scalar};

/// A proof `(T, z)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proof {
    /// Commitment `T = k*P`.
    pub t: Point,
    /// Response `z = k + c*x mod q`.
    pub z: Scalar,
}

fn challenge(ctx: &Transcript, x_pub: &Point, t: &Point) -> Scalar {
    let mut h = ctx.clone();
    h.point(x_pub).point(t);
    h.challenge(x_pub.curve())
}

/// Proves knowledge of `x` with `x_pub = x*P` (constant time in `x` and `k`).
pub(crate) fn prove(x: &Scalar, x_pub: &Point, ctx: &Transcript) -> Proof {
    let k = Scalar::random_nonzero(x.curve(), &mut crate::crypto::os_rng());
    let t = Point::mul_generator(&k);
    let c = challenge(ctx, x_pub, &t);
    Proof {
        t,
        z: k.add(&c.mul(x)),
    }
}

/// Checks a proof for the public `x_pub` (variable time: all inputs public).
pub(crate) fn verify(x_pub: &Point, proof: &Proof, ctx: &Transcript) -> bool {
    let curve = x_pub.curve();
    if proof.t.curve() != curve || proof.z.curve() != curve {
        return false;
    }
    let c = challenge(ctx, x_pub, &proof.t);
    let lhs = Point::generator(curve).mul_vartime(&proof.z);
    let rhs = proof.t.add(&x_pub.mul_vartime(&c));
    lhs == rhs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::ec::CurveId;

    #[test]
    fn proves_and_binds_to_key_and_context() {
        for curve in [CurveId::CryptoProA, CurveId::Tc26_512C] {
            let x = Scalar::random_nonzero(curve, &mut crate::crypto::os_rng());
            let x_pub = Point::mul_generator(&x);
            let mut ctx = Transcript::new("test");
            ctx.bytes(b"session 1");
            let p = prove(&x, &x_pub, &ctx);
            assert!(verify(&x_pub, &p, &ctx));
            let mut other = Transcript::new("test");
            other.bytes(b"session 2");
            assert!(!verify(&x_pub, &p, &other));
            assert!(!verify(&x_pub.double(), &p, &ctx));
            let bad = Proof {
                t: p.t,
                z: p.z.add(&Scalar::one(curve)),
            };
            assert!(!verify(&x_pub, &bad, &ctx));
        }
    }
}
