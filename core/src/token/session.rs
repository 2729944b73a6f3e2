//! The host API: a session with one OFP1 token over a [`Transport`].
//!
//! ```text
//! TokenSession::open      SELECT                          1 exchange
//!   .authenticate(pin)    PBKDF2 first, then GA step 1+2  2 exchanges
//!   .sign(id, digests)    one wrapped PSO                 1 exchange
//! ```
//!
//! After SESPAKE every command goes through the secure channel ([`SecureLink`]). Any failure
//! on the way (tag lost, a response that does not verify, `69 88` from the
//! token) drops the channel and its keys: the caller logs in again, and the
//! token, which also forgets its keys, has not half-done anything.

use super::commands::{self, PinRef};
use super::records::{KeyInfo, PasswordInfo, SelectInfo, TokenInfo};
use super::status::{self, Ofp1Command as C};
use crate::apdu::tlv;
use crate::apdu::{Command, Response};
use crate::crypto::ec::{CurveId, VerifyingKey};
use crate::error::{ApiMisuse, CardRefusal, Error, Result, Violation};
use crate::sespake::{self, HostStart, MacContext, PasswordKey, Profile};
use crate::sm::{SecureLink, SmKeys};
use crate::transport::Transport;

/// Most digests one sign command takes (OFP1 Section 6).
pub const MAX_DIGESTS_PER_SIGN: usize = 16;

/// A PIN already run through PBKDF2 for one token's salt, so the tap itself
/// only costs point arithmetic. Made by [`TokenSession::prepare_pin`] (or
/// [`PreparedPin::derive`] with a [`PasswordInfo`] remembered from an earlier
/// session with the same token). Holds no PIN, only `F`, zeroized on drop.
#[derive(Debug)]
pub struct PreparedPin {
    serial: [u8; 8],
    reference: PinRef,
    salt: Vec<u8>,
    key: PasswordKey,
}

impl PreparedPin {
    /// Runs PBKDF2 for `pin` with the salt and curve of `info`, for the token
    /// with `serial`.
    pub fn derive(profile: &Profile, serial: [u8; 8], info: &PasswordInfo, pin: &str) -> Self {
        PreparedPin {
            serial,
            reference: info.reference,
            salt: info.salt.clone(),
            key: sespake::derive_password_key(profile, info.curve, pin.as_bytes(), &info.salt),
        }
    }

    /// Which PIN this is.
    pub fn reference(&self) -> PinRef {
        self.reference
    }

    /// The salt it was derived with: SELECT shows which salt the token holds.
    pub fn salt(&self) -> &[u8] {
        &self.salt
    }

    /// Whether it fits the token with `serial` whose PIN has `salt` now.
    pub fn fits(&self, serial: &[u8; 8], salt: &[u8]) -> bool {
        self.serial == *serial && self.salt == salt
    }
}

/// A session with one token.
pub struct TokenSession<T: Transport = Box<dyn Transport>> {
    link: SecureLink<T>,
    profile: Profile,
    select: SelectInfo,
    /// The PIN of the last login; it holds while the link's secure channel does.
    pin: Option<PinRef>,
}

impl<T: Transport> TokenSession<T> {
    /// Selects the OFP1 application (one exchange) and reads what SESPAKE needs.
    pub fn open(transport: T) -> Result<Self> {
        Self::open_with_profile(transport, Profile::ofp1())
    }

    /// [`TokenSession::open`] with another SESPAKE profile (vendor point sets).
    pub fn open_with_profile(transport: T, profile: Profile) -> Result<Self> {
        let mut link = SecureLink::new(transport);
        let rsp = link.transmit_plain(&commands::select())?;
        Self::selected(link, &rsp, profile)
    }

    /// A session on `link` whose OFP1 SELECT was answered with `rsp` (for
    /// [`crate::card::open`], which sent it while finding out what the card is).
    pub fn selected(link: SecureLink<T>, rsp: &Response, profile: Profile) -> Result<Self> {
        status::check(C::Select, rsp.sw)?;
        let select = SelectInfo::parse(&rsp.data)?;
        Ok(TokenSession {
            link,
            profile,
            select,
            pin: None,
        })
    }

