//! Signing requests: a backend asks, the user sees what they sign, one tap
//! signs many.
//!
//! A backend creates a [`SigningRequest`] for an account on the server (a
//! document, or a digest with a summary; the key to use; a deadline). The
//! paired phone lists the account's pending requests, fetches them with
//! their content, and approves them with a CAdES-BES CMS each, made on the
//! phone from the bytes it shows: with the card ([`approve_on_token`]: up
//! to 16 in one token sign command) or with a two-party key
//! ([`approve_with`]). The server's [`RequestDesk`] checks every CMS against
//! the request's content and the account's registered key before it
//! accepts it. Device calls travel as `Call` messages of the device
//! endpoint, signed with the device credential ([`RequestClient`]); the
//! protocol is in `docs/requests.md`.

mod client;
mod desk;
mod model;
mod refusal;
mod sign;
mod store;
mod webhook;
mod wire;

pub use client::{FetchedRequest, RequestClient};
pub use desk::{CreateError, DeskEvent, NewRequest, RequestDesk, check_cms};
pub use model::{
    Content, KeyRef, MAX_BATCH, MAX_DOCUMENT, MAX_LIFETIME, MAX_LISTED, MAX_REASON, MAX_SUMMARY,
    MAX_TITLE, RequestState, SigningRequest,
};
pub use refusal::RequestRefusal;
pub use sign::{approve_on_token, approve_with, prepare_approvals};
pub use store::{MemoryRequestStore, RequestStore};
pub use webhook::{
    SIGNATURE_HEADER, TIMESTAMP_HEADER, WebhookError, sign_webhook, verify_webhook, webhook_digest,
};
pub use wire::{Approval, CallReply, DeviceCall, RequestView};
