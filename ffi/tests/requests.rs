//! Signing requests through the exported API, the way Kotlin and Swift call
//! them: enroll with a card key, the backend (the virtual server) asks,
//! the phone lists, fetches, approves with the card in one sign command and
//! with the two-party key, and declines; each CMS verifies.

mod common;

use std::sync::Arc;

use common::MapStore;
use fkn_core::crypto::ec::CurveId;
use fkn_core::error::RequestRefusal;
use fkn_ffi::{
    FknError, RequestKeyKind, TokenSession, TwoPartyDevice, VirtualSigningServer, VirtualToken,
    verify_cms,
};

const PIN: &str = "2468";
const CARD_KEY: &[u8] = b"card-1";

#[test]
fn list_fetch_approve_with_card_and_key_and_decline() {
    let server = VirtualSigningServer::new(3);
    let uri = server.create_enrollment("alice".into(), 600).unwrap();
    let token = VirtualToken::new("card".into(), PIN.into(), "87654321".into()).unwrap();
    let session = TokenSession::open(token.transport()).unwrap();
    session.authenticate(PIN.into()).unwrap();
    session
        .generate_key(CARD_KEY.to_vec(), CurveId::Tc26_256A, "signing".into())
        .unwrap();
    let csr = session
        .create_csr(CARD_KEY.to_vec(), "CN=Alice".into())
        .unwrap();
    let card_cert = session
        .self_signed_certificate(CARD_KEY.to_vec(), "CN=Alice".into(), 30)
        .unwrap();

    let device = TwoPartyDevice::with_iterations(
        Arc::new(MapStore::default()),
        server.clone().device_channel(),
        1000,
    )
    .unwrap();
    let enrolled = device
        .enroll(
            uri,
            "main".into(),
            CurveId::Tc26_256A,
            PIN.into(),
            Some(csr),
        )
        .unwrap();
    let card_id = enrolled.card_id.unwrap();

    let doc = |n: u32| format!("contract {n}\n").into_bytes();
    let mut by_card = Vec::new();
    for n in 0..4 {
        by_card.push(
            server
                .create_request(
                    "alice".into(),
                    format!("contract {n}"),
                    doc(n),
                    RequestKeyKind::Card,
                    card_id.clone(),
                    n % 2 == 0,
                    600,
                )
                .unwrap(),
        );
    }
    let by_key = server
        .create_request(
            "alice".into(),
            "contract 9".into(),
            doc(9),
            RequestKeyKind::TwoParty,
            "main".into(),
            false,
            600,
        )
        .unwrap();
    let declined = server
        .create_request(
            "alice".into(),
            "not this one".into(),
            doc(10),
            RequestKeyKind::Card,
            card_id.clone(),
            true,
            600,
        )
        .unwrap();

    let pending = device.pending_requests().unwrap();
    assert_eq!(pending.len(), 6);
    assert!(pending.iter().all(|r| r.document.is_none()));
    // A listing entry has no content: it must be fetched first.
    let err = device
        .approve_with_card(
            session.clone(),
            CARD_KEY.to_vec(),
            card_cert.clone(),
            vec![pending[0].clone()],
        )
        .unwrap_err();
    assert!(matches!(err, FknError::Misuse { .. }), "{err:?}");

    let fetched = device.fetch_requests(by_card.clone()).unwrap();
    assert_eq!(fetched[1].document.as_deref(), Some(&doc(1)[..]));
    let results = device
        .approve_with_card(
            session.clone(),
            CARD_KEY.to_vec(),
            card_cert.clone(),
            fetched,
        )
        .unwrap();
    assert!(results.iter().all(|r| r.refusal.is_none()), "{results:?}");

    let key = device.unlock("main".into(), PIN.into()).unwrap();
    let key_cert = key
        .self_signed_certificate("CN=Alice 2P".into(), 30)
        .unwrap();
    let fetched = device.fetch_requests(vec![by_key.clone()]).unwrap();
    let results = device
        .approve_with_key(key.clone(), key_cert.clone(), fetched)
        .unwrap();
    assert_eq!(results[0].refusal, None);

    device
        .decline_request(declined.clone(), "not mine".into())
        .unwrap();
    let r = server.request_result(declined.clone()).unwrap();
    assert_eq!(r.state, "declined");
    assert_eq!(r.decline_reason.as_deref(), Some("not mine"));
    let err = device.fetch_requests(vec![declined]).unwrap_err();
    assert!(
        matches!(
            err,
            FknError::Request {
                refusal: RequestRefusal::AlreadyDeclined
            }
        ),
        "{err:?}"
    );

    for (n, id) in by_card.iter().enumerate() {
        let r = server.request_result(id.clone()).unwrap();
        assert_eq!(r.state, "signed");
        let detached = n % 2 == 0;
        let v = verify_cms(r.cms.unwrap(), detached.then(|| doc(n as u32))).unwrap();
        assert_eq!(v.signer_certificate, card_cert);
    }
    let r = server.request_result(by_key).unwrap();
    let v = verify_cms(r.cms.unwrap(), None).unwrap();
    assert_eq!(v.content.as_deref(), Some(&doc(9)[..]));
    assert!(device.pending_requests().unwrap().is_empty());
}
