//! Two-party keys, device role: one-line forwards to
//! `fkn_core::distributed::{Device, DeviceKey}` over the app's
//! [`SecureStore`] and [`ServerChannel`].

use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use fkn_core::crypto::ec::CurveId;
use fkn_core::distributed::{
    Device, DeviceConfig, DeviceKey, FileSecureStore, KeyId, SecureStore as CoreStore,
    ServerChannel as CoreChannel,
};
use fkn_core::onboarding::{DeviceCredential, SignedChannel};
use zeroize::Zeroizing;

use crate::error::{FknError, invalid};
use crate::live::LiveGuard;
use crate::pki::with_signer;
use crate::two_party_platform::{ChannelBridge, SecureStore, ServerChannel, StoreBridge};

/// A two-party key id from the app, checked (`Misuse` if it is not one).
pub(crate) fn key_id(id: &str) -> Result<KeyId, FknError> {
    Ok(KeyId::new(id)?)
}

/// A two-party key as the device stores it (public data only).
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct TwoPartyKeyInfo {
    /// The key id, shared with the server.
    pub key_id: String,
    /// The curve.
    pub curve: CurveId,
    /// The joint public key `Q` (X then Y, little-endian).
    pub public_key: Vec<u8>,
    /// Share refreshes so far.
    pub epoch: u32,
    /// Server nonce commitments the device holds: each makes one signature
    /// a single round trip.
    pub commitments_left: u32,
}

/// The device side of two-party keys: the private key is split between this
/// device and the signing server and never exists whole. Every method blocks
/// on the server round trips it makes (through the app's `ServerChannel`)
/// and on PBKDF2 of the PIN; call it off the main thread.
///
/// The device stores its share masked by the PIN so that every PIN unmasks
/// to some share: a stolen device offers no offline PIN test, a wrong PIN is
/// only found out (and counted) by the server.
#[derive(uniffi::Object)]
pub struct TwoPartyDevice {
    /// The device over the signed channel once enrolled (or the plain one).
    inner: RwLock<Device>,
    pub(crate) store: Arc<dyn CoreStore>,
    /// The app's channel as it is, for pairing.
    pub(crate) raw: Arc<dyn CoreChannel>,
    pub(crate) config: DeviceConfig,
    _live: LiveGuard,
}

impl TwoPartyDevice {
    fn wrap(
        store: Arc<dyn CoreStore>,
        channel: Arc<dyn ServerChannel>,
        iterations: u32,
    ) -> Arc<Self> {
        let config = DeviceConfig {
            pbkdf2_iterations: iterations,
            ..DeviceConfig::default()
        };
        let raw: Arc<dyn CoreChannel> = Arc::new(ChannelBridge::new(channel));
        let device = Self::device_for(&store, &raw, &config);
        Arc::new(TwoPartyDevice {
            inner: RwLock::new(device),
            store,
            raw,
            config,
            _live: LiveGuard::new(),
        })
    }

    /// Signs every request with the device credential when the store holds
    /// one (an enrolled device); otherwise talks plainly (the in-memory
    /// `VirtualSigningServer` of tests and demos).
    pub(crate) fn device_for(
        store: &Arc<dyn CoreStore>,
        raw: &Arc<dyn CoreChannel>,
        config: &DeviceConfig,
    ) -> Device {
        let channel: Arc<dyn CoreChannel> = match DeviceCredential::load(&**store) {
            Ok(c) => Arc::new(SignedChannel::new(Arc::new(c), raw.clone())),
            Err(_) => raw.clone(),
        };
        Device::new(store.clone(), channel, config.clone())
    }

    /// The current device (a cheap clone of `Arc`s).
    fn device(&self) -> Device {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Switches to the signed channel after enrollment.
    pub(crate) fn reload(&self) {
        let device = Self::device_for(&self.store, &self.raw, &self.config);
        *self
            .inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = device;
    }
}

#[uniffi::export]
impl TwoPartyDevice {
    /// A device over the app's key store and server channel, with the
    /// default PIN hardening (100 000 PBKDF2 rounds).
    #[uniffi::constructor]
    pub fn new(store: Arc<dyn SecureStore>, channel: Arc<dyn ServerChannel>) -> Arc<Self> {
        let iterations = DeviceConfig::default().pbkdf2_iterations;
        Self::wrap(Arc::new(StoreBridge::new(store)), channel, iterations)
    }

