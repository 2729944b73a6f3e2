//! A card that lies: the virtual token (the honest baseline) behind a proxy
//! that rewrites its answers, counting every exchange.

#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use fkn_core::crypto::ec::CurveId;
use fkn_core::transport::{Transport, TransportError};
use fkn_testkit::CountingTransport;
use fkn_vtoken::{OsRandom, TokenState, VirtualToken, VirtualTokenTransport};

pub const USER_PIN: &str = "123456";
pub const ADMIN_PIN: &str = "87654321";

/// What the proxy does with one exchange: `(index, command, honest answer)`
/// in, the answer the host gets out.
pub type Rewrite = Box<dyn FnMut(u64, &[u8], Vec<u8>) -> Vec<u8> + Send>;

/// The virtual token behind a rewriting proxy.
pub struct Hostile {
    inner: VirtualTokenTransport,
    rewrite: Rewrite,
    index: u64,
}

impl Hostile {
    pub fn new(token: &Arc<Mutex<VirtualToken>>, rewrite: Rewrite) -> CountingTransport<Hostile> {
        CountingTransport::new(Hostile {
            inner: VirtualTokenTransport::shared(Arc::clone(token)),
            rewrite,
            index: 0,
        })
    }

    /// The honest token, unchanged.
    pub fn honest(token: &Arc<Mutex<VirtualToken>>) -> CountingTransport<Hostile> {
        Self::new(token, Box::new(|_, _, rsp| rsp))
    }
}

impl Transport for Hostile {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let rsp = self.inner.transceive(apdu.clone())?;
        let i = self.index;
        self.index += 1;
        Ok((self.rewrite)(i, &apdu, rsp))
    }
    fn max_transceive_length(&self) -> usize {
        self.inner.max_transceive_length()
    }
    fn extended_length_supported(&self) -> bool {
        self.inner.extended_length_supported()
    }
}

pub fn new_token(curve: CurveId) -> Arc<Mutex<VirtualToken>> {
    let state = TokenState::with_pins(
        *b"HOSTILE1",
        "hostile",
        USER_PIN,
        ADMIN_PIN,
        curve,
        &mut OsRandom,
    )
    .expect("state");
    Arc::new(Mutex::new(VirtualToken::new(state)))
}

/// `data || SW1 SW2`.
pub fn rsp(data: &[u8], sw: u16) -> Vec<u8> {
    let mut out = data.to_vec();
    out.extend_from_slice(&sw.to_be_bytes());
    out
}

/// Answer `sw` (no data) at exchange `at`, honestly elsewhere.
pub fn status_at(at: u64, sw: u16) -> Rewrite {
    Box::new(move |i, _, honest| if i == at { rsp(&[], sw) } else { honest })
}
