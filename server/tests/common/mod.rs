//! An in-process server on 127.0.0.1:0 and a device talking to it over
//! HTTP. The database is a temporary SQLite file, or the PostgreSQL of
//! `FKN_TEST_DATABASE_URL` (see `tests/e2e/server_postgres.sh`).

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use fkn_core::crypto::ec::CurveId;
use fkn_core::crypto::secret::Key256;
use fkn_core::distributed::{
    ChannelError, Device, DeviceConfig, KeyId, MemorySecureStore, ServerChannel, ServerConfig,
};
use fkn_core::onboarding::{DeviceCredential, EnrollmentUri, SignedChannel, pair};
use fkn_server::config::Config;
use zeroize::Zeroizing;

pub const PIN: &[u8] = b"2468";
pub const TOKEN: &str = "test-admin-token-0123456789abcdef0123456789";
/// Every test shares one KEK: on a shared PostgreSQL the identity key is
/// sealed once for all of them.
pub const KEK: [u8; 32] = [0x42; 32];

/// A running server; stopped (gracefully) on drop.
pub struct TestServer {
    pub rt: tokio::runtime::Runtime,
    pub base: String,
    pub state: fkn_server::AppState,
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<Result<(), fkn_server::StartError>>>,
    _dir: tempfile::TempDir,
}

/// A unique name for ids in a shared database.
pub fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let mut b = [0u8; 4];
    rand_core::Rng::fill_bytes(&mut fkn_core::crypto::os_rng(), &mut b);
    format!(
        "{prefix}-{}-{}",
        hex::encode(b),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn database_url(dir: &std::path::Path) -> String {
    match std::env::var("FKN_TEST_DATABASE_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => format!("sqlite://{}?mode=rwc", dir.join("fkn.db").display()),
    }
}

impl TestServer {
    pub fn start() -> TestServer {
        Self::start_with(ServerConfig {
            max_pin_failures: 3,
            ..ServerConfig::default()
        })
    }

    pub fn start_with(server: ServerConfig) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let url = database_url(dir.path());
        Self::start_on(dir, url, server)
    }

    /// A server on a given database (a second instance, a restart).
    pub fn start_on(dir: tempfile::TempDir, url: String, server: ServerConfig) -> TestServer {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let config = Config {
            database_url: url.clone(),
            kek: Key256::from_bytes(KEK),
            admin_token: Zeroizing::new(TOKEN.to_owned()),
            public_url: None,
            server,
        };
        let bound = rt
            .block_on(fkn_server::bind(&config, "127.0.0.1:0".parse().unwrap()))
            .unwrap();
        let base = format!("http://{}", bound.addr);
        let state = bound.state.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = rt.spawn(bound.serve(async {
            let _ = rx.await;
        }));
        TestServer {
            rt,
            base,
            state,
            url,
            stop: Some(tx),
            task: Some(task),
            _dir: dir,
        }
    }

    pub fn device(&self) -> Device {
        device_for(&self.base)
    }

    pub fn admin(&self) -> Admin {
        Admin {
            base: self.base.clone(),
            agent: agent(),
        }
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            self.rt.block_on(task).unwrap().unwrap();
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(60)))
        .http_status_as_error(false)
        .build()
        .into()
}

