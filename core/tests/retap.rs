//! A lost tap costs a re-tap: every operation of `token::Retap` with the
//! link dropped (or its answer lost) at every exchange in turn, then a new
//! link to the same card, power-cycled as a new tap does. Each run must end
//! in the right state on the card, with the PIN counters as a single clean
//! login leaves them, and a wrong PIN must cost one attempt per attempt the
//! card counted, never one more after its answer.

use std::cell::RefCell;
use std::sync::{Arc, Mutex};

use fkn_core::Error;
use fkn_core::crypto::ec::{CurveId, VerifyingKey};
use fkn_core::error::{CardRefusal, LinkFault};
use fkn_core::token::{Operation, Outcome, PinRef, Retap, RetapObserver, RetapState, TokenSession};
use fkn_testkit::{Fault, FaultHandle, FaultyTransport};
use fkn_vtoken::sespake::{CLIM1, CLIM2};
use fkn_vtoken::{
    OsRandom, PasswordRef, PinCounters, TokenState, VirtualToken, VirtualTokenTransport,
};

const PIN: &str = "246810";
const NEW_PIN: &str = "135790";
const KEY: &[u8] = b"key-1";
const NEW_KEY: &[u8] = b"key-2";
const CURVE: CurveId = CurveId::Tc26_256A;

type Card = Arc<Mutex<VirtualToken>>;
type Link = FaultyTransport<VirtualTokenTransport>;

/// A certificate long enough to be chained over a short-APDU link.
fn certificate() -> Vec<u8> {
    (0..600u32).map(|i| (i % 251) as u8).collect()
}

/// A card with the PIN set, key `KEY` (with a certificate), and nothing
/// else; made once, cloned for each run.
fn base_state() -> TokenState {
    let state = TokenState::with_pins(*b"RETAP001", "retap", PIN, "99999999", CURVE, &mut OsRandom)
        .expect("state");
    let card: Card = Arc::new(Mutex::new(VirtualToken::new(state)));
    let mut s = TokenSession::open(VirtualTokenTransport::shared(card.clone())).expect("open");
    s.authenticate(PIN).expect("login");
    s.generate_key(KEY, CURVE, "first").expect("keygen");
    s.put_certificate(KEY, &[0x30, 0x00]).expect("certificate");
    drop(s);
    card.lock().expect("card").state().clone()
}

fn counters(card: &Card) -> PinCounters {
    card.lock()
        .expect("card")
        .state()
        .pin(PasswordRef::User)
        .counters
}

/// Records the states the runner reports.
#[derive(Default)]
struct States(RefCell<Vec<RetapState>>);

impl RetapObserver for States {
    fn state_changed(&self, state: &RetapState) {
        self.0.borrow_mut().push(state.clone());
    }
}

impl States {
    fn waits(&self) -> usize {
        let states = self.0.borrow();
        states
            .iter()
            .filter(|s| matches!(s, RetapState::WaitingForCard { .. }))
            .count()
    }
}

/// One run: `fault` armed at exchange `at` of the first tap; every later
/// tap is a new, fault-free link after a power cycle.
struct Run {
    card: Card,
    fired: bool,
    result: Result<Outcome, Error>,
    waits: usize,
    taps: u32,
}

fn run(state: &TokenState, pin: &str, op: Operation, fault: Option<(u64, Fault)>) -> Run {
    let card: Card = Arc::new(Mutex::new(VirtualToken::new(state.clone())));
    let first = FaultyTransport::new(VirtualTokenTransport::shared(card.clone()));
    let handle: FaultHandle = first.handle();
    if let Some((at, f)) = fault {
        handle.arm(at, f);
    }
    let taps = RefCell::new(1);
    let mut source = |tap: u32| -> Result<Link, Error> {
        *taps.borrow_mut() = tap;
        card.lock().expect("card").reset();
        Ok(FaultyTransport::new(VirtualTokenTransport::shared(
            card.clone(),
        )))
    };
    let states = States::default();
    let result = Retap::new(PinRef::User, pin).run(first, op, &mut source, &states);
    assert_eq!(states.0.borrow().last(), Some(&RetapState::Finished));
    Run {
        fired: !handle.fired().is_empty(),
        waits: states.waits(),
        taps: *taps.borrow(),
        card,
        result,
    }
}

