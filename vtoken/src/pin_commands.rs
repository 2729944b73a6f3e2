//! The password commands of OFP1 Section 6: change PIN (a session of the
//! same password) and unblock the user PIN (admin session). Both carry
//! `{ C2 new salt(16), C7 new BYTES(Q_PW) }` (the host derives `Q_PW` from
//! the new PIN; the PIN never reaches the token) and reset that password's
//! three counters.

use super::commands::{Reply, require_session};
use super::state::PasswordRef;
use super::tlv;
use super::token::VirtualToken;
use super::wire::Apdu;
use fkn_core::crypto::ec::Point;

/// `00 24 00 P2 { C2 salt, C7 Q_PW }`, `P2` = the password to change.
pub(crate) fn change_pin(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    let Some(reference) = PasswordRef::from_byte(apdu.p2).filter(|_| apdu.p1 == 0) else {
        return Reply::status(0x6A86);
    };
    if let Err(refused) = require_session(token, |r| r == reference) {
        return refused;
    }
    set_verifier(token, reference, apdu.data)
}

/// `00 2C 02 01 { C2 salt, C7 Q_PW }`: new user verifier, from an admin session.
pub(crate) fn unblock_user_pin(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    if apdu.p1p2() != 0x0201 {
        return Reply::status(0x6A86);
    }
    if let Err(refused) = require_session(token, |r| r == PasswordRef::Admin) {
        return refused;
    }
    set_verifier(token, PasswordRef::User, apdu.data)
}

/// Checks and installs a new verifier: a 16-byte salt and a valid point of
/// the password's curve in the prime-order subgroup (`6A 80` otherwise).
fn set_verifier(token: &mut VirtualToken, reference: PasswordRef, data: &[u8]) -> Reply {
    let Ok(objects) = tlv::parse(data) else {
        return Reply::status(0x6A80);
    };
    let [(0xC2, salt), (0xC7, q_pw)] = objects.as_slice() else {
        return Reply::status(0x6A80);
    };
    let Ok(salt) = <[u8; 16]>::try_from(*salt) else {
        return Reply::status(0x6A80);
    };
    let curve = token.state().pin(reference).curve();
    if Point::from_bytes(curve, q_pw).is_err() {
        return Reply::status(0x6A80);
    }
    match token
        .state_mut()
        .pin_mut(reference)
        .set_verifier(salt, q_pw.to_vec())
    {
        Ok(()) => Reply::ok(Vec::new()),
        Err(_) => Reply::status(0x6A80),
    }
}
