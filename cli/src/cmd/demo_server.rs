//! The demo's two-party part: an in-process `fkn-server` on loopback HTTP
//! (SQLite in a temporary directory), an enrollment shown as a QR code, the
//! device's pairing, a two-party key generated in the sealed session, the
//! virtual card's key registered, and a CMS signature made with the
//! two-party key and verified. Each step is a row of the demo's table, with
//! its server round trips counted like APDUs.

use std::sync::Arc;

use anyhow::Context;
use fkn_core::crypto::ec::CurveId;
use fkn_core::crypto::secret::Key256;
use fkn_core::distributed::{
    Device, DeviceConfig, DeviceKey, KeyId, MemorySecureStore, ServerConfig,
};
use fkn_core::onboarding::{DeviceCredential, EnrollmentUri, PairedSession, SignedChannel, pair};
use fkn_core::pki::{Subject, cert, cms, csr};
use fkn_core::requests::{
    Content, KeyRef, NewRequest, RequestClient, approve_on_token, approve_with,
};
use fkn_core::token::{KeyInfo, TokenSigner};
use fkn_vtoken::TokenRandom;
use zeroize::Zeroizing;

use super::demo::{DOCUMENT, Report, Session, abbrev, verify_cms};
use crate::http_channel::{HttpChannel, HttpStats};
use crate::session::pki_error;

/// The demo's account and two-party key.
const ACCOUNT: &str = "demo";
const KEY_ID: &str = "demo-main";
const CURVE: CurveId = CurveId::Tc26_256A;
/// The two-party key's PIN: the demo's device is in memory and gone at the end.
const PIN: &[u8] = b"2468";

/// A server running on its own runtime until dropped.
struct RunningServer {
    rt: tokio::runtime::Runtime,
    state: fkn_server::AppState,
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), fkn_server::StartError>>>,
    _dir: tempfile::TempDir,
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = self.rt.block_on(task);
        }
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    fkn_vtoken::OsRandom.fill_bytes(&mut b);
    b
}

/// Starts fkn-server on 127.0.0.1, any port, with a fresh SQLite database,
/// key-encryption key and admin token (none of them outlives the demo).
fn start_server() -> anyhow::Result<RunningServer> {
    let dir = tempfile::tempdir().context("cannot make the server's temporary directory")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let config = fkn_server::config::Config {
        database_url: format!("sqlite://{}?mode=rwc", dir.path().join("fkn.db").display()),
        kek: Key256::from_bytes(random_bytes::<32>()),
        admin_token: Zeroizing::new(hex::encode(random_bytes::<32>())),
        public_url: None,
        server: ServerConfig::default(),
    };
    let bound = rt.block_on(fkn_server::bind(&config, ([127, 0, 0, 1], 0).into()))?;
    let base = format!("http://{}", bound.addr);
    let state = bound.state.clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = rt.spawn(bound.serve(async {
        let _ = rx.await;
    }));
    Ok(RunningServer {
        rt,
        state,
        base,
        stop: Some(tx),
        task: Some(task),
        _dir: dir,
    })
}

