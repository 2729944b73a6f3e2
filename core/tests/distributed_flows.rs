//! Two-party keys end to end: device and server in one process. Each attack
//! or fault is refused with a typed error and nothing is signed; each crash
//! leaves a working key.

mod distributed_common;

use distributed_common::{Fault, Lab, PIN, digest};
use fkn_core::crypto::ec::{CurveId, Point, VerifyingKey};
use fkn_core::distributed::{
    Device, DistributedError, KeyId, KeyState, MemorySecureStore, Refusal, Request, RequestBody,
    Response, ResponseBody, SecureStore, ShareStore,
};
use std::sync::Arc;

fn refused(r: Result<Vec<u8>, DistributedError>) -> Refusal {
    match r {
        Err(DistributedError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn sign_ok(lab: &Lab, id: &KeyId, curve: CurveId, seed: u8) {
    let key = lab.device.unlock(id, PIN).unwrap();
    let d = digest(curve, seed);
    let sig = key.sign_digest(&d).unwrap();
    lab.device
        .public_key(id)
        .unwrap()
        .verify_digest(&d, &sig)
        .unwrap();
}

fn q_dev(lab: &Lab, id: &KeyId) -> Point {
    match lab.shares.load(id).unwrap().unwrap().state {
        KeyState::Active { device_share, .. } => device_share,
        s => panic!("{s:?}"),
    }
}

#[test]
fn keygen_takes_two_round_trips_and_signing_one() {
    for curve in [CurveId::Tc26_256A, CurveId::CryptoProB, CurveId::Tc26_512C] {
        let lab = Lab::new();
        let id = lab.keygen("k", curve);
        assert_eq!(lab.channel.count(), 2, "{curve}: keygen round trips");
        let before = lab.channel.count();
        let key = lab.device.unlock(&id, PIN).unwrap();
        assert_eq!(lab.channel.count(), before, "unlock is local");
        for seed in 0..6 {
            let n = lab.channel.count();
            let d = digest(curve, seed);
            let sig = key.sign_digest(&d).unwrap();
            key.verifying_key().verify_digest(&d, &sig).unwrap();
            assert_eq!(
                lab.channel.count(),
                n + 1,
                "{curve}: one round trip per signature"
            );
        }
        // The pool is refilled one for one.
        assert_eq!(lab.device.record(&id).unwrap().commitments_left(), 16);
        assert!(matches!(
            lab.device.generate(&id, curve, PIN),
            Err(DistributedError::KeyExists)
        ));
    }
}

#[test]
fn an_empty_pool_is_refilled_with_one_extra_round_trip() {
    let curve = CurveId::CryptoProA;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    // The server hands out no refill once its pool is full for the key.
    let key = lab.device.unlock(&id, PIN).unwrap();
    let rec = lab.device.record(&id).unwrap();
    assert_eq!(rec.commitments_left(), 16);
    // Drop the device's pool by restoring a record saved with no commitments:
    // simulate by signing with refills lost.
    lab.channel.alter_responses(|r| {
        let mut resp = Response::decode(&r).unwrap();
        if let ResponseBody::Signature { refill, .. } = &mut resp.body {
            refill.clear();
        }
        resp.encode()
    });
    for seed in 0..16 {
        key.sign_digest(&digest(curve, seed)).unwrap();
    }
    assert_eq!(lab.device.record(&id).unwrap().commitments_left(), 0);
    let n = lab.channel.count();
    key.sign_digest(&digest(curve, 99)).unwrap();
    assert_eq!(
        lab.channel.count(),
        n + 2,
        "batch fetch, then the signature"
    );
    assert_eq!(lab.device.record(&id).unwrap().commitments_left(), 3);
}

#[test]
fn a_malicious_server_partial_is_refused_by_the_device() {
    let curve = CurveId::Tc26_512A;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    lab.channel.alter_responses(|r| {
        let mut resp = Response::decode(&r).unwrap();
        if let ResponseBody::Signature { signature, .. } = &mut resp.body {
            signature[5] ^= 0x01; // s changed: a wrong server partial
        }
        resp.encode()
    });
    let key = lab.device.unlock(&id, PIN).unwrap();
    assert!(matches!(
        key.sign_digest(&digest(curve, 1)),
        Err(DistributedError::ServerSignatureInvalid)
    ));
    lab.channel.clear_hooks();
    sign_ok(&lab, &id, curve, 2);
}

#[test]
fn a_malicious_device_partial_is_refused_and_counted() {
    let curve = CurveId::CryptoProC;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    lab.channel.alter_requests(|r| {
        let mut req = Request::decode(&r).unwrap();
        if let RequestBody::Sign { partial, .. } = &mut req.body {
            *partial = partial.add(&fkn_core::crypto::ec::Scalar::one(partial.curve()));
        }
        req.encode()
    });
    let key = lab.device.unlock(&id, PIN).unwrap();
    assert_eq!(
        refused(key.sign_digest(&digest(curve, 1))),
        Refusal::PinRejected { remaining: 9 }
    );
    assert_eq!(lab.server.status(&id).unwrap().failures, 1);
    lab.channel.clear_hooks();
    sign_ok(&lab, &id, curve, 2);
    assert_eq!(
        lab.server.status(&id).unwrap().failures,
        0,
        "a correct signature resets"
    );
}

#[test]
fn a_replayed_pool_index_is_refused() {
    let curve = CurveId::Tc26_256A;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    sign_ok(&lab, &id, curve, 1);
    let replay = lab.channel.last_request();
    let resp = Response::decode(&lab.server.handle(&replay)).unwrap();
    assert_eq!(resp.body, ResponseBody::Refused(Refusal::NonceUsed));
    // Also with another digest and fresh device nonces on the used index.
    let mut req = Request::decode(&replay).unwrap();
    if let RequestBody::Sign { digest: d, .. } = &mut req.body {
        d[0] ^= 1;
    }
    let resp = Response::decode(&lab.server.handle(&req.encode())).unwrap();
    assert_eq!(resp.body, ResponseBody::Refused(Refusal::NonceUsed));
    // An index never handed out.
    if let RequestBody::Sign { index, .. } = &mut req.body {
        *index ^= 0x5555;
    }
    let resp = Response::decode(&lab.server.handle(&req.encode())).unwrap();
    assert_eq!(resp.body, ResponseBody::Refused(Refusal::NonceUnknown));
}

#[test]
fn a_server_crash_after_marking_the_index_wastes_it_and_a_retry_signs() {
    let curve = CurveId::Tc26_512C;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    let key = lab.device.unlock(&id, PIN).unwrap();
    *lab.pool.crash_next_take.lock().unwrap() = true;
    let d = digest(curve, 7);
    assert_eq!(refused(key.sign_digest(&d)), Refusal::Unavailable);
    let crashed = lab.channel.last_request();
    let crashed_index = match Request::decode(&crashed).unwrap().body {
        RequestBody::Sign { index, .. } => index,
        b => panic!("{b:?}"),
    };
    // The retry uses a new index and signs.
    let sig = key.sign_digest(&d).unwrap();
    key.verifying_key().verify_digest(&d, &sig).unwrap();
    let retry_index = match Request::decode(&lab.channel.last_request()).unwrap().body {
        RequestBody::Sign { index, .. } => index,
        b => panic!("{b:?}"),
    };
    assert_ne!(crashed_index, retry_index);
    // The crashed request, delivered again, finds its index used.
    let resp = Response::decode(&lab.server.handle(&crashed)).unwrap();
    assert_eq!(resp.body, ResponseBody::Refused(Refusal::NonceUsed));
}

#[test]
fn a_lost_answer_then_a_retry_signs() {
    let curve = CurveId::CryptoProA;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    let key = lab.device.unlock(&id, PIN).unwrap();
    lab.channel.fail(0, Fault::DropResponse);
    assert!(matches!(
        key.sign_digest(&digest(curve, 1)),
        Err(DistributedError::Channel(_))
    ));
    sign_ok(&lab, &id, curve, 1);
}

#[test]
fn a_rogue_device_share_at_keygen_is_refused() {
    let curve = CurveId::Tc26_256A;
    let lab = Lab::new();
    // The device opens a share other than the one it committed to, e.g.
    // X - Q_srv for a target X, chosen after seeing Q_srv.
    let target = Point::generator(curve).double();
    let q_srv = Arc::new(std::sync::Mutex::new(None::<Point>));
    let seen = q_srv.clone();
    lab.channel.alter_responses(move |r| {
        if let Ok(Response {
            body: ResponseBody::KeygenShare { server_share, .. },
            ..
        }) = Response::decode(&r)
        {
            *seen.lock().unwrap() = Some(server_share);
        }
        r
    });
    let rogue = q_srv.clone();
    lab.channel.alter_requests(move |r| {
        let mut req = Request::decode(&r).unwrap();
        if let RequestBody::KeygenOpen { device_share, .. } = &mut req.body {
            *device_share = target.sub(&rogue.lock().unwrap().unwrap());
        }
        req.encode()
    });
    let id = KeyId::new("rogue").unwrap();
    assert!(matches!(
        lab.device.generate(&id, curve, PIN),
        Err(DistributedError::Refused(Refusal::CommitmentMismatch))
    ));
    assert!(lab.store.inner.load("rogue").unwrap().is_none());
    assert!(matches!(
        lab.shares.load(&id).unwrap().unwrap().state,
        KeyState::Generating { .. }
    ));
    // A clean retry with the same id works.
    lab.channel.clear_hooks();
    lab.device.generate(&id, curve, PIN).unwrap();
    sign_ok(&lab, &id, curve, 1);
}

#[test]
fn a_rogue_server_share_at_keygen_is_refused() {
    let curve = CurveId::Tc26_512B;
    let lab = Lab::new();
    lab.channel.alter_responses(|r| {
        let mut resp = Response::decode(&r).unwrap();
        if let ResponseBody::KeygenShare { server_share, .. } = &mut resp.body {
            *server_share = server_share.add(&Point::generator(server_share.curve()));
        }
        resp.encode()
    });
    let id = KeyId::new("k").unwrap();
    assert!(matches!(
        lab.device.generate(&id, curve, PIN),
        Err(DistributedError::ServerProofInvalid)
    ));
    assert!(lab.store.inner.load("k").unwrap().is_none());
    // The server reports another joint key than the device computed.
    lab.channel.alter_responses(|r| {
        let mut resp = Response::decode(&r).unwrap();
        if let ResponseBody::KeygenDone { public, .. } = &mut resp.body {
            *public = public.double();
        }
        resp.encode()
    });
    assert!(matches!(
        lab.device.generate(&id, curve, PIN),
        Err(DistributedError::PublicKeyMismatch)
    ));
}

#[test]
fn ten_wrong_pins_lock_the_key_until_the_operator_unlocks_it() {
    let curve = CurveId::CryptoProA;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    let wrong = lab.device.unlock(&id, b"0000").unwrap();
    for i in 1..10 {
        assert_eq!(
            refused(wrong.sign_digest(&digest(curve, i as u8))),
            Refusal::PinRejected { remaining: 10 - i }
        );
    }
    assert_eq!(
        refused(wrong.sign_digest(&digest(curve, 10))),
        Refusal::KeyLocked
    );
    let right = lab.device.unlock(&id, PIN).unwrap();
    assert_eq!(
        refused(right.sign_digest(&digest(curve, 11))),
        Refusal::KeyLocked
    );
    assert!(matches!(
        lab.device.change_pin(&id, PIN, b"5555"),
        Err(DistributedError::Refused(Refusal::KeyLocked))
    ));
    assert!(lab.server.status(&id).unwrap().locked);
    lab.server.unlock(&id).unwrap();
    sign_ok(&lab, &id, curve, 12);
}

#[test]
fn change_pin_with_a_wrong_old_pin_leaves_the_key_usable() {
    let curve = CurveId::Tc26_256A;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    assert!(matches!(
        lab.device.change_pin(&id, b"9999", b"5555"),
        Err(DistributedError::Refused(Refusal::PinRejected {
            remaining: 9
        }))
    ));
    sign_ok(&lab, &id, curve, 1);
    assert_eq!(lab.server.status(&id).unwrap().failures, 0);
    // The right old PIN changes it; the old PIN then fails at the server.
    lab.device.change_pin(&id, PIN, b"5555").unwrap();
    let new = lab.device.unlock(&id, b"5555").unwrap();
    new.sign_digest(&digest(curve, 2)).unwrap();
    let old = lab.device.unlock(&id, PIN).unwrap();
    assert_eq!(
        refused(old.sign_digest(&digest(curve, 3))),
        Refusal::PinRejected { remaining: 9 }
    );
    // A key unlocked before a PIN change is told to unlock again.
    lab.device.change_pin(&id, b"5555", b"7777").unwrap();
    assert!(matches!(
        new.sign_digest(&digest(curve, 4)),
        Err(DistributedError::KeyChanged)
    ));
    // A replayed PIN proof finds its server commitment used.
    lab.device.change_pin(&id, b"7777", b"8888").unwrap();
    let proof = lab.channel.last_request();
    let resp = Response::decode(&lab.server.handle(&proof)).unwrap();
    assert_eq!(resp.body, ResponseBody::Refused(Refusal::NonceUsed));
}

#[test]
fn after_a_refresh_the_old_device_share_and_the_old_server_share_both_fail() {
    let curve = CurveId::Tc26_512A;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    sign_ok(&lab, &id, curve, 1);
    let old_blob = lab.store.inner.load("k").unwrap().unwrap();
    let old_server = lab.shares.load(&id).unwrap().unwrap();
    let old_q_dev = q_dev(&lab, &id);
    lab.device.refresh(&id, PIN).unwrap();
    assert_eq!(lab.device.record(&id).unwrap().epoch(), 1);
    assert_eq!(lab.server.status(&id).unwrap().epoch, 1);
    assert_ne!(q_dev(&lab, &id), old_q_dev);
    sign_ok(&lab, &id, curve, 2);

    // The old device share (a copy of the old record) against the new server.
    let old_store = Arc::new(MemorySecureStore::new());
    old_store.save("k", &old_blob).unwrap();
    let old_device = Device::new(
        old_store.clone(),
        lab.channel.clone(),
        distributed_common::device_config(),
    );
    let old_key = old_device.unlock(&id, PIN).unwrap();
    assert_eq!(
        refused(old_key.sign_digest(&digest(curve, 3))),
        Refusal::StaleShare {
            device: 0,
            server: 1
        }
    );
    // ... and with the server's epoch label rolled back to match it, the
    // shares themselves do not fit: the partial fails.
    let mut relabelled = lab.shares.load(&id).unwrap().unwrap();
    relabelled.epoch = 0;
    assert!(lab.shares.replace(&relabelled).unwrap());
    // (The old copy's first commitments were used by the new one meanwhile.)
    let refusal = (4..10)
        .map(|seed| refused(old_key.sign_digest(&digest(curve, seed))))
        .find(|r| *r != Refusal::NonceUsed);
    assert_eq!(refusal, Some(Refusal::PinRejected { remaining: 9 }));
    lab.server.unlock(&id).unwrap();

    // The old server share (its old record restored) against the new device.
    let mut restored = old_server.clone();
    restored.version = lab.shares.load(&id).unwrap().unwrap().version;
    restored.epoch = 1;
    assert!(lab.shares.replace(&restored).unwrap());
    let key = lab.device.unlock(&id, PIN).unwrap();
    let refusal = (10..20)
        .map(|seed| refused(key.sign_digest(&digest(curve, seed))))
        .find(|r| *r != Refusal::NonceUsed);
    assert_eq!(refusal, Some(Refusal::PinRejected { remaining: 9 }));
}

/// Where a refresh is interrupted.
#[derive(Clone, Copy, Debug)]
enum Crash {
    DeviceBeforeSending,
    BeginLost,
    BeginAnswerLost,
    DeviceBeforeSavingPending,
    CommitLost,
    CommitAnswerLost,
    DeviceBeforeSavingResult,
}

#[test]
fn a_crash_at_every_step_of_a_refresh_leaves_a_working_key() {
    let curve = CurveId::Tc26_256A;
    for crash in [
        Crash::DeviceBeforeSending,
        Crash::BeginLost,
        Crash::BeginAnswerLost,
        Crash::DeviceBeforeSavingPending,
        Crash::CommitLost,
        Crash::CommitAnswerLost,
        Crash::DeviceBeforeSavingResult,
    ] {
        let lab = Lab::new();
        let id = lab.keygen("k", curve);
        sign_ok(&lab, &id, curve, 1);
        // Device saves during a refresh: 0 = commitment taken, 1 = pending
        // delta, 2 = result. Exchanges: 0 = begin, 1 = commit.
        match crash {
            Crash::DeviceBeforeSending => lab.store.fail_save(0),
            Crash::BeginLost => lab.channel.fail(0, Fault::DropRequest),
            Crash::BeginAnswerLost => lab.channel.fail(0, Fault::DropResponse),
            Crash::DeviceBeforeSavingPending => lab.store.fail_save(1),
            Crash::CommitLost => lab.channel.fail(1, Fault::DropRequest),
            Crash::CommitAnswerLost => lab.channel.fail(1, Fault::DropResponse),
            Crash::DeviceBeforeSavingResult => lab.store.fail_save(2),
        }
        assert!(lab.device.refresh(&id, PIN).is_err(), "{crash:?}");
        // The app restarts; the first signature finishes or drops the refresh.
        let device = lab.restarted_device();
        let key = device.unlock(&id, PIN).unwrap();
        let d = digest(curve, 2);
        let sig = key
            .sign_digest(&d)
            .unwrap_or_else(|e| panic!("{crash:?}: {e}"));
        key.verifying_key().verify_digest(&d, &sig).unwrap();
        let rec = device.record(&id).unwrap();
        assert!(!rec.refresh_pending(), "{crash:?}");
        let want_epoch = match crash {
            Crash::CommitLost | Crash::CommitAnswerLost | Crash::DeviceBeforeSavingResult => 1,
            _ => 0,
        };
        assert_eq!(rec.epoch(), want_epoch, "{crash:?}");
        assert_eq!(
            lab.server.status(&id).unwrap().epoch,
            want_epoch,
            "{crash:?}"
        );
        // And the next refresh goes through.
        device.refresh(&id, PIN).unwrap();
        let key = device.unlock(&id, PIN).unwrap();
        key.sign_digest(&digest(curve, 3)).unwrap();
        assert_eq!(lab.server.status(&id).unwrap().failures, 0, "{crash:?}");
    }
}

#[test]
fn a_revoked_key_signs_nothing() {
    let curve = CurveId::CryptoProB;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    let key = lab.device.unlock(&id, PIN).unwrap();
    lab.server.revoke(&id).unwrap();
    assert_eq!(
        refused(key.sign_digest(&digest(curve, 1))),
        Refusal::KeyRevoked
    );
    assert!(lab.server.status(&id).unwrap().revoked);
    assert!(
        lab.shares
            .load(&id)
            .unwrap()
            .unwrap()
            .sealed_share
            .is_empty()
    );
    lab.device.delete(&id).unwrap();
    assert!(matches!(
        lab.device.unlock(&id, PIN),
        Err(DistributedError::KeyNotFound)
    ));
}

#[test]
fn the_device_record_offers_no_pin_test() {
    let curve = CurveId::CryptoProA;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    let blob = lab.store.inner.load("k").unwrap().unwrap();
    let public = lab.device.public_key(&id).unwrap();
    let q_dev = q_dev(&lab, &id);
    let q_srv = public.point().sub(&q_dev);
    let contains = |p: &Point| {
        let b = p.to_bytes();
        blob.windows(b.len()).any(|w| w == b)
    };
    assert!(contains(public.point()), "Q is kept");
    assert!(!contains(&q_dev), "Q_dev is not kept");
    assert!(!contains(&q_srv), "Q_srv is not kept");
    // 1000 wrong PINs all unlock locally, without any error.
    for i in 0..1000u32 {
        let pin = format!("w{i:04}");
        let key = lab.device.unlock(&id, pin.as_bytes()).unwrap();
        assert_eq!(key.verifying_key(), &public);
    }
    assert_eq!(lab.channel.count(), 2, "no traffic");
    let _ = VerifyingKey::from_point(q_srv).unwrap();
}
