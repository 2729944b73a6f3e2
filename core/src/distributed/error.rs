//! Errors of two-party keys: what went wrong, as data, with a message that
//! says what to do. None of them carries key material.

use crate::crypto::ec::{CurveId, EcError};

/// Which value of a message or record was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// The joint public key `Q`.
    PublicKey,
    /// The device's public share `Q_dev`.
    DevicePublicShare,
    /// The server's public share `Q_srv`.
    ServerPublicShare,
    /// The commitment point `T` of a Schnorr proof.
    ProofCommitment,
    /// The response `z` of a Schnorr proof.
    ProofResponse,
    /// The device's nonce commitment `D_d`.
    DeviceNonceD,
    /// The device's nonce commitment `E_d`.
    DeviceNonceE,
    /// A server nonce commitment `D_s`.
    ServerNonceD,
    /// A server nonce commitment `E_s`.
    ServerNonceE,
    /// The device's partial signature `s_d`.
    PartialSignature,
    /// The joint nonce point `R`.
    JointNonce,
    /// The final signature `s || r`.
    Signature,
    /// The digest to sign.
    Digest,
    /// A hash commitment.
    Commitment,
    /// The random opening of a hash commitment.
    Opening,
    /// A refresh contribution `delta`.
    Delta,
    /// The masked device share at rest.
    MaskedShare,
    /// The PIN salt at rest.
    Salt,
    /// The request identifier.
    RequestId,
}

impl core::fmt::Display for Field {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Field::PublicKey => "public key Q",
            Field::DevicePublicShare => "device public share Q_dev",
            Field::ServerPublicShare => "server public share Q_srv",
            Field::ProofCommitment => "proof commitment T",
            Field::ProofResponse => "proof response z",
            Field::DeviceNonceD => "device nonce commitment D_d",
            Field::DeviceNonceE => "device nonce commitment E_d",
            Field::ServerNonceD => "server nonce commitment D_s",
            Field::ServerNonceE => "server nonce commitment E_s",
            Field::PartialSignature => "partial signature s_d",
            Field::JointNonce => "joint nonce R",
            Field::Signature => "signature",
            Field::Digest => "digest",
            Field::Commitment => "commitment",
            Field::Opening => "commitment opening",
            Field::Delta => "refresh contribution",
            Field::MaskedShare => "masked device share",
            Field::Salt => "PIN salt",
            Field::RequestId => "request id",
        })
    }
}

/// What a decoder was reading when it refused its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Encoding {
    /// A request from the device to the server.
    Request,
    /// A response from the server to the device.
    Response,
    /// The device's record at rest.
    DeviceRecord,
    /// A value sealed by the server (nonce pair, share, refresh contribution).
    Sealed,
}

impl core::fmt::Display for Encoding {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Encoding::Request => "request",
            Encoding::Response => "response",
            Encoding::DeviceRecord => "device key record",
            Encoding::Sealed => "sealed server value",
        })
    }
}

/// Why the server refused a request. The same value reaches the device in the
/// response, so both roles match on one type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The server does not know this key id.
    #[error("the server does not know this key; it was never generated there or was deleted")]
    UnknownKey,
    /// Key generation for an id that already holds a key.
    #[error("a key with this id already exists on the server; choose another id")]
    KeyExists,
    /// Too many wrong PINs: the key is locked until the operator unlocks it.
    #[error("the key is locked after too many wrong PINs; ask the operator to unlock it")]
    KeyLocked,
    /// The key was revoked: it can never sign again.
    #[error("the key was revoked on the server; generate a new key")]
    KeyRevoked,
    /// The partial signature or PIN proof did not match the device's share: a
    /// wrong PIN (or a corrupted share).
    #[error("wrong PIN: {remaining} attempts left before the key locks")]
    PinRejected {
        /// Attempts left before the key locks.
        remaining: u32,
    },
    /// The nonce-commitment index was never handed out for this key.
    #[error("unknown server nonce commitment; fetch a new batch")]
    NonceUnknown,
    /// The nonce-commitment index was used before (replay, or a retry).
    #[error("this server nonce commitment was already used; sign again (a new one is used)")]
    NonceUsed,
    /// The device's share belongs to another refresh epoch than the server's.
    #[error(
        "the device share is from refresh epoch {device}, the server is at {server}; \
         the device copy is stale (restored from a backup?)"
    )]
    StaleShare {
        /// Epoch the device claimed.
        device: u32,
        /// Epoch the server holds.
        server: u32,
    },
    /// Key generation opened a commitment the server never saw.
    #[error("no key generation in progress for this id; start again")]
    NoKeygenInProgress,
    /// A hash commitment was not opened to the committed value.
    #[error("the commitment does not match its opening; start again")]
    CommitmentMismatch,
    /// A proof of knowledge at key generation did not verify.
    #[error("a proof of knowledge of a key share did not verify; start key generation again")]
    ProofInvalid,
    /// The request could not be decoded or holds an invalid value.
    #[error("the server refused a malformed or invalid request")]
    InvalidRequest,
    /// The request speaks a protocol version the server does not.
    #[error("the server speaks protocol version {supported}; update the app")]
    UnsupportedVersion {
        /// The server's version.
        supported: u8,
    },
    /// The request names another curve than the key's.
    #[error("the request names another curve than the key's")]
    CurveMismatch,
    /// The nonces gave `R = O`, `r = 0` or `s = 0` (probability about `1/q`).
    #[error("degenerate nonce (probability about 1/q); sign again")]
    DegenerateNonce,
    /// A refresh commit for a refresh the server does not hold.
    #[error("the server holds no such share refresh; the old shares remain valid")]
    RefreshUnknown,
    /// The device asked for more nonce commitments than the server keeps.
    #[error("the server already holds the most unused nonce commitments it keeps for a key")]
    PoolFull,
    /// The server's storage failed; nothing was changed that matters.
    #[error("the server is temporarily unavailable; retry later")]
    Unavailable,
}

