//! The server's side of the device endpoint (`POST /v1/device`): pairing
//! (SESPAKE over the activation code as party B, the device credential, the
//! identity proof), the sealed enrollment session, and the check of every
//! later request's device signature before the two-party [`Server`] sees it.
//!
//! It keeps no state outside its [`PairingStore`] (the SESPAKE state between
//! the two pairing round trips is sealed under the KEK in the enrollment
//! row), so any number of server instances can share one database.

use std::sync::Arc;

use minicbor::bytes::ByteVec;
use minicbor::{Decode, Encode};
use zeroize::{Zeroize, Zeroizing};

use super::params::{
    Direction, PAIRING_CURVE, PAIRING_IND, call_digest, pairing_mac_context, pairing_profile,
    pairing_salt, pairing_transcript, request_digest, server_proof_digest,
};
use super::refusal::{ACCESS_BASE, PairingRefusal};
use super::session_box::SessionBox;
use super::store::{CardRecord, EnrollmentRecord, PairedDevice, PairingStore};
use super::wire::{
    self, CredentialOffer, DeviceMessage, ServerMessage, SessionRequest, SessionResponse, Welcome,
    bv,
};
use crate::crypto::ec::{SigningKey, VerifyingKey};
use crate::crypto::hash::streebog256;
use crate::crypto::os_rng;
use crate::crypto::secret::Key256;
use crate::distributed::seal::Sealer;
use crate::distributed::{AccessRefusal, Outcome, RequestKind, Server, StoreError};
use crate::requests::{CallReply, DeskEvent, DeviceCall, RequestDesk, RequestRefusal};
use crate::sespake::{
    CLIM1, ExpectMacA, ResponderError, ResponderParts, ResponderStart, derive_password_key,
};

/// Gateway settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayConfig {
    /// Largest difference between a request's timestamp and the server's
    /// clock, seconds; nonces are remembered twice as long.
    pub clock_skew: u64,
    /// How long the sealed session stays open after pairing, seconds.
    pub session_lifetime: u64,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            clock_skew: 300,
            session_lifetime: 900,
        }
    }
}

/// What one request did, for logs and the audit trail (no secrets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GatewayOutcome {
    /// The account concerned, when known.
    pub account: Option<String>,
    /// The device concerned, when known.
    pub device: Option<String>,
    /// What happened.
    pub event: GatewayEvent,
    /// The two-party request's outcome, if one was handled.
    pub distributed: Option<Outcome>,
    /// What a signing-request call changed.
    pub requests: Vec<DeskEvent>,
}

/// The kinds of [`GatewayOutcome`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GatewayEvent {
    /// SESPAKE step 1 answered (an attempt was counted).
    PairingStarted,
    /// A device paired: code correct, credential registered.
    Paired,
    /// A card key was registered.
    CardRegistered {
        /// Its id.
        card: String,
    },
    /// Enrollment completed.
    EnrollmentFinished,
    /// A two-party request went to the server (its own outcome says how).
    Forwarded,
    /// A signing-request call was answered (`requests` says what changed).
    Called,
    /// A pairing step was refused.
    PairingRefused(PairingRefusal),
    /// A signed request was refused.
    AccessRefused(AccessRefusal),
}

/// The pairing state sealed into the enrollment row.
#[derive(Encode, Decode)]
enum State {
    /// Between the two pairing round trips.
    #[n(0)]
    AwaitMacA {
        #[n(0)]
        k: ByteVec,
        #[n(1)]
        z_b: bool,
        #[n(2)]
        mac_a: ByteVec,
        #[n(3)]
        mac_b: ByteVec,
        #[n(4)]
        u1: ByteVec,
        #[n(5)]
        u2: ByteVec,
    },
    /// The sealed session after pairing.
    #[n(1)]
    Open {
        #[n(0)]
        k: ByteVec,
        #[n(1)]
        u1: ByteVec,
        #[n(2)]
        u2: ByteVec,
        #[n(3)]
        device: String,
        #[n(4)]
        last_seq: u32,
        #[n(5)]
        opened_at: u64,
    },
    /// Enrollment complete.
    #[n(2)]
    Finished,
}

