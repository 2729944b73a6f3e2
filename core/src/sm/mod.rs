//! OFP1 secure messaging (Section 5), host side: the key schedule and the
//! counters-and-keys state that wraps commands and unwraps responses.
//!
//! ```text
//! K_ENC_CMD || K_MAC_CMD || K_ENC_RSP || K_MAC_RSP
//!     = KDF_TREE_GOSTR3411_2012_256(K, "OFP1 SM", U1 || U2, R = 1), L = 1024
//!
//! CLA INS P1 P2 [data] [Le]
//!  -> CLA|0C INS P1 P2 Lc' { [85 L CTR(K_ENC_CMD, SSC_CMD, data)] [97 L Le] 8E 08 T } 00
//!     T = CMAC8(K_MAC_CMD, SSC_CMD(8) || CLA' INS P1 P2 || DO85 || DO97)
//! [data] SW1 SW2
//!  <- { [85 L CTR(K_ENC_RSP, SSC_RSP, data)] 99 02 SW1 SW2 8E 08 T } 90 00
//!     T = CMAC8(K_MAC_RSP, SSC_RSP(8) || DO85 || DO99)
//! ```
//!
//! [`SecureChannel`] holds only keys and counters; framing (chaining, GET
//! RESPONSE) is the APDU layer's, below it. [`SecureLink`] stacks the two
//! over a transport. Any failure closes the channel
//! for good. The token's side is the `fkn-vtoken` crate's own code.

mod channel;
mod error;
mod keys;
mod link;

pub use channel::SecureChannel;
pub use error::SmError;
pub use keys::SmKeys;
pub use link::SecureLink;
