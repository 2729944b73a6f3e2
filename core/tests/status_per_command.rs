//! Issue 14, the known defects found by serving mutated answers: a status
//! word means what OFP1 lets it mean for the command that got it; the
//! secure channel says at debug level why a response did not unwrap; SELECT's
//! unauthenticated fields fail loudly when damaged and are refreshed inside
//! the channel; a replayed `U2` reads as a wrong PIN (documented).

mod hostile_common;

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use fkn_core::Error;
use fkn_core::crypto::ec::CurveId;
use fkn_core::error::{CardRefusal, Violation};
use fkn_core::token::{PinRef, TokenSession};
use fkn_testkit::ScriptedTransport;
use fkn_vtoken::PasswordRef;
use hostile_common::{Hostile, USER_PIN, new_token, rsp, status_at};

fn unexpected(sw: u16) -> Error {
    Violation::UnexpectedStatus { sw }.into()
}

fn open_scripted(answers: &[&[u8]]) -> Result<(), Error> {
    let script = ScriptedTransport::new(answers.iter().map(|a| a.to_vec()));
    TokenSession::open(script).map(drop)
}

// --- status words per command ---------------------------------------------

#[test]
fn select_answered_6983_is_the_card_breaking_the_protocol_not_a_blocked_pin() {
    let err = open_scripted(&[&[0x69, 0x83]]).unwrap_err();
    assert_eq!(err, unexpected(0x6983));
    assert!(!err.to_string().contains("blocked"), "{err}");
}

#[test]
fn get_response_during_select_answered_63c0_is_not_a_wrong_pin() {
    // SELECT says more data follows; GET RESPONSE then claims a PIN verdict.
    let err = open_scripted(&[&[0x61, 0x10], &[0x63, 0xC0]]).unwrap_err();
    assert_eq!(err, unexpected(0x63C0));
    assert!(!err.to_string().contains("PIN"), "{err}");
}

#[test]
fn select_answered_6988_does_not_talk_of_a_secure_channel() {
    let err = open_scripted(&[&[0x69, 0x88]]).unwrap_err();
    assert_eq!(err, unexpected(0x6988));
    assert!(!err.to_string().contains("secure channel"), "{err}");
}

#[test]
fn select_answered_6a82_still_means_no_application() {
    let err = open_scripted(&[&[0x6A, 0x82]]).unwrap_err();
    assert_eq!(err, CardRefusal::NoApplication.into());
}

fn login_with(rewrite: hostile_common::Rewrite) -> (Result<(), Error>, u64) {
    let token = new_token(CurveId::Tc26_256A);
    let mut s = TokenSession::open(Hostile::new(&token, rewrite)).expect("open");
    let result = s.authenticate(USER_PIN);
    assert_eq!(s.authenticated_as(), None);
    (result, s.transport().stats().exchanges)
}

#[test]
fn sespake_step_1_answered_63cx_is_not_a_wrong_pin() {
    // Exchange 0 is SELECT, 1 step 1, 2 step 2.
    let (result, exchanges) = login_with(status_at(1, 0x63C2));
    assert_eq!(result, Err(unexpected(0x63C2)));
    assert_eq!(exchanges, 2, "no step 2 after a broken step 1");
}

#[test]
fn sespake_step_1_answered_6983_is_a_blocked_pin() {
    let (result, _) = login_with(status_at(1, 0x6983));
    assert_eq!(result, Err(Error::PinBlocked));
}

#[test]
fn sespake_step_2_answered_6a80_is_not_about_digests_or_certificates() {
    let (result, _) = login_with(status_at(2, 0x6A80));
    let err = result.unwrap_err();
    assert_eq!(err, unexpected(0x6A80));
    let text = err.to_string();
    for word in ["digest", "key id", "certificate"] {
        assert!(!text.contains(word), "{text}");
    }
}

#[test]
fn sespake_step_2_answered_63cx_is_a_wrong_pin() {
    let (result, _) = login_with(status_at(2, 0x63C3));
    assert_eq!(result, Err(Error::WrongPin { attempts_left: 3 }));
}

