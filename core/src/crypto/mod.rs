//! GOST cryptography used by every other layer.
//!
//! No published crate implements GOST R 34.10-2012, so [`ec`] is ours, built on
//! `crypto-bigint`'s constant-time Montgomery arithmetic. Hashes, MACs and block
//! ciphers wrap the RustCrypto crates (`streebog`, `hmac`, `kuznyechik`, `magma`,
//! `ctr`, `cmac`, `pbkdf2`) so that callers see one small, GOST-named API.
//! [`mgm`] (Kuznyechik-MGM, RFC 9058) is ours too: no maintained MGM crate
//! builds on the current RustCrypto `cipher` stack.

pub mod cipher;
pub mod ec;
pub mod hash;
pub mod kdf;
pub mod mac;
pub mod mgm;
pub mod secret;
pub mod sespake_points;

/// The operating system's CSPRNG as an infallible [`rand_core::CryptoRng`].
pub fn os_rng() -> rand_core::UnwrapErr<getrandom::SysRng> {
    rand_core::UnwrapErr(getrandom::SysRng)
}
