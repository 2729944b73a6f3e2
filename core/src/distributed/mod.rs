//! Two-party ("distributed") GOST R 34.10-2012 keys: the private key is
//! split as `d = d_dev + d_srv mod q` between the phone and a server, never
//! exists whole anywhere, and the two together make ordinary signatures
//! that any GOST verifier (OpenSSL's gost-engine included) accepts.
//!
//! | what | where | round trips |
//! |---|---|---|
//! | key generation: commitment, Schnorr proofs both ways | [`Device::generate`] | 2 |
//! | signing, FROST-style binding, server nonces pooled | [`DeviceKey::sign_digest`] | 1 |
//! | PIN change after a PIN proof | [`Device::change_pin`] | 1 |
//! | share refresh, two-phase | [`Device::refresh`] | 2 |
//! | server role over storage traits | [`Server`], [`ShareStore`], [`NoncePool`] | |
//! | device storage | [`SecureStore`], [`FileSecureStore`] | |
//!
//! The message flow, every check and the reasoning behind them are in
//! `docs/security-model.md`.
//!
//! The protocol is ours (no crate implements two-party GOST); it uses the
//! SDK's GOST primitives (Kuznyechik-MGM, [`crate::crypto::mgm`], seals
//! server secrets) and `minicbor` for messages.

mod at_rest;
mod device;
mod error;
mod fault;
mod ids;
mod messages;
mod schnorr;
pub(crate) mod seal;
mod secure_store;
mod server;
mod server_store;
mod sign;
mod transcript;

pub use at_rest::DeviceRecord;
pub use device::{Device, DeviceConfig, DeviceKey, ServerChannel};
pub use error::{
    AccessRefusal, ChannelError, DistributedError, Encoding, Field, Refusal, Result, StoreError,
};
pub use fault::TwoPartyFault;
pub use ids::{KeyId, RequestId};
pub use messages::{
    Header, PROTOCOL_VERSION, Request, RequestBody, Response, ResponseBody, ServerCommitment,
};
pub use schnorr::Proof;
pub use secure_store::{FileSecureStore, MemorySecureStore, SecureStore};
pub use server::{KeyStatus, Outcome, RequestKind, Server, ServerConfig};
pub use server_store::{
    KeyRecord, KeyState, MemoryNoncePool, MemoryShareStore, NoncePool, PendingRefresh, PoolEntry,
    ShareStore, Taken,
};

/// The key id a two-party request names, if its header can be read (the
/// pairing gateway checks who owns the key before the server acts).
pub(crate) fn peek_key_id(request: &[u8]) -> Option<String> {
    messages::Request::peek_header(request)
        .ok()
        .map(|h| h.key_id.as_str().to_owned())
}