impl Drop for State {
    fn drop(&mut self) {
        match self {
            State::AwaitMacA { k, mac_a, .. } => {
                k.zeroize();
                mac_a.zeroize();
            }
            State::Open { k, .. } => k.zeroize(),
            State::Finished => {}
        }
    }
}

type Step<T> = Result<T, PairingRefusal>;

impl From<StoreError> for PairingRefusal {
    fn from(_: StoreError) -> Self {
        PairingRefusal::Unavailable
    }
}

/// The device endpoint's logic; see the module docs.
pub struct Gateway {
    store: Arc<dyn PairingStore>,
    server: Arc<Server>,
    identity: SigningKey,
    sealer: Sealer,
    config: GatewayConfig,
    requests: Option<Arc<RequestDesk>>,
}

impl core::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Gateway")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// What a handler returns: the answer and the outcome.
type Handled = (ServerMessage, GatewayOutcome);

fn outcome(account: Option<&str>, device: Option<&str>, event: GatewayEvent) -> GatewayOutcome {
    GatewayOutcome {
        account: account.map(str::to_owned),
        device: device.map(str::to_owned),
        event,
        distributed: None,
        requests: Vec::new(),
    }
}

fn refused(r: PairingRefusal, account: Option<&str>, device: Option<&str>) -> Handled {
    let (code, arg) = r.to_wire();
    (
        ServerMessage::Refused(code, arg),
        outcome(account, device, GatewayEvent::PairingRefused(r)),
    )
}

fn access_refused(r: AccessRefusal, account: Option<&str>, device: &str) -> Handled {
    (
        ServerMessage::Refused(ACCESS_BASE + r.code(), 0),
        outcome(account, Some(device), GatewayEvent::AccessRefused(r)),
    )
}

impl Gateway {
    /// A gateway over `store` in front of `server`, proving `identity` at
    /// pairing and sealing its pairing state under `kek`.
    pub fn new(
        store: Arc<dyn PairingStore>,
        server: Arc<Server>,
        identity: SigningKey,
        kek: &Key256,
        config: GatewayConfig,
    ) -> Self {
        Gateway {
            store,
            server,
            identity,
            sealer: Sealer::new(kek),
            config,
            requests: None,
        }
    }

    /// Serves signing-request calls with `desk` (without one they are
    /// refused as unavailable).
    #[must_use]
    pub fn with_requests(mut self, desk: Arc<RequestDesk>) -> Self {
        self.requests = Some(desk);
        self
    }

    /// The fingerprint a QR code carries: Streebog-256 of `BYTES(Q)` of the
    /// identity key.
    pub fn fingerprint(&self) -> [u8; 32] {
        streebog256(&self.identity.verifying_key().to_bytes())
    }

    /// Answers one message at Unix time `now`.
    pub fn handle(&self, request: &[u8], now: u64) -> (Vec<u8>, GatewayOutcome) {
        // Only calls may be large (documents and their signatures).
        let decoded = wire::decode_within::<DeviceMessage>(request, wire::MAX_CALL_MESSAGE)
            .ok()
            .filter(|m| matches!(m, DeviceMessage::Call(..)) || request.len() <= wire::MAX_MESSAGE)
            .ok_or(());
        let (answer, outcome) = match decoded {
            Ok(DeviceMessage::PairStart(account, u1)) => self.pair_start(&account, &u1, now),
            Ok(DeviceMessage::PairFinish(id, mac_a, offer)) => {
                self.pair_finish(&String::from_utf8_lossy(&id), &mac_a, &offer, now)
            }
            Ok(DeviceMessage::Sealed(id, seq, body)) => {
                self.sealed(&String::from_utf8_lossy(&id), seq, &body, now)
            }
            Ok(DeviceMessage::Signed(device, ts, nonce, inner, sig)) => {
                self.signed(&device, ts, &nonce, &inner, &sig, now)
            }
            Ok(DeviceMessage::Call(device, ts, nonce, call, sig)) => {
                self.call(&device, ts, &nonce, &call, &sig, now)
            }
            Err(_) => refused(PairingRefusal::Malformed, None, None),
        };
        (wire::encode(answer), outcome)
    }

