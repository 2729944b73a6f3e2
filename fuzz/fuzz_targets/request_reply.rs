//! What a device reads from a (possibly hostile) server about signing
//! requests: an answer of the device endpoint holding a `Reply`, its
//! `CallReply`, and the requests in it as the phone would sign them. Never
//! a panic; a fetched document's digest is always the phone's own.
//!
//! Input: a selector byte, then the bytes. An even selector decodes the
//! bytes as a whole answer (`ServerMessage`, call limit); an odd one wraps
//! them as the `Reply` payload, so the `CallReply` decoder is reached
//! directly.
#![no_main]

use fkn_core::crypto::ec::CurveId;
use fkn_core::crypto::hash::DigestAlgorithm;
use fkn_core::onboarding::wire::{self, MAX_CALL_MESSAGE, ServerMessage, bv};
use fkn_core::requests::{CallReply, Content, FetchedRequest};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let answer = if selector % 2 == 0 {
        body.to_vec()
    } else {
        wire::encode(ServerMessage::Reply(bv(body.to_vec())))
    };
    let Ok(ServerMessage::Reply(reply)) =
        wire::decode_within::<ServerMessage>(&answer, MAX_CALL_MESSAGE)
    else {
        return;
    };
    let Ok(reply) = minicbor::decode::<CallReply>(&reply) else {
        return;
    };
    let views = match reply {
        CallReply::Pending(v) | CallReply::Requests(v) => v,
        _ => return,
    };
    for v in views {
        let Some(content) = v.content else { continue };
        let r = FetchedRequest {
            id: v.id,
            title: v.title,
            content,
            key: v.key,
            detached: v.detached,
            created_at: v.created_at,
            deadline: v.deadline,
        };
        for curve in [CurveId::Tc26_256A, CurveId::Tc26_512A] {
            match (&r.content, r.content_digest(curve)) {
                (Content::Document(d), Ok(digest)) => {
                    assert_eq!(digest, DigestAlgorithm::for_curve(curve).digest(d));
                }
                (Content::Document(_), Err(e)) => panic!("a document always hashes: {e:?}"),
                (Content::Digest { digest, .. }, Ok(got)) => assert_eq!(&got[..], &digest[..]),
                (Content::Digest { digest, .. }, Err(_)) => {
                    assert_ne!(digest.len(), curve.digest_len());
                }
            }
        }
    }
});
