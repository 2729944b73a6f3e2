//! The Rutoken ECP PKI driver against the emulated card of `fkn-vtoken`
//! (written from the same fact sheet, checked against OpenSC by
//! `tests/e2e/rutoken_opensc.sh`), and `card::open` choosing between it and
//! OFP1.

use std::sync::{Arc, Mutex};

use fkn_core::apdu::ApduChannel;
use fkn_core::card::{self, CardApplication, CardOptions, CardSigner};
use fkn_core::crypto::ec::{CurveId, SigningKey, VerifyingKey};
use fkn_core::error::{ApiMisuse, CardRefusal, Error};
use fkn_core::pki::{self, Subject};
use fkn_core::rutoken::{PinState, RutokenOptions, RutokenSession};
use fkn_core::token::PinRef;
use fkn_testkit::ScriptedTransport;
use fkn_vtoken::rutoken::{
    EmulatedRutoken, FACTORY_ADMIN_PIN, FACTORY_USER_PIN, RutokenModel, RutokenTransport,
    USER_PIN_REF,
};

const USER_PIN: &str = "12345678";
const ADMIN_PIN: &str = "87654321";

fn usb_card() -> (Arc<Mutex<EmulatedRutoken>>, RutokenTransport) {
    let transport = RutokenTransport::new(EmulatedRutoken::new(RutokenModel::Ecp));
    (transport.card(), transport)
}

fn session(transport: RutokenTransport) -> RutokenSession<RutokenTransport> {
    RutokenSession::open(transport, RutokenOptions::default()).expect("a Rutoken opens")
}

fn digest(n: u8) -> Vec<u8> {
    fkn_core::crypto::hash::streebog256(&[n; 100]).to_vec()
}

#[test]
fn factory_pins_are_the_documented_ones() {
    assert_eq!(FACTORY_USER_PIN, USER_PIN.as_bytes());
    assert_eq!(FACTORY_ADMIN_PIN, ADMIN_PIN.as_bytes());
}

#[test]
fn a_key_put_on_the_card_signs_what_its_public_key_verifies() {
    // A known key, so the byte order of digest and signature is checked
    // against the software implementation, not against the card's own key.
    let key = SigningKey::generate(CurveId::CryptoProA, &mut fkn_core::crypto::os_rng());
    let (card, transport) = usb_card();
    card.lock().unwrap().install_key(1, &key).expect("install");
    let mut s = session(transport);
    s.login(USER_PIN).expect("login");
    let digests = [digest(1), digest(2), digest(3)];
    let before = s.exchanges();
    let sigs = s.sign(1, &digests).expect("sign");
    // SELECT + MSE once, then one PSO per digest.
    assert_eq!(s.exchanges() - before, 2 + 3);
    for (d, sig) in digests.iter().zip(&sigs) {
        key.verifying_key().verify_digest(d, sig).expect("verifies");
    }
    // The wrong digest does not verify: the check can fail.
    assert!(
        key.verifying_key()
            .verify_digest(&digest(9), &sigs[0])
            .is_err()
    );
}

#[test]
fn generated_keys_are_listed_and_sign() {
    let (_, transport) = usb_card();
    let mut s = session(transport);
    s.login(USER_PIN).expect("login");
    let a = s
        .generate_key(None, CurveId::CryptoProA, "a")
        .expect("keygen A");
    let c = s
        .generate_key(None, CurveId::CryptoProC, "c")
        .expect("keygen C");
    assert_eq!((a.reference, c.reference), (1, 2));
    let before = s.exchanges();
    let keys = s.list_keys().expect("list");
    // SELECT 6002, select-first, two select-next; each public key file
    // SELECT + READ. No PKCS #15 reads: open found no ODF.
    assert_eq!(s.exchanges() - before, 4 + 2 * 2);
    let found: Vec<(u8, CurveId)> = keys.iter().map(|k| (k.reference, k.curve)).collect();
    assert_eq!(
        found,
        vec![(1, CurveId::CryptoProA), (2, CurveId::CryptoProC)]
    );
    // No PKCS #15 objects on a factory card: the public keys come from the
    // key files this driver made readable.
    assert_eq!(keys[0].public_key, a.public_key);
    assert_eq!(keys[1].public_key, c.public_key);
    let public = VerifyingKey::from_bytes(CurveId::CryptoProC, c.public_key.as_ref().unwrap())
        .expect("a point");
    let sig = s.sign(2, &[digest(4)]).expect("sign").remove(0);
    public.verify_digest(&digest(4), &sig).expect("verifies");
    // 512-bit and TC26 curves have no documented key file type.
    assert_eq!(
        s.generate_key(None, CurveId::Tc26_512A, "").unwrap_err(),
        ApiMisuse::CurveNotSupported {
            curve: CurveId::Tc26_512A
        }
        .into()
    );
}

