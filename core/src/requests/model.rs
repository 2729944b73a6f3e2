//! What a signing request is, on both sides of the device endpoint.

use minicbor::bytes::ByteVec;
use minicbor::{Decode, Encode};

/// Largest document a request carries (it travels to the phone whole, so
/// the phone can show and hash what it signs).
pub const MAX_DOCUMENT: usize = 1 << 20;
/// Longest title, bytes.
pub const MAX_TITLE: usize = 200;
/// Longest summary of a digest-only request, bytes.
pub const MAX_SUMMARY: usize = 2000;
/// Longest decline reason, bytes.
pub const MAX_REASON: usize = 500;
/// Most requests approved (and fetched) in one call: one token sign
/// command signs at most this many digests (OFP1).
pub const MAX_BATCH: usize = 16;
/// Most pending requests one listing returns.
pub const MAX_LISTED: usize = 100;
/// Longest a request may stay pending, seconds (30 days).
pub const MAX_LIFETIME: u64 = 30 * 24 * 3600;

/// The key a request must be signed with.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Encode, Decode)]
pub enum KeyRef {
    /// A card key registered at enrollment, by its id on the server.
    #[n(0)]
    Card(#[n(0)] String),
    /// A two-party key, by its key id.
    #[n(1)]
    Distributed(#[n(0)] String),
}

impl KeyRef {
    /// `card` or `distributed`.
    pub fn kind(&self) -> &'static str {
        match self {
            KeyRef::Card(_) => "card",
            KeyRef::Distributed(_) => "distributed",
        }
    }

    /// The id within its kind.
    pub fn id(&self) -> &str {
        match self {
            KeyRef::Card(id) | KeyRef::Distributed(id) => id,
        }
    }
}

/// What is to be signed.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub enum Content {
    /// The document itself: the phone shows it and hashes these bytes.
    #[n(0)]
    Document(#[n(0)] ByteVec),
    /// Only its digest (Streebog of the key's size) and a summary for the
    /// user; the phone says that it signs a digest it cannot check.
    #[n(1)]
    Digest {
        /// The digest.
        #[n(0)]
        digest: ByteVec,
        /// What the backend says the document is.
        #[n(1)]
        summary: String,
    },
}

/// Where a request is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestState {
    /// Waiting for the user.
    Pending,
    /// Signed: the CMS is in the request.
    Signed,
    /// The user declined.
    Declined,
    /// Its deadline passed while pending.
    Expired,
}

impl RequestState {
    /// The lowercase name the HTTP API and the database use.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Signed => "signed",
            RequestState::Declined => "declined",
            RequestState::Expired => "expired",
        }
    }

    /// The state named by [`Self::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => RequestState::Pending,
            "signed" => RequestState::Signed,
            "declined" => RequestState::Declined,
            "expired" => RequestState::Expired,
            _ => return None,
        })
    }
}

/// A signing request as the server keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigningRequest {
    /// Its id.
    pub id: String,
    /// The backend that created it.
    pub backend: String,
    /// The account whose user signs.
    pub account: String,
    /// A title for the user.
    pub title: String,
    /// The document or its digest.
    pub content: Content,
    /// The key to sign with.
    pub key: KeyRef,
    /// A detached CMS (the content left out) rather than an attached one.
    pub detached: bool,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds; pending requests expire then.
    pub deadline: u64,
    /// As stored; [`Self::state_at`] accounts for the deadline.
    pub state: RequestState,
    /// The accepted CMS (DER), once signed.
    pub cms: Option<Vec<u8>>,
    /// Why the user declined, once declined.
    pub decline_reason: Option<String>,
    /// The device that signed or declined.
    pub device: Option<String>,
    /// When it was signed, declined or expired, Unix seconds.
    pub finished_at: Option<u64>,
}

impl SigningRequest {
    /// The state at Unix time `now`: a pending request past its deadline
    /// is expired even before the store records it.
    pub fn state_at(&self, now: u64) -> RequestState {
        if self.state == RequestState::Pending && now >= self.deadline {
            RequestState::Expired
        } else {
            self.state
        }
    }
}
