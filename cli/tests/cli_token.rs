//! `fkn token init`, `info`, `list`, `keygen`, `sign-digest`, `change-pin`
//! and `unblock-pin` on virtual tokens, through the built binary.

mod common;

use common::{ADMIN_PIN, Lab, USER_PIN};
use fkn_core::crypto::ec::{CurveId, VerifyingKey};
use fkn_core::crypto::hash::DigestAlgorithm;

#[test]
fn init_makes_a_token_and_refuses_to_overwrite_it() {
    let lab = Lab::new();
    let t = lab.token();
    let before = std::fs::read(lab.path("t.fkn")).unwrap();
    let e = lab.fails(
        1,
        &[
            "token",
            "init",
            "--token",
            &t,
            "--user-pin",
            "1",
            "--admin-pin",
            "2",
        ],
    );
    assert!(e.contains("--force"), "{e}");
    assert_eq!(std::fs::read(lab.path("t.fkn")).unwrap(), before);

    // --force replaces it: a new serial, other PINs, 3 slots, 512-bit PIN curve.
    let out = lab.ok(&[
        "token",
        "init",
        "--token",
        &t,
        "--user-pin",
        "1111",
        "--admin-pin",
        "2222",
        "--slots",
        "3",
        "--pin-curve",
        "TC26-512-A",
        "--force",
    ]);
    assert!(
        out.contains("3 key slots") && out.contains("tc26-512-a"),
        "{out}"
    );
    let info = lab.ok(&["info", "--token", &t, "--pin", "1111"]);
    assert!(info.contains("SESPAKE on tc26-512-a"), "{info}");
    assert!(info.contains("free slots:   3"), "{info}");
    // The old PIN is gone with the old token.
    let e = lab.fails(3, &["info", "--token", &t, "--pin", USER_PIN]);
    assert!(e.contains("wrong PIN"), "{e}");

    // Only virtual tokens can be made; a bad slot count is a usage error.
    let e = lab.fails(
        1,
        &[
            "token",
            "init",
            "--token",
            "pcsc:X",
            "--user-pin",
            "1",
            "--admin-pin",
            "2",
        ],
    );
    assert!(e.contains("virtual:PATH"), "{e}");
    let other = format!("virtual:{}", lab.path("u.fkn").display());
    lab.fails(
        2,
        &[
            "token",
            "init",
            "--token",
            &other,
            "--user-pin",
            "1",
            "--admin-pin",
            "2",
            "--slots",
            "0",
        ],
    );
    assert!(!lab.path("u.fkn").exists());
}

#[test]
fn info_tells_select_without_a_pin_and_slots_with_one() {
    let lab = Lab::new();
    let t = lab.token();
    let info = lab.ok(&["info", "--token", &t]);
    let serial = info
        .lines()
        .find_map(|l| l.strip_prefix("serial:"))
        .expect("serial line")
        .trim();
    assert_eq!(serial.len(), 16, "{info}");
    assert!(hex::decode(serial).is_ok());
    assert!(info.contains("label:        \"cli test\""), "{info}");
    for c in CurveId::ALL {
        assert!(info.contains(c.name()), "{c} missing: {info}");
    }
    assert!(info.contains("user PIN:     5 attempt(s) left"), "{info}");
    assert!(info.contains("admin PIN:    5 attempt(s) left"), "{info}");
    assert!(!info.contains("free slots"), "{info}");

    lab.keygen("k", "cryptopro-a", "");
    let info = lab.ok(&["info", "--token", &t, "--pin", USER_PIN]);
    assert!(info.contains("free slots:   15"), "{info}");
    // A second init made a different serial.
    let lab2 = Lab::new();
    let info2 = lab2.ok(&["info", "--token", &lab2.token()]);
    assert!(!info2.contains(serial), "serials should be random");
}

/// (id, curve, label, certificate, public key) of each `fkn list` line.
fn list(lab: &Lab) -> Vec<(String, String, String, String, Vec<u8>)> {
    lab.user(&["list"], &[])
        .lines()
        .map(|line| {
            let field = |name: &str| {
                let start = line.find(&format!("{name}=")).expect(name) + name.len() + 1;
                let rest = &line[start..];
                if let Some(quoted) = rest.strip_prefix('"') {
                    quoted[..quoted.find('"').expect("closing quote")].to_owned()
                } else {
                    rest.split(' ').next().unwrap().to_owned()
                }
            };
            (
                field("id"),
                field("curve"),
                field("label"),
                field("certificate"),
                hex::decode(field("public-key")).expect("hex public key"),
            )
        })
        .collect()
}

