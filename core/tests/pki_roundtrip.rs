//! Our PKI outputs checked by our own parsers and verifiers: requests,
//! certificates and CMS signatures for every curve, and the rejections that
//! must follow any change to them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fkn_core::crypto::ec::{CurveId, SigningKey};
use fkn_core::crypto::os_rng;
use fkn_core::pki::cms::{self, SignOptions};
use fkn_core::pki::{DigestSigner, ExtendedKeyUsage, KeyUsage, PkiError, Subject, cert, csr};

fn key(curve: CurveId) -> SigningKey {
    SigningKey::generate(curve, &mut os_rng())
}

fn subject(cn: &str) -> Subject {
    Subject::new()
        .country("RU")
        .organization("ООО Ромашка")
        .common_name(cn)
        .inn("500100732259")
        .ogrn("1027700132195")
        .snils("11223344595")
}

#[test]
fn csr_round_trip_every_curve() {
    for curve in CurveId::ALL {
        let mut k = key(curve);
        let opts = csr::CsrOptions {
            key_usage: KeyUsage::signing() | KeyUsage::KEY_AGREEMENT,
            extended_key_usage: vec![
                ExtendedKeyUsage::ClientAuth,
                ExtendedKeyUsage::Other("1.2.643.2.2.34.6".into()),
            ],
        };
        let der = csr::build_csr(&mut k, &subject("Иванов"), &opts).unwrap();
        let info = csr::verify_csr(&der).unwrap();
        assert_eq!(info.curve, curve);
        assert_eq!(info.public_key, k.public_key());
        assert_eq!(info.subject_fields.as_ref(), Some(&subject("Иванов")));
        assert_eq!(info.key_usage, opts.key_usage);
        assert_eq!(info.extended_key_usage, opts.extended_key_usage);
        // Any flipped bit in the signed part breaks the signature or the parse.
        let mut bad = der.clone();
        let pos = bad.len() / 3;
        bad[pos] ^= 0x01;
        assert!(csr::verify_csr(&bad).is_err(), "{curve}");
    }
}

#[test]
fn csr_without_extensions() {
    let mut k = key(CurveId::Tc26_256A);
    let opts = csr::CsrOptions {
        key_usage: KeyUsage::empty(),
        extended_key_usage: vec![],
    };
    let der = csr::build_csr(&mut k, &Subject::new().common_name("x"), &opts).unwrap();
    let info = csr::verify_csr(&der).unwrap();
    assert!(info.key_usage.is_empty() && info.extended_key_usage.is_empty());
    assert_eq!(info.subject, "CN=x");
}

#[test]
fn bad_subject_is_reported_before_signing() {
    let mut k = key(CurveId::Tc26_256A);
    let err = csr::build_csr(
        &mut k,
        &Subject::new().common_name("x").inn("123"),
        &csr::CsrOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, PkiError::InvalidSubject(_)), "{err}");
}

#[test]
fn self_signed_certificates_verify() {
    for curve in [CurveId::Tc26_256A, CurveId::CryptoProB, CurveId::Tc26_512C] {
        let mut k = key(curve);
        let der = cert::self_signed(&mut k, &subject("CA"), 30).unwrap();
        cert::verify_certificate_signature(&der, &der).unwrap();
        let info = cert::certificate_info(&der).unwrap();
        assert_eq!(info.curve, curve);
        assert_eq!(info.public_key, k.public_key());
        assert!(info.ca);
        assert!(info.key_usage.contains(KeyUsage::KEY_CERT_SIGN));
        assert_eq!(info.subject, info.issuer);
        let days = info.not_after.duration_since(info.not_before).unwrap();
        assert_eq!(days, Duration::from_secs(30 * 86_400));
        assert_eq!(info.serial.len(), 16);
    }
}

