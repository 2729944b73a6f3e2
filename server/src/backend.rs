//! The backends' API under `/api/v1`, behind `Authorization: Bearer <API
//! key>` (keys are made with `POST /admin/v1/backends`): create a signing
//! request for an account, read its state and result, optionally waiting
//! for a change (long poll). Completions are also announced by webhook
//! ([`crate::webhooks`]).

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use fkn_core::requests::{Content, CreateError, KeyRef, NewRequest, RequestState, SigningRequest};
use serde_json::{Value, json};

use crate::AppState;
use crate::storage::audit::AuditEvent;
use crate::storage::requests::BackendRow;
use crate::storage::{StorageError, now_secs};

/// Longest long poll, seconds.
pub const MAX_WAIT: u64 = 60;
/// Largest request body: a 1 MiB document in base64 and the rest.
pub const MAX_BODY: usize = fkn_core::requests::MAX_DOCUMENT * 4 / 3 + 64 * 1024;
/// Default request lifetime, seconds (one day).
pub const DEFAULT_TTL: u64 = 24 * 3600;

/// A backend API failure, as JSON `{"error": "..."}`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// No or unknown API key.
    #[error("missing or unknown API key: send Authorization: Bearer <key> (from the operator)")]
    Unauthorized,
    /// A bad argument.
    #[error("{0}")]
    BadRequest(String),
    /// No such request for this backend.
    #[error("no such signing request")]
    NotFound,
    /// The server failed; details are in its log.
    #[error("internal error; see the server log")]
    Internal,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = match self {
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(json!({ "error": self.to_string() }))).into_response()
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        tracing::error!(error = %e, "backend request failed");
        ApiError::Internal
    }
}

