//! The server role: one request in, one response out, over a [`ShareStore`]
//! and a [`NoncePool`]. The HTTP service around it is the app operator's.

use std::sync::Arc;

use zeroize::Zeroize;

use super::device::{
    device_proof_context, keygen_commitment, pin_proof_context, refresh_commitment,
    server_proof_context,
};
use super::error::{DistributedError, Field, Refusal, Result};
use super::ids::KeyId;
use super::messages::{
    Header, PROTOCOL_VERSION, Request, RequestBody, Response, ResponseBody, ServerCommitment,
};
use super::schnorr::{self, Proof};
use super::seal::Sealer;
use super::server_store::{
    KeyRecord, KeyState, NoncePool, PendingRefresh, PoolEntry, ShareStore, Taken,
};
use super::sign::{SignInputs, bind, partial, partial_is_valid, signature_bytes};
use crate::crypto::ec::{CurveId, Point, Scalar, VerifyingKey};
use crate::crypto::secret::Key256;

/// Server-side settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConfig {
    /// Wrong PINs (failed partial signatures or PIN proofs) in a row before
    /// the key locks.
    pub max_pin_failures: u32,
    /// Most nonce commitments handed out per request.
    pub max_batch: u16,
    /// Most unused nonce commitments kept per key.
    pub max_unused: usize,
    /// Nonce commitments handed out with key generation.
    pub keygen_batch: u16,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_pin_failures: 10,
            max_batch: 64,
            max_unused: 256,
            keygen_batch: 16,
        }
    }
}

/// The state of a key as the operator sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyStatus {
    /// Refresh epoch of the shares.
    pub epoch: u32,
    /// Wrong PINs since the last correct one.
    pub failures: u32,
    /// Locked after too many wrong PINs.
    pub locked: bool,
    /// Revoked for good.
    pub revoked: bool,
}

/// Which operation a request asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RequestKind {
    /// Key generation, round trip 1.
    KeygenCommit,
    /// Key generation, round trip 2: the key becomes active.
    KeygenOpen,
    /// More nonce commitments.
    NonceBatch,
    /// A signature.
    Sign,
    /// A PIN proof (before a PIN change).
    PinCheck,
    /// Share refresh, phase 1.
    RefreshBegin,
    /// Share refresh, phase 2.
    RefreshCommit,
}

impl RequestKind {
    fn of(body: &RequestBody) -> RequestKind {
        match body {
            RequestBody::KeygenCommit { .. } => RequestKind::KeygenCommit,
            RequestBody::KeygenOpen { .. } => RequestKind::KeygenOpen,
            RequestBody::NonceBatch { .. } => RequestKind::NonceBatch,
            RequestBody::Sign { .. } => RequestKind::Sign,
            RequestBody::PinCheck { .. } => RequestKind::PinCheck,
            RequestBody::RefreshBegin { .. } => RequestKind::RefreshBegin,
            RequestBody::RefreshCommit { .. } => RequestKind::RefreshCommit,
        }
    }

    /// A stable lower-case name, e.g. `sign`.
    pub fn name(self) -> &'static str {
        match self {
            RequestKind::KeygenCommit => "keygen_commit",
            RequestKind::KeygenOpen => "keygen_open",
            RequestKind::NonceBatch => "nonce_batch",
            RequestKind::Sign => "sign",
            RequestKind::PinCheck => "pin_check",
            RequestKind::RefreshBegin => "refresh_begin",
            RequestKind::RefreshCommit => "refresh_commit",
        }
    }
}

/// What one request did, as [`Server::handle_with_outcome`] reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The key named in the request (`unknown` if unreadable).
    pub key_id: KeyId,
    /// The operation, if the request could be decoded.
    pub kind: Option<RequestKind>,
    /// The refusal answered, or `None` if the request succeeded.
    pub refusal: Option<Refusal>,
}

/// The server side of two-party keys.
pub struct Server {
    shares: Arc<dyn ShareStore>,
    pool: Arc<dyn NoncePool>,
    sealer: Sealer,
    config: ServerConfig,
}

