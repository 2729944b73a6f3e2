//! Signing requests end to end in one process: a backend's requests on the
//! server's `RequestDesk`, a paired device that lists, fetches and approves
//! them through the gateway (16 with a virtual card in one sign command, the
//! rest with a two-party key), and every refusal the desk promises.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use fkn_core::Error;
use fkn_core::crypto::ec::{CurveId, SigningKey};
use fkn_core::crypto::hash::{DigestAlgorithm, streebog256};
use fkn_core::crypto::os_rng;
use fkn_core::crypto::secret::Key256;
use fkn_core::distributed::{
    ChannelError, Device, DeviceConfig, KeyId, MemoryNoncePool, MemorySecureStore,
    MemoryShareStore, Server, ServerChannel, ServerConfig, TwoPartyFault,
};
use fkn_core::onboarding::{
    DeviceCredential, EnrollmentRecord, EnrollmentUri, Gateway, GatewayConfig, GatewayEvent,
    GatewayOutcome, MemoryPairingStore, PAIRING_CURVE, SignedChannel, pair,
};
use fkn_core::pki::{Subject, cert, cms, csr};
use fkn_core::requests::{
    Approval, Content, CreateError, DeskEvent, FetchedRequest, KeyRef, MemoryRequestStore,
    NewRequest, RequestClient, RequestDesk, RequestRefusal, RequestState, RequestStore,
    approve_on_token, approve_with,
};
use fkn_core::token::{TokenSession, TokenSigner};
use fkn_testkit::CountingTransport;
use fkn_vtoken::{OsRandom, TokenConfig, TokenState, VirtualToken, VirtualTokenTransport};

const CODE: &str = "123456789012";
const PIN: &str = "2580";
const CARD_KEY: &[u8] = b"card-1";
const TWO_PARTY_KEY: &str = "alice-2p";

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// The gateway behind a channel that counts round trips and keeps the
/// outcomes (the audit trail's input).
struct Net {
    gateway: Gateway,
    skew: AtomicI64,
    count: AtomicUsize,
    outcomes: Mutex<Vec<GatewayOutcome>>,
}

impl ServerChannel for Net {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, ChannelError> {
        self.count.fetch_add(1, Ordering::SeqCst);
        let at = now().saturating_add_signed(self.skew.load(Ordering::SeqCst));
        let (answer, outcome) = self.gateway.handle(request, at);
        self.outcomes.lock().unwrap().push(outcome);
        Ok(answer)
    }
}

type Card = TokenSession<CountingTransport<VirtualTokenTransport>>;

struct World {
    net: Arc<Net>,
    pairing: Arc<MemoryPairingStore>,
    desk: Arc<RequestDesk>,
    requests: Arc<MemoryRequestStore>,
    fingerprint: [u8; 32],
}

fn world() -> World {
    let kek = Key256::from_bytes([0x42; 32]);
    let server = Arc::new(Server::new(
        Arc::new(MemoryShareStore::new()),
        Arc::new(MemoryNoncePool::new()),
        &kek,
        ServerConfig::default(),
    ));
    let pairing = Arc::new(MemoryPairingStore::new());
    let requests = Arc::new(MemoryRequestStore::new());
    let desk = Arc::new(RequestDesk::new(
        requests.clone(),
        pairing.clone(),
        server.clone(),
    ));
    let identity = SigningKey::generate(PAIRING_CURVE, &mut os_rng());
    let gateway = Gateway::new(
        pairing.clone(),
        server,
        identity,
        &kek,
        GatewayConfig::default(),
    )
    .with_requests(desk.clone());
    let fingerprint = gateway.fingerprint();
    World {
        net: Arc::new(Net {
            gateway,
            skew: AtomicI64::new(0),
            count: AtomicUsize::new(0),
            outcomes: Mutex::new(Vec::new()),
        }),
        pairing,
        desk,
        requests,
        fingerprint,
    }
}

/// A user's phone after enrollment: its card (logged in, with key
/// `CARD_KEY` and its certificate), the card's id on the server, its
/// two-party key and the request client.
struct Phone {
    card: Card,
    card_id: String,
    card_cert: Vec<u8>,
    store: Arc<MemorySecureStore>,
    credential: Arc<DeviceCredential>,
    client: RequestClient,
}

