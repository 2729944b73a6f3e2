//! The sealed enrollment session: Kuznyechik-MGM (RFC 9058) under one key
//! per direction derived from SESPAKE's `K`, message `seq` as the nonce.

use super::params::{Direction, session_aad, session_key, session_nonce};
use crate::crypto::mgm::KuznyechikMgm;
use crate::crypto::secret::{Key256, SecretBytes};

/// Both directions' keys of one pairing. Either side holds one.
pub struct SessionBox {
    pairing_id: Vec<u8>,
    to_server: KuznyechikMgm,
    to_device: KuznyechikMgm,
}

impl SessionBox {
    /// From SESPAKE's `K` and its `U1`, `U2`.
    pub fn new(pairing_id: &[u8], k: &Key256, u1: &[u8], u2: &[u8]) -> Self {
        SessionBox {
            pairing_id: pairing_id.to_vec(),
            to_server: KuznyechikMgm::new(&session_key(k, Direction::ToServer, u1, u2)),
            to_device: KuznyechikMgm::new(&session_key(k, Direction::ToDevice, u1, u2)),
        }
    }

    fn cipher(&self, direction: Direction) -> &KuznyechikMgm {
        match direction {
            Direction::ToServer => &self.to_server,
            Direction::ToDevice => &self.to_device,
        }
    }

    /// `ciphertext || tag` of message `seq` going `direction`.
    pub fn seal(&self, direction: Direction, seq: u32, plaintext: &[u8]) -> Vec<u8> {
        let aad = session_aad(&self.pairing_id, seq, direction);
        // MGM refuses only a nonce with its top bit set, which session_nonce
        // never makes.
        self.cipher(direction)
            .encrypt(&session_nonce(seq), &aad, plaintext)
            .unwrap_or_default()
    }

    /// The plaintext of message `seq` going `direction`, if it authenticates.
    pub fn open(&self, direction: Direction, seq: u32, sealed: &[u8]) -> Option<SecretBytes> {
        let aad = session_aad(&self.pairing_id, seq, direction);
        self.cipher(direction)
            .decrypt(&session_nonce(seq), &aad, sealed)
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binds_direction_sequence_and_pairing() {
        let k = Key256::from_bytes([3; 32]);
        let a = SessionBox::new(b"p1", &k, b"u1", b"u2");
        let b = SessionBox::new(b"p2", &k, b"u1", b"u2");
        let s = a.seal(Direction::ToServer, 1, b"hello");
        assert_eq!(
            a.open(Direction::ToServer, 1, &s)
                .map(|p| p.expose().to_vec()),
            Some(b"hello".to_vec())
        );
        assert!(a.open(Direction::ToDevice, 1, &s).is_none());
        assert!(a.open(Direction::ToServer, 2, &s).is_none());
        assert!(b.open(Direction::ToServer, 1, &s).is_none());
        let mut t = s.clone();
        t[0] ^= 1;
        assert!(a.open(Direction::ToServer, 1, &t).is_none());
    }
}
