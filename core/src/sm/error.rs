//! Why secure messaging failed on the host.

/// A secure-messaging failure on the host. After any of them the channel has
/// erased its keys: log in again (new SESPAKE) to continue.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmError {
    /// The channel failed earlier (or was closed) and holds no keys.
    #[error("the secure channel was closed after an earlier failure; log in again")]
    ChannelClosed,
    /// The 64-bit send sequence counter would wrap around.
    #[error("the secure channel has used up its message counter; log in again")]
    CounterExhausted,
    /// The command cannot be wrapped as given (a caller bug, not the token's).
    #[error("cannot wrap this command for secure messaging: {reason}")]
    InvalidCommand {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// `unwrap` was called with no wrapped command awaiting its response.
    #[error("no wrapped command is waiting for a response; the secure channel is out of step")]
    NoPendingCommand,
    /// The token answered a wrapped command with plain `69 88` or `69 87`: it
    /// could not verify our command and has ended the session.
    #[error(
        "the token rejected our secure messaging (SW {sw:04X}) and ended the session; hold the card still and log in again"
    )]
    RejectedByToken {
        /// The plain status word.
        sw: u16,
    },
    /// The token answered a wrapped command with another plain status word
    /// (e.g. `69 82`: it has no session, perhaps after a reset).
    #[error(
        "the token answered a protected command without protection (SW {sw:04X}); log in again"
    )]
    UnprotectedResponse {
        /// The plain status word.
        sw: u16,
    },
    /// The wrapped response does not have the `[85] 99 8E` structure.
    #[error(
        "the token's protected response is malformed ({reason}); the secure channel was closed"
    )]
    Malformed {
        /// Which part is wrong.
        reason: &'static str,
    },
    /// The response MAC verifies, but over another counter than `SSC_RSP`:
    /// a response replayed from earlier in the session, or a token out of step.
    #[error(
        "the token's protected response carries a valid MAC over counter {got}, not {expected} (replayed or out of step); the secure channel was closed"
    )]
    CounterMismatch {
        /// The host's `SSC_RSP`.
        expected: u64,
        /// The counter the MAC verifies with.
        got: u64,
    },
    /// The response MAC does not verify: altered in transit, or out of step.
    #[error(
        "the token's protected response failed its integrity check (MAC); the secure channel was closed"
    )]
    MacMismatch,
}
