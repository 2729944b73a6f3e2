//! The server end to end over HTTP on loopback: two-party key generation
//! and signing through `Device` with an HTTP `ServerChannel`, the admin API,
//! refusals and the audit log.

mod common;

use common::{PIN, TOKEN, TestServer, device_with_channel, digest, new_key};
use fkn_core::crypto::ec::CurveId;
use fkn_core::distributed::{AccessRefusal, DistributedError, Refusal};
use fkn_core::onboarding::EnrollmentUri;
use fkn_core::onboarding::wire::{self, ServerMessage};
use fkn_core::onboarding::{ACCESS_BASE, PairingRefusal};
use serde_json::json;

fn refusal<T: std::fmt::Debug>(r: Result<T, DistributedError>) -> Refusal {
    match r {
        Err(DistributedError::Refused(r)) => r,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn keygen_and_signatures_verify_and_are_audited() {
    let srv = TestServer::start();
    let device = srv.device();
    for curve in [CurveId::Tc26_256A, CurveId::Tc26_512A] {
        let id = new_key(&device, curve);
        let key = device.unlock(&id, PIN).unwrap();
        for seed in 0..3 {
            let d = digest(curve, seed);
            let sig = key.sign_digest(&d).unwrap();
            device
                .public_key(&id)
                .unwrap()
                .verify_digest(&d, &sig)
                .unwrap();
        }
        let admin = srv.admin();
        let k = admin.key(&id);
        assert_eq!(k["state"], "active", "{k}");
        assert_eq!(k["curve"], curve.name());
        assert_eq!(
            admin.audit_events(&id),
            ["key_generated", "signature", "signature", "signature"]
        );
    }
}

#[test]
fn health_check_answers() {
    let srv = TestServer::start();
    let (s, body) = srv.admin().request("GET", "/healthz", None, None);
    assert_eq!((s, body), (200, json!("ok\n")));
}

#[test]
fn admin_api_refuses_missing_or_wrong_tokens() {
    let srv = TestServer::start();
    let admin = srv.admin();
    for path in ["/admin/v1/keys", "/admin/v1/accounts", "/admin/v1/audit"] {
        assert_eq!(admin.request("GET", path, None, None).0, 401, "{path}");
        assert_eq!(admin.request("GET", path, Some("wrong"), None).0, 401);
        let near = format!("{}x", &TOKEN[..TOKEN.len() - 1]);
        assert_eq!(admin.request("GET", path, Some(&near), None).0, 401);
        assert_eq!(admin.request("GET", path, Some(TOKEN), None).0, 200);
    }
    let (s, v) = admin.request(
        "POST",
        "/admin/v1/enrollments",
        None,
        Some(json!({"account": "x"})),
    );
    assert_eq!(s, 401);
    assert!(v["error"].as_str().unwrap().contains("admin token"), "{v}");
}

#[test]
fn enrollment_returns_a_uri_that_parses_and_a_small_qr() {
    let srv = TestServer::start();
    let admin = srv.admin();
    let account = common::unique("alice");
    let (s, v) = admin.post(
        "/admin/v1/enrollments",
        json!({"account": account, "ttl_seconds": 600}),
    );
    assert_eq!(s, 201, "{v}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let uri = EnrollmentUri::parse(v["uri"].as_str().unwrap(), now).unwrap();
    assert_eq!(uri.account, account);
    assert_eq!(uri.server, srv.base);
    assert_eq!(uri.code, v["code"].as_str().unwrap());
    assert_eq!(uri.server_key_fingerprint, srv.state.identity.fingerprint());
    assert!((now + 590..=now + 610).contains(&uri.expires));
    assert!(v["qr"]["version"].as_i64().unwrap() <= 10, "{v}");
    assert!(v["qr"]["svg"].as_str().unwrap().contains("<svg"));
    assert!(!v["qr"]["png_base64"].as_str().unwrap().is_empty());
    // Expired against a later clock.
    assert!(matches!(
        EnrollmentUri::parse(v["uri"].as_str().unwrap(), now + 700),
        Err(fkn_core::onboarding::UriError::Expired { .. })
    ));
    // The account is listed with its pending enrollment; the creation audited.
    let accounts = admin.get("/admin/v1/accounts");
    let row = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == account.as_str())
        .unwrap()
        .clone();
    assert_eq!(row["pending_enrollments"], 1);
    let audit = admin.get(&format!("/admin/v1/audit?account_id={account}"));
    assert!(
        audit["audit"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| { r["event"] == "enrollment_created" && r["account_id"] == account.as_str() })
    );
    // The code is in no audit row.
    assert!(!audit.to_string().contains(v["code"].as_str().unwrap()));
    // Bad input is a 400 with a message.
    for bad in [
        json!({"account": ".hidden"}),
        json!({"account": "ok", "ttl_seconds": 1}),
        json!({"account": "a b"}),
    ] {
        let (s, v) = admin.post("/admin/v1/enrollments", bad.clone());
        assert_eq!(s, 400, "{bad}: {v}");
        assert!(v["error"].is_string());
    }
}

#[test]
fn a_revoked_key_is_refused_and_the_revocation_audited() {
    let srv = TestServer::start();
    let device = srv.device();
    let id = new_key(&device, CurveId::Tc26_256A);
    let key = device.unlock(&id, PIN).unwrap();
    key.sign_digest(&digest(CurveId::Tc26_256A, 1)).unwrap();
    let admin = srv.admin();
    let (s, v) = admin.post(&format!("/admin/v1/keys/{id}/revoke"), json!({}));
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        refusal(key.sign_digest(&digest(CurveId::Tc26_256A, 2))),
        Refusal::KeyRevoked
    );
    assert_eq!(admin.key(&id)["state"], "revoked");
    let ev = admin.audit_events(&id);
    assert_eq!(ev[ev.len() - 2..], ["revoked", "refused"], "{ev:?}");
    // Unknown keys are a 404, bad ids a 400.
    assert_eq!(
        admin.post("/admin/v1/keys/nope-nope/revoke", json!({})).0,
        404
    );
    assert_eq!(admin.post("/admin/v1/keys/.bad/unlock", json!({})).0, 400);
}

#[test]
fn wrong_pins_lock_the_key_and_the_operator_unlocks_it() {
    let srv = TestServer::start(); // locks after 3 wrong PINs
    let device = srv.device();
    let curve = CurveId::Tc26_256A;
    let id = new_key(&device, curve);
    let wrong = device.unlock(&id, b"0000").unwrap();
    assert_eq!(
        refusal(wrong.sign_digest(&digest(curve, 1))),
        Refusal::PinRejected { remaining: 2 }
    );
    assert_eq!(
        refusal(wrong.sign_digest(&digest(curve, 2))),
        Refusal::PinRejected { remaining: 1 }
    );
    assert_eq!(
        refusal(wrong.sign_digest(&digest(curve, 3))),
        Refusal::KeyLocked
    );
    let right = device.unlock(&id, PIN).unwrap();
    assert_eq!(
        refusal(right.sign_digest(&digest(curve, 4))),
        Refusal::KeyLocked
    );
    let admin = srv.admin();
    assert_eq!(admin.key(&id)["state"], "locked");
    let (s, v) = admin.post(&format!("/admin/v1/keys/{id}/unlock"), json!({}));
    assert_eq!(s, 200, "{v}");
    let d = digest(curve, 5);
    let sig = right.sign_digest(&d).unwrap();
    device
        .public_key(&id)
        .unwrap()
        .verify_digest(&d, &sig)
        .unwrap();
    assert_eq!(
        admin.audit_events(&id),
        [
            "key_generated",
            "pin_failed",
            "pin_failed",
            "key_locked",
            "key_locked",
            "unlocked",
            "signature"
        ]
    );
}

#[test]
fn a_replayed_sign_request_is_refused() {
    let srv = TestServer::start();
    let (device, channel) = device_with_channel(&srv.base);
    let curve = CurveId::Tc26_256A;
    let id = new_key(&device, curve);
    let key = device.unlock(&id, PIN).unwrap();
    key.sign_digest(&digest(curve, 9)).unwrap();
    let last = channel.sent.lock().unwrap().last().unwrap().clone();
    // The signed envelope again: its nonce was seen.
    let answer = channel.post(&last).unwrap();
    assert_eq!(
        wire::decode::<ServerMessage>(&answer).unwrap(),
        ServerMessage::Refused(ACCESS_BASE + AccessRefusal::Replayed.code(), 0)
    );
    // Garbage is answered with a refusal, not an HTTP error.
    let answer = channel.post(b"\xff\x00garbage").unwrap();
    assert_eq!(
        wire::decode::<ServerMessage>(&answer).unwrap(),
        ServerMessage::Refused(PairingRefusal::Malformed.to_wire().0, 0)
    );
    let audit = srv.admin().get("/admin/v1/audit");
    assert!(
        audit.to_string().contains("access_refused"),
        "the replay is audited: {audit}"
    );
}

#[test]
fn oversized_bodies_are_refused_by_http() {
    let srv = TestServer::start();
    let ch = common::HttpChannel::new(&srv.base);
    assert_eq!(
        ch.post(&vec![0u8; wire::MAX_CALL_MESSAGE + 1]),
        Err(fkn_core::distributed::ChannelError::HttpStatus(413))
    );
    // Only signing-request calls may be large: anything else over the
    // pairing limit is refused as malformed.
    let answer = ch.post(&vec![0u8; 64 * 1024]).unwrap();
    assert_eq!(
        wire::decode::<ServerMessage>(&answer).unwrap(),
        ServerMessage::Refused(PairingRefusal::Malformed.to_wire().0, 0)
    );
}

#[test]
fn a_second_instance_on_the_same_database_serves_the_same_keys() {
    let srv = TestServer::start();
    let store = common::enrolled_store(&srv.base);
    let curve = CurveId::Tc26_256A;
    let id = new_key(&common::device_on(store.clone(), &srv.base), curve);
    let second = TestServer::start_on(
        tempfile::tempdir().unwrap(),
        srv.url.clone(),
        fkn_core::distributed::ServerConfig::default(),
    );
    assert_eq!(
        second.state.identity.fingerprint(),
        srv.state.identity.fingerprint(),
        "one identity key for every instance"
    );
    // The phone alternates between the instances; the pool is shared.
    for (i, base) in [&srv.base, &second.base, &srv.base, &second.base]
        .into_iter()
        .enumerate()
    {
        let device = common::device_on(store.clone(), base);
        let key = device.unlock(&id, PIN).unwrap();
        let d = digest(curve, i as u8);
        let sig = key.sign_digest(&d).unwrap();
        key.verifying_key().verify_digest(&d, &sig).unwrap();
    }
    let signatures = second
        .admin()
        .audit_events(&id)
        .iter()
        .filter(|e| *e == "signature")
        .count();
    assert_eq!(signatures, 4);
}
