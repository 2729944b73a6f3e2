//! The operator's API under `/admin/v1`, behind `Authorization: Bearer
//! <admin token>` (compared in constant time).

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fkn_core::distributed::{DistributedError, KeyId, Refusal};
use serde_json::json;

use crate::AppState;
use crate::enroll::{self, DEFAULT_TTL, EnrollError};
use crate::storage::audit::AuditEvent;
use crate::storage::{StorageError, now_secs};

/// An admin API failure, as JSON `{"error": "..."}`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AdminError {
    /// No or wrong bearer token.
    #[error(
        "missing or wrong admin token: send Authorization: Bearer <token> (printed at start-up)"
    )]
    Unauthorized,
    /// A bad argument.
    #[error("{0}")]
    BadRequest(String),
    /// No such key.
    #[error("no such key or device")]
    NotFound,
    /// The server failed; details are in its log.
    #[error("internal error; see the server log")]
    Internal,
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let status = match self {
            AdminError::Unauthorized => StatusCode::UNAUTHORIZED,
            AdminError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AdminError::NotFound => StatusCode::NOT_FOUND,
            AdminError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut r = (status, Json(json!({ "error": self.to_string() }))).into_response();
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        r
    }
}

impl From<StorageError> for AdminError {
    fn from(e: StorageError) -> Self {
        tracing::error!(error = %e, "admin request failed");
        AdminError::Internal
    }
}

impl From<EnrollError> for AdminError {
    fn from(e: EnrollError) -> Self {
        match e {
            EnrollError::Invalid(_) | EnrollError::Ttl => AdminError::BadRequest(e.to_string()),
            EnrollError::Qr(_) | EnrollError::Storage(_) => {
                tracing::error!(error = %e, "enrollment failed");
                AdminError::Internal
            }
        }
    }
}

/// Whether `headers` carry the admin token (or a cookie of it, for the
/// operator page).
pub fn authorized(state: &AppState, headers: &HeaderMap) -> bool {
    let expected = state.admin_token.as_bytes();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    bearer.is_some_and(|t| fkn_core::crypto::mac::ct_eq(t.trim().as_bytes(), expected))
}

/// Middleware refusing requests without the admin token.
pub async fn require_token(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if authorized(&state, req.headers()) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "admin request without a valid token");
        AdminError::Unauthorized.into_response()
    }
}

/// Body of `POST /admin/v1/enrollments`.
#[derive(Debug, serde::Deserialize)]
pub struct EnrollmentRequest {
    /// Account id (created if new).
    pub account: String,
    /// Lifetime in seconds (default one day).
    pub ttl_seconds: Option<u64>,
}

