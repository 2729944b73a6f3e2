//! Issue 14: a hostile token. A full session (SELECT, login, keygen, sign,
//! certificate in and out, key list, token info) against the virtual token,
//! with the answer at every exchange replaced by a malformed variant:
//! truncated, cut below its status word, empty, an over-long TLV length, a
//! wrong tag, a `61 xx` chain that never ends, a `6C xx` loop, an answer
//! longer than the short link carries, a stray status word, a flipped byte,
//! an earlier answer replayed (a valid MAC over the wrong counter), a `U2` off
//! its curve, of small order or of another curve. (Lies inside the secure
//! channel, which a proxy cannot forge: `hostile_secure.rs`.)
//!
//! Each run ends with a typed error within a bounded number of exchanges (or,
//! for a mutation of a field nothing reads, with the honest results), never
//! a PIN verdict the card did not give, and with the session's keys erased
//! after any failure. Nothing panics: every test installs a panic hook that
//! aborts the process, so a panic anywhere (even one caught inside the SDK)
//! kills the test binary instead of passing as an unwinding test failure.

mod hostile_common;

use std::sync::{Arc, Mutex, Once};

use fkn_core::Error;
use fkn_core::crypto::ec::{CurveId, Point, SigningKey, VerifyingKey};
use fkn_core::error::Violation;
use fkn_core::token::TokenSession;
use fkn_testkit::CountingTransport;
use fkn_vtoken::PasswordRef;
use hostile_common::{Hostile, Rewrite, USER_PIN, new_token, rsp};

/// The most GET RESPONSE commands the host sends for one command (OFP1 Section 2).
const GET_RESPONSE_CAP: u64 = 64;

fn abort_on_panic() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            eprintln!("panic in the hostile-token suite: {info}");
            std::process::abort();
        }));
    });
}

/// What an honest session produced, to compare a run that "succeeded" with.
#[derive(Debug, PartialEq)]
struct Outcome {
    certificate: Vec<u8>,
    keys: usize,
}

const DIGEST: [u8; 32] = [0x5A; 32];
const CERT: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x07];

/// The session every run plays. Stops at the first error.
fn session(s: &mut TokenSession<CountingTransport<Hostile>>) -> Result<Outcome, Error> {
    s.authenticate(USER_PIN)?;
    let key = s.generate_key(b"k1", CurveId::Tc26_256A, "hostile key")?;
    let sigs = s.sign(b"k1", &[DIGEST])?;
    // Whatever the card claims, a signature the key does not verify is not
    // a success: the session must have failed before we get here.
    VerifyingKey::from_bytes(CurveId::Tc26_256A, &key.public_key)
        .and_then(|vk| vk.verify_digest(&DIGEST, &sigs[0]))
        .expect("a signature that the generated key verifies");
    s.put_certificate(b"k1", CERT)?;
    let certificate = s.get_certificate(b"k1")?;
    let keys = s.list_keys()?.len();
    s.token_info()?;
    Ok(Outcome { certificate, keys })
}

struct Run {
    result: Result<Outcome, Error>,
    exchanges: u64,
    logged_in_after: bool,
}

fn run(rewrite: Rewrite) -> Run {
    let token = new_token(CurveId::Tc26_256A);
    let mut s = match TokenSession::open(Hostile::new(&token, rewrite)) {
        Ok(s) => s,
        Err(e) => {
            return Run {
                result: Err(e),
                exchanges: 0,
                logged_in_after: false,
            };
        }
    };
    let result = session(&mut s);
    Run {
        result,
        exchanges: s.transport().stats().exchanges,
        logged_in_after: s.authenticated_as().is_some(),
    }
}

/// The honest run: how many exchanges a session takes.
fn baseline() -> u64 {
    let r = run(Box::new(|_, _, honest| honest));
    let outcome = r.result.expect("the honest session succeeds");
    assert_eq!(outcome.certificate, CERT);
    assert_eq!(outcome.keys, 1);
    r.exchanges
}

/// A malformed variant of an answer.
#[derive(Clone, Copy, Debug)]
enum Mutation {
    /// Half the data, the status word kept.
    Truncate,
    /// One byte: not even a status word.
    CutBelowStatus,
    /// Nothing at all.
    Empty,
    /// The first length byte made `82 FF FF`: a length past the buffer.
    LengthPastBuffer,
    /// The first tag changed.
    WrongTag,
    /// `61 00` now and to every GET RESPONSE after it.
    EndlessChain,
    /// `6C 10` to the command and to its repetition.
    WrongLengthLoop,
    /// 70000 bytes of data on a short link.
    OverLong,
    /// A status word no command gets.
    StrayStatus,
    /// A byte in the middle flipped.
    FlipMiddle,
    /// The previous answer again (for wrapped answers: a valid MAC over the
    /// wrong counter).
    Replay,
}

