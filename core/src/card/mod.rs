//! One interface over the card applications the SDK drives, in the manner
//! of per-application sessions: [`open`] a transport, find out which
//! application the card has (OFP1 first, then a Rutoken ECP in PKI mode),
//! and use it through [`CardApp`]: login, keys, signing, certificates, and
//! the [`Capabilities`] that differ between them, reported rather than
//! faked. [`CardSigner`] makes any card key a PKI
//! [`DigestSigner`](crate::pki::DigestSigner).

mod apps;
mod signer;

pub use signer::CardSigner;

use crate::apdu::ApduChannel;
use crate::crypto::ec::CurveId;
use crate::error::{CardRefusal, Error, Result};
use crate::rutoken::{RutokenOptions, RutokenSession};
use crate::sespake::Profile;
use crate::sm::SecureLink;
use crate::token::{TokenSession, commands as ofp1};
use crate::transport::{LinkKind, Transport};

/// Which application a card was opened with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Enum))]
pub enum CardApplication {
    /// The Open FKN Profile: SESPAKE login, secure messaging, batch signing.
    Ofp1,
    /// A Rutoken ECP in PKI mode: ISO 7816 commands, the PIN in clear.
    RutokenPki,
}

/// What the card's application can do. Apps show or hide features by it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct Capabilities {
    /// The application.
    pub application: CardApplication,
    /// The PIN is proven without crossing the link (SESPAKE); `false` means
    /// it travels in clear.
    pub pin_protected: bool,
    /// Commands and answers after login are encrypted and authenticated.
    pub secure_messaging: bool,
    /// Digests one [`CardApp::sign`] call takes.
    pub max_digests_per_sign: u32,
    /// Curves keys can be generated on (and signed with).
    pub curves: Vec<CurveId>,
    /// The card stores certificates the SDK writes.
    pub certificate_storage: bool,
    /// Keys can be deleted.
    pub key_deletion: bool,
}

/// A key on a card, whatever its application.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CardKey {
    /// The id to sign with: the OFP1 key id, or the Rutoken key reference
    /// as one byte.
    pub id: Vec<u8>,
    /// Curve.
    pub curve: CurveId,
    /// `BYTES(Q) = X_LE || Y_LE`; empty when the card does not tell it (a
    /// Rutoken key outside PKCS #15 objects: its certificate has it).
    pub public_key: Vec<u8>,
    /// Label, may be empty.
    pub label: String,
    /// Whether the card holds a certificate for the key.
    pub has_certificate: bool,
}

/// How [`open`] may talk to the card.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct CardOptions {
    /// Allow a card that takes the PIN in clear (Rutoken PKI mode) to be
    /// sent it over NFC. See [`RutokenOptions::allow_clear_pin_over_nfc`].
    pub allow_clear_pin_over_nfc: bool,
}

/// The operations every card application offers, as far as it can.
pub trait CardApp: Send {
    /// What the card can do.
    fn capabilities(&self) -> Capabilities;
    /// The card's serial number.
    fn serial(&self) -> Vec<u8>;
    /// APDU exchanges so far.
    fn exchanges(&self) -> u64;
    /// The link the card is on.
    fn link_kind(&self) -> LinkKind;
    /// Logs in with the user PIN.
    fn login(&mut self, pin: &str) -> Result<()>;
    /// The keys on the card.
    fn list_keys(&mut self) -> Result<Vec<CardKey>>;
    /// Generates a key (`id` may be empty where the card picks it).
    fn generate_key(&mut self, id: &[u8], curve: CurveId, label: &str) -> Result<CardKey>;
    /// Signs digests with key `id`; returns `s || r` per digest.
    fn sign(&mut self, id: &[u8], digests: &[Vec<u8>]) -> Result<Vec<Vec<u8>>>;
    /// The DER certificate of key `id`.
    fn get_certificate(&mut self, id: &[u8]) -> Result<Vec<u8>>;
    /// Stores a DER certificate for key `id`.
    fn put_certificate(&mut self, id: &[u8], der: &[u8]) -> Result<()>;
}

/// Opens whichever application the card on `transport` has: SELECT of the
/// OFP1 application (one exchange), and if the card has none, the Rutoken
/// ECP probe (one more) and its serial (one more). A card with neither is
/// [`CardRefusal::UnknownCard`].
pub fn open<T: Transport + 'static>(
    transport: T,
    options: &CardOptions,
) -> Result<Box<dyn CardApp>> {
    let mut channel = ApduChannel::new(transport);
    let rsp = channel.transmit(&ofp1::select()).map_err(Error::from)?;
    if rsp.is_ok() {
        let link = SecureLink::from_channel(channel);
        return Ok(Box::new(TokenSession::selected(
            link,
            &rsp,
            Profile::ofp1(),
        )?));
    }
    if RutokenSession::probe(&mut channel)? {
        let options = RutokenOptions {
            allow_clear_pin_over_nfc: options.allow_clear_pin_over_nfc,
        };
        return Ok(Box::new(RutokenSession::open_probed(channel, options)?));
    }
    Err(CardRefusal::UnknownCard.into())
}
