//! Homogeneous projective points `(X : Y : Z)`, `x = X/Z`, `y = Y/Z`, with the
//! complete addition formulas of Renes, Costello and Batina, "Complete addition
//! formulas for prime order elliptic curves" (EUROCRYPT 2016, ePrint 2015/1060),
//! Algorithms 1 (addition), 2 (mixed addition) and 3 (doubling) for arbitrary `a`.
//!
//! Every function here is branch-free in the point values. The formulas are
//! exact for every pair of points whose difference is not a point of order 2
//! (Bosma–Lenstra); such pairs yield `(0 : 0 : 0)`. Curves of prime order have
//! no such points; on the two cofactor-4 curves [`ProjectivePoint::add_any`]
//! detects the case and corrects it, still in constant time.

use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::field::{FieldOps, fe_eq, fe_is_zero, select};
use super::params::{Curve, Fe};

/// An affine point, never the identity (precomputed tables).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AffinePoint<C: Curve<L>, const L: usize> {
    pub(crate) x: Fe<C, L>,
    pub(crate) y: Fe<C, L>,
}

impl<C: Curve<L>, const L: usize> AffinePoint<C, L> {
    /// `-self`.
    #[inline]
    pub(crate) fn neg(&self) -> Self {
        Self {
            x: self.x,
            y: self.y.fneg(),
        }
    }

    /// `b` if `choice`, else `a`.
    #[inline]
    pub(crate) fn select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: select(&a.x, &b.x, choice),
            y: select(&a.y, &b.y, choice),
        }
    }

    /// `y^2 == x^3 + a*x + b`.
    pub(crate) fn is_on_curve(x: &Fe<C, L>, y: &Fe<C, L>) -> Choice {
        let rhs = x.square().fadd(&C::A).mul(x).fadd(&C::B);
        fe_eq(&y.square(), &rhs)
    }
}

/// A point in homogeneous projective coordinates; the identity is `(0 : Y : 0)`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ProjectivePoint<C: Curve<L>, const L: usize> {
    pub(crate) x: Fe<C, L>,
    pub(crate) y: Fe<C, L>,
    pub(crate) z: Fe<C, L>,
}

impl<C: Curve<L>, const L: usize> ProjectivePoint<C, L> {
    /// The point at infinity `(0 : 1 : 0)`.
    pub(crate) const IDENTITY: Self = Self {
        x: Fe::<C, L>::ZERO,
        y: Fe::<C, L>::ONE,
        z: Fe::<C, L>::ZERO,
    };

    /// The base point `P` of the parameter set.
    pub(crate) const GENERATOR: Self = Self {
        x: C::GX,
        y: C::GY,
        z: Fe::<C, L>::ONE,
    };

    /// `(x : y : 1)`.
    #[inline]
    pub(crate) fn from_affine(p: &AffinePoint<C, L>) -> Self {
        Self {
            x: p.x,
            y: p.y,
            z: Fe::<C, L>::ONE,
        }
    }

    /// `t * a`, with `a = -3` done as additions.
    #[inline]
    fn mul_a(t: &Fe<C, L>) -> Fe<C, L> {
        if C::A_IS_MINUS_3 {
            t.fdbl().fadd(t).fneg()
        } else {
            C::A.mul(t)
        }
    }

