//! Turning fetched requests into approvals: one CAdES-BES CMS each, made
//! with a card key (all of them in one token sign command) or with any
//! [`DigestSigner`] such as a two-party key (one signature each).

use std::time::SystemTime;

use super::client::FetchedRequest;
use super::model::Content;
use super::wire::Approval;
use crate::Error;
use crate::onboarding::wire::bv;
use crate::pki::DigestSigner;
use crate::pki::cert::certificate_info;
use crate::pki::cms::{self, Prepared};
use crate::token::TokenSession;
use crate::transport::Transport;

/// The CMS of each request by the holder of `cert_der`, waiting for its
/// signature: attached or detached as each request asks, over the
/// digest of the document the phone holds.
///
/// # Errors
/// `Request(TooMany)` for more than 16 requests, `Pki` for a certificate
/// that is not a GOST key's.
pub fn prepare_approvals(
    requests: &[FetchedRequest],
    cert_der: &[u8],
    signing_time: Option<SystemTime>,
) -> Result<Vec<Prepared>, Error> {
    super::client::check_count(requests.len())?;
    let cert = certificate_info(cert_der)?;
    requests
        .iter()
        .map(|r| {
            let digest = r.content_digest(cert.curve)?;
            let content = match (&r.content, r.detached) {
                (Content::Document(d), false) => Some(d.to_vec()),
                _ => None,
            };
            Ok(cms::prepare(
                cert.curve,
                &cert.public_key,
                cert_der,
                &digest,
                content,
                signing_time,
            )?)
        })
        .collect()
}

/// Signs up to 16 requests with card key `key_id`, whose certificate is
/// `cert_der`, in one token sign command; the session must be logged in.
///
/// # Errors
/// The token's, `Pki` when a signature does not verify under the
/// certificate's key (the key id names another key).
pub fn approve_on_token<T: Transport>(
    session: &mut TokenSession<T>,
    key_id: &[u8],
    cert_der: &[u8],
    requests: &[FetchedRequest],
) -> Result<Vec<Approval>, Error> {
    let prepared = prepare_approvals(requests, cert_der, None)?;
    let digests: Vec<&[u8]> = prepared.iter().map(Prepared::digest).collect();
    let signatures = session.sign(key_id, &digests)?;
    finish(requests, prepared, signatures)
}

/// Signs each request with `signer` (a two-party key: one signature, and
/// its server round trips, per request).
///
/// # Errors
/// The signer's, `Pki` as for [`prepare_approvals`].
pub fn approve_with(
    signer: &mut dyn DigestSigner,
    cert_der: &[u8],
    requests: &[FetchedRequest],
) -> Result<Vec<Approval>, Error> {
    let prepared = prepare_approvals(requests, cert_der, None)?;
    let signatures = prepared
        .iter()
        .map(|p| signer.sign_digest(p.digest()))
        .collect::<Result<Vec<_>, _>>()?;
    finish(requests, prepared, signatures)
}

fn finish(
    requests: &[FetchedRequest],
    prepared: Vec<Prepared>,
    signatures: Vec<Vec<u8>>,
) -> Result<Vec<Approval>, Error> {
    requests
        .iter()
        .zip(prepared)
        .zip(signatures)
        .map(|((r, p), s)| {
            Ok(Approval {
                id: r.id.clone(),
                cms: bv(p.finish(&s)?),
            })
        })
        .collect()
}