/// A virtual card taking extended-length APDUs (as cards and phones with
/// a large IsoDep transceive length do), so a batch travels in one exchange.
fn virtual_card(serial: [u8; 8]) -> Card {
    let state = TokenState::with_pins(
        serial,
        "card",
        PIN,
        "87654321",
        CurveId::Tc26_256A,
        &mut OsRandom,
    )
    .expect("state")
    .with_config(TokenConfig {
        extended_length: true,
        max_response_data: 65536,
        ..TokenConfig::default()
    })
    .expect("config");
    let link = CountingTransport::new(VirtualTokenTransport::new(VirtualToken::new(state)));
    let mut s = TokenSession::open(link).expect("open");
    s.authenticate(PIN).expect("login");
    s
}

fn config() -> DeviceConfig {
    DeviceConfig {
        pbkdf2_iterations: 1000,
        batch_size: 8,
    }
}

impl World {
    fn enroll(&self, account: &str, serial: [u8; 8]) -> Phone {
        let expires = now() + 3600;
        self.pairing
            .add_enrollment(EnrollmentRecord::new(account, CODE, expires));
        let uri = EnrollmentUri {
            server: "http://127.0.0.1:1".into(),
            account: account.into(),
            code: CODE.into(),
            expires,
            server_key_fingerprint: self.fingerprint,
        };
        let session = pair(&uri, self.net.clone(), now()).expect("pairing");
        let store = Arc::new(MemorySecureStore::new());
        Device::new(store.clone(), session.channel(), config())
            .generate(
                &KeyId::new(&format!("{account}-2p")).unwrap(),
                CurveId::Tc26_256A,
                PIN.as_bytes(),
            )
            .expect("two-party keygen");
        let mut card = virtual_card(serial);
        let key = card
            .generate_key(CARD_KEY, CurveId::Tc26_256A, "signing")
            .expect("keygen on the card");
        let (request, card_cert) = {
            let mut signer = TokenSigner::new(&mut card, &key);
            let subject = Subject::new().common_name(account);
            let request = csr::build_csr(&mut signer, &subject, &csr::CsrOptions::default())
                .expect("CSR on the card");
            let cert = cert::self_signed(&mut signer, &subject, 365).expect("certificate");
            (request, cert)
        };
        let card_id = session.register_card("card", &request).expect("card");
        let credential = Arc::new(session.finish(&*store).expect("finish"));
        let client = RequestClient::new(credential.clone(), self.net.clone());
        Phone {
            card,
            card_id,
            card_cert,
            store,
            credential,
            client,
        }
    }

    fn request(&self, account: &str, key: KeyRef, n: usize, detached: bool) -> String {
        self.desk
            .create(
                "bank",
                NewRequest {
                    account: account.into(),
                    title: format!("contract {n}"),
                    content: Content::Document(
                        format!("contract number {n}\n").into_bytes().into(),
                    ),
                    key,
                    detached,
                    deadline: now() + 600,
                },
                now(),
            )
            .expect("create")
            .id
    }

    fn round_trips(&self) -> usize {
        self.net.count.load(Ordering::SeqCst)
    }
}

impl Phone {
    fn two_party(&self, net: &Arc<Net>) -> fkn_core::distributed::DeviceKey {
        Device::new(
            self.store.clone(),
            Arc::new(SignedChannel::new(self.credential.clone(), net.clone())),
            config(),
        )
        .unlock(&KeyId::new(TWO_PARTY_KEY).unwrap(), PIN.as_bytes())
        .expect("unlock")
    }

    fn sign_on_card(&mut self, requests: &[FetchedRequest]) -> Vec<Approval> {
        approve_on_token(&mut self.card, CARD_KEY, &self.card_cert, requests).expect("card")
    }
}

fn refusal(e: Error) -> RequestRefusal {
    match e {
        Error::Request { refusal } => refusal,
        other => panic!("not a request refusal: {other:?}"),
    }
}

