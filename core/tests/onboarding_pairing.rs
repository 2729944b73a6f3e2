//! Pairing end to end in one process: the device's `pair` against the
//! server's `Gateway`, then two-party keys through the sealed session and
//! signed requests; and every refusal the protocol promises.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use fkn_core::Error;
use fkn_core::crypto::ec::{CurveId, SigningKey};
use fkn_core::crypto::hash::streebog256;
use fkn_core::crypto::os_rng;
use fkn_core::crypto::secret::Key256;
use fkn_core::distributed::{
    ChannelError, Device, DeviceConfig, KeyId, MemoryNoncePool, MemorySecureStore,
    MemoryShareStore, SecureStore, Server, ServerChannel, ServerConfig, TwoPartyFault,
};
use fkn_core::onboarding::wire::{self, DeviceMessage, ServerMessage, bv};
use fkn_core::onboarding::{
    ACCESS_BASE, DeviceCredential, EnrollmentRecord, EnrollmentUri, Gateway, GatewayConfig,
    MemoryPairingStore, PAIRING_CURVE, SignedChannel, pair,
};
use fkn_core::pki::Subject;
use fkn_core::pki::csr::{CsrOptions, build_csr};

const CODE: &str = "123456789012";
const PIN: &[u8] = b"2580";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

type Hook = Box<dyn FnMut(usize, Vec<u8>) -> Vec<u8> + Send>;

/// The gateway behind a channel that counts, logs and may alter messages.
struct Net {
    gateway: Arc<Gateway>,
    /// Seconds added to the gateway's clock.
    skew: AtomicI64,
    count: AtomicUsize,
    log: Mutex<Vec<Vec<u8>>>,
    on_request: Mutex<Option<Hook>>,
    on_response: Mutex<Option<Hook>>,
}

impl Net {
    fn gateway_now(&self) -> u64 {
        now().saturating_add_signed(self.skew.load(Ordering::SeqCst))
    }

    fn raw(&self, request: &[u8]) -> ServerMessage {
        let answer = self.gateway.handle(request, self.gateway_now()).0;
        wire::decode(&answer).expect("the gateway answers a valid message")
    }
}

impl ServerChannel for Net {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, ChannelError> {
        let n = self.count.fetch_add(1, Ordering::SeqCst);
        let mut request = request.to_vec();
        if let Some(h) = self.on_request.lock().unwrap().as_mut() {
            request = h(n, request);
        }
        self.log.lock().unwrap().push(request.clone());
        let mut answer = self.gateway.handle(&request, self.gateway_now()).0;
        if let Some(h) = self.on_response.lock().unwrap().as_mut() {
            answer = h(n, answer);
        }
        Ok(answer)
    }
}

struct World {
    net: Arc<Net>,
    store: Arc<MemoryPairingStore>,
    fingerprint: [u8; 32],
}

fn world_with(config: ServerConfig) -> World {
    let kek = Key256::from_bytes([0x42; 32]);
    let server = Arc::new(Server::new(
        Arc::new(MemoryShareStore::new()),
        Arc::new(MemoryNoncePool::new()),
        &kek,
        config,
    ));
    let store = Arc::new(MemoryPairingStore::new());
    let identity = SigningKey::generate(PAIRING_CURVE, &mut os_rng());
    let gateway = Arc::new(Gateway::new(
        store.clone(),
        server,
        identity,
        &kek,
        GatewayConfig::default(),
    ));
    let fingerprint = gateway.fingerprint();
    World {
        net: Arc::new(Net {
            gateway,
            skew: AtomicI64::new(0),
            count: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
            on_request: Mutex::new(None),
            on_response: Mutex::new(None),
        }),
        store,
        fingerprint,
    }
}

fn world() -> World {
    world_with(ServerConfig::default())
}

