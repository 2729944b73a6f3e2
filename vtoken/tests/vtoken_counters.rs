//! The SESPAKE attempt counters of the virtual token (OFP1 Section 4, RFC
//! 8133 4.3): spent and saved at step 1 before anything is answered, `63 Cx`
//! for a wrong PIN, `69 83` once any counter is zero, reset by a success
//! (`C1`), by change PIN and by the admin's unblock.

mod vtoken_common;

use fkn_core::crypto::ec::{CurveId, Point, Scalar};
use fkn_core::crypto::hash::streebog256;
use fkn_core::crypto::mac::hmac_streebog256;
use fkn_vtoken::{PasswordRef, PinCounters, ScriptedRandom, SessionStatus, VirtualToken};
use vtoken_common::*;

const USER: PasswordRef = PasswordRef::User;
const ADMIN: PasswordRef = PasswordRef::Admin;

fn counters(token: &VirtualToken, r: PasswordRef) -> (u32, u32, u32) {
    let c = token.state().pin(r).counters;
    (c.c1, c.c2, c.c3)
}

/// `C4` of a password template in the SELECT response.
fn select_c1(token: &mut VirtualToken, r: PasswordRef) -> u8 {
    let rsp = token.process_apdu(&h(SELECT));
    assert_eq!(sw(&rsp), 0x9000);
    let template = [0xC0, 0x01, r.byte()];
    let at = rsp
        .windows(3)
        .position(|w| w == template)
        .expect("password template");
    let c4 = rsp[at..]
        .windows(2)
        .position(|w| w == [0xC4, 0x01])
        .expect("C4");
    rsp[at + c4 + 2]
}

#[test]
fn five_wrong_pins_block_and_the_count_survives_reopening() {
    let dir = TempDir::new("block");
    let path = dir.0.join("token.json");
    let token = VirtualToken::create(&path, pin_state(CurveId::Tc26_256A)).expect("created");
    let wrong = password_key(&token, USER, "000000");
    let right = password_key(&token, USER, USER_PIN);
    drop(token);
    for (i, expected) in [0x63C4, 0x63C3, 0x63C2, 0x63C1, 0x63C0]
        .into_iter()
        .enumerate()
    {
        // A new token object for every attempt: only the file remembers.
        let mut token = VirtualToken::open(&path).expect("reopens");
        assert_eq!(usize::from(select_c1(&mut token, USER)), 5 - i);
        assert_eq!(login(&mut token, USER, &wrong).err(), Some(expected));
        assert_eq!(token.session_status(), SessionStatus::None);
    }
    let mut token = VirtualToken::open(&path).expect("reopens");
    assert_eq!(counters(&token, USER), (0, 5, 99_995));
    assert_eq!(select_c1(&mut token, USER), 0);
    // Blocked: even the right PIN gets 69 83 at step 1, which spends nothing.
    assert_eq!(login(&mut token, USER, &right).err(), Some(0x6983));
    assert_eq!(counters(&token, USER), (0, 5, 99_995));
    let mut token = VirtualToken::open(&path).expect("reopens");
    assert_eq!(login(&mut token, USER, &right).err(), Some(0x6983));
    // The admin PIN has its own counters.
    let admin = password_key(&token, ADMIN, ADMIN_PIN);
    assert!(login(&mut token, ADMIN, &admin).is_ok());
}

#[test]
fn a_crash_after_step_1_keeps_the_spent_attempt() {
    let dir = TempDir::new("crash");
    let path = dir.0.join("token.json");
    let mut token = VirtualToken::create(&path, pin_state(CurveId::Tc26_256A)).expect("created");
    let right = password_key(&token, USER, USER_PIN);
    let (_host, rsp) = step1(&mut token, USER, &right);
    assert_eq!(sw(&rsp), 0x9000);
    // Power is cut before step 2: the token object is gone.
    drop(token);
    let mut token = VirtualToken::open(&path).expect("reopens");
    assert_eq!(counters(&token, USER), (4, 9, 99_999));
    // The exchange itself did not survive.
    let rsp = token.process_apdu(&ga_apdu(1, &ga_data(&[(0x83, &[0; 32])])));
    assert_eq!(sw(&rsp), 0x6985);
    assert_eq!(counters(&token, USER), (4, 9, 99_999));
    // A success resets C1, gives one unit of C2 back and keeps C3 spent.
    login(&mut token, USER, &right).expect("right PIN");
    assert_eq!(counters(&token, USER), (5, 9, 99_998));
    assert_eq!(
        counters(&VirtualToken::open(&path).expect("reopens"), USER),
        (5, 9, 99_998)
    );
}