    fn seal_state(&self, id: &str, state: &State) -> Step<Vec<u8>> {
        let plain = Zeroizing::new(minicbor::to_vec(state).unwrap_or_default());
        self.sealer
            .seal(&state_aad(id), &plain)
            .map_err(|_| PairingRefusal::Unavailable)
    }

    fn open_state(&self, e: &EnrollmentRecord) -> Step<Option<State>> {
        let Some(sealed) = &e.state else {
            return Ok(None);
        };
        let plain = self
            .sealer
            .open(&state_aad(&e.id), sealed)
            .map_err(|_| PairingRefusal::Unavailable)?;
        minicbor::decode(plain.expose())
            .map(Some)
            .map_err(|_| PairingRefusal::Unavailable)
    }

    fn write(&self, e: &EnrollmentRecord) -> Step<()> {
        // A concurrent writer (another instance, a parallel attempt) won:
        // the device starts again.
        if self.store.update_enrollment(e)? {
            Ok(())
        } else {
            Err(PairingRefusal::UnknownPairing)
        }
    }

    /// Refusals that end every pairing step on a spent enrollment.
    fn usable(e: &EnrollmentRecord, now: u64) -> Step<()> {
        if e.used_at.is_some() {
            return Err(PairingRefusal::Used);
        }
        if now >= e.expires_at {
            return Err(PairingRefusal::Expired);
        }
        if e.attempts >= CLIM1 {
            return Err(PairingRefusal::Locked);
        }
        Ok(())
    }

    fn pair_start(&self, account: &str, u1: &[u8], now: u64) -> Handled {
        match self.try_pair_start(account, u1, now) {
            Ok((id, u2)) => (
                ServerMessage::PairStarted(bv(id.into_bytes()), bv(u2)),
                outcome(Some(account), None, GatewayEvent::PairingStarted),
            ),
            Err(r) => refused(r, Some(account), None),
        }
    }

    fn try_pair_start(&self, account: &str, u1: &[u8], now: u64) -> Step<(String, Vec<u8>)> {
        let mut e = self
            .store
            .enrollment_for_account(account)?
            .ok_or(PairingRefusal::NoEnrollment)?;
        Self::usable(&e, now)?;
        let profile = pairing_profile();
        let salt = pairing_salt(account, e.expires_at);
        let password = derive_password_key(&profile, PAIRING_CURVE, e.code.as_bytes(), &salt);
        let fingerprint = self.fingerprint();
        let start = ResponderStart::from_password(
            &profile,
            PAIRING_CURVE,
            PAIRING_IND,
            &salt,
            &password,
            pairing_mac_context(account, &fingerprint),
        )
        .map_err(|_| PairingRefusal::Unavailable)?;
        // The attempt counts before u1 is even looked at (RFC 8133 step 2),
        // so a malformed u1 costs an attempt too.
        e.attempts += 1;
        let answer = start.respond(u1, &mut os_rng());
        let (state, u2) = match answer {
            Ok((expect, u2)) => {
                let p = expect.into_parts();
                let state = State::AwaitMacA {
                    k: bv(p.k.expose().to_vec()),
                    z_b: p.z_b,
                    mac_a: bv(p.mac_a.to_vec()),
                    mac_b: bv(p.mac_b.to_vec()),
                    u1: bv(p.u1),
                    u2: bv(p.u2),
                };
                (Some(state), Some(u2))
            }
            Err(_) => (None, None),
        };
        e.state = match &state {
            Some(s) => Some(self.seal_state(&e.id, s)?),
            None => None,
        };
        self.write(&e)?;
        let u2 = u2.ok_or(PairingRefusal::Malformed)?;
        Ok((e.id, u2))
    }

