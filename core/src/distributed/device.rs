//! The device role: key generation, signing, PIN change and share refresh,
//! talking to the server through a [`ServerChannel`] and keeping its record
//! in a [`SecureStore`].
//!
//! One operation per key at a time: the app serialises them (as it does for
//! a token).

use std::sync::Arc;

use super::at_rest::{DeviceRecord, PendingDelta};
use super::error::{ChannelError, DistributedError, Field, Refusal, Result};
use super::ids::{KeyId, new_request_id};
use super::messages::{
    Header, Request, RequestBody, Response, ResponseBody, ServerCommitment, WireCommitment,
    commitments_to_wire,
};
use super::schnorr;
use super::secure_store::SecureStore;
use super::sign::{SignInputs, bind, partial};
use super::transcript::Transcript;
use crate::crypto::ec::{CurveId, Point, Scalar, VerifyingKey};
use crate::pki::{DigestSigner, PkiError};

/// Carries one request to the server and brings back its response; the app
/// implements it with its own HTTP stack (TLS required: see the security
/// model). Object safe, for the FFI.
pub trait ServerChannel: Send + Sync {
    /// Sends `request`, returns the server's response bytes.
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, ChannelError>;
}

/// Device-side settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceConfig {
    /// PBKDF2 iterations of the PIN mask. There is no offline PIN test to
    /// slow down, so this guards only against an attacker who also sees the
    /// traffic; keep it high anyway (tests lower it).
    pub pbkdf2_iterations: u32,
    /// Nonce commitments fetched per batch.
    pub batch_size: u16,
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig {
            pbkdf2_iterations: 100_000,
            batch_size: 16,
        }
    }
}

/// The device side of two-party keys.
#[derive(Clone)]
pub struct Device {
    store: Arc<dyn SecureStore>,
    channel: Arc<dyn ServerChannel>,
    config: DeviceConfig,
}

impl core::fmt::Debug for Device {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Device")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Context of a key generation proof or commitment.
fn keygen_transcript(label: &'static str, curve: CurveId, key_id: &KeyId) -> Transcript {
    let mut t = Transcript::new(label);
    t.curve(curve).bytes(key_id.as_str().as_bytes());
    t
}

pub(crate) fn device_proof_context(curve: CurveId, key_id: &KeyId) -> Transcript {
    keygen_transcript("keygen device proof", curve, key_id)
}

pub(crate) fn server_proof_context(
    curve: CurveId,
    key_id: &KeyId,
    commitment: &[u8; 64],
) -> Transcript {
    let mut t = keygen_transcript("keygen server proof", curve, key_id);
    t.bytes(commitment);
    t
}

pub(crate) fn keygen_commitment(
    curve: CurveId,
    key_id: &KeyId,
    device_share: &Point,
    proof: &schnorr::Proof,
    opening: &[u8; 32],
) -> [u8; 64] {
    let mut t = keygen_transcript("keygen commitment", curve, key_id);
    t.point(device_share)
        .point(&proof.t)
        .scalar(&proof.z)
        .bytes(opening);
    t.digest()
}

/// Context of a PIN proof: bound to the key, its epoch and a server nonce
/// commitment that the server uses up, so a proof cannot be replayed.
pub(crate) fn pin_proof_context(
    curve: CurveId,
    key_id: &KeyId,
    epoch: u32,
    c: &ServerCommitment,
    extra: &[u8],
) -> Transcript {
    let mut t = Transcript::new("pin proof");
    t.curve(curve)
        .bytes(key_id.as_str().as_bytes())
        .u64(u64::from(epoch))
        .u64(c.index)
        .point(&c.d)
        .point(&c.e)
        .bytes(extra);
    t
}

pub(crate) fn refresh_commitment(
    curve: CurveId,
    key_id: &KeyId,
    epoch: u32,
    delta_dev: &Scalar,
    opening: &[u8; 32],
) -> [u8; 64] {
    let mut t = Transcript::new("refresh commitment");
    t.curve(curve)
        .bytes(key_id.as_str().as_bytes())
        .u64(u64::from(epoch))
        .scalar(delta_dev)
        .bytes(opening);
    t.digest()
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand_core::Rng::fill_bytes(&mut crate::crypto::os_rng(), &mut b);
    b
}

fn random_scalar(curve: CurveId) -> Scalar {
    Scalar::random_nonzero(curve, &mut crate::crypto::os_rng())
}

impl Device {
    /// A device role over the platform's store and channel.
    pub fn new(
        store: Arc<dyn SecureStore>,
        channel: Arc<dyn ServerChannel>,
        config: DeviceConfig,
    ) -> Self {
        Device {
            store,
            channel,
            config,
        }
    }

