//! The device endpoint's messages (`POST /v1/device`): compact CBOR, each
//! `[version, message]`. See `docs/onboarding.md` for the protocol.
//!
//! | device sends | server answers |
//! |---|---|
//! | `PairStart(account, U1)` | `PairStarted(pairing id, U2)` |
//! | `PairFinish(pairing id, MAC_A, sealed credential offer)` | `PairFinished(MAC_B, sealed welcome)` |
//! | `Sealed(pairing id, seq, sealed session request)` | `Sealed(seq, sealed session response)` |
//! | `Signed(device id, time, nonce, request, signature)` | `Answer(response)` |
//! | `Call(device id, time, nonce, call, signature)` | `Reply(reply)` |
//!
//! Any of them may be answered `Refused(code, argument)`.

use minicbor::bytes::ByteVec;
use minicbor::{Decode, Encode};

/// The version of these messages.
pub const PAIRING_VERSION: u8 = 1;

/// Largest message either side accepts, but for signing-request calls and
/// their replies (a CSR is the biggest part).
pub const MAX_MESSAGE: usize = 16 * 1024;

/// Largest `Call` or `Reply`: 16 documents of up to 1 MiB with their CMS.
pub const MAX_CALL_MESSAGE: usize =
    crate::requests::MAX_BATCH * (crate::requests::MAX_DOCUMENT + 64 * 1024);