    /// Steps 19-40 of Algorithm 1, shared with the mixed addition: from
    /// `t0 = X1X2`, `t1 = Y1Y2`, `t2 = Z1Z2`, `t3 = X1Y2+X2Y1`,
    /// `t4 = X1Z2+X2Z1`, `t5 = Y1Z2+Y2Z1` to the sum.
    #[inline]
    #[allow(clippy::many_single_char_names)]
    fn finish_add(
        t0: Fe<C, L>,
        t1: Fe<C, L>,
        t2: Fe<C, L>,
        t3: Fe<C, L>,
        t4: Fe<C, L>,
        t5: Fe<C, L>,
    ) -> Self {
        let z3 = Self::mul_a(&t4);
        let x3 = C::B3.mul(&t2);
        let z3 = x3.fadd(&z3); // a*t4 + 3b*t2
        let x3 = t1.fsub(&z3); // Y1Y2 - a*t4 - 3b*Z1Z2
        let z3 = t1.fadd(&z3); // Y1Y2 + a*t4 + 3b*Z1Z2
        let y3 = x3.mul(&z3);
        let t1 = t0.fdbl().fadd(&t0); // 3*X1X2
        let t2 = Self::mul_a(&t2); // a*Z1Z2
        let t4 = C::B3.mul(&t4);
        let t1 = t1.fadd(&t2); // 3*X1X2 + a*Z1Z2
        let t2 = Self::mul_a(&t0.fsub(&t2)); // a*X1X2 - a^2*Z1Z2
        let t4 = t4.fadd(&t2); // 3b*t4 + a*X1X2 - a^2*Z1Z2
        let y3 = y3.fadd(&t1.mul(&t4));
        let x3 = t3.mul(&x3).fsub(&t5.mul(&t4));
        let z3 = t5.mul(&z3).fadd(&t3.mul(&t1));
        Self {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + rhs` (Algorithm 1). Exact unless `self - rhs` has order 2,
    /// which cannot happen inside the prime-order subgroup.
    #[inline]
    pub(crate) fn add(&self, rhs: &Self) -> Self {
        let t0 = self.x.mul(&rhs.x);
        let t1 = self.y.mul(&rhs.y);
        let t2 = self.z.mul(&rhs.z);
        let t3 = self
            .x
            .fadd(&self.y)
            .mul(&rhs.x.fadd(&rhs.y))
            .fsub(&t0.fadd(&t1));
        let t4 = self
            .x
            .fadd(&self.z)
            .mul(&rhs.x.fadd(&rhs.z))
            .fsub(&t0.fadd(&t2));
        let t5 = self
            .y
            .fadd(&self.z)
            .mul(&rhs.y.fadd(&rhs.z))
            .fsub(&t1.fadd(&t2));
        Self::finish_add(t0, t1, t2, t3, t4, t5)
    }

    /// `self + rhs` for an affine `rhs` (Algorithm 2, `Z2 = 1`); same
    /// exceptions as [`Self::add`].
    #[inline]
    pub(crate) fn add_affine(&self, rhs: &AffinePoint<C, L>) -> Self {
        let t0 = self.x.mul(&rhs.x);
        let t1 = self.y.mul(&rhs.y);
        let t3 = self
            .x
            .fadd(&self.y)
            .mul(&rhs.x.fadd(&rhs.y))
            .fsub(&t0.fadd(&t1));
        let t4 = rhs.x.mul(&self.z).fadd(&self.x);
        let t5 = rhs.y.mul(&self.z).fadd(&self.y);
        Self::finish_add(t0, t1, self.z, t3, t4, t5)
    }

    /// `2 * self` (Algorithm 3); exact for every point of the curve.
    #[inline]
    pub(crate) fn double(&self) -> Self {
        let (x, y, z) = (&self.x, &self.y, &self.z);
        let t0 = x.square();
        let t1 = y.square();
        let t2 = z.square();
        let t3 = x.mul(y).fdbl();
        let z3 = x.mul(z).fdbl(); // 2XZ
        let x3 = Self::mul_a(&z3);
        let y3 = C::B3.mul(&t2).fadd(&x3); // 2aXZ + 3bZ^2
        let x3 = t1.fsub(&y3);
        let y3 = t1.fadd(&y3);
        let y3 = x3.mul(&y3);
        let x3 = t3.mul(&x3);
        let z3 = C::B3.mul(&z3);
        let t2 = Self::mul_a(&t2); // aZ^2
        let t3 = Self::mul_a(&t0.fsub(&t2)).fadd(&z3); // aX^2 - a^2Z^2 + 6bXZ
        let t0 = t0.fdbl().fadd(&t0).fadd(&t2); // 3X^2 + aZ^2
        let y3 = y3.fadd(&t0.mul(&t3));
        let t2 = y.mul(z).fdbl(); // 2YZ
        let x3 = x3.fsub(&t2.mul(&t3));
        let z3 = t2.mul(&t1).fdbl().fdbl(); // 8Y^3Z
        Self {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + rhs` for any two points of the curve. On cofactor-4 curves the
    /// one exceptional case of [`Self::add`], `self - rhs = T2` (the rational
    /// point of order 2), is repaired: then `self + rhs = 2*rhs + T2`, and if
    /// that addition is exceptional too, `rhs` is `O` or `T2` and the sum is `T2`.
    pub(crate) fn add_any(&self, rhs: &Self) -> Self {
        let sum = self.add(rhs);
        if C::COFACTOR == 1 {
            return sum;
        }
        let t2 = Self {
            x: C::T2_X,
            y: Fe::<C, L>::ZERO,
            z: Fe::<C, L>::ONE,
        };
        let alt = rhs.double().add(&t2);
        let fixed = Self::select(&alt, &t2, alt.is_degenerate());
        Self::select(&sum, &fixed, sum.is_degenerate())
    }

    /// `(0 : 0 : 0)`: the output of an exceptional addition.
    #[inline]
    fn is_degenerate(&self) -> Choice {
        fe_is_zero(&self.x) & fe_is_zero(&self.y) & fe_is_zero(&self.z)
    }

    /// `-self`.
    #[inline]
    pub(crate) fn neg(&self) -> Self {
        Self {
            x: self.x,
            y: self.y.fneg(),
            z: self.z,
        }
    }

    /// `Z == 0`.
    #[inline]
    pub(crate) fn is_identity(&self) -> Choice {
        fe_is_zero(&self.z)
    }

    /// `b` if `choice`, else `a`.
    #[inline]
    pub(crate) fn select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self {
            x: select(&a.x, &b.x, choice),
            y: select(&a.y, &b.y, choice),
            z: select(&a.z, &b.z, choice),
        }
    }

    /// Affine coordinates (constant-time inversion); `(0, 0)` and a false
    /// flag for the identity.
    pub(crate) fn to_affine(self) -> (Fe<C, L>, Fe<C, L>, Choice) {
        let inv = self.z.invert();
        let finite = Choice::from(inv.is_some().to_u8());
        let zinv = select(&Fe::<C, L>::ZERO, inv.as_inner_unchecked(), finite);
        (self.x.mul(&zinv), self.y.mul(&zinv), finite)
    }

    #[cfg(test)]
    /// Whether `(X : Y : Z)` satisfies `Y^2 Z = X^3 + a X Z^2 + b Z^3` and is
    /// not `(0 : 0 : 0)`.
    pub(crate) fn is_on_curve(&self) -> Choice {
        let (x, y, z) = (&self.x, &self.y, &self.z);
        let z2 = z.square();
        let lhs = y.square().mul(z);
        let rhs = x
            .square()
            .mul(x)
            .fadd(&C::A.mul(x).mul(&z2))
            .fadd(&C::B.mul(&z2).mul(z));
        fe_eq(&lhs, &rhs) & !self.is_degenerate()
    }
}

impl<C: Curve<L>, const L: usize> ConstantTimeEq for ProjectivePoint<C, L> {
    /// Same point: `X1 Z2 == X2 Z1` and `Y1 Z2 == Y2 Z1` (this also makes all
    /// representations of the identity equal, and no finite point equal to it).
    fn ct_eq(&self, other: &Self) -> Choice {
        fe_eq(&self.x.mul(&other.z), &other.x.mul(&self.z))
            & fe_eq(&self.y.mul(&other.z), &other.y.mul(&self.z))
    }
}

impl<C: Curve<L>, const L: usize> ConditionallySelectable for ProjectivePoint<C, L> {
    fn conditional_select(a: &Self, b: &Self, choice: Choice) -> Self {
        Self::select(a, b, choice)
    }
}

#[cfg(test)]
mod tests {
    use super::super::jacobian::JacobianPoint;
    use super::super::mul::{mul_ct, mul_vartime};
    use super::super::params::{CryptoProA, Tc26_256A, Tc26_512C};
    use super::*;
    use crypto_bigint::{U256, U512, Uint};