impl core::fmt::Debug for Server {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Server")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Attempts of a compare-and-swap loop before giving up as unavailable.
const CAS_TRIES: usize = 16;

fn aad(label: &str, curve: CurveId, key_id: &KeyId, parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in [
        label.as_bytes(),
        curve.oid_der(),
        key_id.as_str().as_bytes(),
    ]
    .into_iter()
    .chain(parts.iter().copied())
    {
        out.extend_from_slice(&(p.len() as u32).to_be_bytes());
        out.extend_from_slice(p);
    }
    out
}

fn random_scalar(curve: CurveId) -> Scalar {
    Scalar::random_nonzero(curve, &mut crate::crypto::os_rng())
}

/// What a failed request tells the device.
fn refusal_for(e: &DistributedError) -> Refusal {
    match e {
        DistributedError::Refused(r) => *r,
        DistributedError::Store(_) | DistributedError::SealBroken => Refusal::Unavailable,
        DistributedError::Degenerate(_) => Refusal::DegenerateNonce,
        DistributedError::UnsupportedVersion { .. } => Refusal::UnsupportedVersion {
            supported: PROTOCOL_VERSION,
        },
        _ => Refusal::InvalidRequest,
    }
}

impl Server {
    /// A server over its stores, sealing secrets under `kek`.
    pub fn new(
        shares: Arc<dyn ShareStore>,
        pool: Arc<dyn NoncePool>,
        kek: &Key256,
        config: ServerConfig,
    ) -> Self {
        Server {
            shares,
            pool,
            sealer: Sealer::new(kek),
            config,
        }
    }

    /// Answers one request; every failure becomes a refusal in the response.
    pub fn handle(&self, request: &[u8]) -> Vec<u8> {
        self.handle_with_outcome(request).0
    }

    /// Like [`Server::handle`], and also says what the request was and how it
    /// ended, for the operator's audit log (no secrets in it).
    pub fn handle_with_outcome(&self, request: &[u8]) -> (Vec<u8>, Outcome) {
        let (header, kind, body) = match Request::decode(request) {
            Ok(req) => {
                let body = self
                    .process(&req)
                    .unwrap_or_else(|e| ResponseBody::Refused(refusal_for(&e)));
                (req.header, Some(RequestKind::of(&req.body)), body)
            }
            Err(e) => {
                let header = Request::peek_header(request).unwrap_or_else(|_| Header {
                    curve: CurveId::CryptoProA,
                    key_id: KeyId::unknown(),
                    request_id: [0; 16],
                });
                (header, None, ResponseBody::Refused(refusal_for(&e)))
            }
        };
        let outcome = Outcome {
            key_id: header.key_id.clone(),
            kind,
            refusal: match &body {
                ResponseBody::Refused(r) => Some(*r),
                _ => None,
            },
        };
        (Response { header, body }.encode(), outcome)
    }

    /// Carries out a decoded request. Refusals are `Err(Refused(..))`.
    pub fn process(&self, req: &Request) -> Result<ResponseBody> {
        let h = &req.header;
        match &req.body {
            RequestBody::KeygenCommit { commitment } => self.keygen_commit(h, commitment),
            RequestBody::KeygenOpen {
                device_share,
                proof,
                opening,
            } => self.keygen_open(h, device_share, proof, opening),
            RequestBody::NonceBatch { count } => self.nonce_batch(h, *count),
            RequestBody::Sign {
                epoch,
                index,
                d,
                e,
                partial,
                digest,
            } => self.sign(h, *epoch, *index, d, e, partial, digest),
            RequestBody::PinCheck {
                epoch,
                index,
                proof,
            } => {
                self.check_pin(h, *epoch, *index, proof, &[])?;
                Ok(ResponseBody::PinAccepted)
            }
            RequestBody::RefreshBegin {
                epoch,
                index,
                proof,
                commitment,
            } => self.refresh_begin(h, *epoch, *index, proof, commitment),
            RequestBody::RefreshCommit {
                epoch,
                delta,
                opening,
            } => self.refresh_commit(h, *epoch, delta, opening),
        }
    }

    /// Clears the wrong-PIN count of a locked key.
    pub fn unlock(&self, key_id: &KeyId) -> Result<()> {
        self.update(key_id, |r| {
            r.failures = 0;
            Ok(())
        })
    }