fn operations() -> Vec<Operation> {
    let digest = |b: u8| vec![b; 32];
    vec![
        Operation::Sign {
            key_id: KEY.to_vec(),
            digests: vec![digest(1), digest(2)],
        },
        Operation::GenerateKey {
            key_id: NEW_KEY.to_vec(),
            curve: CURVE,
            label: "second".into(),
        },
        Operation::PutCertificate {
            key_id: KEY.to_vec(),
            der: certificate(),
        },
        Operation::ReadCertificate {
            key_id: KEY.to_vec(),
        },
        Operation::ListKeys,
        Operation::DeleteKey {
            key_id: KEY.to_vec(),
        },
        Operation::change_pin(NEW_PIN),
    ]
}

/// The card and the outcome are what `op` done once leaves.
fn check_end_state(op: &Operation, r: &Run, what: &str) {
    let outcome = r.result.as_ref().unwrap_or_else(|e| panic!("{what}: {e}"));
    let card = r.card.lock().expect("card");
    let state = card.state();
    match (op, outcome) {
        (Operation::Sign { key_id, digests }, Outcome::Signatures(sigs)) => {
            let key = state.key(key_id).expect("key");
            let vk = VerifyingKey::from_bytes(CURVE, key.public_key()).expect("public key");
            assert_eq!(sigs.len(), digests.len(), "{what}");
            for (d, s) in digests.iter().zip(sigs) {
                vk.verify_digest(d, s)
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
            }
        }
        (Operation::GenerateKey { key_id, .. }, Outcome::KeyGenerated(info)) => {
            let ours: Vec<_> = state
                .keys()
                .iter()
                .filter(|k| k.id() == key_id.as_slice())
                .collect();
            assert_eq!(ours.len(), 1, "{what}: the key exists exactly once");
            assert_eq!(ours[0].public_key(), info.public_key.as_slice(), "{what}");
            assert_eq!(state.keys().len(), 2, "{what}: no other key was made");
        }
        (Operation::PutCertificate { key_id, der }, Outcome::CertificateStored) => {
            assert_eq!(
                state.key(key_id).expect("key").certificate.as_ref(),
                Some(der),
                "{what}"
            );
        }
        (Operation::ReadCertificate { .. }, Outcome::Certificate(der)) => {
            assert_eq!(der, &[0x30, 0x00], "{what}");
        }
        (Operation::ListKeys, Outcome::Keys(keys)) => {
            assert_eq!(keys.len(), 1, "{what}");
            assert_eq!(keys[0].id, KEY, "{what}");
        }
        (Operation::DeleteKey { key_id }, Outcome::KeyDeleted) => {
            assert!(state.key(key_id).is_none(), "{what}");
        }
        (Operation::ChangePin { .. }, Outcome::PinChanged) => {}
        (op, outcome) => panic!("{what}: {op:?} gave {outcome:?}"),
    }
}

/// The new PIN logs in and the old one does not (one attempt spent on it).
fn check_pin_changed(card: &Card, what: &str) {
    let open = || TokenSession::open(VirtualTokenTransport::shared(card.clone())).expect("open");
    open()
        .authenticate(NEW_PIN)
        .unwrap_or_else(|e| panic!("{what}: new PIN: {e}"));
    let old = open().authenticate(PIN);
    assert_eq!(
        old,
        Err(Error::WrongPin {
            attempts_left: CLIM1 as u8 - 1
        }),
        "{what}"
    );
}

#[test]
fn every_operation_survives_a_lost_tap_at_every_exchange() {
    let state = base_state();
    let mut runs = 0;
    for op in operations() {
        for fault in [Fault::DropLink, Fault::LoseResponse] {
            for at in 0.. {
                let what = format!("{op:?}, {fault:?} at exchange {at}");
                let r = run(&state, PIN, op.clone(), Some((at, fault)));
                runs += 1;
                check_end_state(&op, &r, &what);
                assert_eq!(
                    r.waits,
                    usize::from(r.fired),
                    "{what}: one wait per lost tap"
                );
                assert_eq!(r.taps, 1 + u32::from(r.fired), "{what}");
                // Every run ends with a successful login: C1 is full again,
                // and C2 lacks at most the one attempt a lost login left
                // unfinished (a later success gives it back).
                let c = counters(&r.card);
                assert_eq!(c.c1, CLIM1, "{what}");
                assert!(c.c2 >= CLIM2 - 1, "{what}: C2 = {}", c.c2);
                if matches!(op, Operation::ChangePin { .. }) {
                    check_pin_changed(&r.card, &what);
                }
                if !r.fired {
                    break; // the operation needs fewer exchanges than `at`
                }
            }
        }
    }
    // 7 operations, each with at least SELECT + login + one command.
    assert!(runs >= 7 * 2 * 5, "{runs} runs");
}

