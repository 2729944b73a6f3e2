//! [`TokenSigner`]: a key on the token as a PKI [`DigestSigner`], so that
//! certificate requests, certificates and CMS signatures are signed on the
//! card. Only the Streebog digest crosses the link; the PKI layer hashes the
//! data and checks every signature against the public key before using it.

use super::records::KeyInfo;
use super::session::TokenSession;
use crate::crypto::ec::CurveId;
use crate::error::{CardRefusal, Error, Violation};
use crate::pki::{DigestSigner, PkiError};
use crate::transport::Transport;

/// Key `id` of a logged-in [`TokenSession`], signing one digest per sign
/// command. The session is borrowed for as long as the signer lives; drop
/// the signer to use the session again (e.g. to store a certificate).
pub struct TokenSigner<'a, T: Transport> {
    session: &'a mut TokenSession<T>,
    id: Vec<u8>,
    curve: CurveId,
    public_key: Vec<u8>,
}

impl<'a, T: Transport> TokenSigner<'a, T> {
    /// A signer for `key`, as [`TokenSession::list_keys`] or
    /// [`TokenSession::generate_key`] returned it (no exchange).
    pub fn new(session: &'a mut TokenSession<T>, key: &KeyInfo) -> Self {
        TokenSigner {
            session,
            id: key.id.clone(),
            curve: key.curve,
            public_key: key.public_key.clone(),
        }
    }

    /// Looks key `id` up on the token (one list-keys exchange). Fails with
    /// [`CardRefusal::KeyNotFound`] if there is none.
    pub fn find(session: &'a mut TokenSession<T>, id: &[u8]) -> Result<Self, Error> {
        let key = session
            .list_keys()?
            .into_iter()
            .find(|k| k.id == id)
            .ok_or(Error::from(CardRefusal::KeyNotFound))?;
        Ok(Self::new(session, &key))
    }

    /// The key id.
    pub fn id(&self) -> &[u8] {
        &self.id
    }
}

impl<T: Transport> DigestSigner for TokenSigner<'_, T> {
    fn curve(&self) -> CurveId {
        self.curve
    }

    fn public_key(&self) -> Vec<u8> {
        self.public_key.clone()
    }

    /// One sign command with one digest. A token failure becomes
    /// [`PkiError::Signer`] holding the [`Error`] (see [`token_error`]).
    fn sign_digest(&mut self, digest: &[u8]) -> Result<Vec<u8>, PkiError> {
        let mut sigs = self
            .session
            .sign(&self.id, &[digest])
            .map_err(|e| PkiError::Signer(Box::new(e)))?;
        // `sign` returns exactly one signature per digest or an error.
        sigs.pop()
            .ok_or_else(|| PkiError::Signer(Box::new(Error::from(Violation::WrongSignatures))))
    }
}

/// The token [`Error`] inside a [`PkiError::Signer`] made by a
/// [`TokenSigner`], so callers can show the token's own message (wrong PIN,
/// card removed, ...) instead of a generic signer failure. (`Error::from`
/// a [`PkiError`] does this too.)
pub fn token_error(e: &PkiError) -> Option<&Error> {
    match e {
        PkiError::Signer(inner) => inner.downcast_ref::<Error>(),
        _ => None,
    }
}
