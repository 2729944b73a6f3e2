//! Benchmarks of the symmetric layer. `bench/compare.sh` reads the results
//! from `target/criterion/<group>/<id>/new/estimates.json`, so the group and
//! id names below are part of its interface.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fkn_core::crypto::cipher::{kuznyechik_ctr, kuznyechik_mac};
use fkn_core::crypto::hash::streebog256;
use fkn_core::crypto::kdf::pbkdf2_streebog512;
use fkn_core::crypto::secret::Key256;

const MIB: usize = 1 << 20;
const KIB4: usize = 4 << 10;

/// Deterministic filler so runs are comparable.
fn data(n: usize) -> Vec<u8> {
    (0..n)
        .map(|i| (i.wrapping_mul(31) ^ (i >> 8)) as u8)
        .collect()
}

fn streebog(c: &mut Criterion) {
    let msg = data(MIB);
    let mut g = c.benchmark_group("streebog256");
    g.throughput(Throughput::Bytes(MIB as u64));
    g.bench_function("hash/1MiB", |b| b.iter(|| streebog256(black_box(&msg))));
    g.finish();
}

fn pbkdf2(c: &mut Criterion) {
    // SESPAKE's F(PW, salt, 2000) with a 32-byte output (RFC 8133 A.2 inputs).
    let salt = [
        0x29, 0x23, 0xBE, 0x84, 0xE1, 0x6C, 0xD6, 0xAE, 0x52, 0x90, 0x49, 0xF1, 0xF1, 0xBB, 0xE9,
        0xEB,
    ];
    let mut g = c.benchmark_group("pbkdf2");
    g.sample_size(10);
    g.bench_function("streebog512/2000", |b| {
        b.iter(|| pbkdf2_streebog512(black_box(b"123456"), black_box(&salt), 2000, 32))
    });
    g.finish();
}

fn kuznyechik(c: &mut Criterion) {
    let key = Key256::from_bytes([0x42; 32]);
    let iv = [0x24; 8];
    let msg = data(KIB4);
    let mut buf = msg.clone();
    let mut g = c.benchmark_group("kuznyechik");
    g.throughput(Throughput::Bytes(KIB4 as u64));
    g.bench_function("ctr/4KiB", |b| {
        b.iter(|| kuznyechik_ctr(black_box(&key), black_box(&iv), black_box(&mut buf)))
    });
    g.bench_function("mac/4KiB", |b| {
        b.iter(|| kuznyechik_mac(black_box(&key), black_box(&msg)))
    });
    g.finish();
}

criterion_group!(benches, streebog, pbkdf2, kuznyechik);
criterion_main!(benches);
