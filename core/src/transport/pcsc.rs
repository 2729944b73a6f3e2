//! PC/SC transport (feature `pcsc`).
