//! [`RutokenSession`]: a Rutoken ECP in PKI mode over any transport: PIN
//! login (in clear: see [`RutokenOptions`]), key discovery, key generation,
//! signing on the card, certificates from the PKCS #15 objects.

use zeroize::Zeroize;

use super::fcp::{self, FileInfo};
use super::{commands, pkcs15};
use crate::apdu::{ApduChannel, Command, Response, StatusError};
use crate::crypto::ec::{CurveId, VerifyingKey};
use crate::error::{ApiMisuse, CardRefusal, Error, Result, Violation};
use crate::token::PinRef;
use crate::transport::{LinkKind, Transport};

/// The DF of the card's key files, from the MF [2.1].
const SYS_KEY_DF: [u16; 2] = [0x1000, 0x1000];
/// The DF of the private key files, `6002/00<ref>`, from the MF.
const PRIVATE_KEYS: [u16; 3] = [0x1000, 0x1000, 0x6002];
/// The DF of the public key files, `6001/00<ref>`, from the MF.
const PUBLIC_KEYS: [u16; 3] = [0x1000, 0x1000, 0x6001];
/// Key references the card and OpenSC use.
const KEY_REFERENCES: core::ops::RangeInclusive<u8> = 1..=255;
/// The longest PIN the card takes [3.1].
pub const MAX_PIN_LEN: usize = 32;
/// Status word of a VERIFY while another right is active [3.2].
const SW_OTHER_RIGHT_ACTIVE: u16 = 0x6F86;
/// Status word of a wrong PIN without its counter [3.2].
const SW_WRONG_PIN_NO_COUNT: u16 = 0x6300;

/// What the app allows this driver to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RutokenOptions {
    /// Send the PIN in clear over a contactless link. In PKI mode the card
    /// takes the PIN unprotected (no SESPAKE, no secure messaging): anyone
    /// with an antenna near the phone can record it. Off by default; an app
    /// that turns it on should tell its users, or use the card in a USB or
    /// contact reader. Contact and USB links are not affected.
    pub allow_clear_pin_over_nfc: bool,
}

/// The state of a PIN, read without spending a try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinState {
    /// Verified in this card session.
    Verified,
    /// Not verified; this many tries are left.
    TriesLeft {
        /// Tries before the PIN blocks.
        tries: u8,
    },
    /// Blocked.
    Blocked,
}

/// A GOST key on the card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RutokenKey {
    /// Key reference: the key files are `6001/00<ref>` and `6002/00<ref>`.
    pub reference: u8,
    /// Curve (CryptoPro A, B or C).
    pub curve: CurveId,
    /// `BYTES(Q) = X_LE || Y_LE`, if the card's PKCS #15 objects (or the
    /// key generation that made it) tell it: the card's own key files do
    /// not let it be read.
    pub public_key: Option<Vec<u8>>,
    /// Label from the PKCS #15 objects, or empty.
    pub label: String,
    /// PKCS #15 id (OpenSC's `--id`), if the key is in the objects.
    pub pkcs15_id: Option<Vec<u8>>,
    /// Path of the key's certificate, if the objects name one.
    pub(super) certificate: Option<Vec<u16>>,
}

impl RutokenKey {
    /// Whether the PKCS #15 objects hold a certificate for the key.
    pub fn has_certificate(&self) -> bool {
        self.certificate.is_some()
    }
}

/// A session with one Rutoken ECP in PKI mode.
pub struct RutokenSession<T: Transport> {
    channel: ApduChannel<T>,
    options: RutokenOptions,
    serial: Vec<u8>,
    pin: Option<PinRef>,
    /// Whether the card has OpenSC's PKCS #15 application (its ODF).
    objects: bool,
}

/// The card's reference of a PIN [3.1].
fn pin_reference(pin: PinRef) -> u8 {
    match pin {
        PinRef::User => 2,
        PinRef::Admin => 1,
    }
}

impl<T: Transport> RutokenSession<T> {
    /// Checks that `transport` holds a Rutoken ECP file system and reads its
    /// serial (two exchanges).
    pub fn open(transport: T, options: RutokenOptions) -> Result<Self> {
        let mut channel = ApduChannel::new(transport);
        if !Self::probe(&mut channel)? {
            return Err(CardRefusal::UnknownCard.into());
        }
        Self::open_probed(channel, options)
    }

