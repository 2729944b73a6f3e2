//! Kuznyechik-MGM: the Multilinear Galois Mode AEAD of RFC 9058
//! (GOST R 34.13-2015 as amended in 2018, the AEAD of the GOST TLS 1.3
//! suites) over the 128-bit Kuznyechik block cipher.
//!
//! Why hand-written: RustCrypto's `mgm` has had no release on the current
//! `cipher` 0.5 stack (its newest, a 0.5 pre-release, is built on `cipher` 0.3
//! and so pulls a second, older `kuznyechik` whose key schedule is not wiped,
//! and trips a duplicate-versions check), and no other maintained crate
//! implements MGM. The mode is small: a counter mode and a multilinear MAC,
//! both over the workspace's `kuznyechik` 0.9 (key schedule wiped on drop).
//!
//! RFC 9058 with `n = 128`, nonce `ICN` of 127 bits (the top bit of the
//! first nonce byte must be clear), full 16-byte tag:
//! - encryption: `Y_1 = E_K(0 || ICN)`, `C_i = P_i XOR E_K(Y_i)` (the last
//!   keystream block truncated), `Y_{i+1}` = `Y_i` with its right 64 bits
//!   incremented mod 2^64;
//! - tag over the associated data `A` and the ciphertext (encrypt-then-MAC):
//!   `Z_1 = E_K(1 || ICN)`, `H_i = E_K(Z_i)`, `Z_{i+1}` = `Z_i` with its left
//!   64 bits incremented mod 2^64, and
//!   `T = E_K(sum H_i*A_i XOR sum H_{h+j}*C_j XOR H_{h+q+1}*(len(A) || len(C)))`,
//!   blocks of `A` and `C` zero-padded, lengths in bits as 64-bit big-endian,
//!   `*` multiplication in GF(2^128) modulo `x^128 + x^7 + x^2 + x + 1` with a
//!   block read as a big-endian 128-bit polynomial.
//!
//! Blocks are the byte strings of the RFC's examples read left to right, as
//! elsewhere in [`cipher`](super::cipher). Decryption checks the tag (in
//! constant time) before it decrypts anything, so a forged message never
//! yields plaintext. The multiplication is branch-free; the key schedule,
//! counters, `H_i` and the running sum are wiped after use.
//!
//! OpenSSL's gost-engine (3.0.x, as Debian ships it) exposes no MGM cipher to
//! `openssl enc`, so there is no interoperability test; the RFC 9058
//! Appendix A examples are checked value by value instead.

use cipher::{BlockCipherEncrypt, KeyInit, array::Array};
use kuznyechik::KuznyechikEnc;
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::secret::{Key256, SecretBytes};

/// Nonce length in bytes (127 bits used: the top bit must be clear).
pub const MGM_NONCE_LEN: usize = 16;
/// Tag length in bytes (the full block).
pub const MGM_TAG_LEN: usize = 16;

/// Why MGM refused to seal or open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MgmError {
    /// The nonce's top bit is set; MGM nonces are 127 bits.
    #[error("MGM nonce has its top bit set: clear the top bit of the first nonce byte")]
    NonceTopBit,
    /// Both the associated data and the plaintext are empty (RFC 9058
    /// requires at least one of them).
    #[error("MGM needs associated data or plaintext, and both are empty")]
    NothingToProtect,
    /// The associated data or the message is longer than MGM's 2^64-bit limit.
    #[error("MGM input is longer than the mode allows (2^64 bits in all)")]
    TooLong,
    /// The sealed input is shorter than a tag.
    #[error("MGM ciphertext is shorter than its {MGM_TAG_LEN}-byte tag")]
    Truncated,
    /// The tag does not match: the ciphertext, associated data, nonce or key
    /// differ from what was sealed. Nothing was decrypted.
    #[error(
        "MGM tag mismatch: the ciphertext, associated data, nonce or key differ from the sealed ones"
    )]
    TagMismatch,
}

/// Kuznyechik-MGM under one key. The key schedule is wiped on drop.
pub struct KuznyechikMgm {
    cipher: KuznyechikEnc,
}

impl core::fmt::Debug for KuznyechikMgm {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("KuznyechikMgm([REDACTED])")
    }
}