#[test]
fn keygen_list_and_sign_digest_on_two_curves() {
    let lab = Lab::new();
    let t = lab.token();
    let pk_a = lab.keygen("alpha", "tc26-256-a", "Key A");
    let pk_b = lab.keygen("beta", "TC26-512-B", "");
    assert_eq!((pk_a.len(), pk_b.len()), (64, 128));

    let keys = list(&lab);
    assert_eq!(keys.len(), 2);
    assert_eq!(
        keys[0],
        (
            "alpha".into(),
            "tc26-256-a".into(),
            "Key A".into(),
            "no".into(),
            pk_a.clone()
        )
    );
    assert_eq!(
        keys[1],
        (
            "beta".into(),
            "tc26-512-b".into(),
            "".into(),
            "no".into(),
            pk_b.clone()
        )
    );

    // 17 digests: two sign commands (16 + 1), signatures in the order given.
    for (id, curve, pk) in [
        ("alpha", CurveId::Tc26_256A, &pk_a),
        ("beta", CurveId::Tc26_512B, &pk_b),
    ] {
        let alg = if curve.digest_len() == 32 {
            DigestAlgorithm::Streebog256
        } else {
            DigestAlgorithm::Streebog512
        };
        let digests: Vec<Vec<u8>> = (0..17u8).map(|i| alg.digest(&[i])).collect();
        let hexes: Vec<String> = digests.iter().map(hex::encode).collect();
        let mut args = vec!["--id", id];
        for h in &hexes {
            args.extend(["--digest", h.as_str()]);
        }
        let out = lab.user(&["sign-digest"], &args);
        let sigs: Vec<Vec<u8>> = out.lines().map(|l| hex::decode(l).unwrap()).collect();
        assert_eq!(sigs.len(), 17);
        let vk = VerifyingKey::from_bytes(curve, pk).unwrap();
        for (i, (d, s)) in digests.iter().zip(&sigs).enumerate() {
            assert_eq!(s.len(), 2 * curve.coord_len());
            vk.verify_digest(d, s)
                .unwrap_or_else(|e| panic!("{id} signature {i}: {e}"));
            // Order: signature i does not verify digest i+1.
            let next = &digests[(i + 1) % digests.len()];
            assert!(vk.verify_digest(next, s).is_err());
        }
    }

    // Wrong digest size for the key, unknown key, duplicate id, bad curve.
    let d32 = "00".repeat(32);
    let e = lab.fails(
        1,
        &[
            "sign-digest",
            "--token",
            &t,
            "--pin",
            USER_PIN,
            "--id",
            "beta",
            "--digest",
            &d32,
        ],
    );
    assert!(e.contains("64-byte digests"), "{e}");
    let e = lab.fails(
        1,
        &[
            "sign-digest",
            "--token",
            &t,
            "--pin",
            USER_PIN,
            "--id",
            "nope",
            "--digest",
            &d32,
        ],
    );
    assert!(e.contains("no key with this id"), "{e}");
    let e = lab.fails(
        1,
        &[
            "keygen",
            "--token",
            &t,
            "--pin",
            USER_PIN,
            "--id",
            "alpha",
            "--curve",
            "cryptopro-b",
        ],
    );
    assert!(e.contains("already exists"), "{e}");
    let e = lab.fails(
        2,
        &[
            "keygen", "--token", &t, "--pin", USER_PIN, "--id", "x", "--curve", "p-256",
        ],
    );
    assert!(e.contains("tc26-256-a"), "{e}");
    let e = lab.fails(
        2,
        &[
            "keygen",
            "--token",
            &t,
            "--pin",
            USER_PIN,
            "--id",
            "seventeen-bytes!!",
            "--curve",
            "cryptopro-a",
        ],
    );
    assert!(e.contains("1 to 16"), "{e}");
    // Binary ids through --id-hex show as hex in the list.
    lab.user(&["keygen"], &["--id-hex", "00FF", "--curve", "cryptopro-c"]);
    let out = lab.user(&["list"], &[]);
    assert!(out.contains("id=hex:00FF curve=cryptopro-c"), "{out}");
    let out = lab.user(&["sign-digest"], &["--id-hex", "00ff", "--digest", &d32]);
    assert_eq!(out.trim().len(), 128);
}