    /// Whether the card on `channel` is a Rutoken ECP: its key DF
    /// `3F00/1000/1000` answers SELECT with the card's 15-byte security
    /// attributes (one exchange). Link failures are errors; any refusal or
    /// foreign answer is `false`.
    pub fn probe(channel: &mut ApduChannel<T>) -> Result<bool> {
        let rsp = channel.transmit(&commands::select_path(&SYS_KEY_DF))?;
        Ok(rsp.is_ok() && FileInfo::parse(&rsp.data).is_ok_and(|f| f.is_df))
    }

    /// [`RutokenSession::open`] after a successful [`RutokenSession::probe`]
    /// on the same channel: reads the serial and looks for the PKCS #15
    /// objects' directory (two exchanges).
    pub fn open_probed(mut channel: ApduChannel<T>, options: RutokenOptions) -> Result<Self> {
        let serial = checked(channel.transmit(&commands::serial())?)?;
        let odf = channel.transmit(&commands::select_path(&[pkcs15::APP_DF, pkcs15::ODF]))?;
        Ok(RutokenSession {
            channel,
            options,
            serial,
            pin: None,
            objects: odf.is_ok(),
        })
    }

    /// Whether the card has OpenSC's PKCS #15 objects (as it had when the
    /// session opened), where certificates can be stored.
    pub fn has_objects(&self) -> bool {
        self.objects
    }

    /// The serial number as the card reports it (GET DATA `01 81`).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// APDU exchanges so far (the probe included).
    pub fn exchanges(&self) -> u64 {
        self.channel.exchanges()
    }

    /// The link the card is on.
    pub fn link_kind(&self) -> LinkKind {
        self.channel.transport().link_kind()
    }

    /// The PIN verified in this session, if any.
    pub fn authenticated_as(&self) -> Option<PinRef> {
        self.pin
    }

    /// The state of `pin` without spending a try (one exchange).
    pub fn pin_state(&mut self, pin: PinRef) -> Result<PinState> {
        let rsp = self.send(&commands::verify_status(pin_reference(pin)))?;
        match StatusError::from_sw(rsp.sw) {
            None => Ok(PinState::Verified),
            Some(StatusError::WrongPin { retries_left: 0 } | StatusError::PinBlocked) => {
                Ok(PinState::Blocked)
            }
            Some(StatusError::WrongPin { retries_left }) => Ok(PinState::TriesLeft {
                tries: retries_left,
            }),
            Some(other) => Err(other.into()),
        }
    }

    /// Verifies `pin` as the user PIN (reference 2).
    pub fn login(&mut self, pin: &str) -> Result<()> {
        self.verify(PinRef::User, pin)
    }

    /// Verifies `pin` as the admin PIN (reference 1).
    pub fn login_admin(&mut self, pin: &str) -> Result<()> {
        self.verify(PinRef::Admin, pin)
    }

    fn verify(&mut self, which: PinRef, pin: &str) -> Result<()> {
        self.check_pin_may_travel()?;
        check_pin(pin)?;
        let reference = pin_reference(which);
        let command = SecretCommand(commands::verify(reference, pin.as_bytes()));
        let mut rsp = self.send(&command.0)?;
        if rsp.sw == SW_OTHER_RIGHT_ACTIVE {
            // The other PIN is verified: the card wants its rights reset first.
            self.logout()?;
            rsp = self.send(&command.0)?;
        }
        if rsp.sw == SW_WRONG_PIN_NO_COUNT {
            // The card spent a try without saying how many are left; ask.
            rsp = self.send(&commands::verify_status(reference))?;
            if rsp.is_ok() {
                return Err(Violation::MalformedData.into());
            }
        }
        match StatusError::from_sw(rsp.sw) {
            None => {
                self.pin = Some(which);
                Ok(())
            }
            Some(e) => {
                self.pin = None;
                Err(match e {
                    StatusError::WrongPin { retries_left: 0 } => Error::PinBlocked,
                    other => other.into(),
                })
            }
        }
    }

