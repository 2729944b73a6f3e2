//! The device-facing routes: the device protocol and the health check.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use fkn_core::distributed::{Outcome, Refusal, RequestKind};
use fkn_core::onboarding::{GatewayEvent, GatewayOutcome};
use fkn_core::requests::DeskEvent;

use crate::AppState;
use crate::storage::audit::AuditEvent;
use crate::storage::now_secs;

/// Largest request body but for the device endpoint's signing-request
/// calls (see `fkn_core::onboarding::wire::MAX_CALL_MESSAGE`): CBOR
/// requests are well under 1 KiB.
pub const MAX_REQUEST: usize = 16 * 1024;

/// `POST /v1/device`: one CBOR message of the device protocol in, one out
/// (pairing, the sealed enrollment session, signed two-party requests; see
/// `fkn_core::onboarding`).
///
/// The gateway and the core server are synchronous and their stores block on
/// the database, so they run on the blocking pool (see
/// [`crate::storage::bridge`]).
pub async fn device(State(state): State<AppState>, body: Bytes) -> Response {
    let gateway = state.gateway.clone();
    let now = u64::try_from(now_secs()).unwrap_or(0);
    let answer = tokio::task::spawn_blocking(move || gateway.handle(&body, now)).await;
    let (bytes, outcome) = match answer {
        Ok(a) => a,
        Err(e) => {
            tracing::error!(error = %e, "request handler panicked");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let kind = outcome
        .distributed
        .as_ref()
        .and_then(|o| o.kind)
        .map_or("-", RequestKind::name);
    tracing::info!(
        account = outcome.account.as_deref().unwrap_or("-"),
        device = outcome.device.as_deref().unwrap_or("-"),
        event = ?outcome.event,
        kind,
        refusal = ?outcome.distributed.as_ref().and_then(|o| o.refusal),
        "device request"
    );
    if !outcome.requests.is_empty() {
        state.changed.notify_waiters();
    }
    for (event, key, detail) in audit_rows(&outcome) {
        let account = outcome.account.as_deref();
        if let Err(e) = state
            .db
            .audit(event, account, key.as_deref(), &detail)
            .await
        {
            // The operation itself is committed; only its audit row is lost.
            tracing::error!(error = %e, "audit write failed");
        }
    }
    ([(header::CONTENT_TYPE, "application/cbor")], bytes).into_response()
}

/// The audit rows of one device request. Messages that name no account or
/// device (undecodable bytes, unknown devices) are only logged: anyone can
/// send them, and they must not flood the operator's log.
fn audit_rows(o: &GatewayOutcome) -> Vec<(AuditEvent, Option<String>, String)> {
    let device = o.device.as_deref().unwrap_or("-");
    let row = |event, detail: String| vec![(event, None, detail)];
    if o.account.is_none() {
        return Vec::new();
    }
    match &o.event {
        GatewayEvent::Paired => row(AuditEvent::DevicePaired, format!("device {device}")),
        GatewayEvent::PairingRefused(r) => row(AuditEvent::PairingRefused, r.to_string()),
        GatewayEvent::CardRegistered { card } => row(
            AuditEvent::CardRegistered,
            format!("card key {card} by device {device}"),
        ),
        GatewayEvent::EnrollmentFinished => {
            row(AuditEvent::EnrollmentCompleted, format!("device {device}"))
        }
        GatewayEvent::AccessRefused(r) => {
            let key = o.distributed.as_ref().map(|d| d.key_id.to_string());
            vec![(
                AuditEvent::AccessRefused,
                key,
                format!("device {device}: {r}"),
            )]
        }
        GatewayEvent::Called => o
            .requests
            .iter()
            .map(|e| match e {
                DeskEvent::Signed { request } => (
                    AuditEvent::RequestSigned,
                    None,
                    format!("{request} by device {device}"),
                ),
                DeskEvent::Declined { request } => (
                    AuditEvent::RequestDeclined,
                    None,
                    format!("{request} by device {device}"),
                ),
                DeskEvent::Refused { request, refusal } => (
                    AuditEvent::ApprovalRefused,
                    None,
                    format!("{request} from device {device}: {refusal}"),
                ),
            })
            .collect(),
        GatewayEvent::Forwarded => o
            .distributed
            .as_ref()
            .and_then(|d| audit_event(d).map(|(e, detail)| (e, Some(d.key_id.to_string()), detail)))
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
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
