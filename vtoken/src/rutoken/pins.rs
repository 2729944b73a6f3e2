//! PIN commands: VERIFY, CHANGE REFERENCE DATA on a PIN, RESET RETRY
//! COUNTER, and the logout command.
//!
//! PIN reference 1 is the admin (SO) PIN, 2 the user PIN; each is a CHV
//! RSF in `3F00/1000/1000/6005` with FID = reference. Its tag `85` gives
//! the minimum length (byte 1) and the number of tries (byte 3, the count
//! in both nibbles); its security attributes say who may unblock (bit 0)
//! and change (bit 1) it.

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::apdu::*;
use super::card::{EmulatedRutoken, Reply};
use super::fcp::Op;
use super::fs::{CHV_DF, FileSystem, Rsf};

/// Longest PIN the card stores (OpenSC's profile: max-length 32).
pub const MAX_PIN_LEN: usize = 32;

/// The bit of a PIN reference in the verified mask and in access conditions.
pub(super) fn pin_bit(pin_ref: u8) -> u8 {
    match pin_ref {
        1 => 0x01,
        2 => 0x02,
        _ => 0,
    }
}

/// Tries a fresh or unblocked PIN gets: the low nibble of tag-`85` byte 3.
pub(super) fn max_tries(prop: &[u8]) -> u8 {
    prop.get(3).map_or(10, |b| b & 0x0F).max(1)
}

impl EmulatedRutoken {
    /// The PIN file of `pin_ref` (`6A 88` if there is none).
    fn pin_path(&self, pin_ref: u8) -> Result<Vec<u16>, u16> {
        if pin_bit(pin_ref) == 0 {
            return Err(SW_REF_NOT_FOUND);
        }
        let path = FileSystem::rsf_path(CHV_DF, u16::from(pin_ref));
        match self.fs.get(&path).and_then(|n| n.rsf()) {
            Some(_) => Ok(path),
            None => Err(SW_REF_NOT_FOUND),
        }
    }

    /// VERIFY `00 20 00 ref [PIN]`. A wrong PIN answers `63 00` (no count);
    /// VERIFY without data answers `90 00` if the PIN is verified, else
    /// `63 Cx` with the tries left, and uses no try. A blocked PIN: `69 83`.
    pub(super) fn verify(&mut self, p1: u8, pin_ref: u8, data: &[u8]) -> Reply {
        if p1 != 0 {
            return Err(SW_WRONG_P1P2);
        }
        let path = self.pin_path(pin_ref)?;
        let bit = pin_bit(pin_ref);
        let already = self.verified & bit != 0;
        let node = self.fs.get_mut(&path).ok_or(SW_REF_NOT_FOUND)?;
        let max = max_tries(&node.prop);
        let rsf = node.rsf_mut().ok_or(SW_REF_NOT_FOUND)?;
        if rsf.tries_left == 0 {
            return Err(SW_BLOCKED);
        }
        if data.is_empty() {
            return if already {
                Ok(Vec::new())
            } else {
                Err(sw_tries_left(rsf.tries_left))
            };
        }
        let Some(value) = &rsf.value else {
            return Err(SW_REF_DATA_UNUSABLE);
        };
        let matches = value.len() == data.len() && bool::from(value.ct_eq(data));
        if matches {
            rsf.tries_left = max;
            self.verified |= bit;
            Ok(Vec::new())
        } else {
            rsf.tries_left -= 1;
            self.verified &= !bit;
            Err(SW_PIN_WRONG)
        }
    }

    /// CHANGE REFERENCE DATA with P2 = a PIN reference: sets the PIN to
    /// `value` (the concatenated `A5` segments), if the PIN file's change
    /// rule is met. Length between the file's minimum and 32 bytes
    /// (`6A 80` otherwise). Resets the tries.
    pub(super) fn set_pin(&mut self, pin_ref: u8, value: Zeroizing<Vec<u8>>) -> Reply {
        let path = self.pin_path(pin_ref)?;
        let node = self.fs.get(&path).ok_or(SW_REF_NOT_FOUND)?;
        if !self.permits(node.sec.condition(Op::Bit1)) {
            return Err(SW_SECURITY);
        }
        let min_len = usize::from(node.prop.get(1).copied().unwrap_or(1)).max(1);
        if value.len() < min_len || value.len() > MAX_PIN_LEN {
            return Err(SW_WRONG_DATA);
        }
        let max = max_tries(&node.prop);
        let rsf = self
            .fs
            .get_mut(&path)
            .and_then(|n| n.rsf_mut())
            .ok_or(SW_REF_NOT_FOUND)?;
        rsf.size = value.len() as u16;
        rsf.value = Some(value);
        rsf.tries_left = max;
        Ok(Vec::new())
    }

    /// RESET RETRY COUNTER `00 2C 03 ref`: gives the PIN its tries back if
    /// the PIN file's unblock rule is met (the user PIN: admin PIN verified;
    /// the admin PIN: never). A new value follows, if at all, as CHANGE
    /// REFERENCE DATA.
    pub(super) fn reset_retry_counter(&mut self, p1: u8, pin_ref: u8, data: &[u8]) -> Reply {
        if p1 != 0x03 {
            return Err(SW_WRONG_P1P2);
        }
        if !data.is_empty() {
            return Err(SW_WRONG_LENGTH);
        }
        let path = self.pin_path(pin_ref)?;
        let node = self.fs.get(&path).ok_or(SW_REF_NOT_FOUND)?;
        if !self.permits(node.sec.condition(Op::Bit0)) {
            return Err(SW_SECURITY);
        }
        let max = max_tries(&node.prop);
        if let Some(rsf) = self.fs.get_mut(&path).and_then(|n| n.rsf_mut()) {
            rsf.tries_left = max;
        }
        Ok(Vec::new())
    }

    /// `80 40 00 00`: resets the access rights (both PINs) at once.
    pub(super) fn logout(&mut self, p1: u8, p2: u8) -> Reply {
        if (p1, p2) != (0, 0) {
            return Err(SW_WRONG_P1P2);
        }
        self.verified = 0;
        Ok(Vec::new())
    }
}

/// The content of a PIN file holding `value` with `tries` tries left.
pub(super) fn chv_rsf(value: &[u8], tries: u8) -> Rsf {
    Rsf {
        kind: super::fs::RsfKind::Chv,
        size: value.len() as u16,
        value: Some(Zeroizing::new(value.to_vec())),
        tries_left: tries,
    }
}