#[test]
fn a_refusal_inside_the_channel_is_read_for_its_command() {
    let token = new_token(CurveId::Tc26_256A);
    let mut s = TokenSession::open(Hostile::honest(&token)).expect("open");
    s.authenticate(USER_PIN).expect("login");
    // 6A 82 to sign is a missing key; a missing certificate is 6A 88.
    let digest = [7u8; 32];
    assert_eq!(
        s.sign(b"none", &[digest]),
        Err(CardRefusal::KeyNotFound.into())
    );
    s.authenticate(USER_PIN).expect("login");
    s.generate_key(b"k", CurveId::Tc26_256A, "")
        .expect("keygen");
    assert_eq!(
        s.get_certificate(b"k"),
        Err(CardRefusal::CertificateNotFound.into())
    );
}

// --- why a protected response did not unwrap, at debug level ----------------

thread_local! {
    static LOGGED: RefCell<Vec<(log::Level, String)>> = const { RefCell::new(Vec::new()) };
}

/// Keeps each thread's log records for the test running on it.
struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        LOGGED.with(|l| {
            l.borrow_mut()
                .push((record.level(), record.args().to_string()))
        });
    }
    fn flush(&self) {}
}

fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        static CAPTURE: Capture = Capture;
        log::set_logger(&CAPTURE).expect("logger");
        log::set_max_level(log::LevelFilter::Trace);
    });
    LOGGED.with(|l| l.borrow_mut().clear());
}

fn debug_lines_about(needle: &str) -> Vec<String> {
    LOGGED.with(|l| {
        l.borrow()
            .iter()
            .filter(|(level, text)| *level <= log::Level::Debug && text.contains(needle))
            .map(|(_, text)| text.clone())
            .collect()
    })
}

/// A session whose wrapped answer at exchange `at` is rewritten by `f`.
fn secure_session_with(
    at: u64,
    mut f: impl FnMut(&[Vec<u8>], Vec<u8>) -> Vec<u8> + Send + 'static,
) -> TokenSession<fkn_testkit::CountingTransport<Hostile>> {
    let token = new_token(CurveId::Tc26_256A);
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let rewrite = Box::new(move |i: u64, _: &[u8], honest: Vec<u8>| {
        let out = if i == at { f(&seen, honest) } else { honest };
        seen.push(out.clone());
        out
    });
    let mut s = TokenSession::open(Hostile::new(&token, rewrite)).expect("open");
    s.authenticate(USER_PIN).expect("login");
    s
}

#[test]
fn a_bad_response_mac_is_logged_as_such() {
    capture_logs();
    // Exchange 3: the first wrapped command (token info). Flip a MAC bit.
    let mut s = secure_session_with(3, |_, mut honest| {
        let mac_byte = honest.len() - 3;
        honest[mac_byte] ^= 1;
        honest
    });
    assert_eq!(s.token_info(), Err(Violation::SecureChannelBroken.into()));
    assert_eq!(s.authenticated_as(), None, "keys erased");
    let lines = debug_lines_about("secure messaging");
    assert!(
        lines.iter().any(|l| l.contains("MAC")),
        "no debug line names the MAC: {lines:?}"
    );
}

#[test]
fn a_replayed_response_is_logged_as_a_counter_mismatch() {
    capture_logs();
    // Exchange 4 (second wrapped command) gets exchange 3's answer again:
    // a valid MAC, over the previous counter.
    let mut s = secure_session_with(4, |seen, _| seen[3].clone());
    s.token_info().expect("first");
    assert_eq!(s.token_info(), Err(Violation::SecureChannelBroken.into()));
    let lines = debug_lines_about("secure messaging");
    assert!(
        lines.iter().any(|l| l.contains("counter 1, not 2")),
        "no debug line names the counter: {lines:?}"
    );
}

#[test]
fn a_missing_mac_object_is_logged_as_such() {
    capture_logs();
    let mut s = secure_session_with(3, |_, honest| rsp(&honest[..honest.len() - 12], 0x9000));
    assert_eq!(s.token_info(), Err(Violation::SecureChannelBroken.into()));
    let lines = debug_lines_about("secure messaging");
    assert!(
        lines.iter().any(|l| l.contains("malformed")),
        "no debug line says what was wrong: {lines:?}"
    );
}

