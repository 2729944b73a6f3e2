//! What a token tells about itself, as exported records (plain data; Kotlin
//! data classes, Swift structs). Mirrors of `fkn_core::token::records`.

use fkn_core::token::{self as core_token, PinRef as CorePinRef};

use crate::curve::Curve;

/// Which PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum PinRef {
    /// The user PIN: sign, generate keys, store certificates, delete keys.
    User,
    /// The admin PIN: unblock the user PIN.
    Admin,
}

impl From<CorePinRef> for PinRef {
    fn from(p: CorePinRef) -> Self {
        match p {
            CorePinRef::User => PinRef::User,
            CorePinRef::Admin => PinRef::Admin,
        }
    }
}

impl From<PinRef> for CorePinRef {
    fn from(p: PinRef) -> Self {
        match p {
            PinRef::User => CorePinRef::User,
            PinRef::Admin => CorePinRef::Admin,
        }
    }
}

/// One PIN's login parameters, as SELECT announced them.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct PasswordInfo {
    /// Which PIN.
    pub reference: PinRef,
    /// SESPAKE point index.
    pub ind: u8,
    /// PBKDF2 salt (16 bytes).
    pub salt: Vec<u8>,
    /// Curve of the login exchange.
    pub curve: Curve,
    /// Attempts left before the PIN is blocked.
    pub attempts_left: u8,
}

/// What the token answered to SELECT (no login needed).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SelectInfo {
    /// Protocol version (1).
    pub version: u8,
    /// 8-byte serial number.
    pub serial: Vec<u8>,
    /// Token label.
    pub label: String,
    /// Curves the token can generate keys on.
    pub curves: Vec<Curve>,
    /// The PINs and their parameters.
    pub passwords: Vec<PasswordInfo>,
}

/// Token info (needs a login).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TokenInfo {
    /// 8-byte serial number.
    pub serial: Vec<u8>,
    /// Token label.
    pub label: String,
    /// Free key slots.
    pub free_slots: u8,
    /// User PIN attempts left.
    pub user_pin_attempts: u8,
    /// Admin PIN attempts left.
    pub admin_pin_attempts: u8,
}

/// One key pair on the token. The private key never leaves the token.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct KeyInfo {
    /// Key id, 1 to 16 bytes, chosen by the app at generation.
    pub id: Vec<u8>,
    /// Curve of the key.
    pub curve: Curve,
    /// Public key: X then Y, each little-endian (64 or 128 bytes), the
    /// encoding of GOST certificates.
    pub public_key: Vec<u8>,
    /// Label (may be empty).
    pub label: String,
    /// Whether the token stores a certificate for the key.
    pub has_certificate: bool,
}

impl From<&core_token::PasswordInfo> for PasswordInfo {
    fn from(p: &core_token::PasswordInfo) -> Self {
        PasswordInfo {
            reference: p.reference.into(),
            ind: p.ind,
            salt: p.salt.clone(),
            curve: p.curve.into(),
            attempts_left: p.attempts_left,
        }
    }
}

impl From<&core_token::SelectInfo> for SelectInfo {
    fn from(s: &core_token::SelectInfo) -> Self {
        SelectInfo {
            version: s.version,
            serial: s.serial.to_vec(),
            label: s.label.clone(),
            curves: s.curves.iter().copied().map(Curve::from).collect(),
            passwords: s.passwords.iter().map(PasswordInfo::from).collect(),
        }
    }
}

impl From<core_token::TokenInfo> for TokenInfo {
    fn from(t: core_token::TokenInfo) -> Self {
        TokenInfo {
            serial: t.serial.to_vec(),
            label: t.label,
            free_slots: t.free_slots,
            user_pin_attempts: t.user_pin_attempts,
            admin_pin_attempts: t.admin_pin_attempts,
        }
    }
}

impl From<core_token::KeyInfo> for KeyInfo {
    fn from(k: core_token::KeyInfo) -> Self {
        KeyInfo {
            id: k.id,
            curve: k.curve.into(),
            public_key: k.public_key,
            label: k.label,
            has_certificate: k.has_certificate,
        }
    }
}