impl World {
    /// An enrollment for `account` as the operator creates it; its URI.
    fn enroll(&self, account: &str) -> EnrollmentUri {
        let expires = now() + 3600;
        self.store
            .add_enrollment(EnrollmentRecord::new(account, CODE, expires));
        EnrollmentUri {
            server: "http://127.0.0.1:1".into(),
            account: account.into(),
            code: CODE.into(),
            expires,
            server_key_fingerprint: self.fingerprint,
        }
    }

    fn channel(&self) -> Arc<dyn ServerChannel> {
        self.net.clone()
    }

    fn exchanges(&self) -> usize {
        self.net.count.load(Ordering::SeqCst)
    }
}

fn config() -> DeviceConfig {
    DeviceConfig {
        pbkdf2_iterations: 1000,
        batch_size: 4,
    }
}

fn fault(e: Error) -> TwoPartyFault {
    match e {
        Error::TwoParty { fault } => fault,
        other => panic!("not a two-party fault: {other:?}"),
    }
}

fn card_csr() -> (Vec<u8>, Vec<u8>) {
    let mut card = SigningKey::generate(CurveId::CryptoProA, &mut os_rng());
    let public = card.verifying_key().to_bytes();
    let csr = build_csr(
        &mut card,
        &Subject::new().common_name("Card holder"),
        &CsrOptions::default(),
    )
    .unwrap();
    (csr, public)
}

/// A device fully enrolled with key `key`: its store, credential and the key.
struct Enrolled {
    store: Arc<MemorySecureStore>,
    credential: Arc<DeviceCredential>,
    public: fkn_core::crypto::ec::VerifyingKey,
}

fn enroll_device(w: &World, account: &str, key: &str) -> Enrolled {
    let uri = w.enroll(account);
    let session = pair(&uri, w.channel(), now()).expect("pairing");
    let store = Arc::new(MemorySecureStore::new());
    let public = Device::new(store.clone(), session.channel(), config())
        .generate(&KeyId::new(key).unwrap(), CurveId::Tc26_256A, PIN)
        .expect("keygen in the sealed session");
    let credential = Arc::new(session.finish(&*store).expect("finish"));
    Enrolled {
        store,
        credential,
        public,
    }
}

fn signed_device(w: &World, e: &Enrolled) -> Device {
    Device::new(
        e.store.clone(),
        Arc::new(SignedChannel::new(e.credential.clone(), w.channel())),
        config(),
    )
}

#[test]
fn enrollment_then_signed_requests_in_counted_round_trips() {
    let w = world();
    let uri = w.enroll("alice");
    let session = pair(&uri, w.channel(), now()).expect("pairing");
    assert_eq!(w.exchanges(), 2, "pairing is two round trips");
    let store = Arc::new(MemorySecureStore::new());
    let key = KeyId::new("alice-main").unwrap();
    let public = Device::new(store.clone(), session.channel(), config())
        .generate(&key, CurveId::Tc26_256A, PIN)
        .expect("keygen");
    assert_eq!(w.exchanges(), 4, "key generation is two more");
    let (csr, card_public) = card_csr();
    let card = session.register_card("my card", &csr).expect("card");
    assert_eq!(w.exchanges(), 5);
    let cards = w.store.cards();
    assert_eq!(cards.len(), 1);
    assert_eq!(cards[0].id, card);
    assert_eq!(cards[0].account, "alice");
    assert_eq!(cards[0].public_key, card_public);
    assert_eq!(cards[0].curve, CurveId::CryptoProA);
    let credential = session.finish(&*store).expect("finish");
    assert_eq!(w.exchanges(), 6);
    assert_eq!(cards[0].device_id, credential.device_id());

    let loaded = DeviceCredential::load(&*store).expect("saved");
    assert_eq!(loaded.device_id(), credential.device_id());
    assert_eq!(loaded.account(), "alice");
    assert_eq!(streebog256(&loaded.server_key().to_bytes()), w.fingerprint);

    let e = Enrolled {
        store,
        credential: Arc::new(loaded),
        public,
    };
    let digest = streebog256(b"document");
    let signature = signed_device(&w, &e)
        .unlock(&key, PIN)
        .unwrap()
        .sign_digest(&digest)
        .expect("signature through the signed channel");
    assert_eq!(w.exchanges(), 7, "one round trip per signature");
    e.public.verify_digest(&digest, &signature).expect("valid");
}