    /// Resets the card's access rights: both PINs logged out (one exchange).
    pub fn logout(&mut self) -> Result<()> {
        self.pin = None;
        checked(self.send(&commands::logout())?).map(drop)
    }

    /// Changes the logged-in PIN to `new_pin` (one exchange).
    pub fn change_pin(&mut self, new_pin: &str) -> Result<()> {
        self.check_pin_may_travel()?;
        check_pin(new_pin)?;
        let which = self.pin.ok_or(CardRefusal::NotAuthenticated)?;
        let cmd = SecretCommand(commands::change_pin(
            pin_reference(which),
            new_pin.as_bytes(),
        ));
        checked(self.send(&cmd.0)?).map(drop)
    }

    /// Unblocks the user PIN and sets it to `new_user_pin`; needs the admin
    /// login (two exchanges).
    pub fn unblock_user_pin(&mut self, new_user_pin: &str) -> Result<()> {
        self.check_pin_may_travel()?;
        check_pin(new_user_pin)?;
        let user = pin_reference(PinRef::User);
        checked(self.send(&commands::reset_retry_counter(user))?)?;
        let cmd = SecretCommand(commands::change_pin(user, new_user_pin.as_bytes()));
        checked(self.send(&cmd.0)?).map(drop)
    }

    /// The GOST keys on the card: its key files (one exchange per key, plus
    /// two), with ids, labels, public keys and certificates from the PKCS #15
    /// objects when the card has them (a few more reads); a public key the
    /// objects do not give is read from its key file where the card allows
    /// (two exchanges per key).
    pub fn list_keys(&mut self) -> Result<Vec<RutokenKey>> {
        let mut keys = Vec::new();
        for file in self.list_key_files()? {
            let Some(curve) = file.gost_key_curve() else {
                continue; // an RSA key: not for this SDK
            };
            let Ok(reference) = u8::try_from(file.fid) else {
                continue;
            };
            keys.push(RutokenKey {
                reference,
                curve,
                public_key: None,
                label: String::new(),
                pkcs15_id: None,
                certificate: None,
            });
        }
        if !keys.is_empty() {
            self.describe(&mut keys)?;
        }
        for key in keys.iter_mut().filter(|k| k.public_key.is_none()) {
            // The public key file, where its rules let it be read (keys this
            // driver generated); 64 bytes X_LE || Y_LE as GENERATE returned.
            let path = key_file(PUBLIC_KEYS, key.reference);
            key.public_key = self
                .read_optional(&path)?
                .filter(|q| VerifyingKey::from_bytes(key.curve, q).is_ok());
        }
        Ok(keys)
    }

    /// The key with `reference`, or [`CardRefusal::KeyNotFound`].
    pub fn find_key(&mut self, reference: u8) -> Result<RutokenKey> {
        self.list_keys()?
            .into_iter()
            .find(|k| k.reference == reference)
            .ok_or_else(|| CardRefusal::KeyNotFound.into())
    }

    /// Generates a key pair on the card under `reference` (the first free
    /// one if `None`), as OpenSC does: the two key files, then GENERATE
    /// (four exchanges, plus the listing when no reference is given). On a
    /// card with PKCS #15 objects the key is also entered there with its
    /// public key and `label`, as OpenSC would (a dozen more exchanges), so
    /// OpenSC lists it too. Needs the user login. The public key file is made
    /// readable, so [`RutokenSession::list_keys`] finds the public key on any
    /// card.
    pub fn generate_key(
        &mut self,
        reference: Option<u8>,
        curve: CurveId,
        label: &str,
    ) -> Result<RutokenKey> {
        let paramset =
            fcp::paramset_of_curve(curve).ok_or(ApiMisuse::CurveNotSupported { curve })?;
        let reference = match reference {
            Some(r) if r != 0 => r,
            Some(_) => {
                return Err(ApiMisuse::InvalidArgument {
                    detail: "Rutoken key references are 1 to 255".into(),
                }
                .into());
            }
            None => self.free_reference()?,
        };
        let owner = pin_reference(PinRef::User);
        self.select(&PRIVATE_KEYS)?;
        for private in [true, false] {
            let fcp = fcp::gost_key_file(reference, paramset, private, owner);
            checked(self.send(&commands::create_file(fcp))?)?;
        }
        let raw = checked(self.send(&commands::generate(reference))?)?;
        let public = VerifyingKey::from_bytes(curve, &raw)
            .map_err(|_| Violation::InvalidPublicKey)?
            .to_bytes();
        let mut key = RutokenKey {
            reference,
            curve,
            public_key: Some(public),
            label: String::new(),
            pkcs15_id: None,
            certificate: None,
        };
        self.register_key(&mut key, label)?;
        Ok(key)
    }

