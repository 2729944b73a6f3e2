//! Secure messaging around the command table (OFP1 Section 5), token side:
//! unwrap with [`TokenSecureMessaging`], run the inner command from
//! [`TABLE`](super::commands::TABLE), wrap its answer.
//!
//! - No open session: `69 82` (a SESPAKE exchange waiting for step 2 has
//!   already been dropped by the dispatcher).
//! - Any unwrap failure (missing object, wrong MAC, replay, counter out of
//!   step): plain `69 88`, and the token forgets its keys.
//! - Otherwise the inner answer, error status words included, travels as
//!   `{ [85 C] 99 02 SW 8E 08 T } 90 00`; response chaining (`61 xx`) then
//!   applies to that wrapped response, in `token.rs`.

use zeroize::Zeroize;

use super::commands::{Access, Reply, lookup};
use super::session::Session;
use super::token::VirtualToken;
use super::wire::Apdu;
use fkn_core::apdu::{Command, Response};

/// A complete wrapped command (CLA `0C`, chaining done).
pub(crate) fn wrapped(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    let Some(Session::Open { sm, .. }) = token.session_mut() else {
        return Reply::status(0x6982);
    };
    let outer = Command {
        cla: apdu.cla,
        ins: apdu.ins,
        p1: apdu.p1,
        p2: apdu.p2,
        data: apdu.data.to_vec(),
        le: apdu.ne.and_then(|ne| u32::try_from(ne).ok()),
        sensitive: false,
    };
    let mut inner = match sm.unwrap_command(&outer, apdu.extended) {
        Ok(inner) => inner,
        Err(violation) => {
            log::debug!(target: "fkn::virtual_token", "secure messaging: {violation}");
            token.end_session();
            return Reply::status(violation.status_word());
        }
    };
    let inner_apdu = Apdu {
        cla: inner.cla,
        ins: inner.ins,
        p1: inner.p1,
        p2: inner.p2,
        data: &inner.data,
        ne: inner.le.and_then(|le| usize::try_from(le).ok()),
        extended: apdu.extended,
    };
    let reply = match lookup(inner.ins) {
        None => Reply::status(0x6D00),
        // SELECT and GENERAL AUTHENTICATE are never wrapped (Sections 3-4).
        Some(e) if e.access == Access::PlainOnly => Reply::status(0x6985),
        Some(e) => token.run(e, &inner_apdu),
    };
    // The inner data may hold a new password verifier.
    inner.data.zeroize();

    let Some(Session::Open { sm, .. }) = token.session_mut() else {
        // No inner command ends the session; if one did, nothing can be wrapped.
        return Reply::status(0x6F00);
    };
    let mut plain = Response::new(reply.data, reply.sw);
    let wrapped = sm.wrap_response(&plain);
    plain.data.zeroize();
    match wrapped {
        Ok(rsp) => Reply::new(rsp.data, rsp.sw),
        Err(violation) => {
            log::warn!(target: "fkn::virtual_token", "secure messaging: {violation}");
            token.end_session();
            Reply::status(violation.status_word())
        }
    }
}