    /// Revokes a key for good: erases the server share and the nonce pool.
    pub fn revoke(&self, key_id: &KeyId) -> Result<()> {
        self.update(key_id, |r| {
            r.state = KeyState::Revoked;
            r.sealed_share.zeroize();
            r.sealed_share.clear();
            r.pending_refresh = None;
            Ok(())
        })?;
        Ok(self.pool.purge(key_id)?)
    }

    /// The state of a key.
    pub fn status(&self, key_id: &KeyId) -> Result<KeyStatus> {
        let r = self.load(key_id)?;
        Ok(KeyStatus {
            epoch: r.epoch,
            failures: r.failures,
            locked: r.failures >= self.config.max_pin_failures,
            revoked: r.state == KeyState::Revoked,
        })
    }

    /// The curve and public key `BYTES(Q)` of an active key; `None` while
    /// it is being generated, once revoked, or when unknown.
    pub fn public_key(&self, key_id: &KeyId) -> Result<Option<(CurveId, Vec<u8>)>> {
        let Some(r) = self.shares.load(key_id)? else {
            return Ok(None);
        };
        Ok(match r.state {
            KeyState::Active { public, .. } => Some((r.curve, public.to_bytes())),
            _ => None,
        })
    }

    // ---- key generation ---------------------------------------------------

    fn keygen_commit(&self, h: &Header, commitment: &[u8; 64]) -> Result<ResponseBody> {
        let existing = self.shares.load(&h.key_id)?;
        if let Some(r) = &existing
            && !matches!(r.state, KeyState::Generating { .. })
        {
            return Err(Refusal::KeyExists.into());
        }
        let d_srv = random_scalar(h.curve);
        let server_share = Point::mul_generator(&d_srv);
        let proof = schnorr::prove(
            &d_srv,
            &server_share,
            &server_proof_context(h.curve, &h.key_id, commitment),
        );
        let rec = KeyRecord {
            key_id: h.key_id.clone(),
            curve: h.curve,
            version: existing.as_ref().map_or(0, |r| r.version),
            state: KeyState::Generating {
                commitment: *commitment,
                server_share,
            },
            epoch: 0,
            failures: 0,
            sealed_share: self.seal_share(h.curve, &h.key_id, 0, &d_srv)?,
            pending_refresh: None,
            last_refresh: None,
        };
        let stored = match existing {
            None => self.shares.insert(&rec)?,
            Some(_) => self.shares.replace(&rec)?,
        };
        if !stored {
            return Err(Refusal::KeyExists.into());
        }
        Ok(ResponseBody::KeygenShare {
            server_share,
            proof,
        })
    }

    fn keygen_open(
        &self,
        h: &Header,
        device_share: &Point,
        proof: &Proof,
        opening: &[u8; 32],
    ) -> Result<ResponseBody> {
        let mut rec = self
            .shares
            .load(&h.key_id)?
            .ok_or(Refusal::NoKeygenInProgress)?;
        let KeyState::Generating {
            commitment,
            server_share,
        } = rec.state
        else {
            return Err(Refusal::KeyExists.into());
        };
        if rec.curve != h.curve {
            return Err(Refusal::CurveMismatch.into());
        }
        if keygen_commitment(h.curve, &h.key_id, device_share, proof, opening) != commitment {
            return Err(Refusal::CommitmentMismatch.into());
        }
        if !schnorr::verify(
            device_share,
            proof,
            &device_proof_context(h.curve, &h.key_id),
        ) {
            return Err(Refusal::ProofInvalid.into());
        }
        let public = device_share.add(&server_share);
        if public.is_identity() {
            return Err(DistributedError::Degenerate(Field::PublicKey));
        }
        // The first batch is stored before the key becomes active, so an
        // active key always has commitments to hand out.
        let batch = self.new_commitments(h.curve, &h.key_id, self.config.keygen_batch)?;
        rec.state = KeyState::Active {
            public,
            device_share: *device_share,
        };
        if !self.shares.replace(&rec)? {
            return Err(Refusal::Unavailable.into());
        }
        Ok(ResponseBody::KeygenDone { public, batch })
    }

    // ---- nonces and signing -----------------------------------------------