#[test]
fn a_lost_pin_change_is_resolved_by_the_salt_not_by_a_guess() {
    let state = base_state();
    // SELECT, GA 1, GA 2, then CHANGE PIN (exchange 3) is applied and its
    // answer lost. Trying the old PIN first would cost an attempt (C2 at
    // CLIM2 - 1 after the confirming login); the salt costs none.
    let r = run(
        &state,
        PIN,
        Operation::change_pin(NEW_PIN),
        Some((3, Fault::LoseResponse)),
    );
    assert!(r.fired);
    assert_eq!(r.result, Ok(Outcome::PinChanged));
    assert_eq!(
        counters(&r.card),
        PinCounters {
            c3: counters(&r.card).c3,
            ..PinCounters::new()
        }
    );
    assert_eq!(
        r.card
            .lock()
            .expect("card")
            .state()
            .pin(PasswordRef::User)
            .counters
            .c2,
        CLIM2
    );
    check_pin_changed(&r.card, "change PIN, answer lost");
}

#[test]
fn a_wrong_pin_is_final_and_spends_one_attempt_per_attempt_the_card_counted() {
    let state = base_state();
    let op = Operation::ListKeys;
    for fault in [Fault::DropLink, Fault::LoseResponse] {
        for at in 0..4 {
            let what = format!("wrong PIN, {fault:?} at exchange {at}");
            let r = run(&state, "000000", op.clone(), Some((at, fault)));
            let left = CLIM1 - counters(&r.card).c1;
            // Exchange 1 is GA step 1: dropped before the card, nothing
            // counted; its answer lost, or anything later, and the card
            // counted the lost attempt (RFC 8133 4.3) before the retry.
            let counted = r.fired && (at >= 2 || (at == 1 && fault == Fault::LoseResponse));
            assert_eq!(left, 1 + u32::from(counted), "{what}: attempts spent");
            // The card's answer is final: the error carries the count the
            // card holds, so nothing was spent after it, and no tap followed.
            assert_eq!(
                r.result,
                Err(Error::WrongPin {
                    attempts_left: counters(&r.card).c1 as u8
                }),
                "{what}"
            );
            assert_eq!(r.taps, 1 + u32::from(r.fired), "{what}");
        }
    }
}

#[test]
fn an_automatic_retry_never_spends_the_last_attempt() {
    let mut state = base_state();
    state.pin_mut(PasswordRef::User).counters.c1 = 2;
    // GA step 2 lost: the card counted the attempt (C1 = 1) and the PIN has
    // not worked yet in this run, so the runner stops instead of retrying.
    for pin in ["000000", PIN] {
        let r = run(&state, pin, Operation::ListKeys, Some((2, Fault::DropLink)));
        assert_eq!(r.result, Err(Error::from(LinkFault::Cancelled)), "{pin}");
        assert_eq!(counters(&r.card).c1, 1, "{pin}: not blocked");
    }
    // The right PIN whose answer was lost reset C1 on the card: retried.
    let r = run(
        &state,
        PIN,
        Operation::ListKeys,
        Some((2, Fault::LoseResponse)),
    );
    assert!(matches!(r.result, Ok(Outcome::Keys(_))), "{:?}", r.result);
}

