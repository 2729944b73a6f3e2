//! Precomputed multiples of the generator, built once per curve on first use
//! (a `OnceLock` in each curve's [`Curve::tables`]).
//!
//! * `comb[i][j] = (j + 1) * 32^i * P` for the constant-time fixed-base
//!   multiplication: a scalar in signed 5-bit digits `d_i` in `[-16, 16]` is
//!   `sum d_i * 32^i`, so `k*P` costs one table scan and one mixed addition
//!   per digit and no doublings (53 additions for 256-bit `q`, 104 for
//!   512-bit; tables of 53 and 208 KiB).
//! * `odd[j] = (2j + 1) * P` for the variable-time width-7 NAF of verification.

use super::params::{Curve, Fe};
use super::projective::{AffinePoint, ProjectivePoint};

/// Window width of the NAF of the generator's coefficient in verification.
pub(crate) const G_NAF_WIDTH: u32 = 7;

/// Bits per comb digit.
pub(crate) const COMB_W: usize = 5;

/// Entries per comb row: digit magnitudes `1..=2^(COMB_W-1)`.
pub(crate) const COMB_ROW: usize = 1 << (COMB_W - 1);

/// Generator tables of one curve.
pub(crate) struct GenTables<C: Curve<L>, const L: usize> {
    /// `comb[i][j] = (j + 1) * 2^(COMB_W i) * P`, affine.
    pub(crate) comb: Vec<[AffinePoint<C, L>; COMB_ROW]>,
    /// `odd[j] = (2j + 1) * P`, affine, `j < 2^(G_NAF_WIDTH - 2)`.
    pub(crate) odd: Vec<AffinePoint<C, L>>,
}

impl<C: Curve<L>, const L: usize> GenTables<C, L> {
    /// Number of signed digits of a scalar below `q`: one more than the
    /// `COMB_W`-bit windows of `q`, for the final carry.
    pub(crate) const COMB_WINDOWS: usize = (C::Q_BITS as usize).div_ceil(COMB_W) + 1;

    /// Builds both tables (about a thousand point additions; the generator is
    /// public, so variable-time normalisation is fine).
    pub(crate) fn new() -> Self {
        let mut points =
            Vec::with_capacity(Self::COMB_WINDOWS * COMB_ROW + (1 << (G_NAF_WIDTH - 2)));
        let mut base = ProjectivePoint::<C, L>::GENERATOR;
        for _ in 0..Self::COMB_WINDOWS {
            let mut acc = base;
            points.push(acc);
            for _ in 1..COMB_ROW {
                acc = acc.add(&base);
                points.push(acc);
            }
            for _ in 0..COMB_W {
                base = base.double();
            }
        }
        let g = ProjectivePoint::<C, L>::GENERATOR;
        let g2 = g.double();
        let mut acc = g;
        for _ in 0..(1usize << (G_NAF_WIDTH - 2)) {
            points.push(acc);
            acc = acc.add(&g2);
        }
        let affine = batch_to_affine(&points);
        let (comb_part, odd_part) = affine.split_at(Self::COMB_WINDOWS * COMB_ROW);
        let comb = comb_part
            .chunks_exact(COMB_ROW)
            .map(|row| core::array::from_fn(|j| row[j]))
            .collect();
        Self {
            comb,
            odd: odd_part.to_vec(),
        }
    }
}

/// Affine forms of finite points with one inversion (Montgomery's trick).
/// Variable time: for public points only.
fn batch_to_affine<C: Curve<L>, const L: usize>(
    points: &[ProjectivePoint<C, L>],
) -> Vec<AffinePoint<C, L>> {
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = Fe::<C, L>::ONE;
    for p in points {
        prefix.push(acc);
        acc = acc.mul(&p.z);
    }
    // Table points are non-zero multiples of P, so the product is invertible.
    let mut inv = acc.invert_vartime().unwrap_or(Fe::<C, L>::ZERO);
    let mut out = vec![
        AffinePoint {
            x: Fe::<C, L>::ZERO,
            y: Fe::<C, L>::ZERO
        };
        points.len()
    ];
    for (i, p) in points.iter().enumerate().rev() {
        let zinv = inv.mul(&prefix[i]);
        inv = inv.mul(&p.z);
        out[i] = AffinePoint {
            x: p.x.mul(&zinv),
            y: p.y.mul(&zinv),
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::field::fe_eq;
    use super::super::params::{CryptoProB, Tc26_512C};
    use super::*;
    use crypto_bigint::{U256, U512};
    use subtle::ConstantTimeEq;

    fn check<C: Curve<L>, const L: usize>() {
        let t = C::tables();
        assert_eq!(t.comb.len(), GenTables::<C, L>::COMB_WINDOWS);
        let g = ProjectivePoint::<C, L>::GENERATOR;
        // Row 0 is P..16P, and row i+1 starts at 32 times row i's start.
        let mut expect = g;
        for j in 0..COMB_ROW {
            assert!(bool::from(
                ProjectivePoint::from_affine(&t.comb[0][j]).ct_eq(&expect)
            ));
            expect = expect.add(&g);
        }
        let next = ProjectivePoint::from_affine(&t.comb[0][COMB_ROW - 1]).double();
        assert!(bool::from(
            ProjectivePoint::from_affine(&t.comb[1][0]).ct_eq(&next)
        ));
        let last = &t.comb[t.comb.len() - 1];
        let prev = ProjectivePoint::from_affine(&t.comb[t.comb.len() - 2][0]);
        let up = (0..COMB_W).fold(prev, |p, _| p.double());
        assert!(bool::from(
            ProjectivePoint::from_affine(&last[0]).ct_eq(&up)
        ));
        assert!(bool::from(fe_eq(&t.odd[0].x, &C::GX)));
        let g3 = g.double().add(&g);
        assert!(bool::from(
            ProjectivePoint::from_affine(&t.odd[1]).ct_eq(&g3)
        ));
        for p in t.odd.iter().chain(t.comb.iter().flatten()) {
            assert!(bool::from(AffinePoint::<C, L>::is_on_curve(&p.x, &p.y)));
        }
    }

    #[test]
    fn generator_tables() {
        check::<CryptoProB, { U256::LIMBS }>();
        check::<Tc26_512C, { U512::LIMBS }>();
    }
}
