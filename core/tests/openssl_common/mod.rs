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
