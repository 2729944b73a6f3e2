//! Complete OFP1 Section 6 flows against the virtual token, at the APDU
//! level through the SDK's host SESPAKE and secure messaging: key
//! generation on every curve, signing up to 16 digests (verified with
//! `VerifyingKey`), certificates, deletion, key slots, change PIN and
//! unblock, token creation from PINs, persistence.

mod vtoken_common;

use fkn_core::apdu::Response;
use fkn_core::crypto::ec::{CurveId, Point, VerifyingKey};
use fkn_core::crypto::hash::{streebog256, streebog512};
use fkn_vtoken::{
    MAX_CERTIFICATE_LEN, OsRandom, PasswordRef, PinCounters, SessionStatus, TokenState,
    VirtualToken,
};
use vtoken_common::*;

const USER: PasswordRef = PasswordRef::User;
const ADMIN: PasswordRef = PasswordRef::Admin;
const CURVE: CurveId = CurveId::Tc26_256A;

fn digest(curve: CurveId, message: &[u8]) -> Vec<u8> {
    match curve.digest_len() {
        32 => streebog256(message).to_vec(),
        _ => streebog512(message).to_vec(),
    }
}

fn ok(r: Response) -> Vec<u8> {
    assert_eq!(r.sw, 0x9000, "{r:?}");
    r.data
}

/// Signatures `9E s||r` of a sign response.
fn signatures(data: &[u8]) -> Vec<Vec<u8>> {
    read_tlvs(data)
        .into_iter()
        .map(|(tag, v)| {
            assert_eq!(tag, 0x9E);
            v
        })
        .collect()
}

#[test]
fn keygen_sign_and_list_on_every_curve() {
    let (mut t, mut ch) = user_session(CURVE);
    let mut publics = Vec::new();
    for (i, curve) in CurveId::ALL.into_iter().enumerate() {
        let id = [i as u8 + 1];
        let label = format!("key on {curve}");
        let rsp = ok(send(
            &mut t,
            &mut ch,
            &cmd::generate(&id, curve, &label),
            false,
        ));
        let objects = read_tlvs(&rsp);
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0].0, 0x86);
        let public = objects[0].1.clone();
        assert_eq!(public.len(), 2 * curve.coord_len());
        let q = VerifyingKey::from_bytes(curve, &public).expect("a valid public key");

        let e = digest(curve, format!("message {i}").as_bytes());
        let rsp = ok(send(
            &mut t,
            &mut ch,
            &cmd::sign(&id, std::slice::from_ref(&e)),
            false,
        ));
        let sigs = signatures(&rsp);
        assert_eq!(sigs.len(), 1);
        q.verify_digest(&e, &sigs[0]).expect("signature verifies");
        publics.push((id, curve, public, label));
    }

    // List keys: one E1 per key, in creation order.
    let rsp = ok(send(&mut t, &mut ch, &cmd::list_keys(), false));
    let mut expected = Vec::new();
    for (id, curve, public, label) in &publics {
        let mut e1 = tlv(0x84, id);
        e1.extend_from_slice(curve.oid_der());
        put(&mut e1, 0x86, public);
        put(&mut e1, 0x88, label.as_bytes());
        put(&mut e1, 0x87, &[0x00]);
        put(&mut expected, 0xE1, &e1);
    }
    assert_eq!(hex::encode(&rsp), hex::encode(&expected));
    assert_eq!(t.state().free_slots(), 16 - 7);
}

#[test]
fn sign_sixteen_digests_in_order_short_and_extended() {
    for extended in [false, true] {
        let state = pin_state_with(CURVE, |c| {
            c.extended_length = extended;
            c.max_response_data = if extended { 65_536 } else { 256 };
        });
        let (mut t, mut ch) = session(VirtualToken::new(state), USER);
        for (id, curve) in [(1u8, CurveId::Tc26_256A), (2, CurveId::Tc26_512A)] {
            let rsp = ok(send(
                &mut t,
                &mut ch,
                &cmd::generate(&[id], curve, ""),
                extended,
            ));
            let q = VerifyingKey::from_bytes(curve, &read_tlvs(&rsp)[0].1).expect("key");
            let digests: Vec<Vec<u8>> = (0..16u8).map(|i| digest(curve, &[i; 3])).collect();
            let mut sign = cmd::sign(&[id], &digests);
            if extended {
                sign.le = Some(65_536);
            }
            let wrapped = ch.wrap(&sign, extended).expect("wraps");
            let (rsp, exchanges) = transmit(&mut t, &wrapped, extended);
            // 512-bit: ~1.1 KB up, ~2.1 KB down.
            match (extended, curve.coord_len()) {
                (true, _) => assert_eq!(exchanges, 1),
                (false, 64) => assert!(exchanges > 10, "{exchanges}"),
                _ => {}
            }
            let sigs = signatures(&ok(ch.unwrap(&rsp).expect("unwraps")));
            assert_eq!(sigs.len(), 16);
            for (i, (d, s)) in digests.iter().zip(&sigs).enumerate() {
                q.verify_digest(d, s)
                    .unwrap_or_else(|e| panic!("{curve} #{i}: {e}"));
            }
            assert!(
                q.verify_digest(&digests[0], &sigs[1]).is_err(),
                "order kept"
            );
        }
    }
}

