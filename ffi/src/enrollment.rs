//! Enrollment from the operator's QR code, device role: read the URI, pair
//! with the server (SESPAKE over the activation code, the server's identity
//! checked against the QR code's fingerprint), generate the two-party key and
//! register a card key in the sealed session, keep the device credential.
//! Forwards to `fkn_core::onboarding`.

use fkn_core::crypto::ec::CurveId;
use fkn_core::distributed::Device;
use fkn_core::onboarding::{DeviceCredential, EnrollmentUri, pair};
use zeroize::Zeroizing;

use crate::error::FknError;
use crate::two_party::{TwoPartyDevice, key_id};

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// What an enrollment QR code says, without its activation code: show it
/// to the user before pairing ("Enroll into account … at …?").
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct EnrollmentSummary {
    /// The server's base URL: the app's `ServerChannel` posts to
    /// `{server}/v1/device`.
    pub server: String,
    /// The account.
    pub account: String,
    /// Expiry, Unix seconds.
    pub expires: u64,
}

/// Reads an `fkn://enroll?...` URI (the operator's QR code). Throws
/// `TwoParty` with `EnrollmentCodeInvalid`, `EnrollmentExpired` or
/// `UpdateRequired`.
#[uniffi::export]
pub fn read_enrollment_uri(uri: String) -> Result<EnrollmentSummary, FknError> {
    let uri = Zeroizing::new(uri);
    let parsed = EnrollmentUri::parse(&uri, now())?;
    Ok(EnrollmentSummary {
        server: parsed.server.clone(),
        account: parsed.account.clone(),
        expires: parsed.expires,
    })
}

/// Who this device is towards its server.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct EnrolledDevice {
    /// The server's base URL.
    pub server: String,
    /// The account.
    pub account: String,
    /// The id the server gave this device.
    pub device_id: String,
}

/// A finished enrollment.
#[derive(Clone, Debug, PartialEq, Eq, uniffi::Record)]
pub struct Enrollment {
    /// The server's base URL.
    pub server: String,
    /// The account.
    pub account: String,
    /// The id the server gave this device.
    pub device_id: String,
    /// The two-party key's joint public key (X then Y, little-endian).
    pub public_key: Vec<u8>,
    /// The server's id of the registered card key, if a CSR was given.
    pub card_id: Option<String>,
}

#[uniffi::export]
impl TwoPartyDevice {
    /// Enrolls this device with the server of `uri` (the operator's QR
    /// code) through the app's `ServerChannel`: pairs (2 round trips),
    /// generates the two-party key `key_id` on `curve` under `pin`
    /// (2 round trips), registers the card key of `card_csr` (a PKCS #10
    /// request signed on the card by `TokenSession.create_csr`; 1 round trip)
    /// and saves the device credential in the `SecureStore` (1 round trip).
    /// From then on every request this device sends is signed with it.
    ///
    /// Throws `TwoParty` with `EnrollmentExpired`, `EnrollmentUsed`,
    /// `NoEnrollment`, `ActivationCodeRejected`, `EnrollmentLocked` or
    /// `ServerIdentityMismatch` as the server or the check decides.
    pub fn enroll(
        &self,
        uri: String,
        key_id: String,
        curve: CurveId,
        pin: String,
        card_csr: Option<Vec<u8>>,
    ) -> Result<Enrollment, FknError> {
        let (uri, pin) = (Zeroizing::new(uri), Zeroizing::new(pin));
        let id = self::key_id(&key_id)?;
        let parsed = EnrollmentUri::parse(&uri, now())?;
        let session = pair(&parsed, self.raw.clone(), now())?;
        let public = Device::new(self.store.clone(), session.channel(), self.config.clone())
            .generate(&id, curve, pin.as_bytes())?;
        let card_id = match card_csr {
            Some(csr) => Some(session.register_card("card", &csr)?),
            None => None,
        };
        let credential = session.finish(&*self.store)?;
        self.reload();
        Ok(Enrollment {
            server: credential.server().to_owned(),
            account: credential.account().to_owned(),
            device_id: credential.device_id().to_owned(),
            public_key: public.to_bytes(),
            card_id,
        })
    }

    /// The server, account and device id this device is enrolled as;
    /// throws `TwoParty(NotEnrolled)` before enrollment.
    pub fn enrollment(&self) -> Result<EnrolledDevice, FknError> {
        let c = DeviceCredential::load(&*self.store)?;
        Ok(EnrolledDevice {
            server: c.server().to_owned(),
            account: c.account().to_owned(),
            device_id: c.device_id().to_owned(),
        })
    }
}