#[test]
fn issued_certificate_chains_to_its_ca_only() {
    let mut ca_key = key(CurveId::Tc26_512A);
    let ca = cert::self_signed(&mut ca_key, &Subject::new().common_name("Test CA"), 365).unwrap();
    let mut user = key(CurveId::Tc26_256A);
    let req = csr::build_csr(&mut user, &subject("User"), &csr::CsrOptions::default()).unwrap();
    let opts = cert::CertificateOptions {
        extended_key_usage: vec![ExtendedKeyUsage::EmailProtection],
        serial: Some(vec![0x01, 0x02, 0x03]),
        not_before: Some(UNIX_EPOCH + Duration::from_secs(2_000_000_000)),
        ..Default::default()
    };
    let leaf = cert::issue(&mut ca_key, &ca, &req, &opts).unwrap();
    cert::verify_certificate_signature(&leaf, &ca).unwrap();
    let info = cert::certificate_info(&leaf).unwrap();
    assert_eq!(info.issuer, "CN=Test CA");
    assert_eq!(info.serial, [1, 2, 3]);
    assert_eq!(info.curve, CurveId::Tc26_256A);
    assert!(!info.ca);
    // The leaf is not self-signed, and another CA with the same name fails.
    assert!(matches!(
        cert::verify_certificate_signature(&leaf, &leaf),
        Err(PkiError::CertificateMismatch(_))
    ));
    let mut other = key(CurveId::Tc26_512A);
    let fake_ca = cert::self_signed(&mut other, &Subject::new().common_name("Test CA"), 1).unwrap();
    assert!(matches!(
        cert::verify_certificate_signature(&leaf, &fake_ca),
        Err(PkiError::BadSignature(_))
    ));
    // A CA key that does not match the CA certificate is refused.
    assert!(matches!(
        cert::issue(&mut other, &ca, &req, &opts),
        Err(PkiError::CertificateMismatch(_))
    ));
}

#[test]
fn certificate_options_are_checked() {
    let mut k = key(CurveId::Tc26_256A);
    let s = Subject::new().common_name("x");
    assert!(matches!(
        cert::self_signed(&mut k, &s, 0),
        Err(PkiError::InvalidInput(_))
    ));
    let zero = cert::CertificateOptions {
        serial: Some(vec![0, 0]),
        ..Default::default()
    };
    assert!(matches!(
        cert::self_signed_with(&mut k, &s, &zero),
        Err(PkiError::InvalidInput(_))
    ));
}

fn signer_and_cert(curve: CurveId) -> (SigningKey, Vec<u8>) {
    let mut k = key(curve);
    let c = cert::self_signed(&mut k, &subject("Signer"), 10).unwrap();
    (k, c)
}

#[test]
fn cms_round_trip_detached_and_attached() {
    // Longer than one 64 KiB read.
    let data: Vec<u8> = (0..70_000u32).map(|i| (i * 7 + i / 256) as u8).collect();
    let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    for curve in [CurveId::Tc26_256A, CurveId::CryptoProA, CurveId::Tc26_512B] {
        let (mut k, c) = signer_and_cert(curve);
        for detached in [true, false] {
            let opts = SignOptions {
                detached,
                signing_time: Some(t),
            };
            let sig = cms::sign(&mut k, &c, &mut &data[..], &opts).unwrap();
            let v = if detached {
                cms::verify(&sig, Some(&mut &data[..])).unwrap()
            } else {
                cms::verify(&sig, None).unwrap()
            };
            assert_eq!(v.signing_time, Some(t));
            assert_eq!(v.signer_certificate, c);
            assert!(v.certificate_bound);
            assert_eq!(v.content.is_some(), !detached);
            assert_eq!(v.content_digest.len(), curve.digest_len());
            if !detached {
                assert_eq!(v.content.as_deref(), Some(&data[..]));
            }
            // Same result when the certificate is supplied.
            let content: Option<&mut dyn std::io::Read> =
                if detached { Some(&mut &data[..]) } else { None };
            cms::verify_signed_by(&sig, content, &c).unwrap();
        }
    }
}

#[test]
fn cms_sign_digest_equals_streamed_signing() {
    let (mut k, c) = signer_and_cert(CurveId::Tc26_512A);
    let data = b"prehashed document";
    let digest = fkn_core::pki::digest_for(CurveId::Tc26_512A).digest(data);
    let sig = cms::sign_digest(&mut k, &c, &digest, None).unwrap();
    let v = cms::verify(&sig, Some(&mut &data[..])).unwrap();
    assert_eq!(v.content_digest, digest);
    let now = SystemTime::now();
    let t = v.signing_time.unwrap();
    assert!(now.duration_since(t).unwrap() < Duration::from_secs(60));
    assert!(matches!(
        cms::sign_digest(&mut k, &c, &digest[..32], None),
        Err(PkiError::InvalidInput(_))
    ));
}