#[test]
fn twenty_requests_sixteen_in_one_tap_four_with_the_two_party_key() {
    let w = world();
    let mut phone = w.enroll("alice", *b"ALICE001");
    let card = KeyRef::Card(phone.card_id.clone());
    let two_party = KeyRef::Distributed(TWO_PARTY_KEY.into());
    let mut by_card = Vec::new();
    let mut by_two_party = Vec::new();
    for n in 0..20 {
        if n < 16 {
            by_card.push(w.request("alice", card.clone(), n, n % 2 == 0));
        } else {
            by_two_party.push(w.request("alice", two_party.clone(), n, n % 2 == 0));
        }
    }

    let start = w.round_trips();
    let pending = phone.client.pending().expect("list");
    assert_eq!(pending.len(), 20);
    assert!(
        pending.iter().all(|v| v.content.is_none()),
        "listings carry no content"
    );
    let fetched = phone.client.fetch(&by_card).expect("fetch 16");
    assert_eq!(fetched.len(), 16);
    assert_eq!(fetched[3].document(), Some(&b"contract number 3\n"[..]));

    // One tap: every CMS from one sign command.
    let before = phone.card.transport().stats().exchanges;
    let approvals = phone.sign_on_card(&fetched);
    let apdus = phone.card.transport().stats().exchanges - before;
    assert_eq!(apdus, 1, "16 signatures in one APDU exchange");
    let results = phone.client.approve(approvals.clone()).expect("approve");
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(w.round_trips() - start, 3, "list, fetch, approve");

    let fetched = phone.client.fetch(&by_two_party).expect("fetch 4");
    let mut key = phone.two_party(&w.net);
    let cert_2p = two_party_cert(&mut key);
    let approvals_2p = approve_with(&mut key, &cert_2p, &fetched).expect("2p");
    let results = phone.client.approve(approvals_2p).expect("approve 4");
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert!(phone.client.pending().expect("list").is_empty());

    // Every stored CMS verifies over its document, in the form asked.
    for id in by_card.iter().chain(&by_two_party) {
        let r = w.requests.get(id).unwrap().unwrap();
        assert_eq!(r.state, RequestState::Signed);
        assert_eq!(r.device.as_deref(), Some(phone.credential.device_id()));
        let Content::Document(doc) = &r.content else {
            unreachable!()
        };
        let der = r.cms.as_deref().unwrap();
        let v = if r.detached {
            cms::verify(der, Some(&mut &doc[..])).expect("detached CMS")
        } else {
            let v = cms::verify(der, None).expect("attached CMS");
            assert_eq!(v.content.as_deref(), Some(&doc[..]));
            v
        };
        assert!(v.certificate_bound, "CAdES-BES");
    }
    // The audit trail's input names each signed request once.
    let signed: Vec<String> = w
        .net
        .outcomes
        .lock()
        .unwrap()
        .iter()
        .filter(|o| o.event == GatewayEvent::Called)
        .flat_map(|o| o.requests.clone())
        .filter_map(|e| match e {
            DeskEvent::Signed { request } => Some(request),
            _ => None,
        })
        .collect();
    assert_eq!(signed.len(), 20);
}

/// A self-signed certificate of the two-party key (two more signatures).
fn two_party_cert(key: &mut fkn_core::distributed::DeviceKey) -> Vec<u8> {
    cert::self_signed(key, &Subject::new().common_name("alice"), 365).expect("certificate")
}

#[test]
fn the_phone_hashes_what_it_shows_and_digest_only_requests_say_so() {
    let w = world();
    let mut phone = w.enroll("bob", *b"BOB00001");
    let digest = streebog256(b"a document the phone never sees");
    let id = w
        .desk
        .create(
            "bank",
            NewRequest {
                account: "bob".into(),
                title: "payment order".into(),
                content: Content::Digest {
                    digest: digest.to_vec().into(),
                    summary: "pay 100 RUB to Alice".into(),
                },
                key: KeyRef::Card(phone.card_id.clone()),
                detached: true,
                deadline: now() + 600,
            },
            now(),
        )
        .expect("digest request")
        .id;
    let fetched = phone.client.fetch(std::slice::from_ref(&id)).unwrap();
    assert!(fetched[0].digest_only());
    assert_eq!(fetched[0].document(), None);
    let approvals = phone.sign_on_card(&fetched);
    assert_eq!(phone.client.approve(approvals).unwrap(), vec![Ok(())]);
    let r = w.requests.get(&id).unwrap().unwrap();
    let v = cms::verify_digest(r.cms.as_deref().unwrap(), &digest).expect("verifies");
    assert_eq!(v.content_digest, digest);

    // A document's digest is the phone's own: a server that swaps the bytes
    // after listing cannot make the phone sign other bytes than it shows.
    let id = w.request("bob", KeyRef::Card(phone.card_id.clone()), 1, true);
    let mut fetched = phone.client.fetch(std::slice::from_ref(&id)).unwrap();
    let shown = fetched[0].document().unwrap().to_vec();
    assert_eq!(
        fetched[0].content_digest(CurveId::Tc26_256A).unwrap(),
        DigestAlgorithm::Streebog256.digest(&shown)
    );
    fetched[0].content = Content::Document(b"what the user did not see".to_vec().into());
    let approvals = phone.sign_on_card(&fetched);
    assert_eq!(
        phone.client.approve(approvals).unwrap(),
        vec![Err(RequestRefusal::WrongContent)]
    );
}

