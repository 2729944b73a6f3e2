//! The public point type: a curve tag plus projective coordinates, with every
//! operation dispatched to the statically typed code of its curve.

use core::fmt;

use crypto_bigint::{Uint, Word};
use subtle::{Choice, ConstantTimeEq};

use super::curve_id::CurveId;
use super::error::EcError;
use super::field::{uint_from_be, uint_from_le, uint_is_zero, uint_lt, uint_to_le};
use super::mul::{mul_base_ct, mul_ct, mul_vartime};
use super::params::{Curve, Fe, dispatch};
use super::projective::{AffinePoint, ProjectivePoint};
use super::scalar::{MAX_LIMBS, Scalar, expect_same};

/// A point of one of the supported curves (including the point at infinity).
///
/// Arithmetic is constant time unless the method name says `vartime`. Points
/// are `Copy` and not zeroized; derive secrets from a secret point (such as
/// the SESPAKE `src`) into zeroizing buffers promptly.
/// Combining points (or a point and a scalar) of different curves panics, as
/// it is a programming error; `try_*` variants return
/// [`EcError::CurveMismatch`] instead. Equality compares the points, not their
/// representation.
#[derive(Clone, Copy)]
pub struct Point {
    curve: CurveId,
    // Projective X, Y, Z in Montgomery form; only the curve's limbs are used.
    x: [Word; MAX_LIMBS],
    y: [Word; MAX_LIMBS],
    z: [Word; MAX_LIMBS],
}

fn fe_from_words<C: Curve<L>, const L: usize>(w: &[Word; MAX_LIMBS]) -> Fe<C, L> {
    let mut a = [0 as Word; L];
    a.copy_from_slice(&w[..L]);
    Fe::<C, L>::from_montgomery(Uint::from_words(a))
}

fn words_from_fe<C: Curve<L>, const L: usize>(f: &Fe<C, L>) -> [Word; MAX_LIMBS] {
    let mut w = [0 as Word; MAX_LIMBS];
    w[..L].copy_from_slice(f.as_montgomery().as_words());
    w
}

impl Point {
    /// The statically typed form of `self`, for curve `C`.
    pub(crate) fn lift<C: Curve<L>, const L: usize>(&self) -> ProjectivePoint<C, L> {
        ProjectivePoint {
            x: fe_from_words::<C, L>(&self.x),
            y: fe_from_words::<C, L>(&self.y),
            z: fe_from_words::<C, L>(&self.z),
        }
    }

    /// Wraps a statically typed point.
    pub(crate) fn lower<C: Curve<L>, const L: usize>(
        curve: CurveId,
        p: &ProjectivePoint<C, L>,
    ) -> Point {
        Point {
            curve,
            x: words_from_fe::<C, L>(&p.x),
            y: words_from_fe::<C, L>(&p.y),
            z: words_from_fe::<C, L>(&p.z),
        }
    }

    /// The base point `P` of the parameter set (RFC 8133 Appendix B).
    pub fn generator(curve: CurveId) -> Point {
        dispatch!(curve, generator_impl(curve))
    }

    /// The point at infinity `O`.
    pub fn identity(curve: CurveId) -> Point {
        dispatch!(curve, identity_impl(curve))
    }

    /// The curve of this point.
    pub fn curve(&self) -> CurveId {
        self.curve
    }

    /// Decodes `BYTES(Q) = LE(X, n) || LE(Y, n)` (OFP1 Section 1, RFC 8133
    /// Section 3; also the octets of X.509 GOST public keys) and validates it
    /// fully: length `2n`, both coordinates below `p`, on the curve, not the
    /// point at infinity (all-zero bytes), and in the prime-order subgroup.
    ///
    /// The subgroup check (`q*Q == O`, variable time) only costs anything on
    /// the cofactor-4 curves; on the others every finite point qualifies.
    pub fn from_bytes(curve: CurveId, bytes: &[u8]) -> Result<Point, EcError> {
        let p = Point::from_bytes_on_curve(curve, bytes)?;
        if p.is_identity() {
            return Err(EcError::PointAtInfinity);
        }
        if !p.is_in_subgroup_vartime() {
            return Err(EcError::PointNotInSubgroup);
        }
        Ok(p)
    }

    /// Like [`Point::from_bytes`] but without the subgroup check, for protocols
    /// that clear the cofactor themselves (SESPAKE multiplies by `m/q`). The
    /// all-zero encoding still fails with [`EcError::PointAtInfinity`].
    pub fn from_bytes_on_curve(curve: CurveId, bytes: &[u8]) -> Result<Point, EcError> {
        let n = curve.coord_len();
        if bytes.len() != 2 * n {
            return Err(EcError::InvalidLength {
                expected: 2 * n,
                got: bytes.len(),
            });
        }
        if bytes.iter().all(|&b| b == 0) {
            return Err(EcError::PointAtInfinity);
        }
        let (x, y) = bytes.split_at(n);
        dispatch!(curve, from_coords_impl(curve, x, y, false))
    }

