//! Signing requests, device role: list the account's pending requests,
//! fetch them with their content, approve them with the card (up to 16 in
//! one sign command) or with a two-party key, decline them. Forwards to
//! `fkn_core::requests` through the enrolled device's credential; each call
//! is one server round trip.

use std::sync::Arc;

use fkn_core::onboarding::DeviceCredential;
use fkn_core::requests::{
    self, Content, FetchedRequest, KeyRef, RequestClient, RequestRefusal, RequestView,
};

use crate::error::FknError;
use crate::session::TokenSession;
use crate::two_party::{TwoPartyDevice, TwoPartyKey};

/// Which kind of key a request must be signed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, uniffi::Enum)]
pub enum RequestKeyKind {
    /// A card key registered at enrollment (`key_id` is its server id, the
    /// `card_id` of the enrollment).
    Card,
    /// A two-party key (`key_id` is its key id).
    TwoParty,
}

/// A signing request. Listings carry no content (`document` and `digest`
/// are empty); fetched ones do.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct SigningRequest {
    /// Its id.
    pub id: String,
    /// The title to show.
    pub title: String,
    /// Only a digest is signed: say so, the phone cannot show the document.
    pub digest_only: bool,
    /// The document to show and sign (fetched, not digest-only).
    pub document: Option<Vec<u8>>,
    /// The document's length in bytes (0 when digest-only).
    pub document_length: u64,
    /// The digest to sign (fetched, digest-only).
    pub digest: Option<Vec<u8>>,
    /// The backend's description of a digest-only request.
    pub summary: Option<String>,
    /// The kind of key to sign with.
    pub key_kind: RequestKeyKind,
    /// Its id (see [`RequestKeyKind`]).
    pub key_id: String,
    /// A detached CMS is asked (else the document goes inside it).
    pub detached: bool,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds: the request expires then.
    pub deadline: u64,
}

/// What the server said to one approval.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct ApprovalResult {
    /// The request.
    pub id: String,
    /// `None`: accepted (signed). Otherwise why not.
    pub refusal: Option<RequestRefusal>,
}

fn from_view(v: RequestView) -> SigningRequest {
    let (document, digest, summary) = match v.content {
        Some(Content::Document(d)) => (Some(d.to_vec()), None, None),
        Some(Content::Digest { digest, summary }) => (None, Some(digest.to_vec()), Some(summary)),
        None => (None, None, None),
    };
    let (key_kind, key_id) = match v.key {
        KeyRef::Card(id) => (RequestKeyKind::Card, id),
        KeyRef::Distributed(id) => (RequestKeyKind::TwoParty, id),
    };
    SigningRequest {
        id: v.id,
        title: v.title,
        digest_only: v.digest_only,
        document,
        document_length: v.document_len,
        digest,
        summary,
        key_kind,
        key_id,
        detached: v.detached,
        created_at: v.created_at,
        deadline: v.deadline,
    }
}

/// Back to the core's form; refuses a request without its content (a
/// listing entry: fetch it first).
fn to_fetched(r: SigningRequest) -> Result<FetchedRequest, FknError> {
    let content = match (r.document, r.digest) {
        (Some(d), None) => Content::Document(d.into()),
        (None, Some(digest)) => Content::Digest {
            digest: digest.into(),
            summary: r.summary.unwrap_or_default(),
        },
        _ => {
            return Err(crate::error::invalid(format!(
                "request {} has no content: fetch it with fetch_requests first",
                r.id
            )));
        }
    };
    Ok(FetchedRequest {
        id: r.id,
        title: r.title,
        content,
        key: match r.key_kind {
            RequestKeyKind::Card => KeyRef::Card(r.key_id),
            RequestKeyKind::TwoParty => KeyRef::Distributed(r.key_id),
        },
        detached: r.detached,
        created_at: r.created_at,
        deadline: r.deadline,
    })
}

/// [`to_fetched`] of each.
fn to_fetched_all(requests: Vec<SigningRequest>) -> Result<Vec<FetchedRequest>, FknError> {
    requests.into_iter().map(to_fetched).collect()
}

impl TwoPartyDevice {
    fn requests(&self) -> Result<RequestClient, FknError> {
        let credential = DeviceCredential::load(&*self.store)?;
        Ok(RequestClient::new(Arc::new(credential), self.raw.clone()))
    }

    fn send(&self, approvals: Vec<requests::Approval>) -> Result<Vec<ApprovalResult>, FknError> {
        let ids: Vec<String> = approvals.iter().map(|a| a.id.clone()).collect();
        let results = self.requests()?.approve(approvals)?;
        Ok(ids
            .into_iter()
            .zip(results)
            .map(|(id, r)| ApprovalResult {
                id,
                refusal: r.err(),
            })
            .collect())
    }
}

#[uniffi::export]
impl TwoPartyDevice {
    /// The account's pending signing requests, oldest first (at most 100),
    /// without their content. One round trip; throws `TwoParty(NotEnrolled)`
    /// before enrollment.
    pub fn pending_requests(&self) -> Result<Vec<SigningRequest>, FknError> {
        Ok(self
            .requests()?
            .pending()?
            .into_iter()
            .map(from_view)
            .collect())
    }

    /// Up to 16 requests with their content, to show and then approve. One
    /// round trip; throws `Request` when one is not pending any more.
    pub fn fetch_requests(&self, ids: Vec<String>) -> Result<Vec<SigningRequest>, FknError> {
        Ok(self
            .requests()?
            .fetch(&ids)?
            .into_iter()
            .map(|f| {
                from_view(RequestView {
                    document_len: f.document().map_or(0, |d| d.len() as u64),
                    digest_only: f.digest_only(),
                    id: f.id,
                    title: f.title,
                    content: Some(f.content),
                    key: f.key,
                    detached: f.detached,
                    created_at: f.created_at,
                    deadline: f.deadline,
                })
            })
            .collect())
    }

    /// Signs up to 16 fetched requests with card key `key_id` (whose
    /// certificate is `certificate`) in one sign command on the logged-in
    /// `session`, then sends the CMS signatures in one round trip. The
    /// digest of each document is computed here from the bytes given.
    pub fn approve_with_card(
        &self,
        session: Arc<TokenSession>,
        key_id: Vec<u8>,
        certificate: Vec<u8>,
        requests: Vec<SigningRequest>,
    ) -> Result<Vec<ApprovalResult>, FknError> {
        let fetched = to_fetched_all(requests)?;
        let approvals = {
            let mut s = session.lock()?;
            requests::approve_on_token(&mut s, &key_id, &certificate, &fetched)?
        };
        self.send(approvals)
    }

    /// Signs fetched requests with the unlocked two-party `key` (one
    /// signature, usually one round trip, each) and sends them in one more.
    pub fn approve_with_key(
        &self,
        key: Arc<TwoPartyKey>,
        certificate: Vec<u8>,
        requests: Vec<SigningRequest>,
    ) -> Result<Vec<ApprovalResult>, FknError> {
        let fetched = to_fetched_all(requests)?;
        let approvals = key.with_key(|k| requests::approve_with(k, &certificate, &fetched))?;
        self.send(approvals)
    }

    /// Declines a request with a reason for its sender (at most 500 bytes).
    pub fn decline_request(&self, id: String, reason: String) -> Result<(), FknError> {
        self.requests()?.decline(&id, &reason)
    }
}
