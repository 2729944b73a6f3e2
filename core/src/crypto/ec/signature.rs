//! GOST R 34.10-2012 signatures (RFC 7091 Sections 6.1 and 6.2) with the
//! byte conventions of OFP1 Section 1 and OpenSSL's gost-engine:
//! `e = int_LE(digest) mod q` (`e = 1` if that is zero) and signature octets
//! `s || r`, each big-endian in `coord_len()` bytes.

use core::fmt;

use crypto_bigint::{Limb, Uint};
use zeroize::{Zeroize, Zeroizing};

use super::curve_id::CurveId;
use super::error::EcError;
use super::field::{uint_from_be, uint_is_zero, uint_lt, uint_select, uint_to_be};
use super::jacobian::JacobianPoint;
use super::mul::{lincomb_vartime, mul_base_ct};
use super::params::{Curve, Fe, Fq, dispatch};
use super::point::Point;
use super::projective::ProjectivePoint;
use super::scalar::{Scalar, q_nz, reduce_le_q};

/// A GOST R 34.10-2012 private key `d`, `0 < d < q`, with its public key.
///
/// Zeroized on drop; `Debug` shows only the curve and the public key.
#[derive(Clone)]
pub struct SigningKey {
    d: Scalar,
    public: VerifyingKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("curve", &self.d.curve())
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// A GOST R 34.10-2012 public key `Q = d*P`: a finite point of the
/// prime-order subgroup.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyingKey {
    point: Point,
}

impl fmt::Debug for VerifyingKey {
    /// The curve and `BYTES(Q)` in hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("curve", &self.curve())
            .field("bytes", &hex::encode_upper(self.to_bytes()))
            .finish()
    }
}

impl SigningKey {
    /// A fresh key with `d` uniform in `[1, q)`.
    pub fn generate(curve: CurveId, rng: &mut impl rand_core::CryptoRng) -> SigningKey {
        SigningKey::from_nonzero(Scalar::random_nonzero(curve, rng))
    }

    /// From `d` as `coord_len()` big-endian bytes; `0 < d < q`.
    pub fn from_be_bytes(curve: CurveId, d: &[u8]) -> Result<SigningKey, EcError> {
        SigningKey::from_scalar(Scalar::from_be_bytes(curve, d)?)
    }

    /// From `d` as a scalar; fails for zero.
    pub fn from_scalar(d: Scalar) -> Result<SigningKey, EcError> {
        if d.is_zero() {
            return Err(EcError::ScalarOutOfRange);
        }
        Ok(SigningKey::from_nonzero(d))
    }

    fn from_nonzero(d: Scalar) -> SigningKey {
        let public = VerifyingKey {
            point: Point::mul_generator(&d),
        };
        SigningKey { d, public }
    }

    /// `d` as `coord_len()` big-endian bytes.
    pub fn to_be_bytes(&self) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.d.to_be_bytes())
    }

    /// `d` as a scalar (for protocols such as two-party signing).
    pub fn as_scalar(&self) -> &Scalar {
        &self.d
    }

    /// The curve of the key.
    pub fn curve(&self) -> CurveId {
        self.d.curve()
    }

    /// `Q = d*P`.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.public.clone()
    }

    /// Signs a digest of `curve().digest_len()` bytes with a fresh random
    /// nonce; returns `s || r`.
    pub fn sign_digest(
        &self,
        digest: &[u8],
        rng: &mut impl rand_core::CryptoRng,
    ) -> Result<Vec<u8>, EcError> {
        loop {
            let k = Scalar::random_nonzero(self.curve(), rng);
            match self.sign_digest_with_nonce(digest, &k) {
                Err(EcError::DegenerateNonce) => continue,
                other => return other,
            }
        }
    }

    /// Signs with a caller-chosen nonce `k` (test vectors, transcripts).
    /// Reusing or leaking `k` reveals the key. Fails if `k` is zero
    /// ([`EcError::ScalarOutOfRange`]) or gives `r = 0` or `s = 0`
    /// ([`EcError::DegenerateNonce`]).
    pub fn sign_digest_with_nonce(&self, digest: &[u8], k: &Scalar) -> Result<Vec<u8>, EcError> {
        self.d.check_curve(k)?;
        dispatch!(self.curve(), sign_digest_impl(&self.d, digest, k))
    }

    /// Signs a given `e` (the integer the digest maps to, as RFC 7091's
    /// examples state it) with nonce `k`; returns `(r, s)`. For test vectors.
    #[doc(hidden)]
    pub fn sign_e_with_nonce(&self, e: &Scalar, k: &Scalar) -> Result<(Scalar, Scalar), EcError> {
        self.d.check_curve(e)?;
        self.d.check_curve(k)?;
        dispatch!(self.curve(), sign_e_impl(&self.d, e, k))
    }
}

