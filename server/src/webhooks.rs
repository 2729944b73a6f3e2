//! The background worker: expires requests past their deadline and
//! delivers the webhooks queued with every state change.
//!
//! A delivery is a `POST` of a small JSON body to the backend's webhook URL,
//! signed with the server's identity key (`Fkn-Timestamp`, `Fkn-Signature`;
//! see `fkn_core::requests::verify_webhook`). A 2xx answer ends it; anything
//! else is retried with exponential backoff (1 s, 2 s, 4 s, ... at most 10
//! minutes apart) and given up after [`MAX_ATTEMPTS`]. Each state change has
//! one delivery row, claimed with a lease before sending, so a receiver gets
//! it once unless it fails to answer (then again, with the same `event`).

use std::time::Duration;

use fkn_core::requests::{SIGNATURE_HEADER, TIMESTAMP_HEADER, sign_webhook};
use serde_json::json;

use crate::AppState;
use crate::storage::audit::AuditEvent;
use crate::storage::requests::Delivery;
use crate::storage::{now_ms, now_secs};

/// How often the worker looks for deliveries due.
pub const TICK: Duration = Duration::from_millis(250);
/// Expiry runs every this many ticks (once a second): deadlines are whole
/// seconds, so a quarter-second query would only cost idle database work.
const EXPIRY_TICKS: u32 = 4;
/// Attempts before a delivery is given up.
pub const MAX_ATTEMPTS: i64 = 12;
/// How long a claimed delivery is reserved for its sender, ms.
const LEASE_MS: i64 = 60_000;
/// How long one attempt may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Runs the worker until the task is aborted (when the server stops).
pub async fn run(state: AppState) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut ticks: u32 = 0;
    loop {
        tick.tick().await;
        if ticks.is_multiple_of(EXPIRY_TICKS) {
            expire(&state).await;
        }
        ticks = ticks.wrapping_add(1);
        let due = match state.db.claim_deliveries(now_ms(), LEASE_MS, 32).await {
            Ok(d) => d,
            Err(e) => {
                tracing::warn!(error = %e, "webhook queue unavailable");
                continue;
            }
        };
        for d in due {
            deliver(&state, &agent, d).await;
        }
    }
}

async fn expire(state: &AppState) {
    let now = u64::try_from(now_secs()).unwrap_or(0);
    match state.db.expire_requests(now, &state.kek).await {
        Ok(expired) => {
            for r in &expired {
                audit(state, AuditEvent::RequestExpired, &r.account, &r.id).await;
            }
            if !expired.is_empty() {
                state.changed.notify_waiters();
            }
        }
        Err(e) => tracing::warn!(error = %e, "request expiry failed"),
    }
}

/// The body announcing `d`.
pub fn body(d: &Delivery) -> Vec<u8> {
    json!({
        "event": format!("{}.{}", d.request_id, d.state.as_str()),
        "request_id": d.request_id,
        "state": d.state.as_str(),
        "account": d.account,
        "finished_at": d.finished_at,
    })
    .to_string()
    .into_bytes()
}

async fn deliver(state: &AppState, agent: &ureq::Agent, d: Delivery) {
    let body = body(&d);
    let ts = u64::try_from(now_secs()).unwrap_or(0);
    let signature = sign_webhook(state.identity.signing_key(), ts, &body);
    let (agent, url) = (agent.clone(), d.url.clone());
    let sent = tokio::task::spawn_blocking(move || {
        agent
            .post(&url)
            .header("content-type", "application/json")
            .header(TIMESTAMP_HEADER, &ts.to_string())
            .header(SIGNATURE_HEADER, &signature)
            .send(&body[..])
            .map(|r| r.status().as_u16())
    })
    .await;
    let outcome = match sent {
        Ok(Ok(status)) if (200..300).contains(&status) => Ok(()),
        Ok(Ok(status)) => Err(format!("HTTP {status}")),
        Ok(Err(e)) => Err(e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let attempts = d.attempts + 1;
    let (retry_at, error) = match &outcome {
        Ok(()) => (None, None),
        Err(_) if attempts >= MAX_ATTEMPTS => (None, outcome.as_ref().err()),
        Err(_) => {
            let backoff_ms = 1000i64
                .saturating_mul(1 << (attempts - 1).min(10))
                .min(600_000);
            (Some(now_ms() + backoff_ms), outcome.as_ref().err())
        }
    };
    let recorded = state
        .db
        .delivery_attempted(&d, outcome.is_ok(), retry_at, error.map(String::as_str))
        .await;
    if let Err(e) = recorded {
        tracing::error!(error = %e, request = %d.request_id, "webhook outcome not recorded");
    }
    match (&outcome, retry_at) {
        (Ok(()), _) => {
            tracing::info!(request = %d.request_id, state = d.state.as_str(), "webhook delivered");
        }
        (Err(e), Some(_)) => {
            tracing::warn!(request = %d.request_id, attempt = attempts, error = %e, "webhook failed; will retry");
        }
        (Err(e), None) => {
            tracing::error!(request = %d.request_id, error = %e, "webhook given up");
            audit(
                state,
                AuditEvent::WebhookFailed,
                &d.account,
                &format!("{} ({}): {e}", d.request_id, d.state.as_str()),
            )
            .await;
        }
    }
}

async fn audit(state: &AppState, event: AuditEvent, account: &str, detail: &str) {
    if let Err(e) = state.db.audit(event, Some(account), None, detail).await {
        tracing::error!(error = %e, "audit write failed");
    }
}
