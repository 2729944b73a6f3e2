//! Where the token's randomness comes from: SESPAKE `beta`, private keys,
//! signature nonces, salts and the random command.
//!
//! [`TokenRandom`] is the seam: the OS generator by default ([`OsRandom`]),
//! any [`CryptoRng`] through [`VirtualToken::with_rng`](super::VirtualToken::with_rng),
//! or [`ScriptedRandom`] to replay a worked example with its published
//! `beta`, `d` and `k`.

use std::collections::VecDeque;

use rand_core::{CryptoRng, Rng};

use fkn_core::crypto::ec::{CurveId, Scalar};

/// The token's source of randomness.
pub trait TokenRandom: Send {
    /// Fills `dest` with random bytes (random command, salts).
    fn fill_bytes(&mut self, dest: &mut [u8]);

    /// A uniformly random scalar in `[1, q)` of `curve` (SESPAKE `beta`,
    /// private key `d`, signature nonce `k`).
    fn scalar(&mut self, curve: CurveId) -> Scalar;
}

/// The operating system's generator ([`fkn_core::crypto::os_rng`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct OsRandom;

impl TokenRandom for OsRandom {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        fkn_core::crypto::os_rng().fill_bytes(dest);
    }

    fn scalar(&mut self, curve: CurveId) -> Scalar {
        Scalar::random_nonzero(curve, &mut fkn_core::crypto::os_rng())
    }
}

/// Any [`CryptoRng`] as a [`TokenRandom`]: bytes as drawn, scalars by
/// [`Scalar::random_nonzero`].
pub(crate) struct FromRng<R>(pub R);

impl<R: CryptoRng + Send> TokenRandom for FromRng<R> {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest);
    }

    fn scalar(&mut self, curve: CurveId) -> Scalar {
        Scalar::random_nonzero(curve, &mut self.0)
    }
}

/// Randomness for deterministic tests: the given scalars in order, then the
/// OS generator. Bytes always come from the OS generator.
///
/// A scalar is only taken from the script when it belongs to the curve
/// asked for (a scalar of another curve waits for its turn; a zero one is
/// dropped); otherwise, and once the script is used up, the draw is random
/// and counted in [`ScriptedRandom::unscripted_draws`], so a test can
/// assert that its script was followed exactly. **Tests only: a
/// scripted nonce or key is no secret.**
#[derive(Default)]
pub struct ScriptedRandom {
    scalars: VecDeque<Scalar>,
    unscripted: usize,
}

impl ScriptedRandom {
    /// A script of scalars, used in order (e.g. `[beta, d, k]`).
    pub fn new(scalars: impl IntoIterator<Item = Scalar>) -> Self {
        ScriptedRandom {
            scalars: scalars.into_iter().collect(),
            unscripted: 0,
        }
    }

    /// Scalars of the script not yet used.
    pub fn remaining(&self) -> usize {
        self.scalars.len()
    }

    /// Scalars drawn at random because the script had none for the curve.
    pub fn unscripted_draws(&self) -> usize {
        self.unscripted
    }
}

impl TokenRandom for ScriptedRandom {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        OsRandom.fill_bytes(dest);
    }

    fn scalar(&mut self, curve: CurveId) -> Scalar {
        match self.scalars.pop_front() {
            Some(s) if s.curve() == curve && !s.is_zero() => return s,
            // Kept for a later draw on its own curve.
            Some(s) if s.curve() != curve => self.scalars.push_front(s),
            // Zero is no valid draw: dropped.
            _ => {}
        }
        self.unscripted += 1;
        OsRandom.scalar(curve)
    }
}

impl core::fmt::Debug for ScriptedRandom {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ScriptedRandom")
            .field("remaining", &self.scalars.len())
            .field("unscripted_draws", &self.unscripted)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_is_followed_then_falls_back() {
        let c = CurveId::Tc26_256A;
        let two = Scalar::one(c).add(&Scalar::one(c));
        let other = Scalar::one(CurveId::Tc26_512A);
        let mut r = ScriptedRandom::new([Scalar::one(c), two.clone(), other]);
        assert_eq!(r.scalar(c), Scalar::one(c));
        assert_eq!(r.scalar(c), two);
        assert_eq!(r.unscripted_draws(), 0);
        // The next scripted scalar is for another curve: kept, not used.
        assert!(!r.scalar(c).is_zero());
        assert_eq!((r.unscripted_draws(), r.remaining()), (1, 1));
        assert_eq!(
            r.scalar(CurveId::Tc26_512A),
            Scalar::one(CurveId::Tc26_512A)
        );
        assert!(!r.scalar(c).is_zero());
        assert_eq!((r.unscripted_draws(), r.remaining()), (2, 0));
        let mut r = ScriptedRandom::new([Scalar::zero(c), two.clone()]);
        assert!(!r.scalar(c).is_zero());
        assert_eq!(r.scalar(c), two);
        assert_eq!((r.unscripted_draws(), r.remaining()), (1, 0));
    }

    #[test]
    fn os_randomness_differs_between_draws() {
        let c = CurveId::CryptoProA;
        assert_ne!(OsRandom.scalar(c), OsRandom.scalar(c));
        let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
        OsRandom.fill_bytes(&mut a);
        OsRandom.fill_bytes(&mut b);
        assert_ne!(a, b);
    }
}
