//! [`EmulatedRutoken`]: the card's state (persistent: file system, PINs and
//! keys in it, serial, life cycle; volatile: verified PINs, current file,
//! security environment, a pending chain) and the command table.

use zeroize::Zeroizing;

use fkn_core::crypto::ec::{CurveId, SigningKey};

use super::apdu::*;
use super::crypto_commands::{SecurityEnv, d_le, paramset_byte};
use super::fcp::{AC_ALWAYS, AC_NEVER, Op, SecAttr};
use super::fs::{
    Body, CHV_DF, FileSystem, Node, PRIVATE_KEY_DF, PUBLIC_KEY_DF, Rsf, RsfKind, SYS_KEY_DF,
};
use super::pins::{chv_rsf, pin_bit};
use super::{RutokenModel, change_data};
use crate::random::{OsRandom, TokenRandom};
use crate::vpcd::VirtualCard;

/// A command's answer: data with `90 00`, or a status word alone.
pub(super) type Reply = Result<Vec<u8>, u16>;

/// The user PIN of a fresh card.
pub const FACTORY_USER_PIN: &[u8] = b"12345678";
/// The admin (SO) PIN of a fresh card.
pub const FACTORY_ADMIN_PIN: &[u8] = b"87654321";
/// Tries of each PIN of a fresh card.
pub const FACTORY_PIN_TRIES: u8 = 10;
/// PIN reference of the admin (SO) PIN.
pub const ADMIN_PIN_REF: u8 = 1;
/// PIN reference of the user PIN.
pub const USER_PIN_REF: u8 = 2;

/// Longest data a chained CHANGE REFERENCE DATA may carry (an RSA-4096
/// private key is 1288 bytes).
const MAX_CHAIN_DATA: usize = 4096;

/// Where the card is in its life: after the erase command it is being
/// personalised and checks no PIN rule (OpenSC creates files whose rules
/// name PINs that do not exist yet) until the end-of-initialisation
/// command; a fresh card is operational.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LifeCycle {
    /// After `80 8A 00 00`: PIN rules are not checked ("never" still is).
    Personalization,
    /// After `80 84 4E 19`, and fresh from the factory.
    Operational,
}

/// Why [`EmulatedRutoken::install_key`] refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum RutokenError {
    /// The card knows only the CryptoPro A, B and C paramsets of GOST 2001.
    #[error("the Rutoken ECP has no paramset for {0}")]
    UnsupportedCurve(CurveId),
    /// Key references are 1..=255.
    #[error("key reference 0 is not valid")]
    InvalidKeyRef,
    /// A key file with that reference exists.
    #[error("key reference {0} is taken")]
    KeyExists(u8),
    /// The system DFs (`3F00/1000/1000/6001`, `6002`) are missing (erased card).
    #[error("the card has no key system DFs")]
    NoSystemDf,
}

/// A chained CHANGE REFERENCE DATA being received.
pub(super) struct Chain {
    pub header: [u8; 3],
    pub declared: Option<usize>,
    pub value: Zeroizing<Vec<u8>>,
}

/// An emulated Rutoken ECP in PKI mode: plain ISO 7816-4 APDUs, as
/// OpenSC's `rtecp` driver talks to one. Raw APDU in, raw APDU out; never
/// panics on any input. In memory only.
///
/// A fresh card ([`EmulatedRutoken::new`]) has the MF and the system DFs,
/// user PIN `12345678` (reference 2) and admin PIN `87654321` (reference
/// 1), 10 tries each, no keys and no PKCS#15 application.
pub struct EmulatedRutoken {
    model: RutokenModel,
    serial: [u8; 8],
    pub(super) life: LifeCycle,
    pub(super) fs: FileSystem,
    pub(super) random: Box<dyn TokenRandom>,
    /// Verified PINs, bit `1 << (ref - 1)` (the access-condition bits).
    pub(super) verified: u8,
    pub(super) env: Option<SecurityEnv>,
    pub(super) chain: Option<Chain>,
    apdus: usize,
}

impl std::fmt::Debug for EmulatedRutoken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatedRutoken")
            .field("model", &self.model)
            .field("serial", &hex::encode_upper(self.serial))
            .field("life", &self.life)
            .finish_non_exhaustive()
    }
}

impl EmulatedRutoken {
    /// A fresh card with a random serial.
    pub fn new(model: RutokenModel) -> Self {
        let mut serial = [0u8; 8];
        OsRandom.fill_bytes(&mut serial);
        Self::with_serial(model, serial)
    }

