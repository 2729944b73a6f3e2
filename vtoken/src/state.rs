//! What a virtual token keeps across power cycles: identity, configuration,
//! password verifiers with their counters (OFP1 Section 4), and keys.
//!
//! Everything here is persisted by [`super::store`]; volatile state (session,
//! pending chain or response) lives in [`super::VirtualToken`].

use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::VirtualTokenError;
use fkn_core::crypto::ec::CurveId;

pub use super::sespake::{CLIM1, CLIM2, CLIM3};
/// Longest token label, in UTF-8 bytes (OFP1 Section 3).
pub const MAX_LABEL_LEN: usize = 32;
/// Key slots of a token by default.
pub const DEFAULT_KEY_SLOTS: usize = 16;
/// The OFP1 version a token announces in SELECT (`80 01 01`).
pub const OFP1_VERSION: u8 = 1;
/// Longest key id (OFP1 Section 6).
pub const MAX_KEY_ID_LEN: usize = 16;

/// A password reference (`P2` of GENERAL AUTHENTICATE, tag `C0` of SELECT).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PasswordRef {
    /// `01`: the user PIN.
    User,
    /// `02`: the admin PIN.
    Admin,
}

impl PasswordRef {
    /// The reference byte.
    pub const fn byte(self) -> u8 {
        match self {
            PasswordRef::User => 1,
            PasswordRef::Admin => 2,
        }
    }

    /// Parses a reference byte.
    pub const fn from_byte(b: u8) -> Option<PasswordRef> {
        match b {
            1 => Some(PasswordRef::User),
            2 => Some(PasswordRef::Admin),
            _ => None,
        }
    }
}

/// The three SESPAKE attempt counters of a password (RFC 8133 4.3 step 2):
/// the token-side SESPAKE module's [`Counters`](super::sespake::Counters),
/// persisted with the password record.
pub type PinCounters = super::sespake::Counters;

/// What the token stores for one password: never the PIN, only the SESPAKE
/// verifier `BYTES(Q_PW)`, its salt and curve, and the counters.
///
/// `Q_PW` lets anyone who holds it run SESPAKE as the host and test PIN
/// guesses offline, so it is zeroized on drop and redacted in `Debug`.
#[derive(Clone)]
pub struct PinRecord {
    reference: PasswordRef,
    curve: CurveId,
    ind: u8,
    salt: [u8; 16],
    q_pw: Zeroizing<Vec<u8>>,
    /// The attempt counters.
    pub counters: PinCounters,
}

fn check_point_len(curve: CurveId, q_pw: &[u8]) -> Result<(), VirtualTokenError> {
    if q_pw.len() == 2 * curve.coord_len() {
        Ok(())
    } else {
        Err(VirtualTokenError::InvalidState(format!(
            "BYTES(Q_PW) on {curve} must be {} bytes, got {}",
            2 * curve.coord_len(),
            q_pw.len()
        )))
    }
}

impl PinRecord {
    /// A password record with `ind = 1` and full counters.
    ///
    /// `q_pw` is `BYTES(Q_PW)` with `Q_PW = int_LE(F) * Q_1` and
    /// `F = PBKDF2(HMAC-Streebog-512, PIN, salt, 2000)` (OFP1 Section 4);
    /// the SESPAKE module computes it from a PIN.
    pub fn new(
        reference: PasswordRef,
        curve: CurveId,
        salt: [u8; 16],
        q_pw: Vec<u8>,
    ) -> Result<Self, VirtualTokenError> {
        let q_pw = Zeroizing::new(q_pw);
        check_point_len(curve, &q_pw)?;
        Ok(PinRecord {
            reference,
            curve,
            ind: 1,
            salt,
            q_pw,
            counters: PinCounters::new(),
        })
    }

    /// Which password this is.
    pub fn reference(&self) -> PasswordRef {
        self.reference
    }

