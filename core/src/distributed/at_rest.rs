//! The device's key record at rest, and the PIN mask over its share.
//!
//! The share is stored as `d_dev + m mod q` with
//! `m = PBKDF2-HMAC-Streebog-512(PIN, label || key id || salt) mod q`
//! (twice the curve's length of output, so `m` is uniform to within
//! `2^-250`). For a fixed record every PIN, right or wrong, unmasks to some
//! scalar, uniformly distributed over the guesses, and the record holds
//! nothing a guess can be checked against: no `Q_dev`, no `Q_srv`, no MAC.
//! Only the server can tell, and it counts (see `docs/security-model.md`).

use minicbor::bytes::ByteVec;
use minicbor::{Decode, Decoder, Encode};

use super::error::{DistributedError, Encoding, Field, Result};
use super::ids::{KeyId, curve_code, curve_from_code};
use super::messages::{WireCommitment, fixed, point, scalar};
use crate::crypto::ec::{CurveId, Scalar, VerifyingKey};
use crate::crypto::kdf::pbkdf2_streebog512;
use crate::crypto::mac::hmac_streebog512;
use zeroize::Zeroizing;

/// Format version of the record.
const RECORD_V1: u8 = 1;

/// A refresh between its two phases, as the device keeps it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PendingDelta {
    pub delta_dev: Scalar,
    pub opening: [u8; 32],
    pub delta_srv: Scalar,
}

/// Everything the device stores for one two-party key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeviceRecord {
    pub(crate) curve: CurveId,
    pub(crate) key_id: KeyId,
    pub(crate) public: VerifyingKey,
    pub(crate) salt: [u8; 16],
    pub(crate) iterations: u32,
    pub(crate) masked: Scalar,
    pub(crate) epoch: u32,
    /// Unused server commitments, oldest first, as stored: each one's points
    /// are checked when it is taken for use, so loading the record (once per
    /// signature) does not pay two subgroup checks per pooled commitment.
    pub(crate) pool: Vec<WireCommitment>,
    pub(crate) pending: Option<PendingDelta>,
}

#[derive(Encode, Decode)]
struct WirePending {
    #[n(0)]
    delta_dev: ByteVec,
    #[n(1)]
    opening: ByteVec,
    #[n(2)]
    delta_srv: ByteVec,
}

#[derive(Encode, Decode)]
struct WireRecord {
    #[n(0)]
    version: u8,
    #[n(1)]
    curve: u8,
    #[n(2)]
    key_id: String,
    #[n(3)]
    public: ByteVec,
    #[n(4)]
    salt: ByteVec,
    #[n(5)]
    iterations: u32,
    #[n(6)]
    masked: ByteVec,
    #[n(7)]
    epoch: u32,
    #[n(8)]
    pool: Vec<WireCommitment>,
    #[n(9)]
    pending: Option<WirePending>,
}

/// `m = wide(PBKDF2(PIN, ...)) mod q`, the mask of the share: twice the
/// order's length before reduction, so the mask is uniform.
///
/// PBKDF2 runs for one 64-byte block only; a 512-bit curve's further 64
/// bytes are expanded from it with HMAC-Streebog-512. Asking PBKDF2 itself
/// for 128 bytes would run every iteration twice, doubling the unlock time
/// on a phone while adding nothing (there is no offline PIN test to slow).
pub(crate) fn pin_mask(
    curve: CurveId,
    key_id: &KeyId,
    salt: &[u8; 16],
    iterations: u32,
    pin: &[u8],
) -> Scalar {
    let mut s = b"FKN two-party share mask v1".to_vec();
    s.extend_from_slice(key_id.as_str().as_bytes());
    s.push(0);
    s.extend_from_slice(salt);
    let block = pbkdf2_streebog512(pin, &s, iterations, 64);
    let wide_len = 2 * curve.coord_len(); // 64 or 128
    // Capacity up front: growing would leave an unwiped copy behind.
    let mut wide = Zeroizing::new(Vec::with_capacity(128));
    wide.extend_from_slice(block.expose());
    if wide_len > wide.len() {
        let more = Zeroizing::new(hmac_streebog512(block.expose(), b"FKN share mask expand"));
        wide.extend_from_slice(&more[..]);
    }
    Scalar::from_le_bytes_reduced(curve, &wide[..wide_len])
}

impl DeviceRecord {
    /// The key's curve.
    pub fn curve(&self) -> CurveId {
        self.curve
    }

    /// The key id.
    pub fn key_id(&self) -> &KeyId {
        &self.key_id
    }

    /// The joint public key `Q`.
    pub fn public_key(&self) -> &VerifyingKey {
        &self.public
    }

    /// Refresh epoch of the stored share.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Server nonce commitments left (each signature uses one).
    pub fn commitments_left(&self) -> usize {
        self.pool.len()
    }

    /// Whether a share refresh was interrupted between its phases.
    pub fn refresh_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// The share this PIN unmasks to. Never fails: a wrong PIN gives a wrong
    /// share that only the server can tell from the right one.
    pub(crate) fn unmask(&self, pin: &[u8]) -> Scalar {
        let m = pin_mask(self.curve, &self.key_id, &self.salt, self.iterations, pin);
        self.masked.sub(&m)
    }

    /// Masks `share` under `pin` with a fresh salt.
    pub(crate) fn mask(&mut self, share: &Scalar, pin: &[u8], iterations: u32) {
        rand_core::Rng::fill_bytes(&mut crate::crypto::os_rng(), &mut self.salt);
        self.iterations = iterations;
        let m = pin_mask(self.curve, &self.key_id, &self.salt, iterations, pin);
        self.masked = share.add(&m);
    }

