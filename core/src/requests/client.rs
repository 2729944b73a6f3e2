//! The device's side: list, fetch, approve and decline signing requests.
//! Each is one call to the server's device endpoint, signed with the
//! device credential: one round trip.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::model::{Content, KeyRef, MAX_BATCH, MAX_REASON};
use super::refusal::RequestRefusal;
use super::wire::{Approval, CallReply, DeviceCall, RequestView};
use crate::Error;
use crate::crypto::ec::CurveId;
use crate::crypto::hash::DigestAlgorithm;
use crate::distributed::{ChannelError, ServerChannel, TwoPartyFault};
use crate::error::ApiMisuse;
use crate::onboarding::wire::{self, ServerMessage};
use crate::onboarding::{DeviceCredential, fresh_stamp};

/// A request with what is to be signed, as the phone shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedRequest {
    /// Its id.
    pub id: String,
    /// The title.
    pub title: String,
    /// The document, or a digest and the backend's summary of it.
    pub content: Content,
    /// The key to sign with.
    pub key: KeyRef,
    /// A detached CMS is asked.
    pub detached: bool,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds.
    pub deadline: u64,
}

impl FetchedRequest {
    /// The document's bytes, `None` for a digest-only request.
    pub fn document(&self) -> Option<&[u8]> {
        match &self.content {
            Content::Document(d) => Some(d),
            Content::Digest { .. } => None,
        }
    }

    /// Whether only a digest is signed: the app must say that it cannot
    /// show what the digest stands for.
    pub fn digest_only(&self) -> bool {
        matches!(self.content, Content::Digest { .. })
    }

    /// The digest a key on `curve` signs. For a document, computed here
    /// from the bytes the phone shows, never taken from the server.
    ///
    /// # Errors
    /// `TwoParty(ServerMisbehaved)` when a supplied digest does not fit
    /// the key.
    pub fn content_digest(&self, curve: CurveId) -> Result<Vec<u8>, Error> {
        let alg = DigestAlgorithm::for_curve(curve);
        match &self.content {
            Content::Document(d) => Ok(alg.digest(d)),
            Content::Digest { digest, .. } if digest.len() == alg.output_len() => {
                Ok(digest.to_vec())
            }
            Content::Digest { .. } => Err(TwoPartyFault::ServerMisbehaved {
                detail: format!(
                    "request {} holds a digest that does not fit a {curve} key",
                    self.id
                ),
            }
            .into()),
        }
    }

    fn from_view(v: RequestView) -> Option<Self> {
        Some(FetchedRequest {
            content: v.content?,
            id: v.id,
            title: v.title,
            key: v.key,
            detached: v.detached,
            created_at: v.created_at,
            deadline: v.deadline,
        })
    }
}

/// Signing requests of a paired device; see the module docs.
pub struct RequestClient {
    credential: Arc<DeviceCredential>,
    channel: Arc<dyn ServerChannel>,
    round_trips: AtomicU64,
}

impl core::fmt::Debug for RequestClient {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RequestClient")
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

impl RequestClient {
    /// Calls through `channel` (to `POST {server}/v1/device`) as the device
    /// of `credential`.
    pub fn new(credential: Arc<DeviceCredential>, channel: Arc<dyn ServerChannel>) -> Self {
        RequestClient {
            credential,
            channel,
            round_trips: AtomicU64::new(0),
        }
    }

    /// Server round trips made so far.
    pub fn round_trips(&self) -> u64 {
        self.round_trips.load(Ordering::Relaxed)
    }

    /// The account's pending requests, oldest first (at most 100), without
    /// their content.
    ///
    /// # Errors
    /// The channel's, the server's refusals.
    pub fn pending(&self) -> Result<Vec<RequestView>, Error> {
        match self.call(&DeviceCall::Pending)? {
            CallReply::Pending(list) => Ok(list),
            _ => Err(misbehaved("a listing")),
        }
    }

