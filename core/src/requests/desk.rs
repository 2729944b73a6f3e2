//! The server's side of signing requests: backends create them, paired
//! devices list, fetch, approve (with a CMS the desk checks against the
//! account's registered key) and decline them. The desk keeps no state
//! outside its stores, so any number of server instances can share them.

use std::sync::Arc;

use super::model::{
    Content, KeyRef, MAX_BATCH, MAX_DOCUMENT, MAX_LIFETIME, MAX_LISTED, MAX_REASON, MAX_SUMMARY,
    MAX_TITLE, RequestState, SigningRequest,
};
use super::refusal::RequestRefusal;
use super::store::RequestStore;
use super::wire::{Approval, CallReply, DeviceCall, RequestView};
use crate::crypto::ec::CurveId;
use crate::distributed::{KeyId, Server, StoreError};
use crate::onboarding::{PairingStore, random_id};
use crate::pki::PkiError;
use crate::pki::cms;

/// What a backend asks to have signed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRequest {
    /// The account whose user signs.
    pub account: String,
    /// A title for the user.
    pub title: String,
    /// The document or its digest.
    pub content: Content,
    /// The key to sign with (one of the account's).
    pub key: KeyRef,
    /// A detached CMS rather than an attached one (always, for digests).
    pub detached: bool,
    /// Unix seconds.
    pub deadline: u64,
}

/// Why a backend's request was not created.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CreateError {
    /// The key is unknown, not active, or another account's (the same
    /// answer for all three, so one backend's probe learns nothing).
    #[error("account {account:?} has no active {kind} key {id:?}")]
    KeyNotFound {
        /// The account.
        account: String,
        /// `card` or `distributed`.
        kind: &'static str,
        /// The key id.
        id: String,
    },
    /// The title is empty or too long.
    #[error("the title must be 1 to {MAX_TITLE} bytes")]
    Title,
    /// The document is empty or too large.
    #[error("the document must be 1 to {MAX_DOCUMENT} bytes")]
    Document,
    /// The digest does not fit the key.
    #[error("this key signs a {expected}-byte Streebog digest")]
    DigestLength {
        /// Its size.
        expected: usize,
    },
    /// A digest-only request asked for an attached CMS.
    #[error("a digest-only request makes a detached signature; set detached")]
    DigestAttached,
    /// The summary of a digest-only request is empty or too long.
    #[error("a digest-only request needs a summary of 1 to {MAX_SUMMARY} bytes")]
    Summary,
    /// The deadline is past or too far.
    #[error("the deadline must be in the future and at most 30 days away")]
    Deadline,
    /// The storage failed.
    #[error("storage unavailable; retry")]
    Unavailable,
}

impl From<StoreError> for CreateError {
    fn from(_: StoreError) -> Self {
        CreateError::Unavailable
    }
}

/// What a device's call changed, for the audit trail (no secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeskEvent {
    /// A request was signed; its CMS was accepted.
    Signed {
        /// The request.
        request: String,
    },
    /// A request was declined.
    Declined {
        /// The request.
        request: String,
    },
    /// An approval or decline was refused.
    Refused {
        /// The request.
        request: String,
        /// Why.
        refusal: RequestRefusal,
    },
}

/// The keys one batch of approvals looked up (a batch of up to 16 almost
/// always names one key: one or two store reads instead of up to 32).
type KeyCache = Vec<(KeyRef, Option<(CurveId, Vec<u8>)>)>;

/// The signing-request service; see the module docs.
pub struct RequestDesk {
    requests: Arc<dyn RequestStore>,
    pairing: Arc<dyn PairingStore>,
    server: Arc<Server>,
}

impl core::fmt::Debug for RequestDesk {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RequestDesk").finish_non_exhaustive()
    }
}

type Refused<T> = Result<T, RequestRefusal>;

impl From<StoreError> for RequestRefusal {
    fn from(_: StoreError) -> Self {
        RequestRefusal::Unavailable
    }
}

impl RequestDesk {
    /// A desk over `requests`, finding card keys and key owners in
    /// `pairing` and two-party public keys in `server`.
    pub fn new(
        requests: Arc<dyn RequestStore>,
        pairing: Arc<dyn PairingStore>,
        server: Arc<Server>,
    ) -> Self {
        RequestDesk {
            requests,
            pairing,
            server,
        }
    }

    /// The store, for the backend API's reads.
    pub fn store(&self) -> &Arc<dyn RequestStore> {
        &self.requests
    }