#[test]
fn sign_refusals() {
    let (mut t, mut ch) = user_session(CURVE);
    ok(send(
        &mut t,
        &mut ch,
        &cmd::generate(&[1], CURVE, ""),
        false,
    ));
    let d = vec![0xAB; 32];
    let sw_of = |t: &mut VirtualToken, ch: &mut _, c| send(t, ch, &c, false).sw;
    assert_eq!(
        sw_of(&mut t, &mut ch, cmd::sign(&[1], &vec![d.clone(); 17])),
        0x6A80
    );
    assert_eq!(sw_of(&mut t, &mut ch, cmd::sign(&[1], &[])), 0x6A80);
    assert_eq!(
        sw_of(&mut t, &mut ch, cmd::sign(&[1], &[vec![0xAB; 64]])),
        0x6A80
    );
    assert_eq!(
        sw_of(&mut t, &mut ch, cmd::sign(&[1], &[d.clone(), vec![1; 31]])),
        0x6A80
    );
    assert_eq!(
        sw_of(&mut t, &mut ch, cmd::sign(&[9], std::slice::from_ref(&d))),
        0x6A82
    );
    assert_eq!(
        sw_of(&mut t, &mut ch, cmd::sign(&[], std::slice::from_ref(&d))),
        0x6A80
    );
    let mut wrong_p = cmd::sign(&[1], std::slice::from_ref(&d));
    wrong_p.p2 = 0x9B;
    assert_eq!(sw_of(&mut t, &mut ch, wrong_p), 0x6A86);
    let mut wrong_tag = cmd::sign(&[1], std::slice::from_ref(&d));
    wrong_tag.data[3] = 0x91;
    assert_eq!(sw_of(&mut t, &mut ch, wrong_tag), 0x6A80);
    let mut truncated = cmd::sign(&[1], std::slice::from_ref(&d));
    truncated.data.pop();
    assert_eq!(sw_of(&mut t, &mut ch, truncated), 0x6A80);
    // Sixteen is fine.
    assert_eq!(
        sw_of(&mut t, &mut ch, cmd::sign(&[1], &vec![d; 16])),
        0x9000
    );
}

#[test]
fn certificates_put_get_replace_and_limits() {
    let (mut t, mut ch) = user_session(CURVE);
    ok(send(
        &mut t,
        &mut ch,
        &cmd::generate(&[7], CURVE, "signing"),
        false,
    ));
    assert_eq!(
        send(&mut t, &mut ch, &cmd::get_certificate(&[7]), false).sw,
        0x6A88
    );
    assert_eq!(
        send(&mut t, &mut ch, &cmd::get_certificate(&[8]), false).sw,
        0x6A82
    );

    let big: Vec<u8> = (0..MAX_CERTIFICATE_LEN).map(|i| (i * 7) as u8).collect();
    assert_eq!(MAX_CERTIFICATE_LEN, 8192);
    assert!(
        ok(send(
            &mut t,
            &mut ch,
            &cmd::put_certificate(&[7], &big),
            false
        ))
        .is_empty()
    );
    let rsp = ok(send(&mut t, &mut ch, &cmd::get_certificate(&[7]), false));
    assert_eq!(&rsp[..4], &[0x70, 0x82, 0x20, 0x00]);
    assert_eq!(&rsp[4..], &big[..]);
    let list = ok(send(&mut t, &mut ch, &cmd::list_keys(), false));
    assert!(list.ends_with(&[0x87, 0x01, 0x01]));

    let too_big = vec![0x30; MAX_CERTIFICATE_LEN + 1];
    assert_eq!(
        send(
            &mut t,
            &mut ch,
            &cmd::put_certificate(&[7], &too_big),
            false
        )
        .sw,
        0x6A84
    );
    assert_eq!(
        send(&mut t, &mut ch, &cmd::put_certificate(&[7], &[]), false).sw,
        0x6A80
    );
    assert_eq!(
        send(
            &mut t,
            &mut ch,
            &cmd::put_certificate(&[8], &[0x30, 0]),
            false
        )
        .sw,
        0x6A82
    );
    // Refusals changed nothing; a new certificate replaces the old one.
    assert_eq!(
        t.state().key(&[7]).and_then(|k| k.certificate.clone()),
        Some(big)
    );
    ok(send(
        &mut t,
        &mut ch,
        &cmd::put_certificate(&[7], &[0x30, 0x00]),
        false,
    ));
    let rsp = ok(send(&mut t, &mut ch, &cmd::get_certificate(&[7]), false));
    assert_eq!(rsp, [0x70, 0x02, 0x30, 0x00]);

    // Deleting the key deletes its certificate.
    assert!(ok(send(&mut t, &mut ch, &cmd::delete(&[7]), false)).is_empty());
    assert_eq!(
        send(&mut t, &mut ch, &cmd::get_certificate(&[7]), false).sw,
        0x6A82
    );
    assert_eq!(send(&mut t, &mut ch, &cmd::delete(&[7]), false).sw, 0x6A82);
    assert!(ok(send(&mut t, &mut ch, &cmd::list_keys(), false)).is_empty());
}

