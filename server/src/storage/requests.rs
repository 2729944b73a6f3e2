//! Backends, signing requests and their webhook deliveries.
//!
//! Documents, digests and CMS signatures are sealed under the KEK
//! (Kuznyechik-MGM, bound to the request id), like key shares; titles and
//! summaries are in clear for the operator.
//!
//! A state change and its webhook delivery are written in one transaction
//! (one delivery row per request and state, keyed so), so a change is
//! announced at most once however many instances race; the delivery worker
//! claims a due row by moving its `next_at` (a lease) before sending.

use fkn_core::crypto::hash::streebog256;
use fkn_core::requests::{Content, KeyRef, RequestState, SigningRequest};
use sqlx::Row;
use sqlx::any::AnyRow;
use zeroize::Zeroizing;

use super::{Db, StorageError, now_ms, rand_fill, random_id};
use crate::secrets::Kek;

const CONTENT: &str = "request-content";
const CMS: &str = "request-cms";

/// A backend allowed to post signing requests.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct BackendRow {
    /// Its id.
    pub id: String,
    /// A unique name the operator chose.
    pub name: String,
    /// Where completions are announced, if anywhere.
    pub webhook_url: Option<String>,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds, once revoked.
    pub revoked_at: Option<i64>,
}

/// A webhook delivery claimed for sending.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The request.
    pub request_id: String,
    /// The state announced.
    pub state: RequestState,
    /// The receiver.
    pub url: String,
    /// Attempts before this one.
    pub attempts: i64,
    /// The request's account.
    pub account: String,
    /// When the state changed, Unix seconds.
    pub finished_at: Option<u64>,
}

/// The prefix of every API key, so a leaked one is easy to recognise.
pub const API_KEY_PREFIX: &str = "fknb_";

fn key_hash(api_key: &str) -> String {
    hex::encode(streebog256(api_key.as_bytes()))
}

const REQUEST_COLUMNS: &str = "id, backend_id, account_id, title, content_kind, content, summary, \
     key_kind, key_ref, detached, created_at, deadline, state, cms, decline_reason, device_id, \
     finished_at";

fn bad(what: &'static str) -> StorageError {
    StorageError::Corrupt {
        table: "signing_requests",
        what,
    }
}

