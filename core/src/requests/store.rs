//! Where the server keeps signing requests. `fkn-server` implements it over
//! SQL (and queues its webhooks in the same transaction as a state change);
//! [`MemoryRequestStore`] serves tests and the in-process demo.

use std::collections::HashMap;
use std::sync::Mutex;

use super::model::{RequestState, SigningRequest};
use crate::distributed::StoreError;

/// Storage of signing requests. Every method is one atomic step.
pub trait RequestStore: Send + Sync {
    /// Adds a new (pending) request.
    fn insert(&self, request: &SigningRequest) -> Result<(), StoreError>;
    /// The request `id`.
    fn get(&self, id: &str) -> Result<Option<SigningRequest>, StoreError>;
    /// Up to `limit` requests of `account` pending at `now`, oldest first.
    fn pending(
        &self,
        account: &str,
        now: u64,
        limit: usize,
    ) -> Result<Vec<SigningRequest>, StoreError>;
    /// Writes the final state of `done` (signed or declined, with its CMS
    /// or reason, device and time) if the stored request is still pending
    /// and `now` is before its deadline. `false`: it was not (another
    /// device or instance finished it first, or it expired).
    fn finish(&self, done: &SigningRequest, now: u64) -> Result<bool, StoreError>;
    /// Marks every request pending past its deadline at `now` as expired;
    /// returns them.
    fn expire(&self, now: u64) -> Result<Vec<SigningRequest>, StoreError>;
}

/// [`RequestStore`] in memory.
#[derive(Default)]
pub struct MemoryRequestStore {
    requests: Mutex<HashMap<String, SigningRequest>>,
}

impl MemoryRequestStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(
        &self,
    ) -> Result<std::sync::MutexGuard<'_, HashMap<String, SigningRequest>>, StoreError> {
        self.requests.lock().map_err(|_| StoreError::Unavailable)
    }
}

impl RequestStore for MemoryRequestStore {
    fn insert(&self, request: &SigningRequest) -> Result<(), StoreError> {
        self.lock()?.insert(request.id.clone(), request.clone());
        Ok(())
    }

    fn get(&self, id: &str) -> Result<Option<SigningRequest>, StoreError> {
        Ok(self.lock()?.get(id).cloned())
    }

    fn pending(
        &self,
        account: &str,
        now: u64,
        limit: usize,
    ) -> Result<Vec<SigningRequest>, StoreError> {
        let mut out: Vec<SigningRequest> = self
            .lock()?
            .values()
            .filter(|r| r.account == account && r.state_at(now) == RequestState::Pending)
            .cloned()
            .collect();
        out.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        out.truncate(limit);
        Ok(out)
    }

    fn finish(&self, done: &SigningRequest, now: u64) -> Result<bool, StoreError> {
        let mut all = self.lock()?;
        match all.get_mut(&done.id) {
            Some(r) if r.state_at(now) == RequestState::Pending => {
                *r = done.clone();
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    fn expire(&self, now: u64) -> Result<Vec<SigningRequest>, StoreError> {
        let mut out = Vec::new();
        for r in self.lock()?.values_mut() {
            if r.state == RequestState::Pending && now >= r.deadline {
                r.state = RequestState::Expired;
                r.finished_at = Some(now);
                out.push(r.clone());
            }
        }
        Ok(out)
    }
}
