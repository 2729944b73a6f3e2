//! Constant-time helpers on Montgomery field elements and plain integers,
//! written with `subtle` over the limbs (crypto-bigint's own `Choice` is a
//! different type), plus the byte encodings the curves use.

use crypto_bigint::modular::{ConstMontyForm, ConstMontyParams};
use crypto_bigint::{Limb, Uint, Word};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

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
}
