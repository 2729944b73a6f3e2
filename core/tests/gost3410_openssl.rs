//! Interoperability of `crypto::ec` signatures with OpenSSL's gost-engine
//! (Debian package `libengine-gost-openssl`), on all seven curves.
//!
//! Byte orders the engine uses, pinned down by these tests:
//! * private key (PKCS#8 `privateKey` OCTET STRING): `LE(d, n)`;
//! * public key (SubjectPublicKeyInfo BIT STRING holding an OCTET STRING):
//!   `LE(X, n) || LE(Y, n)` = our `BYTES(Q)`;
//! * `pkeyutl -sign` input: the raw digest, read as `e = int_LE(digest) mod q`
//!   (reversing the digest breaks verification);
//! * signature: `s || r`, each big-endian in `n` bytes (swapping halves breaks it).
//!
//! Without the engine the tests print a note and pass, unless
//! `FKN_REQUIRE_OPENSSL_GOST=1` (set by CI), in which case they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

use fkn_core::crypto::ec::{CurveId, EcError, SigningKey, VerifyingKey};

/// The engine's algorithm and `paramset` option for each curve.
const CASES: [(CurveId, &str, &str); 7] = [
    (CurveId::Tc26_256A, "gost2012_256", "TCA"),
    (CurveId::CryptoProA, "gost2012_256", "A"),
    (CurveId::CryptoProB, "gost2012_256", "B"),
    (CurveId::CryptoProC, "gost2012_256", "C"),
    (CurveId::Tc26_512A, "gost2012_512", "A"),
    (CurveId::Tc26_512B, "gost2012_512", "B"),
    (CurveId::Tc26_512C, "gost2012_512", "C"),
];

/// Whether `openssl` with the gost engine is usable; handles the skip/fail
/// policy. Returns false when the test should skip.
fn engine_available() -> bool {
    let ok = Command::new("openssl")
        .args(["engine", "gost", "-c"])
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).contains("gost2012_256"))
        .unwrap_or(false);
    if !ok {
        if std::env::var("FKN_REQUIRE_OPENSSL_GOST").as_deref() == Ok("1") {
            panic!(
                "FKN_REQUIRE_OPENSSL_GOST=1 but `openssl engine gost -c` failed: install the \
                 OpenSSL gost engine (Debian: apt-get install libengine-gost-openssl)"
            );
        }
        eprintln!("note: OpenSSL gost engine not found; skipping OpenSSL interop test");
    }
    ok
}

/// A scratch directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("fkn-gost3410-{}-{tag}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `openssl <args>` with the gost engine; returns (success, stdout+stderr).
fn openssl(args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("run openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

fn openssl_ok(args: &[&str]) -> String {
    let (ok, text) = openssl(args);
    assert!(ok, "openssl {args:?} failed:\n{text}");
    text
}

fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 temp path")
}

/// One DER TLV: (tag, contents, rest).
fn tlv(der: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = der[0];
    let (len, hdr) = match der[1] {
        l if l < 0x80 => (l as usize, 2),
        0x81 => (der[2] as usize, 3),
        0x82 => ((der[2] as usize) << 8 | der[3] as usize, 4),
        l => panic!("unsupported DER length byte {l:#x}"),
    };
    (tag, &der[hdr..hdr + len], &der[hdr + len..])
}

/// `d` (big-endian) from the engine's PKCS#8 DER.
fn private_key_be(pkcs8: &[u8], n: usize) -> Vec<u8> {
    let (_, seq, _) = tlv(pkcs8);
    let (_, _version, rest) = tlv(seq);
    let (_, _alg, rest) = tlv(rest);
    let (tag, key, _) = tlv(rest);
    assert_eq!(tag, 0x04, "privateKey OCTET STRING");
    let le = match key.first() {
        // Some engine versions wrap the key once more.
        Some(0x04) if key.len() == n + 2 => tlv(key).1.to_vec(),
        _ => key.to_vec(),
    };
    assert_eq!(le.len(), n, "private key length");
    le.iter().rev().copied().collect()
}

/// (algorithm-identifier DER, `BYTES(Q)`) from the engine's SubjectPublicKeyInfo DER.
fn public_key_bytes(spki: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (_, seq, _) = tlv(spki);
    let (_, alg, rest) = tlv(seq);
    let (tag, bits, _) = tlv(rest);
    assert_eq!(tag, 0x03, "subjectPublicKey BIT STRING");
    assert_eq!(bits[0], 0, "no unused bits");
    let (tag, q, _) = tlv(&bits[1..]);
    assert_eq!(tag, 0x04, "public key OCTET STRING");
    (alg.to_vec(), q.to_vec())
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).expect("read openssl output")
}

fn random_digest(n: usize) -> Vec<u8> {
    let mut d = vec![0u8; n];
    rand_core::Rng::fill_bytes(&mut fkn_core::crypto::os_rng(), &mut d);
    d
}

