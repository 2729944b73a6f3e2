//! GOST R 34.10 commands: MANAGE SECURITY ENVIRONMENT, PERFORM SECURITY
//! OPERATION (signature), GENERATE ASYMMETRIC KEY PAIR, and key import by
//! CHANGE REFERENCE DATA with P2 = 00.
//!
//! Byte conventions (the fact sheet's Section 5.2, settled for this
//! emulation): the card takes the 32 digest bytes as the hash outputs them
//! and computes the signature `s || r` (each big-endian) that
//! [`SigningKey::sign_digest`] and gost-engine compute; it answers that
//! block reversed as a whole, `r_LE || s_LE`. A public key is
//! `X_LE || Y_LE` ([`VerifyingKey::to_bytes`], RFC 4491's octets); a
//! private key `d` is kept as 32 bytes little-endian.

use zeroize::Zeroizing;

use fkn_core::crypto::ec::{CurveId, EcError, SigningKey, VerifyingKey};

use super::apdu::*;
use super::card::{EmulatedRutoken, Reply};
use super::fcp::Op;
use super::fs::{FileSystem, PRIVATE_KEY_DF, PUBLIC_KEY_DF, RsfKind};
use crate::tlv;

/// Length of a GOST R 34.10-2001 digest, private key and signature half.
const GOST_LEN: usize = 32;

/// What MSE SET prepared the card for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Purpose {
    /// `41 B6`: digital signature.
    Sign,
    /// `41 B8`: deciphering (RSA, not emulated).
    Decipher,
}

/// The current security environment (volatile).
#[derive(Clone, Copy, Debug)]
pub(super) struct SecurityEnv {
    pub purpose: Purpose,
    pub key_ref: u8,
}

/// The curve named by tag-`85` byte 1 of a GOST key file:
/// `0x10 + (paramset << 4)`, paramset 1..3 = CryptoPro A, B, C.
pub fn curve_of(prop: &[u8]) -> Option<CurveId> {
    match prop.get(1)? {
        0x20 => Some(CurveId::CryptoProA),
        0x30 => Some(CurveId::CryptoProB),
        0x40 => Some(CurveId::CryptoProC),
        _ => None,
    }
}

/// Tag-`85` byte 1 for `curve` (the inverse of [`curve_of`]).
pub fn paramset_byte(curve: CurveId) -> Option<u8> {
    match curve {
        CurveId::CryptoProA => Some(0x20),
        CurveId::CryptoProB => Some(0x30),
        CurveId::CryptoProC => Some(0x40),
        _ => None,
    }
}

/// `d` as the card keeps it: little-endian.
pub(super) fn d_le(key: &SigningKey) -> Zeroizing<Vec<u8>> {
    let mut d = key.to_be_bytes();
    d.reverse();
    d
}

fn key_from_le(curve: CurveId, d_le: &[u8]) -> Result<SigningKey, EcError> {
    let mut be = Zeroizing::new(d_le.to_vec());
    be.reverse();
    SigningKey::from_be_bytes(curve, &be)
}

impl EmulatedRutoken {
    /// MSE SET `00 22 41 B6|B8 Lc 84 01 ref`. Tag `80` (algorithm) is
    /// ignored; tag `81` (an SE file) is refused with `6A 88`, as this card
    /// has no SE files (OpenSC strips it for that reason). The key must
    /// exist.
    pub(super) fn manage_security_env(&mut self, p1: u8, p2: u8, data: &[u8]) -> Reply {
        let purpose = match (p1, p2) {
            (0x41, 0xB6) => Purpose::Sign,
            (0x41, 0xB8) => Purpose::Decipher,
            _ => return Err(SW_WRONG_P1P2),
        };
        let mut key_ref = None;
        for (tag, value) in tlv::parse(data).map_err(|_| SW_WRONG_DATA)? {
            match (tag, value) {
                (0x84, [r]) => key_ref = Some(*r),
                (0x80, _) => {}
                (0x81, _) => return Err(SW_REF_NOT_FOUND),
                _ => return Err(SW_WRONG_DATA),
            }
        }
        let key_ref = key_ref.ok_or(SW_WRONG_DATA)?;
        let path = FileSystem::rsf_path(PRIVATE_KEY_DF, u16::from(key_ref));
        if self.fs.get(&path).and_then(|n| n.rsf()).is_none() {
            return Err(SW_REF_NOT_FOUND);
        }
        self.env = Some(SecurityEnv { purpose, key_ref });
        Ok(Vec::new())
    }

