//! Issue 13's end-to-end acceptance over HTTP on loopback: a backend posts
//! 20 signing requests with its API key; the paired phone approves 16 in
//! one tap on a virtual card (one sign exchange, counted) and 4 with its
//! two-party key; OpenSSL's gost-engine verifies every CMS the backend gets
//! back; the backend's webhook receiver fails its first delivery and still
//! gets each completion exactly once, each signature checked with the
//! verification helper. Also run against PostgreSQL by
//! `tests/e2e/server_postgres.sh`.

mod common;
#[path = "../../core/tests/openssl_common/mod.rs"]
mod openssl_common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use common::{HttpChannel, PIN, TOKEN, TestServer, agent, device_config, now_secs};
use fkn_core::Error;
use fkn_core::crypto::ec::{CurveId, SigningKey, VerifyingKey};
use fkn_core::crypto::os_rng;
use fkn_core::distributed::{Device, DeviceKey, KeyId, MemorySecureStore, TwoPartyFault};
use fkn_core::onboarding::{DeviceCredential, SignedChannel, pair};
use fkn_core::pki::{Subject, cert, csr};
use fkn_core::requests::{
    RequestClient, RequestRefusal, WebhookError, approve_on_token, approve_with, sign_webhook,
    verify_webhook,
};
use fkn_core::token::{TokenSession, TokenSigner};
use fkn_testkit::CountingTransport;
use fkn_vtoken::{OsRandom, TokenConfig, TokenState, VirtualToken, VirtualTokenTransport};
use openssl_common::{gost_ok, openssl_cms_verify};
use serde_json::{Value, json};

const CARD_KEY: &[u8] = b"card-1";
const CARD_PIN: &str = "2468";

type Card = TokenSession<CountingTransport<VirtualTokenTransport>>;

/// One webhook delivery as the receiver got it.
#[derive(Clone, Debug)]
struct Hook {
    timestamp: String,
    signature: String,
    body: Vec<u8>,
}

/// The backend's webhook receiver on 127.0.0.1: answers 500 to its first
/// delivery, 200 to the rest, and keeps what it accepted.
struct Receiver {
    url: String,
    attempts: Arc<AtomicUsize>,
    accepted: Arc<Mutex<Vec<Hook>>>,
    _rt: tokio::runtime::Runtime,
}