#[test]
fn a_code_works_once() {
    let w = world();
    let uri = w.enroll("bob");
    pair(&uri, w.channel(), now()).expect("first use");
    let again = pair(&uri, w.channel(), now()).unwrap_err();
    assert_eq!(fault(again), TwoPartyFault::EnrollmentUsed);
}

#[test]
fn wrong_codes_are_counted_then_the_enrollment_locks() {
    let w = world();
    let mut uri = w.enroll("carol");
    let right = uri.code.clone();
    uri.code = "000000000000".into();
    for left in (0..5u8).rev() {
        let e = pair(&uri, w.channel(), now()).unwrap_err();
        assert_eq!(
            fault(e),
            TwoPartyFault::ActivationCodeRejected {
                attempts_left: left
            }
        );
    }
    uri.code = right;
    let e = pair(&uri, w.channel(), now()).unwrap_err();
    assert_eq!(fault(e), TwoPartyFault::EnrollmentLocked);
}

#[test]
fn unfinished_attempts_count_too() {
    let w = world();
    let uri = w.enroll("dave");
    // Step 1 alone, five times: each counts (RFC 8133 step 2).
    for _ in 0..5 {
        let start = DeviceMessage::PairStart("dave".into(), bv(vec![0u8; 64]));
        w.net.raw(&wire::encode(start));
    }
    let e = pair(&uri, w.channel(), now()).unwrap_err();
    assert_eq!(fault(e), TwoPartyFault::EnrollmentLocked);
}

#[test]
fn expired_and_unknown_enrollments() {
    let w = world();
    let uri = w.enroll("erin");
    let e = pair(&uri, w.channel(), uri.expires + 1).unwrap_err();
    assert_eq!(fault(e), TwoPartyFault::EnrollmentExpired);
    assert_eq!(w.exchanges(), 0, "refused before any round trip");
    w.net.skew.store(7200, Ordering::SeqCst);
    let e = pair(&uri, w.channel(), now()).unwrap_err();
    assert_eq!(fault(e), TwoPartyFault::EnrollmentExpired, "server clock");
    w.net.skew.store(0, Ordering::SeqCst);
    let mut other = uri.clone();
    other.account = "nobody".into();
    let e = pair(&other, w.channel(), now()).unwrap_err();
    assert_eq!(fault(e), TwoPartyFault::NoEnrollment);
}

/// Flips one bit of message `n` in the direction chosen, at byte `at`
/// (counted from the end when negative).
fn flip(target: usize, at: isize) -> Hook {
    Box::new(move |n, mut m| {
        if n == target {
            let i = if at < 0 {
                m.len() - at.unsigned_abs()
            } else {
                at.unsigned_abs().min(m.len() - 1)
            };
            m[i] ^= 0x01;
        }
        m
    })
}

/// The whole enrollment, as a result.
fn full_enrollment(w: &World, account: &str) -> Result<(), Error> {
    let uri = w.enroll(account);
    let session = pair(&uri, w.channel(), now())?;
    let store = Arc::new(MemorySecureStore::new());
    Device::new(store.clone(), session.channel(), config()).generate(
        &KeyId::new(&format!("{account}-k")).unwrap(),
        CurveId::Tc26_256A,
        PIN,
    )?;
    let (csr, _) = card_csr();
    session.register_card("card", &csr)?;
    session.finish(&*store)?;
    Ok(())
}