// --- SELECT's unauthenticated fields ------------------------------------------

fn open_with_select(f: impl Fn(&mut Vec<u8>) + Send + 'static) -> Result<(), Error> {
    let token = new_token(CurveId::Tc26_256A);
    let rewrite = Box::new(move |i: u64, _: &[u8], mut honest: Vec<u8>| {
        if i == 0 {
            f(&mut honest);
        }
        honest
    });
    TokenSession::open(Hostile::new(&token, rewrite)).map(drop)
}

#[test]
fn a_flipped_byte_cannot_hide_the_admin_pin() {
    let err = open_with_select(|r| {
        let at = r
            .windows(3)
            .rposition(|w| w == [0xC0, 0x01, 0x02])
            .expect("admin template");
        r[at + 2] ^= 0x04;
    })
    .unwrap_err();
    assert_eq!(err, Violation::MalformedData.into());
}

#[test]
fn a_flipped_byte_cannot_drop_a_curve() {
    let err = open_with_select(|r| {
        let at = r.iter().position(|&b| b == 0x83).expect("curve list");
        // Last byte of the first OID: 83 L 06 len ...
        let len = usize::from(r[at + 3]);
        r[at + 3 + len] ^= 0x40;
    })
    .unwrap_err();
    assert_eq!(err, Violation::MalformedData.into());
}

#[test]
fn token_info_refreshes_the_label_and_counters_select_claimed() {
    let token = new_token(CurveId::Tc26_256A);
    let rewrite = Box::new(|i: u64, _: &[u8], honest: Vec<u8>| {
        if i != 0 {
            return honest;
        }
        // "hostile" -> "HOSTILE" (same length), user PIN counter 5 -> 1.
        let mut r = honest;
        let at = r.windows(7).position(|w| w == b"hostile").expect("label");
        r[at..at + 7].copy_from_slice(b"HOSTILE");
        let c4 = r
            .windows(3)
            .position(|w| w == [0xC4, 0x01, 0x05])
            .expect("C4");
        r[c4 + 2] = 1;
        r
    });
    let mut s = TokenSession::open(Hostile::new(&token, rewrite)).expect("open");
    assert_eq!(s.select_info().label, "HOSTILE");
    s.authenticate(USER_PIN).expect("login");
    let info = s.token_info().expect("token info");
    assert_eq!(info.label, "hostile");
    assert_eq!(s.select_info().label, "hostile");
    let user = s.select_info().password(PinRef::User).expect("user");
    assert_eq!(user.attempts_left, 5);
}

// --- a replayed U2 -------------------------------------------------------------

#[test]
fn a_replayed_u2_costs_an_attempt_and_reads_as_a_wrong_pin() {
    let token = new_token(CurveId::Tc26_256A);
    let recorded: Arc<Mutex<Option<Vec<u8>>>> = Arc::default();
    let tape = Arc::clone(&recorded);
    let record = Box::new(move |i: u64, _: &[u8], honest: Vec<u8>| {
        if i == 1 {
            *tape.lock().unwrap() = Some(honest.clone());
        }
        honest
    });
    let mut s = TokenSession::open(Hostile::new(&token, record)).expect("open");
    s.authenticate(USER_PIN).expect("first login");
    let old_u2 = recorded.lock().unwrap().clone().expect("recorded step 1");

    let replay = Box::new(
        move |i: u64, _: &[u8], honest: Vec<u8>| {
            if i == 1 { old_u2.clone() } else { honest }
        },
    );
    let mut s = TokenSession::open(Hostile::new(&token, replay)).expect("open");
    // SESPAKE cannot tell this from a wrong PIN: the token's MAC_A check fails.
    assert_eq!(
        s.authenticate(USER_PIN),
        Err(Error::WrongPin { attempts_left: 4 })
    );
    let c1 = token
        .lock()
        .unwrap()
        .state()
        .pin(PasswordRef::User)
        .counters
        .c1;
    assert_eq!(c1, 4);

    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/errors.md"))
        .expect("docs/errors.md");
    assert!(
        doc.contains("replayed `U2`"),
        "docs/errors.md must explain that a replayed U2 reads as a wrong PIN"
    );
}