#[test]
fn wrong_pin_tells_the_tries_left_and_blocks() {
    let (card, transport) = usb_card();
    let mut s = session(transport);
    assert_eq!(
        s.pin_state(PinRef::User).unwrap(),
        PinState::TriesLeft { tries: 10 }
    );
    assert_eq!(
        s.login("00000000").unwrap_err(),
        Error::WrongPin { attempts_left: 9 }
    );
    assert_eq!(
        s.pin_state(PinRef::User).unwrap(),
        PinState::TriesLeft { tries: 9 }
    );
    // A right PIN resets the counter.
    s.login(USER_PIN).expect("login");
    assert_eq!(s.pin_state(PinRef::User).unwrap(), PinState::Verified);
    for left in (1..10).rev() {
        assert_eq!(
            s.login("00000000").unwrap_err(),
            Error::WrongPin {
                attempts_left: left
            }
        );
    }
    assert_eq!(s.login("00000000").unwrap_err(), Error::PinBlocked);
    assert_eq!(s.login(USER_PIN).unwrap_err(), Error::PinBlocked);
    assert_eq!(s.authenticated_as(), None);
    assert_eq!(s.pin_state(PinRef::User).unwrap(), PinState::Blocked);
    assert_eq!(card.lock().unwrap().pin_tries_left(USER_PIN_REF), Some(0));
    assert_eq!(
        Error::PinBlocked.action(),
        "ask your administrator to unblock it"
    );
    // The administrator unblocks it with a new PIN.
    s.login_admin(ADMIN_PIN).expect("admin login");
    s.unblock_user_pin("11223344").expect("unblock");
    s.logout().expect("logout");
    s.login("11223344").expect("the new PIN works");
    s.change_pin("55667788").expect("change");
    s.logout().unwrap();
    assert!(s.login("11223344").is_err());
    s.login("55667788").expect("the changed PIN works");
}

#[test]
fn missing_key_and_missing_login_are_typed() {
    let (card, transport) = usb_card();
    let key = SigningKey::generate(CurveId::CryptoProB, &mut fkn_core::crypto::os_rng());
    card.lock().unwrap().install_key(3, &key).unwrap();
    let mut s = session(transport);
    assert_eq!(
        s.sign(3, &[digest(1)]).unwrap_err(),
        CardRefusal::NotAuthenticated.into()
    );
    s.login(USER_PIN).unwrap();
    assert_eq!(
        s.sign(7, &[digest(1)]).unwrap_err(),
        CardRefusal::KeyNotFound.into()
    );
    assert_eq!(s.find_key(7).unwrap_err(), CardRefusal::KeyNotFound.into());
    assert_eq!(
        s.sign(3, &[vec![0u8; 64]]).unwrap_err(),
        ApiMisuse::DigestLength { len: 64 }.into()
    );
    // A reset (the card taken away) ends the login.
    card.lock().unwrap().reset();
    assert_eq!(
        s.sign(3, &[digest(1)]).unwrap_err(),
        CardRefusal::NotAuthenticated.into()
    );
}

#[test]
fn clear_pin_over_nfc_is_refused_unless_the_app_allows_it() {
    let transport = RutokenTransport::new(EmulatedRutoken::new(RutokenModel::EcpScNfc));
    let mut s = RutokenSession::open(transport.clone(), RutokenOptions::default()).unwrap();
    let before = transport.exchanges();
    assert_eq!(
        s.login(USER_PIN).unwrap_err(),
        ApiMisuse::ClearPinOverNfc.into()
    );
    // Refused before anything was sent.
    assert_eq!(transport.exchanges(), before);
    assert!(!transport.card().lock().unwrap().is_verified(USER_PIN_REF));

    let allowed = RutokenOptions {
        allow_clear_pin_over_nfc: true,
    };
    let mut s = RutokenSession::open(transport.clone(), allowed).unwrap();
    s.login(USER_PIN).expect("allowed");
    // The same through card::open.
    let mut c = card::open(transport.clone(), &CardOptions::default()).unwrap();
    assert_eq!(
        c.login(USER_PIN).unwrap_err(),
        ApiMisuse::ClearPinOverNfc.into()
    );
    let options = CardOptions {
        allow_clear_pin_over_nfc: true,
    };
    let mut c = card::open(transport, &options).unwrap();
    c.login(USER_PIN).expect("allowed");
}

