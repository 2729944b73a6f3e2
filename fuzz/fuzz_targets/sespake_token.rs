//! The token's side of SESPAKE (RFC 8133 party B, OFP1 Section 4) through
//! the virtual token's APDU interface: GENERAL AUTHENTICATE step 1 with a
//! fuzzed `U1`, step 2 with a fuzzed `MAC_A`, then SELECT to read the
//! attempt counter.
//!
//! The first byte picks how `U1` is made, so that the token's later checks
//! are reached and not only its point decoder:
//! * 0: raw bytes (any length, optionally with an `ID_A`), either PIN;
//! * 1: the honest host's `U1` (alpha from the input) and its `MAC_A` with
//!   the rest of the input XORed in (all zero: the honest run);
//! * 2: `s·P` for a fuzzed `s`: on the curve but unrelated to the PIN.
//!
//! Properties: every answer has a status word; step 1 succeeds only for a
//! point on the curve; step 2 succeeds only with the honest `MAC_A`, and
//! then the host accepts `MAC_B`; a failed attempt costs exactly one unit
//! of the counter and opens no session, a success restores the counter.
#![no_main]

use std::sync::OnceLock;

use fkn_core::apdu::{Command, LengthForm, codec, tlv};
use fkn_core::crypto::ec::{CurveId, Point, Scalar};
use fkn_core::sespake::{HostStart, MacContext, PasswordKey, Profile, derive_password_key};
use fkn_core::token::commands::{general_authenticate_1, general_authenticate_2, select};
use fkn_core::token::{PinRef, SelectInfo};
use fkn_vtoken::{OsRandom, PasswordRef, ScriptedRandom, SessionStatus, TokenState, VirtualToken};
use libfuzzer_sys::fuzz_target;

const SERIAL: [u8; 8] = *b"FUZZTOKN";
const CURVE: CurveId = CurveId::Tc26_256A;

/// The token and the host's password key: PBKDF2 runs once per process.
fn fixture() -> &'static (TokenState, PasswordKey) {
    static F: OnceLock<(TokenState, PasswordKey)> = OnceLock::new();
    F.get_or_init(|| {
        let state =
            TokenState::with_pins(SERIAL, "fuzz", "123456", "87654321", CURVE, &mut OsRandom)
                .expect("state");
        let salt = *state.pin(PasswordRef::User).salt();
        let key = derive_password_key(&Profile::ofp1(), CURVE, b"123456", &salt);
        (state, key)
    })
}

fn send(token: &mut VirtualToken, cmd: &Command) -> (Vec<u8>, u16) {
    let apdu = codec::encode(cmd, LengthForm::Short).expect("short APDU");
    let mut answer = token.process_apdu(&apdu);
    assert!(answer.len() >= 2, "an answer without a status word");
    let sw = answer.split_off(answer.len() - 2);
    (answer, u16::from_be_bytes([sw[0], sw[1]]))
}

fn attempts_left(token: &mut VirtualToken, pin: PinRef) -> u8 {
    let (data, sw) = send(token, &select());
    assert_eq!(sw, 0x9000);
    let info = SelectInfo::parse(&data).expect("SELECT parses");
    let p = info.passwords.iter().find(|p| p.reference == pin);
    p.expect("both PINs announced").attempts_left
}