/// The app's `ServerChannel`: a blocking HTTP POST per request.
pub struct HttpChannel {
    url: String,
    agent: ureq::Agent,
    /// Every request sent, for replay tests.
    pub sent: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl HttpChannel {
    pub fn new(base: &str) -> HttpChannel {
        HttpChannel {
            url: format!("{base}/v1/device"),
            agent: agent(),
            sent: std::sync::Mutex::new(Vec::new()),
        }
    }

    pub fn post(&self, request: &[u8]) -> Result<Vec<u8>, ChannelError> {
        let mut resp = self
            .agent
            .post(&self.url)
            .header("content-type", "application/cbor")
            .send(request)
            .map_err(|e| match e {
                ureq::Error::Timeout(_) => ChannelError::Timeout,
                _ => ChannelError::Unreachable,
            })?;
        let status = resp.status().as_u16();
        if status != 200 {
            return Err(ChannelError::HttpStatus(status));
        }
        resp.body_mut()
            .read_to_vec()
            .map_err(|_| ChannelError::Unreachable)
    }
}

impl ServerChannel for HttpChannel {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, ChannelError> {
        self.sent.lock().unwrap().push(request.to_vec());
        self.post(request)
    }
}

pub fn device_config() -> DeviceConfig {
    DeviceConfig {
        pbkdf2_iterations: 2,
        batch_size: 4,
    }
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A phone enrolled on `base` the way an app does it: the operator creates
/// an enrollment (admin API), the phone pairs over HTTP and saves its
/// credential. Returns the phone's store.
pub fn enrolled_store(base: &str) -> Arc<MemorySecureStore> {
    enrolled_store_with_token(base, TOKEN)
}

/// [`enrolled_store`] on a server with another admin token.
pub fn enrolled_store_with_token(base: &str, token: &str) -> Arc<MemorySecureStore> {
    let uri = enrollment(base, token);
    let store = Arc::new(MemorySecureStore::new());
    pair(&uri, Arc::new(HttpChannel::new(base)), now_secs())
        .expect("pairing")
        .finish(&*store)
        .expect("enrollment");
    store
}

/// A new enrollment for a new account, as the phone reads it from the QR code.
pub fn enrollment(base: &str, token: &str) -> EnrollmentUri {
    let admin = Admin {
        base: base.to_owned(),
        agent: agent(),
    };
    let (status, v) = admin.request(
        "POST",
        "/admin/v1/enrollments",
        Some(token),
        Some(serde_json::json!({ "account": unique("acct"), "ttl_seconds": 600 })),
    );
    assert_eq!(status, 201, "{v}");
    EnrollmentUri::parse(v["uri"].as_str().unwrap(), now_secs()).unwrap()
}

/// A paired phone's device over its signed channel to `base`.
pub fn device_for(base: &str) -> Device {
    device_on(enrolled_store(base), base)
}

/// The phone of `store` (enrolled) talking to `base` (possibly another
/// instance on the same database).
pub fn device_on(store: Arc<MemorySecureStore>, base: &str) -> Device {
    device_with_channel_on(store, base).0
}

/// A paired phone with its HTTP channel visible (every signed request it sent).
pub fn device_with_channel(base: &str) -> (Device, Arc<HttpChannel>) {
    device_with_channel_on(enrolled_store(base), base)
}

fn device_with_channel_on(store: Arc<MemorySecureStore>, base: &str) -> (Device, Arc<HttpChannel>) {
    let credential = Arc::new(DeviceCredential::load(&*store).expect("enrolled"));
    let ch = Arc::new(HttpChannel::new(base));
    let signed = Arc::new(SignedChannel::new(credential, ch.clone()));
    (Device::new(store, signed, device_config()), ch)
}

pub fn digest(curve: CurveId, seed: u8) -> Vec<u8> {
    (0..curve.digest_len())
        .map(|i| seed.wrapping_mul(31).wrapping_add(i as u8))
        .collect()
}

pub fn new_key(device: &Device, curve: CurveId) -> KeyId {
    let id = KeyId::new(&unique("k")).unwrap();
    device.generate(&id, curve, PIN).unwrap();
    id
}

/// The admin API with or without a token.
pub struct Admin {
    pub base: String,
    agent: ureq::Agent,
}

impl Admin {
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let url = format!("{}{path}", self.base);
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut resp = match (method, body) {
            ("GET", _) => {
                let mut r = self.agent.get(&url);
                if let Some(a) = &auth {
                    r = r.header("authorization", a);
                }
                r.call()
            }
            (_, body) => {
                let mut r = self
                    .agent
                    .post(&url)
                    .header("content-type", "application/json");
                if let Some(a) = &auth {
                    r = r.header("authorization", a);
                }
                r.send(body.unwrap_or(serde_json::json!({})).to_string())
            }
        }
        .unwrap();
        let status = resp.status().as_u16();
        let text = resp.body_mut().read_to_string().unwrap();
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
        (status, json)
    }

    pub fn get(&self, path: &str) -> serde_json::Value {
        let (s, v) = self.request("GET", path, Some(TOKEN), None);
        assert_eq!(s, 200, "{path}: {v}");
        v
    }

    pub fn post(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        self.request("POST", path, Some(TOKEN), Some(body))
    }

    /// Audit rows of one key, oldest first, as event names.
    pub fn audit_events(&self, key: &KeyId) -> Vec<String> {
        let v = self.get(&format!("/admin/v1/audit?key_id={key}"));
        let mut ev: Vec<String> = v["audit"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["key_id"] == key.as_str())
            .map(|r| r["event"].as_str().unwrap().to_owned())
            .collect();
        ev.reverse();
        ev
    }

    pub fn key(&self, key: &KeyId) -> serde_json::Value {
        let v = self.get("/admin/v1/keys");
        v["keys"]
            .as_array()
            .unwrap()
            .iter()
            .find(|k| k["key_id"] == key.as_str())
            .cloned()
            .unwrap_or_else(|| panic!("{key} not listed: {v}"))
    }
}
