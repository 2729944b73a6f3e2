//! `fkn csr`, `fkn cert self-sign | export | import`, `fkn sign`, `fkn verify`
//! and `fkn demo`, through the built binary; results checked with fkn_core.

mod common;

use common::{Lab, USER_PIN};
use fkn_core::crypto::ec::CurveId;
use fkn_core::pki::{cert, cms, csr};

#[test]
fn csr_is_signed_by_the_token_key() {
    let lab = Lab::new();
    let pk = lab.keygen("req", "tc26-512-a", "");
    let out = lab.user(
        &["csr"],
        &[
            "--id",
            "req",
            "--subject",
            "CN=Ivan Petrov,O=Org,C=RU",
            "--out",
            "req.der",
        ],
    );
    assert!(out.contains("req.der"), "{out}");
    let der = std::fs::read(lab.path("req.der")).unwrap();
    let info = csr::verify_csr(&der).expect("the request verifies");
    assert_eq!(info.curve, CurveId::Tc26_512A);
    assert_eq!(info.public_key, pk);
    assert_eq!(info.subject, "CN=Ivan Petrov,O=Org,C=RU");
    // A flipped byte in the signed part breaks it.
    let mut bad = der.clone();
    let at = bad.len() / 2;
    bad[at] ^= 1;
    assert!(csr::verify_csr(&bad).is_err());

    // PEM output; a bad subject is a usage error.
    lab.user(
        &["csr"],
        &[
            "--id",
            "req",
            "--subject",
            "/C=RU/CN=Ivan",
            "--out",
            "req.pem",
            "--pem",
        ],
    );
    let pem = std::fs::read_to_string(lab.path("req.pem")).unwrap();
    assert!(
        pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----"),
        "{pem}"
    );
    let t = lab.token();
    let e = lab.fails(
        2,
        &[
            "csr",
            "--token",
            &t,
            "--pin",
            USER_PIN,
            "--id",
            "req",
            "--subject",
            "C=Russia",
            "--out",
            "x",
        ],
    );
    assert!(e.contains("subject"), "{e}");
}

#[test]
fn certificates_are_made_on_the_token_exported_and_imported() {
    let lab = Lab::new();
    let t = lab.token();
    let pk = lab.keygen("a", "cryptopro-a", "");
    lab.keygen("b", "cryptopro-a", "");
    let e = lab.fails(
        1,
        &[
            "cert", "export", "--token", &t, "--id", "a", "--out", "a.der",
        ],
    );
    assert!(e.contains("no certificate"), "{e}");

    let out = lab.user(
        &["cert", "self-sign"],
        &[
            "--id",
            "a",
            "--subject",
            "CN=Alice,O=Org",
            "--days",
            "30",
            "--out",
            "made.der",
        ],
    );
    assert!(out.contains("CN=Alice,O=Org"), "{out}");
    assert!(
        lab.user(&["list"], &[])
            .contains("id=\"a\" curve=cryptopro-a label=\"\" certificate=yes")
    );

    // Export without a PIN reads the token file; with a PIN, over SM.
    lab.ok(&[
        "cert", "export", "--token", &t, "--id", "a", "--out", "file.der",
    ]);
    lab.user(&["cert", "export"], &["--id", "a", "--out", "sm.der"]);
    lab.user(
        &["cert", "export"],
        &["--id", "a", "--out", "sm.pem", "--pem"],
    );
    let der = std::fs::read(lab.path("file.der")).unwrap();
    assert_eq!(der, std::fs::read(lab.path("sm.der")).unwrap());
    assert_eq!(der, std::fs::read(lab.path("made.der")).unwrap());
    let pem = std::fs::read_to_string(lab.path("sm.pem")).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let info = cert::certificate_info(&der).unwrap();
    assert_eq!(info.subject, "CN=Alice,O=Org");
    assert_eq!(info.issuer, info.subject);
    assert_eq!(info.public_key, pk);
    let days = info
        .not_after
        .duration_since(info.not_before)
        .unwrap()
        .as_secs()
        / 86_400;
    assert_eq!(days, 30);
    cert::verify_certificate_signature(&der, &der).expect("self-signature verifies");

    // A PC/SC token needs --pin to export (checked before any reader is used).
    let e = lab.fails(
        1,
        &[
            "cert", "export", "--token", "pcsc:X", "--id", "a", "--out", "x",
        ],
    );
    assert!(e.contains("--pin"), "{e}");
    let help = lab.ok(&["cert", "export", "--help"]);
    assert!(
        help.contains("without --pin") || help.contains("Without --pin"),
        "{help}"
    );

    // Import: a's certificate (PEM) fits a again, not b.
    let e = lab.fails(
        1,
        &[
            "cert", "import", "--token", &t, "--pin", USER_PIN, "--id", "b", "--in", "sm.pem",
        ],
    );
    assert!(e.contains("not for key"), "{e}");
    let out = lab.user(&["cert", "import"], &["--id", "a", "--in", "sm.pem"]);
    assert!(out.contains("stored"), "{out}");
    let e = lab.fails(
        1,
        &[
            "cert", "export", "--token", &t, "--id", "b", "--out", "b.der",
        ],
    );
    assert!(e.contains("no certificate"), "{e}");
    let e = lab.fails(
        1,
        &[
            "cert", "export", "--token", &t, "--id", "zz", "--out", "z.der",
        ],
    );
    assert!(e.contains("no key with this id"), "{e}");
    std::fs::write(lab.path("junk.der"), b"not a certificate").unwrap();
    let e = lab.fails(
        1,
        &[
            "cert", "import", "--token", &t, "--pin", USER_PIN, "--id", "a", "--in", "junk.der",
        ],
    );
    assert!(e.contains("malformed certificate"), "{e}");
}

