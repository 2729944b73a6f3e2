//! What one cold signature costs: SELECT, SESPAKE (two exchanges), sign.
//!
//! - `cold_signature/prepare_pin/*`: host CPU for PBKDF2 (2000 rounds of
//!   HMAC-Streebog-512), the part an app can do before the tap.
//! - `cold_signature/host_and_token/*`: the whole flow in process, host and
//!   virtual token CPU together (the token's half is what a card spends).
//! - Printed once per curve: the exchanges and the time the same traffic takes
//!   over the NFC model (5 ms per exchange, 424 kbit/s), which dominates on a
//!   real tap.
//!
//! `cargo bench -p fkn-core --bench cold_signature -- --warm-up-time 1 --measurement-time 5`

use std::hint::black_box;
use std::sync::{Arc, Mutex};

use criterion::{Criterion, criterion_group, criterion_main};
use fkn_core::crypto::ec::CurveId;
use fkn_core::token::{PinRef, TokenSession};
use fkn_testkit::NfcLinkModel;
use fkn_vtoken::{OsRandom, TokenState, VirtualToken, VirtualTokenTransport};

const PIN: &str = "123456";

fn token(curve: CurveId) -> Arc<Mutex<VirtualToken>> {
    let state = TokenState::with_pins(*b"BENCH001", "bench", PIN, "87654321", curve, &mut OsRandom)
        .expect("state");
    let token = Arc::new(Mutex::new(VirtualToken::new(state)));
    let mut s = TokenSession::open(VirtualTokenTransport::shared(token.clone())).expect("open");
    s.authenticate(PIN).expect("login");
    s.generate_key(b"k", curve, "bench").expect("keygen");
    token
}

fn cold_signature(c: &mut Criterion) {
    let mut group = c.benchmark_group("cold_signature");
    group.sample_size(20);
    for curve in [CurveId::Tc26_256A, CurveId::Tc26_512A] {
        let token = token(curve);
        let digest = vec![0x5Au8; curve.digest_len()];
        let name = curve.name();

        // Exchanges and simulated NFC time of one cold signature.
        let link = NfcLinkModel::new(VirtualTokenTransport::shared(token.clone()));
        let mut s = TokenSession::open(link).expect("open");
        s.authenticate(PIN).expect("login");
        s.sign(b"k", &[&digest]).expect("sign");
        println!(
            "cold_signature/{name}: {} exchanges, {:.1} ms over NFC (5 ms/exchange, 424 kbit/s)",
            s.exchanges(),
            s.transport().simulated_time().as_secs_f64() * 1e3
        );

        let session =
            TokenSession::open(VirtualTokenTransport::shared(token.clone())).expect("open");
        group.bench_function(format!("prepare_pin/{name}"), |b| {
            b.iter(|| {
                session
                    .prepare_pin(PinRef::User, black_box(PIN))
                    .expect("pbkdf2")
            })
        });
        group.bench_function(format!("host_and_token/{name}"), |b| {
            b.iter(|| {
                let mut s =
                    TokenSession::open(VirtualTokenTransport::shared(token.clone())).expect("open");
                s.authenticate(PIN).expect("login");
                s.sign(b"k", &[&digest]).expect("sign")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, cold_signature);
criterion_main!(benches);
