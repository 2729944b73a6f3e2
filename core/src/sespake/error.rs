//! Why a host-side SESPAKE step failed.

use crate::crypto::ec::CurveId;

/// A failed SESPAKE step on the host (party A). Every variant except the
/// configuration ones (`UnknownPoint`, `InvalidProfilePoint`, `CurveMismatch`,
/// `InvalidAlpha`) means the token is not who it claims to be, or the exchange
/// was tampered with: the session must not be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SespakeError {
    /// The profile defines no point `Q_ind` for this curve.
    #[error(
        "SESPAKE profile {profile} has no point Q_{ind} for curve {curve}: the token asks for a point set this SDK does not know"
    )]
    UnknownPoint {
        /// The curve of the password.
        curve: CurveId,
        /// The requested index (1-based).
        ind: u8,
        /// The profile's name.
        profile: &'static str,
    },
    /// A profile table entry is not a point of order `q` (a bug in the table).
    #[error(
        "SESPAKE point Q_{ind} of curve {curve} in the profile is not a valid point of order q"
    )]
    InvalidProfilePoint {
        /// The curve.
        curve: CurveId,
        /// The index (1-based).
        ind: u8,
    },
    /// The password key was derived for another curve than the session's.
    #[error(
        "the PIN was prepared for curve {key} but the token's password uses {session}; derive the password key again"
    )]
    CurveMismatch {
        /// Curve of the [`super::PasswordKey`].
        key: CurveId,
        /// Curve of the session.
        session: CurveId,
    },
    /// `int(F) = 0 mod q`: this PIN and salt give no usable `Q_PW`.
    #[error("this PIN and salt derive the neutral point; change the PIN")]
    DegeneratePassword,
    /// An injected `alpha` is zero or a scalar of another curve.
    #[error("alpha must be a scalar in 1..q-1 of curve {curve}")]
    InvalidAlpha {
        /// The session's curve.
        curve: CurveId,
    },
    /// A value from the token has the wrong length.
    #[error(
        "the token sent {what} of {len} bytes, expected {expected}; the token could not be authenticated"
    )]
    BadLength {
        /// Which value (`u2`, `MAC_B`).
        what: &'static str,
        /// Received length.
        len: usize,
        /// Required length.
        expected: usize,
    },
    /// `u2` is not a point of the curve (RFC 8133 step 3 check).
    #[error(
        "the token's SESPAKE point u2 is not on curve {curve}; the token could not be authenticated"
    )]
    PointNotOnCurve {
        /// The session's curve.
        curve: CurveId,
    },
    /// `m/q * (u2 - Q_PW) = O`, i.e. `z_A = 1` (RFC 8133 steps 3 and 5).
    #[error(
        "the token's SESPAKE point u2 leads to a point of small order (z_A = 1); the token could not be authenticated"
    )]
    SmallOrderPoint,
    /// `MAC_B` differs from the expected value (RFC 8133 step 5).
    #[error(
        "the token could not be authenticated: its MAC_B is wrong (not the token that holds this password, or the exchange was altered)"
    )]
    MacMismatch,
}