/// Runs the two-party rows; `card_key` is the virtual card's tc26-256-a key.
pub(super) fn run(
    report: &mut Report,
    s: &mut Session,
    card_key: &KeyInfo,
    stats: &Arc<HttpStats>,
) -> anyhow::Result<()> {
    println!("\ntwo-party key: an fkn-server in this process, reached over loopback HTTP\n");
    let server = report.run(s, "start fkn-server (SQLite, 127.0.0.1)", |_| {
        let server = start_server()?;
        let detail = format!(
            "listening on {}, database in a temporary directory; identity key {}",
            server.base,
            abbrev(&server.state.identity.fingerprint())
        );
        Ok((server, detail))
    })?;

    let created = report.run(s, "create an enrollment (QR code below)", |_| {
        let c = server
            .rt
            .block_on(fkn_server::enroll::create(&server.state, ACCOUNT, 600))?;
        let detail = format!(
            "account {:?}, one-time 12-digit code, {}-byte URI in a version {} QR code",
            c.account,
            c.uri.len(),
            c.qr.version
        );
        Ok((c, detail))
    })?;
    // What the phone's camera would read: the URI, code included.
    println!("{}", created.qr.unicode);

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let session = report.run(s, "pair: SESPAKE with the activation code", |_| {
        let uri = EnrollmentUri::parse(&created.uri, now)?;
        let channel = Arc::new(HttpChannel::new(&uri.server, stats.clone())?);
        let session = pair(&uri, channel, now)?;
        let detail = format!(
            "the code never crossed the wire; the server proved the QR code's identity key; \
             device id {}",
            session.credential().device_id()
        );
        Ok((session, detail))
    })?;

    let store = Arc::new(MemorySecureStore::new());
    let key_id = KeyId::new(KEY_ID).map_err(fkn_core::Error::from)?;
    report.run(s, "two-party key: generate in the session", |_| {
        let device = Device::new(store.clone(), session.channel(), DeviceConfig::default());
        let q = device
            .generate(&key_id, CURVE, PIN)
            .map_err(fkn_core::Error::from)?;
        Ok((
            (),
            format!(
                "{CURVE}: d = d_dev + d_srv, neither side ever holds d; Q {}; share masked \
                 under the PIN (PBKDF2, {} iterations: most of the host time)",
                abbrev(&q.to_bytes()),
                DeviceConfig::default().pbkdf2_iterations
            ),
        ))
    })?;

    let card_id = report.run(s, "register the card's key (CSR on the card)", |s| {
        register_card(s, card_key, &session)
    })?;

    report.run(s, "finish enrollment: credential saved", |_| {
        let c = session.finish(&*store)?;
        Ok((
            (),
            format!(
                "device credential of {} for account {:?} kept in the device's store; later \
                 requests are signed with it",
                c.server(),
                c.account()
            ),
        ))
    })?;

    let (mut key, cert_der) = report.run(s, "two-party: self-signed certificate", |_| {
        let credential = Arc::new(DeviceCredential::load(&*store)?);
        let http = Arc::new(HttpChannel::new(credential.server(), stats.clone())?);
        let signed = Arc::new(SignedChannel::new(credential, http));
        let device = Device::new(store.clone(), signed, DeviceConfig::default());
        let mut key = device.unlock(&key_id, PIN).map_err(fkn_core::Error::from)?;
        let subject = Subject::new()
            .organization("FKN SDK")
            .common_name("FKN demo two-party signer");
        let der = cert::self_signed(&mut key, &subject, 30).map_err(pki_error)?;
        cert::verify_certificate_signature(&der, &der)?;
        let detail = format!(
            "{subject}, {} bytes DER; unlocked with the PIN (PBKDF2 again), signed with the \
             server over the signed channel",
            der.len()
        );
        Ok(((key, der), detail))
    })?;
    let signature = report.run(s, "two-party: CMS signature of the document", |_| {
        two_party_cms(&mut key, &cert_der)
    })?;
    report.run(s, "verify the two-party CMS signature", |_| {
        verify_cms(&signature)
    })?;
    signing_requests(
        report, s, &server, &store, stats, card_key, &card_id, &mut key, &cert_der,
    )?;
    drop(server);
    Ok(())
}

