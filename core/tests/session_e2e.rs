//! End-to-end: the host `TokenSession` against the virtual token over the
//! in-process transport: login, keys on every curve, batch signing,
//! certificates, PIN life cycle, exchange counts, tampering and link faults.

use fkn_core::error::{CardRefusal, LinkFault};
use std::sync::{Arc, Mutex};

use fkn_core::Error;
use fkn_core::crypto::ec::{CurveId, VerifyingKey};
use fkn_core::crypto::hash::DigestAlgorithm;
use fkn_core::token::{PinRef, TokenSession};
use fkn_testkit::{Fault, FaultHandle, FaultyTransport};
use fkn_vtoken::{OsRandom, PasswordRef, TokenState, VirtualToken, VirtualTokenTransport};

const USER_PIN: &str = "123456";
const ADMIN_PIN: &str = "87654321";

fn new_token() -> Arc<Mutex<VirtualToken>> {
    let state = TokenState::with_pins(
        *b"FKNTEST1",
        "e2e token",
        USER_PIN,
        ADMIN_PIN,
        CurveId::Tc26_256A,
        &mut OsRandom,
    )
    .expect("state");
    Arc::new(Mutex::new(VirtualToken::new(state)))
}

fn open(token: &Arc<Mutex<VirtualToken>>) -> TokenSession<VirtualTokenTransport> {
    TokenSession::open(VirtualTokenTransport::shared(token.clone())).expect("open")
}

fn open_faulty(
    token: &Arc<Mutex<VirtualToken>>,
) -> (
    TokenSession<FaultyTransport<VirtualTokenTransport>>,
    FaultHandle,
) {
    let faulty = FaultyTransport::new(VirtualTokenTransport::shared(token.clone()));
    let handle = faulty.handle();
    (TokenSession::open(faulty).expect("open"), handle)
}

fn digest_for(curve: CurveId, msg: &[u8]) -> Vec<u8> {
    let alg = if curve.digest_len() == 32 {
        DigestAlgorithm::Streebog256
    } else {
        DigestAlgorithm::Streebog512
    };
    alg.digest(msg)
}

fn user_attempts(token: &Arc<Mutex<VirtualToken>>) -> u32 {
    token
        .lock()
        .unwrap()
        .state()
        .pin(PasswordRef::User)
        .counters
        .c1
}

#[test]
fn keygen_on_every_curve_and_batch_sign_16() {
    let token = new_token();
    let mut s = open(&token);
    s.authenticate(USER_PIN).expect("login");
    assert_eq!(s.authenticated_as(), Some(PinRef::User));
    for (i, curve) in CurveId::ALL.into_iter().enumerate() {
        let id = format!("key-{i}");
        let key = s
            .generate_key(id.as_bytes(), curve, curve.name())
            .expect("keygen");
        let vk = VerifyingKey::from_bytes(curve, &key.public_key).expect("public key");
        let digests: Vec<Vec<u8>> = (0..16u8).map(|n| digest_for(curve, &[n; 100])).collect();
        let sigs = s.sign(id.as_bytes(), &digests).expect("sign");
        assert_eq!(sigs.len(), 16);
        for (d, sig) in digests.iter().zip(&sigs) {
            vk.verify_digest(d, sig).expect("signature verifies");
        }
        // A signature does not verify for another digest.
        assert!(vk.verify_digest(&digests[1], &sigs[0]).is_err());
    }
    let keys = s.list_keys().expect("list");
    assert_eq!(keys.len(), 7);
    assert_eq!(keys[3].curve, CurveId::ALL[3]);
    let info = s.token_info().expect("info");
    assert_eq!(info.free_slots, 16 - 7);
    assert_eq!(info.user_pin_attempts, 5);
    assert_eq!(info.label, "e2e token");
}

#[test]
fn cold_signature_takes_four_exchanges() {
    let token = new_token();
    {
        let mut s = open(&token);
        s.authenticate(USER_PIN).unwrap();
        s.generate_key(b"k", CurveId::Tc26_256A, "").unwrap();
    }
    let mut s = open(&token);
    let pin = s.prepare_pin(PinRef::User, USER_PIN).unwrap();
    s.authenticate_prepared(&pin).unwrap();
    s.sign(b"k", &[digest_for(CurveId::Tc26_256A, b"doc")])
        .unwrap();
    assert_eq!(s.exchanges(), 4, "SELECT, GA step 1, GA step 2, sign");
}