#[test]
fn open_finds_the_rutoken_and_reports_what_it_cannot_do() {
    let (emulated, transport) = usb_card();
    let counter = transport.clone();
    let mut c = card::open(transport, &CardOptions::default()).expect("opens");
    // OFP1 SELECT (refused), the Rutoken probe, the serial, the ODF.
    assert_eq!(counter.exchanges(), 4);
    let caps = c.capabilities();
    assert_eq!(caps.application, CardApplication::RutokenPki);
    assert!(!caps.pin_protected && !caps.secure_messaging);
    assert!(!caps.curves.iter().any(|c| c.coord_len() == 64));
    assert_eq!(c.serial().len(), 8);
    c.login(USER_PIN).unwrap();
    let key = c
        .generate_key(&[], CurveId::CryptoProA, "ignored")
        .expect("keygen");
    assert_eq!(key.id, vec![1]);
    assert!(
        !caps.certificate_storage,
        "a factory card has no PKCS #15 objects"
    );
    assert_eq!(
        c.sign(&[1, 2], &[digest(1)]).unwrap_err(),
        ApiMisuse::InvalidArgument {
            detail: "a Rutoken key id is its key reference: one byte, 1 to 255".into()
        }
        .into()
    );

    // PKI over the card key: a self-signed certificate, then a CMS with it,
    // found again by id with the public key taken from the certificate.
    let subject = Subject::parse("CN=Rutoken test").unwrap();
    let cert = {
        let mut signer = CardSigner::new(c.as_mut(), key.clone());
        pki::cert::self_signed(&mut signer, &subject, 30).expect("certificate")
    };
    pki::cert::verify_certificate_signature(&cert, &cert).expect("verifies");
    assert!(matches!(
        c.put_certificate(&key.id, &cert).unwrap_err(),
        Error::Card {
            refusal: CardRefusal::NotSupported { .. }
        }
    ));
    // Listed again, the key has its public key (from its key file).
    let mut signer = CardSigner::find(c.as_mut(), &key.id).unwrap();
    assert_eq!(signer.key().public_key, key.public_key);
    let cms = pki::cms::sign(
        &mut signer,
        &cert,
        &mut &b"document"[..],
        &pki::cms::SignOptions::default(),
    )
    .expect("cms");
    pki::cms::verify(&cms, None).expect("CMS verifies");

    // A key whose public key the card does not tell (OpenSC-made key files,
    // no PKCS #15 objects) signs PKI objects only with its certificate.
    let other = SigningKey::generate(CurveId::CryptoProB, &mut fkn_core::crypto::os_rng());
    emulated.lock().unwrap().install_key(9, &other).unwrap();
    assert!(matches!(
        CardSigner::find(c.as_mut(), &[9]).err(),
        Some(Error::Card {
            refusal: CardRefusal::NotSupported { .. }
        })
    ));
    let mut software = other.clone();
    let other_cert = pki::cert::self_signed(&mut software, &subject, 30).unwrap();
    let mut signer = CardSigner::find_with_certificate(c.as_mut(), &[9], &other_cert).unwrap();
    let cms = pki::cms::sign(
        &mut signer,
        &other_cert,
        &mut &b"document"[..],
        &pki::cms::SignOptions::default(),
    )
    .expect("cms with the certificate's key");
    pki::cms::verify(&cms, None).expect("CMS verifies");
}

#[test]
fn open_picks_ofp1_when_the_card_has_it() {
    let token = fkn_testkit_token();
    let mut c = card::open(token, &CardOptions::default()).expect("opens");
    assert_eq!(c.capabilities().application, CardApplication::Ofp1);
    assert!(c.capabilities().pin_protected);
    assert_eq!(c.exchanges(), 1);
    c.login("123456").expect("SESPAKE login");
    let key = c
        .generate_key(b"k1", CurveId::Tc26_256A, "main")
        .expect("keygen");
    let sig = c.sign(b"k1", &[digest(5)]).unwrap().remove(0);
    VerifyingKey::from_bytes(key.curve, &key.public_key)
        .unwrap()
        .verify_digest(&digest(5), &sig)
        .expect("verifies");
}

fn fkn_testkit_token() -> fkn_vtoken::VirtualTokenTransport {
    let state = fkn_vtoken::TokenState::with_pins(
        [1; 8],
        "test",
        "123456",
        "87654321",
        CurveId::Tc26_256A,
        &mut fkn_vtoken::OsRandom,
    )
    .unwrap();
    fkn_vtoken::VirtualTokenTransport::new(fkn_vtoken::VirtualToken::new(state))
}