#[test]
fn key_slots_ids_and_curves() {
    let state = pin_state_with(CURVE, |c| c.key_slots = 3)
        .with_supported_curves(vec![CurveId::Tc26_256A, CurveId::CryptoProA])
        .expect("curves");
    let (mut t, mut ch) = session(VirtualToken::new(state), USER);
    let gen_sw = |t: &mut VirtualToken, ch: &mut _, id: &[u8], curve| {
        send(t, ch, &cmd::generate(id, curve, ""), false).sw
    };
    let free_slots = |t: &mut VirtualToken, ch: &mut _| {
        let info = ok(send(t, ch, &cmd::token_info(), false));
        let e0 = read_tlvs(&read_tlvs(&info)[0].1);
        e0.into_iter().find(|(tag, _)| *tag == 0x85).expect("85").1
    };
    assert_eq!(free_slots(&mut t, &mut ch), [3]);
    assert_eq!(
        gen_sw(&mut t, &mut ch, &[0x11; 16], CURVE),
        0x9000,
        "16-byte id"
    );
    assert_eq!(
        gen_sw(&mut t, &mut ch, &[0x11; 17], CURVE),
        0x6A80,
        "17-byte id"
    );
    assert_eq!(gen_sw(&mut t, &mut ch, &[], CURVE), 0x6A80, "empty id");
    assert_eq!(
        gen_sw(&mut t, &mut ch, &[0x11; 16], CURVE),
        0x6A89,
        "id exists"
    );
    assert_eq!(
        gen_sw(&mut t, &mut ch, &[2], CurveId::Tc26_512A),
        0x6A80,
        "unsupported"
    );
    assert_eq!(gen_sw(&mut t, &mut ch, &[2], CurveId::CryptoProA), 0x9000);
    assert_eq!(gen_sw(&mut t, &mut ch, &[3], CURVE), 0x9000);
    assert_eq!(free_slots(&mut t, &mut ch), [0]);
    assert_eq!(gen_sw(&mut t, &mut ch, &[4], CURVE), 0x6A84, "no free slot");
    assert_eq!(gen_sw(&mut t, &mut ch, &[3], CURVE), 0x6A89, "exists, full");

    // Malformed data: an unknown OID, TLV errors, an extra object.
    let mut unknown_oid = cmd::generate(&[5], CURVE, "");
    let last = unknown_oid.data.len() - 1;
    unknown_oid.data[last] ^= 0x40;
    for (name, data) in [
        ("unknown OID", unknown_oid.data.clone()),
        ("no OID", tlv(0x84, &[5])),
        ("bad length", h("840501")),
        (
            "extra object",
            [cmd::generate(&[5], CURVE, "x").data, tlv(0x99, &[1])].concat(),
        ),
        (
            "wrong order",
            [CURVE.oid_der().to_vec(), tlv(0x84, &[5])].concat(),
        ),
    ] {
        ok(send(&mut t, &mut ch, &cmd::delete(&[3]), false));
        let c = fkn_core::apdu::Command::new(0x00, 0x47, 0x00, 0x00)
            .with_data(data)
            .with_le(256);
        assert_eq!(send(&mut t, &mut ch, &c, false).sw, 0x6A80, "{name}");
        ok(send(
            &mut t,
            &mut ch,
            &cmd::generate(&[3], CURVE, ""),
            false,
        ));
    }
    assert_eq!(t.state().keys().len(), 3);
}