    /// Curve of `Q_PW`.
    pub fn curve(&self) -> CurveId {
        self.curve
    }

    /// Index of the SESPAKE point `Q_ind` (OFP1: 1).
    pub fn ind(&self) -> u8 {
        self.ind
    }

    /// PBKDF2 salt.
    pub fn salt(&self) -> &[u8; 16] {
        &self.salt
    }

    /// `BYTES(Q_PW)`.
    pub fn q_pw(&self) -> &[u8] {
        &self.q_pw
    }

    /// Installs a new verifier (change PIN, unblock) and resets the counters.
    pub fn set_verifier(&mut self, salt: [u8; 16], q_pw: Vec<u8>) -> Result<(), VirtualTokenError> {
        let q_pw = Zeroizing::new(q_pw);
        check_point_len(self.curve, &q_pw)?;
        self.salt = salt;
        self.q_pw = q_pw;
        self.counters = PinCounters::new();
        Ok(())
    }

    pub(crate) fn with_ind_and_counters(mut self, ind: u8, counters: PinCounters) -> Self {
        self.ind = ind;
        self.counters = counters;
        self
    }
}

impl PartialEq for PinRecord {
    fn eq(&self, other: &Self) -> bool {
        let public = self.reference == other.reference
            && self.curve == other.curve
            && self.ind == other.ind
            && self.salt == other.salt
            && self.counters == other.counters;
        public && bool::from(self.q_pw.as_slice().ct_eq(other.q_pw.as_slice()))
    }
}

impl Eq for PinRecord {}

impl core::fmt::Debug for PinRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PinRecord")
            .field("reference", &self.reference)
            .field("curve", &self.curve)
            .field("ind", &self.ind)
            .field("salt", &hex::encode_upper(self.salt))
            .field("q_pw", &"[REDACTED]")
            .field("counters", &self.counters)
            .finish()
    }
}

/// A key pair on the token. The private key never leaves the token over the
/// wire; it is zeroized on drop and redacted in `Debug`.
#[derive(Clone)]
pub struct KeyRecord {
    id: Vec<u8>,
    curve: CurveId,
    d: Zeroizing<Vec<u8>>,
    public_key: Vec<u8>,
    /// Label (tag `88`; may be empty).
    pub label: Vec<u8>,
    /// DER certificate, if one was stored.
    pub certificate: Option<Vec<u8>>,
}

impl KeyRecord {
    /// A key: `id` of 1..=16 bytes, private key `d` big-endian (coordinate
    /// length of `curve`), public key `BYTES(Q)`.
    pub fn new(
        id: Vec<u8>,
        curve: CurveId,
        d: Zeroizing<Vec<u8>>,
        public_key: Vec<u8>,
        label: Vec<u8>,
    ) -> Result<Self, VirtualTokenError> {
        if id.is_empty() || id.len() > MAX_KEY_ID_LEN {
            return Err(VirtualTokenError::InvalidState(format!(
                "a key id has 1..={MAX_KEY_ID_LEN} bytes, got {}",
                id.len()
            )));
        }
        let n = curve.coord_len();
        if d.len() != n || public_key.len() != 2 * n {
            return Err(VirtualTokenError::InvalidState(format!(
                "a {curve} key has a {n}-byte private key and a {}-byte public key, got {} and {}",
                2 * n,
                d.len(),
                public_key.len()
            )));
        }
        Ok(KeyRecord {
            id,
            curve,
            d,
            public_key,
            label,
            certificate: None,
        })
    }

    /// Key id.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// Curve.
    pub fn curve(&self) -> CurveId {
        self.curve
    }

    /// Private key `d`, big-endian.
    pub fn private_key(&self) -> &[u8] {
        &self.d
    }

    /// Public key `BYTES(Q)`.
    pub fn public_key(&self) -> &[u8] {
        &self.public_key
    }
}

