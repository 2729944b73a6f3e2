//! The secure-messaging key schedule (OFP1 Section 5).

use core::fmt;

use crate::crypto::kdf::kdf_tree_gostr3411_2012_256;
use crate::crypto::secret::Key256;

/// KDF_TREE label of OFP1 secure messaging.
pub(crate) const LABEL: &[u8] = b"OFP1 SM";

/// The four session keys of OFP1 secure messaging, each zeroized on drop.
pub struct SmKeys {
    enc_cmd: Key256,
    mac_cmd: Key256,
    enc_rsp: Key256,
    mac_rsp: Key256,
}

impl SmKeys {
    /// `K_ENC_CMD || K_MAC_CMD || K_ENC_RSP || K_MAC_RSP =
    /// KDF_TREE_GOSTR3411_2012_256(K, "OFP1 SM", U1 || U2, R = 1)`, L = 1024
    /// bits. Takes `k` by value: the SESPAKE key is erased once the keys exist.
    pub fn derive(k: Key256, u1: &[u8], u2: &[u8]) -> SmKeys {
        let mut seed = Vec::with_capacity(u1.len() + u2.len());
        seed.extend_from_slice(u1);
        seed.extend_from_slice(u2);
        // R = 1 and 128 bytes are constants within RFC 7836's limits: the KDF
        // cannot refuse them whatever K and the seed are.
        let okm = kdf_tree_gostr3411_2012_256(k.expose(), LABEL, &seed, 1, 4 * Key256::LEN)
            .expect("KDF_TREE accepts R = 1 with 128 bytes of output");
        drop(k);
        let (enc_cmd, rest) = okm.expose().split_at(Key256::LEN);
        let (mac_cmd, rest) = rest.split_at(Key256::LEN);
        let (enc_rsp, mac_rsp) = rest.split_at(Key256::LEN);
        let key = |s: &[u8]| Key256::try_from_slice(s).expect("32-byte slice of a 128-byte buffer");
        SmKeys {
            enc_cmd: key(enc_cmd),
            mac_cmd: key(mac_cmd),
            enc_rsp: key(enc_rsp),
            mac_rsp: key(mac_rsp),
        }
    }

    /// `K_ENC_CMD`: CTR key for command data.
    pub fn enc_cmd(&self) -> &Key256 {
        &self.enc_cmd
    }

    /// `K_MAC_CMD`: CMAC key for commands.
    pub fn mac_cmd(&self) -> &Key256 {
        &self.mac_cmd
    }

    /// `K_ENC_RSP`: CTR key for response data.
    pub fn enc_rsp(&self) -> &Key256 {
        &self.enc_rsp
    }

    /// `K_MAC_RSP`: CMAC key for responses.
    pub fn mac_rsp(&self) -> &Key256 {
        &self.mac_rsp
    }
}

impl fmt::Debug for SmKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmKeys([REDACTED])")
    }
}