#[test]
fn token_info_is_exact() {
    let (mut t, mut ch) = user_session(CURVE);
    let info = ok(send(&mut t, &mut ch, &cmd::token_info(), false));
    let mut e0 = tlv(0x81, b"VTOKEN01");
    put(&mut e0, 0x82, b"vtoken test");
    put(&mut e0, 0x85, &[16]);
    put(&mut e0, 0xC5, &[5]);
    put(&mut e0, 0xC6, &[5]);
    assert_eq!(info, tlv(0xE0, &e0));
    let mut with_data = cmd::token_info();
    with_data.data = vec![0x84, 0x01, 0x01];
    assert_eq!(send(&mut t, &mut ch, &with_data, false).sw, 0x6700);
    let mut p1 = cmd::token_info();
    p1.p1 = 0x04;
    assert_eq!(send(&mut t, &mut ch, &p1, false).sw, 0x6A86);
}

#[test]
fn change_pin_checks_the_new_verifier_and_resets_counters() {
    let mut t = VirtualToken::new(pin_state(CURVE));
    let wrong = password_key(&t, USER, "111111");
    assert_eq!(login(&mut t, USER, &wrong).err(), Some(0x63C4));
    let (mut t, mut ch) = session(t, USER);
    let before = t.state().pin(USER).clone();
    let salt = [0x77; 16];
    let record = pin_record(USER, CURVE, "111111", salt);

    // Refused: salt of 15 bytes, points off the curve or outside the
    // subgroup (Q_PW + T, T of order 4), another P2, malformed data.
    const ORDER4_256A: &str = "77592F8C11C5E7ACC09D6AF3D1805DBC5393C3955D5AB43875003505C6807F7FCD0E8EA4344FB70642D93FDA75821835FBB94AC1180F1DAA5F019F0F52827E7E";
    let order4 = Point::from_bytes_on_curve(CURVE, &h(ORDER4_256A)).expect("T");
    let q = Point::from_bytes(CURVE, record.q_pw()).expect("Q_PW");
    let outside = q.add(&order4).to_bytes();
    let mut off_curve = record.q_pw().to_vec();
    off_curve[0] ^= 1;
    for (name, c, expected) in [
        (
            "short salt",
            cmd::change_pin(USER, &salt[..15], record.q_pw()),
            0x6A80,
        ),
        (
            "off the curve",
            cmd::change_pin(USER, &salt, &off_curve),
            0x6A80,
        ),
        (
            "not in the subgroup",
            cmd::change_pin(USER, &salt, &outside),
            0x6A80,
        ),
        ("identity", cmd::change_pin(USER, &salt, &[0; 64]), 0x6A80),
        (
            "512-bit point",
            cmd::change_pin(USER, &salt, &[1; 128]),
            0x6A80,
        ),
        (
            "P2 03",
            cmd::new_password(0x24, 0, 3, &salt, record.q_pw()),
            0x6A86,
        ),
        (
            "P1 01",
            cmd::new_password(0x24, 1, 1, &salt, record.q_pw()),
            0x6A86,
        ),
        (
            "unblock P1P2",
            cmd::new_password(0x2C, 0, 1, &salt, record.q_pw()),
            0x6A86,
        ),
    ] {
        assert_eq!(send(&mut t, &mut ch, &c, false).sw, expected, "{name}");
    }
    let mut swapped = cmd::change_pin(USER, &salt, record.q_pw());
    swapped.data = [tlv(0xC7, record.q_pw()), tlv(0xC2, &salt)].concat();
    assert_eq!(send(&mut t, &mut ch, &swapped, false).sw, 0x6A80);
    assert_eq!(t.state().pin(USER), &before);

    assert!(
        ok(send(
            &mut t,
            &mut ch,
            &cmd::change_pin(USER, &salt, record.q_pw()),
            false
        ))
        .is_empty()
    );
    assert_eq!(t.state().pin(USER).counters, PinCounters::new());
    assert_eq!(t.state().pin(USER).salt(), &salt);
    assert_eq!(t.session_status(), SessionStatus::Open(USER));
    // The old PIN is a wrong PIN now; the new one logs in.
    let old = password_key(&t, USER, USER_PIN);
    assert_eq!(login(&mut t, USER, &old).err(), Some(0x63C4));
    let new = password_key(&t, USER, "111111");
    login(&mut t, USER, &new).expect("new PIN");
    // The admin PIN was not touched.
    let admin = password_key(&t, ADMIN, ADMIN_PIN);
    login(&mut t, ADMIN, &admin).expect("admin PIN");
}

