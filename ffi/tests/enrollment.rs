//! Enrollment through the exported API, the way Kotlin and Swift call it:
//! read the QR code, enroll against the virtual server's device endpoint
//! (pairing, keygen), then sign over the signed channel;
//! a used code, a bad code and a revoked device are typed errors.

mod common;

use std::sync::Arc;

use common::MapStore;
use fkn_core::crypto::ec::CurveId;
use fkn_core::error::TwoPartyFault;
use fkn_ffi::{
    FknError, TwoPartyDevice, VirtualSigningServer, digest, digest_algorithm_for,
    read_enrollment_uri, verify_digest,
};

const PIN: &str = "2468";

fn fault(e: FknError) -> TwoPartyFault {
    match e {
        FknError::TwoParty { fault } => fault,
        other => panic!("not a two-party fault: {other:?}"),
    }
}

#[test]
fn enroll_from_the_qr_code_then_sign() {
    let server = VirtualSigningServer::new(3);
    let uri = server.create_enrollment("alice".into(), 600).unwrap();
    let summary = read_enrollment_uri(uri.clone()).unwrap();
    assert_eq!(summary.account, "alice");
    assert!(summary.server.starts_with("https://"));

    let store = Arc::new(MapStore::default());
    let device =
        TwoPartyDevice::with_iterations(store.clone(), server.clone().device_channel(), 1000)
            .unwrap();
    assert!(matches!(
        fault(device.enrollment().unwrap_err()),
        TwoPartyFault::NotEnrolled
    ));
    let enrolled = device
        .enroll(
            uri.clone(),
            "main".into(),
            CurveId::Tc26_256A,
            PIN.into(),
            None,
        )
        .unwrap();
    assert_eq!(enrolled.account, "alice");
    assert_eq!(device.enrollment().unwrap().device_id, enrolled.device_id);

    let key = device.unlock("main".into(), PIN.into()).unwrap();
    let d = digest(
        digest_algorithm_for(CurveId::Tc26_256A),
        b"enrolled by QR code".to_vec(),
    );
    let sig = key.sign_digest(d.clone()).unwrap();
    assert!(
        verify_digest(
            CurveId::Tc26_256A,
            enrolled.public_key.clone(),
            d.clone(),
            sig
        )
        .unwrap()
    );

    // The same app started again finds its credential in the store.
    let again =
        TwoPartyDevice::with_iterations(store, server.clone().device_channel(), 1000).unwrap();
    again
        .unlock("main".into(), PIN.into())
        .unwrap()
        .sign_digest(d.clone())
        .unwrap();

    // The code worked once.
    let other = TwoPartyDevice::with_iterations(
        Arc::new(MapStore::default()),
        server.clone().device_channel(),
        1000,
    )
    .unwrap();
    let e = other
        .enroll(uri, "k2".into(), CurveId::Tc26_256A, PIN.into(), None)
        .unwrap_err();
    assert_eq!(fault(e), TwoPartyFault::EnrollmentUsed);

    // A revoked device cannot sign.
    server.revoke_device(enrolled.device_id);
    let e = again
        .unlock("main".into(), PIN.into())
        .unwrap()
        .sign_digest(d)
        .unwrap_err();
    assert!(matches!(
        fault(e),
        TwoPartyFault::AccessRefused { revoked: true, .. }
    ));
}

#[test]
fn bad_codes_are_typed() {
    for (text, expected) in [
        ("https://example.com", "invalid"),
        (
            "fkn://enroll?v=9&s=https://a&a=b&c=012345678901&x=99999999999&f=00",
            "update",
        ),
    ] {
        let e = read_enrollment_uri(text.into()).unwrap_err();
        match (fault(e), expected) {
            (TwoPartyFault::EnrollmentCodeInvalid { .. }, "invalid") => {}
            (TwoPartyFault::UpdateRequired, "update") => {}
            (f, _) => panic!("{text}: {f:?}"),
        }
    }
    let server = VirtualSigningServer::new(3);
    let uri = server.create_enrollment("bob".into(), 600).unwrap();
    // A wrong activation code in an otherwise valid URI.
    let start = uri.find("c=").unwrap() + 2;
    let mut wrong = uri.clone();
    let digit = if &uri[start..start + 1] == "0" {
        "1"
    } else {
        "0"
    };
    wrong.replace_range(start..start + 1, digit);
    let device = TwoPartyDevice::with_iterations(
        Arc::new(MapStore::default()),
        server.clone().device_channel(),
        1000,
    )
    .unwrap();
    let e = device
        .enroll(wrong, "k".into(), CurveId::Tc26_256A, PIN.into(), None)
        .unwrap_err();
    assert_eq!(
        fault(e),
        TwoPartyFault::ActivationCodeRejected { attempts_left: 4 }
    );
}
