//! SESPAKE failure paths on both sides: malformed and small-order points
//! (the z_A / z_B rules of RFC 8133 steps 2-5), wrong MACs, wrong PINs and
//! the attempt counters of OFP1 Section 4.

use fkn_core::crypto::ec::{CurveId, Point, Scalar};
use fkn_core::crypto::hash::streebog256;
use fkn_core::crypto::mac::hmac_streebog256;
use fkn_core::sespake::{
    ExpectU2, HostStart, MacContext, PasswordKey, Profile, SespakeError, derive_password_key,
    password_point,
};
use fkn_vtoken::sespake::{self as token, AwaitMacA, Blocked, Counters, MacIds, TokenSespakeError};
use fkn_vtoken::{PasswordRef, PinRecord};

const SALT: [u8; 16] = *b"0123456789abcdef";

/// OFP1's point sets with one PBKDF2 iteration: these tests are about the
/// protocol, and 2000 iterations cost seconds in a debug build (the RFC and
/// transcript tests run the real count).
fn profile() -> Profile {
    Profile::ofp1().with_pbkdf2_iterations(1)
}
const SERIAL: [u8; 8] = *b"OFP1\x00\x00\x00\x2A";

/// Points `T` of order 4, as BYTES, computed offline as `T = q * R` with
/// `R = (x, (x^3 + ax + b)^((p+1)/4))` for the smallest `x` that gives order 4
/// (x = 13 on tc26-256-A, x = 1 on tc26-512-C; p = 3 mod 4 on both). The
/// tests re-check the order and that `T` is outside the subgroup.
const ORDER4_256A: &str = "77592F8C11C5E7ACC09D6AF3D1805DBC5393C3955D5AB43875003505C6807F7FCD0E8EA4344FB70642D93FDA75821835FBB94AC1180F1DAA5F019F0F52827E7E";
const ORDER4_512C: &str = "8F740111DBA626EF70D251705A9932C9727B5D577A19ED1471FFE2237F5DC69C5DFAA37EA2F2D102D77B89A8E3A6BA31240063EDBA2EB2138889355534B8CEB21E62043391F473CD5277F5500FCC975B587218066F4CC73E53FEA86B7D1853D618EFEB7BE7D7750885739CF9AAF42F956C0029C8308C163B989CA0FF9C286C18";