    /// The curve and `BYTES(Q)` of `key` if it is an active key of `account`.
    ///
    /// # Errors
    /// The stores'.
    pub fn key_of(
        &self,
        account: &str,
        key: &KeyRef,
    ) -> Result<Option<(CurveId, Vec<u8>)>, StoreError> {
        match key {
            KeyRef::Card(id) => Ok(self
                .pairing
                .card(id)?
                .filter(|c| c.account == account)
                .map(|c| (c.curve, c.public_key))),
            KeyRef::Distributed(id) => {
                let Some(owner) = self.pairing.key_owner(id)? else {
                    return Ok(None);
                };
                let of_account = self
                    .pairing
                    .device(&owner)?
                    .is_some_and(|d| d.account == account);
                let Ok(key_id) = KeyId::new(id) else {
                    return Ok(None);
                };
                if !of_account {
                    return Ok(None);
                }
                // An unknown key reads as absent; only the store failing is an error.
                match self.server.public_key(&key_id) {
                    Ok(k) => Ok(k),
                    Err(crate::distributed::DistributedError::Store(e)) => Err(e),
                    Err(_) => Ok(None),
                }
            }
        }
    }

    /// Creates a pending request for a backend at Unix time `now`.
    ///
    /// # Errors
    /// [`CreateError`] says what to fix.
    pub fn create(
        &self,
        backend: &str,
        new: NewRequest,
        now: u64,
    ) -> Result<SigningRequest, CreateError> {
        if new.title.is_empty() || new.title.len() > MAX_TITLE {
            return Err(CreateError::Title);
        }
        if new.deadline <= now || new.deadline > now.saturating_add(MAX_LIFETIME) {
            return Err(CreateError::Deadline);
        }
        let (curve, _) =
            self.key_of(&new.account, &new.key)?
                .ok_or_else(|| CreateError::KeyNotFound {
                    account: new.account.clone(),
                    kind: new.key.kind(),
                    id: new.key.id().to_owned(),
                })?;
        match &new.content {
            Content::Document(doc) => {
                if doc.is_empty() || doc.len() > MAX_DOCUMENT {
                    return Err(CreateError::Document);
                }
            }
            Content::Digest { digest, summary } => {
                let expected = curve.digest_len();
                if digest.len() != expected {
                    return Err(CreateError::DigestLength { expected });
                }
                if summary.is_empty() || summary.len() > MAX_SUMMARY {
                    return Err(CreateError::Summary);
                }
                if !new.detached {
                    return Err(CreateError::DigestAttached);
                }
            }
        }
        let request = SigningRequest {
            id: random_id(),
            backend: backend.to_owned(),
            account: new.account,
            title: new.title,
            content: new.content,
            key: new.key,
            detached: new.detached,
            created_at: now,
            deadline: new.deadline,
            state: RequestState::Pending,
            cms: None,
            decline_reason: None,
            device: None,
            finished_at: None,
        };
        self.requests.insert(&request)?;
        Ok(request)
    }

    /// Answers a device's call. `account` and `device` are the
    /// authenticated caller's.
    pub fn call(
        &self,
        account: &str,
        device: &str,
        call: DeviceCall,
        now: u64,
    ) -> (CallReply, Vec<DeskEvent>) {
        let refused = |r: RequestRefusal| (CallReply::Refused(r.code()), Vec::new());
        match call {
            DeviceCall::Pending => match self.requests.pending(account, now, MAX_LISTED) {
                Ok(list) => (
                    CallReply::Pending(list.iter().map(|r| view(r, false)).collect()),
                    Vec::new(),
                ),
                Err(e) => refused(e.into()),
            },
            DeviceCall::Fetch(ids) => match self.fetch(account, &ids, now) {
                Ok(views) => (CallReply::Requests(views), Vec::new()),
                Err(r) => refused(r),
            },
            DeviceCall::Approve(approvals) => {
                if approvals.len() > MAX_BATCH || approvals.is_empty() {
                    return refused(RequestRefusal::TooMany);
                }
                let mut codes = Vec::with_capacity(approvals.len());
                let mut events = Vec::with_capacity(approvals.len());
                let mut keys = KeyCache::new();
                for a in approvals {
                    match self.approve(account, device, &a, now, &mut keys) {
                        Ok(()) => {
                            codes.push(0);
                            events.push(DeskEvent::Signed { request: a.id });
                        }
                        Err(refusal) => {
                            codes.push(refusal.code());
                            events.push(DeskEvent::Refused {
                                request: a.id,
                                refusal,
                            });
                        }
                    }
                }
                (CallReply::Approved(codes), events)
            }
            DeviceCall::Decline(id, reason) => {
                match self.decline(account, device, &id, reason, now) {
                    Ok(()) => (
                        CallReply::Declined,
                        vec![DeskEvent::Declined { request: id }],
                    ),
                    Err(refusal) => (
                        CallReply::Refused(refusal.code()),
                        vec![DeskEvent::Refused {
                            request: id,
                            refusal,
                        }],
                    ),
                }
            }
        }
    }

