//! Interoperability with OpenSSL's gost-engine (Debian `libengine-gost-openssl`):
//! OpenSSL accepts our requests, certificates and CMS signatures, and we
//! accept (and, when altered, reject) the ones OpenSSL makes.
//!
//! Without the engine these tests print a note and pass, unless
//! `FKN_REQUIRE_OPENSSL_GOST=1` (set by CI), in which case they fail.

mod openssl_common;

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use fkn_core::crypto::ec::{CurveId, SigningKey};
use fkn_core::crypto::os_rng;
use fkn_core::pki::cms::{self, SignOptions};
use fkn_core::pki::{DigestSigner, ExtendedKeyUsage, KeyUsage, PkiError, Subject, cert, csr};
use openssl_common::{gost_ok, openssl_in};

/// A scratch directory and an `openssl` runner working in it.
struct Lab {
    dir: tempfile::TempDir,
}

impl Lab {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn write(&self, name: &str, data: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, data).expect("write");
        p
    }

    fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).expect("read")
    }

    /// Runs `openssl args...`; returns (success, stdout + stderr).
    fn try_run(&self, args: &[&str]) -> (bool, String) {
        openssl_in(self.dir.path(), args)
    }

    fn run(&self, args: &[&str]) -> String {
        let (ok, text) = self.try_run(args);
        assert!(ok, "openssl {} failed:\n{text}", args.join(" "));
        text
    }

    /// DER certificate `name.der` also as `name.pem`.
    fn cert_pem(&self, name: &str, der: &[u8]) {
        self.write(&format!("{name}.der"), der);
        self.run(&[
            "x509",
            "-inform",
            "DER",
            "-in",
            &format!("{name}.der"),
            "-out",
            &format!("{name}.pem"),
        ]);
    }
}

fn key(curve: CurveId) -> SigningKey {
    SigningKey::generate(curve, &mut os_rng())
}

fn subject(cn: &str) -> Subject {
    Subject::new()
        .country("RU")
        .state("77 Москва")
        .locality("Москва")
        .organization("ООО \"Ромашка\"")
        .organizational_unit("ИТ")
        .common_name(cn)
        .email("ivanov@example.ru")
        .inn("500100732259")
        .inn_le("7701234567")
        .ogrn("1027700132195")
        .snils("11223344595")
}

/// Curves of the acceptance criteria, plus a CryptoPro set (digest parameter
/// present in the key) and the second cofactor-4 curve.
const CURVES: [CurveId; 4] = [
    CurveId::Tc26_256A,
    CurveId::CryptoProA,
    CurveId::Tc26_512A,
    CurveId::Tc26_512C,
];

fn bits(curve: CurveId) -> usize {
    curve.coord_len() * 8
}

#[test]
fn openssl_verifies_our_certification_requests() {
    if !gost_ok() {
        return;
    }
    for curve in CURVES {
        let lab = Lab::new();
        let mut k = key(curve);
        let opts = csr::CsrOptions {
            key_usage: KeyUsage::signing(),
            extended_key_usage: vec![
                ExtendedKeyUsage::ClientAuth,
                ExtendedKeyUsage::EmailProtection,
            ],
        };
        let der = csr::build_csr(&mut k, &subject("Иванов Иван"), &opts).unwrap();
        lab.write("req.der", &der);
        let out = lab.run(&[
            "req", "-engine", "gost", "-inform", "DER", "-in", "req.der", "-verify", "-noout",
        ]);
        assert!(out.contains("verify OK"), "{curve}: {out}");
        // `-esc_msb` off: print UTF-8 as is.
        let text = lab.run(&[
            "req",
            "-engine",
            "gost",
            "-inform",
            "DER",
            "-in",
            "req.der",
            "-noout",
            "-text",
            "-nameopt",
            "oneline,-esc_msb",
        ]);
        // OpenSSL 3.0 has no short name for INNLE (1.2.643.100.4).
        assert!(
            text.contains("INNLE = 7701234567") || text.contains("1.2.643.100.4 = 7701234567"),
            "{curve}: no INNLE in\n{text}"
        );
        for want in [
            format!("GOST R 34.10-2012 with {} bit modulus", bits(curve)),
            "INN = 500100732259".into(),
            "OGRN = 1027700132195".into(),
            "SNILS = 11223344595".into(),
            "CN = Иванов Иван".into(),
            "Digital Signature, Non Repudiation".into(),
            "TLS Web Client Authentication, E-mail Protection".into(),
        ] {
            assert!(text.contains(&want), "{curve}: missing {want:?} in\n{text}");
        }
        // Negative control: OpenSSL does check the signature.
        let mut bad = der.clone();
        let pos = bad.windows(12).position(|w| w == b"500100732259").unwrap();
        bad[pos] = b'6';
        lab.write("bad.der", &bad);
        let (ok, out) = lab.try_run(&[
            "req", "-engine", "gost", "-inform", "DER", "-in", "bad.der", "-verify", "-noout",
        ]);
        assert!(
            !ok || !out.contains("verify OK"),
            "{curve}: altered request accepted: {out}"
        );
    }
}