/// Why a [`crate::distributed::SecureStore`], [`crate::distributed::ShareStore`]
/// or [`crate::distributed::NoncePool`] failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// An I/O error of the given kind.
    #[error("storage I/O failed ({0:?}); check free space and permissions")]
    Io(std::io::ErrorKind),
    /// The storage is unreachable or refused the operation.
    #[error("storage unavailable; retry later")]
    Unavailable,
    /// The platform's hardware key could not unwrap the blob (key invalidated,
    /// e.g. after the device's screen lock was removed).
    #[error("the platform key store could not unwrap the key record; the key must be re-created")]
    KeystoreInvalidated,
}

/// Why a [`crate::distributed::ServerChannel`] could not deliver a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The server could not be reached (no network, DNS, TLS failure).
    #[error("the signing server is unreachable; check the network and retry")]
    Unreachable,
    /// No answer in time. The server may have acted: retrying is safe.
    #[error("the signing server did not answer in time; retry")]
    Timeout,
    /// The HTTP layer answered with a non-success status.
    #[error("the signing server answered HTTP {0}; retry later")]
    HttpStatus(u16),
    /// The server's device endpoint refused the request before the
    /// two-party protocol saw it: a wire code of
    /// [`crate::onboarding::PairingRefusal`] or, from
    /// [`crate::onboarding::ACCESS_BASE`] on, of [`AccessRefusal`].
    #[error("the signing server refused the request (code {code})")]
    Refused {
        /// Wire code.
        code: u16,
        /// Its argument.
        arg: u32,
    },
    /// The server's answer could not be read or did not authenticate.
    #[error("the signing server's answer could not be read or authenticated")]
    Misbehaved,
}

/// Why the server refused a request signed with a device credential
/// ([`crate::onboarding::SignedChannel`]). Codes are stable on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum AccessRefusal {
    /// The server knows no such device.
    #[error("the server does not know this device; enroll it again")]
    UnknownDevice,
    /// The device was revoked by the operator.
    #[error("this device was revoked on the server")]
    DeviceRevoked,
    /// The request's signature does not verify under the device's credential.
    #[error("the request's device signature does not verify")]
    BadSignature,
    /// The request's nonce was seen before: a replay.
    #[error("the request was replayed")]
    Replayed,
    /// The request's timestamp is too far from the server's clock.
    #[error("the device clock is too far from the server's")]
    ClockSkew,
    /// The key named in the request belongs to another device.
    #[error("the key belongs to another device")]
    NotYourKey,
}

impl AccessRefusal {
    /// Stable wire code.
    pub fn code(self) -> u16 {
        match self {
            Self::UnknownDevice => 1,
            Self::DeviceRevoked => 2,
            Self::BadSignature => 3,
            Self::Replayed => 4,
            Self::ClockSkew => 5,
            Self::NotYourKey => 6,
        }
    }

    /// From a wire code.
    pub fn from_code(code: u16) -> Option<Self> {
        [
            Self::UnknownDevice,
            Self::DeviceRevoked,
            Self::BadSignature,
            Self::Replayed,
            Self::ClockSkew,
            Self::NotYourKey,
        ]
        .into_iter()
        .find(|r| r.code() == code)
    }
}