impl PartialEq for KeyRecord {
    fn eq(&self, other: &Self) -> bool {
        let public = self.id == other.id
            && self.curve == other.curve
            && self.public_key == other.public_key
            && self.label == other.label
            && self.certificate == other.certificate;
        public && bool::from(self.d.as_slice().ct_eq(other.d.as_slice()))
    }
}

impl Eq for KeyRecord {}

impl core::fmt::Debug for KeyRecord {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyRecord")
            .field("id", &hex::encode_upper(&self.id))
            .field("curve", &self.curve)
            .field("d", &"[REDACTED]")
            .field("public_key", &hex::encode_upper(&self.public_key))
            .field("label", &String::from_utf8_lossy(&self.label))
            .field("certificate_len", &self.certificate.as_ref().map(Vec::len))
            .finish()
    }
}

/// How the simulated card behaves on the link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TokenConfig {
    /// Accept extended-length APDUs and announce them in the ATR
    /// (otherwise they answer `67 00`). Default: off, like the token of the
    /// OFP1 worked example.
    pub extended_length: bool,
    /// Most response data per APDU before the token answers `61 xx`
    /// (1..=65536; simulates small-buffer cards). Default: 256.
    pub max_response_data: usize,
    /// Number of key slots. Default: [`DEFAULT_KEY_SLOTS`].
    pub key_slots: usize,
    /// Answer `6C xx` to a SELECT whose Le is shorter than its response
    /// (the only command OFP1 allows it for). Default: off (`61 xx` instead).
    pub answer_wrong_le: bool,
}

impl Default for TokenConfig {
    fn default() -> Self {
        TokenConfig {
            extended_length: false,
            max_response_data: 256,
            key_slots: DEFAULT_KEY_SLOTS,
            answer_wrong_le: false,
        }
    }
}

impl TokenConfig {
    fn validate(&self) -> Result<(), VirtualTokenError> {
        if !(1..=65_536).contains(&self.max_response_data) {
            return Err(VirtualTokenError::InvalidState(format!(
                "max_response_data must be 1..=65536, got {}",
                self.max_response_data
            )));
        }
        Ok(())
    }
}

/// Everything a virtual token persists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenState {
    serial: [u8; 8],
    label: String,
    /// OFP1 version announced in SELECT.
    pub version: u8,
    supported_curves: Vec<CurveId>,
    config: TokenConfig,
    user: PinRecord,
    admin: PinRecord,
    keys: Vec<KeyRecord>,
}

impl TokenState {
    /// A token with no keys, all seven curves, the default
    /// [`TokenConfig`] and the two password records.
    pub fn new(
        serial: [u8; 8],
        label: &str,
        user: PinRecord,
        admin: PinRecord,
    ) -> Result<Self, VirtualTokenError> {
        if user.reference != PasswordRef::User || admin.reference != PasswordRef::Admin {
            return Err(VirtualTokenError::InvalidState(
                "the first password record must be the user PIN (01), the second the admin PIN (02)"
                    .into(),
            ));
        }
        let mut state = TokenState {
            serial,
            label: String::new(),
            version: OFP1_VERSION,
            supported_curves: CurveId::ALL.to_vec(),
            config: TokenConfig::default(),
            user,
            admin,
            keys: Vec::new(),
        };
        state.set_label(label)?;
        Ok(state)
    }

    /// Replaces the configuration.
    pub fn with_config(mut self, config: TokenConfig) -> Result<Self, VirtualTokenError> {
        config.validate()?;
        if self.keys.len() > config.key_slots {
            return Err(VirtualTokenError::InvalidState(format!(
                "{} keys do not fit {} slots",
                self.keys.len(),
                config.key_slots
            )));
        }
        self.config = config;
        Ok(self)
    }

    /// Restricts the curves the token announces and accepts (in this order).
    pub fn with_supported_curves(
        mut self,
        curves: Vec<CurveId>,
    ) -> Result<Self, VirtualTokenError> {
        if curves.is_empty() {
            return Err(VirtualTokenError::InvalidState(
                "a token supports at least one curve".into(),
            ));
        }
        self.supported_curves = curves;
        Ok(self)
    }