    fn pair_finish(&self, id: &str, mac_a: &[u8], offer: &[u8], now: u64) -> Handled {
        let e = match self.store.enrollment(id) {
            Ok(Some(e)) => e,
            Ok(None) => return refused(PairingRefusal::UnknownPairing, None, None),
            Err(e) => return refused(e.into(), None, None),
        };
        let account = Some(e.account.clone());
        match self.try_pair_finish(e, id, mac_a, offer, now) {
            Ok((mac_b, welcome, device)) => (
                ServerMessage::PairFinished(bv(mac_b.to_vec()), bv(welcome)),
                outcome(account.as_deref(), Some(&device), GatewayEvent::Paired),
            ),
            Err(r) => refused(r, account.as_deref(), None),
        }
    }

    fn try_pair_finish(
        &self,
        mut e: EnrollmentRecord,
        id: &str,
        mac_a: &[u8],
        offer: &[u8],
        now: u64,
    ) -> Step<([u8; 32], Vec<u8>, String)> {
        if e.used_at.is_some() {
            return Err(PairingRefusal::Used);
        }
        if now >= e.expires_at {
            return Err(PairingRefusal::Expired);
        }
        let state = self.open_state(&e)?;
        let Some(State::AwaitMacA {
            k,
            z_b,
            mac_a: expected,
            mac_b,
            u1,
            u2,
        }) = &state
        else {
            return Err(PairingRefusal::UnknownPairing);
        };
        let (u1, u2) = (u1.to_vec(), u2.to_vec());
        let parts = ResponderParts {
            curve: PAIRING_CURVE,
            k: Key256::from_bytes(fixed(k)?),
            z_b: *z_b,
            mac_a: fixed(expected)?,
            mac_b: fixed(mac_b)?,
            u1: u1.clone(),
            u2: u2.clone(),
        };
        // One MAC_A per step 1: whatever happens next, this state is spent.
        e.state = None;
        let responded = match ExpectMacA::from_parts(parts).handle(mac_a) {
            Ok(r) => r,
            Err(ResponderError::MacMismatch | ResponderError::SmallOrderPoint) => {
                self.write(&e)?;
                let left = CLIM1.saturating_sub(e.attempts);
                return Err(PairingRefusal::WrongCode {
                    attempts_left: u8::try_from(left).unwrap_or(u8::MAX),
                });
            }
            Err(_) => {
                self.write(&e)?;
                return Err(PairingRefusal::Malformed);
            }
        };
        // The code is right: it is spent now, even if what follows fails.
        e.used_at = Some(now);
        let session = SessionBox::new(id.as_bytes(), &responded.k, &u1, &u2);
        let checked = self.check_offer(&e, &session, offer, &u1, &u2);
        let (credential, transcript) = match checked {
            Ok(c) => c,
            Err(r) => {
                self.write(&e)?;
                return Err(r);
            }
        };
        let device = random_id();
        self.store.add_device(&PairedDevice {
            id: device.clone(),
            account: e.account.clone(),
            credential,
            revoked: false,
        })?;
        let open = State::Open {
            k: bv(responded.k.expose().to_vec()),
            u1: bv(u1.to_vec()),
            u2: bv(u2.to_vec()),
            device: device.clone(),
            last_seq: 0,
            opened_at: now,
        };
        e.state = Some(self.seal_state(id, &open)?);
        self.write(&e)?;
        let signature = self
            .identity
            .sign_digest(&server_proof_digest(&transcript, &device), &mut os_rng())
            .map_err(|_| PairingRefusal::Unavailable)?;
        let welcome = minicbor::to_vec(Welcome {
            device_id: device.clone(),
            identity_key: bv(self.identity.verifying_key().to_bytes()),
            signature: bv(signature),
        })
        .unwrap_or_default();
        let sealed = session.seal(Direction::ToDevice, 0, &welcome);
        Ok((responded.mac_b, sealed, device))
    }