fn interop(curve: CurveId, algorithm: &str, paramset: &str) {
    let n = curve.coord_len();
    let dir = TempDir::new(curve.name());
    let (key_pem, pub_pem, digest_bin, sig_bin) = (
        dir.path("key.pem"),
        dir.path("pub.pem"),
        dir.path("digest.bin"),
        dir.path("sig.bin"),
    );
    let paramset_opt = format!("paramset:{paramset}");
    openssl_ok(&[
        "genpkey",
        "-engine",
        "gost",
        "-algorithm",
        algorithm,
        "-pkeyopt",
        &paramset_opt,
        "-out",
        p(&key_pem),
    ]);
    openssl_ok(&[
        "pkey",
        "-engine",
        "gost",
        "-in",
        p(&key_pem),
        "-pubout",
        "-out",
        p(&pub_pem),
    ]);
    let der_key = dir.path("key.der");
    let der_pub = dir.path("pub.der");
    openssl_ok(&[
        "pkey",
        "-engine",
        "gost",
        "-in",
        p(&key_pem),
        "-outform",
        "DER",
        "-out",
        p(&der_key),
    ]);
    openssl_ok(&[
        "pkey",
        "-engine",
        "gost",
        "-in",
        p(&key_pem),
        "-pubout",
        "-outform",
        "DER",
        "-out",
        p(&der_pub),
    ]);

    // The key: LE(d) in PKCS#8, BYTES(Q) in the SPKI, and Q = d*P agrees.
    let d = private_key_be(&read(&der_key), n);
    let (alg, q_bytes) = public_key_bytes(&read(&der_pub));
    assert!(
        alg.windows(curve.oid_der().len())
            .any(|w| w == curve.oid_der()),
        "engine used another curve than {curve}"
    );
    let key = SigningKey::from_be_bytes(curve, &d).expect("engine private key in range");
    assert_eq!(
        key.verifying_key().to_bytes(),
        q_bytes,
        "{curve}: BYTES(d*P) equals the engine's public key"
    );
    let vk = VerifyingKey::from_bytes(curve, &q_bytes).expect("engine public key valid");

    // OpenSSL signs, we verify.
    let digest = random_digest(n);
    std::fs::write(&digest_bin, &digest).expect("write digest");
    openssl_ok(&[
        "pkeyutl",
        "-engine",
        "gost",
        "-sign",
        "-inkey",
        p(&key_pem),
        "-in",
        p(&digest_bin),
        "-out",
        p(&sig_bin),
    ]);
    let sig = read(&sig_bin);
    assert_eq!(sig.len(), 2 * n);
    assert_eq!(
        vk.verify_digest(&digest, &sig),
        Ok(()),
        "{curve}: OpenSSL signature verifies here"
    );
    // The conventions are the only ones that work: reversed digest, r || s.
    let reversed: Vec<u8> = digest.iter().rev().copied().collect();
    assert_eq!(
        vk.verify_digest(&reversed, &sig),
        Err(EcError::InvalidSignature)
    );
    let swapped = [&sig[n..], &sig[..n]].concat();
    assert!(vk.verify_digest(&digest, &swapped).is_err());

    // We sign with the same d, OpenSSL verifies; a flipped bit is refused.
    let ours = key
        .sign_digest(&digest, &mut fkn_core::crypto::os_rng())
        .expect("sign");
    std::fs::write(&sig_bin, &ours).expect("write signature");
    let verify_args = [
        "pkeyutl",
        "-engine",
        "gost",
        "-verify",
        "-pubin",
        "-inkey",
        p(&pub_pem),
        "-in",
        p(&digest_bin),
        "-sigfile",
        p(&sig_bin),
    ];
    let out = openssl_ok(&verify_args);
    assert!(
        out.contains("Signature Verified Successfully"),
        "{curve}: {out}"
    );
    let mut bad = ours.clone();
    bad[n - 1] ^= 1;
    std::fs::write(&sig_bin, &bad).expect("write signature");
    let (ok, out) = openssl(&verify_args);
    assert!(
        !ok && !out.contains("Signature Verified Successfully"),
        "{curve}: tampered signature accepted: {out}"
    );
}

#[test]
fn openssl_gost_engine_interop_256() {
    if !engine_available() {
        return;
    }
    for (curve, algorithm, paramset) in CASES.iter().filter(|c| c.0.coord_len() == 32) {
        interop(*curve, algorithm, paramset);
    }
}

#[test]
fn openssl_gost_engine_interop_512() {
    if !engine_available() {
        return;
    }
    for (curve, algorithm, paramset) in CASES.iter().filter(|c| c.0.coord_len() == 64) {
        interop(*curve, algorithm, paramset);
    }
}