    /// A fresh card with the given serial (what GET DATA `01 81` answers).
    pub fn with_serial(model: RutokenModel, serial: [u8; 8]) -> Self {
        let mut fs = FileSystem::factory();
        let chv = |pin_ref: u8, value: &[u8], min_len: u8, sec: SecAttr| Node {
            fid: u16::from(pin_ref),
            sec,
            prop: vec![0x01, min_len, 0x01, 0x11 * FACTORY_PIN_TRIES, 0, 0],
            body: Body::Rsf(chv_rsf(value, FACTORY_PIN_TRIES)),
        };
        let chv_df = [&SYS_KEY_DF[..], &[CHV_DF]].concat();
        // Rules as OpenSC's pkcs15-init writes them: the admin PIN is
        // changed by itself and never unblocked; the user PIN is unblocked
        // by the admin and changed by either.
        let admin = SecAttr::new(&[
            (Op::Bit0, AC_NEVER),
            (Op::Bit1, 0x01),
            (Op::Delete, AC_NEVER),
        ]);
        let user = SecAttr::new(&[(Op::Bit0, 0x01), (Op::Bit1, 0x03), (Op::Delete, AC_NEVER)]);
        for node in [
            chv(ADMIN_PIN_REF, FACTORY_ADMIN_PIN, 8, admin),
            chv(USER_PIN_REF, FACTORY_USER_PIN, 6, user),
        ] {
            // The factory tree has this DF and no PIN files yet.
            let _ = fs.insert(&chv_df, node);
        }
        EmulatedRutoken {
            model,
            serial,
            life: LifeCycle::Operational,
            fs,
            random: Box::new(OsRandom),
            verified: 0,
            env: None,
            chain: None,
            apdus: 0,
        }
    }

    /// Replaces the source of randomness (keys, nonces, GET CHALLENGE).
    pub fn with_random(mut self, random: Box<dyn TokenRandom>) -> Self {
        self.random = random;
        self
    }

    /// The model (ATR, link).
    pub fn model(&self) -> RutokenModel {
        self.model
    }

    /// The serial GET DATA `01 81` answers.
    pub fn serial(&self) -> [u8; 8] {
        self.serial
    }

    /// Personalisation or operational.
    pub fn life_cycle(&self) -> LifeCycle {
        self.life
    }

    /// Command APDUs processed since the card was made.
    pub fn apdus_processed(&self) -> usize {
        self.apdus
    }

    /// Tries left of PIN `pin_ref` (1 admin, 2 user); `None` if it has no file.
    pub fn pin_tries_left(&self, pin_ref: u8) -> Option<u8> {
        let path = FileSystem::rsf_path(CHV_DF, u16::from(pin_ref));
        self.fs.get(&path)?.rsf().map(|r| r.tries_left)
    }

    /// Whether PIN `pin_ref` is verified now.
    pub fn is_verified(&self, pin_ref: u8) -> bool {
        self.verified & pin_bit(pin_ref) != 0
    }

    /// Key references whose private-key RSF holds a key, ascending.
    pub fn key_refs(&self) -> Vec<u8> {
        let dir = [&SYS_KEY_DF[..], &[PRIVATE_KEY_DF]].concat();
        let mut refs: Vec<u8> = self
            .fs
            .get(&dir)
            .map(Node::children)
            .unwrap_or_default()
            .iter()
            .filter(|n| n.rsf().is_some_and(|r| r.value.is_some()))
            .filter_map(|n| u8::try_from(n.fid).ok())
            .collect();
        refs.sort_unstable();
        refs
    }

    /// The public key `X_LE || Y_LE` of key `key_ref`, if its public RSF holds one.
    pub fn public_key(&self, key_ref: u8) -> Option<Vec<u8>> {
        let path = FileSystem::rsf_path(PUBLIC_KEY_DF, u16::from(key_ref));
        Some(self.fs.get(&path)?.rsf()?.value.as_ref()?.to_vec())
    }