    /// CBOR bytes.
    pub fn encode(&self) -> Vec<u8> {
        let w = WireRecord {
            version: RECORD_V1,
            curve: curve_code(self.curve),
            key_id: self.key_id.as_str().to_owned(),
            public: self.public.to_bytes().into(),
            salt: self.salt.to_vec().into(),
            iterations: self.iterations,
            masked: self.masked.to_be_bytes().into(),
            epoch: self.epoch,
            pool: self.pool.clone(),
            pending: self.pending.as_ref().map(|p| WirePending {
                delta_dev: p.delta_dev.to_be_bytes().into(),
                opening: p.opening.to_vec().into(),
                delta_srv: p.delta_srv.to_be_bytes().into(),
            }),
        };
        minicbor::to_vec(&w).unwrap_or_default()
    }

    /// Decodes and validates a record.
    pub fn decode(bytes: &[u8]) -> Result<DeviceRecord> {
        let what = Encoding::DeviceRecord;
        let mut d = Decoder::new(bytes);
        let w: WireRecord = d.decode().map_err(|e| DistributedError::Malformed {
            what,
            offset: e.position(),
        })?;
        if d.position() != bytes.len() {
            return Err(DistributedError::TrailingBytes {
                what,
                extra: bytes.len() - d.position(),
            });
        }
        if w.version != RECORD_V1 {
            return Err(DistributedError::UnsupportedVersion {
                what,
                got: w.version,
                supported: RECORD_V1,
            });
        }
        let c = curve_from_code(w.curve)?;
        let pending = match &w.pending {
            None => None,
            Some(p) => Some(PendingDelta {
                delta_dev: scalar(c, Field::Delta, &p.delta_dev)?,
                opening: fixed(Field::Opening, &p.opening)?,
                delta_srv: scalar(c, Field::Delta, &p.delta_srv)?,
            }),
        };
        Ok(DeviceRecord {
            curve: c,
            key_id: KeyId::new(&w.key_id)?,
            public: VerifyingKey::from_point(point(c, Field::PublicKey, &w.public)?).map_err(
                |source| DistributedError::InvalidPoint {
                    field: Field::PublicKey,
                    source,
                },
            )?,
            salt: fixed(Field::Salt, &w.salt)?,
            iterations: w.iterations,
            masked: scalar(c, Field::MaskedShare, &w.masked)?,
            epoch: w.epoch,
            pool: w.pool,
            pending,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::ec::Point;
    use crate::distributed::messages::ServerCommitment;

    fn record(curve: CurveId) -> DeviceRecord {
        let one = Scalar::one(curve);
        let p = Point::generator(curve);
        DeviceRecord {
            curve,
            key_id: KeyId::new("k").unwrap(),
            public: VerifyingKey::from_point(p).unwrap(),
            salt: [1; 16],
            iterations: 1,
            masked: one.clone(),
            epoch: 2,
            pool: vec![WireCommitment::new(&ServerCommitment {
                index: 9,
                d: p,
                e: p.double(),
            })],
            pending: Some(PendingDelta {
                delta_dev: one.clone(),
                opening: [5; 32],
                delta_srv: one,
            }),
        }
    }

    #[test]
    fn round_trips_and_refuses_damage() {
        for c in [CurveId::CryptoProB, CurveId::Tc26_512C] {
            let r = record(c);
            let b = r.encode();
            assert_eq!(DeviceRecord::decode(&b).unwrap(), r);
            for cut in 0..b.len() {
                assert!(DeviceRecord::decode(&b[..cut]).is_err());
            }
            let mut v = b.clone();
            v[1] = 9;
            assert!(matches!(
                DeviceRecord::decode(&v),
                Err(DistributedError::UnsupportedVersion { got: 9, .. })
            ));
        }
    }

    /// No offline oracle: under 1000 wrong PINs the record unmasks to
    /// scalars that pass every check the device can run (in range, non-zero,
    /// a valid public share), all different, and the record holds nothing
    /// to compare them with.
    #[test]
    fn wrong_pins_unmask_to_shares_that_pass_every_local_check() {
        let curve = CurveId::Tc26_256A;
        let mut r = record(curve);
        r.pending = None;
        let d = Scalar::random_nonzero(curve, &mut crate::crypto::os_rng());
        r.mask(&d, b"2468", 1);
        let q_dev = Point::mul_generator(&d);
        let blob = r.encode();
        let holds = |p: &Point| {
            let b = p.to_bytes();
            blob.windows(b.len()).any(|w| w == b)
        };
        assert!(!holds(&q_dev));
        let mut seen = std::collections::HashSet::new();
        let mut high_bits = 0;
        for i in 0..1000u32 {
            let pin = format!("{i:04}");
            if pin == "2468" {
                continue;
            }
            let s = r.unmask(pin.as_bytes());
            assert!(!s.is_zero());
            let bytes = s.to_be_bytes();
            assert_eq!(Scalar::from_be_bytes(curve, &bytes).unwrap(), s);
            let p = Point::mul_generator(&s);
            VerifyingKey::from_point(p).unwrap();
            assert_ne!(p, q_dev);
            assert!(!holds(&p));
            high_bits += usize::from(bytes[1] >> 7);
            assert!(seen.insert(bytes));
        }
        // Roughly uniform: the top bit of the second byte is set about half the time.
        assert!((400..600).contains(&high_bits), "{high_bits}");
    }

    #[test]
    fn mask_round_trips_only_with_the_pin() {
        let mut r = record(CurveId::Tc26_256A);
        let d = Scalar::random_nonzero(r.curve, &mut crate::crypto::os_rng());
        r.mask(&d, b"1234", 1);
        assert_eq!(r.unmask(b"1234"), d);
        assert_ne!(r.unmask(b"1235"), d);
    }
}