    /// What SELECT told: serial, label, curves, PIN parameters.
    ///
    /// SELECT is not authenticated. SESPAKE binds the serial and the
    /// logged-in PIN's `ind`, salt and curve (they enter `MAC_A`/`MAC_B`);
    /// the version, the label, the curve list, the attempt counters and the
    /// other PIN's template are as the card (or anything between) sent them.
    /// [`TokenSession::token_info`] refreshes the label and the counters
    /// inside the secure channel.
    pub fn select_info(&self) -> &SelectInfo {
        &self.select
    }

    /// APDU exchanges so far on this session's link (SELECT included).
    pub fn exchanges(&self) -> u64 {
        self.link.exchanges()
    }

    /// Which PIN the session is logged in with, if any.
    pub fn authenticated_as(&self) -> Option<PinRef> {
        self.pin.filter(|_| self.link.is_established())
    }

    /// The kind of link the card is on, for wording errors
    /// ([`Error::message_on`]).
    pub fn link_kind(&self) -> crate::transport::LinkKind {
        self.link.transport().link_kind()
    }

    /// The transport, e.g. to read a counting or simulated-NFC transport's figures.
    pub fn transport(&self) -> &T {
        self.link.transport()
    }

    /// Runs PBKDF2 for `pin` against this token's salt (the slow part of a
    /// login; do it before asking the user to tap, when the salt is known).
    pub fn prepare_pin(&self, reference: PinRef, pin: &str) -> Result<PreparedPin> {
        let info = self.password_info(reference)?;
        Ok(PreparedPin::derive(
            &self.profile,
            self.select.serial,
            info,
            pin,
        ))
    }

    /// Logs in with the user PIN: SESPAKE, then secure messaging.
    pub fn authenticate(&mut self, pin: &str) -> Result<()> {
        let prepared = self.prepare_pin(PinRef::User, pin)?;
        self.authenticate_prepared(&prepared)
    }

    /// Logs in with the admin PIN.
    pub fn authenticate_admin(&mut self, pin: &str) -> Result<()> {
        let prepared = self.prepare_pin(PinRef::Admin, pin)?;
        self.authenticate_prepared(&prepared)
    }

    /// Logs in with a PIN prepared earlier (two exchanges, no PBKDF2 now).
    pub fn authenticate_prepared(&mut self, pin: &PreparedPin) -> Result<()> {
        self.authenticate_prepared_with_rng(pin, &mut crate::crypto::os_rng())
    }

    /// [`TokenSession::authenticate_prepared`] with SESPAKE's `alpha` drawn
    /// from `rng`: for replaying published examples. Apps use the OS generator.
    pub fn authenticate_prepared_with_rng<R: rand_core::CryptoRng>(
        &mut self,
        pin: &PreparedPin,
        rng: &mut R,
    ) -> Result<()> {
        let info = self.password_info(pin.reference)?.clone();
        if pin.serial != self.select.serial || pin.salt != info.salt {
            return Err(ApiMisuse::StalePreparedPin.into());
        }
        // A new exchange ends any session on the token; mirror that here.
        self.link.close();
        let mac = MacContext::ofp1(info.curve, &self.select.serial);
        let start = HostStart::new(
            &self.profile,
            info.curve,
            info.ind,
            &info.salt,
            &pin.key,
            mac,
        )?;
        let (expect_u2, u1) = start.start(rng);

        let rsp = self.plain(
            C::AuthenticateStep1,
            &commands::general_authenticate_1(pin.reference, &[], &u1),
        )?;
        let u2 = tlv::expect_single(tlv::expect_single(&rsp.data, 0x7C)?, 0x82)?;
        let (expect_mac_b, mac_a) = expect_u2.handle(u2).map_err(|_| Violation::NotAuthentic)?;

        let rsp = self.plain(
            C::AuthenticateStep2,
            &commands::general_authenticate_2(pin.reference, &mac_a),
        )?;
        let mac_b = tlv::expect_single(tlv::expect_single(&rsp.data, 0x7C)?, 0x84)?;
        let established = expect_mac_b
            .handle(mac_b)
            .map_err(|_| Violation::NotAuthentic)?;
        let keys = SmKeys::derive(established.k, &established.u1, &established.u2);
        self.link.establish(keys);
        self.pin = Some(pin.reference);
        Ok(())
    }