    /// From big-endian affine coordinates of `coord_len()` bytes each, as test
    /// vectors print them. Checks length, range and the curve equation (not
    /// the subgroup).
    pub fn from_affine_be(curve: CurveId, x: &[u8], y: &[u8]) -> Result<Point, EcError> {
        let n = curve.coord_len();
        for c in [x, y] {
            if c.len() != n {
                return Err(EcError::InvalidLength {
                    expected: n,
                    got: c.len(),
                });
            }
        }
        dispatch!(curve, from_coords_impl(curve, x, y, true))
    }

    /// `BYTES(Q) = LE(X, n) || LE(Y, n)`. The point at infinity, which has no
    /// affine coordinates, encodes as `2n` zero bytes (which no finite point
    /// can produce, since `b != 0`, and which the decoders reject).
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.curve.coord_len();
        let mut out = vec![0u8; 2 * n];
        dispatch!(self.curve, to_bytes_impl(self, &mut out));
        out
    }

    /// Big-endian affine `(x, y)`, `None` for the point at infinity.
    pub fn to_affine_be(&self) -> Option<(Vec<u8>, Vec<u8>)> {
        if self.is_identity() {
            return None;
        }
        let n = self.curve.coord_len();
        let mut le = self.to_bytes();
        let (x, y) = le.split_at_mut(n);
        x.reverse();
        y.reverse();
        Some((x.to_vec(), y.to_vec()))
    }

    /// `self + other`, exact for every pair of points of the curve.
    ///
    /// # Panics
    /// If the points belong to different curves (see [`Point::try_add`]).
    pub fn add(&self, other: &Point) -> Point {
        expect_same(self.try_add(other))
    }

    /// `self + other`, or an error for points of different curves.
    pub fn try_add(&self, other: &Point) -> Result<Point, EcError> {
        self.check_curve(other.curve)?;
        Ok(dispatch!(self.curve, add_impl(self, other)))
    }

    /// `self - other`.
    ///
    /// # Panics
    /// If the points belong to different curves.
    pub fn sub(&self, other: &Point) -> Point {
        self.add(&other.neg())
    }

    /// `-self`.
    pub fn neg(&self) -> Point {
        dispatch!(self.curve, neg_impl(self))
    }

    /// `2 * self`.
    pub fn double(&self) -> Point {
        dispatch!(self.curve, double_impl(self))
    }

    /// `(m/q) * self`: two doublings on the cofactor-4 curves, the point
    /// itself otherwise. Exact for every point of the curve.
    pub fn mul_by_cofactor(&self) -> Point {
        match self.curve.cofactor() {
            4 => self.double().double(),
            _ => *self,
        }
    }

    /// Whether this is the point at infinity.
    pub fn is_identity(&self) -> bool {
        bool::from(uint_is_zero(&Uint::<MAX_LIMBS>::from_words(self.z)))
    }

    /// `k * self` in constant time with respect to `k` and the point.
    ///
    /// `k` acts through its representative in `[0, q)`; for points outside the
    /// prime-order subgroup (possible only via
    /// [`Point::from_bytes_on_curve`]) this is the integer multiple by that
    /// representative, and it is exact as well.
    ///
    /// # Panics
    /// If `k` belongs to a different curve (see [`Point::try_mul`]).
    pub fn mul(&self, k: &Scalar) -> Point {
        expect_same(self.try_mul(k))
    }

    /// `k * self`, or an error for a scalar of a different curve.
    pub fn try_mul(&self, k: &Scalar) -> Result<Point, EcError> {
        self.check_curve(k.curve())?;
        Ok(dispatch!(self.curve, mul_impl(self, k)))
    }

    /// `k * P` for the generator `P`, constant time, with a precomputed table
    /// (built on first use per curve, about 1 ms).
    pub fn mul_generator(k: &Scalar) -> Point {
        dispatch!(k.curve(), mul_generator_impl(k))
    }

    /// `k * self` in variable time: only for public `k` and points.
    ///
    /// # Panics
    /// If `k` belongs to a different curve.
    pub fn mul_vartime(&self, k: &Scalar) -> Point {
        expect_same(self.check_curve(k.curve()));
        dispatch!(self.curve, mul_vartime_impl(self, k))
    }

    /// `q * self == O` (variable time; the point is public input).
    pub(crate) fn is_in_subgroup_vartime(&self) -> bool {
        self.curve.cofactor() == 1 || dispatch!(self.curve, in_subgroup_impl(self))
    }

    fn check_curve(&self, other: CurveId) -> Result<(), EcError> {
        if self.curve == other {
            Ok(())
        } else {
            Err(EcError::CurveMismatch {
                left: self.curve,
                right: other,
            })
        }
    }
}