#[test]
fn openssl_reads_and_verifies_our_certificates() {
    if !gost_ok() {
        return;
    }
    for curve in CURVES {
        let lab = Lab::new();
        let mut k = key(curve);
        let der = cert::self_signed(&mut k, &subject("Тестовый УЦ"), 30).unwrap();
        lab.cert_pem("ca", &der);
        let text = lab.run(&[
            "x509", "-engine", "gost", "-in", "ca.pem", "-noout", "-text",
        ]);
        for want in [
            format!(
                "Signature Algorithm: GOST R 34.10-2012 with GOST R 34.11-2012 ({} bit)",
                bits(curve)
            ),
            format!("GOST R 34.10-2012 with {} bit modulus", bits(curve)),
            "CA:TRUE".into(),
            "Digital Signature, Non Repudiation, Certificate Sign".into(),
            "SNILS = 11223344595".into(),
            "X509v3 Subject Key Identifier".into(),
        ] {
            assert!(text.contains(&want), "{curve}: missing {want:?} in\n{text}");
        }
        // -check_ss_sig makes OpenSSL verify the self-signature too.
        let out = lab.run(&[
            "verify",
            "-engine",
            "gost",
            "-check_ss_sig",
            "-CAfile",
            "ca.pem",
            "ca.pem",
        ]);
        assert!(out.contains("ca.pem: OK"), "{curve}: {out}");

        // A leaf issued by our CA from our request, on a 256-bit key.
        let mut user = key(CurveId::Tc26_256A);
        let req = csr::build_csr(&mut user, &subject("User"), &csr::CsrOptions::default()).unwrap();
        let leaf = cert::issue(&mut k, &der, &req, &cert::CertificateOptions::default()).unwrap();
        lab.cert_pem("leaf", &leaf);
        let out = lab.run(&["verify", "-engine", "gost", "-CAfile", "ca.pem", "leaf.pem"]);
        assert!(out.contains("leaf.pem: OK"), "{curve}: {out}");
    }
}

#[test]
fn openssl_verifies_our_cms_signatures() {
    if !gost_ok() {
        return;
    }
    let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    for curve in [CurveId::Tc26_256A, CurveId::Tc26_512A, CurveId::CryptoProB] {
        let lab = Lab::new();
        let mut k = key(curve);
        let c = cert::self_signed(&mut k, &subject("Подписант"), 30).unwrap();
        lab.cert_pem("signer", &c);
        lab.write("data.bin", &data);
        for detached in [true, false] {
            let opts = SignOptions {
                detached,
                signing_time: None,
            };
            let sig = cms::sign(&mut k, &c, &mut &data[..], &opts).unwrap();
            lab.write("sig.der", &sig);
            let mut args = vec![
                "cms", "-verify", "-engine", "gost", "-binary", "-inform", "DER", "-in", "sig.der",
                "-out", "out.bin",
            ];
            if detached {
                args.extend(["-content", "data.bin"]);
            }
            let mut trusted = args.clone();
            trusted.extend(["-CAfile", "signer.pem"]);
            let out = lab.run(&trusted);
            assert!(out.contains("Verification successful"), "{curve}: {out}");
            assert_eq!(lab.read("out.bin"), data, "{curve} detached={detached}");
            let mut noverify = args.clone();
            noverify.push("-noverify");
            lab.run(&noverify);
            // The attributes OpenSSL saw: ours, including signing-certificate-v2.
            let printed = lab.run(&[
                "cms", "-engine", "gost", "-cmsout", "-print", "-inform", "DER", "-in", "sig.der",
            ]);
            for want in [
                "signingTime",
                "messageDigest",
                "contentType",
                "id-smime-aa-signingCertificateV2",
            ] {
                assert!(printed.contains(want), "{curve}: no {want} in\n{printed}");
            }
        }
        // Negative control: OpenSSL rejects altered content.
        let sig = cms::sign(
            &mut k,
            &c,
            &mut &data[..],
            &SignOptions {
                detached: true,
                signing_time: None,
            },
        )
        .unwrap();
        lab.write("sig.der", &sig);
        let mut altered = data.clone();
        altered[5000] ^= 1;
        lab.write("altered.bin", &altered);
        let (ok, out) = lab.try_run(&[
            "cms",
            "-verify",
            "-engine",
            "gost",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "sig.der",
            "-content",
            "altered.bin",
            "-noverify",
            "-out",
            "out.bin",
        ]);
        assert!(!ok, "{curve}: OpenSSL accepted altered content: {out}");
    }
}

