//! A point of small order, off the curve or at infinity in every point of
//! every message (and of the device record) is refused with a typed error
//! naming the field; the server answers such a request with a refusal and
//! changes nothing.

mod distributed_common;

use std::sync::{Arc, Mutex};

use distributed_common::{Lab, PIN, digest};
use fkn_core::crypto::ec::{CurveId, EcError, Point};
use fkn_core::distributed::{
    DeviceRecord, DistributedError, Field, Refusal, Request, RequestBody, Response, ResponseBody,
    SecureStore,
};

/// Points `T` of order 4 as BYTES (see tests/sespake_negative.rs).
const ORDER4_256A: &str = "77592F8C11C5E7ACC09D6AF3D1805DBC5393C3955D5AB43875003505C6807F7FCD0E8EA4344FB70642D93FDA75821835FBB94AC1180F1DAA5F019F0F52827E7E";
const ORDER4_512C: &str = "8F740111DBA626EF70D251705A9932C9727B5D577A19ED1471FFE2237F5DC69C5DFAA37EA2F2D102D77B89A8E3A6BA31240063EDBA2EB2138889355534B8CEB21E62043391F473CD5277F5500FCC975B587218066F4CC73E53FEA86B7D1853D618EFEB7BE7D7750885739CF9AAF42F956C0029C8308C163B989CA0FF9C286C18";

fn order4(curve: CurveId) -> Point {
    let hexs = match curve {
        CurveId::Tc26_256A => ORDER4_256A,
        CurveId::Tc26_512C => ORDER4_512C,
        c => panic!("{c} has cofactor 1"),
    };
    let t = Point::from_bytes_on_curve(curve, &hex::decode(hexs).unwrap()).unwrap();
    assert!(!t.is_identity() && t.mul_by_cofactor().is_identity());
    t
}

/// Replacements for a valid point `p`, with the error each must give.
fn bad_variants(p: &Point) -> Vec<(Vec<u8>, EcError)> {
    let curve = p.curve();
    let n = curve.coord_len();
    let t = order4(curve);
    let mut off = p.to_bytes();
    off[n] ^= 0x01; // y changed: off the curve
    vec![
        (t.to_bytes(), EcError::PointNotInSubgroup),
        (p.add(&t).to_bytes(), EcError::PointNotInSubgroup),
        (t.double().to_bytes(), EcError::PointNotInSubgroup),
        (off, EcError::PointNotOnCurve),
        (vec![0; 2 * n], EcError::PointAtInfinity),
    ]
}

fn request_points(b: &RequestBody) -> Vec<(Point, Field)> {
    match b {
        RequestBody::KeygenOpen {
            device_share,
            proof,
            ..
        } => vec![
            (*device_share, Field::DevicePublicShare),
            (proof.t, Field::ProofCommitment),
        ],
        RequestBody::Sign { d, e, .. } => {
            vec![(*d, Field::DeviceNonceD), (*e, Field::DeviceNonceE)]
        }
        RequestBody::PinCheck { proof, .. } | RequestBody::RefreshBegin { proof, .. } => {
            vec![(proof.t, Field::ProofCommitment)]
        }
        _ => vec![],
    }
}

fn response_points(b: &ResponseBody) -> Vec<(Point, Field)> {
    let batch = |v: &[fkn_core::distributed::ServerCommitment]| {
        v.iter()
            .flat_map(|c| [(c.d, Field::ServerNonceD), (c.e, Field::ServerNonceE)])
            .collect::<Vec<_>>()
    };
    match b {
        ResponseBody::KeygenShare {
            server_share,
            proof,
        } => vec![
            (*server_share, Field::ServerPublicShare),
            (proof.t, Field::ProofCommitment),
        ],
        ResponseBody::KeygenDone { public, batch: b } => {
            let mut v = vec![(*public, Field::PublicKey)];
            v.extend(batch(b));
            v
        }
        ResponseBody::NonceBatch { batch: b } => batch(b),
        ResponseBody::Signature { refill, .. } => batch(refill),
        _ => vec![],
    }
}