    fn fetch(&self, account: &str, ids: &[String], now: u64) -> Refused<Vec<RequestView>> {
        if ids.len() > MAX_BATCH {
            return Err(RequestRefusal::TooMany);
        }
        ids.iter()
            .map(|id| {
                let r = self.pending_of(account, id, now)?;
                Ok(view(&r, true))
            })
            .collect()
    }

    /// The request `id` of `account` if it is still pending.
    fn pending_of(&self, account: &str, id: &str, now: u64) -> Refused<SigningRequest> {
        let r = self
            .requests
            .get(id)?
            .filter(|r| r.account == account)
            .ok_or(RequestRefusal::NotFound)?;
        match r.state_at(now) {
            RequestState::Pending => Ok(r),
            other => Err(not_pending(other)),
        }
    }

    fn approve(
        &self,
        account: &str,
        device: &str,
        a: &Approval,
        now: u64,
        keys: &mut KeyCache,
    ) -> Refused<()> {
        let mut r = self.pending_of(account, &a.id, now)?;
        let key = match keys.iter().find(|(k, _)| *k == r.key) {
            Some((_, found)) => found.clone(),
            None => {
                let found = self.key_of(account, &r.key)?;
                keys.push((r.key.clone(), found.clone()));
                found
            }
        };
        let (curve, public) = key.ok_or(RequestRefusal::WrongKey)?;
        check_cms(&r, &a.cms, curve, &public)?;
        r.state = RequestState::Signed;
        r.cms = Some(a.cms.to_vec());
        r.device = Some(device.to_owned());
        r.finished_at = Some(now);
        self.finish(r, now)
    }

    fn decline(
        &self,
        account: &str,
        device: &str,
        id: &str,
        reason: String,
        now: u64,
    ) -> Refused<()> {
        if reason.len() > MAX_REASON {
            return Err(RequestRefusal::Malformed);
        }
        let mut r = self.pending_of(account, id, now)?;
        r.state = RequestState::Declined;
        r.decline_reason = Some(reason);
        r.device = Some(device.to_owned());
        r.finished_at = Some(now);
        self.finish(r, now)
    }

    /// Writes a final state; when another device or instance won the race,
    /// says what it did.
    fn finish(&self, r: SigningRequest, now: u64) -> Refused<()> {
        if self.requests.finish(&r, now)? {
            return Ok(());
        }
        let state = self
            .requests
            .get(&r.id)?
            .map_or(RequestState::Expired, |s| s.state_at(now));
        Err(not_pending(state))
    }
}

fn not_pending(state: RequestState) -> RequestRefusal {
    match state {
        RequestState::Signed => RequestRefusal::AlreadySigned,
        RequestState::Declined => RequestRefusal::AlreadyDeclined,
        RequestState::Expired | RequestState::Pending => RequestRefusal::Expired,
    }
}

/// A request as a device sees it, with or without its content.
fn view(r: &SigningRequest, with_content: bool) -> RequestView {
    let (document_len, digest_only) = match &r.content {
        Content::Document(d) => (d.len() as u64, false),
        Content::Digest { .. } => (0, true),
    };
    RequestView {
        id: r.id.clone(),
        title: r.title.clone(),
        content: with_content.then(|| r.content.clone()),
        document_len,
        digest_only,
        key: r.key.clone(),
        detached: r.detached,
        created_at: r.created_at,
        deadline: r.deadline,
    }
}

/// Checks a CMS against the request it approves: it verifies, over the
/// request's content, in the form asked, as CAdES-BES, by the request's key
/// (the certificate is the device's own; only its key matters here).
pub fn check_cms(r: &SigningRequest, cms_der: &[u8], curve: CurveId, public: &[u8]) -> Refused<()> {
    let verified = match &r.content {
        Content::Document(doc) if r.detached => cms::verify(cms_der, Some(&mut &doc[..])),
        Content::Document(_) => cms::verify(cms_der, None),
        Content::Digest { digest, .. } => cms::verify_digest(cms_der, digest),
    }
    .map_err(|e| match e {
        PkiError::DigestMismatch => RequestRefusal::WrongContent,
        PkiError::MissingContent | PkiError::ContentSuppliedTwice => RequestRefusal::WrongForm,
        _ => RequestRefusal::BadSignature,
    })?;
    if let Content::Document(doc) = &r.content {
        if !r.detached && verified.content.as_deref() != Some(&doc[..]) {
            return Err(RequestRefusal::WrongContent);
        }
    }
    if verified.signer.curve != curve || verified.signer.public_key != public {
        return Err(RequestRefusal::WrongKey);
    }
    if !verified.certificate_bound {
        return Err(RequestRefusal::NotCades);
    }
    Ok(())
}
