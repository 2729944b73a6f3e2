//! GENERAL AUTHENTICATE on the token (OFP1 Section 4): framing, counters and
//! persistence around the party-B steps of [`super::sespake`].
//!
//! - Step 1 `00 86 00 P2 { 7C { [80 ID_A] 81 U1 } }`: ends any session;
//!   `69 83` when a counter is zero; otherwise spends one unit of each
//!   counter and saves that *before* looking at `U1` or answering, so a
//!   crash between a failed attempt and the next keeps the count; then
//!   `6A 80` for a `U1` off the curve, else `7C { 82 U2 }`.
//! - Step 2 `00 86 00 P2 { 7C { 83 MAC_A } }`: `69 85` without step 1 or
//!   with another `P2`; `6A 80` for a `MAC_A` that is not 32 bytes; `63 Cx`
//!   (x = `C1`) for a wrong `MAC_A` or `z_B = 1`; on success the counters
//!   are reset (saved before answering), the secure-messaging keys derived
//!   and `7C { 84 MAC_B }` answered.

use super::commands::Reply;
use super::secure_messaging::TokenSecureMessaging;
use super::sespake::{self, MacIds};
use super::session::Session;
use super::state::PasswordRef;
use super::tlv::{self, tlv};
use super::token::VirtualToken;
use super::wire::Apdu;

/// The two steps, told apart by the tag inside `7C`.
enum Step<'a> {
    One { id_a: &'a [u8], u1: &'a [u8] },
    Two { mac_a: &'a [u8] },
}

fn parse(data: &[u8]) -> Option<Step<'_>> {
    let inner = tlv::single(data, 0x7C).ok()?;
    match tlv::parse(inner).ok()?.as_slice() {
        [(0x81, u1)] => Some(Step::One { id_a: &[], u1 }),
        [(0x80, id_a), (0x81, u1)] => Some(Step::One { id_a, u1 }),
        [(0x83, mac_a)] => Some(Step::Two { mac_a }),
        _ => None,
    }
}

/// `INS 86`.
pub(crate) fn general_authenticate(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    match parse(apdu.data) {
        Some(Step::One { id_a, u1 }) => step1(token, apdu, id_a, u1),
        Some(Step::Two { mac_a }) => step2(token, apdu, mac_a),
        None => {
            // Another command between the steps: the exchange is over.
            token.abort_sespake();
            Reply::status(0x6A80)
        }
    }
}

fn step1(token: &mut VirtualToken, apdu: &Apdu<'_>, id_a: &[u8], u1: &[u8]) -> Reply {
    // Section 5: SESPAKE step 1 ends any session.
    token.end_session();
    let Some(reference) = PasswordRef::from_byte(apdu.p2).filter(|_| apdu.p1 == 0) else {
        return Reply::status(0x6A86);
    };
    let before = token.state().clone();
    if token
        .state_mut()
        .pin_mut(reference)
        .counters
        .begin_attempt()
        .is_err()
    {
        return Reply::status(0x6983);
    }
    if !token.commit(before, "GENERAL AUTHENTICATE step 1") {
        return Reply::status(0x6F00);
    }

    let curve = token.state().pin(reference).curve();
    let beta = token.random().scalar(curve);
    let state = token.state();
    let pin = state.pin(reference);
    let counters = pin.counters;
    let ids = MacIds::ofp1(curve, state.serial(), id_a);
    let result = sespake::step1_with_beta(pin, ids, u1, beta);
    match result {
        Ok((exchange, u2)) => {
            token.set_session(Session::Sespake {
                reference,
                exchange,
            });
            Reply::ok(tlv(0x7C, &tlv(0x82, &u2)))
        }
        Err(e) => Reply::status(sespake::status_word(&e, &counters)),
    }
}

fn step2(token: &mut VirtualToken, apdu: &Apdu<'_>, mac_a: &[u8]) -> Reply {
    // A stray step 2 leaves an open session alone (it is no step 1).
    let Some(Session::Sespake { reference, .. }) = token.session() else {
        return Reply::status(0x6985);
    };
    let reference = *reference;
    let Some(Session::Sespake { exchange, .. }) = token.take_session() else {
        return Reply::status(0x6985);
    };
    if apdu.p1 != 0 || apdu.p2 != reference.byte() {
        return Reply::status(0x6985);
    }
    let authenticated = match exchange.handle(mac_a) {
        Ok(a) => a,
        Err(e) => {
            return Reply::status(sespake::status_word(
                &e,
                &token.state().pin(reference).counters,
            ));
        }
    };
    let before = token.state().clone();
    token.state_mut().pin_mut(reference).counters.on_success();
    if !token.commit(before, "GENERAL AUTHENTICATE step 2") {
        // No session: K is dropped (and zeroized) with `authenticated`.
        return Reply::status(0x6F00);
    }
    let sespake::Authenticated { k, mac_b, u1, u2 } = authenticated;
    let sm = TokenSecureMessaging::new(k, &u1, &u2);
    token.set_session(Session::Open { reference, sm });
    Reply::ok(tlv(0x7C, &tlv(0x84, &mac_b)))
}