    /// Puts `key` on the card as key `key_ref`, as OpenSC's pkcs15-init
    /// would leave it: a private RSF in `6002` and a public RSF in `6001`,
    /// both with FID `key_ref`, usable and updatable with the user PIN.
    pub fn install_key(&mut self, key_ref: u8, key: &SigningKey) -> Result<(), RutokenError> {
        let paramset =
            paramset_byte(key.curve()).ok_or(RutokenError::UnsupportedCurve(key.curve()))?;
        if key_ref == 0 {
            return Err(RutokenError::InvalidKeyRef);
        }
        let user = USER_PIN_REF;
        let files = [
            (
                PRIVATE_KEY_DF,
                RsfKind::GostPrivate,
                0x03,
                d_le(key),
                SecAttr::new(&[(Op::Bit1, user), (Op::Bit2, user), (Op::Delete, user)]),
            ),
            (
                PUBLIC_KEY_DF,
                RsfKind::GostPublic,
                0x13,
                Zeroizing::new(key.verifying_key().to_bytes()),
                SecAttr::new(&[(Op::Bit1, user), (Op::Delete, user)]),
            ),
        ];
        for (home, ..) in &files {
            let dir = [&SYS_KEY_DF[..], &[*home]].concat();
            match self.fs.get(&dir) {
                None => return Err(RutokenError::NoSystemDf),
                Some(df) if df.children().iter().any(|c| c.fid == u16::from(key_ref)) => {
                    return Err(RutokenError::KeyExists(key_ref));
                }
                Some(_) => {}
            }
        }
        for (home, kind, type_byte, value, sec) in files {
            let node = Node {
                fid: u16::from(key_ref),
                sec,
                prop: vec![type_byte, paramset, 0x00, 0xAA, 0x00, 0x00],
                body: Body::Rsf(Rsf {
                    kind,
                    size: value.len() as u16,
                    value: Some(value),
                    tries_left: 0,
                }),
            };
            let dir = [&SYS_KEY_DF[..], &[home]].concat();
            self.fs
                .insert(&dir, node)
                .map_err(|_| RutokenError::NoSystemDf)?;
        }
        Ok(())
    }

    /// Whether an access condition byte is met now: `00` always, `FF`
    /// never, else a PIN bitmask met by any verified PIN it names (and by
    /// anyone while the card is being personalised).
    pub(super) fn permits(&self, condition: u8) -> bool {
        match condition {
            AC_ALWAYS => true,
            AC_NEVER => false,
            c if c & 0x03 == 0 => false,
            _ if self.life == LifeCycle::Personalization => true,
            c => c & self.verified != 0,
        }
    }

    /// One command APDU in, the response APDU out.
    pub fn process_apdu(&mut self, apdu: &[u8]) -> Vec<u8> {
        self.apdus += 1;
        let reply = match Command::parse(apdu) {
            Ok(cmd) => self.dispatch(&cmd),
            Err(sw) => Err(sw),
        };
        let out = match reply {
            Ok(data) => respond(data, SW_OK),
            Err(sw) => status(sw),
        };
        // Header and status only: command data may be a PIN or a key.
        log::debug!(
            "rutoken {:02X} {:02X} {:02X} {:02X} -> {:02X}{:02X}",
            apdu.first().copied().unwrap_or(0),
            apdu.get(1).copied().unwrap_or(0),
            apdu.get(2).copied().unwrap_or(0),
            apdu.get(3).copied().unwrap_or(0),
            out[out.len() - 2],
            out[out.len() - 1]
        );
        out
    }

    fn dispatch(&mut self, cmd: &Command<'_>) -> Reply {
        let chained = cmd.cla & 0x10 != 0;
        let cla = cmd.cla & !0x10;
        if cmd.ins != 0x24 || cla != 0 {
            self.chain = None;
            if chained {
                return Err(SW_CHAINING_UNSUPPORTED);
            }
        }
        let (p1, p2, data) = (cmd.p1, cmd.p2, cmd.data);
        match (cla, cmd.ins) {
            (0x00, 0xA4) => self.select(p1, p2, data),
            (0x00, 0xB0) => self.read_binary(p1, p2, cmd.le),
            (0x00, 0xD6) => self.update_binary(p1, p2, data),
            (0x00, 0xE0) => self.create_file(p1, p2, data),
            (0x00, 0xE4) => self.delete_file(p1, p2, data),
            (0x00, 0x20) => self.verify(p1, p2, data),
            (0x00, 0x24) => self.change_reference_data(cmd, chained),
            (0x00, 0x2C) => self.reset_retry_counter(p1, p2, data),
            (0x00, 0x22) => self.manage_security_env(p1, p2, data),
            (0x00, 0x2A) => self.perform_security_operation(p1, p2, data, cmd.le),
            (0x00, 0x46) => self.generate_key_pair(p1, p2),
            (0x00, 0xCA) => self.get_data(p1, p2, cmd.le),
            (0x00, 0x84) => self.get_challenge(p1, p2, cmd.le),
            (0x80, 0x40) => self.logout(p1, p2),
            (0x80, 0x8A) => self.erase(p1, p2),
            (0x80, 0x84) => self.end_initialization(p1, p2),
            (0x00 | 0x80, _) => Err(SW_INS_UNSUPPORTED),
            _ => Err(SW_CLA_UNSUPPORTED),
        }
    }