    /// Like `new` with `pbkdf2_iterations` rounds of PIN hardening (at least
    /// 1000): for tests, and for apps that measured their slowest phone.
    #[uniffi::constructor]
    pub fn with_iterations(
        store: Arc<dyn SecureStore>,
        channel: Arc<dyn ServerChannel>,
        pbkdf2_iterations: u32,
    ) -> Result<Arc<Self>, FknError> {
        if pbkdf2_iterations < 1000 {
            return Err(invalid("use at least 1000 PBKDF2 iterations"));
        }
        Ok(Self::wrap(
            Arc::new(StoreBridge::new(store)),
            channel,
            pbkdf2_iterations,
        ))
    }

    /// A device whose records are files in `directory` (created if missing,
    /// owner-only): desktops and JVM tests. Phones should wrap records with
    /// the platform key store through `new`.
    #[uniffi::constructor]
    pub fn with_file_store(
        directory: String,
        channel: Arc<dyn ServerChannel>,
    ) -> Result<Arc<Self>, FknError> {
        let store = FileSecureStore::new(&directory)?;
        let iterations = DeviceConfig::default().pbkdf2_iterations;
        Ok(Self::wrap(Arc::new(store), channel, iterations))
    }

    /// Generates a two-party key `key_id` (1 to 64 of `A-Z a-z 0-9 . _ -`)
    /// with the server: two round trips, both sides prove knowledge of their
    /// share. Stores the device share masked under `pin`; returns the joint
    /// public key (X then Y, little-endian).
    pub fn generate(
        &self,
        key_id: String,
        curve: CurveId,
        pin: String,
    ) -> Result<Vec<u8>, FknError> {
        let pin = Zeroizing::new(pin);
        let public = self
            .device()
            .generate(&self::key_id(&key_id)?, curve, pin.as_bytes())?;
        Ok(public.to_bytes())
    }

    /// What the device stores of `key_id` (public data only).
    pub fn key_info(&self, key_id: String) -> Result<TwoPartyKeyInfo, FknError> {
        let rec = self.device().record(&self::key_id(&key_id)?)?;
        Ok(TwoPartyKeyInfo {
            key_id,
            curve: rec.curve(),
            public_key: rec.public_key().to_bytes(),
            epoch: rec.epoch(),
            commitments_left: u32::try_from(rec.commitments_left()).unwrap_or(u32::MAX),
        })
    }

    /// Unlocks `key_id` with `pin` for signing. Local only: a wrong PIN is
    /// not detected here (nothing on the device could check it) but by the
    /// server at the first signature, which then throws `WrongPin`.
    pub fn unlock(&self, key_id: String, pin: String) -> Result<Arc<TwoPartyKey>, FknError> {
        let pin = Zeroizing::new(pin);
        let key = self
            .device()
            .unlock(&self::key_id(&key_id)?, pin.as_bytes())?;
        Ok(Arc::new(TwoPartyKey {
            curve: key.verifying_key().curve(),
            inner: Mutex::new(key),
            _live: LiveGuard::new(),
        }))
    }

    /// Changes the PIN of `key_id`. The server first checks a proof made with
    /// the old PIN (counted as an attempt), so a mistyped old PIN throws
    /// `WrongPin` and leaves the key as it was. One round trip.
    pub fn change_pin(
        &self,
        key_id: String,
        old_pin: String,
        new_pin: String,
    ) -> Result<(), FknError> {
        let (old_pin, new_pin) = (Zeroizing::new(old_pin), Zeroizing::new(new_pin));
        Ok(self.device().change_pin(
            &self::key_id(&key_id)?,
            old_pin.as_bytes(),
            new_pin.as_bytes(),
        )?)
    }