#[test]
fn certificates_put_get_delete() {
    let token = new_token();
    let mut s = open(&token);
    s.authenticate(USER_PIN).unwrap();
    s.generate_key(b"cert-key", CurveId::Tc26_512A, "with cert")
        .unwrap();
    assert_eq!(
        s.get_certificate(b"cert-key"),
        Err(Error::Card {
            refusal: CardRefusal::CertificateNotFound
        })
    );
    let cert = vec![0x30; 3000];
    s.put_certificate(b"cert-key", &cert).unwrap();
    assert_eq!(s.get_certificate(b"cert-key").unwrap(), cert);
    assert!(s.list_keys().unwrap()[0].has_certificate);
    assert_eq!(
        s.put_certificate(b"cert-key", &vec![1; 8193]),
        Err(Error::Card {
            refusal: CardRefusal::TokenFull
        })
    );
    s.delete_key(b"cert-key").unwrap();
    assert_eq!(
        s.get_certificate(b"cert-key"),
        Err(Error::Card {
            refusal: CardRefusal::KeyNotFound
        })
    );
    assert_eq!(
        s.sign(b"cert-key", &[[0u8; 64]]),
        Err(Error::Card {
            refusal: CardRefusal::KeyNotFound
        })
    );
    assert!(s.list_keys().unwrap().is_empty());
}

#[test]
fn key_errors_are_typed() {
    let token = new_token();
    let mut s = open(&token);
    assert_eq!(
        s.generate_key(b"k", CurveId::Tc26_256A, ""),
        Err(Error::Card {
            refusal: CardRefusal::NotAuthenticated
        })
    );
    s.authenticate(USER_PIN).unwrap();
    s.generate_key(b"k", CurveId::Tc26_256A, "").unwrap();
    assert_eq!(
        s.generate_key(b"k", CurveId::Tc26_256A, ""),
        Err(Error::Card {
            refusal: CardRefusal::KeyIdExists
        })
    );
    // A 512-bit digest for a 256-bit key: the token answers 6A 80.
    assert!(matches!(
        s.sign(b"k", &[[0u8; 64]]),
        Err(Error::Card {
            refusal: CardRefusal::Status { sw: 0x6A80 }
        })
    ));
    assert!(matches!(
        s.sign(b"k", &[[0u8; 31]]),
        Err(Error::Misuse { .. })
    ));
    assert!(matches!(
        s.sign::<[u8; 32]>(b"k", &[]),
        Err(Error::Misuse { .. })
    ));
    assert!(matches!(
        s.sign(b"k", &[[0u8; 32]; 17]),
        Err(Error::Misuse { .. })
    ));
    for i in 1..16u8 {
        s.generate_key(&[i], CurveId::CryptoProA, "").unwrap();
    }
    assert_eq!(
        s.generate_key(b"one too many", CurveId::CryptoProA, ""),
        Err(Error::Card {
            refusal: CardRefusal::TokenFull
        })
    );
}

#[test]
fn wrong_pin_blocks_then_admin_unblocks() {
    let token = new_token();
    let mut s = open(&token);
    for left in (0..5u8).rev() {
        assert_eq!(
            s.authenticate("000000"),
            Err(Error::WrongPin {
                attempts_left: left
            })
        );
    }
    assert_eq!(s.authenticate(USER_PIN), Err(Error::PinBlocked));
    // The admin cannot sign, but can unblock.
    s.authenticate_admin(ADMIN_PIN).unwrap();
    assert!(s.generate_key(b"k", CurveId::Tc26_256A, "").is_err());
    s.unblock_pin("2468").unwrap();
    let mut s = open(&token);
    assert_eq!(
        s.select_info()
            .password(PinRef::User)
            .unwrap()
            .attempts_left,
        5
    );
    s.authenticate("2468").unwrap();
    s.generate_key(b"k", CurveId::Tc26_256A, "").unwrap();
}

#[test]
fn change_pin() {
    let token = new_token();
    let mut s = open(&token);
    s.authenticate(USER_PIN).unwrap();
    s.change_pin("new pin ✓").unwrap();
    // The session goes on with the new verifier stored.
    s.token_info().unwrap();
    let mut s = open(&token);
    assert_eq!(
        s.authenticate(USER_PIN),
        Err(Error::WrongPin { attempts_left: 4 })
    );
    s.authenticate("new pin ✓").unwrap();
    s.authenticate_admin(ADMIN_PIN).unwrap();
    s.change_pin("admin 2").unwrap();
    let mut s = open(&token);
    s.authenticate_admin("admin 2").unwrap();
}