impl Receiver {
    fn start() -> Receiver {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let attempts = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::new(Mutex::new(Vec::new()));
        let (a, acc) = (attempts.clone(), accepted.clone());
        let handler = move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let (a, acc) = (a.clone(), acc.clone());
            async move {
                if a.fetch_add(1, Ordering::SeqCst) == 0 {
                    return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                }
                let h = |n: &str| {
                    headers
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned()
                };
                acc.lock().unwrap().push(Hook {
                    timestamp: h("fkn-timestamp"),
                    signature: h("fkn-signature"),
                    body: body.to_vec(),
                });
                axum::http::StatusCode::NO_CONTENT
            }
        };
        let app = axum::Router::new().route("/hook", axum::routing::post(handler));
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        rt.spawn(async move { axum::serve(listener, app).await });
        Receiver {
            url,
            attempts,
            accepted,
            _rt: rt,
        }
    }

    /// Waits (at most a minute) until `n` deliveries were accepted.
    fn wait_for(&self, n: usize) -> Vec<Hook> {
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.accepted.lock().unwrap().clone();
            if got.len() >= n || Instant::now() > until {
                return got;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// A backend's view of the API.
struct Backend {
    base: String,
    key: String,
    server_key: VerifyingKey,
}

impl Backend {
    fn register(srv: &TestServer, name: &str, webhook: Option<&str>) -> Backend {
        // Unique: the tests share one database on PostgreSQL.
        let name = common::unique(name);
        let (status, v) = srv.admin().post(
            "/admin/v1/backends",
            json!({ "name": name, "webhook_url": webhook }),
        );
        assert_eq!(status, 201, "{v}");
        let server_key = hex::decode(v["server_key"].as_str().unwrap()).unwrap();
        Backend {
            base: srv.base.clone(),
            key: v["api_key"].as_str().unwrap().to_owned(),
            server_key: VerifyingKey::from_bytes(CurveId::Tc26_256A, &server_key).unwrap(),
        }
    }

    fn call(&self, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let auth = format!("Bearer {}", self.key);
        let mut resp = match body {
            None => agent().get(&url).header("authorization", &auth).call(),
            Some(b) => agent()
                .post(&url)
                .header("authorization", &auth)
                .header("content-type", "application/json")
                .send(b.to_string()),
        }
        .unwrap();
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    fn create(&self, body: Value) -> (u16, Value) {
        self.call("/api/v1/requests", Some(body))
    }

    fn document(&self, account: &str, key: Value, doc: &[u8], detached: bool) -> String {
        let (status, v) = self.create(json!({
            "account": account,
            "title": "contract",
            "document": B64.encode(doc),
            "key": key,
            "detached": detached,
            "ttl_seconds": 600,
        }));
        assert_eq!(status, 201, "{v}");
        assert_eq!(v["state"], "pending");
        v["id"].as_str().unwrap().to_owned()
    }

    fn show(&self, id: &str, wait: u64) -> Value {
        let (status, v) = self.call(&format!("/api/v1/requests/{id}?wait={wait}"), None);
        assert_eq!(status, 200, "{v}");
        v
    }
}

/// A phone enrolled on the server with a two-party key and a virtual card.
struct Phone {
    account: String,
    card: Card,
    card_id: String,
    card_cert: Vec<u8>,
    key_id: KeyId,
    store: Arc<MemorySecureStore>,
    credential: Arc<DeviceCredential>,
    http: Arc<HttpChannel>,
    client: RequestClient,
}

fn virtual_card() -> Card {
    let state = TokenState::with_pins(
        *b"REQUEST1",
        "card",
        CARD_PIN,
        "87654321",
        CurveId::Tc26_256A,
        &mut OsRandom,
    )
    .unwrap()
    .with_config(TokenConfig {
        extended_length: true,
        max_response_data: 65536,
        ..TokenConfig::default()
    })
    .unwrap();
    let link = CountingTransport::new(VirtualTokenTransport::new(VirtualToken::new(state)));
    let mut s = TokenSession::open(link).unwrap();
    s.authenticate(CARD_PIN).unwrap();
    s
}

fn enroll(srv: &TestServer) -> Phone {
    let uri = common::enrollment(&srv.base, TOKEN);
    let http = Arc::new(HttpChannel::new(&srv.base));
    let session = pair(&uri, http.clone(), now_secs()).expect("pairing");
    let store = Arc::new(MemorySecureStore::new());
    let key_id = KeyId::new(&common::unique("2p")).unwrap();
    Device::new(store.clone(), session.channel(), device_config())
        .generate(&key_id, CurveId::Tc26_256A, PIN)
        .expect("two-party keygen");
    let mut card = virtual_card();
    let info = card
        .generate_key(CARD_KEY, CurveId::Tc26_256A, "signing")
        .unwrap();
    let (request, card_cert) = {
        let mut signer = TokenSigner::new(&mut card, &info);
        let subject = Subject::new().common_name(&uri.account);
        (
            csr::build_csr(&mut signer, &subject, &csr::CsrOptions::default()).unwrap(),
            cert::self_signed(&mut signer, &subject, 30).unwrap(),
        )
    };
    let card_id = session.register_card("card", &request).expect("card");
    let credential = Arc::new(session.finish(&*store).expect("finish"));
    let client = RequestClient::new(credential.clone(), http.clone());
    Phone {
        account: uri.account.clone(),
        card,
        card_id,
        card_cert,
        key_id,
        store,
        credential,
        http,
        client,
    }
}

impl Phone {
    fn two_party(&self) -> DeviceKey {
        Device::new(
            self.store.clone(),
            Arc::new(SignedChannel::new(
                self.credential.clone(),
                self.http.clone(),
            )),
            device_config(),
        )
        .unlock(&self.key_id, PIN)
        .unwrap()
    }
}

fn verify_in_openssl(v: &Value, doc: &[u8], signer: &[u8]) {
    let der = B64.decode(v["cms"].as_str().expect("cms")).unwrap();
    if !gost_ok() {
        return;
    }
    let detached = v["detached"].as_bool().unwrap();
    let (ok, content, out) = openssl_cms_verify(&der, detached.then_some(doc), signer);
    assert!(ok, "{out}");
    assert_eq!(content, doc, "OpenSSL's view of the signed content");
}

#[test]
fn twenty_requests_one_tap_for_sixteen_and_webhooks_exactly_once() {
    let srv = TestServer::start();
    let receiver = Receiver::start();
    let backend = Backend::register(&srv, "bank", Some(&receiver.url));
    let mut phone = enroll(&srv);
    let card = json!({ "card": phone.card_id });
    let two_party = json!({ "distributed": phone.key_id.as_str() });

    let doc = |n: usize| format!("Contract {n}: the parties agree.\n").into_bytes();
    let by_card: Vec<String> = (0..16)
        .map(|n| backend.document(&phone.account, card.clone(), &doc(n), n % 2 == 0))
        .collect();
    let by_two_party: Vec<String> = (16..20)
        .map(|n| backend.document(&phone.account, two_party.clone(), &doc(n), n % 2 == 0))
        .collect();

    let before = phone.http.sent.lock().unwrap().len();
    assert_eq!(phone.client.pending().unwrap().len(), 20);
    let fetched = phone.client.fetch(&by_card).unwrap();
    let exchanges = phone.card.transport().stats().exchanges;
    let approvals =
        approve_on_token(&mut phone.card, CARD_KEY, &phone.card_cert, &fetched).unwrap();
    assert_eq!(
        phone.card.transport().stats().exchanges - exchanges,
        1,
        "16 signatures, one sign APDU"
    );
    let results = phone.client.approve(approvals).unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(
        phone.http.sent.lock().unwrap().len() - before,
        3,
        "list, fetch, approve: three server round trips for sixteen signatures"
    );

    let fetched = phone.client.fetch(&by_two_party).unwrap();
    let mut key = phone.two_party();
    let cert_2p = cert::self_signed(&mut key, &Subject::new().common_name("2p"), 30).unwrap();
    let approvals = approve_with(&mut key, &cert_2p, &fetched).unwrap();
    let results = phone.client.approve(approvals).unwrap();
    assert!(results.iter().all(Result::is_ok), "{results:?}");

    // The backend reads every result; OpenSSL verifies every CMS.
    for (n, id) in by_card.iter().chain(&by_two_party).enumerate() {
        let v = backend.show(id, 0);
        assert_eq!(v["state"], "signed", "{v}");
        assert_eq!(v["device"], phone.credential.device_id());
        let signer = if n < 16 { &phone.card_cert } else { &cert_2p };
        verify_in_openssl(&v, &doc(n), signer);
    }

    // At rest the documents and signatures are sealed under the KEK (request
    // 1 is attached: its CMS holds the document).
    let row = srv
        .rt
        .block_on(
            sqlx::query("SELECT content, cms FROM signing_requests WHERE id = $1")
                .bind(&by_card[1])
                .fetch_one(srv.state.db.pool()),
        )
        .unwrap();
    use sqlx::Row;
    let stored: String = row.try_get("content").unwrap();
    let cms: String = row.try_get("cms").unwrap();
    assert!(!stored.contains(&hex::encode(doc(1))), "document in clear");
    assert!(
        !cms.contains(&hex::encode(doc(1))),
        "attached document in clear"
    );

    // Each completion announced once, though the first delivery failed.
    let hooks = receiver.wait_for(20);
    assert_eq!(hooks.len(), 20, "{hooks:?}");
    let mut per_request: HashMap<String, usize> = HashMap::new();
    for h in &hooks {
        verify_webhook(
            &backend.server_key,
            &h.timestamp,
            &h.signature,
            &h.body,
            now_secs(),
            300,
        )
        .expect("signed by the server");
        let v: Value = serde_json::from_slice(&h.body).unwrap();
        assert_eq!(v["state"], "signed");
        assert_eq!(v["account"], phone.account.as_str());
        *per_request
            .entry(v["request_id"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    for id in by_card.iter().chain(&by_two_party) {
        assert_eq!(per_request.get(id), Some(&1), "{id}: {per_request:?}");
    }
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        receiver.accepted.lock().unwrap().len(),
        20,
        "no second delivery"
    );
    assert_eq!(
        receiver.attempts.load(Ordering::SeqCst),
        21,
        "20 + the failed one"
    );

    // A forged webhook is detected by the helper.
    let h = &hooks[0];
    let mut forged = h.body.clone();
    let at = forged.len() - 2;
    forged[at] ^= 1;
    assert_eq!(
        verify_webhook(
            &backend.server_key,
            &h.timestamp,
            &h.signature,
            &forged,
            now_secs(),
            300
        ),
        Err(WebhookError::BadSignature)
    );
    let impostor = SigningKey::generate(CurveId::Tc26_256A, &mut os_rng());
    let ts = now_secs();
    let fake = sign_webhook(&impostor, ts, &h.body);
    assert_eq!(
        verify_webhook(
            &backend.server_key,
            &ts.to_string(),
            &fake,
            &h.body,
            ts,
            300
        ),
        Err(WebhookError::BadSignature)
    );

    let events: Vec<String> = srv
        .admin()
        .get(&format!("/admin/v1/audit?account_id={}", phone.account))["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["account_id"] == phone.account.as_str())
        .map(|r| r["event"].as_str().unwrap().to_owned())
        .collect();
    let count = |e: &str| events.iter().filter(|x| *x == e).count();
    assert_eq!(count("request_created"), 20, "{events:?}");
    assert_eq!(count("request_signed"), 20, "{events:?}");
}

#[test]
fn refusals_over_http_and_a_long_poll_that_sees_a_decline() {
    let srv = TestServer::start();
    let backend = Backend::register(&srv, "bank", None);
    let other_backend = Backend::register(&srv, "shop", None);
    // Names are unique: a second one is refused, not a server error.
    let dup = common::unique("dup");
    let (status, v) = srv
        .admin()
        .post("/admin/v1/backends", json!({ "name": dup }));
    assert_eq!(status, 201, "{v}");
    let (status, v) = srv
        .admin()
        .post("/admin/v1/backends", json!({ "name": dup }));
    assert_eq!(status, 400, "{v}");
    assert!(v["error"].as_str().unwrap().contains("exists"), "{v}");
    let mut alice = enroll(&srv);
    let bob = enroll(&srv);

    // Another account's key, a bad key, nothing to sign: 400 with a reason.
    let (status, v) = backend.create(json!({
        "account": bob.account, "title": "t", "document": B64.encode(b"doc"),
        "key": { "card": alice.card_id },
    }));
    assert_eq!(status, 400, "{v}");
    assert!(
        v["error"].as_str().unwrap().contains("no active card key"),
        "{v}"
    );
    let (status, _) = backend.create(json!({
        "account": alice.account, "title": "t", "key": { "card": alice.card_id },
    }));
    assert_eq!(status, 400);
    let (status, v) = backend.create(json!({
        "account": alice.account, "title": "t", "digest": "00ff", "summary": "s",
        "key": { "card": alice.card_id },
    }));
    assert_eq!(status, 400, "{v}");
    // No or another backend's key.
    let nobody = Backend {
        key: "fknb_wrong".into(),
        ..Backend::register(&srv, "x", None)
    };
    assert_eq!(nobody.call("/api/v1/requests/x", None).0, 401);

    let doc = b"Order: 10 units.\n";
    let id = backend.document(&alice.account, json!({ "card": alice.card_id }), doc, true);
    assert_eq!(
        other_backend
            .call(&format!("/api/v1/requests/{id}"), None)
            .0,
        404,
        "a backend sees only its own requests"
    );

    // A long poll returns when the phone declines.
    let waiting = {
        let (base, key, id) = (backend.base.clone(), backend.key.clone(), id.clone());
        std::thread::spawn(move || {
            let b = Backend {
                base,
                key,
                server_key: SigningKey::generate(CurveId::Tc26_256A, &mut os_rng()).verifying_key(),
            };
            b.show(&id, 30)
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    alice.client.decline(&id, "wrong quantity").unwrap();
    let v = waiting.join().unwrap();
    assert_eq!(v["state"], "declined", "{v}");
    assert_eq!(v["decline_reason"], "wrong quantity");

    // A signature for a declined request, and for another content.
    let fetched_late = {
        let id2 = backend.document(&alice.account, json!({ "card": alice.card_id }), doc, false);
        alice.client.fetch(&[id2]).unwrap()
    };
    let mut wrong = fetched_late.clone();
    wrong[0].id = id.clone();
    let approvals = approve_on_token(&mut alice.card, CARD_KEY, &alice.card_cert, &wrong).unwrap();
    assert_eq!(
        alice.client.approve(approvals).unwrap(),
        vec![Err(RequestRefusal::AlreadyDeclined)]
    );

    // A revoked device is refused.
    let (status, v) = srv.admin().post(
        &format!("/admin/v1/devices/{}/revoke", alice.credential.device_id()),
        json!({}),
    );
    assert_eq!(status, 200, "{v}");
    match alice.client.pending().unwrap_err() {
        Error::TwoParty {
            fault: TwoPartyFault::AccessRefused { revoked, .. },
        } => assert!(revoked),
        other => panic!("{other:?}"),
    }
    let _ = bob;
}