    /// Opens the credential offer and checks its proof of possession.
    fn check_offer(
        &self,
        e: &EnrollmentRecord,
        session: &SessionBox,
        offer: &[u8],
        u1: &[u8],
        u2: &[u8],
    ) -> Step<(Vec<u8>, [u8; 32])> {
        let plain = session
            .open(Direction::ToServer, 0, offer)
            .ok_or(PairingRefusal::BadSealed)?;
        let offer: CredentialOffer =
            minicbor::decode(plain.expose()).map_err(|_| PairingRefusal::Malformed)?;
        let key = VerifyingKey::from_bytes(PAIRING_CURVE, &offer.public_key)
            .map_err(|_| PairingRefusal::BadCredential)?;
        let transcript =
            pairing_transcript(&e.account, &self.fingerprint(), u1, u2, &offer.public_key);
        key.verify_digest(&transcript, &offer.signature)
            .map_err(|_| PairingRefusal::BadCredential)?;
        Ok((offer.public_key.to_vec(), transcript))
    }

    fn sealed(&self, id: &str, seq: u32, body: &[u8], now: u64) -> Handled {
        let Ok(Some(mut e)) = self.store.enrollment(id) else {
            return refused(PairingRefusal::UnknownPairing, None, None);
        };
        let account = e.account.clone();
        let state = match self.open_state(&e) {
            Ok(Some(s)) => s,
            Ok(None) => return refused(PairingRefusal::UnknownPairing, Some(&account), None),
            Err(r) => return refused(r, Some(&account), None),
        };
        let State::Open {
            k,
            u1,
            u2,
            device,
            last_seq,
            opened_at,
        } = &state
        else {
            return refused(PairingRefusal::UnknownPairing, Some(&account), None);
        };
        let device = device.clone();
        let dev = Some(device.as_str());
        if now >= opened_at.saturating_add(self.config.session_lifetime) {
            return refused(PairingRefusal::Expired, Some(&account), dev);
        }
        let Ok(k) = fixed(k) else {
            return refused(PairingRefusal::Unavailable, Some(&account), dev);
        };
        let session = SessionBox::new(id.as_bytes(), &Key256::from_bytes(k), u1, u2);
        if seq <= *last_seq {
            return refused(PairingRefusal::BadSealed, Some(&account), dev);
        }
        let Some(plain) = session.open(Direction::ToServer, seq, body) else {
            return refused(PairingRefusal::BadSealed, Some(&account), dev);
        };
        let Ok(request) = minicbor::decode::<SessionRequest>(plain.expose()) else {
            return refused(PairingRefusal::Malformed, Some(&account), dev);
        };
        // Claim seq before acting: no two instances answer one seq (the
        // answer's nonce), and a replay is refused above.
        let finished = matches!(request, SessionRequest::Finish);
        let next = if finished {
            State::Finished
        } else {
            State::Open {
                k: bv(k.to_vec()),
                u1: u1.clone(),
                u2: u2.clone(),
                device: device.clone(),
                last_seq: seq,
                opened_at: *opened_at,
            }
        };
        let written = self.seal_state(id, &next).and_then(|s| {
            e.state = Some(s);
            self.write(&e)
        });
        if let Err(r) = written {
            return refused(r, Some(&account), dev);
        }
        let (response, mut out) = match request {
            SessionRequest::Distributed(inner) => {
                let (answer, distributed) = self.forward(&account, &device, &inner);
                let mut o = outcome(Some(&account), dev, GatewayEvent::Forwarded);
                o.distributed = Some(distributed);
                (
                    answer.map_or_else(refusal_response, |a| SessionResponse::Distributed(bv(a))),
                    o,
                )
            }
            SessionRequest::RegisterCard(label, csr) => {
                match self.register_card(&account, &device, &label, &csr) {
                    Ok(card) => (
                        SessionResponse::CardRegistered(card.clone()),
                        outcome(Some(&account), dev, GatewayEvent::CardRegistered { card }),
                    ),
                    Err(r) => (
                        refusal_response(r),
                        outcome(Some(&account), dev, GatewayEvent::PairingRefused(r)),
                    ),
                }
            }
            SessionRequest::Finish => (
                SessionResponse::Finished,
                outcome(Some(&account), dev, GatewayEvent::EnrollmentFinished),
            ),
        };
        let plain = Zeroizing::new(minicbor::to_vec(&response).unwrap_or_default());
        let sealed = session.seal(Direction::ToDevice, seq, &plain);
        out.device = Some(device);
        (ServerMessage::Sealed(seq, bv(sealed)), out)
    }