    /// Up to 16 pending requests with their content, in the order asked.
    ///
    /// # Errors
    /// `Request` when one is not pending any more (refresh the list), the
    /// channel's.
    pub fn fetch(&self, ids: &[String]) -> Result<Vec<FetchedRequest>, Error> {
        check_count(ids.len())?;
        let CallReply::Requests(views) = self.call(&DeviceCall::Fetch(ids.to_vec()))? else {
            return Err(misbehaved("the fetched requests"));
        };
        let fetched: Option<Vec<FetchedRequest>> =
            views.into_iter().map(FetchedRequest::from_view).collect();
        match fetched {
            Some(f) if f.iter().map(|r| &r.id).eq(ids.iter()) => Ok(f),
            _ => Err(misbehaved("the fetched requests")),
        }
    }

    /// Sends up to 16 approvals in one round trip; one result per approval,
    /// in order (the server checks each CMS against the request's key and
    /// content before it accepts it).
    ///
    /// # Errors
    /// The channel's, a refusal of the whole call.
    pub fn approve(
        &self,
        approvals: Vec<Approval>,
    ) -> Result<Vec<Result<(), RequestRefusal>>, Error> {
        check_count(approvals.len())?;
        let n = approvals.len();
        let CallReply::Approved(codes) = self.call(&DeviceCall::Approve(approvals))? else {
            return Err(misbehaved("the approvals"));
        };
        if codes.len() != n {
            return Err(misbehaved("the approvals"));
        }
        Ok(codes
            .into_iter()
            .map(|c| match c {
                0 => Ok(()),
                c => Err(RequestRefusal::from_code(c).unwrap_or(RequestRefusal::Malformed)),
            })
            .collect())
    }

    /// Declines a request, with a reason for its sender (at most 500 bytes).
    ///
    /// # Errors
    /// `Request` when it is not pending any more, the channel's.
    pub fn decline(&self, id: &str, reason: &str) -> Result<(), Error> {
        if reason.len() > MAX_REASON {
            return Err(ApiMisuse::InvalidArgument {
                detail: format!("the reason is longer than {MAX_REASON} bytes"),
            }
            .into());
        }
        match self.call(&DeviceCall::Decline(id.to_owned(), reason.to_owned()))? {
            CallReply::Declined => Ok(()),
            _ => Err(misbehaved("the decline")),
        }
    }

    fn call(&self, call: &DeviceCall) -> Result<CallReply, Error> {
        let bytes = minicbor::to_vec(call).unwrap_or_default();
        let (now, nonce) = fresh_stamp();
        let message = self.credential.sign_call(now, nonce, &bytes);
        self.round_trips.fetch_add(1, Ordering::Relaxed);
        let answer = self.channel.exchange(&message)?;
        let reply = match wire::decode_within::<ServerMessage>(&answer, wire::MAX_CALL_MESSAGE) {
            Ok(ServerMessage::Reply(r)) => r,
            Ok(ServerMessage::Refused(code, arg)) => {
                return Err(ChannelError::Refused { code, arg }.into());
            }
            _ => return Err(misbehaved("an answer")),
        };
        match minicbor::decode::<CallReply>(&reply) {
            Ok(CallReply::Refused(code)) => Err(Error::Request {
                refusal: RequestRefusal::from_code(code).unwrap_or(RequestRefusal::Malformed),
            }),
            Ok(r) => Ok(r),
            Err(_) => Err(misbehaved("a reply")),
        }
    }
}

/// At least one and at most 16 requests per call: checked before any
/// signature or round trip is spent.
pub(crate) fn check_count(n: usize) -> Result<(), Error> {
    if n == 0 {
        return Err(ApiMisuse::InvalidArgument {
            detail: "no signing requests given".into(),
        }
        .into());
    }
    if n > MAX_BATCH {
        return Err(Error::Request {
            refusal: RequestRefusal::TooMany,
        });
    }
    Ok(())
}

fn misbehaved(what: &str) -> Error {
    TwoPartyFault::ServerMisbehaved {
        detail: format!("{what} from the server is not what was asked"),
    }
    .into()
}
