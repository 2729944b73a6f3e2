//! OpenSSL's gost-engine verifies CSRs and CMS signatures made with a
//! two-party key, on a 256-bit, a 512-bit and both cofactor-4 curves.
//!
//! Without the engine these tests print a note and pass, unless
//! `FKN_REQUIRE_OPENSSL_GOST=1` (set by CI), in which case they fail.

mod distributed_common;
mod openssl_common;

use distributed_common::{Lab, PIN};
use fkn_core::crypto::ec::CurveId;
use fkn_core::pki::cms::{self, SignOptions};
use fkn_core::pki::{Subject, cert, csr};
use openssl_common::{gost_ok, openssl_cms_verify, openssl_in};

fn openssl(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    openssl_in(dir, args)
}

const CURVES: [CurveId; 4] = [
    CurveId::CryptoProA,
    CurveId::Tc26_512A,
    CurveId::Tc26_256A,
    CurveId::Tc26_512C,
];

#[test]
fn openssl_verifies_csr_and_cms_made_with_a_two_party_key() {
    if !gost_ok() {
        return;
    }
    for curve in CURVES {
        let lab = Lab::new();
        let id = lab.keygen("pki", curve);
        let mut key = lab.device.unlock(&id, PIN).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();

        // A certification request.
        let subject = Subject::new()
            .country("RU")
            .common_name("Двухсторонний ключ")
            .snils("11223344595");
        let req = csr::build_csr(&mut key, &subject, &csr::CsrOptions::default()).unwrap();
        std::fs::write(d.join("req.der"), &req).unwrap();
        let (ok, out) = openssl(
            d,
            &[
                "req", "-engine", "gost", "-inform", "DER", "-in", "req.der", "-verify", "-noout",
            ],
        );
        assert!(ok && out.contains("verify OK"), "{curve}: {out}");
        let mut bad = req.clone();
        let pos = bad.windows(11).position(|w| w == b"11223344595").unwrap();
        bad[pos] = b'2';
        std::fs::write(d.join("bad.der"), &bad).unwrap();
        let (ok, out) = openssl(
            d,
            &[
                "req", "-engine", "gost", "-inform", "DER", "-in", "bad.der", "-verify", "-noout",
            ],
        );
        assert!(
            !ok || !out.contains("verify OK"),
            "{curve}: altered CSR accepted"
        );

        // A self-signed certificate and a CMS signature, both by the two-party key.
        let c = cert::self_signed(&mut key, &subject, 30).unwrap();
        let data = b"Signed by a key that never existed whole.\n".repeat(50);
        for detached in [true, false] {
            let sig = cms::sign(
                &mut key,
                &c,
                &mut &data[..],
                &SignOptions {
                    detached,
                    signing_time: None,
                },
            )
            .unwrap();
            let (ok, content, out) = openssl_cms_verify(&sig, detached.then_some(&data[..]), &c);
            assert!(ok, "{curve} detached={detached}: {out}");
            assert_eq!(content, data);
        }
        // Negative control: altered content is rejected.
        let sig = cms::sign(
            &mut key,
            &c,
            &mut &data[..],
            &SignOptions {
                detached: true,
                signing_time: None,
            },
        )
        .unwrap();
        std::fs::write(d.join("sig.der"), &sig).unwrap();
        let mut altered = data.clone();
        altered[3] ^= 1;
        std::fs::write(d.join("altered.bin"), &altered).unwrap();
        let (ok, _) = openssl(
            d,
            &[
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
            ],
        );
        assert!(!ok, "{curve}: OpenSSL accepted altered content");
    }
}