    /// Reference sum through the variable-time Jacobian code, which handles
    /// every special case with explicit branches.
    fn reference<C: Curve<L>, const L: usize>(
        a: &ProjectivePoint<C, L>,
        b: &ProjectivePoint<C, L>,
    ) -> ProjectivePoint<C, L> {
        JacobianPoint::from_projective(a)
            .add(&JacobianPoint::from_projective(b))
            .to_projective()
    }

    fn edge_cases<C: Curve<L>, const L: usize>() {
        let g = ProjectivePoint::<C, L>::GENERATOR;
        let o = ProjectivePoint::<C, L>::IDENTITY;
        let g2 = g.double();
        let g3 = g2.add(&g);
        // P + P through the addition formula equals the doubling formula.
        assert!(bool::from(g.add(&g).ct_eq(&g2)));
        assert!(bool::from(g2.add(&g).ct_eq(&reference(&g2, &g))));
        // P + (-P) = O, P + O = P, O + O = O, 2*O = O.
        assert!(bool::from(g.add(&g.neg()).is_identity()));
        assert!(bool::from(g.add(&o).ct_eq(&g)));
        assert!(bool::from(o.add(&g).ct_eq(&g)));
        assert!(bool::from(o.add(&o).is_identity()));
        assert!(bool::from(o.double().is_identity()));
        assert!(bool::from(o.is_on_curve()));
        // Mixed addition agrees, including with P = O and the doubling case.
        let ga = AffinePoint { x: C::GX, y: C::GY };
        assert!(bool::from(o.add_affine(&ga).ct_eq(&g)));
        assert!(bool::from(g.add_affine(&ga).ct_eq(&g2)));
        assert!(bool::from(g3.add_affine(&ga.neg()).ct_eq(&g2)));
        assert!(bool::from(g.add_affine(&ga.neg()).is_identity()));
        // Scaled representations compare equal.
        let s = Fe::<C, L>::ONE.double().add(&Fe::<C, L>::ONE);
        let g3s = ProjectivePoint::<C, L> {
            x: g3.x.mul(&s),
            y: g3.y.mul(&s),
            z: g3.z.mul(&s),
        };
        assert!(bool::from(g3s.ct_eq(&g3)));
        assert!(!bool::from(g3.ct_eq(&g2)));
        assert!(!bool::from(g3.ct_eq(&o)));
        // Associativity on a few multiples, and on-curve results.
        let g5 = g3.add(&g2);
        assert!(bool::from(g5.ct_eq(&g2.double().add(&g))));
        assert!(bool::from(g5.is_on_curve()));
        let (x, y, finite) = g.to_affine();
        assert!(bool::from(finite & fe_eq(&x, &C::GX) & fe_eq(&y, &C::GY)));
        assert!(!bool::from(o.to_affine().2));
    }