#[test]
fn a_card_with_neither_application_is_named_so() {
    // Refuses the OFP1 AID and has no 3F00/1000/1000.
    let transport = ScriptedTransport::new([vec![0x6A, 0x82], vec![0x6A, 0x82]]);
    let err = card::open(transport, &CardOptions::default())
        .err()
        .expect("refused");
    assert_eq!(err, CardRefusal::UnknownCard.into());
    assert_eq!(
        err.action(),
        "use an FKN (OFP1) token or a Rutoken ECP card"
    );
    // A file system without the Rutoken's 15-byte security attributes is
    // not taken for one.
    let fcp =
        hex::decode("6212820238008302100086080000000000000000 9000".replace(' ', "")).unwrap();
    let mut channel = ApduChannel::new(ScriptedTransport::new([fcp]));
    assert!(!RutokenSession::probe(&mut channel).unwrap());
}

/// Gives a card the bare PKCS #15 application `pkcs15-init` would start
/// from: DF `5000` and an empty ODF `5031` (raw APDUs to the emulated card).
fn add_pkcs15_application(card: &Mutex<EmulatedRutoken>) {
    let mut card = card.lock().unwrap();
    let mut df = hex::decode(
        "6F1D80020000820238008302500086 0F43000000000000020000000000000000".replace(' ', ""),
    )
    .unwrap();
    df.truncate(31);
    let odf = fkn_core::rutoken::fcp::data_file(0x5031, 128, 2);
    for apdu in [
        [&[0x00, 0x20, 0x00, 0x02, 0x08][..], USER_PIN.as_bytes()].concat(),
        hex::decode("00A40000023F0000").unwrap(),
        [&[0x00, 0xE0, 0x00, 0x00, df.len() as u8][..], &df].concat(),
        hex::decode("00A40800025000 00".replace(' ', "")).unwrap(),
        [&[0x00, 0xE0, 0x00, 0x00, odf.len() as u8][..], &odf].concat(),
    ] {
        let rsp = card.process_apdu(&apdu);
        assert_eq!(
            &rsp[rsp.len() - 2..],
            &[0x90, 0x00],
            "{}",
            hex::encode_upper(&apdu)
        );
    }
    card.reset();
}

#[test]
fn keys_and_certificates_go_into_the_pkcs15_objects_where_the_card_has_them() {
    let (emulated, transport) = usb_card();
    add_pkcs15_application(&emulated);
    let counter = transport.clone();
    let mut c = card::open(transport, &CardOptions::default()).unwrap();
    assert!(c.capabilities().certificate_storage);
    c.login(USER_PIN).unwrap();
    let key = c
        .generate_key(&[], CurveId::CryptoProA, "signing key")
        .unwrap();
    assert_eq!(key.label, "signing key");
    let subject = Subject::parse("CN=Stored").unwrap();
    let cert = pki::cert::self_signed(&mut CardSigner::new(c.as_mut(), key.clone()), &subject, 30)
        .unwrap();
    c.put_certificate(&key.id, &cert).expect("stored");
    // Another key's certificate is refused for this key.
    let other = c.generate_key(&[], CurveId::CryptoProB, "other").unwrap();
    assert_eq!(other.id, vec![2]);
    assert!(matches!(
        c.put_certificate(&other.id, &cert).unwrap_err(),
        Error::Pki { .. }
    ));
    // A new session (a new tap) finds them in the objects.
    drop(c);
    let before = counter.exchanges();
    let mut c = card::open(counter.clone(), &CardOptions::default()).unwrap();
    let keys = c.list_keys().unwrap();
    let listing = counter.exchanges() - before;
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0].label, "signing key");
    assert_eq!(keys[0].public_key, key.public_key);
    assert!(keys[0].has_certificate && !keys[1].has_certificate);
    assert_eq!(c.get_certificate(&key.id).unwrap(), cert);
    assert!(matches!(
        c.put_certificate(&key.id, &cert).unwrap_err(),
        Error::Card {
            refusal: CardRefusal::NotSupported { .. }
        }
    ));
    // Open (4) + listing: key files 2 + 2, ODF 2, three directories 2 each,
    // two public key files 2 each: each directory read once, to its end.
    assert_eq!(listing, 4 + 4 + 2 + 6 + 4, "exchanges to open and list");
}