/// An OpenSSL key pair and self-signed certificate.
struct OsslSigner {
    cert_der: Vec<u8>,
    curve: CurveId,
}

fn openssl_signer(lab: &Lab, algorithm: &str, paramset: &str, curve: CurveId) -> OsslSigner {
    lab.run(&[
        "genpkey",
        "-engine",
        "gost",
        "-algorithm",
        algorithm,
        "-pkeyopt",
        &format!("paramset:{paramset}"),
        "-out",
        "key.pem",
    ]);
    lab.run(&[
        "req",
        "-engine",
        "gost",
        "-x509",
        "-new",
        "-key",
        "key.pem",
        "-subj",
        "/C=RU/O=OpenSSL Test/CN=OpenSSL signer",
        "-days",
        "10",
        "-out",
        "cert.pem",
    ]);
    lab.run(&[
        "x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der",
    ]);
    OsslSigner {
        cert_der: lab.read("cert.der"),
        curve,
    }
}

const OPENSSL_KEYS: [(&str, &str, CurveId); 4] = [
    ("gost2012_256", "A", CurveId::CryptoProA),
    ("gost2012_256", "TCA", CurveId::Tc26_256A),
    ("gost2012_512", "A", CurveId::Tc26_512A),
    ("gost2012_512", "C", CurveId::Tc26_512C),
];

#[test]
fn we_verify_openssl_certificates_and_requests() {
    if !gost_ok() {
        return;
    }
    for (alg, paramset, curve) in OPENSSL_KEYS {
        let lab = Lab::new();
        let s = openssl_signer(&lab, alg, paramset, curve);
        cert::verify_certificate_signature(&s.cert_der, &s.cert_der).unwrap();
        let info = cert::certificate_info(&s.cert_der).unwrap();
        assert_eq!(info.curve, s.curve);
        assert_eq!(info.subject, "CN=OpenSSL signer,O=OpenSSL Test,C=RU");
        // A request made by OpenSSL.
        lab.run(&[
            "req",
            "-engine",
            "gost",
            "-new",
            "-key",
            "key.pem",
            "-subj",
            "/CN=Request/INN=500100732259",
            "-outform",
            "DER",
            "-out",
            "req.der",
        ]);
        let req = csr::verify_csr(&lab.read("req.der")).unwrap();
        assert_eq!(req.subject, "INN=500100732259,CN=Request");
        assert_eq!(req.public_key, info.public_key);
        // Flip one bit of the signature.
        let mut bad = s.cert_der.clone();
        let last = bad.len() - 1;
        bad[last] ^= 0x01;
        assert!(matches!(
            cert::verify_certificate_signature(&bad, &s.cert_der),
            Err(PkiError::BadSignature(_))
        ));
    }
}