fn hx(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

struct Fixture {
    curve: CurveId,
    key: PasswordKey,
    record: PinRecord,
}

fn fixture(curve: CurveId, pin: &[u8]) -> Fixture {
    let profile = profile();
    let key = derive_password_key(&profile, curve, pin, &SALT);
    let q_pw = password_point(&profile, curve, 1, &key).expect("Q_PW");
    let record = PinRecord::new(PasswordRef::User, curve, SALT, q_pw.to_bytes()).expect("record");
    Fixture { curve, key, record }
}

fn host(f: &Fixture, key: &PasswordKey, alpha: u8) -> (ExpectU2, Vec<u8>) {
    HostStart::new(
        &profile(),
        f.curve,
        1,
        &SALT,
        key,
        MacContext::ofp1(f.curve, &SERIAL),
    )
    .expect("host")
    .start_with_alpha(small(f.curve, alpha))
    .expect("alpha")
}

fn tok(f: &Fixture, u1: &[u8], beta: u8) -> Result<(AwaitMacA, Vec<u8>), TokenSespakeError> {
    token::step1_with_beta(
        &f.record,
        MacIds::ofp1(f.curve, &SERIAL, &[]),
        u1,
        small(f.curve, beta),
    )
}

fn small(curve: CurveId, v: u8) -> Scalar {
    Scalar::from_be_bytes_reduced(curve, &[v])
}

fn q_pw(f: &Fixture) -> Point {
    Point::from_bytes(f.curve, f.record.q_pw()).expect("Q_PW")
}

/// `HMAC256(K, prefix || ID || 01 || salt || U1 || U2 || ID_ALG)` in the OFP1 layout.
fn ofp1_mac(k: &[u8], prefix: u8, id: &[u8], curve: CurveId, u1: &[u8], u2: &[u8]) -> [u8; 32] {
    let input = [&[prefix][..], id, &[1], &SALT, u1, u2, curve.oid_der()].concat();
    hmac_streebog256(k, &input)
}

/// `HASH(BYTES((m/q * s mod q) * P))`: the key of a party whose peer point had
/// small order (RFC 8133 replaces it by P).
fn key_with_p(curve: CurveId, s: u8) -> [u8; 32] {
    let e = small(curve, s).mul(&small(curve, curve.cofactor() as u8));
    streebog256(&Point::mul_generator(&e).to_bytes())
}

/// Off-curve encodings of the right length (checked to be off the curve).
fn off_curve(curve: CurveId, valid: &[u8]) -> Vec<Vec<u8>> {
    let mut v = vec![vec![0u8; valid.len()], vec![0xFF; valid.len()]];
    let mut flipped = valid.to_vec();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    v.push(flipped);
    for b in &v {
        assert!(Point::from_bytes_on_curve(curve, b).is_err());
    }
    v
}

#[test]
fn token_rejects_u1_off_the_curve_or_of_the_wrong_length() {
    let f = fixture(CurveId::Tc26_256A, b"123456");
    let (_, u1) = host(&f, &f.key, 3);
    let counters = Counters::new();
    for bad in off_curve(f.curve, &u1) {
        let err = tok(&f, &bad, 5).expect_err("off-curve u1 accepted");
        assert_eq!(err, TokenSespakeError::NotOnCurve);
        assert_eq!(token::status_word(&err, &counters), 0x6A80);
    }
    for len in [0, 63, 65, 128] {
        let err = tok(&f, &vec![1; len], 5).expect_err("bad length accepted");
        assert_eq!(err, TokenSespakeError::BadLength { what: "u1" });
        assert_eq!(token::status_word(&err, &counters), 0x6A80);
    }
    assert!(tok(&f, &u1, 5).is_ok());
}

#[test]
fn host_rejects_u2_off_the_curve_or_of_the_wrong_length() {
    let f = fixture(CurveId::CryptoProB, b"123456");
    let (_, u1) = host(&f, &f.key, 3);
    let (_, u2) = tok(&f, &u1, 5).expect("token");
    for bad in off_curve(f.curve, &u2) {
        let (h, _) = host(&f, &f.key, 3);
        assert_eq!(
            h.handle(&bad).err(),
            Some(SespakeError::PointNotOnCurve { curve: f.curve })
        );
    }
    for len in [0, 63, 65] {
        let (h, _) = host(&f, &f.key, 3);
        assert!(matches!(
            h.handle(&vec![1; len]),
            Err(SespakeError::BadLength { what: "u2", .. })
        ));
    }
}

#[test]
fn host_rejects_small_order_u2_even_with_a_valid_mac_b() {
    for (curve, t) in [
        (CurveId::Tc26_256A, Some(ORDER4_256A)),
        (CurveId::Tc26_512C, Some(ORDER4_512C)),
        (CurveId::CryptoProA, None),
    ] {
        let f = fixture(curve, b"123456");
        // Q_A = u2 - Q_PW in {O} or {T, 2T, 3T}: every point of order dividing m/q.
        let mut torsion = vec![Point::identity(curve)];
        if let Some(t) = t {
            let t = Point::from_bytes_on_curve(curve, &hx(t)).expect("T on the curve");
            assert!(!t.is_identity() && !t.double().is_identity());
            assert!(t.mul_by_cofactor().is_identity(), "T has order 4");
            assert!(
                Point::from_bytes(curve, &t.to_bytes()).is_err(),
                "T is outside the subgroup"
            );
            torsion.extend([t, t.double(), t.double().add(&t)]);
        }
        for t in torsion {
            let u2 = q_pw(&f).add(&t).to_bytes();
            let (h, u1) = host(&f, &f.key, 7);
            // RFC 8133 step 3: A goes on with Q_A = P and fails only at step 5.
            let (h, mac_a) = h.handle(&u2).expect("step 3 completes");
            let k = key_with_p(curve, 7);
            assert_eq!(
                mac_a,
                ofp1_mac(&k, 1, &[], curve, &u1, &u2),
                "{curve}: K_A from P"
            );
            let mac_b = ofp1_mac(&k, 2, &SERIAL, curve, &u1, &u2);
            assert_eq!(
                h.handle(&mac_b).err(),
                Some(SespakeError::SmallOrderPoint),
                "{curve}"
            );
        }
    }
}

#[test]
fn token_rejects_small_order_u1_even_with_a_valid_mac_a() {
    for (curve, t) in [
        (CurveId::Tc26_256A, Some(ORDER4_256A)),
        (CurveId::CryptoProC, None),
    ] {
        let f = fixture(curve, b"123456");
        let mut torsion = vec![Point::identity(curve)];
        if let Some(t) = t {
            torsion.push(Point::from_bytes_on_curve(curve, &hx(t)).expect("T"));
        }
        for t in torsion {
            let u1 = t.sub(&q_pw(&f)).to_bytes();
            let mut counters = f.record.counters;
            counters.begin_attempt().expect("fresh");
            let (state, u2) = tok(&f, &u1, 9).expect("u1 is on the curve");
            // The attacker knows K_B = HASH(BYTES(m/q * beta * P)) here, so MAC_A verifies...
            let mac_a = ofp1_mac(&key_with_p(curve, 9), 1, &[], curve, &u1, &u2);
            // ...and z_B = 1 still refuses the attempt (RFC 8133 step 4).
            let err = state.handle(&mac_a).expect_err("z_B = 1 accepted");
            assert_eq!(err, TokenSespakeError::SmallOrderPoint);
            assert_eq!(token::status_word(&err, &counters), 0x63C4);
        }
    }
}

#[test]
fn wrong_mac_b_means_the_token_is_not_authentic() {
    let f = fixture(CurveId::Tc26_512A, b"123456");
    let (h, u1) = host(&f, &f.key, 3);
    let (t, u2) = tok(&f, &u1, 5).expect("token");
    let (h, mac_a) = h.handle(&u2).expect("step 3");
    let good = t.handle(&mac_a).expect("token accepts").mac_b;
    let mut bad = good;
    bad[31] ^= 0x80;
    for wrong in [
        &bad[..],
        &good[..31],
        &[][..],
        &[good.to_vec(), vec![0]].concat()[..],
    ] {
        let (h2, _) = host(&f, &f.key, 3);
        let (h2, _) = h2.handle(&u2).expect("step 3");
        let err = h2.handle(wrong).expect_err("wrong MAC_B accepted");
        assert_eq!(err, SespakeError::MacMismatch);
        assert!(
            err.to_string().contains("could not be authenticated"),
            "{err}"
        );
    }
    assert!(h.handle(&good).is_ok());
}

#[test]
fn wrong_pin_blocks_after_five_attempts_and_success_resets_c1() {
    let f = fixture(CurveId::CryptoProA, b"123456");
    let wrong = derive_password_key(&profile(), f.curve, b"654321", &SALT);
    let mut counters = Counters::new();

    let attempt = |counters: &mut Counters, key: &PasswordKey| -> Result<(), u16> {
        counters.begin_attempt().map_err(|Blocked| 0x6983_u16)?;
        let (h, u1) = host(&f, key, 11);
        let (t, u2) = tok(&f, &u1, 13).map_err(|e| token::status_word(&e, counters))?;
        let (h, mac_a) = h.handle(&u2).expect("host step 3");
        let auth = t.handle(&mac_a).map_err(|e| {
            assert_eq!(e, TokenSespakeError::MacMismatch);
            token::status_word(&e, counters)
        })?;
        counters.on_success();
        h.handle(&auth.mac_b).expect("host step 5");
        Ok(())
    };

    // Two wrong, then right: C1 back to 5, C2 one unit short, C3 spent.
    assert_eq!(attempt(&mut counters, &wrong), Err(0x63C4));
    assert_eq!(attempt(&mut counters, &wrong), Err(0x63C3));
    assert_eq!(attempt(&mut counters, &f.key), Ok(()));
    assert_eq!(
        counters,
        Counters {
            c1: 5,
            c2: 8,
            c3: 99_997
        }
    );

    // Five wrong in a row: 63 C4 ... 63 C0, then blocked even for the right PIN.
    let sws: Vec<_> = (0..5).map(|_| attempt(&mut counters, &wrong)).collect();
    assert_eq!(sws, [0x63C4, 0x63C3, 0x63C2, 0x63C1, 0x63C0].map(Err));
    assert!(counters.is_blocked());
    assert_eq!(attempt(&mut counters, &f.key), Err(0x6983));
    assert_eq!(counters.c1, 0);
    counters.reset();
    assert_eq!(attempt(&mut counters, &f.key), Ok(()));
}

#[test]
fn token_rejects_mac_a_of_the_wrong_length_and_a_different_id_a() {
    let f = fixture(CurveId::Tc26_256A, b"123456");
    let (h, u1) = host(&f, &f.key, 3);
    let (t, u2) = tok(&f, &u1, 5).expect("token");
    let (_, mac_a) = h.handle(&u2).expect("step 3");
    let err = t.handle(&mac_a[..31]).expect_err("short MAC_A");
    assert_eq!(err, TokenSespakeError::BadLength { what: "MAC_A" });
    assert_eq!(token::status_word(&err, &Counters::new()), 0x6A80);

    // ID_A is authenticated: the host says "alice", the token heard "bob".
    let h = HostStart::new(
        &profile(),
        f.curve,
        1,
        &SALT,
        &f.key,
        MacContext::ofp1(f.curve, &SERIAL).with_id_a(b"alice"),
    )
    .expect("host");
    let (h, u1) = h.start_with_alpha(small(f.curve, 3)).expect("alpha");
    let (t, u2) = token::step1_with_beta(
        &f.record,
        MacIds::ofp1(f.curve, &SERIAL, b"bob"),
        &u1,
        small(f.curve, 5),
    )
    .expect("token");
    let (_, mac_a) = h.handle(&u2).expect("step 3");
    assert_eq!(t.handle(&mac_a).err(), Some(TokenSespakeError::MacMismatch));
}

#[test]
fn configuration_errors() {
    let profile = profile();
    let f = fixture(CurveId::Tc26_256A, b"123456");
    let mac = || MacContext::ofp1(f.curve, &SERIAL);
    assert!(matches!(
        HostStart::new(&profile, CurveId::CryptoProA, 1, &SALT, &f.key, mac()),
        Err(SespakeError::CurveMismatch { .. })
    ));
    assert!(matches!(
        HostStart::new(&profile, f.curve, 2, &SALT, &f.key, mac()),
        Err(SespakeError::UnknownPoint { ind: 2, .. })
    ));
    for alpha in [Scalar::zero(f.curve), Scalar::one(CurveId::Tc26_512C)] {
        let h = HostStart::new(&profile, f.curve, 1, &SALT, &f.key, mac()).expect("host");
        assert_eq!(
            h.start_with_alpha(alpha).err(),
            Some(SespakeError::InvalidAlpha { curve: f.curve })
        );
    }
    for beta in [Scalar::zero(f.curve), Scalar::one(CurveId::CryptoProA)] {
        let err = token::step1_with_beta(
            &f.record,
            MacIds::ofp1(f.curve, &SERIAL, &[]),
            &[0; 64],
            beta,
        )
        .expect_err("beta = 0 or of another curve");
        assert_eq!(err, TokenSespakeError::BadRecord);
    }
}

#[test]
fn debug_output_hides_secrets() {
    let f = fixture(CurveId::Tc26_256A, b"123456");
    let f_hex = hex::encode(&f.key.expose()[..6]);
    let alpha = small(f.curve, 0x77);
    let h = HostStart::new(
        &profile(),
        f.curve,
        1,
        &SALT,
        &f.key,
        MacContext::ofp1(f.curve, &SERIAL),
    )
    .expect("host");
    let start_dbg = format!("{h:?}");
    let (h, u1) = h.start_with_alpha(alpha).expect("alpha");
    let (t, u2) = tok(&f, &u1, 5).expect("token");
    let expect_dbg = format!("{h:?} {t:?}");
    let (h, mac_a) = h.handle(&u2).expect("step 3");
    let mac_dbg = format!("{h:?}");
    let auth = t.handle(&mac_a).expect("token");
    let est = h.handle(&auth.mac_b).expect("host");
    let k_hex = hex::encode(&est.k.expose()[..6]);
    let all = format!(
        "{:?} {start_dbg} {expect_dbg} {mac_dbg} {est:?} {auth:?}",
        f.key
    )
    .to_lowercase();
    assert!(!all.contains(&f_hex), "F leaks: {all}");
    assert!(!all.contains(&k_hex), "K leaks: {all}");
    assert!(all.contains("redacted"));
}