#[test]
fn success_resets_c1_and_token_info_shows_it() {
    let mut token = VirtualToken::new(pin_state(CurveId::Tc26_256A));
    let wrong = password_key(&token, USER, "654321");
    let right = password_key(&token, USER, USER_PIN);
    assert_eq!(login(&mut token, USER, &wrong).err(), Some(0x63C4));
    assert_eq!(login(&mut token, USER, &wrong).err(), Some(0x63C3));
    let mut ch = login(&mut token, USER, &right).expect("right PIN");
    assert_eq!(counters(&token, USER), (5, 8, 99_997));
    let info = send(&mut token, &mut ch, &cmd::token_info(), false);
    assert_eq!(info.sw, 0x9000);
    assert!(info.data.windows(3).any(|w| w == [0xC5, 0x01, 0x05]));
}

#[test]
fn unfinished_attempts_block_through_c2() {
    let mut token = VirtualToken::new(pin_state(CurveId::Tc26_256A));
    let right = password_key(&token, USER, USER_PIN);
    let unfinished = |token: &mut VirtualToken, n: usize| {
        for _ in 0..n {
            let (_host, rsp) = step1(token, USER, &right);
            assert_eq!(sw(&rsp), 0x9000);
        }
    };
    unfinished(&mut token, 4);
    login(&mut token, USER, &right).expect("C1 = 1 is enough");
    assert_eq!(counters(&token, USER), (5, 6, 99_995));
    unfinished(&mut token, 4);
    login(&mut token, USER, &right).expect("again");
    assert_eq!(counters(&token, USER), (5, 2, 99_990));
    unfinished(&mut token, 2);
    assert_eq!(counters(&token, USER), (3, 0, 99_988));
    // C1 = 3 but C2 = 0: blocked all the same.
    assert_eq!(login(&mut token, USER, &right).err(), Some(0x6983));
}

#[test]
fn a_bad_u1_spends_an_attempt_and_answers_6a80() {
    let mut token = VirtualToken::new(pin_state(CurveId::Tc26_256A));
    // Right length, not on the curve.
    let rsp = token.process_apdu(&ga_apdu(1, &ga_data(&[(0x81, &[0x01; 64])])));
    assert_eq!(rsp, h("6A80"));
    // Wrong length.
    let rsp = token.process_apdu(&ga_apdu(1, &ga_data(&[(0x81, &[0x01; 63])])));
    assert_eq!(rsp, h("6A80"));
    assert_eq!(counters(&token, USER), (3, 8, 99_998));
    assert_eq!(token.session_status(), SessionStatus::None);
    // A template that is no step at all spends nothing.
    for data in ["7C00", "7C028500", "7D028100", "7C03810100 00", "7C028300"] {
        let rsp = token.process_apdu(&ga_apdu(1, &h(data)));
        let expected = if data == "7C028300" { "6985" } else { "6A80" };
        assert_eq!(rsp, h(expected), "{data}");
    }
    assert_eq!(counters(&token, USER), (3, 8, 99_998));
    // P2 other than 01/02, P1 other than 00.
    let rsp = token.process_apdu(&ga_apdu(3, &ga_data(&[(0x81, &[1; 64])])));
    assert_eq!(rsp, h("6A86"));
    let mut apdu = ga_apdu(1, &ga_data(&[(0x81, &[1; 64])]));
    apdu[2] = 0x01;
    assert_eq!(token.process_apdu(&apdu), h("6A86"));
    assert_eq!(counters(&token, USER), (3, 8, 99_998));
}

