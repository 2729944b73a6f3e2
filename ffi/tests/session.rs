//! The exported API driven from Rust the way Kotlin and Swift drive it: a
//! transport implemented outside the SDK (here in Rust, as a foreign one
//! would be) forwarding to the virtual token.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use fkn_core::crypto::ec::CurveId as Curve;
use fkn_core::crypto::hash::DigestAlgorithm;
use fkn_core::error::{CardRefusal, LinkFault};
use fkn_core::token::PinRef;
use fkn_ffi::{
    FknError, NfcTransport, TokenSession, TransportError, VirtualToken, digest, verify_cms,
    verify_csr, verify_digest,
};

const USER_PIN: &str = "12345678";
const ADMIN_PIN: &str = "87654321";

/// Forwards to a virtual token; exchange number `fail_at` (1-based) throws TagLost.
struct Forwarding {
    token: Arc<VirtualToken>,
    exchanges: AtomicUsize,
    fail_at: AtomicUsize,
}

impl Forwarding {
    fn new(token: &Arc<VirtualToken>) -> Arc<Self> {
        Arc::new(Forwarding {
            token: Arc::clone(token),
            exchanges: AtomicUsize::new(0),
            fail_at: AtomicUsize::new(0),
        })
    }

    fn fail_next(&self) {
        self.fail_at
            .store(self.exchanges.load(Ordering::SeqCst) + 1, Ordering::SeqCst);
    }
}

impl NfcTransport for Forwarding {
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let n = self.exchanges.fetch_add(1, Ordering::SeqCst) + 1;
        if n == self.fail_at.load(Ordering::SeqCst) {
            return Err(TransportError::TagLost);
        }
        Ok(self.token.process_apdu(apdu))
    }
    fn max_transceive_length(&self) -> u32 {
        261
    }
    fn extended_length_supported(&self) -> bool {
        false
    }
}

fn token() -> Arc<VirtualToken> {
    VirtualToken::new("ffi test".into(), USER_PIN.into(), ADMIN_PIN.into()).unwrap()
}

#[test]
fn login_sign_verify_over_a_foreign_style_transport() {
    let vt = token();
    let session = TokenSession::open(Forwarding::new(&vt)).unwrap();
    assert_eq!(session.select_info().unwrap().serial.to_vec(), vt.serial());
    session.authenticate(USER_PIN.into()).unwrap();
    let key = session
        .generate_key(vec![1], Curve::Tc26_256A, "k".into())
        .unwrap();
    let digests: Vec<Vec<u8>> = (0..16u8)
        .map(|i| digest(DigestAlgorithm::Streebog256, vec![i]))
        .collect();
    let sigs = session.sign(vec![1], digests.clone()).unwrap();
    assert_eq!(sigs.len(), 16);
    for (d, s) in digests.iter().zip(&sigs) {
        assert!(verify_digest(key.curve, key.public_key.clone(), d.clone(), s.clone()).unwrap());
    }
    assert!(
        !verify_digest(
            key.curve,
            key.public_key.clone(),
            digests[0].clone(),
            sigs[1].clone()
        )
        .unwrap()
    );
}

#[test]
fn wrong_pin_reports_attempts_left() {
    let vt = token();
    let session = TokenSession::open(vt.transport()).unwrap();
    assert_eq!(
        session.authenticate("0000".into()),
        Err(FknError::WrongPin { attempts_left: 4 })
    );
    session.authenticate(USER_PIN.into()).unwrap();
}