    /// Serial, label, free slots and PIN attempts, read inside the secure
    /// channel. The label and attempt counters of [`TokenSession::select_info`]
    /// are refreshed from it: SELECT's copies are not authenticated.
    pub fn token_info(&mut self) -> Result<TokenInfo> {
        let rsp = self.secure(C::TokenInfo, &commands::token_info())?;
        let info = TokenInfo::parse(&rsp.data)?;
        // The serial is SESPAKE's ID_B, which MAC_B bound: another one here
        // is a token contradicting itself.
        if info.serial != self.select.serial {
            return Err(Violation::MalformedData.into());
        }
        self.select.label.clone_from(&info.label);
        for p in &mut self.select.passwords {
            p.attempts_left = match p.reference {
                PinRef::User => info.user_pin_attempts,
                PinRef::Admin => info.admin_pin_attempts,
            };
        }
        Ok(info)
    }

    /// Every key on the token, in creation order.
    pub fn list_keys(&mut self) -> Result<Vec<KeyInfo>> {
        let rsp = self.secure(C::ListKeys, &commands::list_keys())?;
        Ok(KeyInfo::parse_list(&rsp.data)?)
    }

    /// Generates a key pair on the token; the private key never leaves it.
    pub fn generate_key(&mut self, id: &[u8], curve: CurveId, label: &str) -> Result<KeyInfo> {
        check_key_id(id)?;
        if !self.select.curves.contains(&curve) {
            return Err(ApiMisuse::CurveNotSupported { curve }.into());
        }
        let rsp = self.secure(C::GenerateKey, &commands::generate_key(id, curve, label))?;
        let public_key = tlv::expect_single(&rsp.data, 0x86)?.to_vec();
        // A token that returns a bad point is not one we should trust with keys.
        VerifyingKey::from_bytes(curve, &public_key).map_err(|_| Violation::InvalidPublicKey)?;
        Ok(KeyInfo {
            id: id.to_vec(),
            curve,
            public_key,
            label: label.to_owned(),
            has_certificate: false,
        })
    }

    /// Signs up to 16 digests with key `id` in one command. Each signature is
    /// `s || r` (OFP1 Section 1); digests must match the key's curve size.
    pub fn sign<D: AsRef<[u8]>>(&mut self, id: &[u8], digests: &[D]) -> Result<Vec<Vec<u8>>> {
        check_key_id(id)?;
        if digests.is_empty() || digests.len() > MAX_DIGESTS_PER_SIGN {
            return Err(ApiMisuse::DigestCount {
                count: u32::try_from(digests.len()).unwrap_or(u32::MAX),
            }
            .into());
        }
        let len = digests[0].as_ref().len();
        if let Some(bad) = digests
            .iter()
            .map(|d| d.as_ref().len())
            .find(|&l| l != len || !(len == 32 || len == 64))
        {
            return Err(ApiMisuse::DigestLength {
                len: u32::try_from(bad).unwrap_or(u32::MAX),
            }
            .into());
        }
        let rsp = self.secure(C::Sign, &commands::sign(id, digests))?;
        let sigs: Vec<Vec<u8>> = tlv::parse(&rsp.data)?
            .into_iter()
            .filter(|(t, _)| *t == 0x9E)
            .map(|(_, v)| v.to_vec())
            .collect();
        if sigs.len() != digests.len() || sigs.iter().any(|s| s.len() != 2 * len) {
            return Err(Violation::WrongSignatures.into());
        }
        Ok(sigs)
    }

    /// Stores a certificate (DER) for key `id`.
    pub fn put_certificate(&mut self, id: &[u8], der: &[u8]) -> Result<()> {
        check_key_id(id)?;
        if der.is_empty() {
            return Err(ApiMisuse::EmptyCertificate.into());
        }
        self.secure(C::PutCertificate, &commands::put_certificate(id, der))
            .map(drop)
    }

    /// Reads the certificate (DER) of key `id`.
    pub fn get_certificate(&mut self, id: &[u8]) -> Result<Vec<u8>> {
        check_key_id(id)?;
        let rsp = self.secure(C::GetCertificate, &commands::get_certificate(id))?;
        Ok(tlv::expect_single(&rsp.data, 0x70)?.to_vec())
    }

    /// Deletes key `id` and its certificate.
    pub fn delete_key(&mut self, id: &[u8]) -> Result<()> {
        check_key_id(id)?;
        self.secure(C::DeleteKey, &commands::delete_key(id))
            .map(drop)
    }

