//! [`Card`]: whichever application the tapped card has (an OFP1 token, or a
//! Rutoken ECP in PKI mode), through one object: forwards to
//! `fkn_core::card`. Apps that only use OFP1 tokens can keep using
//! `TokenSession`, which offers OFP1's extras (admin login, PIN change,
//! prepared PINs, key deletion).

use std::sync::{Arc, Mutex, MutexGuard};

use fkn_core::card::{self, Capabilities, CardApp, CardKey, CardOptions, CardSigner};
use fkn_core::crypto::ec::CurveId;
use zeroize::Zeroizing;

use crate::error::{FknError, invalid};
use crate::live::LiveGuard;
use crate::pki::with_signer;
use crate::transport::{NfcTransport, TransportBridge};

/// A session with one card, whatever its application. Blocking, like
/// `TokenSession`: call it off the main thread. Calls are serialized.
#[derive(uniffi::Object)]
pub struct Card {
    inner: Mutex<Box<dyn CardApp>>,
    _live: LiveGuard,
}

impl Card {
    fn lock(&self) -> Result<MutexGuard<'_, Box<dyn CardApp>>, FknError> {
        self.inner
            .lock()
            .map_err(|_| invalid("this card session failed internally earlier; open a new one"))
    }
}

#[uniffi::export]
impl Card {
    /// Finds out which application the card on `transport` has (OFP1 first:
    /// one exchange; then the Rutoken ECP probe: two more) and opens it.
    /// Fails with `Card { UnknownCard }` for a card with neither.
    #[uniffi::constructor]
    pub fn open(
        transport: Arc<dyn NfcTransport>,
        options: CardOptions,
    ) -> Result<Arc<Self>, FknError> {
        let inner = card::open(TransportBridge::new(transport), &options)?;
        Ok(Arc::new(Card {
            inner: Mutex::new(inner),
            _live: LiveGuard::new(),
        }))
    }

    /// What the card's application can do (no exchange).
    pub fn capabilities(&self) -> Result<Capabilities, FknError> {
        Ok(self.lock()?.capabilities())
    }

    /// The card's serial number.
    pub fn serial(&self) -> Result<Vec<u8>, FknError> {
        Ok(self.lock()?.serial())
    }

    /// APDU exchanges so far.
    pub fn exchanges(&self) -> Result<u64, FknError> {
        Ok(self.lock()?.exchanges())
    }

    /// Logs in with the user PIN. On a card that takes the PIN in clear
    /// (`capabilities().pinProtected == false`) over NFC, this fails with
    /// `Misuse { ClearPinOverNfc }` unless `CardOptions` allowed it.
    pub fn login(&self, pin: String) -> Result<(), FknError> {
        let pin = Zeroizing::new(pin);
        self.lock()?.login(&pin)
    }

    /// The keys on the card.
    pub fn list_keys(&self) -> Result<Vec<CardKey>, FknError> {
        self.lock()?.list_keys()
    }

    /// Generates a key. `id` may be empty on a Rutoken (the first free key
    /// reference is taken); the label is kept where the card can.
    pub fn generate_key(
        &self,
        id: Vec<u8>,
        curve: CurveId,
        label: String,
    ) -> Result<CardKey, FknError> {
        self.lock()?.generate_key(&id, curve, &label)
    }

    /// Signs digests with key `id` (at most `capabilities().maxDigestsPerSign`);
    /// returns `s || r` for each.
    pub fn sign(&self, id: Vec<u8>, digests: Vec<Vec<u8>>) -> Result<Vec<Vec<u8>>, FknError> {
        self.lock()?.sign(&id, &digests)
    }

    /// The DER certificate of key `id`.
    pub fn get_certificate(&self, id: Vec<u8>) -> Result<Vec<u8>, FknError> {
        self.lock()?.get_certificate(&id)
    }

    /// Stores a DER certificate for key `id` (where
    /// `capabilities().certificateStorage`).
    pub fn put_certificate(&self, id: Vec<u8>, der: Vec<u8>) -> Result<(), FknError> {
        self.lock()?.put_certificate(&id, &der)
    }

    /// A PKCS #10 request (DER) for key `key_id`, signed on the card; see
    /// `TokenSession.createCsr`. Needs a login.
    pub fn create_csr(&self, key_id: Vec<u8>, subject: String) -> Result<Vec<u8>, FknError> {
        let mut card = self.lock()?;
        with_signer::csr(&mut CardSigner::find(card.as_mut(), &key_id)?, &subject)
    }

    /// A self-signed certificate (DER) for key `key_id`, valid `days` days.
    pub fn self_signed_certificate(
        &self,
        key_id: Vec<u8>,
        subject: String,
        days: u32,
    ) -> Result<Vec<u8>, FknError> {
        let mut card = self.lock()?;
        with_signer::self_signed(
            &mut CardSigner::find(card.as_mut(), &key_id)?,
            &subject,
            days,
        )
    }

    /// A CMS SignedData (DER) over `content` with key `key_id` and its
    /// `certificate`; `detached` leaves the content out.
    pub fn sign_cms(
        &self,
        key_id: Vec<u8>,
        certificate: Vec<u8>,
        content: Vec<u8>,
        detached: bool,
    ) -> Result<Vec<u8>, FknError> {
        let mut card = self.lock()?;
        let mut signer = CardSigner::find_with_certificate(card.as_mut(), &key_id, &certificate)?;
        with_signer::cms(&mut signer, &certificate, &content, detached)
    }
}