#[test]
fn we_verify_an_openssl_certificate_chain() {
    if !gost_ok() {
        return;
    }
    let lab = Lab::new();
    lab.run(&[
        "genpkey",
        "-engine",
        "gost",
        "-algorithm",
        "gost2012_512",
        "-pkeyopt",
        "paramset:B",
        "-out",
        "ca.key",
    ]);
    lab.run(&[
        "req",
        "-engine",
        "gost",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        "/CN=OpenSSL CA",
        "-days",
        "10",
        "-outform",
        "DER",
        "-out",
        "ca.der",
    ]);
    lab.run(&["x509", "-inform", "DER", "-in", "ca.der", "-out", "ca.pem"]);
    // The leaf key is ours: OpenSSL signs our request.
    let mut k = key(CurveId::Tc26_256A);
    let req = csr::build_csr(&mut k, &subject("Leaf"), &csr::CsrOptions::default()).unwrap();
    lab.write("leaf.csr", &req);
    lab.run(&[
        "x509",
        "-engine",
        "gost",
        "-req",
        "-inform",
        "DER",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        "7",
        "-days",
        "5",
        "-outform",
        "DER",
        "-out",
        "leaf.der",
    ]);
    let ca = lab.read("ca.der");
    let leaf = lab.read("leaf.der");
    cert::verify_certificate_signature(&leaf, &ca).unwrap();
    assert!(matches!(
        cert::verify_certificate_signature(&leaf, &leaf),
        Err(PkiError::CertificateMismatch(_))
    ));
    let info = cert::certificate_info(&leaf).unwrap();
    assert_eq!(info.public_key, k.public_key());
    assert_eq!(info.issuer, "CN=OpenSSL CA");
    // Our key now signs with the OpenSSL-issued certificate; OpenSSL checks the chain.
    let data = b"signed with a certificate from an OpenSSL CA";
    let sig = cms::sign(&mut k, &leaf, &mut &data[..], &SignOptions::default()).unwrap();
    lab.write("sig.der", &sig);
    lab.cert_pem("leaf", &leaf);
    let out = lab.run(&[
        "cms", "-verify", "-engine", "gost", "-binary", "-inform", "DER", "-in", "sig.der",
        "-CAfile", "ca.pem", "-purpose", "any", "-out", "out.bin",
    ]);
    assert!(out.contains("Verification successful"), "{out}");
    assert_eq!(lab.read("out.bin"), data);
}

/// Finds `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Changes one digit of the signing-time attribute (a valid UTCTime still).
fn alter_signing_time(sig: &[u8]) -> Vec<u8> {
    // id-signingTime OID, then SET { UTCTime }: 31 0F 17 0D YYMMDDhhmmssZ.
    let oid = [
        0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x05,
    ];
    let pos = find(sig, &oid).expect("signing-time attribute");
    let digit = pos + oid.len() + 4 + 1; // second year digit
    let mut out = sig.to_vec();
    out[digit] = if out[digit] == b'9' {
        b'8'
    } else {
        out[digit] + 1
    };
    out
}

fn sign_with_openssl(lab: &Lab, extra: &[&str], out: &str) -> Vec<u8> {
    let mut args = vec![
        "cms", "-sign", "-engine", "gost", "-binary", "-in", "data.bin", "-signer", "cert.pem",
        "-inkey", "key.pem", "-outform", "DER", "-out", out,
    ];
    args.extend_from_slice(extra);
    lab.run(&args);
    lab.read(out)
}