#[test]
fn tag_lost_is_card_removed_even_inside_a_cms_signature() {
    let vt = token();
    let link = Forwarding::new(&vt);
    let session = TokenSession::open(link.clone()).unwrap();
    session.authenticate(USER_PIN.into()).unwrap();
    session
        .generate_key(vec![9], Curve::CryptoProA, String::new())
        .unwrap();
    let cert = session
        .self_signed_certificate(vec![9], "CN=Test".into(), 1)
        .unwrap();
    let csr = session.create_csr(vec![9], "/C=RU/CN=Test".into()).unwrap();
    assert_eq!(verify_csr(csr).unwrap().curve, Curve::CryptoProA);
    let cms = session
        .sign_cms(vec![9], cert.clone(), b"doc".to_vec(), false)
        .unwrap();
    assert_eq!(
        verify_cms(cms, None).unwrap().content,
        Some(b"doc".to_vec())
    );

    // sign_cms looks the key up (one exchange), then signs: lose the card there.
    link.fail_at
        .store(link.exchanges.load(Ordering::SeqCst) + 2, Ordering::SeqCst);
    assert_eq!(
        session.sign_cms(vec![9], cert, b"doc".to_vec(), true),
        Err(FknError::Link {
            fault: LinkFault::CardRemoved
        })
    );
    link.fail_next();
    assert_eq!(
        session.authenticate(USER_PIN.into()),
        Err(FknError::Link {
            fault: LinkFault::CardRemoved
        })
    );
    assert_eq!(
        session.token_info(),
        Err(FknError::Card {
            refusal: CardRefusal::NotAuthenticated
        })
    );
}

#[test]
fn virtual_token_file_round_trip() {
    let dir = std::env::temp_dir().join(format!("fkn-ffi-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("token.json");
    let _ = std::fs::remove_file(&path);
    let path_s = path.to_string_lossy().into_owned();
    let serial = {
        let vt = VirtualToken::create(
            path_s.clone(),
            "file".into(),
            USER_PIN.into(),
            ADMIN_PIN.into(),
        )
        .unwrap();
        let s = TokenSession::open(vt.transport()).unwrap();
        s.authenticate(USER_PIN.into()).unwrap();
        s.generate_key(vec![5], Curve::Tc26_512A, "kept".into())
            .unwrap();
        vt.serial()
    };
    assert!(matches!(
        VirtualToken::create(path_s.clone(), "again".into(), "1".into(), "2".into()),
        Err(FknError::Storage { .. })
    ));
    let vt = VirtualToken::open(path_s).unwrap();
    assert_eq!(vt.serial(), serial);
    let s = TokenSession::open(vt.transport()).unwrap();
    s.authenticate(USER_PIN.into()).unwrap();
    assert_eq!(s.list_keys().unwrap()[0].label, "kept");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn prepared_pin_logs_in_without_pbkdf2_at_the_tap() {
    let vt = token();
    let first = TokenSession::open(vt.transport()).unwrap();
    let select = first.select_info().unwrap();
    let user = select
        .passwords
        .iter()
        .find(|p| p.reference == PinRef::User)
        .unwrap()
        .clone();
    drop(first);

    // Before the next tap: derive from what the first session told.
    let pin = fkn_ffi::PreparedPin::derive(select.serial.to_vec(), user.clone(), USER_PIN.into())
        .unwrap();
    let link = Forwarding::new(&vt);
    let session = TokenSession::open(link.clone()).unwrap();
    session.authenticate_prepared(pin).unwrap();
    assert_eq!(
        link.exchanges.load(Ordering::SeqCst),
        3,
        "SELECT and the two login steps"
    );

    let wrong =
        fkn_ffi::PreparedPin::derive(select.serial.to_vec(), user.clone(), "0000".into()).unwrap();
    assert_eq!(
        session.authenticate_prepared(wrong),
        Err(FknError::WrongPin { attempts_left: 4 })
    );
    let other_token = fkn_ffi::PreparedPin::derive(vec![0; 8], user, USER_PIN.into()).unwrap();
    assert!(matches!(
        session.authenticate_prepared(other_token),
        Err(FknError::Misuse { .. })
    ));
    assert!(matches!(
        fkn_ffi::PreparedPin::derive(vec![0; 7], select.passwords[0].clone(), USER_PIN.into()),
        Err(FknError::Misuse { .. })
    ));
    let again = session.prepare_pin(PinRef::User, USER_PIN.into()).unwrap();
    session.authenticate_prepared(again).unwrap();
}
