//! Integers modulo the subgroup order `q` of a curve.

use core::fmt;

use crypto_bigint::modular::ConstMontyParams;
use crypto_bigint::{NonZero, U512, Uint, Word};
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroize;

use super::curve_id::CurveId;
use super::error::EcError;
use super::field::{uint_from_be, uint_from_le, uint_lt, uint_select, uint_to_be};
use super::params::{Curve, Fq, dispatch};

/// Limbs of the widest curve.
pub(crate) const MAX_LIMBS: usize = U512::LIMBS;

/// An integer modulo the subgroup order `q` of one curve, kept reduced.
///
/// Secret material (keys, nonces, SESPAKE exponents) lives in this type: it is
/// zeroized on drop, `Debug` does not print it, and arithmetic is constant
/// time. Operations mixing scalars of two curves panic (a programming error);
/// `try_*` variants return [`EcError::CurveMismatch`] instead.
#[derive(Clone)]
pub struct Scalar {
    curve: CurveId,
    words: [Word; MAX_LIMBS],
}

impl Drop for Scalar {
    fn drop(&mut self) {
        self.words.zeroize();
    }
}

impl fmt::Debug for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scalar")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

impl ConstantTimeEq for Scalar {
    fn ct_eq(&self, other: &Self) -> Choice {
        Choice::from(u8::from(self.curve == other.curve)) & self.words.ct_eq(&other.words)
    }
}

impl PartialEq for Scalar {
    /// Constant-time in the values.
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for Scalar {}

/// `q` of curve `C` as a divisor.
#[inline]
pub(crate) fn q_nz<C: Curve<L>, const L: usize>() -> &'static NonZero<Uint<L>> {
    <C::Fq as ConstMontyParams<L>>::PARAMS.modulus().as_nz_ref()
}

impl Scalar {
    /// Wraps a reduced value.
    pub(crate) fn from_uint<const L: usize>(curve: CurveId, value: &Uint<L>) -> Scalar {
        let mut words = [0 as Word; MAX_LIMBS];
        words[..L].copy_from_slice(value.as_words());
        Scalar { curve, words }
    }

    /// The value as `L` limbs.
    pub(crate) fn to_uint<const L: usize>(&self) -> Uint<L> {
        let mut words = [0 as Word; L];
        words.copy_from_slice(&self.words[..L]);
        let out = Uint::from_words(words);
        words.zeroize();
        out
    }

    /// The curve whose `q` this scalar is reduced by.
    pub fn curve(&self) -> CurveId {
        self.curve
    }

    /// Zero modulo `q` of `curve`.
    pub fn zero(curve: CurveId) -> Scalar {
        Scalar {
            curve,
            words: [0; MAX_LIMBS],
        }
    }

    /// One modulo `q` of `curve`.
    pub fn one(curve: CurveId) -> Scalar {
        let mut words = [0 as Word; MAX_LIMBS];
        words[0] = 1;
        Scalar { curve, words }
    }

    /// Exactly `curve.coord_len()` big-endian bytes of a value below `q`
    /// (zero allowed).
    pub fn from_be_bytes(curve: CurveId, bytes: &[u8]) -> Result<Scalar, EcError> {
        dispatch!(curve, from_be_bytes_impl(curve, bytes))
    }

    /// `int_LE(bytes) mod q`, for inputs of any length (typically up to
    /// `2 * coord_len()`: a Streebog digest, `int(F)` of SESPAKE). Constant
    /// time in the value of `bytes`.
    pub fn from_le_bytes_reduced(curve: CurveId, bytes: &[u8]) -> Scalar {
        dispatch!(curve, from_le_reduced_impl(curve, bytes))
    }

    /// `int_BE(bytes) mod q`, for inputs of any length.
    pub fn from_be_bytes_reduced(curve: CurveId, bytes: &[u8]) -> Scalar {
        let mut le = bytes.to_vec();
        le.reverse();
        let s = Scalar::from_le_bytes_reduced(curve, &le);
        le.zeroize();
        s
    }

    /// A uniformly random value in `[1, q)`: `2 * coord_len()` random bytes
    /// reduced modulo `q` (bias below `2^-250`), drawn again if zero.
    pub fn random_nonzero(curve: CurveId, rng: &mut impl rand_core::CryptoRng) -> Scalar {
        let mut buf = vec![0u8; 2 * curve.coord_len()];
        loop {
            rng.fill_bytes(&mut buf);
            let s = Scalar::from_le_bytes_reduced(curve, &buf);
            if !s.is_zero() {
                buf.zeroize();
                return s;
            }
        }
    }