impl KuznyechikMgm {
    /// Sets up the mode under `key`.
    pub fn new(key: &Key256) -> Self {
        KuznyechikMgm {
            cipher: KuznyechikEnc::new(key.expose().into()),
        }
    }

    /// Encrypts `buf` in place and returns the tag over `aad` and the
    /// ciphertext. On error `buf` is unchanged.
    pub fn encrypt_in_place_detached(
        &self,
        nonce: &[u8; MGM_NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; MGM_TAG_LEN], MgmError> {
        let icn = check(nonce, aad.len(), buf.len())?;
        self.apply_keystream(icn, buf);
        Ok(self.tag(icn, aad, buf))
    }

    /// Checks `tag` over `aad` and the ciphertext in `buf`, then decrypts
    /// `buf` in place. On error `buf` is unchanged.
    pub fn decrypt_in_place_detached(
        &self,
        nonce: &[u8; MGM_NONCE_LEN],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8; MGM_TAG_LEN],
    ) -> Result<(), MgmError> {
        let icn = check(nonce, aad.len(), buf.len())?;
        let mut want = self.tag(icn, aad, buf);
        let ok: bool = want.ct_eq(tag).into();
        want.zeroize();
        if !ok {
            return Err(MgmError::TagMismatch);
        }
        self.apply_keystream(icn, buf);
        Ok(())
    }