/// The backend's side: a bank asks for three signatures; the phone lists
/// and fetches them, signs the two for the card in one tap and the third
/// with the two-party key, and sends the three CMS back in one round trip.
#[allow(clippy::too_many_arguments)] // the demo's shared state, passed along
fn signing_requests(
    report: &mut Report,
    s: &mut Session,
    server: &RunningServer,
    store: &Arc<MemorySecureStore>,
    stats: &Arc<HttpStats>,
    card_key: &KeyInfo,
    card_id: &str,
    key: &mut DeviceKey,
    key_cert: &[u8],
) -> anyhow::Result<()> {
    println!(
        "
signing requests: a backend asks, the phone shows and signs
"
    );
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    report.run(s, "backend: 3 signing requests", |_| {
        let (backend, _api_key) = server
            .rt
            .block_on(server.state.db.create_backend("demo bank", None))?;
        let keys = [
            KeyRef::Card(card_id.to_owned()),
            KeyRef::Card(card_id.to_owned()),
            KeyRef::Distributed(KEY_ID.to_owned()),
        ];
        for (n, key) in keys.into_iter().enumerate() {
            let new = NewRequest {
                account: ACCOUNT.to_owned(),
                title: format!("payment order {}", n + 1),
                content: Content::Document(
                    format!("Payment order {}: 100 RUB to Alice.\n", n + 1)
                        .into_bytes()
                        .into(),
                ),
                key,
                detached: false,
                deadline: now + 600,
            };
            server
                .state
                .desk
                .create(&backend.id, new, now)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        Ok((
            (),
            "two for the card, one for the two-party key (the backend API's POST \
             /api/v1/requests does the same)"
                .to_owned(),
        ))
    })?;
    let credential = Arc::new(DeviceCredential::load(&**store)?);
    let http = Arc::new(HttpChannel::new(credential.server(), stats.clone())?);
    let client = RequestClient::new(credential, http);
    let fetched = report.run(s, "phone: list and fetch them", |_| {
        let ids: Vec<String> = client.pending()?.into_iter().map(|r| r.id).collect();
        let fetched = client.fetch(&ids)?;
        let detail = format!(
            "{} pending; the documents themselves come to the phone, which hashes what it \
             shows",
            fetched.len()
        );
        Ok((fetched, detail))
    })?;
    let (cards, two_party): (Vec<_>, Vec<_>) = fetched
        .into_iter()
        .partition(|r| matches!(r.key, KeyRef::Card(_)));
    let mut approvals = report.run(s, "card: sign 2 requests in one tap", |s| {
        let before = s.exchanges();
        let cert = s.get_certificate(&card_key.id)?;
        let read = s.exchanges() - before;
        let a = approve_on_token(s, &card_key.id, &cert, &cards)?;
        Ok((
            a,
            format!(
                "two CAdES-BES CMS, their signed attributes signed in one sign command ({} \
                 APDU); the card's certificate read first ({read} APDUs)",
                s.exchanges() - before - read
            ),
        ))
    })?;
    let more = report.run(s, "two-party: sign 1 request", |_| {
        let a = approve_with(key, key_cert, &two_party)?;
        Ok((a, "one signature, the server adding its half".to_owned()))
    })?;
    approvals.extend(more);
    report.run(s, "send the 3 approvals; server checks each", |_| {
        let n = approvals.len();
        let results = client.approve(approvals)?;
        let signed = results.iter().filter(|r| r.is_ok()).count();
        anyhow::ensure!(signed == n, "the server refused: {results:?}");
        Ok((
            (),
            format!(
                "{signed} accepted: each CMS verified over its document and against the \
                 account's registered key; the backend's webhook is queued"
            ),
        ))
    })?;
    Ok(())
}

/// The card signs a certification request for its key; the server checks
/// it and registers the key with the account.
fn register_card(
    s: &mut Session,
    card_key: &KeyInfo,
    session: &PairedSession,
) -> anyhow::Result<(String, String)> {
    let subject = Subject::new().common_name("FKN demo card");
    let der = csr::build_csr(
        &mut TokenSigner::new(s, card_key),
        &subject,
        &csr::CsrOptions::default(),
    )
    .map_err(pki_error)?;
    let id = session.register_card("demo virtual card", &der)?;
    Ok((
        id.clone(),
        format!(
            "{}-byte PKCS #10 signed on the card; the server verified it and registered the key as {}",
            der.len(),
            abbrev(id.as_bytes())
        ),
    ))
}

fn two_party_cms(key: &mut DeviceKey, cert_der: &[u8]) -> anyhow::Result<(Vec<u8>, String)> {
    let mut doc = DOCUMENT;
    let sig =
        cms::sign(key, cert_der, &mut doc, &cms::SignOptions::default()).map_err(pki_error)?;
    let detail = format!(
        "{}-byte document -> {}-byte CMS SignedData (CAdES-BES, attached); one round trip, \
         the device's half and the server's make one ordinary GOST signature",
        DOCUMENT.len(),
        sig.len()
    );
    Ok((sig, detail))
}