    fn register_card(&self, account: &str, device: &str, label: &str, csr: &[u8]) -> Step<String> {
        let info = crate::pki::csr::verify_csr(csr).map_err(|_| PairingRefusal::BadCardRequest)?;
        if label.len() > 128 {
            return Err(PairingRefusal::Malformed);
        }
        let id = random_id();
        self.store.add_card(&CardRecord {
            id: id.clone(),
            account: account.to_owned(),
            device_id: device.to_owned(),
            label: label.to_owned(),
            curve: info.curve,
            public_key: info.public_key,
            csr: csr.to_vec(),
        })?;
        Ok(id)
    }

    /// Hands a two-party request to the server when `device` may use its
    /// key; links a newly generated key to the device.
    fn forward(
        &self,
        account: &str,
        device: &str,
        inner: &[u8],
    ) -> (Result<Vec<u8>, AccessRefusal>, Outcome) {
        let key = crate::distributed::peek_key_id(inner);
        if let Some(key) = &key {
            match self.store.key_owner(key) {
                Ok(Some(owner)) if owner != device => {
                    let o = Outcome {
                        key_id: crate::distributed::KeyId::new(key)
                            .unwrap_or_else(|_| crate::distributed::KeyId::unknown()),
                        kind: None,
                        refusal: None,
                    };
                    return (Err(AccessRefusal::NotYourKey), o);
                }
                _ => {}
            }
        }
        let (answer, o) = self.server.handle_with_outcome(inner);
        if o.kind == Some(RequestKind::KeygenOpen) && o.refusal.is_none() {
            // The key exists on the server now; an unlinked key would be
            // usable by any device, so a failure here is reported.
            if self
                .store
                .link_key(o.key_id.as_str(), account, device)
                .is_err()
            {
                return (Err(AccessRefusal::NotYourKey), o);
            }
        }
        (Ok(answer), o)
    }

    /// Checks a credential-signed message of `device` over `digest`: a
    /// known, unrevoked device, a valid signature, a timestamp within the
    /// clock window and a nonce not seen before.
    fn authenticate(
        &self,
        device: &str,
        timestamp: u64,
        nonce: &[u8],
        digest: &[u8; 32],
        signature: &[u8],
        now: u64,
    ) -> Result<PairedDevice, Box<Handled>> {
        let d = match self.store.device(device) {
            Ok(Some(d)) => d,
            Ok(None) => {
                return Err(Box::new(access_refused(
                    AccessRefusal::UnknownDevice,
                    None,
                    device,
                )));
            }
            Err(_) => {
                return Err(Box::new(refused(
                    PairingRefusal::Unavailable,
                    None,
                    Some(device),
                )));
            }
        };
        let account = Some(d.account.as_str());
        if d.revoked {
            return Err(Box::new(access_refused(
                AccessRefusal::DeviceRevoked,
                account,
                device,
            )));
        }
        let Ok(key) = VerifyingKey::from_bytes(PAIRING_CURVE, &d.credential) else {
            return Err(Box::new(access_refused(
                AccessRefusal::BadSignature,
                account,
                device,
            )));
        };
        if nonce.len() != 16 || key.verify_digest(digest, signature).is_err() {
            return Err(Box::new(access_refused(
                AccessRefusal::BadSignature,
                account,
                device,
            )));
        }
        if timestamp.abs_diff(now) > self.config.clock_skew {
            return Err(Box::new(access_refused(
                AccessRefusal::ClockSkew,
                account,
                device,
            )));
        }
        let forget = now.saturating_sub(2 * self.config.clock_skew);
        match self.store.remember_nonce(device, nonce, now, forget) {
            Ok(true) => Ok(d),
            Ok(false) => Err(Box::new(access_refused(
                AccessRefusal::Replayed,
                account,
                device,
            ))),
            Err(_) => Err(Box::new(refused(
                PairingRefusal::Unavailable,
                account,
                Some(device),
            ))),
        }
    }

