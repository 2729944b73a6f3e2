//! GOST R 34.10-2012 elliptic curves: parameters, points, signatures.

mod curve_id;

pub use curve_id::CurveId;
