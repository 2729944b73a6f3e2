//! The server's device endpoint (`Gateway::handle`, what `POST /v1/device`
//! runs) on arbitrary bytes from the network: always an answer that decodes
//! as a `ServerMessage`, never a panic, and never a successful pairing step
//! for bytes that do not know the activation code.
//!
//! Input: a selector byte, then the message. Selector 0 sends the bytes as
//! they are; 1 wraps them as `U1` of a `PairStart` for an account with a
//! pending enrollment (SESPAKE party B on arbitrary points); 2 as a
//! `PairFinish` for that enrollment (`MAC_A` and a sealed offer); 3 as a
//! `Sealed` session message; 4 as a signed request of an unknown device.
#![no_main]

use std::sync::{Arc, OnceLock};

use fkn_core::crypto::ec::SigningKey;
use fkn_core::crypto::secret::Key256;
use fkn_core::distributed::{MemoryNoncePool, MemoryShareStore, Server, ServerConfig};
use fkn_core::onboarding::wire::{self, DeviceMessage, ServerMessage, bv};
use fkn_core::onboarding::{
    EnrollmentRecord, Gateway, GatewayConfig, MemoryPairingStore, PAIRING_CURVE,
};
use libfuzzer_sys::fuzz_target;

const NOW: u64 = 1_800_000_000;

struct World {
    gateway: Gateway,
    store: Arc<MemoryPairingStore>,
}

fn world() -> &'static World {
    static W: OnceLock<World> = OnceLock::new();
    W.get_or_init(|| {
        let kek = Key256::from_bytes([7; 32]);
        let server = Arc::new(Server::new(
            Arc::new(MemoryShareStore::new()),
            Arc::new(MemoryNoncePool::new()),
            &kek,
            ServerConfig::default(),
        ));
        let store = Arc::new(MemoryPairingStore::new());
        let identity = SigningKey::generate(PAIRING_CURVE, &mut fkn_core::crypto::os_rng());
        let gateway = Gateway::new(
            store.clone(),
            server,
            identity,
            &kek,
            GatewayConfig::default(),
        );
        World { gateway, store }
    })
}

/// A fresh pending enrollment (the previous one may be locked by now).
fn fresh_enrollment(w: &World) {
    w.store.add_enrollment(EnrollmentRecord {
        id: "e1".into(),
        account: "acct".into(),
        code: "123456789012".to_string().into(),
        expires_at: NOW + 3600,
        used_at: None,
        attempts: 0,
        state: None,
        version: 0,
    });
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let w = world();
    let message = match selector % 5 {
        0 => body.to_vec(),
        1 => {
            fresh_enrollment(w);
            wire::encode(DeviceMessage::PairStart("acct".into(), bv(body.to_vec())))
        }
        2 => {
            fresh_enrollment(w);
            // Step 1 with a valid point, so step 3 meets a waiting state.
            let u1 = SigningKey::generate(PAIRING_CURVE, &mut fkn_core::crypto::os_rng())
                .verifying_key()
                .to_bytes();
            w.gateway.handle(
                &wire::encode(DeviceMessage::PairStart("acct".into(), bv(u1))),
                NOW,
            );
            let split = body.len().min(32);
            wire::encode(DeviceMessage::PairFinish(
                bv(b"e1".to_vec()),
                bv(body[..split].to_vec()),
                bv(body[split..].to_vec()),
            ))
        }
        3 => wire::encode(DeviceMessage::Sealed(
            bv(b"e1".to_vec()),
            1,
            bv(body.to_vec()),
        )),
        _ => wire::encode(DeviceMessage::Signed(
            "nobody".into(),
            NOW,
            bv(vec![0; 16]),
            bv(body.to_vec()),
            bv(vec![0; 64]),
        )),
    };
    let (answer, _) = w.gateway.handle(&message, NOW);
    let answer: ServerMessage = wire::decode(&answer).expect("the gateway answers a message");
    // Without the code nothing past step 2 can succeed.
    assert!(
        !matches!(
            answer,
            ServerMessage::PairFinished(..) | ServerMessage::Sealed(..) | ServerMessage::Answer(..)
        ),
        "a pairing step succeeded without the code: {answer:?}"
    );
});
