//! The calls a paired device makes about signing requests, inside
//! `Call` messages of the device endpoint (CBOR, signed with the device
//! credential like two-party requests; see `docs/requests.md`).

use minicbor::bytes::ByteVec;
use minicbor::{Decode, Encode};

use super::model::{Content, KeyRef};

/// What a device asks.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum DeviceCall {
    /// The account's pending requests, oldest first, without their content.
    #[n(0)]
    Pending,
    /// Up to 16 requests with their content.
    #[n(1)]
    Fetch(#[n(0)] Vec<String>),
    /// Up to 16 signed requests, each with its CMS.
    #[n(2)]
    Approve(#[n(0)] Vec<Approval>),
    /// Decline a request, with a reason for the sender.
    #[n(3)]
    Decline(#[n(0)] String, #[n(1)] String),
}

/// One approval: the request and its CMS signature (DER).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Approval {
    /// The request.
    #[n(0)]
    pub id: String,
    /// Its CMS SignedData, attached or detached as the request asks.
    #[n(1)]
    pub cms: ByteVec,
}

/// What the server answers.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum CallReply {
    /// The pending requests (no content).
    #[n(0)]
    Pending(#[n(0)] Vec<RequestView>),
    /// The fetched requests, in the order asked (with content).
    #[n(1)]
    Requests(#[n(0)] Vec<RequestView>),
    /// One result per approval, in order: 0 accepted, else a
    /// [`super::RequestRefusal`] code.
    #[n(2)]
    Approved(#[n(0)] Vec<u16>),
    /// Declined.
    #[n(3)]
    Declined,
    /// The whole call was refused: a [`super::RequestRefusal`] code.
    #[n(4)]
    Refused(#[n(0)] u16),
}

/// A request as a device sees it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct RequestView {
    /// Its id.
    #[n(0)]
    pub id: String,
    /// The title.
    #[n(1)]
    pub title: String,
    /// The document or digest; `None` in listings.
    #[n(2)]
    pub content: Option<Content>,
    /// The document's length or, for digest-only requests, 0.
    #[n(3)]
    pub document_len: u64,
    /// Whether the request is digest-only.
    #[n(4)]
    pub digest_only: bool,
    /// The key to sign with.
    #[n(5)]
    pub key: KeyRef,
    /// A detached CMS is asked.
    #[n(6)]
    pub detached: bool,
    /// Unix seconds.
    #[n(7)]
    pub created_at: u64,
    /// Unix seconds.
    #[n(8)]
    pub deadline: u64,
}
