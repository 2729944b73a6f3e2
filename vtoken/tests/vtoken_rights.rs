//! Who may do what on the virtual token, and what happens in the wrong
//! state (OFP1 Sections 4-7): no session, the other PIN's session, SESPAKE
//! steps out of order, and secure-messaging tampering and replay.

mod vtoken_common;

use fkn_core::apdu::Command;
use fkn_core::crypto::ec::CurveId;
use fkn_vtoken::{PasswordRef, PinCounters, SessionStatus, VirtualToken};
use vtoken_common::*;

const USER: PasswordRef = PasswordRef::User;
const ADMIN: PasswordRef = PasswordRef::Admin;
const CURVE: CurveId = CurveId::Tc26_256A;

fn token() -> VirtualToken {
    VirtualToken::new(pin_state(CURVE))
}

fn wrapped_bytes(ch: &mut fkn_core::sm::SecureChannel, c: &Command) -> Vec<u8> {
    encode(&ch.wrap(c, false).expect("wraps"), false)
}

fn new_verifier(reference: PasswordRef, pin: &str) -> ([u8; 16], Vec<u8>) {
    let salt = [0x33; 16];
    (
        salt,
        pin_record(reference, CURVE, pin, salt).q_pw().to_vec(),
    )
}

#[test]
fn without_a_session_every_section_6_command_answers_6982() {
    let mut t = token();
    let (salt, q_pw) = new_verifier(USER, USER_PIN);
    for c in [
        cmd::token_info(),
        cmd::list_keys(),
        cmd::get_certificate(&[1]),
        cmd::generate(&[1], CURVE, ""),
        cmd::sign(&[1], &[vec![0; 32]]),
        cmd::put_certificate(&[1], &[0x30, 0x00]),
        cmd::delete(&[1]),
        cmd::change_pin(USER, &salt, &q_pw),
        cmd::unblock(&salt, &q_pw),
    ] {
        assert_eq!(t.process_apdu(&encode(&c, false)), h("6982"), "{c:?}");
        // The same with the SM class bits but no session.
        let mut wrapped = c.clone();
        wrapped.cla = 0x0C;
        wrapped.le = Some(256);
        assert_eq!(t.process_apdu(&encode(&wrapped, false)), h("6982"), "{c:?}");
    }
    // Random needs no session.
    assert_eq!(t.process_apdu(&h("0084000008")).len(), 10);
    assert!(t.state().keys().is_empty());
}

#[test]
fn user_and_admin_rights() {
    let (mut t, mut user) = session(token(), USER);
    let ok = |r: fkn_core::apdu::Response| assert_eq!(r.sw, 0x9000, "{r:?}");
    ok(send(
        &mut t,
        &mut user,
        &cmd::generate(&[1], CURVE, "k"),
        false,
    ));
    ok(send(
        &mut t,
        &mut user,
        &cmd::sign(&[1], &[vec![7; 32]]),
        false,
    ));
    ok(send(
        &mut t,
        &mut user,
        &cmd::put_certificate(&[1], &[0x30, 0x00]),
        false,
    ));
    ok(send(&mut t, &mut user, &cmd::get_certificate(&[1]), false));
    ok(send(&mut t, &mut user, &cmd::list_keys(), false));
    ok(send(&mut t, &mut user, &cmd::token_info(), false));
    ok(send(&mut t, &mut user, &cmd::random(16), false));
    ok(send(
        &mut t,
        &mut user,
        &cmd::generate(&[2], CURVE, ""),
        false,
    ));
    ok(send(&mut t, &mut user, &cmd::delete(&[2]), false));
    let (salt, q_pw) = new_verifier(USER, USER_PIN);
    // The user may not unblock, nor change the admin PIN.
    let refused = send(&mut t, &mut user, &cmd::unblock(&salt, &q_pw), false);
    assert_eq!((refused.sw, refused.data.len()), (0x6982, 0));
    let refused = send(
        &mut t,
        &mut user,
        &cmd::change_pin(ADMIN, &salt, &q_pw),
        false,
    );
    assert_eq!(refused.sw, 0x6982);
    // A refusal inside SM keeps the session.
    assert_eq!(t.session_status(), SessionStatus::Open(USER));
    ok(send(
        &mut t,
        &mut user,
        &cmd::change_pin(USER, &salt, &q_pw),
        false,
    ));

    let (mut t, mut admin) = session(t, ADMIN);
    for c in [
        cmd::generate(&[3], CURVE, ""),
        cmd::sign(&[1], &[vec![7; 32]]),
        cmd::put_certificate(&[1], &[0x30, 0x01]),
        cmd::delete(&[1]),
        cmd::change_pin(USER, &salt, &q_pw),
    ] {
        let r = send(&mut t, &mut admin, &c, false);
        assert_eq!((r.sw, r.data.len()), (0x6982, 0), "admin: {c:?}");
    }
    for c in [
        cmd::token_info(),
        cmd::list_keys(),
        cmd::get_certificate(&[1]),
        cmd::random(32),
    ] {
        ok(send(&mut t, &mut admin, &c, false));
    }
    let (asalt, aq_pw) = new_verifier(ADMIN, ADMIN_PIN);
    ok(send(
        &mut t,
        &mut admin,
        &cmd::change_pin(ADMIN, &asalt, &aq_pw),
        false,
    ));
    ok(send(&mut t, &mut admin, &cmd::unblock(&salt, &q_pw), false));
    // Nothing the admin was refused happened.
    let keys = t.state().keys();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].certificate.as_deref(), Some(&[0x30, 0x00][..]));
}

