//! An OFP1 token in software.
