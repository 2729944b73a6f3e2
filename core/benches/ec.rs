//! GOST R 34.10-2012 key generation, signing and verification.
//!
//! `cargo bench -p fkn-core --bench ec -- --warm-up-time 1 --measurement-time 3`;
//! compare with `botan speed --msec=2000 GOST-34.10` (tc26-256-A only).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use fkn_core::crypto::ec::{CurveId, SigningKey};
use fkn_core::crypto::os_rng;

fn gost3410(c: &mut Criterion) {
    let mut group = c.benchmark_group("gost3410");
    for curve in [CurveId::Tc26_256A, CurveId::Tc26_512A, CurveId::CryptoProA] {
        let mut rng = os_rng();
        let key = SigningKey::generate(curve, &mut rng);
        let vk = key.verifying_key();
        let digest = vec![0xA5u8; curve.digest_len()];
        let sig = key.sign_digest(&digest, &mut rng).expect("sign");
        let name = curve.name();
        group.bench_function(format!("keygen/{name}"), |b| {
            b.iter(|| SigningKey::generate(black_box(curve), &mut rng))
        });
        group.bench_function(format!("sign/{name}"), |b| {
            b.iter(|| key.sign_digest(black_box(&digest), &mut rng))
        });
        group.bench_function(format!("verify/{name}"), |b| {
            b.iter(|| vk.verify_digest(black_box(&digest), black_box(&sig)))
        });
    }
    group.finish();
}

criterion_group!(benches, gost3410);
criterion_main!(benches);