#[test]
fn sespake_steps_out_of_order() {
    let mut t = token();
    let key = password_key(&t, USER, USER_PIN);
    let step2 = |p2: u8| ga_apdu(p2, &ga_data(&[(0x83, &[0; 32])]));

    // Step 2 without step 1.
    assert_eq!(t.process_apdu(&step2(1)), h("6985"));
    // Step 2 with another P2: refused, and the exchange is over.
    let (_host, rsp) = step1(&mut t, USER, &key);
    assert_eq!(sw(&rsp), 0x9000);
    assert_eq!(t.session_status(), SessionStatus::Authenticating(USER));
    assert_eq!(t.process_apdu(&step2(2)), h("6985"));
    assert_eq!(t.process_apdu(&step2(1)), h("6985"));
    // Any other command in between aborts it: plain random, a SELECT of
    // another AID, a fragment of another command, a wrapped command.
    let refill = |t: &mut VirtualToken| {
        t.update_state(|s| s.pin_mut(USER).counters = PinCounters::new())
            .expect("in memory")
    };
    for between in [
        "0084000004",
        "00A4040007A000000003000000",
        "10DA010001AA",
        "0CCA01000D9701008E08010203040506070800",
    ] {
        refill(&mut t);
        let (_host, rsp) = step1(&mut t, USER, &key);
        assert_eq!(sw(&rsp), 0x9000);
        t.process_apdu(&h(between));
        assert_eq!(t.session_status(), SessionStatus::None, "{between}");
        assert_eq!(t.process_apdu(&step2(1)), h("6985"), "{between}");
    }
    // GET RESPONSE with nothing pending answers 69 85 and aborts nothing.
    assert_eq!(t.process_apdu(&h("00C0000000")), h("6985"));
    refill(&mut t);
    let (host, rsp) = step1(&mut t, USER, &key);
    assert_eq!(t.process_apdu(&h("00C0000000")), h("6985"));
    let (host, mac_a) = host.handle(&inside_7c(&rsp, 0x82)).expect("host");
    let rsp = t.process_apdu(&ga_apdu(1, &ga_data(&[(0x83, &mac_a)])));
    host.handle(&inside_7c(&rsp, 0x84)).expect("authenticated");
    assert_eq!(t.session_status(), SessionStatus::Open(USER));
}

#[test]
fn get_response_and_fragments_of_the_same_step_keep_the_exchange() {
    // 16-byte response chunks: U2 arrives through 61 xx.
    let mut t = VirtualToken::new(pin_state_with(CURVE, |c| c.max_response_data = 16));
    let key = password_key(&t, USER, USER_PIN);
    let (host, first) = step1(&mut t, USER, &key);
    assert_eq!(first.len(), 18);
    assert_eq!(sw(&first), 0x6134);
    let mut rsp = first[..16].to_vec();
    loop {
        let next = t.process_apdu(&h("00C0000000"));
        rsp.extend_from_slice(&next[..next.len() - 2]);
        if sw(&next) == 0x9000 {
            break;
        }
    }
    rsp.extend_from_slice(&[0x90, 0x00]);
    let (host, mac_a) = host.handle(&inside_7c(&rsp, 0x82)).expect("host");
    // Step 2 in two chained fragments.
    let data = ga_data(&[(0x83, &mac_a)]);
    let (a, b) = data.split_at(10);
    let first = [&h("1086000100")[..], a].concat();
    let mut first = first;
    first[4] = a.len() as u8;
    assert_eq!(t.process_apdu(&first), h("9000"));
    assert_eq!(t.session_status(), SessionStatus::Authenticating(USER));
    let mut last = vec![0x00, 0x86, 0x00, 0x01, b.len() as u8];
    last.extend_from_slice(b);
    last.push(0x00);
    let mut rsp = t.process_apdu(&last);
    assert_eq!(sw(&rsp), 0x6114, "36 bytes: 16 now, 20 to fetch");
    while sw(&rsp) != 0x9000 {
        let next = t.process_apdu(&h("00C0000000"));
        rsp = [&rsp[..rsp.len() - 2], &next[..]].concat();
    }
    host.handle(&inside_7c(&rsp, 0x84)).expect("authenticated");
    assert_eq!(t.session_status(), SessionStatus::Open(USER));
}