    /// CHANGE REFERENCE DATA `00 24 01 P2` (CLA `10` on all but the last
    /// segment): `80 02 len` then `A5 n value` objects, every segment
    /// starting with an `A5` (after the `80` in the first), lengths one raw
    /// byte. P2 = PIN reference sets a PIN; P2 = 00 writes key material into
    /// the current key RSF.
    fn change_reference_data(&mut self, cmd: &Command<'_>, chained: bool) -> Reply {
        let header = [cmd.ins, cmd.p1, cmd.p2];
        let mut chain = match self.chain.take() {
            Some(c) if c.header == header => c,
            _ => Chain {
                header,
                declared: None,
                // Never reallocated (a segment adds at most 255 bytes), so
                // no copy of a PIN or key is left behind unzeroized.
                value: Zeroizing::new(Vec::with_capacity(MAX_CHAIN_DATA + 256)),
            },
        };
        change_data::append_segment(&mut chain, cmd.data)?;
        if chain.value.len() > MAX_CHAIN_DATA {
            return Err(SW_WRONG_LENGTH);
        }
        if chained {
            self.chain = Some(chain);
            return Ok(Vec::new());
        }
        if cmd.p1 != 0x01 {
            return Err(SW_WRONG_P1P2);
        }
        if chain.declared != Some(chain.value.len()) {
            return Err(SW_WRONG_DATA);
        }
        match cmd.p2 {
            0 => self.import_key(chain.value),
            pin_ref => self.set_pin(pin_ref, chain.value),
        }
    }

    /// GET DATA `00 CA 01 81 Le`: the 8-byte serial.
    fn get_data(&mut self, p1: u8, p2: u8, le: Option<usize>) -> Reply {
        if (p1, p2) != (0x01, 0x81) {
            return Err(SW_REF_NOT_FOUND);
        }
        match le {
            Some(n) if n < self.serial.len() => Err(sw_exact_le(self.serial.len())),
            _ => Ok(self.serial.to_vec()),
        }
    }

    /// GET CHALLENGE `00 84 00 00 Le`: Le random bytes.
    fn get_challenge(&mut self, p1: u8, p2: u8, le: Option<usize>) -> Reply {
        if (p1, p2) != (0, 0) {
            return Err(SW_WRONG_P1P2);
        }
        let mut out = vec![0u8; le.ok_or(SW_WRONG_LENGTH)?];
        self.random.fill_bytes(&mut out);
        Ok(out)
    }

    /// `80 8A 00 00`: erases everything (files, PINs, keys) and starts
    /// personalisation. Taken without any PIN: OpenSC's `pkcs15-init
    /// --erase-card` sends it first thing after connecting, with no VERIFY
    /// before it (pkcs15-lib `sc_pkcs15init_erase_card` -> rtecp `erase`),
    /// and then re-creates the MF whose rules name a user PIN that no
    /// longer exists — so the card cannot demand one.
    fn erase(&mut self, p1: u8, p2: u8) -> Reply {
        if (p1, p2) != (0, 0) {
            return Err(SW_WRONG_P1P2);
        }
        self.fs = FileSystem::empty();
        self.life = LifeCycle::Personalization;
        self.drop_volatile();
        Ok(Vec::new())
    }

    /// `80 84 4E 19`: ends personalisation; PIN rules apply from now on.
    fn end_initialization(&mut self, p1: u8, p2: u8) -> Reply {
        if (p1, p2) != (0x4E, 0x19) {
            return Err(SW_WRONG_P1P2);
        }
        if self.fs.mf.is_none() {
            return Err(SW_CONDITIONS);
        }
        self.life = LifeCycle::Operational;
        Ok(Vec::new())
    }

    fn drop_volatile(&mut self) {
        self.verified = 0;
        self.env = None;
        self.chain = None;
        self.fs.current = if self.fs.mf.is_some() {
            vec![super::fs::MF]
        } else {
            Vec::new()
        };
    }

    /// A power cycle: PINs no longer verified, the MF current, no security
    /// environment, no pending chain.
    pub fn reset(&mut self) {
        self.drop_volatile();
    }
}

impl VirtualCard for EmulatedRutoken {
    fn process_apdu(&mut self, apdu: &[u8]) -> Vec<u8> {
        EmulatedRutoken::process_apdu(self, apdu)
    }
    fn atr(&self) -> Vec<u8> {
        self.model.atr().to_vec()
    }
    fn reset(&mut self) {
        EmulatedRutoken::reset(self);
    }
}
