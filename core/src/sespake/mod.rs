//! SESPAKE (RFC 8133 = R 50.1.115-2016) as used by OFP1 Section 4: the host
//! is party A.
//!
//! ```text
//!  A (host)                                        B (token)
//!  Q_PW = int_LE(F(PW, salt, 2000)) * Q_ind         stores Q_PW, salt, C1..C3
//!  alpha <- [1, q-1]; u1 = alpha*P - Q_PW
//!                        -- ID_A, u1 -->
//!                                                  counters; u1 on curve?
//!                                                  Q_B = u1 + Q_PW (z_B)
//!                                                  beta <- [1, q-1]
//!                                                  K_B = HASH(BYTES((m/q*beta mod q)*Q_B))
//!                                                  u2 = beta*P + Q_PW
//!                        <-- u2 --
//!  u2 on curve?  Q_A = u2 - Q_PW (z_A)
//!  K_A = HASH(BYTES((m/q*alpha mod q)*Q_A))
//!  MAC_A = HMAC(K_A, 01 || ID_A || ind || salt || u1 || u2 [|| ID_ALG])
//!                        -- MAC_A -->
//!                                                  check MAC_A and z_B
//!                        <-- MAC_B --
//!  check MAC_B and z_A: K = K_A
//! ```
//!
//! The host side is a chain of typed states ([`HostStart`] → [`ExpectU2`] →
//! [`ExpectMacB`] → [`Established`]); each `handle` consumes its state, so a
//! step cannot be repeated or skipped. Randomness is injected (a
//! [`rand_core::CryptoRng`], or a fixed `alpha` for test vectors).
//!
//! What a deployment may vary sits in two values, so that a vendor point set
//! or MAC layout needs no change in transport, APDU, secure-messaging or FFI
//! code:
//! - [`Profile`]: the point sets `Q_1..Q_N` per curve and the PBKDF2 iteration
//!   count ([`Profile::ofp1`] is RFC 8133 A.1 with N = 1 and 2000 iterations);
//! - [`MacContext`]: `ID_A`, `ID_B` and whether `ID_ALG` ends the MAC inputs
//!   ([`MacContext::ofp1`] or the RFC's own examples, [`MacContext::rfc8133_examples`]).
//!
//! Party B ([`ResponderStart`] → [`ExpectMacA`] → [`Responded`]) is here too,
//! with the attempt counters ([`Counters`]): the virtual token answers a
//! host with it, and `fkn-server` pairs a phone with it over a one-time
//! activation code (see [`crate::onboarding`]). The RFC 8133 vectors test
//! each party on its own, so agreement between them is not the only check.

mod counters;
mod error;
mod host;
mod mac;
mod password;
mod profile;
mod responder;

pub use crate::crypto::sespake_points::{AffinePoint, PointSet};
pub use counters::{Blocked, CLIM1, CLIM2, CLIM3, Counters};
pub use error::SespakeError;
pub use host::{Established, ExpectMacB, ExpectU2, HostStart};
pub use mac::MacContext;
pub use password::{PasswordKey, derive_password_key, password_point};
pub use profile::Profile;
pub use responder::{ExpectMacA, Responded, ResponderError, ResponderParts, ResponderStart};