#[test]
fn every_enrollment_message_tampered_with_is_refused() {
    // Six messages each way; a bit flipped near the start, in the middle
    // and in the last byte of each.
    for n in 0..6 {
        for at in [3isize, 40, -1] {
            for request_side in [true, false] {
                let w = world();
                let hook = flip(n, at);
                if request_side {
                    *w.net.on_request.lock().unwrap() = Some(hook);
                } else {
                    *w.net.on_response.lock().unwrap() = Some(hook);
                }
                let r = full_enrollment(&w, "frank");
                assert!(
                    r.is_err(),
                    "message {n} ({}) altered at {at} was accepted",
                    if request_side { "request" } else { "answer" }
                );
                let e = r.unwrap_err();
                assert!(
                    matches!(e, Error::TwoParty { .. }),
                    "message {n} altered at {at}: {e:?}"
                );
            }
        }
    }
}

#[test]
fn a_server_without_the_fingerprinted_key_is_refused() {
    // An impostor that knows the code (it saw the QR code) answers as party
    // B with the fingerprint the QR code names, but signs with its own key.
    use fkn_core::onboarding::SessionBox;
    use fkn_core::onboarding::params::*;
    use fkn_core::onboarding::wire::{CredentialOffer, Welcome};
    use fkn_core::sespake::{ResponderStart, derive_password_key};

    struct Impostor {
        uri: EnrollmentUri,
        key: SigningKey,
        state: Mutex<Option<fkn_core::sespake::ExpectMacA>>,
    }
    impl ServerChannel for Impostor {
        fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, ChannelError> {
            let uri = &self.uri;
            let answer = match wire::decode::<DeviceMessage>(request).unwrap() {
                DeviceMessage::PairStart(account, u1) => {
                    let profile = pairing_profile();
                    let salt = pairing_salt(&account, uri.expires);
                    let pw =
                        derive_password_key(&profile, PAIRING_CURVE, uri.code.as_bytes(), &salt);
                    let (state, u2) = ResponderStart::from_password(
                        &profile,
                        PAIRING_CURVE,
                        PAIRING_IND,
                        &salt,
                        &pw,
                        pairing_mac_context(&account, &uri.server_key_fingerprint),
                    )
                    .unwrap()
                    .respond(&u1, &mut os_rng())
                    .unwrap();
                    *self.state.lock().unwrap() = Some(state);
                    ServerMessage::PairStarted(bv(b"id".to_vec()), bv(u2))
                }
                DeviceMessage::PairFinish(id, mac_a, offer) => {
                    let done = self
                        .state
                        .lock()
                        .unwrap()
                        .take()
                        .unwrap()
                        .handle(&mac_a)
                        .unwrap();
                    let session = SessionBox::new(&id, &done.k, &done.u1, &done.u2);
                    let offer = session.open(Direction::ToServer, 0, &offer).unwrap();
                    let offer: CredentialOffer = minicbor::decode(offer.expose()).unwrap();
                    let t = pairing_transcript(
                        &uri.account,
                        &uri.server_key_fingerprint,
                        &done.u1,
                        &done.u2,
                        &offer.public_key,
                    );
                    let sig = self
                        .key
                        .sign_digest(&server_proof_digest(&t, "dev"), &mut os_rng())
                        .unwrap();
                    let welcome = minicbor::to_vec(Welcome {
                        device_id: "dev".into(),
                        identity_key: bv(self.key.verifying_key().to_bytes()),
                        signature: bv(sig),
                    })
                    .unwrap();
                    ServerMessage::PairFinished(
                        bv(done.mac_b.to_vec()),
                        bv(session.seal(Direction::ToDevice, 0, &welcome)),
                    )
                }
                _ => unreachable!(),
            };
            Ok(wire::encode(answer))
        }
    }
    let w = world();
    let uri = w.enroll("grace");
    let impostor = Arc::new(Impostor {
        uri: uri.clone(),
        key: SigningKey::generate(PAIRING_CURVE, &mut os_rng()),
        state: Mutex::new(None),
    });
    let e = pair(&uri, impostor, now()).unwrap_err();
    assert_eq!(fault(e), TwoPartyFault::ServerIdentityMismatch);
}

