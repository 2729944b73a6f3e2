//! [`SecureLink`]: the APDU channel and, after a login, the secure channel
//! over it, as one owned stack (transport → APDU channel → secure channel).
//! It owns wrap → transmit → unwrap, the Le rules of wrapped commands, and
//! the rule that any failure on the way erases the session keys.

use super::{SecureChannel, SmKeys};
use crate::apdu::{ApduChannel, Command, Response, tlv};
use crate::error::{CardRefusal, Error, Result};
use crate::transport::Transport;

/// A link to a token that carries plain commands always and secure-messaged
/// ones once [`SecureLink::establish`] has been given session keys.
pub struct SecureLink<T: Transport> {
    link: ApduChannel<T>,
    channel: Option<SecureChannel>,
}

impl<T: Transport> SecureLink<T> {
    /// A plain link over `transport`.
    pub fn new(transport: T) -> Self {
        SecureLink {
            link: ApduChannel::new(transport),
            channel: None,
        }
    }

    /// A plain link over an APDU channel already in use (its exchange count
    /// carries on), e.g. after probing which application a card has.
    pub fn from_channel(link: ApduChannel<T>) -> Self {
        SecureLink {
            link,
            channel: None,
        }
    }

    /// Sends a command outside secure messaging and returns the response
    /// whatever its status word. A link failure ends any secure session: the
    /// token may have seen the command or not, so neither side's counters
    /// can be trusted.
    pub fn transmit_plain(&mut self, cmd: &Command) -> Result<Response> {
        self.link.transmit(cmd).map_err(|e| {
            self.close();
            e.into()
        })
    }

    /// Starts secure messaging with keys from a completed SESPAKE.
    pub fn establish(&mut self, keys: SmKeys) {
        self.channel = Some(SecureChannel::new(keys));
    }

    /// Erases the session keys.
    pub fn close(&mut self) {
        self.channel = None;
    }

    /// Whether secure messaging is established (and has not failed since).
    pub fn is_established(&self) -> bool {
        self.channel.as_ref().is_some_and(SecureChannel::is_open)
    }

    /// Wraps `cmd`, exchanges it and unwraps the answer; returns the inner
    /// response whatever its status word. Every failure on the way (link,
    /// MAC, structure, the token rejecting our wrapping) erases the keys.
    pub fn transmit(&mut self, cmd: &Command) -> Result<Response> {
        let Some(channel) = self.channel.as_mut().filter(|c| c.is_open()) else {
            return Err(CardRefusal::NotAuthenticated.into());
        };
        let extended = self.link.transport().extended_length_supported() && needs_extended(cmd);
        let mut cmd = cmd.clone();
        if !extended {
            // A short link asks for at most 256 bytes and collects the rest
            // through 61 xx (OFP1 Section 2).
            cmd.le = cmd.le.map(|le| le.min(256));
        }
        let ins = cmd.ins;
        let result = match channel.wrap(&cmd, extended) {
            Err(e) => Err(failed(ins, "could not be wrapped", &e, e.clone().into())),
            Ok(wrapped) => match self.link.transmit(&wrapped) {
                Err(e) => Err(failed(ins, "was not exchanged", &e, e.clone().into())),
                Ok(rsp) => channel.unwrap(&rsp).map_err(|e| {
                    failed(
                        ins,
                        "got a response that did not unwrap",
                        &e,
                        e.clone().into(),
                    )
                }),
            },
        };
        if result.is_err() {
            self.close();
        }
        result
    }

    /// APDU exchanges so far.
    pub fn exchanges(&self) -> u64 {
        self.link.exchanges()
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        self.link.transport()
    }

    /// The transport, mutably.
    pub fn transport_mut(&mut self) -> &mut T {
        self.link.transport_mut()
    }
}

/// Logs why a wrapped command failed (the user-facing error says only that
/// the channel broke) and passes the error on. No key material is in `cause`.
fn failed(ins: u8, what: &str, cause: &dyn core::fmt::Display, error: Error) -> Error {
    log::debug!("secure messaging: command {ins:02X} {what}: {cause}; keys erased");
    error
}

/// Whether the wrapped form of `cmd` needs extended length: its data objects
/// (`85` with the ciphertext, `97` of at most 4 bytes, `8E 08 T` of 10)
/// exceed a short Lc, or Le exceeds 256.
fn needs_extended(cmd: &Command) -> bool {
    let data = cmd.data.len();
    let do85 = if data == 0 {
        0
    } else {
        tlv::header_len(data) + data
    };
    do85 + 4 + 10 > 255 || cmd.le.is_some_and(|le| le > 256)
}
