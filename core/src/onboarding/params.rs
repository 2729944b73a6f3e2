//! The fixed parameters and derived values of pairing: SESPAKE's curve,
//! salt and MAC identities, the transcript the credential and the server's
//! identity sign, and the keys of the sealed enrollment session.

use crate::crypto::ec::CurveId;
use crate::crypto::hash::streebog256;
use crate::crypto::mac::HmacStreebog256;
use crate::crypto::secret::Key256;
use crate::sespake::{MacContext, Profile};

/// Curve of pairing's SESPAKE, of the device credential and of the server
/// identity key.
pub const PAIRING_CURVE: CurveId = CurveId::Tc26_256A;

/// SESPAKE point index: `Q_1` of RFC 8133 A.1.
pub const PAIRING_IND: u8 = 1;

/// OFP1's SESPAKE profile (RFC 8133 points, 2000 PBKDF2 iterations): the
/// server's guess counter, not PBKDF2, is what bounds guesses at a
/// 12-digit one-time code.
pub fn pairing_profile() -> Profile {
    Profile::ofp1()
}

/// Hashes length-prefixed parts (8-byte big-endian lengths), so different
/// splits never collide.
fn hash_parts(parts: &[&[u8]]) -> [u8; 32] {
    let mut v = Vec::new();
    for p in parts {
        v.extend_from_slice(&(p.len() as u64).to_be_bytes());
        v.extend_from_slice(p);
    }
    streebog256(&v)
}

/// SESPAKE salt of an enrollment: both sides know the account and expiry
/// from the QR code, so no round trip is spent fetching it.
pub fn pairing_salt(account: &str, expires: u64) -> [u8; 32] {
    hash_parts(&[
        b"FKN pairing salt v1",
        account.as_bytes(),
        &expires.to_be_bytes(),
    ])
}

/// `ID_A` = the account, `ID_B` = the server key fingerprint, `ID_ALG` = the
/// curve OID: a MAC made for one account or server fails for another.
pub fn pairing_mac_context(account: &str, fingerprint: &[u8; 32]) -> MacContext {
    MacContext {
        id_a: account.as_bytes().to_vec(),
        id_b: fingerprint.to_vec(),
        id_alg: PAIRING_CURVE.oid_der().to_vec(),
    }
}

/// What the device's credential key signs at pairing (proof of possession)
/// and what the server's identity key signs with the device id.
pub fn pairing_transcript(
    account: &str,
    fingerprint: &[u8; 32],
    u1: &[u8],
    u2: &[u8],
    credential: &[u8],
) -> [u8; 32] {
    hash_parts(&[
        b"FKN pairing transcript v1",
        account.as_bytes(),
        fingerprint,
        u1,
        u2,
        credential,
    ])
}

/// The digest the server's identity key signs: the transcript and the device
/// id it assigned.
pub fn server_proof_digest(transcript: &[u8; 32], device_id: &str) -> [u8; 32] {
    hash_parts(&[b"FKN pairing server v1", transcript, device_id.as_bytes()])
}

/// The digest a device credential signs for one request.
pub fn request_digest(device_id: &str, timestamp: u64, nonce: &[u8], inner: &[u8]) -> [u8; 32] {
    hash_parts(&[
        b"FKN device request v1",
        device_id.as_bytes(),
        &timestamp.to_be_bytes(),
        nonce,
        inner,
    ])
}

/// The digest a device credential signs for one signing-request call
/// (separate from [`request_digest`]: a call is never a two-party request).
pub fn call_digest(device_id: &str, timestamp: u64, nonce: &[u8], call: &[u8]) -> [u8; 32] {
    hash_parts(&[
        b"FKN device call v1",
        device_id.as_bytes(),
        &timestamp.to_be_bytes(),
        nonce,
        call,
    ])
}

/// Which way a sealed message travels; each way has its own key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Device to server.
    ToServer,
    /// Server to device.
    ToDevice,
}

impl Direction {
    fn label(self) -> &'static [u8] {
        match self {
            Direction::ToServer => b"FKN pairing device to server v1",
            Direction::ToDevice => b"FKN pairing server to device v1",
        }
    }
}

/// The key of one direction: `HMAC-Streebog-256(K, label || U1 || U2)`.
pub fn session_key(k: &Key256, direction: Direction, u1: &[u8], u2: &[u8]) -> Key256 {
    let mut m = HmacStreebog256::new(k.expose());
    m.update(direction.label());
    m.update(u1);
    m.update(u2);
    Key256::from_bytes(m.finalize())
}

/// MGM nonce of message `seq` (top bit clear, as MGM requires); each
/// direction has its own key, so the pair (key, seq) is never reused.
pub fn session_nonce(seq: u32) -> [u8; 16] {
    let mut n = [0u8; 16];
    n[12..].copy_from_slice(&seq.to_be_bytes());
    n
}

/// Associated data of message `seq` of pairing `id`.
pub fn session_aad(pairing_id: &[u8], seq: u32, direction: Direction) -> Vec<u8> {
    let mut v = direction.label().to_vec();
    v.extend_from_slice(pairing_id);
    v.extend_from_slice(&seq.to_be_bytes());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_values_separate_their_inputs() {
        assert_ne!(pairing_salt("a", 1), pairing_salt("a", 2));
        assert_ne!(pairing_salt("ab", 1), pairing_salt("a", 1));
        let f = [1u8; 32];
        assert_ne!(
            pairing_transcript("a", &f, b"u1", b"u2", b"c"),
            pairing_transcript("a", &f, b"u1u", b"2", b"c")
        );
        let k = Key256::from_bytes([9; 32]);
        assert_ne!(
            session_key(&k, Direction::ToServer, b"1", b"2").expose(),
            session_key(&k, Direction::ToDevice, b"1", b"2").expose()
        );
        assert_eq!(session_nonce(1)[0] & 0x80, 0);
    }
}
