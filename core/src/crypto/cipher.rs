//! GOST R 34.12-2015 block ciphers (Kuznyechik, 128-bit block; Magma, 64-bit
//! block) and the GOST R 34.13-2015 CTR and MAC modes over them.
//!
//! Byte order: blocks and keys are the byte strings of the standard's examples
//! read left to right (the standard writes each as one big hexadecimal number,
//! most significant byte first, and the `kuznyechik` / `magma` crates take the
//! bytes in that same order), so the GOST R 34.12/34.13 Appendix A examples,
//! RFC 7801 and RFC 8891 apply byte for byte.
//!
//! - CTR (GOST R 34.13 5.2, "gammirovanie"): the first counter block is
//!   `IV || 0^(n/2)`, incremented as one big-endian n-bit integer per block;
//!   the keystream block is `E_K(counter)` and the last one is truncated.
//!   Encryption and decryption are the same operation. The standard limits one
//!   IV to `2^(n/2)` blocks (Kuznyechik: 2^64 blocks, never reachable;
//!   Magma: 2^32 blocks = 32 GiB); past that the counter carries into the IV
//!   half, exactly as the mod-2^n arithmetic says.
//! - MAC (GOST R 34.13 5.6, "vyrabotka imitovstavki") is OMAC1 = CMAC with
//!   `R_b = 0x87` (Kuznyechik) or `0x1B` (Magma). The full-block tag is
//!   returned; protocols keep its first bytes (OFP1: 8 bytes).
//!
//! The modes are the `ctr` and `cmac` crates; keys are taken only from
//! [`Key256`], and the crates' key schedules are wiped on drop.

use cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, KeyInit, KeyIvInit, StreamCipher, array::Array,
};
use digest::Mac;
use kuznyechik::{KuznyechikDec, KuznyechikEnc};
use magma::Magma;
use zeroize::Zeroize;

use super::secret::Key256;

type KuznyechikCtr = ctr::Ctr128BE<KuznyechikEnc>;
type MagmaCtr = ctr::Ctr64BE<Magma>;

/// Kuznyechik block size in bytes.
pub const KUZNYECHIK_BLOCK: usize = 16;
/// Magma block size in bytes.
pub const MAGMA_BLOCK: usize = 8;

/// Kuznyechik encryption of one 16-byte block (GOST R 34.12-2015 4.1, RFC 7801).
pub fn kuznyechik_encrypt_block(key: &Key256, block: &[u8; 16]) -> [u8; 16] {
    let mut b = Array::from(*block);
    KuznyechikEnc::new(key.expose().into()).encrypt_block(&mut b);
    b.into()
}

/// Kuznyechik decryption of one 16-byte block.
pub fn kuznyechik_decrypt_block(key: &Key256, block: &[u8; 16]) -> [u8; 16] {
    let mut b = Array::from(*block);
    KuznyechikDec::new(key.expose().into()).decrypt_block(&mut b);
    b.into()
}

/// Magma encryption of one 8-byte block (GOST R 34.12-2015 5.1, RFC 8891).
pub fn magma_encrypt_block(key: &Key256, block: &[u8; 8]) -> [u8; 8] {
    let mut b = Array::from(*block);
    Magma::new(key.expose().into()).encrypt_block(&mut b);
    b.into()
}

/// Magma decryption of one 8-byte block.
pub fn magma_decrypt_block(key: &Key256, block: &[u8; 8]) -> [u8; 8] {
    let mut b = Array::from(*block);
    Magma::new(key.expose().into()).decrypt_block(&mut b);
    b.into()
}

/// GOST R 34.13-2015 CTR with Kuznyechik, in place: 8-byte IV, counter block
/// `IV || 0^64` incremented big-endian mod 2^128. Encrypt == decrypt.
///
/// Never reuse an (key, IV) pair: CTR leaks the XOR of the two plaintexts.
pub fn kuznyechik_ctr(key: &Key256, iv: &[u8; 8], data: &mut [u8]) {
    let mut ctr0 = [0u8; KUZNYECHIK_BLOCK];
    ctr0[..8].copy_from_slice(iv);
    let mut c = KuznyechikCtr::new(key.expose().into(), &ctr0.into());
    apply_or_wipe(&mut c, data);
}