fn signed_inner(bytes: &[u8]) -> Vec<u8> {
    match wire::decode::<DeviceMessage>(bytes).unwrap() {
        DeviceMessage::Signed(_, _, _, inner, _) => inner.into(),
        other => panic!("not a signed request: {other:?}"),
    }
}

#[test]
fn replays_revocation_locks_and_other_devices_keys() {
    let w = world_with(ServerConfig {
        max_pin_failures: 3,
        ..ServerConfig::default()
    });
    let a = enroll_device(&w, "henry", "henry-k");
    let key = KeyId::new("henry-k").unwrap();
    let digest = streebog256(b"x");
    signed_device(&w, &a)
        .unlock(&key, PIN)
        .unwrap()
        .sign_digest(&digest)
        .unwrap();
    let signed = w.net.log.lock().unwrap().last().cloned().unwrap();

    // The same signed bytes again: refused as a replay.
    match w.net.raw(&signed) {
        ServerMessage::Refused(code, _) => assert_eq!(code, ACCESS_BASE + 4),
        other => panic!("replay accepted: {other:?}"),
    }

    // Another device presents this device's request as its own.
    let b = enroll_device(&w, "ivy", "ivy-k");
    let stolen = b
        .credential
        .sign_request(now(), [7; 16], &signed_inner(&signed));
    match w.net.raw(&stolen) {
        ServerMessage::Refused(code, _) => assert_eq!(code, ACCESS_BASE + 6),
        other => panic!("another device's key used: {other:?}"),
    }

    // A request signed by a key that is not the credential.
    let mut forged = signed.clone();
    let n = forged.len();
    forged[n - 5] ^= 1;
    match w.net.raw(&forged) {
        ServerMessage::Refused(code, _) => assert_eq!(code, ACCESS_BASE + 3),
        other => panic!("forged signature accepted: {other:?}"),
    }

    // Wrong PINs lock the key; the right one is then refused too.
    let device = signed_device(&w, &a);
    for expected in [
        Error::WrongPin { attempts_left: 2 },
        Error::WrongPin { attempts_left: 1 },
        Error::PinBlocked,
    ] {
        let e = device
            .unlock(&key, b"0000")
            .unwrap()
            .sign_digest(&digest)
            .unwrap_err();
        assert_eq!(Error::from(e), expected);
    }
    let e = device
        .unlock(&key, PIN)
        .unwrap()
        .sign_digest(&digest)
        .unwrap_err();
    assert_eq!(Error::from(e), Error::PinBlocked);

    // A revoked device cannot sign at all.
    w.store.revoke_device(b.credential.device_id());
    let e = signed_device(&w, &b)
        .unlock(&KeyId::new("ivy-k").unwrap(), PIN)
        .unwrap()
        .sign_digest(&digest)
        .unwrap_err();
    assert!(
        matches!(
            fault(e.into()),
            TwoPartyFault::AccessRefused { revoked: true, .. }
        ),
        "revoked device signed"
    );
    let _ = b.public;
}

#[test]
fn a_request_outside_the_clock_window_is_refused() {
    let w = world();
    let a = enroll_device(&w, "jack", "jack-k");
    let inner = b"not even a request".to_vec();
    let old = a.credential.sign_request(now() - 3600, [1; 16], &inner);
    match w.net.raw(&old) {
        ServerMessage::Refused(code, _) => assert_eq!(code, ACCESS_BASE + 5),
        other => panic!("stale request accepted: {other:?}"),
    }
    let unknown =
        DeviceMessage::Signed("nope".into(), now(), bv(vec![0; 16]), bv(inner), bv(vec![]));
    match w.net.raw(&wire::encode(unknown)) {
        ServerMessage::Refused(code, _) => assert_eq!(code, ACCESS_BASE + 1),
        other => panic!("unknown device accepted: {other:?}"),
    }
    let _ = SecureStore::load(&*a.store, "x");
}