    /// PSO COMPUTE DIGITAL SIGNATURE `00 2A 9E 9A 20 <digest> Le`: needs an
    /// MSE for signing (`69 85`) and the key's use rule met (`69 82`).
    pub(super) fn perform_security_operation(
        &mut self,
        p1: u8,
        p2: u8,
        data: &[u8],
        le: Option<usize>,
    ) -> Reply {
        match (p1, p2) {
            (0x9E, 0x9A) => {}
            (0x80, 0x86) => return Err(SW_FUNC_UNSUPPORTED),
            _ => return Err(SW_WRONG_P1P2),
        }
        let env = match self.env {
            Some(env) if env.purpose == Purpose::Sign => env,
            _ => return Err(SW_CONDITIONS),
        };
        let path = FileSystem::rsf_path(PRIVATE_KEY_DF, u16::from(env.key_ref));
        let node = self.fs.get(&path).ok_or(SW_REF_NOT_FOUND)?;
        let rsf = node.rsf().ok_or(SW_REF_NOT_FOUND)?;
        if rsf.kind != RsfKind::GostPrivate {
            return Err(SW_FUNC_UNSUPPORTED);
        }
        if !self.permits(node.sec.condition(Op::Bit2)) {
            return Err(SW_SECURITY);
        }
        let Some(d) = &rsf.value else {
            return Err(SW_CONDITIONS);
        };
        if data.len() != GOST_LEN {
            return Err(SW_WRONG_LENGTH);
        }
        if matches!(le, Some(n) if n < 2 * GOST_LEN) {
            return Err(sw_exact_le(2 * GOST_LEN));
        }
        let curve = curve_of(&node.prop).ok_or(SW_WRONG_DATA)?;
        let key = key_from_le(curve, d).map_err(|_| SW_CONDITIONS)?;
        let mut signature = loop {
            let k = self.random.scalar(curve);
            match key.sign_digest_with_nonce(data, &k) {
                Err(EcError::DegenerateNonce) => continue,
                Ok(sig) => break sig,
                Err(_) => return Err(SW_WRONG_DATA),
            }
        };
        signature.reverse();
        Ok(signature)
    }

    /// GENERATE ASYMMETRIC KEY PAIR `00 46 80 ref 00`: a new GOST key in
    /// the private and public RSFs `ref`, on the curve their tag `85`
    /// names; answers `X_LE || Y_LE` (no TLV). Needs the private file's
    /// update rule met.
    pub(super) fn generate_key_pair(&mut self, p1: u8, key_ref: u8) -> Reply {
        if p1 != 0x80 || key_ref == 0 {
            return Err(SW_WRONG_P1P2);
        }
        let private = FileSystem::rsf_path(PRIVATE_KEY_DF, u16::from(key_ref));
        let public = FileSystem::rsf_path(PUBLIC_KEY_DF, u16::from(key_ref));
        let (Some(prv), Some(_)) = (
            self.fs.get(&private).filter(|n| n.rsf().is_some()),
            self.fs.get(&public).filter(|n| n.rsf().is_some()),
        ) else {
            return Err(SW_REF_NOT_FOUND);
        };
        if prv.rsf().map(|r| r.kind) != Some(RsfKind::GostPrivate) {
            return Err(SW_FUNC_UNSUPPORTED);
        }
        if !self.permits(prv.sec.condition(Op::Bit1)) {
            return Err(SW_SECURITY);
        }
        let curve = curve_of(&prv.prop).ok_or(SW_WRONG_DATA)?;
        let key = SigningKey::from_scalar(self.random.scalar(curve)).map_err(|_| SW_WRONG_DATA)?;
        let q = key.verifying_key().to_bytes();
        self.write_rsf(&private, d_le(&key));
        self.write_rsf(&public, Zeroizing::new(q.clone()));
        Ok(q)
    }

    /// CHANGE REFERENCE DATA with P2 = 00: key material into the current
    /// file, which must be a key RSF whose update rule is met. A GOST
    /// private key is `d` little-endian (0 < d < q); its public RSF, if
    /// there is one, gets `Q`. A GOST public key must be a valid point.
    pub(super) fn import_key(&mut self, value: Zeroizing<Vec<u8>>) -> Reply {
        let path = self.fs.current.clone();
        let node = self.fs.get(&path).ok_or(SW_NO_CURRENT_EF)?;
        let kind = node.rsf().map(|r| r.kind).ok_or(SW_NO_CURRENT_EF)?;
        if kind == RsfKind::Chv {
            return Err(SW_NO_CURRENT_EF);
        }
        if !self.permits(node.sec.condition(Op::Bit1)) {
            return Err(SW_SECURITY);
        }
        match kind {
            RsfKind::GostPrivate => {
                let curve = curve_of(&node.prop).ok_or(SW_WRONG_DATA)?;
                if value.len() != GOST_LEN {
                    return Err(SW_WRONG_LENGTH);
                }
                let key = key_from_le(curve, &value).map_err(|_| SW_WRONG_DATA)?;
                let fid = *path.last().ok_or(SW_NO_CURRENT_EF)?;
                let public = FileSystem::rsf_path(PUBLIC_KEY_DF, fid);
                if self.fs.get(&public).and_then(|n| n.rsf()).is_some() {
                    self.write_rsf(&public, Zeroizing::new(key.verifying_key().to_bytes()));
                }
            }
            RsfKind::GostPublic => {
                let curve = curve_of(&node.prop).ok_or(SW_WRONG_DATA)?;
                VerifyingKey::from_bytes(curve, &value).map_err(|_| SW_WRONG_DATA)?;
            }
            _ => {
                let size = node.rsf().map_or(0, |r| usize::from(r.size));
                if value.len() > size {
                    return Err(SW_NO_MEMORY);
                }
            }
        }
        self.write_rsf(&path, value);
        Ok(Vec::new())
    }

    fn write_rsf(&mut self, path: &[u16], value: Zeroizing<Vec<u8>>) {
        if let Some(rsf) = self.fs.get_mut(path).and_then(|n| n.rsf_mut()) {
            rsf.value = Some(value);
        }
    }
}