impl ConstantTimeEq for Point {
    fn ct_eq(&self, other: &Self) -> Choice {
        if self.curve != other.curve {
            return Choice::from(0);
        }
        dispatch!(self.curve, ct_eq_impl(self, other))
    }
}

impl PartialEq for Point {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Point {}

impl fmt::Debug for Point {
    /// Shows the curve only: a point can be secret (the SESPAKE shared point),
    /// so its coordinates are not printed. Use [`Point::to_bytes`] to show
    /// public points.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Point")
            .field("curve", &self.curve)
            .field("identity", &self.is_identity())
            .finish_non_exhaustive()
    }
}

fn generator_impl<C: Curve<L>, const L: usize>(curve: CurveId) -> Point {
    Point::lower(curve, &ProjectivePoint::<C, L>::GENERATOR)
}

fn identity_impl<C: Curve<L>, const L: usize>(curve: CurveId) -> Point {
    Point::lower(curve, &ProjectivePoint::<C, L>::IDENTITY)
}

/// Decodes and checks coordinates: range, then the curve equation.
fn from_coords_impl<C: Curve<L>, const L: usize>(
    curve: CurveId,
    x: &[u8],
    y: &[u8],
    big_endian: bool,
) -> Result<Point, EcError> {
    let decode = |c: &[u8]| {
        if big_endian {
            uint_from_be::<L>(c)
        } else {
            uint_from_le::<L>(c)
        }
    };
    let bad_len = EcError::InvalidLength {
        expected: 2 * C::BYTES,
        got: x.len() + y.len(),
    };
    let (xi, yi) = (decode(x).ok_or(bad_len)?, decode(y).ok_or(bad_len)?);
    if !bool::from(uint_lt(&xi, &C::P) & uint_lt(&yi, &C::P)) {
        return Err(EcError::CoordinateOutOfRange);
    }
    let p = affine_point::<C, L>(&xi, &yi).ok_or(EcError::PointNotOnCurve)?;
    Ok(Point::lower(curve, &ProjectivePoint::from_affine(&p)))
}

/// The affine point `(x, y)` if it satisfies the curve equation.
pub(crate) fn affine_point<C: Curve<L>, const L: usize>(
    x: &Uint<L>,
    y: &Uint<L>,
) -> Option<AffinePoint<C, L>> {
    let (x, y) = (Fe::<C, L>::new(x), Fe::<C, L>::new(y));
    bool::from(AffinePoint::<C, L>::is_on_curve(&x, &y)).then_some(AffinePoint { x, y })
}

fn to_bytes_impl<C: Curve<L>, const L: usize>(p: &Point, out: &mut [u8]) {
    let (x, y, _) = p.lift::<C, L>().to_affine();
    let (xo, yo) = out.split_at_mut(C::BYTES);
    uint_to_le(&x.retrieve(), xo);
    uint_to_le(&y.retrieve(), yo);
}

fn add_impl<C: Curve<L>, const L: usize>(a: &Point, b: &Point) -> Point {
    Point::lower(a.curve, &a.lift::<C, L>().add_any(&b.lift::<C, L>()))
}

fn neg_impl<C: Curve<L>, const L: usize>(a: &Point) -> Point {
    Point::lower(a.curve, &a.lift::<C, L>().neg())
}

fn double_impl<C: Curve<L>, const L: usize>(a: &Point) -> Point {
    Point::lower(a.curve, &a.lift::<C, L>().double())
}

fn mul_impl<C: Curve<L>, const L: usize>(a: &Point, k: &Scalar) -> Point {
    let mut kk = k.to_uint::<L>();
    let r = mul_ct(&a.lift::<C, L>(), &kk);
    zeroize::Zeroize::zeroize(&mut kk);
    Point::lower(a.curve, &r)
}

fn mul_generator_impl<C: Curve<L>, const L: usize>(k: &Scalar) -> Point {
    let mut kk = k.to_uint::<L>();
    let r = mul_base_ct::<C, L>(&kk);
    zeroize::Zeroize::zeroize(&mut kk);
    Point::lower(k.curve(), &r)
}

fn mul_vartime_impl<C: Curve<L>, const L: usize>(a: &Point, k: &Scalar) -> Point {
    Point::lower(
        a.curve,
        &mul_vartime(&a.lift::<C, L>(), &k.to_uint::<L>()).to_projective(),
    )
}

fn in_subgroup_impl<C: Curve<L>, const L: usize>(a: &Point) -> bool {
    mul_vartime(&a.lift::<C, L>(), &C::Q).is_identity()
}

fn ct_eq_impl<C: Curve<L>, const L: usize>(a: &Point, b: &Point) -> Choice {
    a.lift::<C, L>().ct_eq(&b.lift::<C, L>())
}
