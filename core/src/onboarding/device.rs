//! The device's side of pairing: SESPAKE with the activation code, the
//! credential, the server's identity check, then the sealed session in which
//! the app generates two-party keys and registers card keys.
//!
//! ```text
//! device                                             server
//! PairStart(account, U1)                   -->       counts the attempt
//!                                          <--       PairStarted(pairing id, U2)
//! PairFinish(id, MAC_A, seal0(credential,  -->       MAC_A ok: code used up,
//!            proof of possession))                   device registered
//!                                          <--       PairFinished(MAC_B, seal0(device id,
//!                                                      identity key, its signature))
//! check MAC_B, fingerprint, signature
//! Sealed(id, 1.., Distributed/RegisterCard/Finish) <-> Sealed(seq, answer)
//! ```

use std::sync::{Arc, Mutex};

use super::credential::DeviceCredential;
use super::params::{
    Direction, PAIRING_CURVE, PAIRING_IND, pairing_mac_context, pairing_profile, pairing_salt,
    pairing_transcript, server_proof_digest,
};
use super::session_box::SessionBox;
use super::wire::{
    self, CredentialOffer, DeviceMessage, ServerMessage, SessionRequest, SessionResponse, Welcome,
    bv,
};
use super::{EnrollmentUri, refused_fault};
use crate::Error;
use crate::crypto::ec::{SigningKey, VerifyingKey};
use crate::crypto::hash::streebog256;
use crate::crypto::mac::ct_eq;
use crate::crypto::os_rng;
use crate::distributed::{ChannelError, SecureStore, ServerChannel, TwoPartyFault};
use crate::sespake::{HostStart, derive_password_key};

fn misbehaved(detail: &str) -> Error {
    TwoPartyFault::ServerMisbehaved {
        detail: detail.into(),
    }
    .into()
}

fn exchange(channel: &dyn ServerChannel, message: DeviceMessage) -> Result<ServerMessage, Error> {
    let answer = channel.exchange(&wire::encode(message))?;
    match wire::decode::<ServerMessage>(&answer) {
        Ok(ServerMessage::Refused(code, arg)) => Err(refused_fault(code, arg).into()),
        Ok(m) => Ok(m),
        Err(wire::WireError::Version(_)) => Err(TwoPartyFault::UpdateRequired.into()),
        Err(_) => Err(misbehaved("an unreadable pairing answer")),
    }
}

/// Pairs this device with the server of `uri` (at Unix time `now`): two
/// round trips. `channel` carries bytes to `POST {uri.server}/v1/device`.
///
/// # Errors
/// [`TwoPartyFault::EnrollmentExpired`] (checked here too),
/// `NoEnrollment`, `EnrollmentUsed`, `ActivationCodeRejected`,
/// `EnrollmentLocked`, [`TwoPartyFault::ServerIdentityMismatch`] when the
/// server cannot prove the key the QR code names, `ServerMisbehaved`, and
/// the channel's errors.
pub fn pair(
    uri: &EnrollmentUri,
    channel: Arc<dyn ServerChannel>,
    now: u64,
) -> Result<PairedSession, Error> {
    if uri.expires <= now {
        return Err(TwoPartyFault::EnrollmentExpired.into());
    }
    let profile = pairing_profile();
    let fingerprint = uri.server_key_fingerprint;
    let salt = pairing_salt(&uri.account, uri.expires);
    let password = derive_password_key(&profile, PAIRING_CURVE, uri.code.as_bytes(), &salt);
    let mac = pairing_mac_context(&uri.account, &fingerprint);
    let host = HostStart::new(&profile, PAIRING_CURVE, PAIRING_IND, &salt, &password, mac)
        .map_err(|e| misbehaved(&e.to_string()))?;
    let mut rng = os_rng();
    let (expect_u2, u1) = host.start(&mut rng);

    let (pairing_id, u2) = match exchange(
        &*channel,
        DeviceMessage::PairStart(uri.account.clone(), bv(u1.clone())),
    )? {
        ServerMessage::PairStarted(id, u2) => (Vec::from(id), Vec::from(u2)),
        _ => return Err(misbehaved("an answer that is not SESPAKE step 2")),
    };
    let (expect_mac_b, mac_a) = expect_u2
        .handle(&u2)
        .map_err(|e| misbehaved(&e.to_string()))?;
    let session = SessionBox::new(&pairing_id, expect_mac_b.unconfirmed_key(), &u1, &u2);

    let credential = SigningKey::generate(PAIRING_CURVE, &mut rng);
    let credential_public = credential.verifying_key().to_bytes();
    let transcript = pairing_transcript(&uri.account, &fingerprint, &u1, &u2, &credential_public);
    let proof = credential
        .sign_digest(&transcript, &mut rng)
        .map_err(|e| misbehaved(&e.to_string()))?;
    let offer = minicbor::to_vec(CredentialOffer {
        public_key: bv(credential_public),
        signature: bv(proof),
    })
    .unwrap_or_default();
    let sealed_offer = session.seal(Direction::ToServer, 0, &offer);

    let (mac_b, sealed_welcome) = match exchange(
        &*channel,
        DeviceMessage::PairFinish(bv(pairing_id.clone()), bv(mac_a.to_vec()), bv(sealed_offer)),
    )? {
        ServerMessage::PairFinished(mac_b, welcome) => (mac_b, welcome),
        _ => return Err(misbehaved("an answer that is not SESPAKE step 4")),
    };
    expect_mac_b
        .handle(&mac_b)
        .map_err(|_| misbehaved("it could not prove it knows the activation code"))?;
    let welcome = session
        .open(Direction::ToDevice, 0, &sealed_welcome)
        .ok_or_else(|| misbehaved("a pairing answer that does not authenticate"))?;
    let welcome: Welcome =
        minicbor::decode(welcome.expose()).map_err(|_| misbehaved("an unreadable welcome"))?;
    let server_key = check_identity(&welcome, &fingerprint, &transcript)?;
    let credential = DeviceCredential::new(
        uri.server.clone(),
        uri.account.clone(),
        welcome.device_id,
        server_key,
        credential,
    );
    Ok(PairedSession {
        credential,
        shared: Arc::new(Shared {
            channel,
            pairing_id,
            session,
            next_seq: Mutex::new(1),
        }),
    })
}

