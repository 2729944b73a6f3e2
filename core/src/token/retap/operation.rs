//! The operations [`super::Retap`] runs, and what each remembers between
//! taps so that running its step again is safe.

use core::fmt;

use zeroize::Zeroizing;

use crate::crypto::ec::CurveId;
use crate::error::{ApiMisuse, CardRefusal, Error, Result};
use crate::sespake::Profile;
use crate::token::records::{KeyInfo, SelectInfo};
use crate::token::session::{PreparedPin, TokenSession};
use crate::transport::Transport;

/// One high-level operation on the token, run after a login with the
/// runner's PIN.
#[derive(Clone)]
#[non_exhaustive]
pub enum Operation {
    /// Sign 1 to 16 digests with key `key_id`.
    Sign {
        /// The key.
        key_id: Vec<u8>,
        /// Streebog digests of the key's size.
        digests: Vec<Vec<u8>>,
    },
    /// Generate a key pair under an id that must not exist yet.
    GenerateKey {
        /// The new key's id (1 to 16 bytes).
        key_id: Vec<u8>,
        /// Its curve.
        curve: CurveId,
        /// Its label.
        label: String,
    },
    /// Store a certificate (DER) for key `key_id`.
    PutCertificate {
        /// The key.
        key_id: Vec<u8>,
        /// The certificate.
        der: Vec<u8>,
    },
    /// Read the certificate of key `key_id`.
    ReadCertificate {
        /// The key.
        key_id: Vec<u8>,
    },
    /// List the keys.
    ListKeys,
    /// Delete key `key_id` and its certificate.
    DeleteKey {
        /// The key.
        key_id: Vec<u8>,
    },
    /// Change the runner's PIN to `new_pin`.
    ChangePin {
        /// The new PIN (wiped on drop).
        new_pin: Zeroizing<String>,
    },
}

impl Operation {
    /// [`Operation::ChangePin`] to `new_pin`.
    pub fn change_pin(new_pin: &str) -> Self {
        Operation::ChangePin {
            new_pin: Zeroizing::new(new_pin.to_owned()),
        }
    }

    fn name(&self) -> &'static str {
        match self {
            Operation::Sign { .. } => "Sign",
            Operation::GenerateKey { .. } => "GenerateKey",
            Operation::PutCertificate { .. } => "PutCertificate",
            Operation::ReadCertificate { .. } => "ReadCertificate",
            Operation::ListKeys => "ListKeys",
            Operation::DeleteKey { .. } => "DeleteKey",
            Operation::ChangePin { .. } => "ChangePin",
        }
    }
}

/// Names the operation only: a PIN must not reach a log.
impl fmt::Debug for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a finished operation gives back (exhaustive on purpose: the FFI
/// mirrors it, and a new variant must break that build).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The signatures (`s || r`), in the order of the digests.
    Signatures(Vec<Vec<u8>>),
    /// The generated key (possibly made on an earlier, lost tap).
    KeyGenerated(KeyInfo),
    /// The certificate is stored.
    CertificateStored,
    /// The certificate read.
    Certificate(Vec<u8>),
    /// The keys on the token.
    Keys(Vec<KeyInfo>),
    /// The key is gone.
    KeyDeleted,
    /// The token now holds the new PIN.
    PinChanged,
}

/// An operation with what earlier taps did to the card.
pub(super) struct Progress {
    op: Operation,
    /// A state-changing command was sent at least once: its effect may
    /// have landed even though its answer did not.
    sent: bool,
    /// ChangePin: the new PIN, run through PBKDF2 with a salt we chose.
    new_pin: Option<PreparedPin>,
}

impl Progress {
    pub(super) fn new(op: Operation) -> Self {
        Progress {
            op,
            sent: false,
            new_pin: None,
        }
    }

    /// ChangePin: the new PIN, if SELECT shows the token already holds it
    /// (its salt is the one we chose). Decided before any login, so no
    /// attempt is spent finding out which PIN is valid.
    pub(super) fn pin_already_changed(&self, select: &SelectInfo) -> Option<&PreparedPin> {
        let new = self.new_pin.as_ref()?;
        let info = select.password(new.reference())?;
        new.fits(&select.serial, &info.salt).then_some(new)
    }

    /// ChangePin: derives the new PIN once, with a fresh salt, for the PIN
    /// `current` is (before the command leaves, so a retry reuses it).
    pub(super) fn prepare(
        &mut self,
        profile: &Profile,
        select: &SelectInfo,
        current: &PreparedPin,
    ) -> Result<()> {
        let Operation::ChangePin { new_pin } = &self.op else {
            return Ok(());
        };
        if self.new_pin.is_some() {
            return Ok(());
        }
        if new_pin.is_empty() {
            return Err(ApiMisuse::EmptyPin.into());
        }
        let mut info = select
            .password(current.reference())
            .ok_or(Error::from(crate::error::Violation::PinNotAnnounced {
                pin: current.reference(),
            }))?
            .clone();
        info.salt = vec![0u8; 16];
        rand_core::Rng::fill_bytes(&mut crate::crypto::os_rng(), &mut info.salt);
        self.new_pin = Some(PreparedPin::derive(profile, select.serial, &info, new_pin));
        Ok(())
    }

    /// ChangePin, once done: the new PIN, for the runner's next operation.
    pub(super) fn take_new_pin(&mut self) -> Option<PreparedPin> {
        self.new_pin.take()
    }

    /// The operation's step on a logged-in session; safe to call again on a
    /// later tap (see the module docs of [`super`]).
    pub(super) fn step<T: Transport>(&mut self, s: &mut TokenSession<T>) -> Result<Outcome> {
        match &self.op {
            Operation::Sign { key_id, digests } => s.sign(key_id, digests).map(Outcome::Signatures),
            Operation::ReadCertificate { key_id } => {
                s.get_certificate(key_id).map(Outcome::Certificate)
            }
            Operation::ListKeys => s.list_keys().map(Outcome::Keys),
            Operation::PutCertificate { key_id, der } => s
                .put_certificate(key_id, der)
                .map(|()| Outcome::CertificateStored),
            Operation::GenerateKey {
                key_id,
                curve,
                label,
            } => {
                if self.sent {
                    let ours = s.list_keys()?.into_iter().find(|k| k.id == *key_id);
                    if let Some(key) = ours {
                        return if key.curve == *curve && key.label == *label {
                            Ok(Outcome::KeyGenerated(key))
                        } else {
                            Err(CardRefusal::KeyIdExists.into())
                        };
                    }
                }
                self.sent = true;
                s.generate_key(key_id, *curve, label)
                    .map(Outcome::KeyGenerated)
            }
            Operation::DeleteKey { key_id } => {
                let first = !self.sent;
                self.sent = true;
                match s.delete_key(key_id) {
                    Err(Error::Card {
                        refusal: CardRefusal::KeyNotFound,
                    }) if !first => Ok(Outcome::KeyDeleted),
                    other => other.map(|()| Outcome::KeyDeleted),
                }
            }
            Operation::ChangePin { .. } => {
                let new = self
                    .new_pin
                    .as_ref()
                    .ok_or(Error::from(ApiMisuse::StalePreparedPin))?;
                s.change_pin_prepared(new).map(|()| Outcome::PinChanged)
            }
        }
    }
}
