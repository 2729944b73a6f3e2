//! Variable-time arithmetic in Jacobian coordinates (`x = X/Z^2`, `y = Y/Z^3`)
//! for public inputs only: signature verification, subgroup checks and
//! [`super::Point::mul_vartime`]. Special cases (identity, `P == Q`,
//! `P == -Q`) take explicit branches, so results are exact for every point of
//! the curve, including points of small order.
//!
//! Formulas (Explicit-Formulas Database names): `dbl-2001-b` when `a = -3`,
//! `dbl-2007-bl` otherwise, `add-2007-bl`, `madd-2007-bl`.

use super::field::{FieldOps, fe_eq, fe_is_zero};
use super::params::{Curve, Fe};
use super::projective::{AffinePoint, ProjectivePoint};

/// A point in Jacobian coordinates; the identity has `Z = 0`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct JacobianPoint<C: Curve<L>, const L: usize> {
    x: Fe<C, L>,
    y: Fe<C, L>,
    z: Fe<C, L>,
}

impl<C: Curve<L>, const L: usize> JacobianPoint<C, L> {
    /// The point at infinity.
    pub(crate) const IDENTITY: Self = Self {
        x: Fe::<C, L>::ONE,
        y: Fe::<C, L>::ONE,
        z: Fe::<C, L>::ZERO,
    };

    /// `(x, y, 1)`.
    pub(crate) fn from_affine(p: &AffinePoint<C, L>) -> Self {
        Self {
            x: p.x,
            y: p.y,
            z: Fe::<C, L>::ONE,
        }
    }

    /// From homogeneous `(X : Y : Z)`: `(X Z, Y Z^2, Z)`.
    pub(crate) fn from_projective(p: &ProjectivePoint<C, L>) -> Self {
        let z2 = p.z.square();
        Self {
            x: p.x.mul(&p.z),
            y: p.y.mul(&z2),
            z: p.z,
        }
    }

    /// To homogeneous: `(X Z, Y, Z^3)`.
    pub(crate) fn to_projective(self) -> ProjectivePoint<C, L> {
        if self.is_identity() {
            return ProjectivePoint::IDENTITY;
        }
        ProjectivePoint {
            x: self.x.mul(&self.z),
            y: self.y,
            z: self.z.square().mul(&self.z),
        }
    }