    fn nonce_batch(&self, h: &Header, count: u16) -> Result<ResponseBody> {
        self.active(h)?;
        if count == 0 || count > self.config.max_batch {
            return Err(Refusal::InvalidRequest.into());
        }
        if self.pool.unused(&h.key_id)? + usize::from(count) > self.config.max_unused {
            return Err(Refusal::PoolFull.into());
        }
        let batch = self.new_commitments(h.curve, &h.key_id, count)?;
        Ok(ResponseBody::NonceBatch { batch })
    }

    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        h: &Header,
        epoch: u32,
        index: u64,
        dev_d: &Point,
        dev_e: &Point,
        s_dev: &Scalar,
        digest: &[u8],
    ) -> Result<ResponseBody> {
        let (rec, public, q_dev) = self.active(h)?;
        check_epoch(&rec, epoch)?;
        // Used up durably before anything is computed with it.
        let entry = self.take(&h.key_id, index)?;
        let (a, b) = self.open_nonces(h.curve, &h.key_id, &entry)?;
        let binding = bind(&SignInputs {
            key_id: &h.key_id,
            public: &public,
            digest,
            index,
            dev_d,
            dev_e,
            srv_d: &entry.d,
            srv_e: &entry.e,
        })?;
        if !partial_is_valid(&binding, s_dev, &q_dev, dev_d, dev_e, &binding.rho_dev) {
            return Err(self.count_failure(&h.key_id)?.into());
        }
        let d_srv = self.open_share(&rec)?;
        let s = s_dev.add(&partial(&binding, &d_srv, &a, &b, &binding.rho_srv));
        drop((a, b, d_srv));
        if s.is_zero() {
            return Err(Refusal::DegenerateNonce.into());
        }
        let signature = signature_bytes(&binding.r, &s);
        // Cannot fail for valid stored state; a failure means corrupted storage.
        VerifyingKey::from_point(public)
            .and_then(|k| k.verify_digest(digest, &signature))
            .map_err(|_| DistributedError::SealBroken)?;
        self.reset_failures(&rec)?;
        // Replace the commitment used, if the pool has room.
        let refill = if self.pool.unused(&h.key_id)? < self.config.max_unused {
            self.new_commitments(h.curve, &h.key_id, 1)?
        } else {
            Vec::new()
        };
        Ok(ResponseBody::Signature { signature, refill })
    }

    // ---- PIN proofs and refresh -------------------------------------------

    /// Verifies a PIN proof bound to nonce commitment `index` (used up first);
    /// a bad proof counts as a wrong PIN, a good one resets the count.
    fn check_pin(
        &self,
        h: &Header,
        epoch: u32,
        index: u64,
        proof: &Proof,
        extra: &[u8],
    ) -> Result<KeyRecord> {
        let (rec, _, q_dev) = self.active(h)?;
        check_epoch(&rec, epoch)?;
        let entry = self.take(&h.key_id, index)?;
        let c = ServerCommitment {
            index,
            d: entry.d,
            e: entry.e,
        };
        let ctx = pin_proof_context(h.curve, &h.key_id, epoch, &c, extra);
        if !schnorr::verify(&q_dev, proof, &ctx) {
            return Err(self.count_failure(&h.key_id)?.into());
        }
        self.reset_failures(&rec)?;
        self.load(&h.key_id)
    }

    fn refresh_begin(
        &self,
        h: &Header,
        epoch: u32,
        index: u64,
        proof: &Proof,
        commitment: &[u8; 64],
    ) -> Result<ResponseBody> {
        let mut rec = self.check_pin(h, epoch, index, proof, commitment)?;
        let delta = random_scalar(h.curve);
        // Phase 1: remember delta_srv next to the commitment; shares unchanged.
        rec.pending_refresh = Some(PendingRefresh {
            commitment: *commitment,
            sealed_delta: self.sealer.seal(
                &aad(
                    "refresh",
                    h.curve,
                    &h.key_id,
                    &[&epoch.to_be_bytes(), commitment],
                ),
                &delta.to_be_bytes(),
            )?,
        });
        if !self.shares.replace(&rec)? {
            return Err(Refusal::Unavailable.into());
        }
        Ok(ResponseBody::RefreshContribution { delta })
    }