impl VerifyingKey {
    /// From `BYTES(Q)` with full validation (see [`Point::from_bytes`]).
    pub fn from_bytes(curve: CurveId, bytes: &[u8]) -> Result<VerifyingKey, EcError> {
        Ok(VerifyingKey {
            point: Point::from_bytes(curve, bytes)?,
        })
    }

    /// From a point: must be finite and in the prime-order subgroup.
    pub fn from_point(p: Point) -> Result<VerifyingKey, EcError> {
        if p.is_identity() {
            return Err(EcError::PointAtInfinity);
        }
        if !p.is_in_subgroup_vartime() {
            return Err(EcError::PointNotInSubgroup);
        }
        Ok(VerifyingKey { point: p })
    }

    /// `BYTES(Q)`.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.point.to_bytes()
    }

    /// `Q`.
    pub fn point(&self) -> &Point {
        &self.point
    }

    /// The curve of the key.
    pub fn curve(&self) -> CurveId {
        self.point.curve()
    }

    /// Verifies `s || r` over a digest of `curve().digest_len()` bytes.
    ///
    /// Errors: [`EcError::DigestLength`], [`EcError::InvalidLength`] (signature
    /// not `2 * coord_len()` bytes), [`EcError::SignatureComponentOutOfRange`]
    /// (`r` or `s` zero or `>= q`), [`EcError::InvalidSignature`].
    pub fn verify_digest(&self, digest: &[u8], signature: &[u8]) -> Result<(), EcError> {
        dispatch!(
            self.curve(),
            verify_digest_impl(&self.point, digest, signature)
        )
    }

    /// Verifies `(r, s)` over a given `e` (RFC 7091's examples). For test vectors.
    #[doc(hidden)]
    pub fn verify_e(&self, e: &Scalar, r: &Scalar, s: &Scalar) -> Result<(), EcError> {
        for v in [e, r, s] {
            if v.curve() != self.curve() {
                return Err(EcError::CurveMismatch {
                    left: self.curve(),
                    right: v.curve(),
                });
            }
        }
        dispatch!(self.curve(), verify_e_impl(&self.point, e, r, s))
    }
}

/// `e = int_LE(digest) mod q`, replaced by 1 when zero (RFC 7091 6.1 step 2).
pub(crate) fn digest_to_e<C: Curve<L>, const L: usize>(digest: &[u8]) -> Result<Uint<L>, EcError> {
    if digest.len() != C::BYTES {
        return Err(EcError::DigestLength {
            expected: C::BYTES,
            got: digest.len(),
        });
    }
    let e = reduce_le_q::<C, L>(digest);
    Ok(uint_select(&e, &Uint::ONE, uint_is_zero(&e)))
}

/// RFC 7091 6.1 steps 3-6 for given `d`, `e`, `k`: `C = kP`, `r = x_C mod q`,
/// `s = (r d + k e) mod q`. Constant time in `d` and `k`.
pub(crate) fn sign_core<C: Curve<L>, const L: usize>(
    d: &Uint<L>,
    e: &Uint<L>,
    k: &Uint<L>,
) -> Result<(Uint<L>, Uint<L>), EcError> {
    if bool::from(uint_is_zero(k)) || !bool::from(uint_lt(k, &C::Q)) {
        return Err(EcError::ScalarOutOfRange);
    }
    let (x, _, _) = mul_base_ct::<C, L>(k).to_affine();
    let r = x.retrieve().rem(q_nz::<C, L>());
    let s = Fq::<C, L>::new(&r)
        .mul(&Fq::<C, L>::new(d))
        .add(&Fq::<C, L>::new(k).mul(&Fq::<C, L>::new(e)))
        .retrieve();
    if bool::from(uint_is_zero(&r) | uint_is_zero(&s)) {
        return Err(EcError::DegenerateNonce);
    }
    Ok((r, s))
}

