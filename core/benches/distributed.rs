//! CPU per two-party signature on each side, and key generation.
//!
//! - `distributed/sign_device/*`: the device's share of one signature (nonces,
//!   binding factors, `R`, partial, checking the final signature, encoding,
//!   its record read once and written twice in memory, the used server
//!   commitment's points checked).
//! - `distributed/sign_server/*`: the server's share (decode, pool take,
//!   MGM unseal, partial check, its partial, a refill commitment sealed).
//! - `distributed/keygen/*`: both sides of key generation together, with one
//!   PBKDF2 iteration so the figure is the protocol's; `unlock/*` is the PIN
//!   mask at the default 100 000 iterations, paid once per unlock.
//!
//! Round trips: key generation 2, signing 1, PIN change 1, refresh 2.
//!
//! `cargo bench -p fkn-core --bench distributed -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use fkn_core::crypto::ec::CurveId;
use fkn_core::crypto::secret::Key256;
use fkn_core::distributed::{
    ChannelError, Device, DeviceConfig, KeyId, MemoryNoncePool, MemorySecureStore,
    MemoryShareStore, Server, ServerChannel, ServerConfig,
};

/// Calls the server in process and adds up the time it spends.
struct TimedChannel {
    server: Server,
    spent: Mutex<Duration>,
}

impl ServerChannel for TimedChannel {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, ChannelError> {
        let t = Instant::now();
        let r = self.server.handle(request);
        *self.spent.lock().unwrap() += t.elapsed();
        Ok(r)
    }
}

fn setup(iterations: u32) -> (Device, Arc<TimedChannel>) {
    let server = Server::new(
        Arc::new(MemoryShareStore::new()),
        Arc::new(MemoryNoncePool::new()),
        &Key256::from_bytes([7; 32]),
        ServerConfig::default(),
    );
    let channel = Arc::new(TimedChannel {
        server,
        spent: Mutex::new(Duration::ZERO),
    });
    let device = Device::new(
        Arc::new(MemorySecureStore::new()),
        channel.clone(),
        DeviceConfig {
            pbkdf2_iterations: iterations,
            batch_size: 16,
        },
    );
    (device, channel)
}

const CURVES: [CurveId; 2] = [CurveId::Tc26_256A, CurveId::Tc26_512A];

fn sign(c: &mut Criterion) {
    let mut group = c.benchmark_group("distributed");
    group.sample_size(20);
    for curve in CURVES {
        let (device, channel) = setup(1);
        let id = KeyId::new("bench").unwrap();
        device.generate(&id, curve, b"1234").unwrap();
        let key = device.unlock(&id, b"1234").unwrap();
        let digest = vec![0x5Au8; curve.digest_len()];
        // One measured loop, split by side.
        let split = |iters: u64| {
            *channel.spent.lock().unwrap() = Duration::ZERO;
            let t = Instant::now();
            for _ in 0..iters {
                black_box(key.sign_digest(&digest).unwrap());
            }
            let total = t.elapsed();
            let server = *channel.spent.lock().unwrap();
            (total - server, server)
        };
        group.bench_function(format!("sign_device/{}", curve.name()), |b| {
            b.iter_custom(|iters| split(iters).0)
        });
        group.bench_function(format!("sign_server/{}", curve.name()), |b| {
            b.iter_custom(|iters| split(iters).1)
        });
        let mut n = 0u64;
        group.bench_function(format!("keygen/{}", curve.name()), |b| {
            b.iter(|| {
                n += 1;
                let id = KeyId::new(&format!("k{n}")).unwrap();
                black_box(device.generate(&id, curve, b"1234").unwrap());
                device.delete(&id).unwrap();
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("distributed");
    group.sample_size(10);
    for curve in CURVES {
        let (device, _) = setup(DeviceConfig::default().pbkdf2_iterations);
        let id = KeyId::new("bench").unwrap();
        device.generate(&id, curve, b"1234").unwrap();
        group.bench_function(format!("unlock/{}", curve.name()), |b| {
            b.iter(|| black_box(device.unlock(&id, b"1234").unwrap()))
        });
    }
    group.finish();
}

criterion_group!(benches, sign);
criterion_main!(benches);