const MUTATIONS: [Mutation; 11] = [
    Mutation::Truncate,
    Mutation::CutBelowStatus,
    Mutation::Empty,
    Mutation::LengthPastBuffer,
    Mutation::WrongTag,
    Mutation::EndlessChain,
    Mutation::WrongLengthLoop,
    Mutation::OverLong,
    Mutation::StrayStatus,
    Mutation::FlipMiddle,
    Mutation::Replay,
];

fn mutate_at(at: u64, m: Mutation) -> Rewrite {
    let mut previous: Vec<u8> = vec![0x90, 0x00];
    let mut chaining = false;
    let mut repeats = 0;
    Box::new(move |i, cmd, honest| {
        let out = if chaining && cmd.get(1) == Some(&0xC0) {
            rsp(&[0xAB; 256], 0x6100)
        } else if i == at || (repeats > 0 && i == at + 1) {
            let (data, sw) = honest.split_at(honest.len().saturating_sub(2));
            let sw = u16::from_be_bytes([sw[0], sw[1]]);
            match m {
                Mutation::Truncate => rsp(&data[..data.len() / 2], sw),
                Mutation::CutBelowStatus => vec![0x90],
                Mutation::Empty => Vec::new(),
                Mutation::LengthPastBuffer => {
                    let mut d = data.to_vec();
                    if d.len() >= 2 {
                        d.splice(1..2, [0x82, 0xFF, 0xFF]);
                    }
                    rsp(&d, sw)
                }
                Mutation::WrongTag => {
                    let mut d = data.to_vec();
                    if let Some(t) = d.first_mut() {
                        *t ^= 0x01;
                    }
                    rsp(&d, sw)
                }
                Mutation::EndlessChain => {
                    chaining = true;
                    rsp(&[0xAB; 256], 0x6100)
                }
                Mutation::WrongLengthLoop => {
                    repeats += 1;
                    rsp(&[], 0x6C10)
                }
                Mutation::OverLong => rsp(&vec![0x5A; 70_000], 0x9000),
                Mutation::StrayStatus => rsp(&[], 0x6FFE),
                Mutation::FlipMiddle => {
                    let mut h = honest.clone();
                    let mid = data.len() / 2;
                    if mid < data.len() {
                        h[mid] ^= 0x10;
                    }
                    h
                }
                Mutation::Replay => previous.clone(),
            }
        } else {
            honest
        };
        previous = out.clone();
        out
    })
}

#[test]
fn every_malformed_answer_at_every_exchange_is_a_bounded_typed_error() {
    abort_on_panic();
    let honest = baseline();
    let honest_outcome = run(Box::new(|_, _, h| h)).result.expect("honest");
    let mut failures = 0;
    for at in 0..honest {
        for m in MUTATIONS {
            let r = run(mutate_at(at, m));
            assert!(
                r.exchanges <= honest + GET_RESPONSE_CAP + 2,
                "{m:?} at {at}: {} exchanges",
                r.exchanges
            );
            match r.result {
                Ok(outcome) => assert_eq!(
                    outcome, honest_outcome,
                    "{m:?} at {at}: a success must be the honest one"
                ),
                Err(e) => {
                    failures += 1;
                    assert!(
                        !matches!(e, Error::WrongPin { .. } | Error::PinBlocked),
                        "{m:?} at {at}: a PIN verdict the card never gave: {e:?}"
                    );
                    assert!(
                        !matches!(e, Error::Misuse { .. } | Error::Storage { .. }),
                        "{m:?} at {at}: the card's fault reported as ours: {e:?}"
                    );
                    assert!(!r.logged_in_after, "{m:?} at {at}: keys kept after {e:?}");
                }
            }
        }
    }
    // Almost every mutation breaks the session; only bytes nothing reads
    // (SELECT's label) can change unnoticed.
    let runs = honest * MUTATIONS.len() as u64;
    assert!(
        failures as u64 + 3 >= runs,
        "{failures} of {runs} runs failed"
    );
}

#[test]
fn an_endless_61xx_chain_stops_at_the_cap() {
    abort_on_panic();
    let r = run(mutate_at(0, Mutation::EndlessChain));
    assert_eq!(
        r.result,
        Err(Violation::EndlessResponse {
            limit: GET_RESPONSE_CAP as u32
        }
        .into())
    );
}

#[test]
fn a_6cxx_loop_is_repeated_once_only() {
    abort_on_panic();
    let honest = baseline();
    // Exchange 3 is the first wrapped command.
    let r = run(mutate_at(3, Mutation::WrongLengthLoop));
    assert_eq!(r.result, Err(Violation::SecureChannelBroken.into()));
    assert_eq!(
        r.exchanges, 5,
        "SELECT, two steps, the command and one repeat"
    );
    assert!(r.exchanges < honest);
}