#[test]
fn sign_attached_and_detached_then_verify() {
    let lab = Lab::new();
    let t = lab.token();
    let pk = lab.keygen("doc", "tc26-256-a", "Document key");
    lab.keygen("big", "tc26-512-c", "");
    let doc = b"A contract.\n".repeat(10_000);
    std::fs::write(lab.path("doc.txt"), &doc).unwrap();

    // The key has no certificate: sign makes one (CN = label) and stores it.
    let out = lab.run(&[
        "sign", "--token", &t, "--pin", USER_PIN, "--id", "doc", "--in", "doc.txt", "--out",
        "doc.p7m",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(out.stderr.contains("CN=Document key"), "{}", out.stderr);
    let sig = std::fs::read(lab.path("doc.p7m")).unwrap();
    let ok = cms::verify(&sig, None).expect("attached signature verifies");
    assert_eq!(ok.content.as_deref(), Some(&doc[..]));
    assert_eq!(ok.signer.public_key, pk);
    assert_eq!(ok.signer.subject, "CN=Document key");
    assert!(lab.user(&["list"], &[]).contains("certificate=yes"));

    let out = lab.ok(&["verify", "--in", "doc.p7m", "--out-content", "got.txt"]);
    assert!(out.starts_with("signature valid\n"), "{out}");
    assert!(out.contains("signer:       CN=Document key"), "{out}");
    assert!(out.contains("signing time: 20"), "{out}");
    assert!(out.contains("attached, 120000 bytes"), "{out}");
    assert_eq!(std::fs::read(lab.path("got.txt")).unwrap(), doc);
    // The content must not be given twice.
    let e = lab.fails(1, &["verify", "--in", "doc.p7m", "--content", "doc.txt"]);
    assert!(e.contains("NOT valid"), "{e}");

    // Detached, 512-bit key (CN = the id), PEM output.
    lab.user(
        &["sign"],
        &[
            "--id",
            "big",
            "--in",
            "doc.txt",
            "--out",
            "doc.sig",
            "--detached",
            "--pem",
        ],
    );
    let out = lab.ok(&["verify", "--in", "doc.sig", "--content", "doc.txt"]);
    assert!(
        out.contains("signer:       CN=big") && out.contains("detached"),
        "{out}"
    );
    let pem = std::fs::read(lab.path("doc.sig")).unwrap();
    let der = fkn_core::pki::pem::to_der(&pem, fkn_core::pki::pem::CMS).unwrap();
    let mut content = &doc[..];
    cms::verify(&der, Some(&mut content)).expect("detached verifies in fkn_core");
    let e = lab.fails(1, &["verify", "--in", "doc.sig"]);
    assert!(e.contains("detached"), "{e}");

    // Altered content: a non-zero status and the reason on one line.
    let mut altered = doc.clone();
    altered[5_000] ^= 0x01;
    std::fs::write(lab.path("altered.txt"), &altered).unwrap();
    let e = lab.fails(
        1,
        &["verify", "--in", "doc.sig", "--content", "altered.txt"],
    );
    assert!(e.contains("NOT valid") && e.contains("altered"), "{e}");
    // An altered attached signature (one byte of the embedded content).
    let at = sig.windows(12).position(|w| w == b"A contract.\n").unwrap();
    let mut bad = sig.clone();
    bad[at] ^= 0x20;
    std::fs::write(lab.path("bad.p7m"), &bad).unwrap();
    lab.fails(1, &["verify", "--in", "bad.p7m"]);
    // Not a signature at all.
    lab.fails(1, &["verify", "--in", "doc.txt"]);
    let e = lab.fails(1, &["verify", "--in", "missing.sig"]);
    assert!(e.contains("missing.sig"), "{e}");

    // The certificate made by `sign` is reused next time, not replaced.
    lab.ok(&[
        "cert", "export", "--token", &t, "--id", "doc", "--out", "c1.der",
    ]);
    let out = lab.run(&[
        "sign",
        "--token",
        &t,
        "--pin",
        USER_PIN,
        "--id",
        "doc",
        "--in",
        "doc.txt",
        "--out",
        "again.p7m",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(!out.stderr.contains("self-signed"), "{}", out.stderr);
    let again = cms::verify(&std::fs::read(lab.path("again.p7m")).unwrap(), None).unwrap();
    assert_eq!(
        again.signer_certificate,
        std::fs::read(lab.path("c1.der")).unwrap()
    );

    // A wrong PIN when signing: exit 3, nothing written.
    let e = lab.fails(
        3,
        &[
            "sign", "--token", &t, "--pin", "9", "--id", "doc", "--in", "doc.txt", "--out",
            "no.p7m",
        ],
    );
    assert!(e.contains("wrong PIN, 4 attempt(s) left"), "{e}");
    assert!(!lab.path("no.p7m").exists());
}

#[test]
fn demo_runs_every_curve_and_reports_apdus() {
    let lab = Lab::empty();
    let out = lab.ok(&["demo"]);
    for c in CurveId::ALL {
        assert!(
            out.contains(&format!("{}: keygen, sign, verify", c.name())),
            "{c}: {out}"
        );
    }
    assert!(out.contains("self-signed certificate"), "{out}");
    assert!(out.contains("valid: signer CN=FKN demo signer"), "{out}");
    assert!(out.contains("is rejected"), "{out}");
    // Per-step APDU counts add up to the total.
    let steps: u64 = out
        .lines()
        .filter(|l| {
            l.trim_start()
                .split_once(". ")
                .is_some_and(|(n, _)| n.parse::<u32>().is_ok())
        })
        .map(|l| {
            let before = l.split(" APDU").next().unwrap_or_default();
            before
                .rsplit(' ')
                .next()
                .unwrap_or_default()
                .parse::<u64>()
                .expect(l)
        })
        .sum();
    let total: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("total: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a total line");
    assert_eq!(steps, total, "{out}");
    // SELECT, two GENERAL AUTHENTICATE, then two per curve at least.
    assert!(total >= 3 + 2 * 7, "{out}");
    assert!(out.contains("NFC") && out.contains("host"), "{out}");
}