    fn refresh_commit(
        &self,
        h: &Header,
        epoch: u32,
        delta_dev: &Scalar,
        opening: &[u8; 32],
    ) -> Result<ResponseBody> {
        let commitment = refresh_commitment(h.curve, &h.key_id, epoch, delta_dev, opening);
        for _ in 0..CAS_TRIES {
            let (mut rec, _, q_dev) = self.active(h)?;
            // A retried commit that already went through.
            if rec.last_refresh == Some(commitment) && Some(rec.epoch) == epoch.checked_add(1) {
                return Ok(ResponseBody::RefreshDone { epoch: rec.epoch });
            }
            let Some(p) = rec.pending_refresh.clone() else {
                return Err(Refusal::RefreshUnknown.into());
            };
            if rec.epoch != epoch || p.commitment != commitment {
                return Err(Refusal::RefreshUnknown.into());
            }
            let delta_srv = self.open_scalar(
                h.curve,
                &aad(
                    "refresh",
                    h.curve,
                    &h.key_id,
                    &[&epoch.to_be_bytes(), &commitment],
                ),
                &p.sealed_delta,
            )?;
            let delta = delta_dev.add(&delta_srv);
            let new_epoch = epoch.checked_add(1).ok_or(Refusal::InvalidRequest)?;
            let new_q_dev = q_dev.add(&Point::mul_generator(&delta));
            if new_q_dev.is_identity() {
                return Err(DistributedError::Degenerate(Field::DevicePublicShare));
            }
            let d_srv = self.open_share(&rec)?.sub(&delta);
            // Phase 2: one swap moves both the share and Q_dev to the new epoch.
            rec.sealed_share = self.seal_share(h.curve, &h.key_id, new_epoch, &d_srv)?;
            if let KeyState::Active { device_share, .. } = &mut rec.state {
                *device_share = new_q_dev;
            }
            rec.epoch = new_epoch;
            rec.pending_refresh = None;
            rec.last_refresh = Some(commitment);
            if self.shares.replace(&rec)? {
                return Ok(ResponseBody::RefreshDone { epoch: new_epoch });
            }
        }
        Err(Refusal::Unavailable.into())
    }

    // ---- helpers ----------------------------------------------------------

    fn load(&self, key_id: &KeyId) -> Result<KeyRecord> {
        Ok(self.shares.load(key_id)?.ok_or(Refusal::UnknownKey)?)
    }

    /// The record of a usable key with `Q` and `Q_dev`.
    fn active(&self, h: &Header) -> Result<(KeyRecord, Point, Point)> {
        let rec = self.load(&h.key_id)?;
        if rec.curve != h.curve {
            return Err(Refusal::CurveMismatch.into());
        }
        let (public, q_dev) = match rec.state {
            KeyState::Active {
                public,
                device_share,
            } => (public, device_share),
            KeyState::Revoked => return Err(Refusal::KeyRevoked.into()),
            KeyState::Generating { .. } => return Err(Refusal::UnknownKey.into()),
        };
        if rec.failures >= self.config.max_pin_failures {
            return Err(Refusal::KeyLocked.into());
        }
        Ok((rec, public, q_dev))
    }

    /// Applies `f` to the record by compare-and-swap.
    fn update(
        &self,
        key_id: &KeyId,
        mut f: impl FnMut(&mut KeyRecord) -> Result<()>,
    ) -> Result<()> {
        for _ in 0..CAS_TRIES {
            let mut rec = self.load(key_id)?;
            f(&mut rec)?;
            if self.shares.replace(&rec)? {
                return Ok(());
            }
        }
        Err(Refusal::Unavailable.into())
    }

    /// Counts a wrong PIN; the refusal to answer with.
    fn count_failure(&self, key_id: &KeyId) -> Result<Refusal> {
        let mut failures = 0;
        self.update(key_id, |r| {
            r.failures = r.failures.saturating_add(1);
            failures = r.failures;
            Ok(())
        })?;
        let remaining = self.config.max_pin_failures.saturating_sub(failures);
        Ok(if remaining == 0 {
            Refusal::KeyLocked
        } else {
            Refusal::PinRejected { remaining }
        })
    }