#[test]
fn card_refusals_and_cancel_end_the_run() {
    let state = base_state();
    let exists = Operation::GenerateKey {
        key_id: KEY.to_vec(),
        curve: CURVE,
        label: "again".into(),
    };
    let r = run(&state, PIN, exists, None);
    assert_eq!(r.result, Err(CardRefusal::KeyIdExists.into()));
    let r = run(
        &state,
        PIN,
        Operation::DeleteKey {
            key_id: b"none".to_vec(),
        },
        None,
    );
    assert_eq!(r.result, Err(CardRefusal::KeyNotFound.into()));

    // The user gives up while the runner waits for the card.
    let card: Card = Arc::new(Mutex::new(VirtualToken::new(state.clone())));
    let first = FaultyTransport::new(VirtualTokenTransport::shared(card.clone()));
    first.handle().drop_link_at(1);
    let mut cancel = |_: u32| -> Result<Link, Error> { Err(LinkFault::Cancelled.into()) };
    let r = Retap::new(PinRef::User, PIN).run(first, Operation::ListKeys, &mut cancel, &());
    assert_eq!(r, Err(LinkFault::Cancelled.into()));
}

#[test]
fn the_tap_limit_bounds_the_retries() {
    let state = base_state();
    let card: Card = Arc::new(Mutex::new(VirtualToken::new(state)));
    let dead = || {
        let link = FaultyTransport::new(VirtualTokenTransport::shared(card.clone()));
        link.handle().drop_link_at(0);
        link
    };
    let asked = RefCell::new(0);
    let mut source = |_: u32| -> Result<Link, Error> {
        *asked.borrow_mut() += 1;
        Ok(dead())
    };
    let r = Retap::new(PinRef::User, PIN).max_taps(3).run(
        dead(),
        Operation::ListKeys,
        &mut source,
        &(),
    );
    assert_eq!(r, Err(LinkFault::CardRemoved.into()));
    assert_eq!(*asked.borrow(), 2, "three taps in all");
}

#[test]
fn after_a_pin_change_the_runner_logs_in_with_the_new_pin() {
    let card: Card = Arc::new(Mutex::new(VirtualToken::new(base_state())));
    let link = || FaultyTransport::new(VirtualTokenTransport::shared(card.clone()));
    let mut source = |_: u32| -> Result<Link, Error> {
        card.lock().expect("card").reset();
        Ok(link())
    };
    let mut runner = Retap::new(PinRef::User, PIN);
    // CHANGE PIN (exchange 3) applied, its answer lost: resolved on tap 2.
    let first = link();
    first.handle().lose_response_at(3);
    let changed = runner.run(first, Operation::change_pin(NEW_PIN), &mut source, &());
    assert_eq!(changed, Ok(Outcome::PinChanged));
    let keys = runner.run(link(), Operation::ListKeys, &mut source, &());
    assert!(matches!(keys, Ok(Outcome::Keys(_))), "{keys:?}");
}

/// Exchanges of each tap: the first link's and the re-tap's, for a loss
/// of the answer at exchange `at` of the first tap.
fn exchanges_per_tap(op: Operation, at: Option<u64>) -> (u64, u64) {
    let card: Card = Arc::new(Mutex::new(VirtualToken::new(base_state())));
    let first = FaultyTransport::new(VirtualTokenTransport::shared(card.clone()));
    let first_count = first.handle();
    if let Some(at) = at {
        first_count.lose_response_at(at);
    }
    let retap_count = RefCell::new(FaultHandle::default());
    let mut source = |_: u32| -> Result<Link, Error> {
        card.lock().expect("card").reset();
        let link = FaultyTransport::new(VirtualTokenTransport::shared(card.clone()));
        *retap_count.borrow_mut() = link.handle();
        Ok(link)
    };
    Retap::new(PinRef::User, PIN)
        .run(first, op, &mut source, &())
        .expect("runs");
    let second = retap_count.borrow().exchanges();
    (first_count.exchanges(), second)
}

#[test]
fn round_trips_per_tap() {
    let sign = || Operation::Sign {
        key_id: KEY.to_vec(),
        digests: vec![vec![7; 32]],
    };
    let keygen = || Operation::GenerateKey {
        key_id: NEW_KEY.to_vec(),
        curve: CURVE,
        label: "second".into(),
    };
    // SELECT, two login steps, the command: a cold signature's four.
    assert_eq!(exchanges_per_tap(sign(), None), (4, 0));
    assert_eq!(exchanges_per_tap(keygen(), None), (4, 0));
    // The signature lost: made again on the re-tap.
    assert_eq!(exchanges_per_tap(sign(), Some(3)), (4, 4));
    // The new key's answer lost: the re-tap lists the keys, finds it, and
    // does not generate again.
    assert_eq!(exchanges_per_tap(keygen(), Some(3)), (4, 4));
}
