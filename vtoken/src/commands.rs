//! The token's command table: one function per OFP1 command.
//!
//! [`VirtualToken`](super::VirtualToken) hands every *complete* command here
//! (chain fragments and GET RESPONSE are handled before, in `token.rs`):
//! plain commands (CLA `00`) through [`plain`], wrapped ones (CLA `0C`)
//! through [`super::wrapped`], which unwraps them and looks the inner INS
//! up in the same [`TABLE`]. Handlers live by section: `auth.rs` (4),
//! `key_commands.rs`, `info_commands.rs` and `pin_commands.rs` (6).

use super::session::Session;
use super::state::{MAX_KEY_ID_LEN, PasswordRef, TokenState};
use super::tlv::{push, tlv};
use super::token::{OFP1_AID, VirtualToken};
use super::wire::Apdu;
use super::{auth, info_commands, key_commands, pin_commands};

/// What a command answers, before response chaining (`61 xx`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Reply {
    /// Response data.
    pub data: Vec<u8>,
    /// Final status word.
    pub sw: u16,
    /// Set from [`Entry::repeatable`]: the token may answer `6C xx` instead.
    pub repeatable: bool,
}

impl Reply {
    /// Data and a status word.
    pub fn new(data: Vec<u8>, sw: u16) -> Reply {
        Reply {
            data,
            sw,
            repeatable: false,
        }
    }

    /// Data with `90 00`.
    pub fn ok(data: Vec<u8>) -> Reply {
        Reply::new(data, 0x9000)
    }

    /// A status word alone.
    pub fn status(sw: u16) -> Reply {
        Reply::new(Vec::new(), sw)
    }
}

/// Who may run a command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Only plain (SELECT, GENERAL AUTHENTICATE); wrapped answers `69 85`.
    PlainOnly,
    /// Plain or wrapped (random).
    Any,
    /// Only wrapped in an established session; plain answers `69 82`. The
    /// handler checks which password's session may run it.
    Session,
}

/// A command handler: may read and change the token, answers a [`Reply`].
pub(crate) type Handler = fn(&mut VirtualToken, &Apdu<'_>) -> Reply;

/// One row of [`TABLE`].
pub(crate) struct Entry {
    /// Instruction byte.
    pub ins: u8,
    /// Name for logs.
    pub name: &'static str,
    /// Plain, or session only.
    pub access: Access,
    /// Whether it can change persisted state (the token saves, before
    /// answering, when it did).
    pub mutates: bool,
    /// Whether it can safely run twice, so the token may answer `6C xx`.
    pub repeatable: bool,
    /// The function.
    pub handler: Handler,
}

/// Every instruction the token knows (GET RESPONSE `C0` is handled by the
/// response-chaining layer); anything else answers `6D 00`.
pub(crate) const TABLE: &[Entry] = &[
    Entry {
        ins: 0xA4,
        name: "SELECT",
        access: Access::PlainOnly,
        mutates: false,
        repeatable: true,
        handler: select,
    },
    Entry {
        ins: 0x84,
        name: "random",
        access: Access::Any,
        mutates: false,
        repeatable: false,
        handler: random,
    },
    Entry {
        ins: 0x86,
        name: "GENERAL AUTHENTICATE",
        // It saves the counters itself: the session may only start, and
        // U2 only be sent, once they are on disk.
        access: Access::PlainOnly,
        mutates: false,
        repeatable: false,
        handler: auth::general_authenticate,
    },
    Entry {
        ins: 0xCA,
        name: "GET DATA (token info, list keys, get certificate)",
        access: Access::Session,
        mutates: false,
        repeatable: false,
        handler: info_commands::get_data,
    },
    Entry {
        ins: 0x47,
        name: "generate key",
        access: Access::Session,
        mutates: true,
        repeatable: false,
        handler: key_commands::generate_key,
    },
    Entry {
        ins: 0x2A,
        name: "sign",
        access: Access::Session,
        mutates: false,
        repeatable: false,
        handler: key_commands::sign,
    },
    Entry {
        ins: 0xDA,
        name: "put certificate",
        access: Access::Session,
        mutates: true,
        repeatable: false,
        handler: key_commands::put_certificate,
    },
    Entry {
        ins: 0xE4,
        name: "delete key",
        access: Access::Session,
        mutates: true,
        repeatable: false,
        handler: key_commands::delete_key,
    },
    Entry {
        ins: 0x24,
        name: "change PIN",
        access: Access::Session,
        mutates: true,
        repeatable: false,
        handler: pin_commands::change_pin,
    },
    Entry {
        ins: 0x2C,
        name: "unblock user PIN",
        access: Access::Session,
        mutates: true,
        repeatable: false,
        handler: pin_commands::unblock_user_pin,
    },
];

/// The row for `ins`.
pub(crate) fn lookup(ins: u8) -> Option<&'static Entry> {
    TABLE.iter().find(|e| e.ins == ins)
}