/// `POST /admin/v1/enrollments`.
pub async fn create_enrollment(
    State(state): State<AppState>,
    Json(req): Json<EnrollmentRequest>,
) -> Result<Response, AdminError> {
    let c = enroll::create(&state, &req.account, req.ttl_seconds.unwrap_or(DEFAULT_TTL)).await?;
    let body = json!({
        "id": c.id,
        "account": c.account,
        "code": c.code.as_str(),
        "uri": c.uri.as_str(),
        "expires_at": c.expires_at,
        "qr": c.qr,
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /admin/v1/accounts`.
pub async fn accounts(State(state): State<AppState>) -> Result<Response, AdminError> {
    let rows = state.db.list_accounts(now_secs()).await?;
    Ok(Json(json!({ "accounts": rows })).into_response())
}

/// `GET /admin/v1/devices`.
pub async fn devices(State(state): State<AppState>) -> Result<Response, AdminError> {
    let rows = state.db.list_devices().await?;
    Ok(Json(json!({ "devices": rows })).into_response())
}

/// `GET /admin/v1/keys`: every two-party key with its state.
pub async fn keys(State(state): State<AppState>) -> Result<Response, AdminError> {
    let max = i64::from(state.max_pin_failures);
    let rows: Vec<_> = state
        .db
        .list_records()
        .await?
        .into_iter()
        .map(|r| {
            let locked = r.state == "active" && r.failures >= max;
            json!({
                "key_id": r.key_id,
                "account_id": r.account_id,
                "curve": r.curve,
                "state": if locked { "locked" } else { r.state.as_str() },
                "epoch": r.epoch,
                "failures": r.failures,
                "public_key": r.public_key,
                "created_at": r.created_at,
            })
        })
        .collect();
    Ok(Json(json!({ "keys": rows })).into_response())
}

/// Filters of `GET /admin/v1/audit`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct AuditQuery {
    /// Only this key's rows.
    pub key_id: Option<String>,
    /// Only this account's rows.
    pub account_id: Option<String>,
}

/// `GET /admin/v1/audit[?key_id=..|account_id=..]`: the latest 500 rows.
pub async fn audit(
    State(state): State<AppState>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, AdminError> {
    let rows = state
        .db
        .audit_rows(500, q.key_id.as_deref(), q.account_id.as_deref())
        .await?;
    Ok(Json(json!({ "audit": rows })).into_response())
}

/// What the operator does to a key.
#[derive(Clone, Copy, Debug)]
pub enum KeyAction {
    /// Revoke for good.
    Revoke,
    /// Clear the wrong-PIN count.
    Unlock,
}

/// Revokes or unlocks a key through the core server, audited.
pub async fn key_action(
    state: &AppState,
    key_id: &str,
    action: KeyAction,
) -> Result<(), AdminError> {
    let id = KeyId::new(key_id).map_err(|e| AdminError::BadRequest(e.to_string()))?;
    let core = state.core.clone();
    let id2 = id.clone();
    let done = tokio::task::spawn_blocking(move || match action {
        KeyAction::Revoke => core.revoke(&id2),
        KeyAction::Unlock => core.unlock(&id2),
    })
    .await
    .map_err(|_| AdminError::Internal)?;
    match done {
        Ok(()) => {}
        Err(DistributedError::Refused(Refusal::UnknownKey)) => return Err(AdminError::NotFound),
        Err(e) => {
            tracing::error!(error = %e, key_id, "key action failed");
            return Err(AdminError::Internal);
        }
    }
    let event = match action {
        KeyAction::Revoke => AuditEvent::Revoked,
        KeyAction::Unlock => AuditEvent::Unlocked,
    };
    state
        .db
        .audit(event, None, Some(id.as_str()), "by the operator")
        .await?;
    tracing::info!(key_id, action = ?action, "key action");
    Ok(())
}

/// `POST /admin/v1/keys/{key_id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Path(key_id): Path<String>,
) -> Result<Response, AdminError> {
    key_action(&state, &key_id, KeyAction::Revoke).await?;
    Ok(Json(json!({ "key_id": key_id, "state": "revoked" })).into_response())
}

/// `POST /admin/v1/keys/{key_id}/unlock`.
pub async fn unlock(
    State(state): State<AppState>,
    Path(key_id): Path<String>,
) -> Result<Response, AdminError> {
    key_action(&state, &key_id, KeyAction::Unlock).await?;
    Ok(Json(json!({ "key_id": key_id, "state": "active" })).into_response())
}

/// `POST /admin/v1/devices/{device_id}/revoke`: the device's signed requests
/// are refused from now on.
pub async fn revoke_device(
    State(state): State<AppState>,
    Path(device_id): Path<String>,
) -> Result<Response, AdminError> {
    revoke_device_audited(&state, &device_id).await?;
    Ok(Json(json!({ "device_id": device_id, "revoked": true })).into_response())
}

/// Revokes a device and audits it (the admin API and the operator page).
pub async fn revoke_device_audited(state: &AppState, device_id: &str) -> Result<(), AdminError> {
    if !state.db.revoke_device(device_id).await? {
        return Err(AdminError::NotFound);
    }
    state
        .db
        .audit(
            AuditEvent::DeviceRevoked,
            None,
            None,
            &format!("device {device_id}"),
        )
        .await?;
    tracing::info!(device = %device_id, "device revoked");
    Ok(())
}

/// `GET /admin/v1/cards`: card keys registered at enrollment.
pub async fn cards(State(state): State<AppState>) -> Result<Response, AdminError> {
    let cards: Vec<_> = state
        .db
        .list_cards()
        .await?
        .into_iter()
        .map(|c| {
            json!({
                "id": c.id,
                "account": c.account,
                "device_id": c.device_id,
                "label": c.label,
                "curve": c.curve.name(),
                "public_key": hex::encode(c.public_key),
                "csr": hex::encode(c.csr),
            })
        })
        .collect();
    Ok(Json(json!({ "cards": cards })).into_response())
}

/// Body of `POST /admin/v1/backends`.
#[derive(Debug, serde::Deserialize)]
pub struct BackendRequest {
    /// A unique name.
    pub name: String,
    /// Where to announce completed requests (`http://...`), if anywhere.
    pub webhook_url: Option<String>,
}

/// `POST /admin/v1/backends`: registers a backend. The answer holds its API
/// key (shown only now) and the server key its webhooks are signed with.
pub async fn create_backend(
    State(state): State<AppState>,
    Json(req): Json<BackendRequest>,
) -> Result<Response, AdminError> {
    let name = req.name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(AdminError::BadRequest(
            "the name must be 1 to 100 bytes".into(),
        ));
    }
    if let Some(url) = &req.webhook_url {
        if !url.starts_with("http://") && !url.starts_with("https://") {
            return Err(AdminError::BadRequest(
                "webhook_url must be an http:// or https:// URL".into(),
            ));
        }
    }
    let (row, api_key) = match state
        .db
        .create_backend(name, req.webhook_url.as_deref())
        .await
    {
        Err(crate::storage::StorageError::Database(sqlx::Error::Database(e)))
            if e.is_unique_violation() =>
        {
            return Err(AdminError::BadRequest(format!(
                "a backend named {name:?} exists; choose another name"
            )));
        }
        other => other?,
    };
    state
        .db
        .audit(
            AuditEvent::BackendCreated,
            None,
            None,
            &format!("backend {} ({})", row.name, row.id),
        )
        .await?;
    let body = json!({
        "id": row.id,
        "name": row.name,
        "webhook_url": row.webhook_url,
        "api_key": api_key.as_str(),
        "server_key": hex::encode(state.identity.signing_key().verifying_key().to_bytes()),
        "server_key_fingerprint": hex::encode(state.identity.fingerprint()),
    });
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /admin/v1/backends`.
pub async fn backends(State(state): State<AppState>) -> Result<Response, AdminError> {
    Ok(Json(json!({ "backends": state.db.backends().await? })).into_response())
}

/// `POST /admin/v1/backends/{id}/revoke`: its API key stops working.
pub async fn revoke_backend(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AdminError> {
    if !state.db.revoke_backend(&id).await? {
        return Err(AdminError::NotFound);
    }
    state
        .db
        .audit(
            AuditEvent::BackendRevoked,
            None,
            None,
            &format!("backend {id}"),
        )
        .await?;
    Ok(Json(json!({ "revoked": id })).into_response())
}
