//! Statistical constant-time tests (dudect: Reparaz, Balasch, Verbauwhede
//! 2016) of the operations that handle secrets: fixed secret against random
//! secrets, everything else equal. A Welch t above about 5 means the time
//! depends on the secret. `tests/timing.sh` runs it and prints the table.
//!
//! What each case fixes (the "left" class) is chosen to provoke the usual
//! leaks: a scalar with leading zero bits (a ladder that skips them), an
//! all-zero key and block (table lookups that hit one cache line).
//!
//! Samples per case: `FKN_CT_SAMPLES` (default 20 000).

use dudect_bencher::rand::{Rng, RngExt};
use dudect_bencher::{BenchRng, Class, CtRunner, ctbench_main};
use fkn_core::crypto::cipher::kuznyechik_encrypt_block;
use fkn_core::crypto::ec::{CurveId, Point, Scalar};
use fkn_core::crypto::secret::Key256;
use fkn_core::sespake::{Profile, derive_password_key, password_point};

fn samples() -> usize {
    std::env::var("FKN_CT_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000)
}

/// A random scalar of `curve` from the bench's generator (reduced from twice
/// its length, so uniform).
fn random_scalar(curve: CurveId, rng: &mut BenchRng) -> Scalar {
    let mut wide = vec![0u8; 2 * curve.coord_len()];
    rng.fill_bytes(&mut wide);
    Scalar::from_le_bytes_reduced(curve, &wide)
}

/// `k * P` for a secret `k`: the fixed class is `k = 1`, whose top bits are all zero.
fn scalar_mul(runner: &mut CtRunner, rng: &mut BenchRng, curve: CurveId) {
    let one = Scalar::from_le_bytes_reduced(curve, &[1]);
    let base = Point::mul_generator(&random_scalar(curve, rng));
    let inputs: Vec<(Class, Scalar)> = (0..samples() / 10)
        .map(|_| match rng.random::<bool>() {
            true => (Class::Left, one.clone()),
            false => (Class::Right, random_scalar(curve, rng)),
        })
        .collect();
    for (class, k) in inputs {
        runner.run_one(class, || base.mul(&k));
    }
}

fn scalar_mul_256(runner: &mut CtRunner, rng: &mut BenchRng) {
    scalar_mul(runner, rng, CurveId::Tc26_256A);
}

fn scalar_mul_512(runner: &mut CtRunner, rng: &mut BenchRng) {
    scalar_mul(runner, rng, CurveId::Tc26_512A);
}

/// One Kuznyechik block under a secret key (key schedule included): the
/// fixed class is the all-zero key and block.
fn kuznyechik(runner: &mut CtRunner, rng: &mut BenchRng) {
    let inputs: Vec<(Class, [u8; 32], [u8; 16])> = (0..samples())
        .map(|_| match rng.random::<bool>() {
            true => (Class::Left, [0; 32], [0; 16]),
            false => {
                let (mut k, mut b) = ([0u8; 32], [0u8; 16]);
                rng.fill_bytes(&mut k);
                rng.fill_bytes(&mut b);
                (Class::Right, k, b)
            }
        })
        .collect();
    for (class, k, b) in inputs {
        let key = Key256::from_bytes(k);
        runner.run_one(class, || kuznyechik_encrypt_block(&key, &b));
    }
}

/// The PIN to `Q_PW` path of a login (PBKDF2-HMAC-Streebog-512, then
/// `F * Q_ind`), with a few PBKDF2 rounds so that enough samples fit; the
/// fixed class is the PIN "00000000", the random one eight random digits.
fn pin_to_q_pw(runner: &mut CtRunner, rng: &mut BenchRng) {
    let profile = Profile::ofp1().with_pbkdf2_iterations(4);
    let curve = CurveId::Tc26_256A;
    let salt = [0x5A; 16];
    let inputs: Vec<(Class, Vec<u8>)> = (0..samples() / 20)
        .map(|_| match rng.random::<bool>() {
            true => (Class::Left, b"00000000".to_vec()),
            false => (
                Class::Right,
                (0..8).map(|_| b'0' + rng.random_range(0..10u8)).collect(),
            ),
        })
        .collect();
    for (class, pin) in inputs {
        runner.run_one(class, || {
            let key = derive_password_key(&profile, curve, &pin, &salt);
            password_point(&profile, curve, 1, &key)
        });
    }
}

ctbench_main!(scalar_mul_256, scalar_mul_512, kuznyechik, pin_to_q_pw);
