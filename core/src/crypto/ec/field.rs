//! Constant-time helpers on Montgomery field elements and plain integers,
//! written with `subtle` over the limbs (crypto-bigint's own `Choice` is a
//! different type), plus the byte encodings the curves use.

use crypto_bigint::modular::{ConstMontyForm, ConstMontyParams};
use crypto_bigint::{Limb, Uint, Word};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

/// Modular addition, subtraction, doubling and negation on Montgomery values,
/// composed from crypto-bigint's always-inlined carry chains. The library's
/// own `add`/`sub` are not inlined and cost a third of a verification.
pub(crate) trait FieldOps: Sized {
    /// `self + rhs mod m`.
    fn fadd(&self, rhs: &Self) -> Self;
    /// `self - rhs mod m`.
    fn fsub(&self, rhs: &Self) -> Self;
    /// `2 * self mod m`.
    fn fdbl(&self) -> Self;
    /// `-self mod m`.
    fn fneg(&self) -> Self;
}

/// `m` where `mask` is all ones, zero where it is zero.
#[inline(always)]
fn masked<const L: usize>(m: &Uint<L>, mask: Limb) -> Uint<L> {
    let w = m.as_words();
    Uint::from_words(core::array::from_fn(|i| w[i] & mask.0))
}

impl<P: ConstMontyParams<L>, const L: usize> FieldOps for ConstMontyForm<P, L> {
    #[inline(always)]
    fn fadd(&self, rhs: &Self) -> Self {
        let m = P::PARAMS.modulus().as_ref();
        let (sum, carry) = self
            .as_montgomery()
            .carrying_add(rhs.as_montgomery(), Limb::ZERO);
        let (diff, borrow) = sum.borrowing_sub(m, Limb::ZERO);
        // Below m exactly when the subtraction borrowed and the sum did not carry.
        let (_, under) = carry.borrowing_sub(Limb::ZERO, borrow);
        let (r, _) = diff.carrying_add(&masked(m, under), Limb::ZERO);
        ConstMontyForm::from_montgomery(r)
    }

    #[inline(always)]
    fn fsub(&self, rhs: &Self) -> Self {
        let m = P::PARAMS.modulus().as_ref();
        let (diff, borrow) = self
            .as_montgomery()
            .borrowing_sub(rhs.as_montgomery(), Limb::ZERO);
        let (r, _) = diff.carrying_add(&masked(m, borrow), Limb::ZERO);
        ConstMontyForm::from_montgomery(r)
    }

    #[inline(always)]
    fn fdbl(&self) -> Self {
        self.fadd(self)
    }

    #[inline(always)]
    fn fneg(&self) -> Self {
        Self::ZERO.fsub(self)
    }
}

/// `b` if `choice` is set, else `a`.
#[inline]
pub(crate) fn select<P: ConstMontyParams<L>, const L: usize>(
    a: &ConstMontyForm<P, L>,
    b: &ConstMontyForm<P, L>,
    choice: Choice,
) -> ConstMontyForm<P, L> {
    ConstMontyForm::from_montgomery(uint_select(a.as_montgomery(), b.as_montgomery(), choice))
}

/// Equality of two reduced Montgomery values (the representation is unique).
#[inline]
pub(crate) fn fe_eq<P: ConstMontyParams<L>, const L: usize>(
    a: &ConstMontyForm<P, L>,
    b: &ConstMontyForm<P, L>,
) -> Choice {
    a.as_montgomery()
        .as_words()
        .ct_eq(b.as_montgomery().as_words())
}

/// `a == 0` (zero is zero in Montgomery form too).
#[inline]
pub(crate) fn fe_is_zero<P: ConstMontyParams<L>, const L: usize>(
    a: &ConstMontyForm<P, L>,
) -> Choice {
    uint_is_zero(a.as_montgomery())
}

/// `b` if `choice` is set, else `a`.
#[inline]
pub(crate) fn uint_select<const L: usize>(a: &Uint<L>, b: &Uint<L>, choice: Choice) -> Uint<L> {
    let (aw, bw) = (a.as_words(), b.as_words());
    let mut out = [0 as Word; L];
    for i in 0..L {
        out[i] = Word::conditional_select(&aw[i], &bw[i], choice);
    }
    Uint::from_words(out)
}

/// `a == 0`.
#[inline]
pub(crate) fn uint_is_zero<const L: usize>(a: &Uint<L>) -> Choice {
    let acc = a.as_words().iter().fold(0 as Word, |acc, w| acc | w);
    acc.ct_eq(&0)
}