    /// `coord_len()` big-endian bytes.
    pub fn to_be_bytes(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.curve.coord_len()];
        dispatch!(self.curve, to_be_impl(self, &mut out));
        out
    }

    /// Whether the value is zero (constant time up to the returned bool).
    pub fn is_zero(&self) -> bool {
        bool::from(self.words.ct_eq(&[0; MAX_LIMBS]))
    }

    /// `self + other mod q`.
    ///
    /// # Panics
    /// If the scalars belong to different curves (see [`Scalar::try_add`]).
    pub fn add(&self, other: &Scalar) -> Scalar {
        expect_same(self.try_add(other))
    }

    /// `self + other mod q`, or an error for scalars of different curves.
    pub fn try_add(&self, other: &Scalar) -> Result<Scalar, EcError> {
        self.check_curve(other)?;
        Ok(dispatch!(self.curve, add_impl(self, other)))
    }

    /// `self - other mod q`.
    ///
    /// # Panics
    /// If the scalars belong to different curves (see [`Scalar::try_sub`]).
    pub fn sub(&self, other: &Scalar) -> Scalar {
        expect_same(self.try_sub(other))
    }

    /// `self - other mod q`, or an error for scalars of different curves.
    pub fn try_sub(&self, other: &Scalar) -> Result<Scalar, EcError> {
        self.check_curve(other)?;
        Ok(dispatch!(self.curve, sub_impl(self, other)))
    }

    /// `self * other mod q`.
    ///
    /// # Panics
    /// If the scalars belong to different curves (see [`Scalar::try_mul`]).
    pub fn mul(&self, other: &Scalar) -> Scalar {
        expect_same(self.try_mul(other))
    }

    /// `self * other mod q`, or an error for scalars of different curves.
    pub fn try_mul(&self, other: &Scalar) -> Result<Scalar, EcError> {
        self.check_curve(other)?;
        Ok(dispatch!(self.curve, mul_impl(self, other)))
    }

    /// `-self mod q`.
    pub fn neg(&self) -> Scalar {
        dispatch!(self.curve, neg_impl(self))
    }

    /// `self^-1 mod q` (constant-time inversion); `None` for zero.
    pub fn invert(&self) -> Option<Scalar> {
        dispatch!(self.curve, invert_impl(self))
    }

    pub(crate) fn check_curve(&self, other: &Scalar) -> Result<(), EcError> {
        if self.curve == other.curve {
            Ok(())
        } else {
            Err(EcError::CurveMismatch {
                left: self.curve,
                right: other.curve,
            })
        }
    }
}

/// Unwraps a same-curve result; mixing curves is a caller bug.
pub(crate) fn expect_same<T>(r: Result<T, EcError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

fn from_be_bytes_impl<C: Curve<L>, const L: usize>(
    curve: CurveId,
    bytes: &[u8],
) -> Result<Scalar, EcError> {
    if bytes.len() != C::BYTES {
        return Err(EcError::InvalidLength {
            expected: C::BYTES,
            got: bytes.len(),
        });
    }
    let mut v = uint_from_be::<L>(bytes).ok_or(EcError::InvalidLength {
        expected: C::BYTES,
        got: bytes.len(),
    })?;
    let ok = bool::from(uint_lt(&v, &C::Q));
    let s = Scalar::from_uint(curve, &v);
    v.zeroize();
    if ok {
        Ok(s)
    } else {
        Err(EcError::ScalarOutOfRange)
    }
}

fn from_le_reduced_impl<C: Curve<L>, const L: usize>(curve: CurveId, bytes: &[u8]) -> Scalar {
    let mut v = reduce_le_q::<C, L>(bytes);
    let s = Scalar::from_uint(curve, &v);
    v.zeroize();
    s
}

/// `int_LE(bytes) mod q` for any length: Horner over `coord_len`-byte chunks
/// from the most significant end, `acc = (acc * 2^(8n) + chunk) mod q`, each
/// step one constant-time double-width remainder.
pub(crate) fn reduce_le_q<C: Curve<L>, const L: usize>(bytes: &[u8]) -> Uint<L> {
    let mut acc = Uint::<L>::ZERO;
    for chunk in bytes.chunks(Uint::<L>::BYTES).rev() {
        // A chunk is at most `BYTES` long, so the conversion cannot fail.
        let mut lo = uint_from_le::<L>(chunk).unwrap_or(Uint::ZERO);
        acc = Uint::rem_wide((lo, acc), q_nz::<C, L>());
        lo.zeroize();
    }
    acc
}

fn to_be_impl<C: Curve<L>, const L: usize>(s: &Scalar, out: &mut [u8]) {
    let mut v = s.to_uint::<L>();
    uint_to_be(&v, out);
    v.zeroize();
}

fn add_impl<C: Curve<L>, const L: usize>(a: &Scalar, b: &Scalar) -> Scalar {
    let r = a.to_uint::<L>().add_mod(&b.to_uint::<L>(), q_nz::<C, L>());
    Scalar::from_uint(a.curve, &r)
}

fn sub_impl<C: Curve<L>, const L: usize>(a: &Scalar, b: &Scalar) -> Scalar {
    let r = a.to_uint::<L>().sub_mod(&b.to_uint::<L>(), q_nz::<C, L>());
    Scalar::from_uint(a.curve, &r)
}

fn mul_impl<C: Curve<L>, const L: usize>(a: &Scalar, b: &Scalar) -> Scalar {
    let r = Fq::<C, L>::new(&a.to_uint::<L>()).mul(&Fq::<C, L>::new(&b.to_uint::<L>()));
    Scalar::from_uint(a.curve, &r.retrieve())
}

fn neg_impl<C: Curve<L>, const L: usize>(a: &Scalar) -> Scalar {
    let r = a.to_uint::<L>().neg_mod(q_nz::<C, L>());
    Scalar::from_uint(a.curve, &r)
}

fn invert_impl<C: Curve<L>, const L: usize>(a: &Scalar) -> Option<Scalar> {
    let inv = Fq::<C, L>::new(&a.to_uint::<L>()).invert();
    let ok = bool::from(inv.is_some());
    let v = uint_select(
        &Uint::ZERO,
        &inv.as_inner_unchecked().retrieve(),
        Choice::from(u8::from(ok)),
    );
    ok.then(|| Scalar::from_uint(a.curve, &v))
}
