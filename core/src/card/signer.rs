//! [`CardSigner`]: a key of any [`CardApp`] as a PKI
//! [`DigestSigner`]: certificate requests, certificates and CMS signed on
//! the card, each signature checked against the public key by the PKI layer.

use super::{CardApp, CardKey};
use crate::crypto::ec::CurveId;
use crate::error::{CardRefusal, Error, Violation};
use crate::pki::{DigestSigner, PkiError};

/// Key `key` of a logged-in card, one digest per sign call.
pub struct CardSigner<'a> {
    card: &'a mut dyn CardApp,
    key: CardKey,
}

impl<'a> CardSigner<'a> {
    /// Looks key `id` up (one listing) and borrows the card for signing.
    /// A key whose public key the card does not tell is taken from its
    /// certificate on the card; without either it cannot sign PKI objects
    /// (the result could not be checked).
    pub fn find(card: &'a mut dyn CardApp, id: &[u8]) -> Result<Self, Error> {
        Self::lookup(card, id, None)
    }

    /// [`CardSigner::find`] for signing with `certificate` (DER), which
    /// gives the public key if the card does not.
    pub fn find_with_certificate(
        card: &'a mut dyn CardApp,
        id: &[u8],
        certificate: &[u8],
    ) -> Result<Self, Error> {
        Self::lookup(card, id, Some(certificate))
    }

    fn lookup(card: &'a mut dyn CardApp, id: &[u8], cert: Option<&[u8]>) -> Result<Self, Error> {
        let mut key = card
            .list_keys()?
            .into_iter()
            .find(|k| k.id == id)
            .ok_or(Error::from(CardRefusal::KeyNotFound))?;
        if key.public_key.is_empty() {
            let stored;
            let der = match cert {
                Some(der) => der,
                None if key.has_certificate => {
                    stored = card.get_certificate(id)?;
                    &stored
                }
                None => {
                    return Err(CardRefusal::NotSupported {
                        operation: "tell this key's public key (sign with its certificate)".into(),
                    }
                    .into());
                }
            };
            key.public_key = crate::pki::cert::certificate_info(der)?.public_key;
        }
        Ok(CardSigner { card, key })
    }

    /// A signer for `key` as listed or generated (no exchange).
    pub fn new(card: &'a mut dyn CardApp, key: CardKey) -> Self {
        CardSigner { card, key }
    }

    /// The key.
    pub fn key(&self) -> &CardKey {
        &self.key
    }
}

impl DigestSigner for CardSigner<'_> {
    fn curve(&self) -> CurveId {
        self.key.curve
    }

    fn public_key(&self) -> Vec<u8> {
        self.key.public_key.clone()
    }

    fn sign_digest(&mut self, digest: &[u8]) -> Result<Vec<u8>, PkiError> {
        let mut sigs = self
            .card
            .sign(&self.key.id, &[digest.to_vec()])
            .map_err(|e| PkiError::Signer(Box::new(e)))?;
        sigs.pop()
            .ok_or_else(|| PkiError::Signer(Box::new(Error::from(Violation::WrongSignatures))))
    }
}