#[test]
fn unblock_gives_the_user_a_new_pin() {
    let mut t = VirtualToken::new(pin_state(CURVE));
    t.update_state(|s| s.pin_mut(USER).counters.c1 = 0)
        .expect("in memory");
    let (mut t, mut admin) = session(t, ADMIN);
    let salt = [0x44; 16];
    let record = pin_record(USER, CURVE, "111111", salt);
    let mut bad = record.q_pw().to_vec();
    bad[5] ^= 0x10;
    assert_eq!(
        send(&mut t, &mut admin, &cmd::unblock(&salt, &bad), false).sw,
        0x6A80
    );
    assert!(t.state().pin(USER).counters.is_blocked());
    ok(send(
        &mut t,
        &mut admin,
        &cmd::unblock(&salt, record.q_pw()),
        false,
    ));
    assert_eq!(t.state().pin(USER).counters, PinCounters::new());
    let new = password_key(&t, USER, "111111");
    login(&mut t, USER, &new).expect("unblocked with the new PIN");
}

#[test]
fn a_token_made_from_pins_logs_in_with_them() {
    let dir = TempDir::new("with-pins");
    let path = dir.0.join("token.json");
    let made =
        VirtualToken::create_with_pins(&path, *b"PINS0001", "from PINs", "2468", "13579", CURVE)
            .expect("created");
    assert!(VirtualToken::create_with_pins(&path, [0; 8], "", "1", "2", CURVE).is_err());
    let (user, admin) = (
        made.state().pin(USER).clone(),
        made.state().pin(ADMIN).clone(),
    );
    assert_ne!(user.salt(), admin.salt());
    // Same verifier as the host derives from the PIN and the salt.
    assert_eq!(user, pin_record(USER, CURVE, "2468", *user.salt()));
    drop(made);
    let mut t = VirtualToken::open(&path).expect("opens");
    let key = password_key(&t, USER, "2468");
    let mut ch = login(&mut t, USER, &key).expect("user PIN");
    assert_eq!(send(&mut t, &mut ch, &cmd::token_info(), false).sw, 0x9000);
    assert!(TokenState::with_pins([0; 8], "x", "", "1", CURVE, &mut OsRandom).is_err());
}

#[test]
fn every_change_is_on_disk_before_the_answer() {
    let dir = TempDir::new("persist");
    let path = dir.0.join("token.json");
    let t = VirtualToken::create(&path, pin_state(CURVE)).expect("created");
    let (mut t, mut ch) = session(t, USER);
    ok(send(
        &mut t,
        &mut ch,
        &cmd::generate(&[1], CURVE, "on disk"),
        false,
    ));
    ok(send(
        &mut t,
        &mut ch,
        &cmd::put_certificate(&[1], &[0x30, 0x00]),
        false,
    ));
    let reopened = VirtualToken::open(&path).expect("reopens");
    assert_eq!(reopened.state(), t.state());
    assert_eq!(
        reopened.state().key(&[1]).map(|k| k.label.clone()),
        Some(b"on disk".to_vec())
    );
    ok(send(&mut t, &mut ch, &cmd::delete(&[1]), false));
    assert!(
        VirtualToken::open(&path)
            .expect("reopens")
            .state()
            .keys()
            .is_empty()
    );

    // When saving fails the change is undone and the answer is 6F 00
    // (inside secure messaging; the session goes on).
    std::fs::remove_dir_all(&dir.0).expect("directory removed");
    let r = send(&mut t, &mut ch, &cmd::generate(&[2], CURVE, ""), false);
    assert_eq!((r.sw, r.data.len()), (0x6F00, 0));
    assert!(t.state().keys().is_empty(), "no half-created key");
    assert_eq!(send(&mut t, &mut ch, &cmd::token_info(), false).sw, 0x9000);
}

#[test]
fn random_through_secure_messaging_and_61xx() {
    let (mut t, mut ch) = user_session(CURVE);
    let wrapped = ch.wrap(&cmd::random(256), false).expect("wraps");
    let (rsp, exchanges) = transmit(&mut t, &wrapped, false);
    assert_eq!(exchanges, 2, "the wrapped 256 bytes need one GET RESPONSE");
    let inner = ch.unwrap(&rsp).expect("unwraps");
    assert_eq!((inner.sw, inner.data.len()), (0x9000, 256));
    let no_le = fkn_core::apdu::Command::new(0x00, 0x84, 0x00, 0x00);
    assert_eq!(send(&mut t, &mut ch, &no_le, false).sw, 0x6700);
}