fn replace(msg: &[u8], old: &[u8], new: &[u8]) -> Vec<u8> {
    let pos = msg
        .windows(old.len())
        .position(|w| w == old)
        .expect("point bytes in message");
    let mut out = msg.to_vec();
    out[pos..pos + old.len()].copy_from_slice(new);
    out
}

fn assert_invalid(r: Result<impl std::fmt::Debug, DistributedError>, field: Field, want: EcError) {
    match r {
        Err(DistributedError::InvalidPoint { field: f, source }) => {
            assert_eq!((f, source), (field, want));
        }
        other => panic!("{field:?}: expected InvalidPoint({want:?}), got {other:?}"),
    }
}

/// Runs every kind of exchange and returns all requests and responses.
fn transcript(curve: CurveId) -> (Lab, Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let lab = Lab::new();
    let responses = Arc::new(Mutex::new(Vec::new()));
    let log = responses.clone();
    lab.channel.alter_responses(move |r| {
        log.lock().unwrap().push(r.clone());
        r
    });
    let id = lab.keygen("k", curve);
    let key = lab.device.unlock(&id, PIN).unwrap();
    for seed in 0..4 {
        key.sign_digest(&digest(curve, seed)).unwrap();
    }
    lab.device.change_pin(&id, PIN, b"4321").unwrap();
    lab.device.refresh(&id, b"4321").unwrap();
    // Empty the pool without refills to make the device fetch a batch.
    let key = lab.device.unlock(&id, b"4321").unwrap();
    lab.channel.alter_responses(|r| {
        let mut resp = Response::decode(&r).unwrap();
        if let ResponseBody::Signature { refill, .. } = &mut resp.body {
            refill.clear();
        }
        resp.encode()
    });
    while lab.device.record(&id).unwrap().commitments_left() > 0 {
        key.sign_digest(&digest(curve, 9)).unwrap();
    }
    let log = responses.clone();
    lab.channel.alter_responses(move |r| {
        log.lock().unwrap().push(r.clone());
        r
    });
    key.sign_digest(&digest(curve, 10)).unwrap();
    lab.channel.clear_hooks();
    let requests = lab.channel.log.lock().unwrap().clone();
    let responses = responses.lock().unwrap().clone();
    (lab, requests, responses)
}

#[test]
fn every_point_of_every_message_is_validated() {
    for curve in [CurveId::Tc26_256A, CurveId::Tc26_512C] {
        let (lab, requests, responses) = transcript(curve);
        let mut kinds = std::collections::HashSet::new();
        for raw in &requests {
            let req = Request::decode(raw).unwrap();
            for (p, field) in request_points(&req.body) {
                kinds.insert(format!("req {field:?}"));
                for (bad, want) in bad_variants(&p) {
                    let msg = replace(raw, &p.to_bytes(), &bad);
                    assert_invalid(Request::decode(&msg), field, want);
                    // The server refuses it and counts nothing.
                    let before = lab.server.status(&req.header.key_id).unwrap();
                    let resp = Response::decode(&lab.server.handle(&msg)).unwrap();
                    assert_eq!(resp.body, ResponseBody::Refused(Refusal::InvalidRequest));
                    assert_eq!(resp.header, req.header);
                    assert_eq!(lab.server.status(&req.header.key_id).unwrap(), before);
                }
            }
        }
        for raw in &responses {
            let resp = Response::decode(raw).unwrap();
            for (p, field) in response_points(&resp.body) {
                kinds.insert(format!("resp {field:?}"));
                for (bad, want) in bad_variants(&p) {
                    let msg = replace(raw, &p.to_bytes(), &bad);
                    assert_invalid(Response::decode(&msg), field, want);
                }
            }
        }
        let mut kinds: Vec<_> = kinds.into_iter().collect();
        kinds.sort();
        assert_eq!(
            kinds,
            [
                "req DeviceNonceD",
                "req DeviceNonceE",
                "req DevicePublicShare",
                "req ProofCommitment",
                "resp ProofCommitment",
                "resp PublicKey",
                "resp ServerNonceD",
                "resp ServerNonceE",
                "resp ServerPublicShare",
            ],
            "{curve}: every point-carrying field was exercised"
        );

        // The device record: Q at every load (the pooled server commitments
        // when used: a_damaged_pooled_commitment_is_refused_when_used).
        let blob = lab.store.inner.load("k").unwrap().unwrap();
        let rec = DeviceRecord::decode(&blob).unwrap();
        let q = *rec.public_key().point();
        for (bad, want) in bad_variants(&q) {
            assert_invalid(
                DeviceRecord::decode(&replace(&blob, &q.to_bytes(), &bad)),
                Field::PublicKey,
                want,
            );
        }
    }
}

