//! Issue 12's end-to-end acceptance over HTTP on loopback: a phone enrolls
//! from the operator's QR URI (pairing, keygen in the sealed session, card
//! registration), then signs a CMS with the two-party key through its
//! signed channel, and OpenSSL's gost-engine verifies it. Also run against
//! PostgreSQL by `tests/e2e/server_postgres.sh`.
//!
//! Without gost-engine the OpenSSL part prints a note and passes, unless
//! `FKN_REQUIRE_OPENSSL_GOST=1` (set by CI).

mod common;
#[path = "../../core/tests/openssl_common/mod.rs"]
mod openssl_common;

use std::sync::Arc;

use common::{HttpChannel, PIN, TOKEN, TestServer, device_config, now_secs};
use fkn_core::crypto::ec::{CurveId, SigningKey};
use fkn_core::distributed::{Device, KeyId, MemorySecureStore};
use fkn_core::onboarding::{SignedChannel, pair};
use fkn_core::pki::cms::{self, SignOptions};
use fkn_core::pki::{Subject, cert, csr};
use openssl_common::{gost_ok, openssl_cms_verify};

#[test]
fn a_phone_enrolls_over_http_and_its_cms_verifies_in_openssl() {
    let srv = TestServer::start();
    let uri = common::enrollment(&srv.base, TOKEN);
    let http = Arc::new(HttpChannel::new(&srv.base));
    let store = Arc::new(MemorySecureStore::new());
    let session = pair(&uri, http.clone(), now_secs()).expect("pairing over HTTP");
    let id = KeyId::new(&common::unique("cms")).unwrap();
    Device::new(store.clone(), session.channel(), device_config())
        .generate(&id, CurveId::Tc26_256A, PIN)
        .expect("keygen in the sealed session");
    // The card's key, registered with a CSR it signed (a software key stands
    // in for the card here; the CLI demo uses the virtual token).
    let mut card = SigningKey::generate(CurveId::Tc26_256A, &mut fkn_core::crypto::os_rng());
    let card_csr = csr::build_csr(
        &mut card,
        &Subject::new().common_name("card"),
        &csr::CsrOptions::default(),
    )
    .unwrap();
    session.register_card("card", &card_csr).expect("card");
    let credential = Arc::new(session.finish(&*store).expect("finish"));
    assert_eq!(
        http.sent.lock().unwrap().len(),
        6,
        "2 + 2 + 1 + 1 round trips"
    );

    let admin = srv.admin();
    let cards = admin.get("/admin/v1/cards");
    assert!(
        cards.to_string().contains(&uri.account),
        "card registered to the account: {cards}"
    );
    let devices = admin.get("/admin/v1/devices");
    assert!(
        devices.to_string().contains(credential.device_id()),
        "{devices}"
    );
    let events: Vec<String> = admin.get("/admin/v1/audit")["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["account_id"] == uri.account.as_str())
        .map(|r| r["event"].as_str().unwrap().to_owned())
        .collect();
    for e in [
        "enrollment_created",
        "device_paired",
        "key_generated",
        "card_registered",
        "enrollment_completed",
    ] {
        assert!(events.iter().any(|x| x == e), "{e} audited: {events:?}");
    }

    let device = Device::new(
        store,
        Arc::new(SignedChannel::new(credential, http)),
        device_config(),
    );
    let mut key = device.unlock(&id, PIN).unwrap();
    let subject = Subject::new().common_name("Two-party key");
    let certificate = cert::self_signed(&mut key, &subject, 30).unwrap();
    let data = b"Enrolled by QR code, signed by a key that never existed whole.\n".repeat(20);
    let sig = cms::sign(
        &mut key,
        &certificate,
        &mut &data[..],
        &SignOptions {
            detached: true,
            signing_time: None,
        },
    )
    .unwrap();
    if !gost_ok() {
        return;
    }
    let (ok, _, out) = openssl_cms_verify(&sig, Some(&data), &certificate);
    assert!(ok, "{out}");
}

#[test]
fn refused_pairings_are_typed_and_audited() {
    use fkn_core::Error;
    use fkn_core::distributed::TwoPartyFault;

    let srv = TestServer::start();
    let uri = common::enrollment(&srv.base, TOKEN);
    let http = Arc::new(HttpChannel::new(&srv.base));
    let fault = |e: Error| match e {
        Error::TwoParty { fault } => fault,
        other => panic!("{other:?}"),
    };

    // A forged code: counted, with the attempts left.
    let mut forged = uri.clone();
    forged.code = "999999999999".into();
    if forged.code == uri.code {
        forged.code = "888888888888".into();
    }
    let e = pair(&forged, http.clone(), now_secs()).unwrap_err();
    assert_eq!(
        fault(e),
        TwoPartyFault::ActivationCodeRejected { attempts_left: 4 }
    );
    // The right code works once; a second use is refused.
    let store = MemorySecureStore::new();
    pair(&uri, http.clone(), now_secs())
        .unwrap()
        .finish(&store)
        .unwrap();
    let e = pair(&uri, http.clone(), now_secs()).unwrap_err();
    assert_eq!(fault(e), TwoPartyFault::EnrollmentUsed);
    // Four more wrong codes lock a second enrollment.
    let second = common::enrollment(&srv.base, TOKEN);
    let mut wrong = second.clone();
    wrong.code = if second.code == "000000000000" {
        "111111111111".into()
    } else {
        "000000000000".into()
    };
    for left in (0..5u8).rev() {
        let e = pair(&wrong, http.clone(), now_secs()).unwrap_err();
        assert_eq!(
            fault(e),
            TwoPartyFault::ActivationCodeRejected {
                attempts_left: left
            }
        );
    }
    let e = pair(&second, http.clone(), now_secs()).unwrap_err();
    assert_eq!(fault(e), TwoPartyFault::EnrollmentLocked);

    let audit = srv.admin().get("/admin/v1/audit");
    let refused: Vec<String> = audit["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["event"] == "pairing_refused")
        .map(|r| r["detail"].as_str().unwrap().to_owned())
        .collect();
    for expected in [
        "wrong activation code, 4 attempt(s) left",
        "the enrollment was already used",
        "wrong activation code, 0 attempt(s) left",
        "the enrollment is locked after too many wrong codes",
    ] {
        assert!(
            refused.iter().any(|d| d == expected),
            "{expected:?} audited: {refused:?}"
        );
    }
    assert!(
        !audit.to_string().contains(&uri.code),
        "no activation code in the audit log"
    );
}