/// `7C { TAG value }` → value (U2 or MAC_B); empty if malformed.
fn inner(data: &[u8], tag: u8) -> &[u8] {
    tlv::expect_single(data, 0x7C)
        .and_then(|d| tlv::expect_single(d, tag))
        .unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (state, key) = fixture();
    let beta = Scalar::from_be_bytes_reduced(CURVE, &[0x42]);
    let mut token = VirtualToken::new(state.clone()).with_random(ScriptedRandom::new([beta]));
    let pin = if mode & 0x80 != 0 {
        PinRef::Admin
    } else {
        PinRef::User
    };
    let before = attempts_left(&mut token, pin);

    let mut honest_mac_a = None;
    let mut host = None;
    let (u1, id_a, mac_a): (Vec<u8>, Vec<u8>, Vec<u8>) = match mode % 3 {
        0 => {
            let (&n, rest) = rest.split_first().unwrap_or((&0, &[]));
            let (u1, rest) = rest.split_at(usize::from(n).min(rest.len()));
            let (id_a, mac_a) = if mode & 0x40 != 0 {
                rest.split_at(rest.len().min(8))
            } else {
                (&[][..], rest)
            };
            (u1.to_vec(), id_a.to_vec(), mac_a.to_vec())
        }
        1 => {
            let (alpha, mask) = rest.split_at(rest.len().min(2));
            let alpha = Scalar::from_be_bytes_reduced(CURVE, &[&[1][..], alpha].concat());
            let mac = MacContext::ofp1(CURVE, &SERIAL);
            let user = state.pin(PasswordRef::User);
            let start = HostStart::new(&Profile::ofp1(), CURVE, user.ind(), user.salt(), key, mac)
                .expect("host");
            let (expect_u2, u1) = start.start_with_alpha(alpha).expect("U1");
            host = Some(expect_u2);
            (u1, Vec::new(), mask.to_vec())
        }
        _ => {
            let (s, mac_a) = rest.split_at(rest.len().min(32));
            let s = Scalar::from_be_bytes_reduced(CURVE, &[&[1][..], s].concat());
            (
                Point::mul_generator(&s).to_bytes(),
                Vec::new(),
                mac_a.to_vec(),
            )
        }
    };
    let cmd1 = general_authenticate_1(pin, &id_a, &u1);
    if codec::encode(&cmd1, LengthForm::Short).is_err() {
        return; // more than a short APDU carries: not a SESPAKE message
    }
    let (rsp1, sw1) = send(&mut token, &cmd1);
    if sw1 == 0x9000 {
        assert!(
            Point::from_bytes_on_curve(CURVE, &u1).is_ok(),
            "step 1 accepted a U1 that is no point of the curve"
        );
    }

    // The honest MAC_A for the token's U2, masked by the input (mode 1).
    let mut mac_a = mac_a;
    let mut expect_mac_b = None;
    if let (Some(h), 0x9000, PinRef::User) = (host, sw1, pin) {
        let (e, honest) = h.handle(inner(&rsp1, 0x82)).expect("the honest token's U2");
        let mut m = honest.to_vec();
        for (b, x) in m.iter_mut().zip(mac_a.iter().chain(std::iter::repeat(&0))) {
            *b ^= x;
        }
        honest_mac_a = Some(honest);
        expect_mac_b = Some(e);
        mac_a = m;
    }
    let (rsp2, sw2) = send(&mut token, &general_authenticate_2(pin, &mac_a));
    let honest = honest_mac_a.is_some_and(|h| h[..] == mac_a[..]);
    if sw2 == 0x9000 {
        assert!(honest, "step 2 accepted a MAC_A the host did not compute");
        let mac_b = inner(&rsp2, 0x84);
        expect_mac_b
            .expect("host state")
            .handle(mac_b)
            .expect("the host accepts the token's MAC_B");
        assert!(matches!(token.session_status(), SessionStatus::Open(_)));
    } else {
        assert!(!honest, "the honest MAC_A was refused with {sw2:04X}");
        assert!(!matches!(token.session_status(), SessionStatus::Open(_)));
    }

    let after = attempts_left(&mut token, pin);
    match (sw1, sw2) {
        (_, 0x9000) => assert_eq!(after, before, "a success restores the counter"),
        // Step 1 ran (whatever U1 was): exactly one attempt is spent.
        (0x9000 | 0x6A80, _) => assert_eq!(after + 1, before, "{sw1:04X} {sw2:04X}"),
        _ => assert!(after + 1 >= before, "{sw1:04X} {sw2:04X}"),
    }
});