#[test]
fn z_b_one_is_a_failed_attempt_even_with_the_right_mac() {
    // u1 = T - Q_PW with T of order 4 (tc26-256-A has cofactor 4), so that
    // u1 + Q_PW has small order: the token computes K from P instead
    // (RFC 8133 step 4) and must refuse even a MAC_A made with that K.
    // T: the order-4 point of `sespake_negative.rs` (re-checked here).
    const ORDER4_256A: &str = "77592F8C11C5E7ACC09D6AF3D1805DBC5393C3955D5AB43875003505C6807F7FCD0E8EA4344FB70642D93FDA75821835FBB94AC1180F1DAA5F019F0F52827E7E";
    let curve = CurveId::Tc26_256A;
    let t = Point::from_bytes_on_curve(curve, &h(ORDER4_256A)).expect("on the curve");
    assert!(!t.is_identity() && t.mul_by_cofactor().is_identity());

    let beta = Scalar::from_be_bytes(curve, &[0x21; 32]).expect("beta");
    let state = pin_state(curve);
    let record = state.pin(USER).clone();
    let mut token = VirtualToken::new(state).with_random(ScriptedRandom::new([beta.clone()]));
    let q_pw = Point::from_bytes(curve, record.q_pw()).expect("Q_PW");
    let u1 = t.sub(&q_pw).to_bytes();
    let rsp = token.process_apdu(&ga_apdu(1, &ga_data(&[(0x81, &u1)])));
    assert_eq!(sw(&rsp), 0x9000);
    let u2 = inside_7c(&rsp, 0x82);
    assert_eq!(u2, Point::mul_generator(&beta).add(&q_pw).to_bytes());

    let four = Scalar::from_be_bytes(curve, &[&[0u8; 31][..], &[4]].concat()).expect("4");
    let k = streebog256(&Point::mul_generator(&four.mul(&beta)).to_bytes());
    let mac_input = [&[0x01, 0x01][..], record.salt(), &u1, &u2, curve.oid_der()].concat();
    let mac_a = hmac_streebog256(&k, &mac_input);
    let rsp = token.process_apdu(&ga_apdu(1, &ga_data(&[(0x83, &mac_a)])));
    assert_eq!(rsp, h("63C4"));
    assert_eq!(token.session_status(), SessionStatus::None);
}

#[test]
fn admin_unblock_resets_the_user_counters() {
    let mut token = VirtualToken::new(pin_state(CurveId::Tc26_256A));
    let wrong = password_key(&token, USER, "000000");
    for _ in 0..5 {
        assert!(login(&mut token, USER, &wrong).is_err());
    }
    assert!(token.state().pin(USER).counters.is_blocked());
    let (mut token, mut admin) = session(token, ADMIN);
    let salt = [0x5A; 16];
    let new_record = pin_record(USER, CurveId::Tc26_256A, "246810", salt);
    let q_pw = new_record.q_pw();
    let rsp = send(&mut token, &mut admin, &cmd::unblock(&salt, q_pw), false);
    assert_eq!((rsp.sw, rsp.data.len()), (0x9000, 0));
    assert_eq!(token.state().pin(USER).counters, PinCounters::new());
    assert_eq!(token.state().pin(USER).salt(), &salt);
    // The admin session is still there.
    assert_eq!(
        send(&mut token, &mut admin, &cmd::random(8), false).sw,
        0x9000
    );
    // The old PIN is now just a wrong PIN; the new one works.
    let old = password_key(&token, USER, USER_PIN);
    assert_eq!(login(&mut token, USER, &old).err(), Some(0x63C4));
    let new = password_key(&token, USER, "246810");
    login(&mut token, USER, &new).expect("new PIN");
}

#[test]
fn a_failed_save_at_step_1_answers_6f00_and_spends_nothing() {
    let dir = TempDir::new("save-fails");
    let path = dir.0.join("token.json");
    let mut token = VirtualToken::create(&path, pin_state(CurveId::Tc26_256A)).expect("created");
    let right = password_key(&token, USER, USER_PIN);
    std::fs::remove_dir_all(&dir.0).expect("directory removed");
    let (_host, rsp) = step1(&mut token, USER, &right);
    assert_eq!(rsp, h("6F00"));
    assert_eq!(counters(&token, USER), (5, 10, 100_000));
    assert_eq!(token.session_status(), SessionStatus::None);
}