#[test]
fn flipping_any_byte_of_a_wrapped_command_or_response_ends_the_session() {
    let token = new_token();
    {
        let mut s = open(&token);
        s.authenticate(USER_PIN).unwrap();
        s.generate_key(b"k", CurveId::Tc26_256A, "").unwrap();
    }
    let digest = digest_for(CurveId::Tc26_256A, b"tamper");
    // Measure the wrapped sign exchange once: exchange #3 after SELECT, GA1, GA2.
    let (cmd_len, rsp_len) = {
        let faulty = FaultyTransport::new(fkn_testkit::CountingTransport::new(
            VirtualTokenTransport::shared(token.clone()),
        ));
        let mut s = TokenSession::open(faulty).unwrap();
        s.authenticate(USER_PIN).unwrap();
        let before = s.transport().inner().stats();
        s.sign(b"k", &[&digest]).unwrap();
        let after = s.transport().inner().stats();
        (
            (after.bytes_sent - before.bytes_sent) as usize,
            (after.bytes_received - before.bytes_received) as usize,
        )
    };
    let cases = (0..cmd_len)
        .map(|b| Fault::CorruptCommand { byte: b, xor: 0x01 })
        .chain((0..rsp_len).map(|b| Fault::CorruptResponse { byte: b, xor: 0x80 }));
    for fault in cases {
        let (mut s, faults) = open_faulty(&token);
        s.authenticate(USER_PIN).unwrap();
        faults.arm(3, fault);
        let result = s.sign(b"k", &[&digest]);
        assert!(result.is_err(), "{fault:?} was accepted");
        // The session is over on the host side...
        assert_eq!(s.authenticated_as(), None, "{fault:?}");
        assert_eq!(
            s.token_info(),
            Err(Error::Card {
                refusal: CardRefusal::NotAuthenticated
            })
        );
        // ...and a new login works.
        s.authenticate(USER_PIN).unwrap();
        s.sign(b"k", &[&digest]).unwrap();
    }
}

#[test]
fn replayed_wrapped_command_is_rejected() {
    let token = new_token();
    let faulty_inner =
        fkn_testkit::CountingTransport::new(VirtualTokenTransport::shared(token.clone()));
    let mut s = TokenSession::open(faulty_inner).unwrap();
    s.authenticate(USER_PIN).unwrap();
    s.generate_key(b"k", CurveId::Tc26_256A, "").unwrap();
    // Capture the next wrapped command from the log of a scripted copy: build
    // it by replaying the token's own traffic is simplest at the raw level.
    let recorder = Arc::new(Mutex::new(Vec::<Vec<u8>>::new()));
    struct Recording(VirtualTokenTransport, Arc<Mutex<Vec<Vec<u8>>>>);
    impl fkn_core::transport::Transport for Recording {
        fn transceive(
            &mut self,
            apdu: Vec<u8>,
        ) -> Result<Vec<u8>, fkn_core::transport::TransportError> {
            self.1.lock().unwrap().push(apdu.clone());
            self.0.transceive(apdu)
        }
        fn max_transceive_length(&self) -> usize {
            self.0.max_transceive_length()
        }
        fn extended_length_supported(&self) -> bool {
            self.0.extended_length_supported()
        }
    }
    let mut s = TokenSession::open(Recording(
        VirtualTokenTransport::shared(token.clone()),
        recorder.clone(),
    ))
    .unwrap();
    s.authenticate(USER_PIN).unwrap();
    s.sign(b"k", &[[7u8; 32]]).unwrap();
    let wrapped_sign = recorder.lock().unwrap().last().unwrap().clone();
    let rsp = token.lock().unwrap().process_apdu(&wrapped_sign);
    assert_eq!(rsp, vec![0x69, 0x88], "replay must fail secure messaging");
    // The token dropped its session: the host's next command fails and logs out.
    assert!(s.token_info().is_err());
    assert_eq!(s.authenticated_as(), None);
}

/// Runs `op` with the link dropped at every exchange position (and with the
/// response lost after the card processed the command); the SDK must report
/// the card as removed, and a new session must work afterwards.
fn sweep<F>(name: &str, setup: impl Fn(&Arc<Mutex<VirtualToken>>), op: F)
where
    F: Fn(&mut TokenSession<FaultyTransport<VirtualTokenTransport>>) -> Result<(), Error>,
{
    // How many exchanges does the operation take without faults (after SELECT)?
    let token = new_token();
    setup(&token);
    let (mut s, faults) = open_faulty(&token);
    let start = faults.exchanges();
    op(&mut s).unwrap_or_else(|e| panic!("{name} without faults: {e}"));
    let total = faults.exchanges() - start;
    assert!(total > 0);
    for position in 0..total {
        for fault in [Fault::DropLink, Fault::LoseResponse] {
            let token = new_token();
            setup(&token);
            let (mut s, faults) = open_faulty(&token);
            faults.arm(faults.exchanges() + position, fault);
            assert_eq!(
                op(&mut s),
                Err(Error::Link {
                    fault: LinkFault::CardRemoved
                }),
                "{name}: {fault:?} at exchange {position}"
            );
            check_consistent(&token, name);
            // The tag comes back: a new session works.
            faults.reconnect();
            token.lock().unwrap().reset();
            let mut s = open(&token);
            s.authenticate(USER_PIN)
                .unwrap_or_else(|e| panic!("{name}: login after {fault:?} at {position}: {e}"));
            s.list_keys().unwrap();
        }
    }
}

