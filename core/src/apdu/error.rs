//! Errors of the APDU link: everything that can go wrong between handing a
//! logical command to [`ApduChannel`](super::ApduChannel) and getting its
//! complete response back.

use super::codec::CodecError;
use super::status::StatusError;
use crate::transport::TransportError;

/// Why a command could not be exchanged with the token.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LinkError {
    /// The link itself failed (tag lost, timeout, cancelled, I/O).
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The token's answer was shorter than the two status bytes.
    #[error(
        "the token sent a malformed answer ({len} bytes, not even a status word); hold the card still and retry"
    )]
    MalformedResponse {
        /// Bytes received.
        len: usize,
    },
    /// The token kept answering `61 xx` past the GET RESPONSE cap.
    #[error(
        "the token kept announcing more response data after {limit} GET RESPONSE commands; giving up (faulty token?)"
    )]
    TooManyResponseChunks {
        /// The cap that was hit.
        limit: usize,
    },
    /// No sequence of APDUs the transport accepts can carry the command.
    #[error(
        "the command ({len} bytes encoded) cannot be sent: the link carries at most {max} bytes per APDU"
    )]
    CommandTooLong {
        /// Encoded length of the whole command.
        len: usize,
        /// The transport's maximum transceive length.
        max: usize,
    },
    /// The token answered an intermediate chained fragment with something
    /// other than `90 00`.
    #[error("the token rejected a chained command fragment: {}", StatusError::from_sw(*sw).map_or_else(|| format!("{sw:04X}"), |e| e.to_string()))]
    ChainingRejected {
        /// The status word of the rejected fragment.
        sw: u16,
    },
    /// The command itself is not encodable (e.g. Le out of range): a bug in
    /// the caller.
    #[error("invalid command: {0}")]
    InvalidCommand(#[from] CodecError),
    /// The token answered with an error status word (see [`StatusError`]).
    #[error(transparent)]
    Card(#[from] StatusError),
}