/// GOST R 34.13-2015 CTR with Magma, in place: 4-byte IV, counter block
/// `IV || 0^32` incremented big-endian mod 2^64. Encrypt == decrypt.
///
/// Never reuse an (key, IV) pair; keep one IV under 2^32 blocks (32 GiB).
pub fn magma_ctr(key: &Key256, iv: &[u8; 4], data: &mut [u8]) {
    let mut ctr0 = [0u8; MAGMA_BLOCK];
    ctr0[..4].copy_from_slice(iv);
    let mut c = MagmaCtr::new(key.expose().into(), &ctr0.into());
    apply_or_wipe(&mut c, data);
}

/// XORs the keystream into `data`. The `ctr` crate refuses only a request
/// longer than its counter space (2^64 blocks), which no slice can reach; if it
/// ever did refuse, `data` is wiped so that plaintext is never passed on as if
/// it were ciphertext.
fn apply_or_wipe(c: &mut impl StreamCipher, data: &mut [u8]) {
    if c.try_apply_keystream(data).is_err() {
        data.zeroize();
    }
}

/// GOST R 34.13-2015 MAC (OMAC1/CMAC) with Kuznyechik: the full 16-byte tag.
/// OFP1 and most protocols keep the first 8 bytes; compare with
/// [`ct_eq`](super::mac::ct_eq).
pub fn kuznyechik_mac(key: &Key256, data: &[u8]) -> [u8; 16] {
    let mut m = KuznyechikMac::new(key);
    m.update(data);
    m.finalize()
}

/// GOST R 34.13-2015 MAC (OMAC1/CMAC) with Magma: the full 8-byte tag
/// (the standard's examples print the first 4 bytes).
pub fn magma_mac(key: &Key256, data: &[u8]) -> [u8; 8] {
    let mut m = cmac::Cmac::<Magma>::new(key.expose().into());
    m.update(data);
    m.finalize().into_bytes().into()
}

/// Incremental Kuznyechik MAC, for MAC inputs assembled from parts
/// (secure-messaging `SSC || header || DO85 || DO97`) without concatenating.
#[derive(Clone)]
pub struct KuznyechikMac(cmac::Cmac<KuznyechikEnc>);

impl KuznyechikMac {
    /// Starts a MAC under `key`.
    pub fn new(key: &Key256) -> Self {
        Self(cmac::Cmac::<KuznyechikEnc>::new(key.expose().into()))
    }

    /// Absorbs the next part of the MAC input.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The full 16-byte tag.
    pub fn finalize(self) -> [u8; 16] {
        self.0.finalize().into_bytes().into()
    }
}

impl core::fmt::Debug for KuznyechikMac {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("KuznyechikMac([REDACTED])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> Key256 {
        Key256::from_bytes(core::array::from_fn(|i| b.wrapping_add(i as u8)))
    }

    #[test]
    fn block_round_trips() {
        let k = key(1);
        let p16: [u8; 16] = core::array::from_fn(|i| i as u8);
        let c16 = kuznyechik_encrypt_block(&k, &p16);
        assert_ne!(c16, p16);
        assert_eq!(kuznyechik_decrypt_block(&k, &c16), p16);
        let p8: [u8; 8] = core::array::from_fn(|i| i as u8);
        let c8 = magma_encrypt_block(&k, &p8);
        assert_ne!(c8, p8);
        assert_eq!(magma_decrypt_block(&k, &c8), p8);
    }

    #[test]
    fn ctr_round_trip_all_lengths() {
        let k = key(7);
        let msg: Vec<u8> = (0..100u8).collect();
        for len in 0..=msg.len() {
            let mut buf = msg[..len].to_vec();
            kuznyechik_ctr(&k, &[1, 2, 3, 4, 5, 6, 7, 8], &mut buf);
            if len > 0 {
                assert_ne!(buf, msg[..len], "kuznyechik len {len}");
            }
            kuznyechik_ctr(&k, &[1, 2, 3, 4, 5, 6, 7, 8], &mut buf);
            assert_eq!(buf, msg[..len]);

            let mut buf = msg[..len].to_vec();
            magma_ctr(&k, &[9, 8, 7, 6], &mut buf);
            if len > 0 {
                assert_ne!(buf, msg[..len], "magma len {len}");
            }
            magma_ctr(&k, &[9, 8, 7, 6], &mut buf);
            assert_eq!(buf, msg[..len]);
        }
    }