fn secs(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn request_row(r: &AnyRow, kek: &Kek) -> Result<SigningRequest, StorageError> {
    let id: String = r.try_get("id")?;
    let open = |label: &str, sealed: &str| {
        kek.open(label, &id, sealed)
            .map(|p| p.expose().to_vec())
            .map_err(|_| bad("sealed value does not open under the KEK"))
    };
    let kind: String = r.try_get("content_kind")?;
    let content: String = r.try_get("content")?;
    let content = open(CONTENT, &content)?;
    let content = match kind.as_str() {
        "document" => Content::Document(content.into()),
        "digest" => Content::Digest {
            digest: content.into(),
            summary: r
                .try_get::<Option<String>, _>("summary")?
                .unwrap_or_default(),
        },
        _ => return Err(bad("content_kind")),
    };
    let key_kind: String = r.try_get("key_kind")?;
    let key_ref: String = r.try_get("key_ref")?;
    let key = match key_kind.as_str() {
        "card" => KeyRef::Card(key_ref),
        "distributed" => KeyRef::Distributed(key_ref),
        _ => return Err(bad("key_kind")),
    };
    let state: String = r.try_get("state")?;
    let cms: Option<String> = r.try_get("cms")?;
    let u = |name: &str| -> Result<u64, StorageError> {
        let v: i64 = r.try_get(name)?;
        u64::try_from(v).map_err(|_| bad("time"))
    };
    let finished: Option<i64> = r.try_get("finished_at")?;
    Ok(SigningRequest {
        id: id.clone(),
        backend: r.try_get("backend_id")?,
        account: r.try_get("account_id")?,
        title: r.try_get("title")?,
        content,
        key,
        detached: r.try_get::<i64, _>("detached")? != 0,
        created_at: u("created_at")?,
        deadline: u("deadline")?,
        state: RequestState::parse(&state).ok_or(bad("state"))?,
        cms: cms.map(|c| open(CMS, &c)).transpose()?,
        decline_reason: r.try_get("decline_reason")?,
        device: r.try_get("device_id")?,
        finished_at: finished.and_then(|f| u64::try_from(f).ok()),
    })
}

fn backend_row(r: &AnyRow) -> Result<BackendRow, StorageError> {
    Ok(BackendRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        webhook_url: r.try_get("webhook_url")?,
        created_at: r.try_get("created_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

impl Db {
    /// Registers a backend; its API key, shown once (only its hash is kept).
    pub async fn create_backend(
        &self,
        name: &str,
        webhook_url: Option<&str>,
    ) -> Result<(BackendRow, Zeroizing<String>), StorageError> {
        let mut secret = Zeroizing::new([0u8; 32]);
        rand_fill(&mut *secret);
        let api_key = Zeroizing::new(format!("{API_KEY_PREFIX}{}", hex::encode(*secret)));
        let row = BackendRow {
            id: random_id(),
            name: name.to_owned(),
            webhook_url: webhook_url.map(str::to_owned),
            created_at: now_ms(),
            revoked_at: None,
        };
        sqlx::query(
            "INSERT INTO backends (id, name, key_hash, webhook_url, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&row.id)
        .bind(&row.name)
        .bind(key_hash(&api_key))
        .bind(&row.webhook_url)
        .bind(row.created_at)
        .execute(self.pool())
        .await?;
        Ok((row, api_key))
    }

    /// The unrevoked backend holding `api_key`.
    pub async fn backend_by_key(&self, api_key: &str) -> Result<Option<BackendRow>, StorageError> {
        let row = sqlx::query(
            "SELECT id, name, webhook_url, created_at, revoked_at FROM backends \
             WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(key_hash(api_key))
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(backend_row).transpose()
    }

    /// Every backend, oldest first.
    pub async fn backends(&self) -> Result<Vec<BackendRow>, StorageError> {
        let rows = sqlx::query(
            "SELECT id, name, webhook_url, created_at, revoked_at FROM backends \
             ORDER BY created_at, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(backend_row).collect()
    }

    /// Revokes a backend's API key; `false` if there is no such backend.
    pub async fn revoke_backend(&self, id: &str) -> Result<bool, StorageError> {
        let done =
            sqlx::query("UPDATE backends SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(now_ms())
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Adds a new request.
    pub async fn insert_request(&self, r: &SigningRequest, kek: &Kek) -> Result<(), StorageError> {
        let (kind, content, summary) = match &r.content {
            Content::Document(d) => ("document", kek.seal(CONTENT, &r.id, d), None),
            Content::Digest { digest, summary } => (
                "digest",
                kek.seal(CONTENT, &r.id, digest),
                Some(summary.as_str()),
            ),
        };
        sqlx::query(&format!(
            "INSERT INTO signing_requests ({REQUEST_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, NULL, NULL, NULL)"
        ))
        .bind(&r.id)
        .bind(&r.backend)
        .bind(&r.account)
        .bind(&r.title)
        .bind(kind)
        .bind(content)
        .bind(summary)
        .bind(r.key.kind())
        .bind(r.key.id())
        .bind(i64::from(r.detached))
        .bind(secs(r.created_at))
        .bind(secs(r.deadline))
        .bind(r.state.as_str())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The request `id`.
    pub async fn request(
        &self,
        id: &str,
        kek: &Kek,
    ) -> Result<Option<SigningRequest>, StorageError> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM signing_requests WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(|r| request_row(r, kek)).transpose()
    }

    /// Up to `limit` requests of `account` pending at `now`, oldest first.
    pub async fn pending_requests(
        &self,
        account: &str,
        now: u64,
        limit: usize,
        kek: &Kek,
    ) -> Result<Vec<SigningRequest>, StorageError> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM signing_requests \
             WHERE account_id = $1 AND state = 'pending' AND deadline > $2 \
             ORDER BY created_at, id LIMIT $3"
        ))
        .bind(account)
        .bind(secs(now))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| request_row(r, kek)).collect()
    }

    /// Writes the final state of `done` if the request is still pending
    /// before its deadline, and queues its webhook in the same transaction.
    pub async fn finish_request(
        &self,
        done: &SigningRequest,
        now: u64,
        kek: &Kek,
    ) -> Result<bool, StorageError> {
        let mut tx = self.pool().begin().await?;
        let updated = sqlx::query(
            "UPDATE signing_requests SET state = $2, cms = $3, decline_reason = $4, \
             device_id = $5, finished_at = $6 \
             WHERE id = $1 AND state = 'pending' AND deadline > $7",
        )
        .bind(&done.id)
        .bind(done.state.as_str())
        .bind(done.cms.as_ref().map(|c| kek.seal(CMS, &done.id, c)))
        .bind(&done.decline_reason)
        .bind(&done.device)
        .bind(done.finished_at.map(secs))
        .bind(secs(now))
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            return Ok(false);
        }
        queue_delivery(&mut tx, &done.id, done.state).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Marks up to 100 requests pending past their deadline at `now` as
    /// expired, queueing their webhooks; returns them.
    pub async fn expire_requests(
        &self,
        now: u64,
        kek: &Kek,
    ) -> Result<Vec<SigningRequest>, StorageError> {
        let due = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM signing_requests \
             WHERE state = 'pending' AND deadline <= $1 ORDER BY deadline LIMIT 100"
        ))
        .bind(secs(now))
        .fetch_all(self.pool())
        .await?;
        let mut expired = Vec::new();
        for row in &due {
            let mut r = request_row(row, kek)?;
            let mut tx = self.pool().begin().await?;
            let updated = sqlx::query(
                "UPDATE signing_requests SET state = 'expired', finished_at = $2 \
                 WHERE id = $1 AND state = 'pending'",
            )
            .bind(&r.id)
            .bind(secs(now))
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 1 {
                queue_delivery(&mut tx, &r.id, RequestState::Expired).await?;
                tx.commit().await?;
                r.state = RequestState::Expired;
                r.finished_at = Some(now);
                expired.push(r);
            }
        }
        Ok(expired)
    }

    /// Claims up to `limit` deliveries due at `now_ms` for `lease_ms` (another
    /// instance skips them meanwhile).
    pub async fn claim_deliveries(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: i64,
    ) -> Result<Vec<Delivery>, StorageError> {
        let rows = sqlx::query(
            "SELECT d.request_id, d.state, d.attempts, d.next_at, b.webhook_url, \
             r.account_id, r.finished_at \
             FROM webhook_deliveries d JOIN backends b ON b.id = d.backend_id \
             JOIN signing_requests r ON r.id = d.request_id \
             WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_at <= $1 \
             ORDER BY d.next_at LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut claimed = Vec::new();
        for r in &rows {
            let request_id: String = r.try_get("request_id")?;
            let state: String = r.try_get("state")?;
            let next_at: i64 = r.try_get("next_at")?;
            let won = sqlx::query(
                "UPDATE webhook_deliveries SET next_at = $4 \
                 WHERE request_id = $1 AND state = $2 AND next_at = $3 AND delivered_at IS NULL",
            )
            .bind(&request_id)
            .bind(&state)
            .bind(next_at)
            .bind(now_ms.saturating_add(lease_ms))
            .execute(self.pool())
            .await?;
            let url: Option<String> = r.try_get("webhook_url")?;
            if won.rows_affected() != 1 {
                continue;
            }
            let finished: Option<i64> = r.try_get("finished_at")?;
            claimed.push(Delivery {
                state: RequestState::parse(&state).ok_or(bad("delivery state"))?,
                request_id,
                url: url.unwrap_or_default(),
                attempts: r.try_get("attempts")?,
                account: r.try_get("account_id")?,
                finished_at: finished.and_then(|f| u64::try_from(f).ok()),
            });
        }
        Ok(claimed)
    }

    /// Records the outcome of one delivery attempt: delivered, retry at
    /// `retry_at` (Unix ms), or given up (`retry_at` `None`).
    pub async fn delivery_attempted(
        &self,
        d: &Delivery,
        delivered: bool,
        retry_at: Option<i64>,
        error: Option<&str>,
    ) -> Result<(), StorageError> {
        let now = now_ms();
        let (delivered_at, failed_at, next_at) = match (delivered, retry_at) {
            (true, _) => (Some(now), None, now),
            (false, Some(at)) => (None, None, at),
            (false, None) => (None, Some(now), now),
        };
        sqlx::query(
            "UPDATE webhook_deliveries SET attempts = attempts + 1, delivered_at = $3, \
             failed_at = $4, next_at = $5, last_error = $6 \
             WHERE request_id = $1 AND state = $2",
        )
        .bind(&d.request_id)
        .bind(d.state.as_str())
        .bind(delivered_at)
        .bind(failed_at)
        .bind(next_at)
        .bind(error)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}

/// Queues the webhook of `state` for the request's backend, if it has one.
async fn queue_delivery(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    request_id: &str,
    state: RequestState,
) -> Result<(), StorageError> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (request_id, state, backend_id, attempts, next_at) \
         SELECT r.id, $2, r.backend_id, 0, $3 FROM signing_requests r \
         JOIN backends b ON b.id = r.backend_id \
         WHERE r.id = $1 AND b.webhook_url IS NOT NULL \
         ON CONFLICT (request_id, state) DO NOTHING",
    )
    .bind(request_id)
    .bind(state.as_str())
    .bind(now_ms())
    .execute(&mut **tx)
    .await?;
    Ok(())
}