    /// `Z == 0`.
    #[inline]
    pub(crate) fn is_identity(&self) -> bool {
        bool::from(fe_is_zero(&self.z))
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

    /// `2 * self`.
    pub(crate) fn double(&self) -> Self {
        if self.is_identity() {
            return *self;
        }
        if C::A_IS_MINUS_3 {
            // dbl-2001-b: 3M + 5S.
            let delta = self.z.square();
            let gamma = self.y.square();
            let beta = self.x.mul(&gamma);
            let t = self.x.fsub(&delta).mul(&self.x.fadd(&delta));
            let alpha = t.fdbl().fadd(&t);
            let beta4 = beta.fdbl().fdbl();
            let x3 = alpha.square().fsub(&beta4.fdbl());
            let z3 = self.y.fadd(&self.z).square().fsub(&gamma).fsub(&delta);
            let gamma2 = gamma.square();
            let y3 = alpha
                .mul(&beta4.fsub(&x3))
                .fsub(&gamma2.fdbl().fdbl().fdbl());
            Self {
                x: x3,
                y: y3,
                z: z3,
            }
        } else {
            // dbl-2007-bl: 1M + 8S + 1*a.
            let xx = self.x.square();
            let yy = self.y.square();
            let yyyy = yy.square();
            let zz = self.z.square();
            let s = self.x.fadd(&yy).square().fsub(&xx).fsub(&yyyy).fdbl();
            let m = xx.fdbl().fadd(&xx).fadd(&C::A.mul(&zz.square()));
            let x3 = m.square().fsub(&s.fdbl());
            let y3 = m.mul(&s.fsub(&x3)).fsub(&yyyy.fdbl().fdbl().fdbl());
            let z3 = self.y.fadd(&self.z).square().fsub(&yy).fsub(&zz);
            Self {
                x: x3,
                y: y3,
                z: z3,
            }
        }
    }

    /// `self + rhs` (add-2007-bl, 11M + 5S).
    pub(crate) fn add(&self, rhs: &Self) -> Self {
        if self.is_identity() {
            return *rhs;
        }
        if rhs.is_identity() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = rhs.z.square();
        let u1 = self.x.mul(&z2z2);
        let u2 = rhs.x.mul(&z1z1);
        let s1 = self.y.mul(&rhs.z).mul(&z2z2);
        let s2 = rhs.y.mul(&self.z).mul(&z1z1);
        let h = u2.fsub(&u1);
        let r = s2.fsub(&s1).fdbl();
        if bool::from(fe_is_zero(&h)) {
            return if bool::from(fe_is_zero(&r)) {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let i = h.fdbl().square();
        let j = h.mul(&i);
        let v = u1.mul(&i);
        let x3 = r.square().fsub(&j).fsub(&v.fdbl());
        let y3 = r.mul(&v.fsub(&x3)).fsub(&s1.mul(&j).fdbl());
        let z3 = self.z.fadd(&rhs.z).square().fsub(&z1z1).fsub(&z2z2).mul(&h);
        Self {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + rhs` for affine `rhs` (madd-2007-bl, 7M + 4S).
    pub(crate) fn add_affine(&self, rhs: &AffinePoint<C, L>) -> Self {
        if self.is_identity() {
            return Self::from_affine(rhs);
        }
        let z1z1 = self.z.square();
        let u2 = rhs.x.mul(&z1z1);
        let s2 = rhs.y.mul(&self.z).mul(&z1z1);
        let h = u2.fsub(&self.x);
        let r = s2.fsub(&self.y).fdbl();
        if bool::from(fe_is_zero(&h)) {
            return if bool::from(fe_is_zero(&r)) {
                self.double()
            } else {
                Self::IDENTITY
            };
        }
        let hh = h.square();
        let i = hh.fdbl().fdbl();
        let j = h.mul(&i);
        let v = self.x.mul(&i);
        let x3 = r.square().fsub(&j).fsub(&v.fdbl());
        let y3 = r.mul(&v.fsub(&x3)).fsub(&self.y.mul(&j).fdbl());
        let z3 = self.z.fadd(&h).square().fsub(&z1z1).fsub(&hh);
        Self {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// Whether the affine x of `self` equals `x` (no inversion: `X == x Z^2`).
    pub(crate) fn x_equals(&self, x: &Fe<C, L>) -> bool {
        !self.is_identity() && bool::from(fe_eq(&self.x, &x.mul(&self.z.square())))
    }
}

/// An accumulator for long chains of doublings: a Jacobian point plus
/// `w = a Z^4` on curves with `a != -3` ("modified Jacobian" coordinates of
/// Cohen, Miyaji and Ono), so that a doubling costs 4M + 4S instead of
/// 2M + 8S; `w` is recomputed after each (rarer) addition.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Accumulator<C: Curve<L>, const L: usize> {
    p: JacobianPoint<C, L>,
    w: Fe<C, L>,
}

impl<C: Curve<L>, const L: usize> Accumulator<C, L> {
    /// Starts at the identity.
    pub(crate) fn identity() -> Self {
        Self {
            p: JacobianPoint::IDENTITY,
            w: Fe::<C, L>::ZERO,
        }
    }

    /// The accumulated point.
    pub(crate) fn point(&self) -> JacobianPoint<C, L> {
        self.p
    }

    fn refresh(&mut self) {
        if !C::A_IS_MINUS_3 {
            self.w = C::A.mul(&self.p.z.square().square());
        }
    }

    /// Doubles in place.
    pub(crate) fn double(&mut self) {
        if C::A_IS_MINUS_3 || self.p.is_identity() {
            self.p = self.p.double();
            return;
        }
        let (x, y, z) = (&self.p.x, &self.p.y, &self.p.z);
        let xx = x.square();
        let yy = y.square();
        let u = yy.square().fdbl().fdbl().fdbl(); // 8Y^4
        let s = x.mul(&yy).fdbl().fdbl(); // 4XY^2
        let m = xx.fdbl().fadd(&xx).fadd(&self.w); // 3X^2 + aZ^4
        let x3 = m.square().fsub(&s.fdbl());
        let y3 = m.mul(&s.fsub(&x3)).fsub(&u);
        let z3 = y.mul(z).fdbl();
        self.w = u.mul(&self.w).fdbl(); // a(2YZ)^4 = 16 Y^4 aZ^4
        self.p = JacobianPoint {
            x: x3,
            y: y3,
            z: z3,
        };
    }

    /// Adds a Jacobian point in place.
    pub(crate) fn add(&mut self, q: &JacobianPoint<C, L>) {
        self.p = self.p.add(q);
        self.refresh();
    }

    /// Adds an affine point in place.
    pub(crate) fn add_affine(&mut self, q: &AffinePoint<C, L>) {
        self.p = self.p.add_affine(q);
        self.refresh();
    }
}