    /// Changes the PIN this session is logged in with. A fresh salt is chosen,
    /// and the token receives only the new verifier `Q_PW`, never the PIN.
    pub fn change_pin(&mut self, new_pin: &str) -> Result<()> {
        let pin = self
            .authenticated_as()
            .ok_or(Error::from(CardRefusal::NotAuthenticated))?;
        let (salt, q_pw) = self.new_verifier(pin, new_pin)?;
        self.secure(C::ChangePin, &commands::change_pin(pin, &salt, &q_pw))?;
        self.refresh_salt(pin, salt);
        Ok(())
    }

    /// [`TokenSession::change_pin`] to a PIN prepared by the caller with a
    /// salt it chose (`new.salt()`), so that after a lost answer SELECT's
    /// salt tells whether the change went through.
    pub fn change_pin_prepared(&mut self, new: &PreparedPin) -> Result<()> {
        let pin = self
            .authenticated_as()
            .ok_or(Error::from(CardRefusal::NotAuthenticated))?;
        if pin != new.reference || new.serial != self.select.serial {
            return Err(ApiMisuse::StalePreparedPin.into());
        }
        let info = self.password_info(pin)?;
        let q_pw = sespake::password_point(&self.profile, info.curve, info.ind, &new.key)?;
        let salt = new.salt.clone();
        self.secure(
            C::ChangePin,
            &commands::change_pin(pin, &salt, &q_pw.to_bytes()),
        )?;
        self.refresh_salt(pin, salt);
        Ok(())
    }

    /// Sets a new user PIN and unblocks it (admin session).
    pub fn unblock_pin(&mut self, new_user_pin: &str) -> Result<()> {
        let (salt, q_pw) = self.new_verifier(PinRef::User, new_user_pin)?;
        self.secure(C::UnblockPin, &commands::unblock_user_pin(&salt, &q_pw))?;
        self.refresh_salt(PinRef::User, salt);
        Ok(())
    }

    /// `len` random bytes from the token (no login needed).
    pub fn random(&mut self, len: u8) -> Result<Vec<u8>> {
        let cmd = commands::random(u32::from(len.max(1)));
        let rsp = if self.link.is_established() {
            self.secure(C::Random, &cmd)?
        } else {
            self.plain(C::Random, &cmd)?
        };
        Ok(rsp.data)
    }

    fn password_info(&self, reference: PinRef) -> Result<&PasswordInfo> {
        self.select
            .password(reference)
            .ok_or(Error::from(Violation::PinNotAnnounced { pin: reference }))
    }

    fn new_verifier(&self, reference: PinRef, new_pin: &str) -> Result<(Vec<u8>, Vec<u8>)> {
        if new_pin.is_empty() {
            return Err(ApiMisuse::EmptyPin.into());
        }
        let info = self.password_info(reference)?;
        let mut salt = vec![0u8; 16];
        rand_core::Rng::fill_bytes(&mut crate::crypto::os_rng(), &mut salt);
        let key =
            sespake::derive_password_key(&self.profile, info.curve, new_pin.as_bytes(), &salt);
        let q_pw = sespake::password_point(&self.profile, info.curve, info.ind, &key)?;
        Ok((salt, q_pw.to_bytes()))
    }

    fn refresh_salt(&mut self, reference: PinRef, salt: Vec<u8>) {
        if let Some(p) = self
            .select
            .passwords
            .iter_mut()
            .find(|p| p.reference == reference)
        {
            p.salt = salt;
        }
    }

    /// A command outside secure messaging (SESPAKE, random); an error status
    /// word becomes what it means for `kind` ([`status::check`]).
    fn plain(&mut self, kind: C, cmd: &Command) -> Result<Response> {
        let rsp = self.link.transmit_plain(cmd)?;
        status::check(kind, rsp.sw)?;
        Ok(rsp)
    }

    /// A command through the secure channel; a failure of the channel or
    /// the link ends the session (the link erases the keys).
    fn secure(&mut self, kind: C, cmd: &Command) -> Result<Response> {
        let rsp = self.link.transmit(cmd)?;
        status::check(kind, rsp.sw)?;
        Ok(rsp)
    }
}

fn check_key_id(id: &[u8]) -> Result<()> {
    if id.is_empty() || id.len() > 16 {
        return Err(ApiMisuse::KeyIdLength {
            len: u32::try_from(id.len()).unwrap_or(u32::MAX),
        }
        .into());
    }
    Ok(())
}