/// What a device sends.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum DeviceMessage {
    /// SESPAKE step 1 for the account's pending enrollment.
    #[n(1)]
    PairStart(#[n(0)] String, #[n(1)] ByteVec),
    /// SESPAKE step 3 (`MAC_A`) and the credential offer sealed under the
    /// device-to-server key (seq 0).
    #[n(2)]
    PairFinish(#[n(0)] ByteVec, #[n(1)] ByteVec, #[n(2)] ByteVec),
    /// One request of the sealed enrollment session (seq 1, 2, ...).
    #[n(3)]
    Sealed(#[n(0)] ByteVec, #[n(1)] u32, #[n(2)] ByteVec),
    /// A two-party request signed with the device credential.
    #[n(4)]
    Signed(
        #[n(0)] String,
        #[n(1)] u64,
        #[n(2)] ByteVec,
        #[n(3)] ByteVec,
        #[n(4)] ByteVec,
    ),
    /// A signing-request call ([`crate::requests::DeviceCall`] as CBOR)
    /// signed with the device credential.
    #[n(5)]
    Call(
        #[n(0)] String,
        #[n(1)] u64,
        #[n(2)] ByteVec,
        #[n(3)] ByteVec,
        #[n(4)] ByteVec,
    ),
}

/// What the server answers.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum ServerMessage {
    /// Refused: a [`crate::onboarding::PairingRefusal`] or
    /// [`crate::distributed::AccessRefusal`] code and its argument.
    #[n(0)]
    Refused(#[n(0)] u16, #[n(1)] u32),
    /// SESPAKE step 2: the pairing id to quote and `U2`.
    #[n(1)]
    PairStarted(#[n(0)] ByteVec, #[n(1)] ByteVec),
    /// SESPAKE step 4 (`MAC_B`) and the welcome sealed under the
    /// server-to-device key (seq 0).
    #[n(2)]
    PairFinished(#[n(0)] ByteVec, #[n(1)] ByteVec),
    /// The answer to a sealed session request.
    #[n(3)]
    Sealed(#[n(0)] u32, #[n(1)] ByteVec),
    /// The two-party response to a signed request.
    #[n(4)]
    Answer(#[n(0)] ByteVec),
    /// The reply to a call ([`crate::requests::CallReply`] as CBOR).
    #[n(5)]
    Reply(#[n(0)] ByteVec),
}

/// Sealed at seq 0 by the device: its credential public key and a
/// signature of the pairing transcript with it (proof of possession).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct CredentialOffer {
    /// `BYTES(Q)` of the credential key (tc26-256-A).
    #[n(0)]
    pub public_key: ByteVec,
    /// Its signature of the transcript digest.
    #[n(1)]
    pub signature: ByteVec,
}

/// Sealed at seq 0 by the server: the device's id, the identity key and its
/// signature over the transcript and that id.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Welcome {
    /// The id the server gave this device.
    #[n(0)]
    pub device_id: String,
    /// `BYTES(Q)` of the server identity key (tc26-256-A).
    #[n(1)]
    pub identity_key: ByteVec,
    /// Its signature of the server proof digest.
    #[n(2)]
    pub signature: ByteVec,
}

/// A request inside the sealed enrollment session.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum SessionRequest {
    /// A two-party request (key generation) for this device.
    #[n(0)]
    Distributed(#[n(0)] ByteVec),
    /// Register an NFC token key: a label and a PKCS#10 request signed on the card.
    #[n(1)]
    RegisterCard(#[n(0)] String, #[n(1)] ByteVec),
    /// Enrollment is complete.
    #[n(2)]
    Finish,
}

/// The answer inside the sealed enrollment session.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum SessionResponse {
    /// The two-party response.
    #[n(0)]
    Distributed(#[n(0)] ByteVec),
    /// The card key was registered under this id.
    #[n(1)]
    CardRegistered(#[n(0)] String),
    /// Enrollment is complete.
    #[n(2)]
    Finished,
    /// Refused: a [`crate::onboarding::PairingRefusal`] code.
    #[n(3)]
    Refused(#[n(0)] u16, #[n(1)] u32),
}

#[derive(Encode, Decode)]
struct Envelope<T> {
    #[n(0)]
    version: u8,
    #[n(1)]
    message: T,
}

/// Why a message could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Not the CBOR structure of any message.
    #[error("malformed message")]
    Malformed,
    /// Another protocol version.
    #[error("protocol version {0}, this library speaks {PAIRING_VERSION}")]
    Version(u8),
    /// Longer than the limit ([`MAX_MESSAGE`], or [`MAX_CALL_MESSAGE`]).
    #[error("message too long")]
    TooLong,
}

/// `[version, message]` as CBOR.
pub fn encode<T: Encode<()>>(message: T) -> Vec<u8> {
    let env = Envelope {
        version: PAIRING_VERSION,
        message,
    };
    // Writing to a Vec cannot fail.
    minicbor::to_vec(&env).unwrap_or_default()
}

/// Reads `[version, message]` of at most [`MAX_MESSAGE`] bytes, refusing
/// other versions and trailing bytes.
///
/// # Errors
/// [`WireError`].
pub fn decode<T: for<'b> Decode<'b, ()>>(bytes: &[u8]) -> Result<T, WireError> {
    decode_within(bytes, MAX_MESSAGE)
}

/// [`decode`] with another size limit.
///
/// # Errors
/// [`WireError`].
pub fn decode_within<T: for<'b> Decode<'b, ()>>(
    bytes: &[u8],
    limit: usize,
) -> Result<T, WireError> {
    if bytes.len() > limit {
        return Err(WireError::TooLong);
    }
    let mut d = minicbor::Decoder::new(bytes);
    // Read the version alone first, so a newer message is reported as such.
    let mut probe = d.clone();
    if probe.array().is_ok() {
        if let Ok(v) = probe.u8() {
            if v != PAIRING_VERSION {
                return Err(WireError::Version(v));
            }
        }
    }
    let env: Envelope<T> = d.decode().map_err(|_| WireError::Malformed)?;
    if d.position() != bytes.len() {
        return Err(WireError::Malformed);
    }
    Ok(env.message)
}

/// Shorthand for [`ByteVec`] from bytes.
pub fn bv(b: impl Into<Vec<u8>>) -> ByteVec {
    ByteVec::from(b.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let m = DeviceMessage::PairStart("acct".into(), bv(vec![1, 2, 3]));
        let b = encode(m.clone());
        assert_eq!(decode::<DeviceMessage>(&b), Ok(m));
        let mut extra = b.clone();
        extra.push(0);
        assert_eq!(decode::<DeviceMessage>(&extra), Err(WireError::Malformed));
        let mut v2 = b.clone();
        v2[1] = 2;
        assert_eq!(decode::<DeviceMessage>(&v2), Err(WireError::Version(2)));
        assert_eq!(decode::<DeviceMessage>(&[]), Err(WireError::Malformed));
        assert_eq!(
            decode::<ServerMessage>(&vec![0u8; MAX_MESSAGE + 1]),
            Err(WireError::TooLong)
        );
    }
}
