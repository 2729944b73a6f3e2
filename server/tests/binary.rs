//! The `fkn-server` binary: starts with no configuration but a data
//! directory, prints its address and admin token, stops on SIGTERM, and
//! finds its KEK, token and identity again on the next start.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Started {
    child: Child,
    base: String,
    token: String,
    fingerprint: String,
}

fn start(data: &std::path::Path) -> Started {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fkn-server"))
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data)
        .env_remove("FKN_SERVER_DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut field = |prefix: &str| -> String {
        let line = lines.next().unwrap().unwrap();
        let at = line
            .find(prefix)
            .unwrap_or_else(|| panic!("{prefix:?} in {line:?}"));
        line[at + prefix.len()..].trim().to_owned()
    };
    let base = field("listening on ");
    field("database: ");
    field("enrollment codes name: ");
    let token = field("): ");
    let fingerprint = field("fingerprint: ");
    Started {
        child,
        base,
        token,
        fingerprint,
    }
}

fn stop(mut s: Started) {
    let ok = Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let status = s.child.wait().unwrap();
    assert!(status.success(), "graceful stop exits 0: {status:?}");
}

fn get(url: &str, token: Option<&str>) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent.get(url);
    if let Some(t) = token {
        r = r.header("authorization", &format!("Bearer {t}"));
    }
    r.call().unwrap().status().as_u16()
}

#[test]
fn starts_with_defaults_stops_on_sigterm_and_restarts_with_the_same_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let first = start(&data);
    assert!(
        first.base.starts_with("http://127.0.0.1:"),
        "{}",
        first.base
    );
    assert_eq!(first.token.len(), 64);
    assert_eq!(get(&format!("{}/healthz", first.base), None), 200);
    assert_eq!(get(&format!("{}/admin/v1/keys", first.base), None), 401);
    assert_eq!(
        get(&format!("{}/admin/v1/keys", first.base), Some(&first.token)),
        200
    );
    let (token, fingerprint) = (first.token.clone(), first.fingerprint.clone());
    stop(first);
    for f in ["fkn.db", "kek.hex", "admin-token"] {
        assert!(data.join(f).exists(), "{f}");
    }
    let second = start(&data);
    assert_eq!(second.token, token);
    assert_eq!(
        second.fingerprint, fingerprint,
        "the identity key opens under the saved KEK"
    );
    stop(second);
}

#[path = "common/mod.rs"]
mod common;

#[test]
fn kill_9_mid_signing_loses_nothing_acknowledged() {
    use fkn_core::crypto::ec::CurveId;
    use fkn_core::distributed::{DistributedError, KeyId};

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let curve = CurveId::Tc26_256A;
    let id = KeyId::new("crash-key").unwrap();
    let first = start(&data);
    let store = common::enrolled_store_with_token(&first.base, &first.token);
    common::device_on(store.clone(), &first.base)
        .generate(&id, curve, common::PIN)
        .unwrap();
    // Sign in a loop until the server dies under the device.
    let signer = {
        let (store, base, id) = (store.clone(), first.base.clone(), id.clone());
        std::thread::spawn(move || {
            let key = common::device_on(store, &base)
                .unlock(&id, common::PIN)
                .unwrap();
            let mut acknowledged = 0u32;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while std::time::Instant::now() < deadline {
                let d = common::digest(curve, acknowledged as u8);
                match key.sign_digest(&d) {
                    Ok(sig) => {
                        key.verifying_key().verify_digest(&d, &sig).unwrap();
                        acknowledged += 1;
                    }
                    Err(DistributedError::Channel(_)) => return acknowledged,
                    Err(e) => panic!("unexpected failure: {e:?}"),
                }
            }
            panic!("the server was not killed in time");
        })
    };
    std::thread::sleep(std::time::Duration::from_millis(400));
    let mut child = first.child;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let acknowledged = signer.join().unwrap();
    assert!(acknowledged > 0, "no signature before the kill");
    eprintln!("{acknowledged} signatures acknowledged before kill -9");

    // The restarted server has every acknowledged signature's nonce used up
    // (durable before the answer) and the key still signs.
    let second = start(&data);
    let key = common::device_on(store.clone(), &second.base)
        .unlock(&id, common::PIN)
        .unwrap();
    let d = common::digest(curve, 0);
    let sig = key.sign_digest(&d).unwrap();
    key.verifying_key().verify_digest(&d, &sig).unwrap();
    stop(second);
    let url = format!("sqlite://{}?mode=rw", data.join("fkn.db").display());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let counts = rt.block_on(async {
        let db = fkn_server::storage::Db::connect(&url).await.unwrap();
        let c = db.pool_counts(&id).await.unwrap();
        db.close().await;
        c
    });
    // Acknowledged before the kill, perhaps one in flight, one after.
    let used = u32::try_from(counts.used).unwrap();
    assert!(
        (acknowledged + 1..=acknowledged + 2).contains(&used),
        "acknowledged {acknowledged}, used {used}"
    );
}