    #[test]
    fn complete_formula_edge_cases() {
        edge_cases::<CryptoProA, { U256::LIMBS }>();
        edge_cases::<Tc26_256A, { U256::LIMBS }>();
        edge_cases::<Tc26_512C, { U512::LIMBS }>();
    }

    /// A point of order 4 on a cofactor-4 curve, found as `q*R` for points
    /// `R` with successive x (y by the `(p+1)/4` power, as `p = 3 mod 4`)
    /// until the result has order exactly 4.
    fn find_order_4<C: Curve<L>, const L: usize>() -> ProjectivePoint<C, L> {
        assert_eq!(C::P.as_words()[0] & 3, 3);
        let exp = C::P.wrapping_add(&Uint::ONE).shr_vartime(2);
        let mut x = Fe::<C, L>::ONE;
        loop {
            x = x.fadd(&Fe::<C, L>::ONE);
            let rhs = x.square().fadd(&C::A).mul(&x).fadd(&C::B);
            let y = rhs.pow(&exp);
            if !bool::from(fe_eq(&y.square(), &rhs)) {
                continue;
            }
            let r = ProjectivePoint::<C, L> {
                x,
                y,
                z: Fe::<C, L>::ONE,
            };
            let t = mul_vartime(&r, &C::Q).to_projective();
            if !bool::from(t.double().is_identity()) {
                return t;
            }
        }
    }

    fn torsion<C: Curve<L>, const L: usize>() {
        let t4 = find_order_4::<C, L>();
        let t2 = t4.double();
        let o = ProjectivePoint::<C, L>::IDENTITY;
        assert!(!bool::from(t2.is_identity()) && bool::from(t2.double().is_identity()));
        // 2*T4 is the curve's T2 = (T2_X, 0) ...
        let (x2, y2, finite) = t2.to_affine();
        assert!(bool::from(finite & fe_is_zero(&y2) & fe_eq(&x2, &C::T2_X)));
        // ... and the only rational 2-torsion point: x^3 + ax + b = (x - x0)
        // (x^2 + x0 x + a + x0^2) and the quadratic's discriminant
        // -3 x0^2 - 4a is not a square.
        let x0 = C::T2_X;
        let disc = x0
            .square()
            .fdbl()
            .fadd(&x0.square())
            .fadd(&C::A.fdbl().fdbl())
            .fneg();
        let legendre = disc.pow(&C::P.shr_vartime(1));
        assert!(bool::from(fe_eq(&legendre, &Fe::<C, L>::ONE.fneg())));
        // The raw complete formula fails exactly on pairs differing by T2 ...
        assert!(bool::from(o.add(&t2).is_degenerate()));
        assert!(bool::from(t4.add(&t4.neg()).is_degenerate()));
        assert!(!bool::from(t4.add(&t4).is_degenerate()));
        // ... and add_any repairs every such case.
        assert!(bool::from(o.add_any(&t2).ct_eq(&t2)));
        assert!(bool::from(t2.add_any(&o).ct_eq(&t2)));
        assert!(bool::from(t4.add_any(&t4.neg()).is_identity()));
        assert!(bool::from(t4.add_any(&t2).ct_eq(&t4.neg())));
        let g = ProjectivePoint::<C, L>::GENERATOR;
        let g_t2 = g.add_any(&t2);
        assert!(bool::from(g_t2.add_any(&g).ct_eq(&reference(&g_t2, &g))));
        assert!(bool::from(g_t2.add_any(&g).ct_eq(&g.double().add_any(&t2))));
        // Doubling and the constant-time multiplication are exact on torsion.
        assert!(bool::from(t4.double().double().is_identity()));
        for k in 0u8..9 {
            let k = Uint::<L>::from_u8(k);
            for p in [t4, t2, g.add_any(&t4), o] {
                let a = mul_ct(&p, &k);
                assert!(bool::from(a.ct_eq(&mul_vartime(&p, &k).to_projective())));
                assert!(!bool::from(a.is_degenerate()));
            }
        }
    }

    #[test]
    fn small_order_points_on_cofactor_4_curves() {
        torsion::<Tc26_256A, { U256::LIMBS }>();
        torsion::<Tc26_512C, { U512::LIMBS }>();
    }
}
