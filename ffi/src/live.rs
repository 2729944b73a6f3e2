//! A count of live FFI objects, so that tests in every language can prove the
//! objects they closed were freed on the Rust side (and with them any foreign
//! transport they held).

use std::sync::atomic::{AtomicU64, Ordering};

static LIVE: AtomicU64 = AtomicU64::new(0);

/// A field of every exported object: counts the object alive until it drops.
#[derive(Debug)]
pub(crate) struct LiveGuard(());

impl LiveGuard {
    pub(crate) fn new() -> Self {
        LIVE.fetch_add(1, Ordering::SeqCst);
        LiveGuard(())
    }
}

impl Drop for LiveGuard {
    fn drop(&mut self) {
        LIVE.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How many SDK objects (sessions, virtual tokens, transports and their
/// bridges, hashers) are alive right now, process-wide. Leak tests read it
/// before and after a workload: it returns to its baseline once every object
/// was closed.
#[uniffi::export]
pub fn live_object_count() -> u64 {
    LIVE.load(Ordering::SeqCst)
}
