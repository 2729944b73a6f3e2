//! OpenSSL with gost-engine, the independent oracle of the interop tests:
//! whether it is there, and running it.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// Whether `openssl engine gost` works. Without it the tests print a note
/// and pass, unless `FKN_REQUIRE_OPENSSL_GOST=1` (set by CI): then it panics.
pub fn gost_ok() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    let ok = *OK.get_or_init(|| {
        Command::new("openssl")
            .args(["engine", "gost", "-t"])
            .output()
            .is_ok_and(|o| {
                o.status.success() && String::from_utf8_lossy(&o.stdout).contains("available")
            })
    });
    if !ok {
        if std::env::var("FKN_REQUIRE_OPENSSL_GOST").as_deref() == Ok("1") {
            panic!(
                "FKN_REQUIRE_OPENSSL_GOST=1 but `openssl engine gost -t` failed: install \
                 openssl and libengine-gost-openssl"
            );
        }
        eprintln!(
            "skipped: OpenSSL gost engine not available (apt install libengine-gost-openssl)"
        );
    }
    ok
}

/// Runs `openssl <args>` in `dir`; returns (success, stdout then stderr).
pub fn openssl_in(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// `openssl cms -verify` with gost-engine of DER `cms` made by the holder of
/// the DER certificate `signer` (trusted as its own root): over `content`
/// when detached, over the encapsulated content otherwise. Returns
/// (verified, the content OpenSSL output, its messages).
#[allow(dead_code)] // not every test crate that includes this module verifies CMS
pub fn openssl_cms_verify(
    cms: &[u8],
    content: Option<&[u8]>,
    signer: &[u8],
) -> (bool, Vec<u8>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::write(d.join("signer.der"), signer).expect("write");
    std::fs::write(d.join("sig.der"), cms).expect("write");
    let (ok, out) = openssl_in(
        d,
        &[
            "x509",
            "-inform",
            "DER",
            "-in",
            "signer.der",
            "-out",
            "signer.pem",
        ],
    );
    assert!(ok, "openssl x509: {out}");
    let mut args = vec![
        "cms",
        "-verify",
        "-engine",
        "gost",
        "-binary",
        "-inform",
        "DER",
        "-in",
        "sig.der",
        "-CAfile",
        "signer.pem",
        "-out",
        "out.bin",
    ];
    if let Some(c) = content {
        std::fs::write(d.join("data.bin"), c).expect("write");
        args.extend(["-content", "data.bin"]);
    }
    let (ok, out) = openssl_in(d, &args);
    let output = std::fs::read(d.join("out.bin")).unwrap_or_default();
    (ok && out.contains("Verification successful"), output, out)
}