#[test]
fn cms_rejects_altered_content_and_wrong_usage() {
    let (mut k, c) = signer_and_cert(CurveId::Tc26_256A);
    let data = b"pay 100 RUB".to_vec();
    let det = SignOptions {
        detached: true,
        signing_time: None,
    };
    let sig = cms::sign(&mut k, &c, &mut &data[..], &det).unwrap();
    let err = cms::verify(&sig, Some(&mut &b"pay 900 RUB"[..])).unwrap_err();
    assert!(matches!(err, PkiError::DigestMismatch), "{err}");
    assert!(matches!(
        cms::verify(&sig, None),
        Err(PkiError::MissingContent)
    ));
    let att = cms::sign(&mut k, &c, &mut &data[..], &SignOptions::default()).unwrap();
    assert!(matches!(
        cms::verify(&att, Some(&mut &data[..])),
        Err(PkiError::ContentSuppliedTwice)
    ));
    // Attached content altered in place (same length): digest mismatch.
    let pos = att.windows(data.len()).position(|w| w == data).unwrap();
    let mut bad = att.clone();
    bad[pos + 4] = b'9';
    assert!(matches!(
        cms::verify(&bad, None),
        Err(PkiError::DigestMismatch)
    ));
}

#[test]
fn cms_rejects_altered_signed_attributes() {
    let (mut k, c) = signer_and_cert(CurveId::Tc26_256A);
    let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000); // 231114221320Z
    let opts = SignOptions {
        detached: true,
        signing_time: Some(t),
    };
    let sig = cms::sign(&mut k, &c, &mut &b"doc"[..], &opts).unwrap();
    let pos = sig.windows(13).position(|w| w == b"231114221320Z").unwrap();
    let mut bad = sig.clone();
    bad[pos + 1] = b'4'; // a year later, still a valid UTCTime
    let err = cms::verify(&bad, Some(&mut &b"doc"[..])).unwrap_err();
    assert!(matches!(err, PkiError::BadSignature(_)), "{err}");
}

#[test]
fn cms_rejects_a_wrong_certificate() {
    let (mut k, c) = signer_and_cert(CurveId::Tc26_256A);
    let (_, other) = signer_and_cert(CurveId::Tc26_256A);
    let sig = cms::sign(&mut k, &c, &mut &b"doc"[..], &SignOptions::default()).unwrap();
    assert!(matches!(
        cms::verify_signed_by(&sig, None, &other),
        Err(PkiError::CertificateMismatch(_))
    ));
    // Signing with a certificate of another key is refused up front.
    assert!(matches!(
        cms::sign(&mut k, &other, &mut &b"doc"[..], &SignOptions::default()),
        Err(PkiError::CertificateMismatch(_))
    ));
    // An impostor certificate with the same issuer and serial but another key:
    // signing-certificate-v2 no longer matches.
    let serial = cert::certificate_info(&c).unwrap().serial;
    let mut impostor_key = key(CurveId::Tc26_256A);
    let impostor = cert::self_signed_with(
        &mut impostor_key,
        &subject("Signer"),
        &cert::CertificateOptions {
            serial: Some(serial),
            days: 10,
            ca: true,
            key_usage: KeyUsage::signing() | KeyUsage::KEY_CERT_SIGN,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(impostor.len(), c.len());
    let pos = sig.windows(c.len()).position(|w| w == c).unwrap();
    let mut swapped = sig.clone();
    swapped[pos..pos + c.len()].copy_from_slice(&impostor);
    let err = cms::verify(&swapped, None).unwrap_err();
    assert!(matches!(err, PkiError::CertificateMismatch(_)), "{err}");
    let err = cms::verify_signed_by(&sig, None, &impostor).unwrap_err();
    assert!(matches!(err, PkiError::CertificateMismatch(_)), "{err}");
}

/// A signer that lies: wrong length, or a signature by another key.
struct Broken {
    inner: SigningKey,
    mode: u8,
}

impl DigestSigner for Broken {
    fn curve(&self) -> CurveId {
        self.inner.curve()
    }
    fn public_key(&self) -> Vec<u8> {
        self.inner.public_key()
    }
    fn sign_digest(&mut self, digest: &[u8]) -> Result<Vec<u8>, PkiError> {
        match self.mode {
            0 => Ok(vec![1; 10]),
            1 => DigestSigner::sign_digest(&mut key(self.curve()), digest),
            _ => Err(PkiError::Signer("card removed".into())),
        }
    }
}

#[test]
fn faulty_signers_never_produce_output() {
    for mode in 0..3 {
        let mut b = Broken {
            inner: key(CurveId::Tc26_256A),
            mode,
        };
        let err = csr::build_csr(&mut b, &subject("x"), &csr::CsrOptions::default()).unwrap_err();
        assert!(matches!(err, PkiError::Signer(_)), "{mode}: {err}");
    }
}
