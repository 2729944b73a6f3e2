//! Scalar multiplication.
//!
//! Constant-time (secret scalars): [`mul_ct`] (any point; fixed 4-bit window,
//! table scanned in full with `subtle` selects) and [`mul_base_ct`] (the
//! generator; signed 5-bit comb over [`GenTables`]). Both run the same
//! sequence of field operations for every scalar below `q`, and never index
//! memory or branch on scalar bits.
//!
//! Variable-time (public scalars): [`mul_vartime`] and [`lincomb_vartime`]
//! (`a*P + b*Q` for verification, Straus' interleaving of two width-w NAFs).

use crypto_bigint::{Limb, Uint};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};

use super::jacobian::{Accumulator, JacobianPoint};
use super::params::Curve;
use super::precomp::{COMB_ROW, COMB_W, G_NAF_WIDTH, GenTables};
use super::projective::{AffinePoint, ProjectivePoint};

/// Window width of the NAF for a variable base in verification.
const VAR_NAF_WIDTH: u32 = 5;

/// Bits `[pos, pos + w)` of `k`, `w <= 8`, zero beyond its width. Only the
/// public position decides which words are read.
#[inline]
fn window<const L: usize>(k: &Uint<L>, pos: usize, w: usize) -> u8 {
    let word_bits = Limb::BITS as usize;
    let words = k.as_words();
    let (i, sh) = (pos / word_bits, pos % word_bits);
    let mut v = match words.get(i) {
        Some(x) => x >> sh,
        None => 0,
    };
    if sh + w > word_bits {
        if let Some(x) = words.get(i + 1) {
            v |= x << (word_bits - sh);
        }
    }
    // Masked to w <= 8 bits.
    (v & ((1 << w) - 1)) as u8
}

/// `k * p` in constant time, for `k < q` and any point `p` of the curve.
///
/// Fixed window of 4 bits over `ceil(Q_BITS/4)` windows: `4*windows` doublings
/// and `windows` additions of a table entry chosen by a full scan. For `p`
/// with a non-zero component in the order-`q` subgroup, no addition here can
/// hit the exceptional case of the complete formulas: that needs the two
/// summands' multipliers to differ by a non-zero multiple of `q`, but the
/// table adds `(j-1)p + p` (difference `j-2` in `1..=13` for odd `j`) and the
/// loop adds `16c` and `d < 16` with `16c + d <= k < q`.
/// Points of order dividing 4 on the cofactor-4 curves are handled apart:
/// then `k*p = (k mod 4)*p`.
pub(crate) fn mul_ct<C: Curve<L>, const L: usize>(
    p: &ProjectivePoint<C, L>,
    k: &Uint<L>,
) -> ProjectivePoint<C, L> {
    let mut table = [ProjectivePoint::<C, L>::IDENTITY; 16];
    table[1] = *p;
    for j in 2..16 {
        table[j] = if j % 2 == 0 {
            table[j / 2].double()
        } else {
            table[j - 1].add(p)
        };
    }
    let windows = (C::Q_BITS as usize).div_ceil(4);
    let mut acc = ProjectivePoint::<C, L>::IDENTITY;
    for i in (0..windows).rev() {
        acc = acc.double().double().double().double();
        let d = window(k, 4 * i, 4);
        let mut t = table[0];
        for (j, entry) in table.iter().enumerate().skip(1) {
            t = ProjectivePoint::select(&t, entry, d.ct_eq(&(j as u8)));
        }
        acc = acc.add(&t);
    }
    if C::COFACTOR != 1 {
        let p2 = p.double();
        let small = p2.double().is_identity();
        let low = window(k, 0, 2);
        let mut r = ProjectivePoint::<C, L>::IDENTITY;
        r = ProjectivePoint::select(&r, p, low.ct_eq(&1));
        r = ProjectivePoint::select(&r, &p2, low.ct_eq(&2));
        r = ProjectivePoint::select(&r, &p.neg(), low.ct_eq(&3));
        acc = ProjectivePoint::select(&acc, &r, small);
    }
    acc
}

/// Signed `COMB_W`-bit digits of `k`: `k = sum d_i 2^(COMB_W i)`, `d_i` in
/// `[-2^(COMB_W-1), 2^(COMB_W-1)]`, computed without branches on `k`.
fn signed_digits<C: Curve<L>, const L: usize>(k: &Uint<L>) -> Vec<i8> {
    const HALF: i16 = 1 << (COMB_W - 1);
    let mut digits = vec![0i8; GenTables::<C, L>::COMB_WINDOWS];
    let mut carry: i16 = 0;
    for (i, d) in digits.iter_mut().enumerate() {
        let v = i16::from(window(k, COMB_W * i, COMB_W)) + carry;
        carry = (v + HALF) >> COMB_W;
        // In [-HALF, HALF] by construction.
        *d = (v - (carry << COMB_W)) as i8;
    }
    digits
}

