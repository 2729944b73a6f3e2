//! The reading commands of OFP1 Section 6, `00 CA P1 00` (GET DATA): token
//! info (`P1 = 01`), list keys (`02`), get certificate (`03`). Any session
//! (user or admin) may run them.

use super::commands::{Reply, key_id, require_session};
use super::state::{PasswordRef, TokenState};
use super::tlv::{self, push, tlv};
use super::token::VirtualToken;
use super::wire::Apdu;

/// `INS CA`.
pub(crate) fn get_data(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    if apdu.p2 != 0 || !(1..=3).contains(&apdu.p1) {
        return Reply::status(0x6A86);
    }
    if let Err(refused) = require_session(token, |_| true) {
        return refused;
    }
    let state = token.state();
    let result = match apdu.p1 {
        1 => no_data(apdu).map(|()| token_info(state)),
        2 => no_data(apdu).map(|()| list_keys(state)),
        _ => get_certificate(state, apdu.data),
    };
    result.unwrap_or_else(|refused| refused)
}

fn no_data(apdu: &Apdu<'_>) -> Result<(), Reply> {
    if apdu.data.is_empty() {
        Ok(())
    } else {
        Err(Reply::status(0x6700))
    }
}

/// `E0 { 81 serial, 82 label, 85 free slots, C5 user C1, C6 admin C1 }`.
fn token_info(state: &TokenState) -> Reply {
    let byte = |n: usize| u8::try_from(n).unwrap_or(u8::MAX);
    let c1 = |r| u8::try_from(state.pin(r).counters.c1).unwrap_or(u8::MAX);
    let mut e0 = Vec::with_capacity(64);
    push(&mut e0, 0x81, state.serial());
    push(&mut e0, 0x82, state.label().as_bytes());
    push(&mut e0, 0x85, &[byte(state.free_slots())]);
    push(&mut e0, 0xC5, &[c1(PasswordRef::User)]);
    push(&mut e0, 0xC6, &[c1(PasswordRef::Admin)]);
    Reply::ok(tlv(0xE0, &e0))
}

/// `E1 { 84 id, 06.. curve, 86 BYTES(Q), 88 label, 87 01/00 }` per key, in
/// creation order.
fn list_keys(state: &TokenState) -> Reply {
    let mut out = Vec::new();
    for key in state.keys() {
        let mut e1 = tlv(0x84, key.id());
        e1.extend_from_slice(key.curve().oid_der());
        push(&mut e1, 0x86, key.public_key());
        push(&mut e1, 0x88, &key.label);
        push(&mut e1, 0x87, &[u8::from(key.certificate.is_some())]);
        push(&mut out, 0xE1, &e1);
    }
    Reply::ok(out)
}

/// `{ 84 id }` → `70 certificate`; `6A 82` no such key, `6A 88` no certificate.
fn get_certificate(state: &TokenState, data: &[u8]) -> Result<Reply, Reply> {
    let id = tlv::single(data, 0x84).map_err(|_| Reply::status(0x6A80))?;
    let key = state
        .key(key_id(id)?)
        .ok_or_else(|| Reply::status(0x6A82))?;
    let cert = key
        .certificate
        .as_deref()
        .ok_or_else(|| Reply::status(0x6A88))?;
    Ok(Reply::ok(tlv(0x70, cert)))
}
