//! An OFP1 token in software.

pub mod vpcd;