/// RFC 7091 6.2 steps 4-7 for given `e` and a range-checked `(r, s)`:
/// `v = e^-1`, `z1 = s v`, `z2 = -r v`, `C = z1 P + z2 Q`, accept iff
/// `x_C mod q == r`. Variable time: every input is public.
pub(crate) fn verify_core<C: Curve<L>, const L: usize>(
    q: &ProjectivePoint<C, L>,
    e: &Uint<L>,
    r: &Uint<L>,
    s: &Uint<L>,
) -> Result<(), EcError> {
    let in_range = |v: &Uint<L>| !v.is_zero_vartime() && bool::from(uint_lt(v, &C::Q));
    if !in_range(r) || !in_range(s) {
        return Err(EcError::SignatureComponentOutOfRange);
    }
    let v = Fq::<C, L>::new(e)
        .invert_vartime()
        .into_option()
        .ok_or(EcError::InvalidSignature)?;
    let z1 = Fq::<C, L>::new(s).mul(&v).retrieve();
    let z2 = Fq::<C, L>::new(r).mul(&v).neg().retrieve();
    let c: JacobianPoint<C, L> = lincomb_vartime(&z1, q, &z2);
    // x_C mod q == r  <=>  x_C is one of r, r + q, r + 2q, ... below p;
    // compared in Jacobian form, which saves the inversion.
    let mut candidate = *r;
    loop {
        if !bool::from(uint_lt(&candidate, &C::P)) {
            return Err(EcError::InvalidSignature);
        }
        if c.x_equals(&Fe::<C, L>::new(&candidate)) {
            return Ok(());
        }
        let (next, carry) = candidate.carrying_add(&C::Q, Limb::ZERO);
        if carry != Limb::ZERO {
            return Err(EcError::InvalidSignature);
        }
        candidate = next;
    }
}

fn sign_digest_impl<C: Curve<L>, const L: usize>(
    d: &Scalar,
    digest: &[u8],
    k: &Scalar,
) -> Result<Vec<u8>, EcError> {
    let e = digest_to_e::<C, L>(digest)?;
    let (mut dd, mut kk) = (d.to_uint::<L>(), k.to_uint::<L>());
    let res = sign_core::<C, L>(&dd, &e, &kk);
    dd.zeroize();
    kk.zeroize();
    let (r, s) = res?;
    let mut out = vec![0u8; 2 * C::BYTES];
    let (so, ro) = out.split_at_mut(C::BYTES);
    uint_to_be(&s, so);
    uint_to_be(&r, ro);
    Ok(out)
}

fn sign_e_impl<C: Curve<L>, const L: usize>(
    d: &Scalar,
    e: &Scalar,
    k: &Scalar,
) -> Result<(Scalar, Scalar), EcError> {
    let e = e.to_uint::<L>();
    let e = uint_select(&e, &Uint::ONE, uint_is_zero(&e));
    let (mut dd, mut kk) = (d.to_uint::<L>(), k.to_uint::<L>());
    let res = sign_core::<C, L>(&dd, &e, &kk);
    dd.zeroize();
    kk.zeroize();
    let (r, s) = res?;
    Ok((
        Scalar::from_uint(d.curve(), &r),
        Scalar::from_uint(d.curve(), &s),
    ))
}

fn verify_digest_impl<C: Curve<L>, const L: usize>(
    q: &Point,
    digest: &[u8],
    signature: &[u8],
) -> Result<(), EcError> {
    let e = digest_to_e::<C, L>(digest)?;
    if signature.len() != 2 * C::BYTES {
        return Err(EcError::InvalidLength {
            expected: 2 * C::BYTES,
            got: signature.len(),
        });
    }
    let (s, r) = signature.split_at(C::BYTES);
    let bad = EcError::InvalidLength {
        expected: 2 * C::BYTES,
        got: signature.len(),
    };
    let (s, r) = (
        uint_from_be::<L>(s).ok_or(bad)?,
        uint_from_be::<L>(r).ok_or(bad)?,
    );
    verify_core(&q.lift::<C, L>(), &e, &r, &s)
}

fn verify_e_impl<C: Curve<L>, const L: usize>(
    q: &Point,
    e: &Scalar,
    r: &Scalar,
    s: &Scalar,
) -> Result<(), EcError> {
    let e = e.to_uint::<L>();
    let e = uint_select(&e, &Uint::ONE, uint_is_zero(&e));
    verify_core(&q.lift::<C, L>(), &e, &r.to_uint::<L>(), &s.to_uint::<L>())
}