    #[test]
    fn ctr_partial_block_is_prefix_of_keystream() {
        // The keystream does not depend on the length: a 21-byte message gets
        // the first 21 bytes of the 32-byte keystream.
        let k = key(3);
        let iv = [0xAA; 8];
        let mut ks = [0u8; 32];
        kuznyechik_ctr(&k, &iv, &mut ks);
        let mut part = [0u8; 21];
        kuznyechik_ctr(&k, &iv, &mut part);
        assert_eq!(part, ks[..21]);
        // First keystream block is E_K(IV || 0^64), the second E_K(IV || 0..01).
        let mut c0 = [0u8; 16];
        c0[..8].copy_from_slice(&iv);
        assert_eq!(ks[..16], kuznyechik_encrypt_block(&k, &c0));
        c0[15] = 1;
        assert_eq!(ks[16..], kuznyechik_encrypt_block(&k, &c0));

        let mut mks = [0u8; 16];
        magma_ctr(&k, &[1, 2, 3, 4], &mut mks);
        let mut part = [0u8; 3];
        magma_ctr(&k, &[1, 2, 3, 4], &mut part);
        assert_eq!(part, mks[..3]);
        assert_eq!(mks[8..], magma_encrypt_block(&k, &[1, 2, 3, 4, 0, 0, 0, 1]));
    }

    #[test]
    fn ctr_counter_carries_big_endian() {
        // Counter IV || 00..00 carries from byte 15 into byte 14 after 256 blocks.
        let k = key(5);
        let iv = [0u8; 8];
        let mut ks = vec![0u8; 257 * 16];
        kuznyechik_ctr(&k, &iv, &mut ks);
        let mut c = [0u8; 16];
        c[14] = 1;
        assert_eq!(ks[256 * 16..], kuznyechik_encrypt_block(&k, &c));
    }

    #[test]
    fn mac_of_empty_message() {
        // OMAC of the empty string: one padded block 80 00..00 XOR K2.
        let k = key(11);
        let r = kuznyechik_encrypt_block(&k, &[0u8; 16]);
        let k2 = dbl(&dbl(&r, 0x87), 0x87);
        let mut last = [0u8; 16];
        last[0] = 0x80;
        last.iter_mut().zip(k2).for_each(|(a, b)| *a ^= b);
        assert_eq!(kuznyechik_mac(&k, b""), kuznyechik_encrypt_block(&k, &last));

        let r = magma_encrypt_block(&k, &[0u8; 8]);
        let k2 = dbl(&dbl(&r, 0x1B), 0x1B);
        let mut last = [0u8; 8];
        last[0] = 0x80;
        last.iter_mut().zip(k2).for_each(|(a, b)| *a ^= b);
        let want = magma_encrypt_block(&k, &last);
        assert_eq!(magma_mac(&k, b""), want);
    }

    /// Doubling in GF(2^n) as GOST R 34.13 5.6 defines the subkeys.
    fn dbl<const N: usize>(x: &[u8; N], rb: u8) -> [u8; N] {
        let mut out = [0u8; N];
        for i in 0..N {
            let next = if i + 1 < N { x[i + 1] >> 7 } else { 0 };
            out[i] = (x[i] << 1) | next;
        }
        if x[0] & 0x80 != 0 {
            out[N - 1] ^= rb;
        }
        out
    }

    #[test]
    fn mac_incremental_equals_one_shot() {
        let k = key(13);
        let data: Vec<u8> = (0..70u8).collect();
        let want = kuznyechik_mac(&k, &data);
        for cut in [0, 1, 15, 16, 17, 32, 70] {
            let mut m = KuznyechikMac::new(&k);
            m.update(&data[..cut]);
            m.update(&data[cut..]);
            assert_eq!(m.finalize(), want, "split at {cut}");
        }
        assert_eq!(
            format!("{:?}", KuznyechikMac::new(&k)),
            "KuznyechikMac([REDACTED])"
        );
    }

    #[test]
    fn mac_depends_on_every_bit_and_on_padding() {
        let k = key(17);
        let base = kuznyechik_mac(&k, &[0u8; 16]);
        // A full block and the same bytes plus the padding byte must differ (K1 vs K2).
        let mut padded = [0u8; 16];
        padded[15] = 0x80;
        assert_ne!(
            kuznyechik_mac(&k, &padded[..15]),
            kuznyechik_mac(&k, &padded)
        );
        for bit in 0..128 {
            let mut m = [0u8; 16];
            m[bit / 8] ^= 1 << (bit % 8);
            assert_ne!(kuznyechik_mac(&k, &m), base, "bit {bit}");
        }
    }
}