/// No half-created key, counters within their limits.
fn check_consistent(token: &Arc<Mutex<VirtualToken>>, name: &str) {
    let t = token.lock().unwrap();
    for key in t.state().keys() {
        VerifyingKey::from_bytes(key.curve(), key.public_key())
            .unwrap_or_else(|e| panic!("{name}: key with a bad public key: {e}"));
    }
    let c = t.state().pin(PasswordRef::User).counters;
    assert!(c.c1 <= 5 && c.c2 <= 10, "{name}: counters {c:?}");
}

fn with_key(token: &Arc<Mutex<VirtualToken>>) {
    let mut s = open(token);
    s.authenticate(USER_PIN).unwrap();
    s.generate_key(b"k", CurveId::Tc26_256A, "").unwrap();
}

#[test]
fn fault_sweep_login() {
    sweep("login", |_| {}, |s| s.authenticate(USER_PIN));
    // A lost answer to step 1 costs an attempt (the token decremented), but a
    // later successful login restores it.
    let token = new_token();
    let (mut s, faults) = open_faulty(&token);
    faults.arm(faults.exchanges(), Fault::LoseResponse);
    assert_eq!(
        s.authenticate(USER_PIN),
        Err(Error::Link {
            fault: LinkFault::CardRemoved
        })
    );
    assert_eq!(user_attempts(&token), 4);
    faults.reconnect();
    open(&token).authenticate(USER_PIN).unwrap();
    assert_eq!(user_attempts(&token), 5);
}

#[test]
fn fault_sweep_keygen() {
    sweep(
        "keygen",
        |_| {},
        |s| {
            s.authenticate(USER_PIN)?;
            s.generate_key(b"k", CurveId::Tc26_512C, "swept").map(drop)
        },
    );
}

#[test]
fn fault_sweep_sign_and_certificate() {
    sweep("sign", with_key, |s| {
        s.authenticate(USER_PIN)?;
        s.sign(b"k", &[[1u8; 32]; 16]).map(drop)
    });
    sweep("put certificate", with_key, |s| {
        s.authenticate(USER_PIN)?;
        s.put_certificate(b"k", &[0x30; 600])
    });
    sweep("delete key", with_key, |s| {
        s.authenticate(USER_PIN)?;
        s.delete_key(b"k")
    });
}

#[test]
fn fault_sweep_change_pin_keeps_the_old_or_the_new_pin() {
    let token = new_token();
    let (mut s, faults) = open_faulty(&token);
    s.authenticate(USER_PIN).unwrap();
    // Change PIN is exchange #3 after SELECT and the two login steps.
    faults.arm(faults.exchanges(), Fault::LoseResponse);
    assert_eq!(
        s.change_pin("999999"),
        Err(Error::Link {
            fault: LinkFault::CardRemoved
        })
    );
    faults.reconnect();
    // The token processed it: exactly one of the two PINs works.
    let old = open(&token).authenticate(USER_PIN).is_ok();
    let new = open(&token).authenticate("999999").is_ok();
    assert!(old ^ new, "old works: {old}, new works: {new}");
}

#[test]
fn salt_cache_prepares_the_pin_before_the_tap() {
    use fkn_core::sespake::Profile;
    use fkn_core::token::SaltCache;

    let token = new_token();
    let mut cache = SaltCache::new();
    let serial = {
        let mut s = open(&token);
        cache.remember(s.select_info());
        s.authenticate(USER_PIN).unwrap();
        s.generate_key(b"k", CurveId::Tc26_256A, "").unwrap();
        s.select_info().serial
    };
    // Before the next tap: PBKDF2 from the cached salt, no card needed.
    let pin = cache
        .prepare(&Profile::ofp1(), &serial, PinRef::User, USER_PIN)
        .expect("token seen before");
    assert!(
        cache
            .prepare(&Profile::ofp1(), &[0; 8], PinRef::User, USER_PIN)
            .is_none()
    );
    let mut s = open(&token);
    s.authenticate_prepared(&pin).unwrap();
    s.sign(b"k", &[[3u8; 32]]).unwrap();
    assert_eq!(s.exchanges(), 4);

    // The PIN changes on another device: the old salt is stale, the session
    // refuses the prepared PIN before any exchange, and a refresh fixes it.
    s.change_pin("changed").unwrap();
    let stale = cache
        .prepare(&Profile::ofp1(), &serial, PinRef::User, "changed")
        .unwrap();
    let mut s = open(&token);
    let before = s.exchanges();
    assert!(matches!(
        s.authenticate_prepared(&stale),
        Err(Error::Misuse { .. })
    ));
    assert_eq!(s.exchanges(), before);
    cache.remember(s.select_info());
    let fresh = cache
        .prepare(&Profile::ofp1(), &serial, PinRef::User, "changed")
        .unwrap();
    s.authenticate_prepared(&fresh).unwrap();
}
