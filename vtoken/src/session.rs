//! The token's volatile authentication state (OFP1 Sections 4-5): nothing,
//! a SESPAKE exchange waiting for step 2, or an open secure-messaging
//! session. Never persisted: a reset, SELECT of the OFP1 AID or an unwrap
//! failure ends it.

use super::secure_messaging::TokenSecureMessaging;
use super::sespake::AwaitMacA;
use super::state::PasswordRef;

/// Authentication state kept between APDUs.
pub(crate) enum Session {
    /// Step 1 answered; step 2 (`MAC_A`) for the same password is next.
    /// Any other command but GET RESPONSE or a GENERAL AUTHENTICATE chain
    /// fragment drops it.
    Sespake {
        /// `P2` of step 1.
        reference: PasswordRef,
        /// Party B between its steps (holds `K`).
        exchange: AwaitMacA,
    },
    /// SESPAKE succeeded: every command is wrapped with these keys.
    Open {
        /// The password the host proved: fixes the rights (Section 6).
        reference: PasswordRef,
        /// Keys and send sequence counters.
        sm: TokenSecureMessaging,
    },
}

/// What a [`VirtualToken`](super::VirtualToken) is authenticated for, as
/// far as an observer may know (no keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionStatus {
    /// No session.
    None,
    /// GENERAL AUTHENTICATE step 1 done for this password, step 2 awaited.
    Authenticating(PasswordRef),
    /// A secure-messaging session of this password.
    Open(PasswordRef),
}

impl Session {
    /// The public view of this state.
    pub(crate) fn status(&self) -> SessionStatus {
        match self {
            Session::Sespake { reference, .. } => SessionStatus::Authenticating(*reference),
            Session::Open { reference, .. } => SessionStatus::Open(*reference),
        }
    }
}
