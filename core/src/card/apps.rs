//! [`CardApp`] for the two drivers: OFP1's [`TokenSession`] and the
//! Rutoken PKI [`RutokenSession`].

use super::{Capabilities, CardApp, CardApplication, CardKey};
use crate::crypto::ec::CurveId;
use crate::error::{ApiMisuse, Result};
use crate::rutoken::{RutokenKey, RutokenSession};
use crate::token::{KeyInfo, MAX_DIGESTS_PER_SIGN, TokenSession};
use crate::transport::{LinkKind, Transport};

impl From<KeyInfo> for CardKey {
    fn from(k: KeyInfo) -> Self {
        CardKey {
            id: k.id,
            curve: k.curve,
            public_key: k.public_key,
            label: k.label,
            has_certificate: k.has_certificate,
        }
    }
}

impl<T: Transport> CardApp for TokenSession<T> {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            application: CardApplication::Ofp1,
            pin_protected: true,
            secure_messaging: true,
            max_digests_per_sign: MAX_DIGESTS_PER_SIGN as u32,
            curves: self.select_info().curves.clone(),
            certificate_storage: true,
            key_deletion: true,
        }
    }

    fn serial(&self) -> Vec<u8> {
        self.select_info().serial.to_vec()
    }

    fn exchanges(&self) -> u64 {
        TokenSession::exchanges(self)
    }

    fn link_kind(&self) -> LinkKind {
        TokenSession::link_kind(self)
    }

    fn login(&mut self, pin: &str) -> Result<()> {
        self.authenticate(pin)
    }

    fn list_keys(&mut self) -> Result<Vec<CardKey>> {
        Ok(TokenSession::list_keys(self)?
            .into_iter()
            .map(CardKey::from)
            .collect())
    }

    fn generate_key(&mut self, id: &[u8], curve: CurveId, label: &str) -> Result<CardKey> {
        TokenSession::generate_key(self, id, curve, label).map(CardKey::from)
    }

    fn sign(&mut self, id: &[u8], digests: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
        TokenSession::sign(self, id, digests)
    }

    fn get_certificate(&mut self, id: &[u8]) -> Result<Vec<u8>> {
        TokenSession::get_certificate(self, id)
    }

    fn put_certificate(&mut self, id: &[u8], der: &[u8]) -> Result<()> {
        TokenSession::put_certificate(self, id, der)
    }
}

/// The Rutoken key reference in a [`CardKey`] id: exactly one byte, 1..255.
fn reference(id: &[u8]) -> Result<u8> {
    match id {
        [r] if *r != 0 => Ok(*r),
        _ => Err(ApiMisuse::InvalidArgument {
            detail: "a Rutoken key id is its key reference: one byte, 1 to 255".into(),
        }
        .into()),
    }
}

impl From<RutokenKey> for CardKey {
    fn from(k: RutokenKey) -> Self {
        CardKey {
            id: vec![k.reference],
            curve: k.curve,
            has_certificate: k.has_certificate(),
            public_key: k.public_key.unwrap_or_default(),
            label: k.label,
        }
    }
}

impl<T: Transport> CardApp for RutokenSession<T> {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            application: CardApplication::RutokenPki,
            pin_protected: false,
            secure_messaging: false,
            // Several PSOs after one SELECT + MSE: more digests per call,
            // one exchange each (no batch command).
            max_digests_per_sign: MAX_DIGESTS_PER_SIGN as u32,
            curves: vec![
                CurveId::CryptoProA,
                CurveId::CryptoProB,
                CurveId::CryptoProC,
            ],
            // In OpenSC's PKCS #15 objects, where the card has them.
            certificate_storage: self.has_objects(),
            key_deletion: false,
        }
    }

    fn serial(&self) -> Vec<u8> {
        RutokenSession::serial(self).to_vec()
    }

    fn exchanges(&self) -> u64 {
        RutokenSession::exchanges(self)
    }

    fn link_kind(&self) -> LinkKind {
        RutokenSession::link_kind(self)
    }

    fn login(&mut self, pin: &str) -> Result<()> {
        RutokenSession::login(self, pin)
    }

    fn list_keys(&mut self) -> Result<Vec<CardKey>> {
        Ok(RutokenSession::list_keys(self)?
            .into_iter()
            .map(CardKey::from)
            .collect())
    }

    /// `id` empty picks the first free reference; the label is stored in
    /// the PKCS #15 objects where the card has them.
    fn generate_key(&mut self, id: &[u8], curve: CurveId, label: &str) -> Result<CardKey> {
        let reference = if id.is_empty() {
            None
        } else {
            Some(reference(id)?)
        };
        RutokenSession::generate_key(self, reference, curve, label).map(CardKey::from)
    }

    fn sign(&mut self, id: &[u8], digests: &[Vec<u8>]) -> Result<Vec<Vec<u8>>> {
        if digests.is_empty() || digests.len() > MAX_DIGESTS_PER_SIGN {
            return Err(ApiMisuse::DigestCount {
                count: digests.len() as u32,
            }
            .into());
        }
        RutokenSession::sign(self, reference(id)?, digests)
    }

    fn get_certificate(&mut self, id: &[u8]) -> Result<Vec<u8>> {
        let key = self.find_key(reference(id)?)?;
        self.read_certificate(&key)
    }

    fn put_certificate(&mut self, id: &[u8], der: &[u8]) -> Result<()> {
        RutokenSession::put_certificate(self, reference(id)?, der)
    }
}