    /// Stores `der` as key `reference`'s certificate in the PKCS #15
    /// objects (see `store_certificate`), after checking that it certifies
    /// this key where the card tells the key's public key. Needs the user
    /// login.
    pub fn put_certificate(&mut self, reference: u8, der: &[u8]) -> Result<()> {
        if der.is_empty() {
            return Err(ApiMisuse::EmptyCertificate.into());
        }
        let key = self.find_key(reference)?;
        let info = crate::pki::cert::certificate_info(der)?;
        if key
            .public_key
            .as_ref()
            .is_some_and(|q| *q != info.public_key)
        {
            return Err(crate::pki::PkiError::CertificateMismatch(
                "the certificate is for another key".into(),
            )
            .into());
        }
        let label = if key.label.is_empty() {
            "Certificate"
        } else {
            key.label.as_str()
        };
        self.store_certificate(&key, der, label)
    }

    /// Signs 32-byte digests with key `reference`: the key file selected and
    /// the security environment set once, then one PSO per digest (2 + n
    /// exchanges). Returns each signature as `s || r`, big-endian halves.
    pub fn sign<D: AsRef<[u8]>>(&mut self, reference: u8, digests: &[D]) -> Result<Vec<Vec<u8>>> {
        if let Some(bad) = digests.iter().find(|d| d.as_ref().len() != 32) {
            return Err(ApiMisuse::DigestLength {
                len: bad.as_ref().len() as u32,
            }
            .into());
        }
        self.select(&key_path(reference))?;
        checked(self.send(&commands::mse_sign(reference))?)?;
        let mut out = Vec::with_capacity(digests.len());
        for digest in digests {
            let raw = checked(self.send(&commands::sign(digest.as_ref()))?)?;
            if raw.len() != 64 {
                return Err(Violation::WrongSignatures.into());
            }
            // The card answers r_LE || s_LE: the SDK's s_BE || r_BE reversed.
            out.push(raw.into_iter().rev().collect());
        }
        Ok(out)
    }

    /// The DER certificate of key `key`, from the PKCS #15 objects.
    pub fn read_certificate(&mut self, key: &RutokenKey) -> Result<Vec<u8>> {
        let path = key
            .certificate
            .clone()
            .ok_or(CardRefusal::CertificateNotFound)?;
        self.read_file(&path)
    }

    fn check_pin_may_travel(&self) -> Result<()> {
        if self.link_kind() == LinkKind::Contactless && !self.options.allow_clear_pin_over_nfc {
            return Err(ApiMisuse::ClearPinOverNfc.into());
        }
        Ok(())
    }

    fn free_reference(&mut self) -> Result<u8> {
        let taken: Vec<u16> = self.list_key_files()?.iter().map(|f| f.fid).collect();
        KEY_REFERENCES
            .clone()
            .find(|r| !taken.contains(&u16::from(*r)))
            .ok_or_else(|| CardRefusal::TokenFull.into())
    }

    /// The EFs of the private key DF, by "select first / select next".
    fn list_key_files(&mut self) -> Result<Vec<FileInfo>> {
        self.select(&PRIVATE_KEYS)?;
        let mut files = Vec::new();
        let mut rsp = self.send(&commands::select_first())?;
        // A DF holds at most 255 key files; the bound stops a card that loops.
        for _ in KEY_REFERENCES {
            if rsp.sw == 0x6A82 {
                return Ok(files);
            }
            let file = FileInfo::parse(&checked(rsp)?)?;
            let fid = file.fid;
            if file.is_df {
                // Selecting a DF entered it: step back out before going on.
                checked(self.send(&commands::select_parent())?)?;
            } else {
                files.push(file);
            }
            rsp = self.send(&commands::select_next(fid))?;
        }
        Err(Violation::MalformedData.into())
    }

