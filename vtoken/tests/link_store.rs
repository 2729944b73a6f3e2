//! The virtual token's file: round trip, atomic replace, refusals, and the
//! persistence of changes.

#[path = "../../core/tests/link_common/mod.rs"]
mod link_common;

use fkn_core::crypto::ec::CurveId;
use fkn_vtoken::{
    AddKeyError, KeyRecord, PasswordRef, TokenConfig, VirtualToken, VirtualTokenError, store,
};
use link_common::{TempDir, examples};
use zeroize::Zeroizing;

fn key(id: &[u8], byte: u8) -> KeyRecord {
    KeyRecord::new(
        id.to_vec(),
        CurveId::Tc26_256A,
        Zeroizing::new(vec![byte; 32]),
        vec![0x42; 64],
        b"signing key".to_vec(),
    )
    .expect("valid key")
}

fn rich_state() -> fkn_vtoken::TokenState {
    let mut state = examples()
        .remove(1)
        .state()
        .with_config(TokenConfig {
            extended_length: true,
            max_response_data: 100,
            key_slots: 3,
            answer_wrong_le: true,
        })
        .expect("config")
        .with_supported_curves(vec![CurveId::Tc26_512A, CurveId::Tc26_256A])
        .expect("curves");
    state.pin_mut(PasswordRef::User).counters.c1 = 3;
    state.pin_mut(PasswordRef::Admin).counters.c3 = 99_990;
    state.add_key(key(b"\x01", 0xD1)).expect("slot");
    let mut with_cert = key(b"second key", 0xD2);
    with_cert.certificate = Some(vec![0x30, 0x03, 0x02, 0x01, 0x00]);
    state.add_key(with_cert).expect("slot");
    state
}

#[test]
fn create_open_round_trip() {
    let dir = TempDir::new("roundtrip");
    let path = dir.0.join("token.json");
    let state = rich_state();
    let created = VirtualToken::create(&path, state.clone()).expect("created");
    assert_eq!(created.path(), Some(path.as_path()));
    let opened = VirtualToken::open(&path).expect("opened");
    assert_eq!(opened.state(), &state);
    assert_eq!(opened.state().keys()[1].id(), b"second key");

    // Only the token file is left in the directory (no temporaries).
    let names: Vec<_> = std::fs::read_dir(&dir.0)
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("token.json")]);

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "private keys: owner only");
    }

    // The file says what it is and holds the key in plain form, as documented.
    let text = std::fs::read_to_string(&path).expect("read");
    assert!(text.contains("\"format\": \"fkn-virtual-token\""));
    assert!(text.contains("plain form"));
    assert!(text.contains(&"D1".repeat(32)));
}

#[test]
fn create_refuses_to_overwrite() {
    let dir = TempDir::new("exists");
    let path = dir.0.join("t.json");
    VirtualToken::create(&path, rich_state()).expect("first");
    assert!(matches!(
        VirtualToken::create(&path, rich_state()),
        Err(VirtualTokenError::AlreadyExists(p)) if p == path
    ));
}

#[test]
fn changes_are_saved_and_failed_saves_undone() {
    let dir = TempDir::new("update");
    let path = dir.0.join("t.json");
    let mut token = VirtualToken::create(&path, rich_state()).expect("created");
    token
        .update_state(|s| {
            s.set_label("renamed").expect("label");
            s.remove_key(b"\x01").expect("present");
        })
        .expect("saved");
    let reopened = VirtualToken::open(&path).expect("opened");
    assert_eq!(reopened.state().label(), "renamed");
    assert_eq!(reopened.state().keys().len(), 1);
    assert_eq!(reopened.state(), token.state());

    // The directory disappears: the save fails and the change is undone.
    drop(dir);
    let err = token
        .update_state(|s| s.set_label("lost").expect("label"))
        .expect_err("cannot save");
    assert!(matches!(err, VirtualTokenError::Io { .. }), "{err}");
    assert_eq!(token.state().label(), "renamed");
}