    fn signed(
        &self,
        device: &str,
        timestamp: u64,
        nonce: &[u8],
        inner: &[u8],
        signature: &[u8],
        now: u64,
    ) -> Handled {
        let digest = request_digest(device, timestamp, nonce, inner);
        let d = match self.authenticate(device, timestamp, nonce, &digest, signature, now) {
            Ok(d) => d,
            Err(h) => return *h,
        };
        let account = Some(d.account.as_str());
        let (answer, distributed) = self.forward(&d.account, device, inner);
        let mut o = outcome(account, Some(device), GatewayEvent::Forwarded);
        o.distributed = Some(distributed);
        match answer {
            Ok(a) => (ServerMessage::Answer(bv(a)), o),
            Err(r) => {
                o.event = GatewayEvent::AccessRefused(r);
                (ServerMessage::Refused(ACCESS_BASE + r.code(), 0), o)
            }
        }
    }

    fn call(
        &self,
        device: &str,
        timestamp: u64,
        nonce: &[u8],
        call: &[u8],
        signature: &[u8],
        now: u64,
    ) -> Handled {
        let digest = call_digest(device, timestamp, nonce, call);
        let d = match self.authenticate(device, timestamp, nonce, &digest, signature, now) {
            Ok(d) => d,
            Err(h) => return *h,
        };
        let mut o = outcome(Some(&d.account), Some(device), GatewayEvent::Called);
        let reply = match (&self.requests, minicbor::decode::<DeviceCall>(call)) {
            (None, _) => CallReply::Refused(RequestRefusal::Unavailable.code()),
            (Some(_), Err(_)) => CallReply::Refused(RequestRefusal::Malformed.code()),
            (Some(desk), Ok(c)) => {
                let (reply, events) = desk.call(&d.account, device, c, now);
                o.requests = events;
                reply
            }
        };
        let bytes = minicbor::to_vec(&reply).unwrap_or_default();
        (ServerMessage::Reply(bv(bytes)), o)
    }
}

fn refusal_response(r: impl Into<RefusalCode>) -> SessionResponse {
    let RefusalCode(code, arg) = r.into();
    SessionResponse::Refused(code, arg)
}

/// A wire refusal code of either kind.
struct RefusalCode(u16, u32);

impl From<PairingRefusal> for RefusalCode {
    fn from(r: PairingRefusal) -> Self {
        let (c, a) = r.to_wire();
        RefusalCode(c, a)
    }
}

impl From<AccessRefusal> for RefusalCode {
    fn from(r: AccessRefusal) -> Self {
        RefusalCode(ACCESS_BASE + r.code(), 0)
    }
}

fn state_aad(id: &str) -> Vec<u8> {
    let mut v = b"fkn pairing state v1\0".to_vec();
    v.extend_from_slice(id.as_bytes());
    v
}

fn fixed<const N: usize>(b: &[u8]) -> Step<[u8; N]> {
    b.try_into().map_err(|_| PairingRefusal::Unavailable)
}

/// 16 random bytes as 32 lowercase hex digits.
pub fn random_id() -> String {
    let mut b = [0u8; 16];
    rand_core::Rng::fill_bytes(&mut os_rng(), &mut b);
    hex::encode(b)
}