    /// `ciphertext || tag`.
    pub fn encrypt(
        &self,
        nonce: &[u8; MGM_NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, MgmError> {
        let mut out = Vec::with_capacity(plaintext.len() + MGM_TAG_LEN);
        out.extend_from_slice(plaintext);
        match self.encrypt_in_place_detached(nonce, aad, &mut out) {
            Ok(tag) => {
                out.extend_from_slice(&tag);
                Ok(out)
            }
            Err(e) => {
                out.zeroize();
                Err(e)
            }
        }
    }

    /// The plaintext of `ciphertext || tag`, if the tag verifies.
    pub fn decrypt(
        &self,
        nonce: &[u8; MGM_NONCE_LEN],
        aad: &[u8],
        sealed: &[u8],
    ) -> Result<SecretBytes, MgmError> {
        let split = sealed
            .len()
            .checked_sub(MGM_TAG_LEN)
            .ok_or(MgmError::Truncated)?;
        let (ct, tag) = sealed.split_at(split);
        let tag: &[u8; MGM_TAG_LEN] = tag.try_into().map_err(|_| MgmError::Truncated)?;
        // Allocated as secret from the start: the plaintext never sits in an
        // unwiped buffer, even when the tag fails.
        let mut out = SecretBytes::from_slice(ct);
        self.decrypt_in_place_detached(nonce, aad, out.expose_mut(), tag)?;
        Ok(out)
    }

    /// `E_K(x)` on a block held as a big-endian integer.
    fn block(&self, x: u128) -> u128 {
        let mut b = Array::from(x.to_be_bytes());
        self.cipher.encrypt_block(&mut b);
        let y = u128::from_be_bytes(b.into());
        b.as_mut_slice().zeroize();
        y
    }

    /// XORs the keystream `E_K(Y_1), E_K(Y_2), ...` into `buf`.
    fn apply_keystream(&self, icn: u128, buf: &mut [u8]) {
        let mut y = self.block(icn);
        for chunk in buf.chunks_mut(16) {
            let mut ks = self.block(y).to_be_bytes();
            chunk.iter_mut().zip(ks.iter()).for_each(|(c, k)| *c ^= k);
            ks.zeroize();
            y = incr_r(y);
        }
        y.zeroize();
    }

    /// The tag over the zero-padded blocks of `aad` and `ct` and their lengths.
    fn tag(&self, icn: u128, aad: &[u8], ct: &[u8]) -> [u8; MGM_TAG_LEN] {
        let mut z = self.block(icn | 1 << 127);
        let mut sum = 0u128;
        let lengths = ((aad.len() as u128 * 8) << 64) | (ct.len() as u128 * 8);
        let blocks = aad.chunks(16).chain(ct.chunks(16)).map(padded);
        for x in blocks.chain(core::iter::once(lengths)) {
            let mut h = self.block(z);
            sum ^= gf128_mul(h, x);
            h.zeroize();
            z = incr_l(z);
        }
        let t = self.block(sum).to_be_bytes();
        sum.zeroize();
        z.zeroize();
        t
    }
}

/// `ICN` as the block `0 || ICN`, after the RFC's preconditions.
fn check(nonce: &[u8; MGM_NONCE_LEN], aad_len: usize, msg_len: usize) -> Result<u128, MgmError> {
    if nonce[0] & 0x80 != 0 {
        return Err(MgmError::NonceTopBit);
    }
    if aad_len == 0 && msg_len == 0 {
        return Err(MgmError::NothingToProtect);
    }
    // Each length, and their sum, must fit the 64-bit bit-length fields.
    let bits = |n: usize| (n as u128) * 8;
    if bits(aad_len) + bits(msg_len) > u128::from(u64::MAX) {
        return Err(MgmError::TooLong);
    }
    Ok(u128::from_be_bytes(*nonce))
}

/// A block of up to 16 bytes, zero-padded on the right, as an integer.
fn padded(chunk: &[u8]) -> u128 {
    let mut b = [0u8; 16];
    b[..chunk.len()].copy_from_slice(chunk);
    let x = u128::from_be_bytes(b);
    b.zeroize();
    x
}

/// `incr_r`: the right half plus one, mod 2^64.
fn incr_r(y: u128) -> u128 {
    let right = (y as u64).wrapping_add(1);
    (y & !u128::from(u64::MAX)) | u128::from(right)
}

/// `incr_l`: the left half plus one, mod 2^64.
fn incr_l(z: u128) -> u128 {
    let left = ((z >> 64) as u64).wrapping_add(1);
    (u128::from(left) << 64) | (z & u128::from(u64::MAX))
}

/// Product in GF(2^128) mod `x^128 + x^7 + x^2 + x + 1`, bit 127 the
/// coefficient of `x^127`. Branch-free: masks, not conditions, on key-derived bits.
fn gf128_mul(a: u128, b: u128) -> u128 {
    let (mut a, mut b, mut r) = (a, b, 0u128);
    for _ in 0..128 {
        r ^= a & (b & 1).wrapping_neg();
        let carry = (a >> 127).wrapping_neg();
        a = (a << 1) ^ (carry & 0x87);
        b >>= 1;
    }
    a.zeroize();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(s: &str) -> Vec<u8> {
        hex::decode(s.replace([' ', '\n'], "")).unwrap()
    }

    fn h128(s: &str) -> u128 {
        u128::from_be_bytes(h(s).try_into().unwrap())
    }

    fn key(s: &str) -> Key256 {
        Key256::try_from_slice(&h(s)).unwrap()
    }

    // RFC 9058 Appendix A.1, Example 1 (Kuznyechik), every value it prints.
    const K1: &str = "8899aabbccddeeff0011223344556677fedcba98765432100123456789abcdef";
    const ICN1: &str = "1122334455667700ffeeddccbbaa9988";
    const A1: &str = "0202020202020202010101010101010104040404040404040303030303030303\
                      ea0505050505050505";
    const P1: &str = "1122334455667700ffeeddccbbaa998800112233445566778899aabbcceeff0a\
                      112233445566778899aabbcceeff0a002233445566778899aabbcceeff0a0011\
                      aabbcc";
    const Y1: [&str; 5] = [
        "7f679d90bebc24305a468d42b9d4edcd",
        "7f679d90bebc24305a468d42b9d4edce",
        "7f679d90bebc24305a468d42b9d4edcf",
        "7f679d90bebc24305a468d42b9d4edd0",
        "7f679d90bebc24305a468d42b9d4edd1",
    ];
    const EY1: [&str; 5] = [
        "b85748c512f31990aa567ef15335db74",
        "8064f0126fac9b2c5b6eac21612f9433",
        "5858821d40c0cd0d0ac1e6c247098f1c",
        "e43f5081b58f0b49012f8ee86acd6dfa",
        "86ce9e2a0a1225e3335691b20d5a3348",
    ];
    const C1: &str = "a9757b8147956e9055b8a33de89f42fc8075d2212bf9fd5bd3f7069aadc16b39\
                      497ab15915a6ba85936b5d0ea9f6851cc60c14d4d3f883d0ab94420695c76deb\
                      2c7552";
    const Z1: [&str; 9] = [
        "7fc245a8586e6602a7bbdb2786bdc66f",
        "7fc245a8586e6603a7bbdb2786bdc66f",
        "7fc245a8586e6604a7bbdb2786bdc66f",
        "7fc245a8586e6605a7bbdb2786bdc66f",
        "7fc245a8586e6606a7bbdb2786bdc66f",
        "7fc245a8586e6607a7bbdb2786bdc66f",
        "7fc245a8586e6608a7bbdb2786bdc66f",
        "7fc245a8586e6609a7bbdb2786bdc66f",
        "7fc245a8586e660aa7bbdb2786bdc66f",
    ];
    const H1: [&str; 9] = [
        "8db187d653830ea4bc446476952c300b",
        "7a24f72630e3763721c8f3cdb1da0e31",
        "4411962117d20635c525e0a24db4b90a",
        "d8c9623c4dbfe814ce7c1c0ceaa959db",
        "a5e1f195333e1482969931bfbe6dfd43",
        "b4ca808caccfb3f91724e48a2c7ee9d2",
        "72908fc074e469e8901bd188ea91c331",
        "23ca2715b02c68313bfdacb39e4d0fb8",
        "bcbce6c41aa355a4148862bf64bd830d",
    ];
    /// The sum after each of the 3 AAD and 5 ciphertext blocks.
    const SUMS1: [&str; 8] = [
        "4cf427f4adb75cf4c0da39d5ab48cf38",
        "9495440ef624a1ddc6f5d9772850c573",
        "a49a8cd8a6f27423db79e44ab306d942",
        "09fe3f6a833c21b39027d0206a84e15a",
        "b5da26bb00eba80435d7976bc6b5464d",
        "dd1c0eeef783c8eb2a33f358d7230ee5",
        "896ce10832ebeaf9069f3f7376594d40",
        "991af5c9d080f76387fe649e7c93c642",
    ];
    const LEN1: &str = "00000000000001480000000000000218";
    const FINAL1: &str = "c0c722db5e0bd6db257673833d567128";
    const T1: &str = "cf5d656f40c34f5c46e8bb0e29fcdb4c";

    // RFC 9058 Appendix A.1, Example 2: Kuznyechik, empty plaintext.
    const K2: &str = "99aabbccddeeff0011223344556677fedcba98765432100123456789abcdef88";
    const A2: &str = "01010101010101010101010101010101";
    const Z2: [&str; 2] = [
        "7932726896c43e3fbfd65089ebf1e5b6",
        "7932726896c43e40bfd65089ebf1e5b6",
    ];
    const H2: [&str; 2] = [
        "993a8066ccc0a40fac4a14f7a2f66d9b",
        "0c38a71ee793bf768981bfcd7cda78c8",
    ];
    const SUM2: &str = "0ac11e2c1cd607d82fe35554b4010281";
    const LEN2: &str = "00000000000000800000000000000000";
    const FINAL2: &str = "ca1ef89271ea60c4539e40eb26c2805d";
    const T2: &str = "7901e9ea2085cd247ed249695f9f8a85";

    fn nonce(s: &str) -> [u8; 16] {
        h(s).try_into().unwrap()
    }

    #[test]
    fn rfc9058_example1_every_intermediate() {
        let m = KuznyechikMgm::new(&key(K1));
        let icn = h128(ICN1);
        // Encryption: counters, keystream, ciphertext.
        let mut y = m.block(icn);
        let (p, c) = (h(P1), h(C1));
        for i in 0..5 {
            assert_eq!(y, h128(Y1[i]), "Y_{}", i + 1);
            let ks = m.block(y);
            assert_eq!(ks, h128(EY1[i]), "E_K(Y_{})", i + 1);
            let ks = ks.to_be_bytes();
            for (j, (pb, cb)) in p.iter().zip(&c).enumerate().skip(16 * i).take(16) {
                assert_eq!(pb ^ ks[j - 16 * i], *cb, "C byte {j}");
            }
            y = incr_r(y);
        }
        // Tag: Z_i, H_i, the running sum, the length block, the final sum.
        let (a, c) = (h(A1), h(C1));
        let blocks: Vec<u128> = a.chunks(16).chain(c.chunks(16)).map(padded).collect();
        let mut z = m.block(icn | 1 << 127);
        let mut sum = 0;
        for i in 0..9 {
            assert_eq!(z, h128(Z1[i]), "Z_{}", i + 1);
            let hi = m.block(z);
            assert_eq!(hi, h128(H1[i]), "H_{}", i + 1);
            if i < 8 {
                sum ^= gf128_mul(hi, blocks[i]);
                assert_eq!(sum, h128(SUMS1[i]), "sum after block {}", i + 1);
            } else {
                let len = (((a.len() * 8) as u128) << 64) | (c.len() * 8) as u128;
                assert_eq!(len, h128(LEN1));
                sum ^= gf128_mul(hi, len);
            }
            z = incr_l(z);
        }
        assert_eq!(sum, h128(FINAL1));
        assert_eq!(m.block(sum), h128(T1));
        // And the mode end to end, both ways.
        assert_eq!(m.tag(icn, &a, &c), h(T1).as_slice());
        let sealed = m.encrypt(&nonce(ICN1), &a, &h(P1)).unwrap();
        assert_eq!(hex::encode(&sealed), format!("{C1}{T1}"));
        let opened = m.decrypt(&nonce(ICN1), &a, &sealed).unwrap();
        assert_eq!(opened.expose(), h(P1).as_slice());
    }

    #[test]
    fn rfc9058_example2_empty_plaintext() {
        let m = KuznyechikMgm::new(&key(K2));
        let icn = h128(ICN1);
        let mut z = m.block(icn | 1 << 127);
        let mut sum = 0;
        for (i, x) in [h128(A2), h128(LEN2)].into_iter().enumerate() {
            assert_eq!(z, h128(Z2[i]), "Z_{}", i + 1);
            let hi = m.block(z);
            assert_eq!(hi, h128(H2[i]), "H_{}", i + 1);
            sum ^= gf128_mul(hi, x);
            if i == 0 {
                assert_eq!(sum, h128(SUM2));
            }
            z = incr_l(z);
        }
        assert_eq!(sum, h128(FINAL2));
        let sealed = m.encrypt(&nonce(ICN1), &h(A2), b"").unwrap();
        assert_eq!(hex::encode(&sealed), T2);
        assert!(m.decrypt(&nonce(ICN1), &h(A2), &sealed).unwrap().is_empty());
    }

    #[test]
    fn gf128_mul_is_the_field_product() {
        let x = 2u128; // the polynomial x
        // x * x^127 = x^128 = x^7 + x^2 + x + 1.
        assert_eq!(gf128_mul(x, 1 << 127), 0x87);
        assert_eq!(gf128_mul(1, 0xdead_beef), 0xdead_beef);
        assert_eq!(gf128_mul(0, u128::MAX), 0);
        let (a, b, c) = (h128(H1[0]), h128(H1[1]), h128(H1[2]));
        assert_eq!(gf128_mul(a, b), gf128_mul(b, a));
        assert_eq!(gf128_mul(a, b ^ c), gf128_mul(a, b) ^ gf128_mul(a, c));
        assert_eq!(gf128_mul(gf128_mul(a, b), c), gf128_mul(a, gf128_mul(b, c)));
    }

    #[test]
    fn counters_wrap_within_their_half() {
        let y = (5u128 << 64) | u128::from(u64::MAX);
        assert_eq!(incr_r(y), 5u128 << 64);
        let z = (u128::from(u64::MAX) << 64) | 7;
        assert_eq!(incr_l(z), 7);
    }

    fn sample() -> (KuznyechikMgm, [u8; 16], Vec<u8>, Vec<u8>) {
        let m = KuznyechikMgm::new(&key(K1));
        let n = nonce("0123456789abcdef0123456789abcdef");
        (m, n, b"key id, slot 7".to_vec(), (0..37u8).collect())
    }

    #[test]
    fn any_flipped_bit_is_refused_and_nothing_decrypted() {
        let (m, n, aad, msg) = sample();
        let sealed = m.encrypt(&n, &aad, &msg).unwrap();
        for i in 0..sealed.len() * 8 {
            let mut t = sealed.clone();
            t[i / 8] ^= 1 << (i % 8);
            assert_eq!(
                m.decrypt(&n, &aad, &t),
                Err(MgmError::TagMismatch),
                "bit {i}"
            );
        }
        for i in 0..aad.len() * 8 {
            let mut a = aad.clone();
            a[i / 8] ^= 1 << (i % 8);
            assert_eq!(m.decrypt(&n, &a, &sealed), Err(MgmError::TagMismatch));
        }
        // Every nonce bit but the top one (which is refused outright).
        for i in 1..128 {
            let mut t = n;
            t[i / 8] ^= 0x80 >> (i % 8);
            assert_eq!(m.decrypt(&t, &aad, &sealed), Err(MgmError::TagMismatch));
        }
        assert_eq!(
            m.decrypt(&n, &aad[1..], &sealed),
            Err(MgmError::TagMismatch)
        );
        assert_eq!(
            KuznyechikMgm::new(&key(K2)).decrypt(&n, &aad, &sealed),
            Err(MgmError::TagMismatch)
        );
        // In place: a failed check leaves the buffer as it was.
        let mut buf = sealed[..msg.len()].to_vec();
        let mut tag: [u8; 16] = sealed[msg.len()..].try_into().unwrap();
        tag[15] ^= 1;
        assert_eq!(
            m.decrypt_in_place_detached(&n, &aad, &mut buf, &tag),
            Err(MgmError::TagMismatch)
        );
        assert_eq!(buf, sealed[..msg.len()]);
    }

    #[test]
    fn empty_aad_and_empty_plaintext() {
        let (m, n, aad, msg) = sample();
        // Lengths around the block boundaries, each as message without AAD
        // and as AAD without message (tamper-checked both ways).
        for len in [1, 15, 16, 17, 32, 37] {
            let part = &msg[..len];
            let sealed = m.encrypt(&n, b"", part).unwrap();
            assert_eq!(sealed.len(), len + MGM_TAG_LEN);
            assert_eq!(m.decrypt(&n, b"", &sealed).unwrap().expose(), part);
            let mut t = sealed.clone();
            t[len - 1] ^= 1;
            assert_eq!(m.decrypt(&n, b"", &t), Err(MgmError::TagMismatch));

            let sealed = m.encrypt(&n, part, b"").unwrap();
            assert_eq!(sealed.len(), MGM_TAG_LEN);
            assert!(m.decrypt(&n, part, &sealed).unwrap().is_empty());
            let mut a = part.to_vec();
            a[len - 1] ^= 1;
            assert_eq!(m.decrypt(&n, &a, &sealed), Err(MgmError::TagMismatch));
        }
        // The same bytes as associated data or as message give different tags.
        let as_aad = m.encrypt(&n, &msg, b"").unwrap();
        let as_msg = m.encrypt(&n, b"", &msg).unwrap();
        assert_ne!(as_aad, as_msg[msg.len()..]);
        // A zero byte appended to either changes the tag (the lengths count).
        let mut longer = aad.clone();
        longer.push(0);
        assert_ne!(
            m.encrypt(&n, &longer, b"x").unwrap(),
            m.encrypt(&n, &aad, b"x").unwrap()
        );
    }

    #[test]
    fn preconditions_are_typed_errors() {
        let (m, mut n, aad, msg) = sample();
        assert_eq!(m.encrypt(&n, b"", b""), Err(MgmError::NothingToProtect));
        assert_eq!(
            m.decrypt(&n, b"", &[0; 16]),
            Err(MgmError::NothingToProtect)
        );
        assert_eq!(m.decrypt(&n, &aad, &[0; 15]), Err(MgmError::Truncated));
        let sealed = m.encrypt(&n, &aad, &msg).unwrap();
        n[0] |= 0x80;
        assert_eq!(m.encrypt(&n, &aad, &msg), Err(MgmError::NonceTopBit));
        assert_eq!(m.decrypt(&n, &aad, &sealed), Err(MgmError::NonceTopBit));
        let mut buf = msg.clone();
        assert_eq!(
            m.encrypt_in_place_detached(&n, &aad, &mut buf),
            Err(MgmError::NonceTopBit)
        );
        assert_eq!(buf, msg, "untouched on error");
        assert_eq!(format!("{m:?}"), "KuznyechikMgm([REDACTED])");
    }
}