/// Middleware: resolves the bearer API key to its backend (a request
/// extension) or refuses.
pub async fn require_key(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|k| k.trim().to_owned());
    let backend = match key {
        Some(k) => state.db.backend_by_key(&k).await,
        None => Ok(None),
    };
    match backend {
        Ok(Some(b)) => {
            req.extensions_mut().insert(b);
            next.run(req).await
        }
        Ok(None) => {
            tracing::warn!(path = %req.uri().path(), "backend request without a valid API key");
            ApiError::Unauthorized.into_response()
        }
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The key of a request body: `{"card": id}` or `{"distributed": id}`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyBody {
    /// A card key registered at enrollment.
    Card(String),
    /// A two-party key.
    Distributed(String),
}

/// Body of `POST /api/v1/requests`: `document` (base64) or `digest` (hex)
/// with `summary`.
#[derive(Debug, serde::Deserialize)]
pub struct CreateBody {
    /// The account whose user signs.
    pub account: String,
    /// A title shown to the user.
    pub title: String,
    /// The document, base64.
    pub document: Option<String>,
    /// Or its Streebog digest (of the key's size), hex.
    pub digest: Option<String>,
    /// What a digest stands for, shown to the user.
    pub summary: Option<String>,
    /// The key.
    pub key: KeyBody,
    /// A detached CMS (default: attached for documents; always for digests).
    pub detached: Option<bool>,
    /// Lifetime in seconds (default one day, at most 30 days).
    pub ttl_seconds: Option<u64>,
}

/// `POST /api/v1/requests`.
pub async fn create(
    State(state): State<AppState>,
    axum::Extension(backend): axum::Extension<BackendRow>,
    Json(body): Json<CreateBody>,
) -> Result<Response, ApiError> {
    let content = match (&body.document, &body.digest) {
        (Some(doc), None) => Content::Document(
            B64.decode(doc)
                .map_err(|_| ApiError::BadRequest("document is not base64".into()))?
                .into(),
        ),
        (None, Some(digest)) => Content::Digest {
            digest: hex::decode(digest)
                .map_err(|_| ApiError::BadRequest("digest is not hex".into()))?
                .into(),
            summary: body.summary.clone().unwrap_or_default(),
        },
        _ => {
            return Err(ApiError::BadRequest(
                "give either document (base64) or digest (hex) with summary".into(),
            ));
        }
    };
    let digest_only = matches!(content, Content::Digest { .. });
    let now = u64::try_from(now_secs()).unwrap_or(0);
    let new = NewRequest {
        account: body.account,
        title: body.title,
        content,
        key: match body.key {
            KeyBody::Card(id) => KeyRef::Card(id),
            KeyBody::Distributed(id) => KeyRef::Distributed(id),
        },
        detached: body.detached.unwrap_or(digest_only),
        deadline: now.saturating_add(body.ttl_seconds.unwrap_or(DEFAULT_TTL)),
    };
    let desk = state.desk.clone();
    let backend_id = backend.id.clone();
    let created = tokio::task::spawn_blocking(move || desk.create(&backend_id, new, now))
        .await
        .map_err(|_| ApiError::Internal)?;
    let r = created.map_err(|e| match e {
        CreateError::Unavailable => ApiError::Internal,
        other => ApiError::BadRequest(other.to_string()),
    })?;
    let detail = format!("request {} by backend {} ({})", r.id, backend.name, r.title);
    if let Err(e) = state
        .db
        .audit(
            AuditEvent::RequestCreated,
            Some(&r.account),
            Some(r.key.id()),
            &detail,
        )
        .await
    {
        tracing::error!(error = %e, "audit write failed");
    }
    tracing::info!(request = %r.id, account = %r.account, backend = %backend.name, "signing request created");
    Ok((StatusCode::CREATED, Json(request_json(&r, now))).into_response())
}

/// Query of `GET /api/v1/requests/{id}`.
#[derive(Debug, serde::Deserialize)]
pub struct ShowQuery {
    /// Seconds to wait for the request to leave `pending` (at most 60).
    pub wait: Option<u64>,
}

/// `GET /api/v1/requests/{id}[?wait=N]`: the request, its state and, once
/// signed, its CMS. With `wait`, answers when the state changes or after
/// `wait` seconds, whichever comes first.
pub async fn show(
    State(state): State<AppState>,
    axum::Extension(backend): axum::Extension<BackendRow>,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, ApiError> {
    let wait = Duration::from_secs(q.wait.unwrap_or(0).min(MAX_WAIT));
    let until = tokio::time::Instant::now() + wait;
    loop {
        // Subscribe before reading, so a change between the read and the
        // wait is not missed.
        let changed = state.changed.notified();
        let r = state
            .db
            .request(&id, &state.kek)
            .await?
            .filter(|r| r.backend == backend.id)
            .ok_or(ApiError::NotFound)?;
        let now = u64::try_from(now_secs()).unwrap_or(0);
        if r.state_at(now) != RequestState::Pending || tokio::time::Instant::now() >= until {
            return Ok(Json(request_json(&r, now)).into_response());
        }
        // Another instance's change is not notified here: look again
        // within a second in any case.
        let _ = tokio::time::timeout_at(
            until.min(tokio::time::Instant::now() + Duration::from_secs(1)),
            changed,
        )
        .await;
    }
}

/// A request as the backend API shows it.
pub fn request_json(r: &SigningRequest, now: u64) -> Value {
    let (content_kind, size) = match &r.content {
        Content::Document(d) => ("document", d.len()),
        Content::Digest { digest, .. } => ("digest", digest.len()),
    };
    json!({
        "id": r.id,
        "account": r.account,
        "title": r.title,
        "content": content_kind,
        "content_length": size,
        "key": { r.key.kind(): r.key.id() },
        "detached": r.detached,
        "state": r.state_at(now).as_str(),
        "created_at": r.created_at,
        "deadline": r.deadline,
        "finished_at": r.finished_at,
        "device": r.device,
        "decline_reason": r.decline_reason,
        "cms": r.cms.as_ref().map(|c| B64.encode(c)),
    })
}
