//! [`RutokenTransport`]: the emulated card as a [`Transport`].

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use fkn_core::transport::{LinkKind, SHORT_APDU_LINK, Transport, TransportError};

use super::EmulatedRutoken;

/// A [`Transport`] to an [`EmulatedRutoken`] shared through
/// `Arc<Mutex<_>>`, so tests keep a handle on the card (PIN tries, keys,
/// reset). Short APDUs only, as the card: at most 261 bytes, no extended
/// length; a longer command fails with [`TransportError::Io`]. The link
/// is contactless for the NFC model, a reader for the USB one.
#[derive(Clone, Debug)]
pub struct RutokenTransport {
    card: Arc<Mutex<EmulatedRutoken>>,
    link: LinkKind,
    /// Shared by clones, so a test can count the exchanges of a transport
    /// it handed away.
    exchanges: Arc<AtomicUsize>,
}

fn lock(card: &Mutex<EmulatedRutoken>) -> MutexGuard<'_, EmulatedRutoken> {
    // The card never panics while processing; a poisoned lock can only come
    // from a test thread, and the card's state is still consistent.
    card.lock().unwrap_or_else(PoisonError::into_inner)
}

impl RutokenTransport {
    /// A transport owning `card` (reach it again with [`Self::card`]).
    pub fn new(card: EmulatedRutoken) -> Self {
        Self::shared(Arc::new(Mutex::new(card)))
    }

    /// A transport to a card shared with the caller.
    pub fn shared(card: Arc<Mutex<EmulatedRutoken>>) -> Self {
        let link = lock(&card).model().link_kind();
        RutokenTransport {
            card,
            link,
            exchanges: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The shared card.
    pub fn card(&self) -> Arc<Mutex<EmulatedRutoken>> {
        Arc::clone(&self.card)
    }

    /// Exchanges (transceive calls that reached the card) so far, over
    /// this transport and its clones.
    pub fn exchanges(&self) -> usize {
        self.exchanges.load(Ordering::Relaxed)
    }

    /// Power-cycles the card, as taking it away and presenting it again does.
    pub fn reset_card(&self) {
        lock(&self.card).reset();
    }
}

impl Transport for RutokenTransport {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        if apdu.len() > SHORT_APDU_LINK {
            return Err(TransportError::Io {
                detail: format!(
                    "command APDU of {} bytes exceeds the card's short-APDU maximum of {SHORT_APDU_LINK}",
                    apdu.len()
                ),
            });
        }
        self.exchanges.fetch_add(1, Ordering::Relaxed);
        Ok(lock(&self.card).process_apdu(&apdu))
    }
    fn max_transceive_length(&self) -> usize {
        SHORT_APDU_LINK
    }
    fn extended_length_supported(&self) -> bool {
        false
    }
    fn link_kind(&self) -> LinkKind {
        self.link
    }
}
