//! A hostile Rutoken ECP against the host driver (`fkn_core::rutoken`,
//! `fkn_core::card::open`): open, login, list keys with their PKCS #15
//! objects, sign. The first byte picks the card:
//! * 0: every answer from the input (a length byte, then that many bytes);
//! * 1: the emulated card answers honestly, except answer number `input[1]`,
//!   which is the rest of the input, so each step's parser is reached with
//!   the card in a valid state before it.
//!
//! Properties: no panic; every failure is a typed error; signatures the
//! driver returns are 64 bytes; listed keys are on CryptoPro A, B or C and
//! their public keys, when given, are points of their curves.
#![no_main]

use std::sync::OnceLock;

use fkn_core::card::{self, CardApplication, CardOptions};
use fkn_core::crypto::ec::{CurveId, SigningKey, VerifyingKey};
use fkn_core::transport::{LinkKind, Transport, TransportError};
use fkn_vtoken::rutoken::{EmulatedRutoken, RutokenModel};
use libfuzzer_sys::fuzz_target;

/// Owned (`card::open` takes a `'static` transport).
enum Card {
    Raw {
        input: Vec<u8>,
        at: usize,
    },
    Tampered {
        card: Box<EmulatedRutoken>,
        at: usize,
        answer: Vec<u8>,
    },
}

struct Hostile {
    card: Card,
    exchanges: usize,
}

impl Transport for Hostile {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let n = self.exchanges;
        self.exchanges += 1;
        match &mut self.card {
            Card::Raw { input, at } => {
                let Some((&len, tail)) = input[*at..].split_first() else {
                    return Err(TransportError::TagLost);
                };
                let len = usize::from(len).min(tail.len());
                let answer = tail[..len].to_vec();
                *at += 1 + len;
                Ok(answer)
            }
            Card::Tampered { card, at, answer } => {
                let honest = card.process_apdu(&apdu);
                Ok(if n == *at { answer.clone() } else { honest })
            }
        }
    }
    fn max_transceive_length(&self) -> usize {
        261
    }
    fn extended_length_supported(&self) -> bool {
        false
    }
    fn link_kind(&self) -> LinkKind {
        LinkKind::Reader
    }
}

/// A card with one key, so listing and signing have something to do.
fn honest_card() -> EmulatedRutoken {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    let key = KEY
        .get_or_init(|| SigningKey::from_be_bytes(CurveId::CryptoProA, &[7u8; 32]).expect("a key"));
    let mut card = EmulatedRutoken::with_serial(RutokenModel::Ecp, *b"FUZZRTOK");
    card.install_key(1, key).expect("install");
    card
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let card = match (mode % 2, rest.split_first()) {
        (0, _) => Card::Raw {
            input: rest.to_vec(),
            at: 0,
        },
        (_, Some((&at, answer))) => Card::Tampered {
            card: Box::new(honest_card()),
            at: usize::from(at % 24),
            answer: answer.to_vec(),
        },
        _ => return,
    };
    let transport = Hostile { card, exchanges: 0 };
    let Ok(mut c) = card::open(transport, &CardOptions::default()) else {
        return;
    };
    if c.login("12345678").is_err() {
        return;
    }
    let rutoken = c.capabilities().application == CardApplication::RutokenPki;
    if let Ok(keys) = c.list_keys() {
        for k in &keys {
            if rutoken {
                assert!(matches!(
                    k.curve,
                    CurveId::CryptoProA | CurveId::CryptoProB | CurveId::CryptoProC
                ));
            }
            if !k.public_key.is_empty() {
                assert!(VerifyingKey::from_bytes(k.curve, &k.public_key).is_ok());
            }
        }
    }
    if let Ok(sigs) = c.sign(&[1], &[vec![0x42; 32], vec![0x24; 32]]) {
        assert_eq!(sigs.len(), 2);
        assert!(sigs.iter().all(|s| s.len() == 64));
    }
});
