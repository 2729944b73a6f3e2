//! An OFP1 token in software.

pub mod secure_messaging;
pub mod vpcd;