/// The identity key must hash to the QR code's fingerprint and sign this
/// pairing's transcript with the device id.
fn check_identity(
    welcome: &Welcome,
    fingerprint: &[u8; 32],
    transcript: &[u8; 32],
) -> Result<VerifyingKey, Error> {
    if !ct_eq(&streebog256(&welcome.identity_key), fingerprint) {
        return Err(TwoPartyFault::ServerIdentityMismatch.into());
    }
    let key = VerifyingKey::from_bytes(PAIRING_CURVE, &welcome.identity_key)
        .map_err(|_| TwoPartyFault::ServerIdentityMismatch)?;
    key.verify_digest(
        &server_proof_digest(transcript, &welcome.device_id),
        &welcome.signature,
    )
    .map_err(|_| TwoPartyFault::ServerIdentityMismatch)?;
    Ok(key)
}

struct Shared {
    channel: Arc<dyn ServerChannel>,
    pairing_id: Vec<u8>,
    session: SessionBox,
    next_seq: Mutex<u32>,
}

impl Shared {
    /// One sealed round trip. Every attempt takes a new `seq` (an MGM nonce
    /// is never used twice, even for a retry after a lost answer); the
    /// server accepts only increasing ones.
    fn call(&self, request: &SessionRequest) -> Result<SessionResponse, ChannelError> {
        let mut next = self
            .next_seq
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let seq = *next;
        *next = seq.checked_add(1).ok_or(ChannelError::Misbehaved)?;
        let plain = zeroize::Zeroizing::new(minicbor::to_vec(request).unwrap_or_default());
        let sealed = self.session.seal(Direction::ToServer, seq, &plain);
        let message = wire::encode(DeviceMessage::Sealed(
            bv(self.pairing_id.clone()),
            seq,
            bv(sealed),
        ));
        let answer = self.channel.exchange(&message)?;
        let (answer_seq, body) = match wire::decode::<ServerMessage>(&answer) {
            Ok(ServerMessage::Sealed(s, body)) => (s, body),
            Ok(ServerMessage::Refused(code, arg)) => {
                return Err(ChannelError::Refused { code, arg });
            }
            _ => return Err(ChannelError::Misbehaved),
        };
        if answer_seq != seq {
            return Err(ChannelError::Misbehaved);
        }
        let plain = self
            .session
            .open(Direction::ToDevice, seq, &body)
            .ok_or(ChannelError::Misbehaved)?;
        let response: SessionResponse =
            minicbor::decode(plain.expose()).map_err(|_| ChannelError::Misbehaved)?;
        match response {
            SessionResponse::Refused(code, arg) => Err(ChannelError::Refused { code, arg }),
            r => Ok(r),
        }
    }
}

/// A paired device inside its sealed enrollment session: generate two-party
/// keys through [`PairedSession::channel`], register card keys, then
/// [`PairedSession::finish`] to save the credential.
pub struct PairedSession {
    credential: DeviceCredential,
    shared: Arc<Shared>,
}

impl core::fmt::Debug for PairedSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PairedSession")
            .field("credential", &self.credential)
            .finish_non_exhaustive()
    }
}

impl PairedSession {
    /// The credential made at pairing (saved by [`PairedSession::finish`]).
    pub fn credential(&self) -> &DeviceCredential {
        &self.credential
    }

    /// A [`ServerChannel`] through the sealed session, for
    /// [`crate::distributed::Device::generate`] during enrollment.
    pub fn channel(&self) -> Arc<dyn ServerChannel> {
        Arc::new(SealedChannel(self.shared.clone()))
    }

    /// Registers an NFC token key with the account: `csr` is a PKCS#10 request
    /// signed on the card (its public key is the card key). Returns the
    /// server's id for it.
    ///
    /// # Errors
    /// `Refused` when the request does not verify, the channel's errors.
    pub fn register_card(&self, label: &str, csr: &[u8]) -> Result<String, Error> {
        match self.shared.call(&SessionRequest::RegisterCard(
            label.to_owned(),
            bv(csr.to_vec()),
        ))? {
            SessionResponse::CardRegistered(id) => Ok(id),
            _ => Err(misbehaved("an answer that is not a card registration")),
        }
    }

    /// Ends enrollment and saves the credential in `store`; later requests
    /// go through a [`super::SignedChannel`] built from it.
    ///
    /// # Errors
    /// The channel's and the store's.
    pub fn finish(self, store: &dyn SecureStore) -> Result<DeviceCredential, Error> {
        match self.shared.call(&SessionRequest::Finish)? {
            SessionResponse::Finished => {}
            _ => return Err(misbehaved("an answer that does not end enrollment")),
        }
        self.credential.save(store)?;
        Ok(self.credential)
    }
}

/// Two-party requests through the sealed enrollment session.
struct SealedChannel(Arc<Shared>);

impl ServerChannel for SealedChannel {
    fn exchange(&self, request: &[u8]) -> Result<Vec<u8>, ChannelError> {
        match self
            .0
            .call(&SessionRequest::Distributed(bv(request.to_vec())))?
        {
            SessionResponse::Distributed(r) => Ok(r.into()),
            _ => Err(ChannelError::Misbehaved),
        }
    }
}
