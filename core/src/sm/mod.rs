//! OFP1 secure messaging (Section 5).