#[test]
fn wrong_pins_block_then_admin_unblocks_and_pins_change() {
    let lab = Lab::new();
    let t = lab.token();
    lab.keygen("k", "cryptopro-b", "");
    for left in (0..5).rev() {
        let e = lab.fails(3, &["list", "--token", &t, "--pin", "0000"]);
        let expected = if left == 0 {
            "fkn: wrong PIN, no attempts left: the PIN is now blocked; ask your administrator to \
             unblock it"
                .to_owned()
        } else {
            format!(
                "fkn: wrong PIN, {left} attempt(s) left; check the PIN carefully before the next try"
            )
        };
        assert_eq!(e, expected);
    }
    // Blocked: even the right PIN is refused, with exit status 4.
    let e = lab.fails(4, &["list", "--token", &t, "--pin", USER_PIN]);
    assert!(
        e.contains("PIN is blocked") && e.contains("ask your administrator"),
        "{e}"
    );
    let info = lab.ok(&["info", "--token", &t]);
    assert!(
        info.contains("user PIN:     0 attempt(s) left, BLOCKED"),
        "{info}"
    );

    // The user PIN cannot unblock; a wrong admin PIN costs an admin attempt.
    lab.fails(
        3,
        &[
            "unblock-pin",
            "--token",
            &t,
            "--admin-pin",
            USER_PIN,
            "--new-pin",
            "1",
        ],
    );
    let out = lab.ok(&[
        "unblock-pin",
        "--token",
        &t,
        "--admin-pin",
        ADMIN_PIN,
        "--new-pin",
        "2468",
    ]);
    assert!(out.contains("unblocked"), "{out}");
    let info = lab.ok(&["info", "--token", &t]);
    assert!(info.contains("user PIN:     5 attempt(s) left"), "{info}");
    assert!(info.contains("admin PIN:    5 attempt(s) left"), "{info}");
    lab.fails(3, &["list", "--token", &t, "--pin", USER_PIN]);
    assert!(
        lab.ok(&["list", "--token", &t, "--pin", "2468"])
            .contains("id=\"k\"")
    );

    // change-pin: the old PIN stops working, the new one works.
    lab.ok(&[
        "change-pin",
        "--token",
        &t,
        "--pin",
        "2468",
        "--new-pin",
        "97531",
    ]);
    lab.fails(3, &["list", "--token", &t, "--pin", "2468"]);
    lab.ok(&["list", "--token", &t, "--pin", "97531"]);
    // The admin PIN too, with --admin; the new admin PIN then unblocks.
    let out = lab.ok(&[
        "change-pin",
        "--token",
        &t,
        "--admin",
        "--pin",
        ADMIN_PIN,
        "--new-pin",
        "11223344",
    ]);
    assert!(out.contains("admin PIN changed"), "{out}");
    lab.fails(
        3,
        &[
            "unblock-pin",
            "--token",
            &t,
            "--admin-pin",
            ADMIN_PIN,
            "--new-pin",
            "1",
        ],
    );
    lab.ok(&[
        "unblock-pin",
        "--token",
        &t,
        "--admin-pin",
        "11223344",
        "--new-pin",
        USER_PIN,
    ]);
    lab.ok(&["list", "--token", &t, "--pin", USER_PIN]);
    // unblock-pin takes the admin PIN only.
    lab.fails(2, &["unblock-pin", "--token", &t, "--new-pin", "1"]);
}

#[test]
fn pins_come_from_the_environment_and_never_show_in_debug_logs() {
    // Letters outside hex, so no APDU trace can contain the PIN by chance.
    const PIN: &str = "zq-secret-pin";
    let lab = Lab::empty();
    let t = lab.token();
    let fkn = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_fkn"))
            .args(args)
            .env("FKN_USER_PIN", PIN)
            .env("FKN_ADMIN_PIN", "zq-admin-pin")
            .env("FKN_PIN", PIN)
            .env("RUST_LOG", "trace")
            .output()
            .unwrap()
    };
    let out = fkn(&["-vv", "token", "init", "--token", &t]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = fkn(&[
        "-vv",
        "keygen",
        "--token",
        &t,
        "--id",
        "e",
        "--curve",
        "cryptopro-a",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("selecting OFP1"), "no debug log: {stderr}");
    assert!(
        !stderr.contains(PIN),
        "the PIN leaked into the log: {stderr}"
    );
}

#[test]
fn usage_errors_and_missing_tokens_are_one_line() {
    let lab = Lab::empty();
    let missing = format!("virtual:{}", lab.path("none.fkn").display());
    let e = lab.fails(1, &["info", "--token", &missing]);
    assert!(e.contains("none.fkn"), "{e}");
    let e = lab.fails(2, &["list", "--token", "nfc:0", "--pin", "1"]);
    assert!(e.contains("virtual:PATH"), "{e}");
    // --id and --id-hex exclude each other; one is required.
    lab.fails(
        2,
        &[
            "keygen",
            "--token",
            &missing,
            "--pin",
            "1",
            "--curve",
            "cryptopro-a",
        ],
    );
    lab.fails(
        2,
        &[
            "keygen",
            "--token",
            &missing,
            "--pin",
            "1",
            "--id",
            "a",
            "--id-hex",
            "61",
            "--curve",
            "cryptopro-a",
        ],
    );
    lab.fails(
        2,
        &[
            "sign-digest",
            "--token",
            &missing,
            "--pin",
            "1",
            "--id",
            "a",
            "--digest",
            "abcd",
        ],
    );
    let help = lab.ok(&["--help"]);
    assert!(help.contains("3 wrong PIN"), "{help}");
}