#[test]
fn bad_files_are_refused_with_reasons() {
    let dir = TempDir::new("bad");
    let good = store::load(&{
        let p = dir.0.join("good.json");
        store::save(&p, &rich_state()).expect("saved");
        p
    })
    .expect("loads");
    assert_eq!(good, rich_state());
    let text = std::fs::read_to_string(dir.0.join("good.json")).expect("read");

    let cases = [
        ("not json", "garbage".to_string()),
        (
            "other format",
            text.replace("fkn-virtual-token", "something-else"),
        ),
        (
            "unknown field",
            text.replacen("\"label\"", "\"colour\": 1, \"label\"", 1),
        ),
        (
            "bad hex",
            text.replacen("\"serial\": \"", "\"serial\": \"ZZ", 1),
        ),
        (
            "short serial",
            text.replacen("\"serial\": \"4F", "\"serial\": \"", 1),
        ),
        ("bad curve", text.replacen("tc26-512-a", "p-256", 1)),
        ("one pin", {
            let v: serde_json::Value = serde_json::from_str(&text).expect("json");
            let mut v = v;
            v["pins"].as_array_mut().expect("pins").pop();
            v.to_string()
        }),
        ("too many keys", {
            let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
            v["config"]["key_slots"] = 1.into();
            v.to_string()
        }),
    ];
    for (what, body) in cases {
        let p = dir.0.join(format!("{}.json", what.replace(' ', "_")));
        std::fs::write(&p, body).expect("write");
        let err = VirtualToken::open(&p).expect_err(what);
        assert!(
            matches!(err, VirtualTokenError::Format { .. }),
            "{what}: {err}"
        );
        assert!(
            err.to_string().contains(p.to_str().expect("utf8")),
            "{what}"
        );
    }

    let p = dir.0.join("v2.json");
    std::fs::write(&p, text.replace("\"version\": 1", "\"version\": 2")).expect("write");
    assert!(matches!(
        VirtualToken::open(&p),
        Err(VirtualTokenError::UnsupportedVersion {
            found: 2,
            supported: 1,
            ..
        })
    ));
    assert!(matches!(
        VirtualToken::open(dir.0.join("missing.json")),
        Err(VirtualTokenError::Io { action: "read", .. })
    ));
}

#[test]
fn secrets_stay_out_of_debug_output() {
    let state = rich_state();
    let token = VirtualToken::new(state.clone());
    let debug = format!("{token:?} {state:?}");
    assert!(!debug.contains(&"D1".repeat(32)) && !debug.contains(&"d1".repeat(32)));
    let q_pw = hex::encode_upper(state.pin(PasswordRef::User).q_pw());
    assert!(!debug.contains(&q_pw));
    assert!(debug.contains("REDACTED"));
}

#[test]
fn state_rules() {
    let mut state = rich_state();
    assert_eq!(state.free_slots(), 1);
    assert_eq!(state.add_key(key(b"\x01", 1)), Err(AddKeyError::IdExists));
    state.add_key(key(b"\x03", 3)).expect("last slot");
    assert_eq!(state.add_key(key(b"\x04", 4)), Err(AddKeyError::NoFreeSlot));
    assert_eq!(AddKeyError::NoFreeSlot.status_word(), 0x6A84);
    assert_eq!(AddKeyError::IdExists.status_word(), 0x6A89);
    assert!(state.set_label(&"x".repeat(33)).is_err());
    assert!(
        KeyRecord::new(
            vec![],
            CurveId::Tc26_256A,
            Zeroizing::new(vec![1; 32]),
            vec![0; 64],
            vec![]
        )
        .is_err()
    );
    assert!(
        KeyRecord::new(
            vec![0; 17],
            CurveId::Tc26_256A,
            Zeroizing::new(vec![1; 32]),
            vec![0; 64],
            vec![]
        )
        .is_err()
    );
    assert!(
        KeyRecord::new(
            vec![1],
            CurveId::Tc26_512A,
            Zeroizing::new(vec![1; 32]),
            vec![0; 64],
            vec![]
        )
        .is_err()
    );
    let ex = examples().remove(0);
    let user = fkn_vtoken::PinRecord::new(
        PasswordRef::User,
        CurveId::Tc26_512A,
        ex.user_salt,
        ex.user_q_pw.clone(),
    );
    assert!(user.is_err(), "a 256-bit Q_PW on a 512-bit curve");
    // Records in the wrong order.
    let s = ex.state();
    let (u, a) = (
        s.pin(PasswordRef::User).clone(),
        s.pin(PasswordRef::Admin).clone(),
    );
    assert!(fkn_vtoken::TokenState::new([0; 8], "x", a, u).is_err());
    // Change PIN resets the counters.
    let mut state = ex.state();
    let pin = state.pin_mut(PasswordRef::User);
    pin.counters.c1 = 0;
    assert!(pin.counters.is_blocked());
    pin.set_verifier([7; 16], ex.user_q_pw.clone())
        .expect("new verifier");
    assert!(!pin.counters.is_blocked());
    assert_eq!(pin.salt(), &[7; 16]);
}