    /// Generates a two-party key with the server (two round trips, plus
    /// none: the first nonce batch comes with the second answer) and stores
    /// the device share masked under `pin`. Returns the public key `Q`.
    pub fn generate(&self, key_id: &KeyId, curve: CurveId, pin: &[u8]) -> Result<VerifyingKey> {
        if pin.is_empty() {
            return Err(DistributedError::EmptyPin);
        }
        if self.store.load(key_id.as_str())?.is_some() {
            return Err(DistributedError::KeyExists);
        }
        let d_dev = random_scalar(curve);
        let q_dev = Point::mul_generator(&d_dev);
        let proof = schnorr::prove(&d_dev, &q_dev, &device_proof_context(curve, key_id));
        let opening = random_bytes::<32>();
        let commitment = keygen_commitment(curve, key_id, &q_dev, &proof, &opening);

        let ResponseBody::KeygenShare {
            server_share,
            proof: srv_proof,
        } = self.call(curve, key_id, RequestBody::KeygenCommit { commitment })?
        else {
            return Err(DistributedError::UnexpectedResponse);
        };
        // Decoding checked Q_srv: on the curve, in the subgroup, not O.
        let ctx = server_proof_context(curve, key_id, &commitment);
        if !schnorr::verify(&server_share, &srv_proof, &ctx) {
            return Err(DistributedError::ServerProofInvalid);
        }
        let public = q_dev.add(&server_share);
        let public = VerifyingKey::from_point(public)
            .map_err(|_| DistributedError::Degenerate(Field::PublicKey))?;

        let ResponseBody::KeygenDone {
            public: srv_public,
            batch,
        } = self.call(
            curve,
            key_id,
            RequestBody::KeygenOpen {
                device_share: q_dev,
                proof,
                opening,
            },
        )?
        else {
            return Err(DistributedError::UnexpectedResponse);
        };
        if srv_public != *public.point() {
            return Err(DistributedError::PublicKeyMismatch);
        }
        let mut rec = DeviceRecord {
            curve,
            key_id: key_id.clone(),
            public: public.clone(),
            salt: [0; 16],
            iterations: 0,
            masked: Scalar::zero(curve),
            epoch: 0,
            pool: commitments_to_wire(&batch),
            pending: None,
        };
        rec.mask(&d_dev, pin, self.config.pbkdf2_iterations);
        self.save(&rec)?;
        Ok(public)
    }

    /// The stored record of a key (public data only is exposed).
    pub fn record(&self, key_id: &KeyId) -> Result<DeviceRecord> {
        let blob = self
            .store
            .load(key_id.as_str())?
            .ok_or(DistributedError::KeyNotFound)?;
        let rec = DeviceRecord::decode(&blob)?;
        if rec.key_id != *key_id {
            return Err(DistributedError::KeyNotFound);
        }
        Ok(rec)
    }

    /// The public key `Q`.
    pub fn public_key(&self, key_id: &KeyId) -> Result<VerifyingKey> {
        Ok(self.record(key_id)?.public)
    }

    /// Unmasks the share with `pin`, locally: no round trip, and no error for
    /// a wrong PIN (there is nothing on the device to check it against); the
    /// server refuses the first signature made with a wrong one.
    pub fn unlock(&self, key_id: &KeyId, pin: &[u8]) -> Result<DeviceKey> {
        let rec = self.record(key_id)?;
        let mask = super::at_rest::pin_mask(rec.curve, key_id, &rec.salt, rec.iterations, pin);
        Ok(DeviceKey {
            device: self.clone(),
            key_id: key_id.clone(),
            curve: rec.curve,
            public: rec.public,
            mask,
            salt: rec.salt,
        })
    }

    /// Changes the PIN. The server first checks a proof made with the old
    /// PIN's share (counted as a PIN attempt), so a mistyped old PIN can never
    /// re-mask a wrong share. One round trip.
    pub fn change_pin(&self, key_id: &KeyId, old_pin: &[u8], new_pin: &[u8]) -> Result<()> {
        if new_pin.is_empty() {
            return Err(DistributedError::EmptyPin);
        }
        let mut rec = self.settled_record(key_id)?;
        let share = rec.unmask(old_pin);
        let c = self.take_commitment(&mut rec)?;
        let ctx = pin_proof_context(rec.curve, key_id, rec.epoch, &c, &[]);
        let proof = schnorr::prove(&share, &Point::mul_generator(&share), &ctx);
        let body = RequestBody::PinCheck {
            epoch: rec.epoch,
            index: c.index,
            proof,
        };
        let ResponseBody::PinAccepted = self.call(rec.curve, key_id, body)? else {
            return Err(DistributedError::UnexpectedResponse);
        };
        rec.mask(&share, new_pin, self.config.pbkdf2_iterations);
        self.save(&rec)
    }