    fn reset_failures(&self, rec: &KeyRecord) -> Result<()> {
        if rec.failures == 0 {
            return Ok(());
        }
        self.update(&rec.key_id, |r| {
            r.failures = 0;
            Ok(())
        })
    }

    fn take(&self, key_id: &KeyId, index: u64) -> Result<PoolEntry> {
        match self.pool.take(key_id, index)? {
            Taken::Fresh(e) => Ok(*e),
            Taken::AlreadyUsed => Err(Refusal::NonceUsed.into()),
            Taken::Unknown => Err(Refusal::NonceUnknown.into()),
        }
    }

    /// `n` fresh nonce pairs, stored (sealed) before they are handed out.
    fn new_commitments(
        &self,
        curve: CurveId,
        key_id: &KeyId,
        n: u16,
    ) -> Result<Vec<ServerCommitment>> {
        let mut entries = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            let (a, b) = (random_scalar(curve), random_scalar(curve));
            let (d, e) = (Point::mul_generator(&a), Point::mul_generator(&b));
            let mut idx = [0u8; 8];
            rand_core::Rng::fill_bytes(&mut crate::crypto::os_rng(), &mut idx);
            let index = u64::from_be_bytes(idx);
            let mut secret = a.to_be_bytes();
            secret.extend_from_slice(&b.to_be_bytes());
            let sealed = self
                .sealer
                .seal(&nonce_aad(curve, key_id, index, &d, &e), &secret);
            secret.zeroize();
            let sealed = sealed?;
            entries.push(PoolEntry {
                index,
                d,
                e,
                sealed,
            });
        }
        self.pool.insert(key_id, &entries)?;
        Ok(entries
            .into_iter()
            .map(|e| ServerCommitment {
                index: e.index,
                d: e.d,
                e: e.e,
            })
            .collect())
    }

    fn open_nonces(
        &self,
        curve: CurveId,
        key_id: &KeyId,
        entry: &PoolEntry,
    ) -> Result<(Scalar, Scalar)> {
        let aad = nonce_aad(curve, key_id, entry.index, &entry.d, &entry.e);
        let plain = self.sealer.open(&aad, &entry.sealed)?;
        let n = curve.coord_len();
        let bad = |_| DistributedError::SealBroken;
        if plain.len() != 2 * n {
            return Err(DistributedError::SealBroken);
        }
        let (a, b) = plain.expose().split_at(n);
        Ok((
            Scalar::from_be_bytes(curve, a).map_err(bad)?,
            Scalar::from_be_bytes(curve, b).map_err(bad)?,
        ))
    }

    fn seal_share(
        &self,
        curve: CurveId,
        key_id: &KeyId,
        epoch: u32,
        d: &Scalar,
    ) -> Result<Vec<u8>> {
        let mut b = d.to_be_bytes();
        let sealed = self
            .sealer
            .seal(&aad("share", curve, key_id, &[&epoch.to_be_bytes()]), &b);
        b.zeroize();
        sealed
    }

    fn open_share(&self, rec: &KeyRecord) -> Result<Scalar> {
        let aad = aad("share", rec.curve, &rec.key_id, &[&rec.epoch.to_be_bytes()]);
        self.open_scalar(rec.curve, &aad, &rec.sealed_share)
    }

    fn open_scalar(&self, curve: CurveId, aad: &[u8], sealed: &[u8]) -> Result<Scalar> {
        let plain = self.sealer.open(aad, sealed)?;
        Scalar::from_be_bytes(curve, plain.expose()).map_err(|_| DistributedError::SealBroken)
    }
}

fn nonce_aad(curve: CurveId, key_id: &KeyId, index: u64, d: &Point, e: &Point) -> Vec<u8> {
    aad(
        "nonce",
        curve,
        key_id,
        &[&index.to_be_bytes(), &d.to_bytes(), &e.to_bytes()],
    )
}

fn check_epoch(rec: &KeyRecord, epoch: u32) -> Result<()> {
    if rec.epoch == epoch {
        Ok(())
    } else {
        Err(Refusal::StaleShare {
            device: epoch,
            server: rec.epoch,
        }
        .into())
    }
}