#[test]
fn what_ends_an_open_session() {
    let (mut t, mut ch) = session(token(), USER);
    // A plain command that needs a session: 69 82, the session stays.
    assert_eq!(
        t.process_apdu(&encode(&cmd::token_info(), false)),
        h("6982")
    );
    // So do plain random, GET RESPONSE and a SELECT of another AID.
    assert_eq!(sw(&t.process_apdu(&h("0084000004"))), 0x9000);
    assert_eq!(t.process_apdu(&h("00C0000000")), h("6985"));
    assert_eq!(t.process_apdu(&h("00A4040003A0000000")), h("6A82"));
    assert_eq!(send(&mut t, &mut ch, &cmd::token_info(), false).sw, 0x9000);
    // SELECT of the OFP1 AID ends it.
    assert_eq!(sw(&t.process_apdu(&h(SELECT))), 0x9000);
    assert_eq!(t.session_status(), SessionStatus::None);
    assert_eq!(
        t.process_apdu(&wrapped_bytes(&mut ch, &cmd::token_info())),
        h("6982")
    );

    // So does a new step 1, even one that fails.
    let (mut t, mut ch) = session(t, USER);
    assert_eq!(
        t.process_apdu(&ga_apdu(2, &ga_data(&[(0x81, &[1; 64])]))),
        h("6A80")
    );
    assert_eq!(t.session_status(), SessionStatus::None);
    assert_eq!(
        t.process_apdu(&wrapped_bytes(&mut ch, &cmd::token_info())),
        h("6982")
    );

    // And a reset (power cycle).
    let (mut t, mut ch) = session(t, USER);
    t.reset();
    assert_eq!(
        t.process_apdu(&wrapped_bytes(&mut ch, &cmd::token_info())),
        h("6982")
    );
}

#[test]
fn select_and_general_authenticate_are_never_wrapped() {
    let (mut t, mut ch) = session(token(), USER);
    let select = Command::new(0x00, 0xA4, 0x04, 0x00)
        .with_data(h("F0464B4E4F5031"))
        .with_le(256);
    assert_eq!(send(&mut t, &mut ch, &select, false).sw, 0x6985);
    let ga = Command::new(0x00, 0x86, 0x00, 0x01)
        .with_data(ga_data(&[(0x81, &[1; 64])]))
        .with_le(256);
    assert_eq!(send(&mut t, &mut ch, &ga, false).sw, 0x6985);
    let unknown = Command::new(0x00, 0xB0, 0x00, 0x00).with_le(16);
    assert_eq!(send(&mut t, &mut ch, &unknown, false).sw, 0x6D00);
    assert_eq!(t.session_status(), SessionStatus::Open(USER));
    assert_eq!(t.state().pin(USER).counters.c3, 99_999, "no attempt spent");
}

#[test]
fn flipping_any_byte_of_a_wrapped_command_ends_the_session() {
    let mut t = token();
    let key = password_key(&t, USER, USER_PIN);
    // Without data (97 and 8E only) and with data (85, 97, 8E).
    for c in [cmd::token_info(), cmd::get_certificate(&[1, 2, 3])] {
        let len = {
            let mut ch = login(&mut t, USER, &key).expect("login");
            wrapped_bytes(&mut ch, &c).len()
        };
        for i in 0..len {
            let mut ch = login(&mut t, USER, &key).expect("login");
            let good = wrapped_bytes(&mut ch, &c);
            let mut bad = good.clone();
            bad[i] ^= 0x01;
            let rsp = t.process_apdu(&bad);
            // CLA 0D is no class of OFP1, and a wrong Lc may leave no valid
            // APDU: the link layer refuses those before secure messaging
            // sees them, and the session goes on.
            let link_error = match i {
                0 => h("6E00"),
                4 => h("6700"),
                _ => Vec::new(),
            };
            if rsp != link_error {
                assert_eq!(rsp, h("6988"), "byte {i} of {}", hex::encode(&good));
                assert_eq!(t.session_status(), SessionStatus::None);
                let next = wrapped_bytes(&mut ch, &cmd::token_info());
                assert_eq!(t.process_apdu(&next), h("6982"));
                continue;
            }
            assert_eq!(t.session_status(), SessionStatus::Open(USER), "byte {i}");
            let rsp = t.process_apdu(&good);
            assert_eq!(sw(&rsp), 0x9000);
        }
    }
}

#[test]
fn replayed_or_reordered_wrapped_commands_end_the_session() {
    let (mut t, mut ch) = session(token(), USER);
    let first = wrapped_bytes(&mut ch, &cmd::random(8));
    assert_eq!(sw(&t.process_apdu(&first)), 0x9000);
    assert_eq!(t.process_apdu(&first), h("6988"));
    assert_eq!(t.session_status(), SessionStatus::None);
    assert_eq!(
        t.process_apdu(&wrapped_bytes(&mut ch, &cmd::random(8))),
        h("6982")
    );

    let (mut t, mut ch) = session(t, USER);
    let one = wrapped_bytes(&mut ch, &cmd::random(8));
    let two = wrapped_bytes(&mut ch, &cmd::random(8));
    assert_eq!(t.process_apdu(&two), h("6988"));
    assert_eq!(t.process_apdu(&one), h("6982"));
}