    /// Refreshes both shares by a jointly random `delta` (`d_dev + delta`,
    /// `d_srv - delta`); the old shares stop working. Two round trips, in two
    /// phases: a crash at any point leaves the old pair or the new pair
    /// working, and the next operation finishes an interrupted refresh.
    pub fn refresh(&self, key_id: &KeyId, pin: &[u8]) -> Result<()> {
        let mut rec = self.record(key_id)?;
        if rec.pending.is_some() {
            // Finishing the interrupted refresh is the refresh asked for.
            return match self.finish_refresh(&mut rec)? {
                true => Ok(()),
                false => Err(Refusal::RefreshUnknown.into()),
            };
        }
        let share = rec.unmask(pin);
        let c = self.take_commitment(&mut rec)?;
        let delta_dev = random_scalar(rec.curve);
        let opening = random_bytes::<32>();
        let commitment = refresh_commitment(rec.curve, key_id, rec.epoch, &delta_dev, &opening);
        let ctx = pin_proof_context(rec.curve, key_id, rec.epoch, &c, &commitment);
        let proof = schnorr::prove(&share, &Point::mul_generator(&share), &ctx);
        let body = RequestBody::RefreshBegin {
            epoch: rec.epoch,
            index: c.index,
            proof,
            commitment,
        };
        let ResponseBody::RefreshContribution { delta: delta_srv } =
            self.call(rec.curve, key_id, body)?
        else {
            return Err(DistributedError::UnexpectedResponse);
        };
        rec.pending = Some(PendingDelta {
            delta_dev,
            opening,
            delta_srv,
        });
        self.save(&rec)?;
        match self.finish_refresh(&mut rec)? {
            true => Ok(()),
            false => Err(Refusal::RefreshUnknown.into()),
        }
    }

    /// Finishes a refresh interrupted between its phases, if any (every other
    /// operation does this first by itself).
    pub fn resume(&self, key_id: &KeyId) -> Result<()> {
        self.settled_record(key_id).map(|_| ())
    }

    /// Deletes the device's record (revoke the key on the server as well).
    pub fn delete(&self, key_id: &KeyId) -> Result<()> {
        Ok(self.store.delete(key_id.as_str())?)
    }

    /// The record, with an interrupted refresh finished or rolled back.
    fn settled_record(&self, key_id: &KeyId) -> Result<DeviceRecord> {
        let mut rec = self.record(key_id)?;
        if rec.pending.is_some() {
            self.finish_refresh(&mut rec)?;
        }
        Ok(rec)
    }