/// `a < b`, from the borrow of `a - b`.
#[inline]
pub(crate) fn uint_lt<const L: usize>(a: &Uint<L>, b: &Uint<L>) -> Choice {
    let (_, borrow) = a.borrowing_sub(b, Limb::ZERO);
    Choice::from((borrow.0 & 1) as u8)
}

/// Little-endian bytes (at most `L` limbs' worth) to an integer.
pub(crate) fn uint_from_le<const L: usize>(bytes: &[u8]) -> Option<Uint<L>> {
    if bytes.len() > L * Limb::BYTES {
        return None;
    }
    let mut words = [0 as Word; L];
    for (i, b) in bytes.iter().enumerate() {
        words[i / Limb::BYTES] |= Word::from(*b) << (8 * (i % Limb::BYTES));
    }
    let out = Uint::from_words(words);
    words.zeroize();
    Some(out)
}

/// Big-endian bytes (at most `L` limbs' worth) to an integer.
pub(crate) fn uint_from_be<const L: usize>(bytes: &[u8]) -> Option<Uint<L>> {
    if bytes.len() > L * Limb::BYTES {
        return None;
    }
    let mut words = [0 as Word; L];
    for (i, b) in bytes.iter().rev().enumerate() {
        words[i / Limb::BYTES] |= Word::from(*b) << (8 * (i % Limb::BYTES));
    }
    let out = Uint::from_words(words);
    words.zeroize();
    Some(out)
}

/// Writes the low `out.len()` bytes of `a`, little-endian.
pub(crate) fn uint_to_le<const L: usize>(a: &Uint<L>, out: &mut [u8]) {
    let words = a.as_words();
    for (i, o) in out.iter_mut().enumerate() {
        let w = words.get(i / Limb::BYTES).copied().unwrap_or(0);
        // Truncation to the addressed byte is the point.
        *o = (w >> (8 * (i % Limb::BYTES))) as u8;
    }
}

/// Writes the low `out.len()` bytes of `a`, big-endian.
pub(crate) fn uint_to_be<const L: usize>(a: &Uint<L>, out: &mut [u8]) {
    uint_to_le(a, out);
    out.reverse();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_bigint::U256;

    #[test]
    fn byte_round_trips() {
        let be: Vec<u8> = (1..=32).collect();
        let a = uint_from_be::<{ U256::LIMBS }>(&be).unwrap();
        assert_eq!(a, U256::from_be_slice(&be));
        let mut out = [0u8; 32];
        uint_to_be(&a, &mut out);
        assert_eq!(out.as_slice(), be.as_slice());
        uint_to_le(&a, &mut out);
        assert_eq!(uint_from_le::<{ U256::LIMBS }>(&out), Some(a));
        // Short input is zero-extended, long input refused.
        assert_eq!(
            uint_from_be::<{ U256::LIMBS }>(&[1, 2]),
            Some(U256::from_u16(0x0102))
        );
        assert_eq!(uint_from_le::<{ U256::LIMBS }>(&[0u8; 33]), None);
    }

    #[test]
    fn comparisons() {
        let (a, b) = (U256::from_u8(5), U256::from_u8(7));
        assert!(bool::from(uint_lt(&a, &b)));
        assert!(!bool::from(uint_lt(&b, &a)));
        assert!(!bool::from(uint_lt(&a, &a)));
        assert!(bool::from(uint_is_zero(&U256::ZERO)));
        assert!(!bool::from(uint_is_zero(&U256::MAX)));
        assert_eq!(uint_select(&a, &b, Choice::from(1)), b);
        assert_eq!(uint_select(&a, &b, Choice::from(0)), a);
    }

    #[test]
    fn field_ops_match_crypto_bigint() {
        crypto_bigint::const_monty_params!(
            P,
            U256,
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97"
        );
        type F = ConstMontyForm<P, { U256::LIMBS }>;
        let m1 =
            U256::from_be_hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD96");
        let vals = [
            U256::ZERO,
            U256::ONE,
            U256::from_u8(2),
            m1,
            m1.wrapping_sub(&U256::ONE),
            U256::from_be_hex("8000000000000000000000000000000000000000000000000000000000000000"),
            U256::from_be_hex("7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFECB"),
        ];
        for a in &vals {
            for b in &vals {
                // from_montgomery keeps the raw words: the ops act on residues < p.
                let (x, y) = (F::from_montgomery(*a), F::from_montgomery(*b));
                assert_eq!(x.fadd(&y), x.add(&y));
                assert_eq!(x.fsub(&y), x.sub(&y));
                assert_eq!(x.fdbl(), x.double());
                assert_eq!(x.fneg(), x.neg());
            }
        }
    }
}