#[test]
fn requests_for_keys_outside_the_account_are_not_created() {
    let w = world();
    let alice = w.enroll("alice", *b"ALICE002");
    let _bob = w.enroll("bob", *b"BOB00002");
    let new = |account: &str, key: KeyRef| NewRequest {
        account: account.into(),
        title: "t".into(),
        content: Content::Document(b"doc".to_vec().into()),
        key,
        detached: false,
        deadline: now() + 60,
    };
    let e = w
        .desk
        .create(
            "bank",
            new("bob", KeyRef::Card(alice.card_id.clone())),
            now(),
        )
        .unwrap_err();
    assert!(matches!(e, CreateError::KeyNotFound { .. }), "{e:?}");
    let e = w
        .desk
        .create(
            "bank",
            new("bob", KeyRef::Distributed(TWO_PARTY_KEY.into())),
            now(),
        )
        .unwrap_err();
    assert!(matches!(e, CreateError::KeyNotFound { .. }), "{e:?}");
    let mut past = new("alice", KeyRef::Card(alice.card_id.clone()));
    past.deadline = now() - 1;
    assert_eq!(
        w.desk.create("bank", past, now()).unwrap_err(),
        CreateError::Deadline
    );
    let mut big = new("alice", KeyRef::Card(alice.card_id.clone()));
    big.content = Content::Document(vec![0; fkn_core::requests::MAX_DOCUMENT + 1].into());
    assert_eq!(
        w.desk.create("bank", big, now()).unwrap_err(),
        CreateError::Document
    );
    let mut short = new("alice", KeyRef::Card(alice.card_id.clone()));
    short.content = Content::Digest {
        digest: vec![0; 20].into(),
        summary: "s".into(),
    };
    short.detached = true;
    assert_eq!(
        w.desk.create("bank", short, now()).unwrap_err(),
        CreateError::DigestLength { expected: 32 }
    );
}

