//! The device-facing routes: the two-party protocol and the health check.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use fkn_core::distributed::{Outcome, Refusal, RequestKind};

use crate::AppState;
use crate::storage::audit::AuditEvent;

/// Largest request body: CBOR requests are well under 1 KiB.
pub const MAX_REQUEST: usize = 16 * 1024;

/// `POST /v1/distributed`: one CBOR request in, one CBOR response out.
///
/// The core server is synchronous and its stores block on the database, so
/// it runs on the blocking pool (see [`crate::storage::bridge`]).
pub async fn distributed(State(state): State<AppState>, body: Bytes) -> Response {
    let core = state.core.clone();
    let answer = tokio::task::spawn_blocking(move || core.handle_with_outcome(&body)).await;
    let (bytes, outcome) = match answer {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "request handler panicked");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    tracing::info!(
        key_id = %outcome.key_id,
        kind = outcome.kind.map_or("undecodable", RequestKind::name),
        refusal = ?outcome.refusal,
        "distributed request"
    );
    if let Some((event, detail)) = audit_event(&outcome) {
        let key = outcome.key_id.as_str();
        if let Err(e) = state.db.audit(event, None, Some(key), &detail).await {
            // The operation itself is committed; only its audit row is lost.
            tracing::error!(error = %e, key_id = key, "audit write failed");
        }
    }
    ([(header::CONTENT_TYPE, "application/cbor")], bytes).into_response()
}

/// Which outcomes the operator's audit log records.
fn audit_event(o: &Outcome) -> Option<(AuditEvent, String)> {
    let kind = o.kind.map_or("undecodable", RequestKind::name);
    match (o.kind, o.refusal) {
        (Some(RequestKind::Sign), None) => Some((AuditEvent::Signature, String::new())),
        (Some(RequestKind::KeygenOpen), None) => Some((AuditEvent::KeyGenerated, String::new())),
        (_, Some(Refusal::PinRejected { remaining })) => Some((
            AuditEvent::PinFailed,
            format!("{kind}: {remaining} attempts left"),
        )),
        (_, Some(Refusal::KeyLocked)) => Some((AuditEvent::KeyLocked, kind.to_owned())),
        (_, Some(r)) => Some((AuditEvent::Refused, format!("{kind}: {r:?}"))),
        (_, None) => None,
    }
}

/// `GET /healthz`: 200 when the database answers.
pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}