    /// Re-randomizes both shares (the device's and the server's); the old
    /// ones stop working. Two round trips; safe to interrupt: the next call
    /// finishes it.
    pub fn refresh(&self, key_id: String, pin: String) -> Result<(), FknError> {
        let pin = Zeroizing::new(pin);
        Ok(self
            .device()
            .refresh(&self::key_id(&key_id)?, pin.as_bytes())?)
    }

    /// Finishes a share refresh that was interrupted, if any.
    pub fn resume(&self, key_id: String) -> Result<(), FknError> {
        Ok(self.device().resume(&self::key_id(&key_id)?)?)
    }

    /// Deletes the device's record of `key_id` (revoke it on the server too).
    pub fn delete(&self, key_id: String) -> Result<(), FknError> {
        Ok(self.device().delete(&self::key_id(&key_id)?)?)
    }
}

/// An unlocked two-party key: signs digests, certification requests,
/// certificates and CMS like a token key, one server round trip per
/// signature. Holds the PIN's mask, never the share; `close()` it (Kotlin
/// `use`) when done.
#[derive(uniffi::Object)]
pub struct TwoPartyKey {
    curve: CurveId,
    inner: Mutex<DeviceKey>,
    _live: LiveGuard,
}

impl TwoPartyKey {
    fn lock(&self) -> Result<MutexGuard<'_, DeviceKey>, FknError> {
        self.inner
            .lock()
            .map_err(|_| invalid("this key failed internally earlier; unlock it again"))
    }

    /// Runs `f` with the unlocked key (for other modules of the FFI).
    pub(crate) fn with_key<T>(
        &self,
        f: impl FnOnce(&mut DeviceKey) -> Result<T, FknError>,
    ) -> Result<T, FknError> {
        f(&mut *self.lock()?)
    }
}

#[uniffi::export]
impl TwoPartyKey {
    /// The key id.
    pub fn key_id(&self) -> Result<String, FknError> {
        Ok(self.lock()?.key_id().as_str().to_owned())
    }

    /// The curve.
    pub fn curve(&self) -> CurveId {
        self.curve
    }

    /// The joint public key (X then Y, little-endian).
    pub fn public_key(&self) -> Result<Vec<u8>, FknError> {
        Ok(self.lock()?.verifying_key().to_bytes())
    }

    /// Signs a Streebog digest of the key's size (`digest_algorithm_for`),
    /// returns `s || r`, already verified against the public key. Throws
    /// `WrongPin` if the key was unlocked with a wrong PIN.
    pub fn sign_digest(&self, digest: Vec<u8>) -> Result<Vec<u8>, FknError> {
        Ok(self.lock()?.sign_digest(&digest)?)
    }

    /// A PKCS #10 certification request (DER); `subject` as for
    /// `TokenSession.create_csr`.
    pub fn create_csr(&self, subject: String) -> Result<Vec<u8>, FknError> {
        with_signer::csr(&mut *self.lock()?, &subject)
    }

    /// A self-signed certificate (DER) valid for `days` days.
    pub fn self_signed_certificate(&self, subject: String, days: u32) -> Result<Vec<u8>, FknError> {
        with_signer::self_signed(&mut *self.lock()?, &subject, days)
    }

    /// A CMS SignedData (DER) over `content` with `certificate` embedded;
    /// `detached` leaves the content out.
    pub fn sign_cms(
        &self,
        certificate: Vec<u8>,
        content: Vec<u8>,
        detached: bool,
    ) -> Result<Vec<u8>, FknError> {
        with_signer::cms(&mut *self.lock()?, &certificate, &content, detached)
    }

    /// A detached CMS SignedData over content already hashed with the key's
    /// Streebog.
    pub fn sign_cms_digest(
        &self,
        certificate: Vec<u8>,
        content_digest: Vec<u8>,
    ) -> Result<Vec<u8>, FknError> {
        with_signer::cms_digest(&mut *self.lock()?, &certificate, &content_digest)
    }
}