    /// Serial number (also `ID_B` of SESPAKE).
    pub fn serial(&self) -> &[u8; 8] {
        &self.serial
    }

    /// Label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Sets the label (at most [`MAX_LABEL_LEN`] UTF-8 bytes).
    pub fn set_label(&mut self, label: &str) -> Result<(), VirtualTokenError> {
        if label.len() > MAX_LABEL_LEN {
            return Err(VirtualTokenError::InvalidState(format!(
                "the label has {} bytes, at most {MAX_LABEL_LEN} are allowed",
                label.len()
            )));
        }
        self.label = label.to_owned();
        Ok(())
    }

    /// Curves announced in SELECT, in order.
    pub fn supported_curves(&self) -> &[CurveId] {
        &self.supported_curves
    }

    /// Link behaviour.
    pub fn config(&self) -> &TokenConfig {
        &self.config
    }

    /// One password record.
    pub fn pin(&self, reference: PasswordRef) -> &PinRecord {
        match reference {
            PasswordRef::User => &self.user,
            PasswordRef::Admin => &self.admin,
        }
    }

    /// One password record, mutably (counters, new verifier).
    pub fn pin_mut(&mut self, reference: PasswordRef) -> &mut PinRecord {
        match reference {
            PasswordRef::User => &mut self.user,
            PasswordRef::Admin => &mut self.admin,
        }
    }

    /// Keys in creation order.
    pub fn keys(&self) -> &[KeyRecord] {
        &self.keys
    }

    /// The key with this id.
    pub fn key(&self, id: &[u8]) -> Option<&KeyRecord> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// The key with this id, mutably (label, certificate).
    pub fn key_mut(&mut self, id: &[u8]) -> Option<&mut KeyRecord> {
        self.keys.iter_mut().find(|k| k.id == id)
    }

    /// Free key slots.
    pub fn free_slots(&self) -> usize {
        self.config.key_slots.saturating_sub(self.keys.len())
    }

    /// Adds a key after the others. Fails (state unchanged) when the id
    /// exists (`6A 89`) or no slot is free (`6A 84`), see [`AddKeyError`].
    pub fn add_key(&mut self, key: KeyRecord) -> Result<(), AddKeyError> {
        if self.key(&key.id).is_some() {
            return Err(AddKeyError::IdExists);
        }
        if self.free_slots() == 0 {
            return Err(AddKeyError::NoFreeSlot);
        }
        self.keys.push(key);
        Ok(())
    }

    /// Removes a key (and its certificate); `None` if there is none.
    pub fn remove_key(&mut self, id: &[u8]) -> Option<KeyRecord> {
        let i = self.keys.iter().position(|k| k.id == id)?;
        Some(self.keys.remove(i))
    }

    /// Restores keys from storage, checking ids are unique and fit the slots.
    pub(crate) fn with_keys(mut self, keys: Vec<KeyRecord>) -> Result<Self, VirtualTokenError> {
        for key in keys {
            self.add_key(key).map_err(|e| {
                VirtualTokenError::InvalidState(format!("cannot restore the keys: {e}"))
            })?;
        }
        Ok(self)
    }
}

/// Why [`TokenState::add_key`] refused a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddKeyError {
    /// A key with this id exists (`6A 89`).
    #[error("a key with this id already exists")]
    IdExists,
    /// Every slot is taken (`6A 84`).
    #[error("no free key slot")]
    NoFreeSlot,
}

impl AddKeyError {
    /// The status word OFP1 Section 6 gives this refusal.
    pub fn status_word(&self) -> u16 {
        match self {
            AddKeyError::IdExists => 0x6A89,
            AddKeyError::NoFreeSlot => 0x6A84,
        }
    }
}
