//! `TokenSigner`: a token key as the PKI layer's `DigestSigner`.

use fkn_core::Error;
use fkn_core::crypto::ec::{CurveId, VerifyingKey};
use fkn_core::error::CardRefusal;
use fkn_core::pki::{DigestSigner, PkiError, Subject, cert, cms, csr};
use fkn_core::token::{KeyInfo, TokenSession, TokenSigner, token_error};
use fkn_vtoken::{OsRandom, TokenState, VirtualToken, VirtualTokenTransport};

const PIN: &str = "1234";

/// A fresh virtual token with this serial, selected but not logged in.
fn opened(serial: [u8; 8]) -> TokenSession<VirtualTokenTransport> {
    let state = TokenState::with_pins(
        serial,
        "signer",
        PIN,
        "87654321",
        CurveId::Tc26_256A,
        &mut OsRandom,
    )
    .expect("state");
    let link = VirtualTokenTransport::new(VirtualToken::new(state));
    TokenSession::open(link).expect("open")
}

fn session() -> TokenSession<VirtualTokenTransport> {
    let mut s = opened(*b"SIGNER01");
    s.authenticate(PIN).expect("login");
    s
}

/// A 256-bit key the token does not hold.
fn absent_key(id: &[u8]) -> KeyInfo {
    KeyInfo {
        id: id.to_vec(),
        curve: CurveId::Tc26_256A,
        public_key: vec![0; 64],
        label: String::new(),
        has_certificate: false,
    }
}

#[test]
fn signs_digests_that_verify_on_both_sizes() {
    let mut s = session();
    for curve in [CurveId::Tc26_256A, CurveId::Tc26_512A] {
        let id = curve.name().as_bytes();
        let key = s.generate_key(id, curve, "k").expect("keygen");
        let mut signer = TokenSigner::new(&mut s, &key);
        assert_eq!(DigestSigner::curve(&signer), curve);
        assert_eq!(signer.public_key(), key.public_key);
        assert_eq!(signer.id(), id);
        let digest = vec![0x5A; curve.digest_len()];
        let sig = signer.sign_digest(&digest).expect("sign");
        let vk = VerifyingKey::from_bytes(curve, &key.public_key).expect("key");
        vk.verify_digest(&digest, &sig).expect("verifies");
        // Another digest must not verify under the same signature.
        let mut other = digest.clone();
        other[0] ^= 1;
        assert!(vk.verify_digest(&other, &sig).is_err());
    }
}

#[test]
fn certificate_request_and_cms_are_signed_on_the_token() {
    let mut s = session();
    s.generate_key(b"a", CurveId::Tc26_256A, "")
        .expect("keygen");
    let subject = Subject::new().common_name("Token key");
    let mut signer = TokenSigner::find(&mut s, b"a").expect("find");
    let req = csr::build_csr(&mut signer, &subject, &csr::CsrOptions::default()).expect("csr");
    let info = csr::verify_csr(&req).expect("csr verifies");
    assert_eq!(info.public_key, signer.public_key());
    let der = cert::self_signed(&mut signer, &subject, 30).expect("cert");
    cert::verify_certificate_signature(&der, &der).expect("self-signed verifies");
    let mut doc: &[u8] = b"document";
    let sig = cms::sign(&mut signer, &der, &mut doc, &cms::SignOptions::default()).expect("cms");
    let ok = cms::verify(&sig, None).expect("cms verifies");
    assert_eq!(ok.content.as_deref(), Some(&b"document"[..]));
    // The session is usable again once the signer is gone.
    s.put_certificate(b"a", &der).expect("store");
    assert_eq!(s.get_certificate(b"a").expect("read"), der);
}

#[test]
fn unknown_key_and_token_failures_are_typed() {
    let mut s = session();
    assert_eq!(
        TokenSigner::find(&mut s, b"none").err(),
        Some(Error::Card {
            refusal: CardRefusal::KeyNotFound
        })
    );
    // A signer for a key the token does not have: the token's refusal
    // comes back as the session's Error inside PkiError::Signer.
    let ghost = absent_key(b"ghost");
    let mut signer = TokenSigner::new(&mut s, &ghost);
    let e = signer.sign_digest(&[1; 32]).expect_err("no such key");
    assert_eq!(
        token_error(&e),
        Some(&Error::Card {
            refusal: CardRefusal::KeyNotFound
        })
    );
    assert!(e.to_string().contains("no key with this id"), "{e}");
    // Not a token error: no inner Error.
    assert_eq!(token_error(&PkiError::DigestMismatch), None);
}

#[test]
fn logged_out_session_fails_with_not_authenticated() {
    let mut s = opened(*b"SIGNER02");
    let e = TokenSigner::new(&mut s, &absent_key(b"k"))
        .sign_digest(&[1; 32])
        .expect_err("no login");
    assert_eq!(
        token_error(&e),
        Some(&Error::Card {
            refusal: CardRefusal::NotAuthenticated
        })
    );
}