#[test]
fn a_small_order_refill_point_is_refused_by_the_device() {
    let curve = CurveId::Tc26_256A;
    let lab = Lab::new();
    let id = lab.keygen("k", curve);
    let key = lab.device.unlock(&id, PIN).unwrap();
    lab.channel.alter_responses(move |r| {
        let resp = Response::decode(&r).unwrap();
        match &resp.body {
            ResponseBody::Signature { refill, .. } => {
                let p = refill[0].e;
                replace(&r, &p.to_bytes(), &p.add(&order4(curve)).to_bytes())
            }
            _ => r,
        }
    });
    assert_invalid(
        key.sign_digest(&digest(curve, 1)),
        Field::ServerNonceE,
        EcError::PointNotInSubgroup,
    );
    // Nothing bad was stored: the next signature works.
    lab.channel.clear_hooks();
    key.sign_digest(&digest(curve, 2)).unwrap();
}

/// The record's pooled server commitments are checked when they are used,
/// not at every load: a damaged one is refused with the typed error when its
/// turn comes, before anything is sent, and the next signature takes the
/// next commitment.
#[test]
fn a_damaged_pooled_commitment_is_refused_when_used() {
    for curve in [CurveId::Tc26_256A, CurveId::Tc26_512C] {
        let lab = Lab::new();
        // Every commitment the device receives, in pool order.
        let queue = Arc::new(Mutex::new(std::collections::VecDeque::new()));
        let q = queue.clone();
        lab.channel.alter_responses(move |r| {
            match Response::decode(&r).unwrap().body {
                ResponseBody::KeygenDone { batch, .. }
                | ResponseBody::NonceBatch { batch }
                | ResponseBody::Signature { refill: batch, .. } => q.lock().unwrap().extend(batch),
                _ => {}
            }
            r
        });
        let id = lab.keygen("k", curve);
        let key = lab.device.unlock(&id, PIN).unwrap();
        let mut seed = 0;
        for field in [Field::ServerNonceD, Field::ServerNonceE] {
            for k in 0..5 {
                let head = queue.lock().unwrap().pop_front().unwrap();
                let p = if field == Field::ServerNonceD {
                    head.d
                } else {
                    head.e
                };
                let (bad, want) = bad_variants(&p).swap_remove(k);
                let blob = lab.store.inner.load("k").unwrap().unwrap();
                let damaged = replace(&blob, &p.to_bytes(), &bad);
                lab.store.inner.save("k", &damaged).unwrap();
                // Loading the record does not look at the pool.
                let left = lab.device.record(&id).unwrap().commitments_left();
                let (exchanges, status) = (lab.channel.count(), lab.server.status(&id).unwrap());
                seed += 1;
                assert_invalid(key.sign_digest(&digest(curve, seed)), field, want);
                assert_eq!(lab.channel.count(), exchanges, "nothing sent");
                assert_eq!(lab.server.status(&id).unwrap(), status);
                assert_eq!(
                    lab.device.record(&id).unwrap().commitments_left(),
                    left - 1,
                    "the damaged commitment is gone"
                );
            }
            // The key still signs, with the next (undamaged) commitment.
            queue.lock().unwrap().pop_front().unwrap();
            seed += 1;
            let d = digest(curve, seed);
            let sig = key.sign_digest(&d).unwrap();
            key.verifying_key().verify_digest(&d, &sig).unwrap();
        }
    }
}
