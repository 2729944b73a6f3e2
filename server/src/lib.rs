//! `fkn-server`: the server half of two-party GOST keys over HTTP, with
//! one-time enrollments and an operator API.
//!
//! | module | role |
//! |---|---|
//! | [`config`] | flags, environment, generated defaults |
//! | [`storage`] | SQLite/PostgreSQL through sqlx; the core's stores over it |
//! | [`http`] | `POST /v1/device` (pairing, signed two-party requests), `GET /healthz` |
//! | [`admin`] | `/admin/v1/...` behind the admin token |
//! | [`backend`] | `/api/v1/requests`: signing requests, behind a backend's API key |
//! | [`webhooks`] | the worker expiring requests and delivering signed webhooks |
//! | [`operator`] | `/operator`: the operator's HTML page |
//! | [`enroll`], [`qr`] | enrollments and their QR codes |
//! | [`secrets`] | the key-encryption key, the server identity key |
//! | [`start`] | what the binary (and `fkn server run`) does at start-up |
//!
//! Every piece of state is in the database, so several instances can share
//! one PostgreSQL.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used))]

pub mod admin;
pub mod backend;
pub mod config;
pub mod enroll;
pub mod http;
pub mod operator;
pub mod qr;
pub mod secrets;
pub mod start;
pub mod storage;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use fkn_core::distributed::Server;
use fkn_core::onboarding::{Gateway, GatewayConfig};
use fkn_core::requests::RequestDesk;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use zeroize::Zeroizing;

use crate::config::Config;
use crate::secrets::{Identity, Kek, SecretError};
use crate::storage::bridge::{SqlPairingStore, SqlRequestStore, SqlStores};
use crate::storage::{Db, StorageError};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The database.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The KEK does not open the stored secrets.
    #[error(transparent)]
    Secret(#[from] SecretError),
    /// Binding or serving.
    #[error("cannot listen: {0}; choose another --listen address")]
    Io(#[from] std::io::Error),
}

/// What every handler shares; cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The contents of [`AppState`].
pub struct Inner {
    /// The core two-party server over the database.
    pub core: Arc<Server>,
    /// The device endpoint in front of it: pairing, signed two-party
    /// requests, signing-request calls.
    pub gateway: Arc<Gateway>,
    /// Signing requests.
    pub desk: Arc<RequestDesk>,
    /// Woken when a signing request changes state in this instance (long polls).
    pub changed: Arc<Notify>,
    /// The database.
    pub db: Db,
    /// The admin bearer token.
    pub admin_token: Zeroizing<String>,
    /// The key-encryption key.
    pub kek: Kek,
    /// The server's identity key.
    pub identity: Identity,
    /// Base URL put into enrollment codes.
    pub public_url: String,
    /// Wrong PINs before a key locks.
    pub max_pin_failures: u32,
}

impl core::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// Connects the database (migrating it) and loads the identity key.
    pub async fn open(config: &Config, public_url: String) -> Result<AppState, StartError> {
        let db = Db::connect(&config.database_url).await?;
        let kek = Kek::new(&config.kek);
        let identity = Identity::load_or_create(&db, &kek).await?;
        let stores = Arc::new(SqlStores::new(
            db.clone(),
            tokio::runtime::Handle::current(),
        ));
        let core = Arc::new(Server::new(
            stores.clone(),
            stores.clone(),
            &config.kek,
            config.server.clone(),
        ));
        let pairing = Arc::new(SqlPairingStore::new(
            (*stores).clone(),
            Kek::new(&config.kek),
        ));
        let desk = Arc::new(RequestDesk::new(
            Arc::new(SqlRequestStore::new(
                (*stores).clone(),
                Kek::new(&config.kek),
            )),
            pairing.clone(),
            core.clone(),
        ));
        let gateway = Gateway::new(
            pairing,
            core.clone(),
            identity.signing_key().clone(),
            &config.kek,
            GatewayConfig::default(),
        )
        .with_requests(desk.clone());
        Ok(AppState(Arc::new(Inner {
            core,
            gateway: Arc::new(gateway),
            desk,
            changed: Arc::new(Notify::new()),
            db,
            admin_token: config.admin_token.clone(),
            kek,
            identity,
            public_url,
            max_pin_failures: config.server.max_pin_failures,
        })))
    }
}

/// Every route.
pub fn router(state: AppState) -> Router {
    let admin = Router::new()
        .route("/enrollments", post(admin::create_enrollment))
        .route("/accounts", get(admin::accounts))
        .route("/devices", get(admin::devices))
        .route("/keys", get(admin::keys))
        .route("/keys/{key_id}/revoke", post(admin::revoke))
        .route("/keys/{key_id}/unlock", post(admin::unlock))
        .route("/devices/{device_id}/revoke", post(admin::revoke_device))
        .route("/cards", get(admin::cards))
        .route(
            "/backends",
            get(admin::backends).post(admin::create_backend),
        )
        .route("/backends/{backend_id}/revoke", post(admin::revoke_backend))
        .route("/audit", get(admin::audit))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            admin::require_token,
        ));
    let api = Router::new()
        .route("/requests", post(backend::create))
        .route("/requests/{id}", get(backend::show))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            backend::require_key,
        ))
        .layer(DefaultBodyLimit::max(backend::MAX_BODY));
    Router::new()
        .route(
            "/v1/device",
            post(http::device).layer(DefaultBodyLimit::max(
                fkn_core::onboarding::wire::MAX_CALL_MESSAGE,
            )),
        )
        .nest("/api/v1", api)
        .route("/healthz", get(http::healthz))
        .nest("/admin/v1", admin)
        .route("/operator", get(operator::index))
        .route("/operator/login", post(operator::login))
        .route("/operator/enrollments", post(operator::create_enrollment))
        .route("/operator/keys/{key_id}/{action}", post(operator::key))
        .route(
            "/operator/devices/{device_id}/revoke",
            post(operator::device),
        )
        .layer(DefaultBodyLimit::max(http::MAX_REQUEST))
        .with_state(state)
}

/// A server bound to its address, not yet serving.
pub struct Bound {
    /// The listening socket.
    pub listener: TcpListener,
    /// Its address (the real port when 0 was asked for).
    pub addr: SocketAddr,
    /// The shared state.
    pub state: AppState,
}

/// Binds `listen` and opens the state; the public URL defaults to
/// `http://` + the bound address.
pub async fn bind(config: &Config, listen: SocketAddr) -> Result<Bound, StartError> {
    let listener = TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"));
    let state = AppState::open(config, public_url).await?;
    Ok(Bound {
        listener,
        addr,
        state,
    })
}

impl Bound {
    /// Serves until `shutdown` resolves, then finishes the requests in
    /// flight and closes the database.
    pub async fn serve(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let db = self.state.db.clone();
        let worker = tokio::spawn(webhooks::run(self.state.clone()));
        let served = axum::serve(self.listener, router(self.state))
            .with_graceful_shutdown(shutdown)
            .await;
        worker.abort();
        let _ = worker.await;
        served?;
        db.close().await;
        Ok(())
    }
}