/// A plain command (CLA `00`, chaining done).
pub(crate) fn plain(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    match lookup(apdu.ins) {
        None => Reply::status(0x6D00),
        // Section 5: a plain command that needs authentication answers
        // 69 82 and leaves an existing session alone.
        Some(e) if e.access == Access::Session => Reply::status(0x6982),
        Some(e) => token.run(e, apdu),
    }
}

/// Section 6 rights: the password of the open session if `allowed` accepts
/// it, else `69 82` (no session, or the wrong password's).
pub(crate) fn require_session(
    token: &VirtualToken,
    allowed: impl Fn(PasswordRef) -> bool,
) -> Result<PasswordRef, Reply> {
    match token.session() {
        Some(Session::Open { reference, .. }) if allowed(*reference) => Ok(*reference),
        _ => Err(Reply::status(0x6982)),
    }
}

/// Checks a key id from tag `84`: 1..=16 bytes, else `6A 80`.
pub(crate) fn key_id(id: &[u8]) -> Result<&[u8], Reply> {
    if (1..=MAX_KEY_ID_LEN).contains(&id.len()) {
        Ok(id)
    } else {
        Err(Reply::status(0x6A80))
    }
}

/// `00 A4 04 00 Lc AID [Le]` (Section 3).
fn select(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    if apdu.p1p2() != 0x0400 {
        return Reply::status(0x6A86);
    }
    if apdu.data != OFP1_AID {
        return Reply::status(0x6A82);
    }
    token.end_session();
    Reply::ok(select_response(token.state()))
}

/// The SELECT response data (Section 3):
/// `6F { 84 AID, A5 { 80 version, 81 serial, 82 label, 83 curves, A0 {C0..C4} x2 } }`.
pub(crate) fn select_response(state: &TokenState) -> Vec<u8> {
    let mut a5 = Vec::with_capacity(200);
    push(&mut a5, 0x80, &[state.version]);
    push(&mut a5, 0x81, state.serial());
    push(&mut a5, 0x82, state.label().as_bytes());
    let curves: Vec<u8> = state
        .supported_curves()
        .iter()
        .flat_map(|c| c.oid_der().iter().copied())
        .collect();
    push(&mut a5, 0x83, &curves);
    for reference in [PasswordRef::User, PasswordRef::Admin] {
        let pin = state.pin(reference);
        let mut a0 = Vec::with_capacity(48);
        push(&mut a0, 0xC0, &[reference.byte()]);
        push(&mut a0, 0xC1, &[pin.ind()]);
        push(&mut a0, 0xC2, pin.salt());
        push(&mut a0, 0xC3, pin.curve().oid_der());
        let c1 = u8::try_from(pin.counters.c1).unwrap_or(u8::MAX);
        push(&mut a0, 0xC4, &[c1]);
        push(&mut a5, 0xA0, &a0);
    }
    let mut fci = tlv(0x84, &OFP1_AID);
    push(&mut fci, 0xA5, &a5);
    tlv(0x6F, &fci)
}

/// `00 84 00 00 Le`: Le random bytes (Section 6; allowed without SM).
fn random(token: &mut VirtualToken, apdu: &Apdu<'_>) -> Reply {
    if apdu.p1p2() != 0 {
        return Reply::status(0x6A86);
    }
    let Some(n) = apdu.ne.filter(|_| apdu.data.is_empty()) else {
        return Reply::status(0x6700);
    };
    let mut bytes = vec![0; n];
    token.random().fill_bytes(&mut bytes);
    Reply::ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_no_duplicate_ins_and_no_get_response() {
        for (i, e) in TABLE.iter().enumerate() {
            assert!(TABLE[i + 1..].iter().all(|o| o.ins != e.ins), "{}", e.name);
            assert_ne!(e.ins, 0xC0);
        }
        assert!(lookup(0xA4).is_some_and(|e| e.repeatable));
        assert!(lookup(0x00).is_none());
    }
}