    /// A file's content, or `None` if it does not exist or may not be read.
    pub(super) fn read_optional(&mut self, path: &[u16]) -> Result<Option<Vec<u8>>> {
        Ok(self.read_optional_until(path, |_| None)?.map(|(_, d)| d))
    }

    /// [`Self::read_optional`] with what SELECT told, stopping early where
    /// `end` finds the content ends.
    pub(super) fn read_optional_until(
        &mut self,
        path: &[u16],
        end: fn(&[u8]) -> Option<usize>,
    ) -> Result<Option<(FileInfo, Vec<u8>)>> {
        match self.read_file_until(path, end) {
            Ok(read) => Ok(Some(read)),
            Err(Error::Card {
                refusal: CardRefusal::KeyNotFound | CardRefusal::NotAuthenticated,
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// SELECT `path`, then READ BINARY its whole content in 256-byte chunks.
    pub(super) fn read_file(&mut self, path: &[u16]) -> Result<Vec<u8>> {
        Ok(self.read_file_until(path, |_| None)?.1)
    }

    /// [`Self::read_file`], stopping after the chunk in which `end` finds
    /// where the content ends (and cutting it there).
    fn read_file_until(
        &mut self,
        path: &[u16],
        end: fn(&[u8]) -> Option<usize>,
    ) -> Result<(FileInfo, Vec<u8>)> {
        let file = self.select(path)?;
        let size = usize::from(file.size);
        let mut data = Vec::with_capacity(size);
        while data.len() < size {
            if let Some(len) = end(&data) {
                data.truncate(len);
                return Ok((file, data));
            }
            let offset = data.len() as u16;
            let want = (file.size - offset).min(256);
            let chunk = checked(self.send(&commands::read_binary(offset, want))?)?;
            if chunk.is_empty() {
                return Err(Violation::MalformedData.into());
            }
            data.extend_from_slice(&chunk);
        }
        data.truncate(size);
        if let Some(len) = end(&data) {
            data.truncate(len);
        }
        Ok((file, data))
    }

    /// SELECT `path`, then UPDATE BINARY `data` at `offset`, 255 bytes per
    /// command.
    pub(super) fn write_at(&mut self, path: &[u16], offset: usize, data: &[u8]) -> Result<()> {
        self.select(path)?;
        for (i, chunk) in data.chunks(255).enumerate() {
            let at = u16::try_from(offset + i * 255).map_err(|_| CardRefusal::TokenFull)?;
            checked(self.send(&commands::update_binary(at, chunk))?)?;
        }
        Ok(())
    }

    pub(super) fn select(&mut self, path: &[u16]) -> Result<FileInfo> {
        FileInfo::parse(&checked(self.send(&commands::select_path(path))?)?)
    }

    pub(super) fn send(&mut self, cmd: &Command) -> Result<Response> {
        self.channel.transmit(cmd).map_err(Error::from)
    }
}

/// Key file `00<ref>` in the key DF `df`, from the MF.
fn key_file(df: [u16; 3], reference: u8) -> [u16; 4] {
    [df[0], df[1], df[2], u16::from(reference)]
}

/// The private key file `6002/00<ref>` from the MF.
pub(super) fn key_path(reference: u8) -> [u16; 4] {
    key_file(PRIVATE_KEYS, reference)
}

/// The response's data, or its status word as an [`Error`].
pub(super) fn checked(rsp: Response) -> Result<Vec<u8>> {
    rsp.into_data().map_err(Error::from)
}

fn check_pin(pin: &str) -> Result<()> {
    if pin.is_empty() {
        return Err(ApiMisuse::EmptyPin.into());
    }
    if pin.len() > MAX_PIN_LEN {
        return Err(ApiMisuse::InvalidArgument {
            detail: format!("a Rutoken PIN has at most {MAX_PIN_LEN} bytes"),
        }
        .into());
    }
    Ok(())
}

/// A command carrying a PIN: its data is wiped when it goes.
struct SecretCommand(Command);

impl Drop for SecretCommand {
    fn drop(&mut self) {
        self.0.data.zeroize();
    }
}
