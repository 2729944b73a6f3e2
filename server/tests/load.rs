//! Many devices signing at once through one server (or two instances on one
//! database): every signature verifies and no server nonce index is used
//! twice. The smoke run is part of `cargo test`; the full run (50 devices)
//! is `cargo test -p fkn-server --test load -- --ignored`.

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{HttpChannel, PIN, TestServer, device_config, digest};
use fkn_core::crypto::ec::CurveId;
use fkn_core::distributed::{Device, KeyId, MemorySecureStore, Request, RequestBody};
use fkn_core::onboarding::wire::{self, DeviceMessage};
use fkn_core::onboarding::{SignedChannel, pair};

/// `devices` phones, each with its own key, sign `signs` digests each,
/// spreading their requests over `servers`. Prints signatures per second
/// and the latency of one signature (a measurement, not an assertion).
fn run(label: &str, servers: &[&TestServer], devices: usize, signs: u8) {
    let curve = CurveId::Tc26_256A;
    let started = Instant::now();
    let handles: Vec<_> = (0..devices)
        .map(|i| {
            let base = servers[i % servers.len()].base.clone();
            std::thread::spawn(move || {
                // Enrollment as a phone does it: pairing, keygen in the
                // sealed session, then signed requests.
                let ch = Arc::new(HttpChannel::new(&base));
                let store = Arc::new(MemorySecureStore::new());
                let uri = common::enrollment(&base, common::TOKEN);
                let session = pair(&uri, ch.clone(), common::now_secs())
                    .unwrap_or_else(|e| panic!("{}: pairing: {e:?}", uri.account));
                let id = KeyId::new(&common::unique("load")).unwrap();
                Device::new(store.clone(), session.channel(), device_config())
                    .generate(&id, curve, PIN)
                    .unwrap_or_else(|e| panic!("{id}: keygen: {e:?}"));
                let credential = Arc::new(session.finish(&*store).unwrap());
                let signed = Arc::new(SignedChannel::new(credential, ch.clone()));
                let device = Device::new(store, signed, device_config());
                let key = device.unlock(&id, PIN).unwrap();
                let mut latencies = Vec::with_capacity(usize::from(signs));
                for s in 0..signs {
                    let d = digest(curve, s);
                    let t = Instant::now();
                    let sig = key
                        .sign_digest(&d)
                        .unwrap_or_else(|e| panic!("{id}: signature {s}: {e:?}"));
                    latencies.push(t.elapsed());
                    key.verifying_key().verify_digest(&d, &sig).unwrap();
                }
                let sent = ch.sent.lock().unwrap();
                let indices: Vec<u64> = sent
                    .iter()
                    .filter_map(|m| match wire::decode::<DeviceMessage>(m).ok()? {
                        DeviceMessage::Signed(_, _, _, inner, _) => {
                            match Request::decode(&inner).ok()?.body {
                                RequestBody::Sign { index, .. } => Some(index),
                                _ => None,
                            }
                        }
                        _ => None,
                    })
                    .collect();
                (id, indices, latencies)
            })
        })
        .collect();
    let db = &servers[0].state.db;
    let mut all: Vec<Duration> = Vec::new();
    for h in handles {
        let (id, indices, latencies) = h.join().unwrap();
        all.extend(latencies);
        assert_eq!(
            indices.len(),
            usize::from(signs),
            "{id}: no retries expected"
        );
        let unique: HashSet<u64> = indices.iter().copied().collect();
        assert_eq!(unique.len(), indices.len(), "{id}: an index was used twice");
        let counts = servers[0].rt.block_on(db.pool_counts(&id)).unwrap();
        assert_eq!(counts.used, i64::from(signs), "{id}: {counts:?}");
    }
    let wall = started.elapsed();
    all.sort();
    let pct = |p: usize| all[(all.len() * p / 100).min(all.len() - 1)].as_secs_f64() * 1e3;
    println!(
        "load {label}: {devices} devices x {signs} signatures ({} in all, enrollment and keygen \
         included in the wall time) in {:.1} s: {:.1} signatures/s, latency p50 {:.1} ms, p99 {:.1} ms",
        all.len(),
        wall.as_secs_f64(),
        all.len() as f64 / wall.as_secs_f64(),
        pct(50),
        pct(99),
    );
}

#[test]
fn smoke_eight_devices_on_one_server() {
    let srv = TestServer::start();
    run("smoke, one instance", &[&srv], 8, 3);
}

#[test]
fn smoke_two_instances_on_one_database() {
    let a = TestServer::start();
    let b = TestServer::start_on(
        tempfile::tempdir().unwrap(),
        a.url.clone(),
        fkn_core::distributed::ServerConfig::default(),
    );
    run("smoke, two instances", &[&a, &b], 6, 3);
}

#[test]
#[ignore = "load test: 50 devices; run with --ignored"]
fn fifty_devices_on_one_server() {
    let srv = TestServer::start();
    run("50 devices, one instance", &[&srv], 50, 10);
}

#[test]
#[ignore = "load test: 50 devices over two instances; run with --ignored"]
fn fifty_devices_on_two_instances() {
    let a = TestServer::start();
    let b = TestServer::start_on(
        tempfile::tempdir().unwrap(),
        a.url.clone(),
        fkn_core::distributed::ServerConfig::default(),
    );
    run("50 devices, two instances", &[&a, &b], 50, 10);
}