    /// Phase 2 of a refresh: opens the commitment. `Ok(true)` when the server
    /// committed (now or before: the commit is idempotent), `Ok(false)` when
    /// it holds no such refresh (the old shares stay); on any other error the
    /// pending state stays for a later retry.
    fn finish_refresh(&self, rec: &mut DeviceRecord) -> Result<bool> {
        let Some(p) = rec.pending.clone() else {
            return Ok(false);
        };
        let body = RequestBody::RefreshCommit {
            epoch: rec.epoch,
            delta: p.delta_dev.clone(),
            opening: p.opening,
        };
        match self.call(rec.curve, &rec.key_id.clone(), body) {
            Ok(ResponseBody::RefreshDone { epoch }) if Some(epoch) == rec.epoch.checked_add(1) => {
                rec.masked = rec.masked.add(&p.delta_dev).add(&p.delta_srv);
                rec.epoch = epoch;
                rec.pending = None;
                self.save(rec)?;
                Ok(true)
            }
            Ok(_) => Err(DistributedError::UnexpectedResponse),
            Err(DistributedError::Refused(Refusal::RefreshUnknown)) => {
                rec.pending = None;
                self.save(rec)?;
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Removes one server commitment from the record (fetching a batch first
    /// if none is left) and saves the record, so it is never offered twice;
    /// then checks its points. A damaged stored commitment is refused with
    /// its typed error and is gone: the next operation takes the next one.
    fn take_commitment(&self, rec: &mut DeviceRecord) -> Result<ServerCommitment> {
        if rec.pool.is_empty() {
            let body = RequestBody::NonceBatch {
                count: self.config.batch_size,
            };
            let ResponseBody::NonceBatch { batch } =
                self.call(rec.curve, &rec.key_id.clone(), body)?
            else {
                return Err(DistributedError::UnexpectedResponse);
            };
            rec.pool = commitments_to_wire(&batch);
        }
        if rec.pool.is_empty() {
            return Err(DistributedError::NoNonceCommitments);
        }
        let c: WireCommitment = rec.pool.remove(0);
        self.save(rec)?;
        c.validate(rec.curve)
    }

    fn save(&self, rec: &DeviceRecord) -> Result<()> {
        Ok(self.store.save(rec.key_id.as_str(), &rec.encode())?)
    }

    /// One round trip: checks that the response answers this request and
    /// turns a refusal into an error.
    fn call(&self, curve: CurveId, key_id: &KeyId, body: RequestBody) -> Result<ResponseBody> {
        let header = Header {
            curve,
            key_id: key_id.clone(),
            request_id: new_request_id(),
        };
        let req = Request {
            header: header.clone(),
            body,
        };
        let raw = self.channel.exchange(&req.encode())?;
        let resp = Response::decode(&raw)?;
        if resp.header != header {
            // A server that could not read the request cannot echo it.
            return match resp.body {
                ResponseBody::Refused(
                    r @ (Refusal::InvalidRequest | Refusal::UnsupportedVersion { .. }),
                ) => Err(r.into()),
                _ => Err(DistributedError::UnexpectedResponse),
            };
        }
        match resp.body {
            ResponseBody::Refused(r) => Err(r.into()),
            body => Ok(body),
        }
    }
}

/// A device share unlocked with a PIN, ready to sign; what the PKI code
/// signs with ([`DigestSigner`]). Holds the PIN mask, not the share: the share
/// is unmasked from the stored record for each signature and wiped after.
pub struct DeviceKey {
    device: Device,
    key_id: KeyId,
    curve: CurveId,
    public: VerifyingKey,
    mask: Scalar,
    salt: [u8; 16],
}

impl core::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DeviceKey")
            .field("key_id", &self.key_id)
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

impl DeviceKey {
    /// The key id.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    /// The joint public key `Q`.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// Signs a digest of `curve().digest_len()` bytes (Streebog output order)
    /// with the server; one round trip (two when the device has no server
    /// nonce commitment left). Returns `s || r`, verified against `Q`.
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>> {
        let dev = &self.device;
        let mut rec = dev.settled_record(&self.key_id)?;
        if rec.salt != self.salt {
            return Err(DistributedError::KeyChanged);
        }
        if digest.len() != self.curve.digest_len() {
            return Err(DistributedError::DigestLength {
                curve: self.curve,
                expected: self.curve.digest_len(),
                got: digest.len(),
            });
        }
        let c = dev.take_commitment(&mut rec)?;
        // Fresh random nonces every time: with a second party a deterministic
        // nonce reused against another server commitment would leak the share.
        let (a, b) = (random_scalar(self.curve), random_scalar(self.curve));
        let (d_pt, e_pt) = (Point::mul_generator(&a), Point::mul_generator(&b));
        let binding = bind(&SignInputs {
            key_id: &self.key_id,
            public: self.public.point(),
            digest,
            index: c.index,
            dev_d: &d_pt,
            dev_e: &e_pt,
            srv_d: &c.d,
            srv_e: &c.e,
        })?;
        let share = rec.masked.sub(&self.mask);
        let s_dev = partial(&binding, &share, &a, &b, &binding.rho_dev);
        drop(share);
        let body = RequestBody::Sign {
            epoch: rec.epoch,
            index: c.index,
            d: d_pt,
            e: e_pt,
            partial: s_dev,
            digest: digest.to_vec(),
        };
        let ResponseBody::Signature { signature, refill } =
            dev.call(self.curve, &self.key_id, body)?
        else {
            return Err(DistributedError::UnexpectedResponse);
        };
        if self.public.verify_digest(digest, &signature).is_err() {
            return Err(DistributedError::ServerSignatureInvalid);
        }
        // Keeping the refill is best effort: without it the next signature
        // fetches a batch.
        rec.pool.extend(refill.iter().map(WireCommitment::new));
        let _ = dev.save(&rec);
        Ok(signature)
    }
}

/// A two-party key signs certificates, requests and CMS like a token key.
impl DigestSigner for DeviceKey {
    fn curve(&self) -> CurveId {
        self.curve
    }

    fn public_key(&self) -> Vec<u8> {
        self.public.to_bytes()
    }

    fn sign_digest(&mut self, digest: &[u8]) -> Result<Vec<u8>, PkiError> {
        // The SDK's error, so a wrong PIN inside a CMS reads as a wrong PIN.
        DeviceKey::sign_digest(self, digest)
            .map_err(|e| PkiError::Signer(Box::new(crate::Error::from(e))))
    }
}
