//! The seam for SESPAKE parameters a deployment may choose: point sets and
//! the PBKDF2 iteration count (RFC 8133 Section 4.1).

use super::SespakeError;
use crate::crypto::ec::{CurveId, Point};
use crate::crypto::sespake_points::{PointSet, RFC8133_Q1};

/// SESPAKE parameters fixed by a profile: which point set each curve uses and
/// how many PBKDF2 iterations turn a PIN into `F`.
///
/// OFP1 is [`Profile::ofp1`]. A vendor profile (e.g. the second point set of
/// R 50.1.115-2016) is one more `const` built with [`Profile::new`] from its
/// own [`PointSet`] table; the host session, secure messaging, the APDU layer
/// and the FFI only pass a `&Profile` through, so nothing else changes. The
/// MAC layout (`ID_A`, `ID_B`, `ID_ALG`) is chosen per session with
/// [`super::MacContext`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Profile {
    name: &'static str,
    pbkdf2_iterations: u32,
    point_sets: &'static [PointSet],
}

/// OFP1 Section 4: RFC 8133 A.1 (N = 1 for each of the seven curves), c = 2000.
const OFP1: Profile = Profile::new("OFP1 (RFC 8133 A.1, N = 1)", 2000, RFC8133_Q1);

impl Profile {
    /// A profile from its parts; `point_sets` holds at most one entry per curve
    /// (the first one wins).
    pub const fn new(
        name: &'static str,
        pbkdf2_iterations: u32,
        point_sets: &'static [PointSet],
    ) -> Self {
        Profile {
            name,
            pbkdf2_iterations,
            point_sets,
        }
    }

    /// The OFP1 profile: the RFC 8133 A.1 points `Q_1` and 2000 iterations.
    pub const fn ofp1() -> Self {
        OFP1
    }

    /// The same point sets with another PBKDF2 iteration count (a vendor
    /// variant, or a fast profile for protocol tests). Host and token must
    /// agree on it: `Q_PW` depends on it.
    pub const fn with_pbkdf2_iterations(self, iterations: u32) -> Self {
        Profile {
            pbkdf2_iterations: iterations,
            ..self
        }
    }

    /// A human-readable name, for logs and error messages.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// PBKDF2 iteration count `c` of `F(PW, salt, c)`.
    pub const fn pbkdf2_iterations(&self) -> u32 {
        self.pbkdf2_iterations
    }

    /// `N`, the number of points this profile defines for `curve` (0 if the
    /// curve is not supported).
    pub fn point_count(&self, curve: CurveId) -> usize {
        self.set(curve).map_or(0, |s| s.points.len())
    }

    /// `Q_ind` on `curve`; `ind` counts from 1 as in RFC 8133.
    ///
    /// # Errors
    /// [`SespakeError::UnknownPoint`] when the profile has no such point, or
    /// [`SespakeError::InvalidProfilePoint`] when the table entry is not a
    /// valid point of order `q`.
    pub fn point(&self, curve: CurveId, ind: u8) -> Result<Point, SespakeError> {
        let unknown = SespakeError::UnknownPoint {
            curve,
            ind,
            profile: self.name,
        };
        let index = usize::from(ind).checked_sub(1).ok_or(unknown.clone())?;
        let affine = self
            .set(curve)
            .and_then(|s| s.points.get(index))
            .ok_or(unknown)?;
        affine
            .to_point(curve)
            .map_err(|_| SespakeError::InvalidProfilePoint { curve, ind })
    }

    fn set(&self, curve: CurveId) -> Option<&'static PointSet> {
        self.point_sets.iter().find(|s| s.curve == curve)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sespake_points::AffinePoint;

    #[test]
    fn ofp1_has_one_valid_point_per_curve() {
        let p = Profile::ofp1();
        assert_eq!(p.pbkdf2_iterations(), 2000);
        for c in CurveId::ALL {
            assert_eq!(p.point_count(c), 1, "{c}");
            let q = p.point(c, 1).expect("Q_1 is valid");
            assert!(!q.is_identity());
            assert!(p.point(c, 0).is_err());
            assert!(p.point(c, 2).is_err());
        }
    }

    #[test]
    fn a_vendor_profile_is_just_another_table() {
        // A point of order 4 on tc26-256-A (outside the order-q subgroup) and
        // a point off the curve: a table with them is refused point by point.
        const T4: AffinePoint = AffinePoint {
            x: &[
                0x7F, 0x7F, 0x80, 0xC6, 0x05, 0x35, 0x00, 0x75, 0x38, 0xB4, 0x5A, 0x5D, 0x95, 0xC3,
                0x93, 0x53, 0xBC, 0x5D, 0x80, 0xD1, 0xF3, 0x6A, 0x9D, 0xC0, 0xAC, 0xE7, 0xC5, 0x11,
                0x8C, 0x2F, 0x59, 0x77,
            ],
            y: &[
                0x7E, 0x7E, 0x82, 0x52, 0x0F, 0x9F, 0x01, 0x5F, 0xAA, 0x1D, 0x0F, 0x18, 0xC1, 0x4A,
                0xB9, 0xFB, 0x35, 0x18, 0x82, 0x75, 0xDA, 0x3F, 0xD9, 0x42, 0x06, 0xB7, 0x4F, 0x34,
                0xA4, 0x8E, 0x0E, 0xCD,
            ],
        };
        const OFF: AffinePoint = AffinePoint {
            x: &[1; 32],
            y: &[2; 32],
        };
        const VENDOR: &[PointSet] = &[PointSet {
            curve: CurveId::Tc26_256A,
            points: &[T4, OFF],
        }];
        let p = Profile::new("vendor", 1000, VENDOR);
        assert_eq!(p.name(), "vendor");
        assert_eq!(p.pbkdf2_iterations(), 1000);
        assert_eq!(p.point_count(CurveId::Tc26_256A), 2);
        assert_eq!(p.point_count(CurveId::CryptoProA), 0);
        for ind in [1, 2] {
            assert_eq!(
                p.point(CurveId::Tc26_256A, ind),
                Err(SespakeError::InvalidProfilePoint {
                    curve: CurveId::Tc26_256A,
                    ind
                })
            );
        }
        assert!(matches!(
            p.point(CurveId::CryptoProA, 1),
            Err(SespakeError::UnknownPoint { .. })
        ));
        let fast = Profile::ofp1().with_pbkdf2_iterations(1);
        assert_eq!(fast.pbkdf2_iterations(), 1);
        assert_eq!(
            fast.point(CurveId::Tc26_512C, 1),
            Profile::ofp1().point(CurveId::Tc26_512C, 1)
        );
    }
}
