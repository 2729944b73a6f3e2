//! Opening a session with the token a verb names, logging in, and turning
//! PKI errors that carry a token error back into that error.

use fkn_core::pki::PkiError;
use fkn_core::token::{KeyInfo, TokenSession, token_error};
use std::sync::OnceLock;

use fkn_core::error::LinkKind;
use fkn_core::transport::Transport;

use crate::opts::{KeyId, Pin};
use crate::token_spec::TokenSpec;

/// A session over whatever link `--token` named.
pub type Session = TokenSession<Box<dyn Transport>>;

/// The kind of link of the last token opened, so the error message's
/// advice fits it (seat the card in the reader, or hold it still).
static LINK_KIND: OnceLock<LinkKind> = OnceLock::new();

/// The link kind of the token this run opened (contactless if none was).
pub fn link_kind() -> LinkKind {
    LINK_KIND.get().copied().unwrap_or_default()
}

/// Records the link kind of the card this run opened.
pub fn note_link_kind(kind: LinkKind) {
    let _ = LINK_KIND.set(kind);
}

/// Opens the link and selects the OFP1 application (no login).
pub fn open(spec: &TokenSpec) -> anyhow::Result<Session> {
    let link = spec.open()?;
    note_link_kind(link.link_kind());
    log::debug!("selecting OFP1 on {spec}");
    Ok(TokenSession::open(link)?)
}

/// Opens a session and logs in with the user PIN.
pub fn login(spec: &TokenSpec, pin: &Pin) -> anyhow::Result<Session> {
    let mut s = open(spec)?;
    // The token's own error (wrong PIN, attempts left) is the message.
    s.authenticate(pin.expose())?;
    Ok(s)
}

/// Opens a session and logs in with the admin PIN.
pub fn login_admin(spec: &TokenSpec, pin: &Pin) -> anyhow::Result<Session> {
    let mut s = open(spec)?;
    s.authenticate_admin(pin.expose())?;
    Ok(s)
}

/// Key `id` from the token's key list ([`CardRefusal::KeyNotFound`](fkn_core::error::CardRefusal::KeyNotFound)
/// if there is none).
pub fn find_key(s: &mut Session, id: &KeyId) -> anyhow::Result<KeyInfo> {
    s.list_keys()?
        .into_iter()
        .find(|k| k.id == id.bytes())
        .ok_or_else(|| fkn_core::Error::from(fkn_core::error::CardRefusal::KeyNotFound).into())
}

/// A PKI error as the CLI reports it: a token failure during signing is
/// shown as the token's own error (and keeps its exit status).
pub fn pki_error(e: PkiError) -> anyhow::Error {
    match token_error(&e) {
        Some(t) => t.clone().into(),
        None => e.into(),
    }
}
