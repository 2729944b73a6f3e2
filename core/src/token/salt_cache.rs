//! Salts remembered per token serial, so the next login's PBKDF2 can run
//! before the tap (OFP1 Section 4: "PBKDF2 work happens before any APDU that
//! needs it"). Only public SELECT data is kept: serial, salt, curve, `ind`.
//! PINs are never cached; a [`PreparedPin`] holds only the derived key and is
//! made fresh for each login.

use std::collections::HashMap;

use super::commands::PinRef;
use super::records::{PasswordInfo, SelectInfo};
use super::session::PreparedPin;
use crate::sespake::Profile;

/// Password parameters of the tokens seen before, by serial.
#[derive(Clone, Debug, Default)]
pub struct SaltCache {
    tokens: HashMap<[u8; 8], Vec<PasswordInfo>>,
}

impl SaltCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// Remembers (or refreshes) what a token's SELECT announced.
    pub fn remember(&mut self, select: &SelectInfo) {
        self.tokens.insert(select.serial, select.passwords.clone());
    }

    /// Forgets a token (e.g. after its PIN was changed elsewhere).
    pub fn forget(&mut self, serial: &[u8; 8]) {
        self.tokens.remove(serial);
    }

    /// The remembered parameters of `pin` on the token `serial`.
    pub fn get(&self, serial: &[u8; 8], pin: PinRef) -> Option<&PasswordInfo> {
        self.tokens.get(serial)?.iter().find(|p| p.reference == pin)
    }

    /// Runs PBKDF2 now for a token seen before; `None` if it is unknown. If
    /// the salt changed since (PIN changed on another device), the session
    /// refuses the prepared PIN and the caller prepares it again.
    pub fn prepare(
        &self,
        profile: &Profile,
        serial: &[u8; 8],
        reference: PinRef,
        pin: &str,
    ) -> Option<PreparedPin> {
        let info = self.get(serial, reference)?;
        Some(PreparedPin::derive(profile, *serial, info, pin))
    }
}