/// Everything that can go wrong with a two-party key, on either side.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DistributedError {
    /// A message or record is not the CBOR structure it must be.
    #[error("malformed {what} (at byte {offset:?}); it is corrupted or from another program")]
    Malformed {
        /// What was being decoded.
        what: Encoding,
        /// Byte offset of the problem, when known.
        offset: Option<usize>,
    },
    /// Bytes after the end of a complete message or record.
    #[error("{what} has {extra} bytes after its end")]
    TrailingBytes {
        /// What was being decoded.
        what: Encoding,
        /// Number of extra bytes.
        extra: usize,
    },
    /// A message or record of another protocol version.
    #[error("{what} is protocol version {got}, this library speaks {supported}; update the app")]
    UnsupportedVersion {
        /// What was being decoded.
        what: Encoding,
        /// Version found.
        got: u8,
        /// Version this library speaks.
        supported: u8,
    },
    /// A curve code that names no supported curve.
    #[error("unknown curve code {0}")]
    UnknownCurve(u8),
    /// A key id that is empty, too long or has characters outside `[A-Za-z0-9._-]`.
    #[error(
        "invalid key id ({len} bytes): use 1 to {max} characters from A-Z a-z 0-9 . _ -, \
         not starting with a dot"
    )]
    InvalidKeyId {
        /// Length given.
        len: usize,
        /// Longest allowed.
        max: usize,
    },
    /// A point that is off the curve, of small order, the identity or badly encoded.
    #[error("invalid {field}: {source}")]
    InvalidPoint {
        /// Which point.
        field: Field,
        /// Why.
        source: EcError,
    },
    /// A scalar or fixed-size value of the wrong length or not below `q`.
    #[error("invalid {field}: wrong length or not below the group order")]
    InvalidValue {
        /// Which value.
        field: Field,
    },
    /// A value of one curve where another was expected.
    #[error("curve mismatch: expected {expected}, got {got}")]
    CurveMismatch {
        /// Curve of the key.
        expected: CurveId,
        /// Curve found.
        got: CurveId,
    },
    /// The server refused the request.
    #[error("the server refused: {0}")]
    Refused(Refusal),
    /// The server's answer is not an answer to this request.
    #[error("the server answered another request (request id or message type differ); retry")]
    UnexpectedResponse,
    /// The server's proof of knowledge of its share did not verify at key generation.
    #[error("the server could not prove knowledge of its key share; do not use this server")]
    ServerProofInvalid,
    /// The server's key generation result does not match the device's.
    #[error("the server reported another joint public key than the device computed")]
    PublicKeyMismatch,
    /// The joint public key or the joint nonce is the identity (a broken or
    /// malicious peer; probability about `1/q` otherwise).
    #[error("degenerate {0}: the point at infinity; start again")]
    Degenerate(Field),
    /// The signature the server returned does not verify under the key: the
    /// server misbehaved; nothing was signed.
    #[error("the server returned a signature that does not verify; nothing was signed, report it")]
    ServerSignatureInvalid,
    /// The device has no key record under this id.
    #[error("no two-party key with this id on the device")]
    KeyNotFound,
    /// The device already has a key record under this id.
    #[error("the device already has a key with this id; delete it or choose another id")]
    KeyExists,
    /// The key record changed since it was unlocked (PIN change or another
    /// device process); unlock it again.
    #[error("the key was changed since it was unlocked; enter the PIN again")]
    KeyChanged,
    /// The server sent no nonce commitments to sign with.
    #[error("the server handed out no nonce commitments; retry later")]
    NoNonceCommitments,
    /// The digest is not the length the curve signs.
    #[error("digest is {got} bytes, a {curve} key signs {expected}-byte digests")]
    DigestLength {
        /// The key's curve.
        curve: CurveId,
        /// Length required.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// The new PIN is empty.
    #[error("the PIN must not be empty")]
    EmptyPin,
    /// Talking to the server failed.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// A store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A sealed server value failed authentication: wrong key-encryption key or
    /// tampered storage.
    #[error(
        "a sealed server value failed authentication: wrong key-encryption key or tampered storage"
    )]
    SealBroken,
}

impl From<Refusal> for DistributedError {
    fn from(r: Refusal) -> Self {
        DistributedError::Refused(r)
    }
}

/// Result of two-party key operations.
pub type Result<T, E = DistributedError> = core::result::Result<T, E>;