/// `|d| * row-base` (negated if `d < 0`) from a comb row, plus `d != 0`.
#[inline]
fn comb_lookup<C: Curve<L>, const L: usize>(
    row: &[AffinePoint<C, L>; COMB_ROW],
    d: i8,
) -> (AffinePoint<C, L>, Choice) {
    let mask = d >> 7; // all ones when negative
    let abs = (d ^ mask).wrapping_sub(mask) as u8;
    let mut t = row[0];
    for (j, entry) in row.iter().enumerate().skip(1) {
        t = AffinePoint::select(&t, entry, abs.ct_eq(&(j as u8 + 1)));
    }
    let negative = Choice::from((mask & 1) as u8);
    (AffinePoint::select(&t, &t.neg(), negative), !abs.ct_eq(&0))
}

/// `k * P` for the curve's generator, in constant time, for `k < q`.
pub(crate) fn mul_base_ct<C: Curve<L>, const L: usize>(k: &Uint<L>) -> ProjectivePoint<C, L> {
    let tables = C::tables();
    let mut digits = signed_digits::<C, L>(k);
    let mut acc = ProjectivePoint::<C, L>::IDENTITY;
    for (row, &d) in tables.comb.iter().zip(digits.iter()) {
        let (t, nonzero) = comb_lookup(row, d);
        // Accumulator and entry are in the prime-order subgroup: exact.
        let sum = acc.add_affine(&t);
        acc = ProjectivePoint::conditional_select(&acc, &sum, nonzero);
    }
    zeroize::Zeroize::zeroize(&mut digits);
    acc
}

/// Width-`w` NAF of `k` (variable time): digits odd or zero, `|d| < 2^(w-1)`,
/// at most one non-zero in any `w` consecutive positions.
pub(crate) fn wnaf<const L: usize>(k: &Uint<L>, w: u32) -> Vec<i8> {
    let bits = Uint::<L>::BITS as usize;
    let mut naf = vec![0i8; bits + 1];
    let width = 1i32 << w;
    let window = |pos: usize| -> i32 {
        (0..w as usize)
            .filter(|i| pos + i < bits && k.bit_vartime((pos + i) as u32))
            .map(|i| 1i32 << i)
            .sum()
    };
    let mut carry = 0i32;
    let mut pos = 0usize;
    while pos <= bits {
        let v = carry + window(pos);
        if v & 1 == 0 {
            // An even window: the carry (if any) moves up with the position.
            pos += 1;
            continue;
        }
        let d = if v < width / 2 { v } else { v - width };
        carry = i32::from(d < 0);
        // |d| < 2^(w-1) <= 64.
        naf[pos] = d as i8;
        pos += w as usize;
    }
    naf
}

/// Odd multiples `p, 3p, ..., (2^(w-1) - 1)p`.
fn odd_multiples<C: Curve<L>, const L: usize>(
    p: &JacobianPoint<C, L>,
    w: u32,
) -> Vec<JacobianPoint<C, L>> {
    let p2 = p.double();
    let mut out = Vec::with_capacity(1 << (w - 2));
    let mut acc = *p;
    for _ in 0..(1usize << (w - 2)) {
        out.push(acc);
        acc = acc.add(&p2);
    }
    out
}

/// Adds `d * base` where `table[j] = (2j+1) * base`.
#[inline]
fn add_naf_digit<C: Curve<L>, const L: usize>(
    acc: &mut Accumulator<C, L>,
    d: i8,
    table: &[JacobianPoint<C, L>],
) {
    match d {
        0 => {}
        d if d > 0 => acc.add(&table[(d as usize) / 2]),
        d => acc.add(&table[(d.unsigned_abs() as usize) / 2].neg()),
    }
}

/// `k * p` in variable time (public `k` and `p`); exact for every point.
pub(crate) fn mul_vartime<C: Curve<L>, const L: usize>(
    p: &ProjectivePoint<C, L>,
    k: &Uint<L>,
) -> JacobianPoint<C, L> {
    let naf = wnaf(k, VAR_NAF_WIDTH);
    let table = odd_multiples(&JacobianPoint::from_projective(p), VAR_NAF_WIDTH);
    let mut acc = Accumulator::identity();
    for &d in naf.iter().rev() {
        acc.double();
        add_naf_digit(&mut acc, d, &table);
    }
    acc.point()
}

/// `a * P + b * q` (P the generator) in variable time, for verification.
pub(crate) fn lincomb_vartime<C: Curve<L>, const L: usize>(
    a: &Uint<L>,
    q: &ProjectivePoint<C, L>,
    b: &Uint<L>,
) -> JacobianPoint<C, L> {
    let odd_g = &C::tables().odd;
    let naf_a = wnaf(a, G_NAF_WIDTH);
    let naf_b = wnaf(b, VAR_NAF_WIDTH);
    let table = odd_multiples(&JacobianPoint::from_projective(q), VAR_NAF_WIDTH);
    let top = naf_a
        .iter()
        .zip(&naf_b)
        .rposition(|(x, y)| *x != 0 || *y != 0)
        .unwrap_or(0);
    let mut acc = Accumulator::identity();
    for i in (0..=top).rev() {
        acc.double();
        match naf_a[i] {
            0 => {}
            d if d > 0 => acc.add_affine(&odd_g[(d as usize) / 2]),
            d => acc.add_affine(&odd_g[(d.unsigned_abs() as usize) / 2].neg()),
        }
        add_naf_digit(&mut acc, naf_b[i], &table);
    }
    acc.point()
}