#[test]
fn other_content_another_key_the_wrong_form_and_spent_requests_are_refused() {
    let w = world();
    let mut alice = w.enroll("alice", *b"ALICE003");
    let card = KeyRef::Card(alice.card_id.clone());
    let ids: Vec<String> = (0..3)
        .map(|n| w.request("alice", card.clone(), n, true))
        .collect();
    let fetched = alice.client.fetch(&ids).unwrap();
    let good = alice.sign_on_card(&fetched);

    // A CMS of request 0 presented for request 1: other content.
    let swapped = Approval {
        id: ids[1].clone(),
        cms: good[0].cms.clone(),
    };
    // Another key (a software key with its own certificate) over the right content.
    let mut other = SigningKey::generate(CurveId::Tc26_256A, &mut os_rng());
    let other_cert = cert::self_signed(&mut other, &Subject::new().common_name("x"), 1).unwrap();
    let foreign = approve_with(&mut other, &other_cert, &fetched[2..]).unwrap();
    // An attached CMS where a detached one is asked.
    let mut attached = fetched[2].clone();
    attached.detached = false;
    let wrong_form = alice.sign_on_card(&[attached]);
    let results = alice
        .client
        .approve(vec![swapped, foreign[0].clone(), wrong_form[0].clone()])
        .unwrap();
    assert_eq!(
        results,
        vec![
            Err(RequestRefusal::WrongContent),
            Err(RequestRefusal::WrongKey),
            Err(RequestRefusal::WrongForm),
        ]
    );
    // Nothing was lost: the right CMS still goes through, once.
    assert_eq!(alice.client.approve(good.clone()).unwrap(), vec![Ok(()); 3]);
    assert_eq!(
        alice.client.approve(good[..1].to_vec()).unwrap(),
        vec![Err(RequestRefusal::AlreadySigned)]
    );
    let e = alice.client.fetch(&ids[..1]).unwrap_err();
    assert_eq!(refusal(e), RequestRefusal::AlreadySigned);

    // Declined, then approved: refused; declined twice: refused.
    let id = w.request("alice", card.clone(), 9, false);
    let fetched = alice.client.fetch(std::slice::from_ref(&id)).unwrap();
    let approval = alice.sign_on_card(&fetched);
    alice.client.decline(&id, "not mine").unwrap();
    assert_eq!(
        alice.client.approve(approval).unwrap(),
        vec![Err(RequestRefusal::AlreadyDeclined)]
    );
    let e = alice.client.decline(&id, "again").unwrap_err();
    assert_eq!(refusal(e), RequestRefusal::AlreadyDeclined);
    let r = w.requests.get(&id).unwrap().unwrap();
    assert_eq!(r.state, RequestState::Declined);
    assert_eq!(r.decline_reason.as_deref(), Some("not mine"));

    // Another account's request does not exist for this device.
    let mut bob = w.enroll("bob", *b"BOB00003");
    let bobs = w.request("bob", KeyRef::Card(bob.card_id.clone()), 1, true);
    let e = alice.client.fetch(std::slice::from_ref(&bobs)).unwrap_err();
    assert_eq!(refusal(e), RequestRefusal::NotFound);
    let fetched = bob.client.fetch(std::slice::from_ref(&bobs)).unwrap();
    let approval = bob.sign_on_card(&fetched);
    assert_eq!(
        alice.client.approve(approval).unwrap(),
        vec![Err(RequestRefusal::NotFound)]
    );
    // Too many at once.
    let e = alice.client.fetch(&vec![bobs; 17]).unwrap_err();
    assert_eq!(refusal(e), RequestRefusal::TooMany);
    let e = approve_with(&mut other, &other_cert, &vec![fetched[0].clone(); 17]).unwrap_err();
    assert_eq!(
        refusal(e),
        RequestRefusal::TooMany,
        "refused before any signature"
    );
}

#[test]
fn expired_requests_and_revoked_devices_are_refused() {
    let w = world();
    let mut alice = w.enroll("alice", *b"ALICE004");
    let id = w
        .desk
        .create(
            "bank",
            NewRequest {
                account: "alice".into(),
                title: "soon gone".into(),
                content: Content::Document(b"doc".to_vec().into()),
                key: KeyRef::Card(alice.card_id.clone()),
                detached: false,
                deadline: now() + 60,
            },
            now(),
        )
        .unwrap();
    let fetched = alice.client.fetch(std::slice::from_ref(&id.id)).unwrap();
    let approval = alice.sign_on_card(&fetched);
    // Two minutes later on the server's clock (within the credential's window).
    w.net.skew.store(120, Ordering::SeqCst);
    assert_eq!(
        alice.client.approve(approval).unwrap(),
        vec![Err(RequestRefusal::Expired)]
    );
    assert!(alice.client.pending().unwrap().is_empty());
    let expired = w.requests.expire(now() + 120).unwrap();
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0].state, RequestState::Expired);
    w.net.skew.store(0, Ordering::SeqCst);

    w.pairing.revoke_device(alice.credential.device_id());
    let e = alice.client.pending().unwrap_err();
    match e {
        Error::TwoParty {
            fault: TwoPartyFault::AccessRefused { revoked, .. },
        } => assert!(revoked),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_gateway_without_a_desk_says_unavailable() {
    let kek = Key256::from_bytes([7; 32]);
    let server = Arc::new(Server::new(
        Arc::new(MemoryShareStore::new()),
        Arc::new(MemoryNoncePool::new()),
        &kek,
        ServerConfig::default(),
    ));
    let w = world();
    let phone = w.enroll("carol", *b"CAROL001");
    // The same device store behind a gateway that serves no requests.
    let bare = Arc::new(Net {
        gateway: Gateway::new(
            w.pairing.clone(),
            server,
            SigningKey::generate(PAIRING_CURVE, &mut os_rng()),
            &kek,
            GatewayConfig::default(),
        ),
        skew: AtomicI64::new(0),
        count: AtomicUsize::new(0),
        outcomes: Mutex::new(Vec::new()),
    });
    let client = RequestClient::new(phone.credential.clone(), bare);
    assert_eq!(
        refusal(client.pending().unwrap_err()),
        RequestRefusal::Unavailable
    );
}