#[test]
fn we_verify_openssl_cms_and_reject_alterations() {
    if !gost_ok() {
        return;
    }
    let data = b"Document signed by OpenSSL's gost-engine.\n".repeat(100);
    let altered = {
        let mut a = data.clone();
        a[10] ^= 0x20;
        a
    };
    for (alg, paramset, curve) in OPENSSL_KEYS {
        let lab = Lab::new();
        let s = openssl_signer(&lab, alg, paramset, curve);
        lab.write("data.bin", &data);

        // Detached, with OpenSSL's default attributes.
        let det = sign_with_openssl(&lab, &[], "det.der");
        let v = cms::verify(&det, Some(&mut &data[..])).unwrap();
        assert_eq!(v.signer_certificate, s.cert_der);
        assert_eq!(v.signer.curve, curve);
        assert!(v.signing_time.is_some() && v.content.is_none() && !v.certificate_bound);
        cms::verify_signed_by(&det, Some(&mut &data[..]), &s.cert_der).unwrap();

        // Attached.
        let att = sign_with_openssl(&lab, &["-nodetach"], "att.der");
        let v = cms::verify(&att, None).unwrap();
        assert_eq!(v.content.as_deref(), Some(&data[..]));

        // CAdES-BES (signing-certificate-v2 by OpenSSL).
        let cades = sign_with_openssl(&lab, &["-cades"], "cades.der");
        let v = cms::verify(&cades, Some(&mut &data[..])).unwrap();
        assert!(v.certificate_bound, "{curve}");

        // No signed attributes: the signature is over the content digest.
        let noattr = sign_with_openssl(&lab, &["-noattr"], "noattr.der");
        let v = cms::verify(&noattr, Some(&mut &data[..])).unwrap();
        assert!(v.signing_time.is_none());
        let err = cms::verify(&noattr, Some(&mut &altered[..])).unwrap_err();
        assert!(matches!(err, PkiError::BadSignature(_)), "{curve}: {err}");

        // Altered content.
        let err = cms::verify(&det, Some(&mut &altered[..])).unwrap_err();
        assert!(matches!(err, PkiError::DigestMismatch), "{curve}: {err}");
        let pos = find(&att, &data[..64]).unwrap();
        let mut bad = att.clone();
        bad[pos + 10] ^= 0x20;
        let err = cms::verify(&bad, None).unwrap_err();
        assert!(matches!(err, PkiError::DigestMismatch), "{curve}: {err}");

        // Altered signed attributes.
        let err = cms::verify(&alter_signing_time(&det), Some(&mut &data[..])).unwrap_err();
        assert!(matches!(err, PkiError::BadSignature(_)), "{curve}: {err}");

        // Wrong certificate: another key's, given or swapped in.
        let mut other = key(curve);
        let other_cert =
            cert::self_signed(&mut other, &Subject::new().common_name("Other"), 1).unwrap();
        let err = cms::verify_signed_by(&det, Some(&mut &data[..]), &other_cert).unwrap_err();
        assert!(
            matches!(err, PkiError::CertificateMismatch(_)),
            "{curve}: {err}"
        );
        // An OpenSSL certificate with the same name and serial but a new key.
        let serial = hex::encode(cert::certificate_info(&s.cert_der).unwrap().serial);
        lab.run(&[
            "genpkey",
            "-engine",
            "gost",
            "-algorithm",
            alg,
            "-pkeyopt",
            &format!("paramset:{paramset}"),
            "-out",
            "key2.pem",
        ]);
        lab.run(&[
            "req",
            "-engine",
            "gost",
            "-x509",
            "-new",
            "-key",
            "key2.pem",
            "-subj",
            "/C=RU/O=OpenSSL Test/CN=OpenSSL signer",
            "-days",
            "10",
            "-set_serial",
            &format!("0x{serial}"),
            "-outform",
            "DER",
            "-out",
            "cert2.der",
        ]);
        let impostor = lab.read("cert2.der");
        let err = cms::verify_signed_by(&det, Some(&mut &data[..]), &impostor).unwrap_err();
        assert!(matches!(err, PkiError::BadSignature(_)), "{curve}: {err}");
        if impostor.len() == s.cert_der.len() {
            let pos = find(&det, &s.cert_der).unwrap();
            let mut swapped = det.clone();
            swapped[pos..pos + impostor.len()].copy_from_slice(&impostor);
            let err = cms::verify(&swapped, Some(&mut &data[..])).unwrap_err();
            assert!(matches!(err, PkiError::BadSignature(_)), "{curve}: {err}");
        }
    }
}

#[test]
fn signing_time_is_what_openssl_reads() {
    if !gost_ok() {
        return;
    }
    let lab = Lab::new();
    let mut k = key(CurveId::Tc26_256A);
    let c = cert::self_signed(&mut k, &Subject::new().common_name("T"), 1).unwrap();
    let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let sig = cms::sign(
        &mut k,
        &c,
        &mut &b"x"[..],
        &SignOptions {
            detached: true,
            signing_time: Some(t),
        },
    )
    .unwrap();
    lab.write("sig.der", &sig);
    let printed = lab.run(&[
        "cms", "-engine", "gost", "-cmsout", "-print", "-inform", "DER", "-in", "sig.der",
    ]);
    assert!(printed.contains("Nov 14 22:13:20 2023 GMT"), "{printed}");
}