/// Sanity: the NAF digit type must hold `2^(w-1)`.
const _: () = assert!(G_NAF_WIDTH <= 7 && VAR_NAF_WIDTH <= 7);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::ec::params::{CryptoProA, CryptoProB, Tc26_256A, Tc26_512B, Tc26_512C};
    use crypto_bigint::{U256, U512};

    fn naf_value<const L: usize>(naf: &[i8]) -> i128 {
        naf.iter()
            .rev()
            .fold(0i128, |acc, &d| acc * 2 + i128::from(d))
    }

    #[test]
    fn wnaf_reconstructs_small_values() {
        for v in [
            0u64,
            1,
            2,
            3,
            7,
            8,
            15,
            16,
            31,
            0x5555,
            0xFFFF_FFFF,
            u64::MAX,
        ] {
            for w in [2, 4, 5, 7] {
                let naf = wnaf(&U256::from_u64(v), w);
                assert_eq!(naf_value::<4>(&naf), i128::from(v), "v={v} w={w}");
                for (i, &d) in naf.iter().enumerate() {
                    if d != 0 {
                        assert!(d % 2 != 0 && i32::from(d).abs() < (1 << (w - 1)));
                        assert!(naf[i + 1..].iter().take(w as usize - 1).all(|&x| x == 0));
                    }
                }
            }
        }
        // The top bit of a full-width value produces a carry digit at BITS.
        let naf = wnaf(&U256::MAX, 5);
        assert_eq!(naf.len(), 257);
        assert_eq!(naf[256], 1);
    }

    fn digits_value(d: &[i8]) -> i128 {
        d.iter()
            .rev()
            .fold(0i128, |acc, &x| acc * (1 << COMB_W) + i128::from(x))
    }

    #[test]
    fn windows_cross_word_boundaries() {
        let k =
            U256::from_be_hex("F0E1D2C3B4A5968778695A4B3C2D1E0F0123456789ABCDEFFEDCBA9876543210");
        for w in [2usize, 4, 5] {
            for pos in 0..260 {
                let expect = (0..w)
                    .filter(|i| pos + i < 256 && k.bit_vartime((pos + i) as u32))
                    .map(|i| 1u8 << i)
                    .sum::<u8>();
                assert_eq!(window(&k, pos, w), expect, "pos {pos} w {w}");
            }
        }
    }

    #[test]
    fn signed_digits_reconstruct() {
        for v in [
            0u64,
            1,
            8,
            9,
            16,
            17,
            0x88,
            0xFFFF,
            0x7777_7777,
            0x8421_0842_1084,
            u64::MAX >> 8,
        ] {
            let d = signed_digits::<CryptoProA, { U256::LIMBS }>(&U256::from_u64(v));
            let half = 1i8 << (COMB_W - 1);
            assert!(d.iter().all(|&x| (-half..=half).contains(&x)));
            assert_eq!(digits_value(&d), i128::from(v));
        }
    }

    fn agree<C: Curve<L>, const L: usize>() {
        let g = ProjectivePoint::<C, L>::GENERATOR;
        let p = g.double().add(&g).double(); // 6P, a non-generator base
        let q_minus_1 = C::Q.wrapping_sub(&Uint::ONE);
        let ks = [
            Uint::<L>::ZERO,
            Uint::ONE,
            Uint::from_u8(2),
            Uint::from_u8(15),
            Uint::from_u8(16),
            Uint::from_u64(0xDEAD_BEEF_1234_5678),
            C::Q.shr_vartime(1),
            q_minus_1,
        ];
        for k in &ks {
            let a = mul_ct(&p, k);
            let b = mul_vartime(&p, k).to_projective();
            assert!(bool::from(a.ct_eq(&b)));
            let c = mul_base_ct::<C, L>(k);
            let d = mul_vartime(&g, k).to_projective();
            assert!(bool::from(c.ct_eq(&d)));
            let e = lincomb_vartime(k, &p, &Uint::from_u8(3)).to_projective();
            assert!(bool::from(e.ct_eq(&d.add(&p.double().add(&p)))));
        }
        // (q-1)*P = -P, q*P = O.
        assert!(bool::from(mul_base_ct::<C, L>(&q_minus_1).ct_eq(&g.neg())));
        assert!(mul_vartime(&g, &C::Q).is_identity());
    }

    #[test]
    fn constant_time_and_vartime_paths_agree() {
        agree::<CryptoProA, { U256::LIMBS }>();
        agree::<CryptoProB, { U256::LIMBS }>();
        agree::<Tc26_256A, { U256::LIMBS }>();
        agree::<Tc26_512B, { U512::LIMBS }>();
        agree::<Tc26_512C, { U512::LIMBS }>();
    }
}