#[test]
fn a_u2_off_its_curve_or_not_a_point_is_not_authentic() {
    abort_on_panic();
    let bads: [fn(&mut [u8]); 3] = [
        |u2| u2[0] ^= 1,    // off the curve
        |u2| u2.fill(0),    // (0, 0): not a point
        |u2| u2.fill(0xFF), // coordinates past p
    ];
    for bad in bads {
        let rewrite = Box::new(move |i: u64, _: &[u8], honest: Vec<u8>| {
            if i != 1 {
                return honest;
            }
            // 7C L 82 L U2 90 00: U2 is the last 64 bytes before the SW.
            let mut h = honest;
            let end = h.len() - 2;
            bad(&mut h[end - 64..end]);
            h
        });
        let r = run(rewrite);
        assert_eq!(r.result, Err(Violation::NotAuthentic.into()));
        assert!(!r.logged_in_after);
    }
}

/// A point of order 4 on tc26-256-A, outside the prime-order subgroup
/// (derived and re-checked in `sespake_negative.rs`).
const ORDER4_256A: &str = "77592F8C11C5E7ACC09D6AF3D1805DBC5393C3955D5AB43875003505C6807F7FCD0E8EA4344FB70642D93FDA75821835FBB94AC1180F1DAA5F019F0F52827E7E";

/// A valid point of the PIN's curve in place of `U2` passes the host's
/// point checks (RFC 8133 step 3 goes on with `P` when `U2 - Q_PW` has small
/// order); the host's `MAC_A` then fails on the token, which answers with
/// its own PIN verdict (`63 Cx`). Anything else is refused before `MAC_A`.
#[test]
fn a_u2_of_small_order_or_of_another_curve_fails_the_login() {
    abort_on_panic();
    let curve = CurveId::Tc26_256A;
    let t = Point::from_bytes_on_curve(curve, &hex::decode(ORDER4_256A).unwrap()).expect("T");
    let other = SigningKey::generate(CurveId::CryptoProA, &mut fkn_core::crypto::os_rng());
    type U2 = Box<dyn Fn(&Point) -> Vec<u8>>;
    let cases: [(&str, U2, bool); 4] = [
        ("a point of order 4", Box::new(move |_| t.to_bytes()), true),
        (
            "Q_PW plus a point of order 4",
            Box::new(move |q_pw| q_pw.add(&t).to_bytes()),
            true,
        ),
        (
            "Q_PW itself (U2 - Q_PW is the identity)",
            Box::new(|q_pw| q_pw.to_bytes()),
            true,
        ),
        (
            "a point of CryptoPro-A",
            Box::new(move |_| other.verifying_key().to_bytes()),
            false,
        ),
    ];
    for (what, make_u2, on_curve) in cases {
        let token = new_token(curve);
        let q_pw = {
            let t = token.lock().unwrap();
            Point::from_bytes_on_curve(curve, t.state().pin(PasswordRef::User).q_pw())
                .expect("Q_PW")
        };
        let u2 = make_u2(&q_pw);
        let rewrite = Box::new(move |i: u64, _: &[u8], honest: Vec<u8>| {
            if i != 1 {
                return honest;
            }
            // 7C L 82 L U2 90 00: U2 is the last 64 bytes before the SW.
            let mut h = honest;
            let end = h.len() - 2;
            h[end - 64..end].copy_from_slice(&u2);
            h
        });
        let mut s = TokenSession::open(Hostile::new(&token, rewrite)).expect("open");
        let r = s.authenticate(USER_PIN);
        if on_curve {
            assert!(
                matches!(r, Err(Error::WrongPin { .. })),
                "{what}: the token's verdict on MAC_A, got {r:?}"
            );
            assert_eq!(s.transport().stats().exchanges, 3, "{what}");
        } else {
            assert_eq!(r, Err(Violation::NotAuthentic.into()), "{what}");
            assert_eq!(s.transport().stats().exchanges, 2, "{what}");
        }
        assert!(s.authenticated_as().is_none(), "{what}");
    }
}

#[test]
fn a_link_lost_mid_session_erases_the_keys() {
    abort_on_panic();
    let token = new_token(CurveId::Tc26_256A);
    let lost = Arc::new(Mutex::new(false));
    let flag = Arc::clone(&lost);
    let rewrite = Box::new(move |i: u64, _: &[u8], honest: Vec<u8>| {
        if i == 4 {
            *flag.lock().unwrap() = true;
            return Vec::new();
        }
        honest
    });
    let mut s = TokenSession::open(Hostile::new(&token, rewrite)).expect("open");
    s.authenticate(USER_PIN).expect("login");
    s.token_info().expect("first wrapped command");
    assert_eq!(
        s.token_info(),
        Err(Violation::ShortResponse { len: 0 }.into())
    );
    assert!(*lost.lock().unwrap());
    assert_eq!(s.authenticated_as(), None);
    // A new command without a new login is refused locally, not sent.
    let before = s.transport().stats().exchanges;
    assert!(matches!(s.token_info(), Err(Error::Card { .. })));
    assert_eq!(s.transport().stats().exchanges, before);
}
