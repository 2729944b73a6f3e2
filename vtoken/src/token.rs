//! [`VirtualToken`]: persisted state plus the volatile card state (session,
//! pending chain, pending response), and the ISO 7816-4 framing of OFP1
//! Section 2 on the card side.

use std::path::{Path, PathBuf};

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use super::commands::{self, Entry, Reply};
use super::random::{FromRng, OsRandom, TokenRandom};
use super::session::{Session, SessionStatus};
use super::wire::{self, Apdu};
use super::wrapped;
use super::{TokenState, VirtualTokenError, atr, store};
use fkn_core::crypto::ec::CurveId;

/// AID of the OFP1 application (`F0 46 4B 4E 4F 50 31`, "FKNOP1").
pub const OFP1_AID: [u8; 7] = [0xF0, 0x46, 0x4B, 0x4E, 0x4F, 0x50, 0x31];

/// Most command data a chain may accumulate: an extended command plus
/// secure-messaging overhead.
pub const MAX_CHAIN_DATA: usize = 65_535 + 1_024;

const CHAINING_BIT: u8 = 0x10;
const CLA_PLAIN: u8 = 0x00;
const CLA_SM: u8 = 0x0C;
const INS_GET_RESPONSE: u8 = 0xC0;
const INS_GENERAL_AUTHENTICATE: u8 = 0x86;

/// Fragments received so far of a chained command.
struct Chain {
    /// CLA (without the chaining bit), INS, P1, P2 of the fragments.
    header: [u8; 4],
    data: Zeroizing<Vec<u8>>,
}

/// Response data not yet fetched with GET RESPONSE.
struct Pending {
    data: Zeroizing<Vec<u8>>,
    offset: usize,
    /// Status word once everything has been fetched.
    sw: u16,
}

/// An OFP1 token in software: the other party of the SDK, for tests, the
/// CLI and the vpcd bridge. It parses raw APDU bytes itself (not with the
/// host's codec) and never panics on any input.
///
/// It is party B of SESPAKE (OFP1 Section 4, counters saved before every
/// answer), unwraps and wraps secure messaging (Section 5) and runs the
/// Section 6 commands with the rights of the password that logged in.
/// Randomness comes from a [`TokenRandom`] (the OS by default;
/// [`VirtualToken::with_random`] to script it).
///
/// In memory with [`VirtualToken::new`], or backed by a file with
/// [`VirtualToken::create`] / [`VirtualToken::open`]: every change of
/// persisted state is saved before the answer is sent. **The file holds
/// private keys in plain form: development and tests only** (see
/// [`store`](super::store)).
pub struct VirtualToken {
    state: TokenState,
    path: Option<PathBuf>,
    random: Box<dyn TokenRandom>,
    session: Option<Session>,
    chain: Option<Chain>,
    pending: Option<Pending>,
}

impl VirtualToken {
    /// A token in memory, with the OS random generator.
    pub fn new(state: TokenState) -> Self {
        VirtualToken {
            state,
            path: None,
            random: Box::new(OsRandom),
            session: None,
            chain: None,
            pending: None,
        }
    }

    /// Writes `state` to a new file at `path` and returns the token backed
    /// by it. Refuses to overwrite an existing file.
    pub fn create(path: impl AsRef<Path>, state: TokenState) -> Result<Self, VirtualTokenError> {
        let path = path.as_ref();
        if path.exists() {
            return Err(VirtualTokenError::AlreadyExists(path.to_path_buf()));
        }
        store::save(path, &state)?;
        let mut token = Self::new(state);
        token.path = Some(path.to_path_buf());
        Ok(token)
    }

    /// Opens the token saved at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, VirtualTokenError> {
        let path = path.as_ref();
        let mut token = Self::new(store::load(path)?);
        token.path = Some(path.to_path_buf());
        Ok(token)
    }

    /// A new token file at `path` for the given PINs (see
    /// [`TokenState::with_pins`]; salts from the OS generator). Refuses to
    /// overwrite an existing file.
    pub fn create_with_pins(
        path: impl AsRef<Path>,
        serial: [u8; 8],
        label: &str,
        user_pin: &str,
        admin_pin: &str,
        password_curve: CurveId,
    ) -> Result<Self, VirtualTokenError> {
        let state = TokenState::with_pins(
            serial,
            label,
            user_pin,
            admin_pin,
            password_curve,
            &mut OsRandom,
        )?;
        Self::create(path, state)
    }

    /// Replaces the random generator: bytes as it draws them, scalars by
    /// [`Scalar::random_nonzero`](fkn_core::crypto::ec::Scalar::random_nonzero).
    pub fn with_rng(self, rng: impl CryptoRng + Send + 'static) -> Self {
        self.with_random(FromRng(rng))
    }

    /// Replaces the source of randomness, e.g. with a
    /// [`ScriptedRandom`](super::ScriptedRandom) to replay a worked example.
    pub fn with_random(mut self, random: impl TokenRandom + 'static) -> Self {
        self.random = Box::new(random);
        self
    }

    /// What the token is authenticated for right now.
    pub fn session_status(&self) -> SessionStatus {
        self.session
            .as_ref()
            .map_or(SessionStatus::None, Session::status)
    }

    /// The persisted state.
    pub fn state(&self) -> &TokenState {
        &self.state
    }

    /// The file backing the token, if any.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Changes the persisted state outside the protocol (set-up, tests) and
    /// saves it; on a save error the change is undone.
    pub fn update_state(
        &mut self,
        change: impl FnOnce(&mut TokenState),
    ) -> Result<(), VirtualTokenError> {
        let before = self.state.clone();
        change(&mut self.state);
        self.persist().inspect_err(|_| self.state = before)
    }

    /// The ATR (ISO 7816-3): T=0/T=1, historical bytes with the card
    /// capabilities of OFP1 Section 2 (extended length as configured).
    pub fn atr(&self) -> Vec<u8> {
        atr::build(self.state.config().extended_length)
    }

    /// Power cycle: ends any session, pending chain and pending response.
    pub fn reset(&mut self) {
        self.end_session();
        self.chain = None;
        self.pending = None;
    }

    /// Processes one command APDU and returns the response APDU (data then
    /// `SW1 SW2`). Never panics.
    pub fn process_apdu(&mut self, raw: &[u8]) -> Vec<u8> {
        let reply = self.process(raw);
        log::trace!(
            target: "fkn::virtual_token",
            "INS {:02X}: {} bytes, SW {:04X}",
            raw.get(1).copied().unwrap_or(0),
            reply.data.len(),
            reply.sw
        );
        let mut out = reply.data;
        out.extend_from_slice(&reply.sw.to_be_bytes());
        out
    }

    fn process(&mut self, raw: &[u8]) -> Reply {
        let Some(apdu) = wire::parse(raw) else {
            self.discard_volatile();
            return Reply::status(0x6700);
        };
        if apdu.extended && !self.state.config().extended_length {
            self.discard_volatile();
            return Reply::status(0x6700);
        }
        let cla = apdu.cla & !CHAINING_BIT;
        if cla != CLA_PLAIN && cla != CLA_SM {
            self.discard_volatile();
            return Reply::status(0x6E00);
        }
        if apdu.cla == CLA_PLAIN && apdu.ins == INS_GET_RESPONSE {
            self.chain = None;
            return self.get_response(&apdu);
        }
        self.pending = None;

        let header = [cla, apdu.ins, apdu.p1, apdu.p2];
        if apdu.cla & CHAINING_BIT != 0 {
            if !is_general_authenticate(header) {
                self.abort_sespake();
            }
            return self.add_fragment(header, apdu.data);
        }
        let reply = match self.chain.take() {
            Some(chain) if chain.header == header => {
                let mut data = chain.data;
                if data.len() + apdu.data.len() > MAX_CHAIN_DATA {
                    return Reply::status(0x6700);
                }
                data.extend_from_slice(apdu.data);
                let whole = Apdu {
                    data: &data,
                    ..apdu
                };
                self.dispatch(&whole)
            }
            // Any other command discards the chain (Section 2).
            _ => self.dispatch(&apdu),
        };
        self.respond(reply, apdu.ne)
    }

    fn discard_volatile(&mut self) {
        self.abort_sespake();
        self.chain = None;
        self.pending = None;
    }

    /// An intermediate fragment: stored, answered `90 00`.
    fn add_fragment(&mut self, header: [u8; 4], data: &[u8]) -> Reply {
        let chain = match self.chain.take() {
            Some(chain) if chain.header == header => chain,
            _ => Chain {
                header,
                data: Zeroizing::new(Vec::new()),
            },
        };
        if chain.data.len() + data.len() > MAX_CHAIN_DATA {
            return Reply::status(0x6700);
        }
        let mut chain = chain;
        chain.data.extend_from_slice(data);
        self.chain = Some(chain);
        Reply::status(0x9000)
    }

    fn dispatch(&mut self, apdu: &Apdu<'_>) -> Reply {
        // Section 4: any other command between the SESPAKE steps aborts them.
        if !is_general_authenticate([apdu.cla, apdu.ins, apdu.p1, apdu.p2]) {
            self.abort_sespake();
        }
        if apdu.cla == CLA_SM {
            wrapped::wrapped(self, apdu)
        } else {
            commands::plain(self, apdu)
        }
    }

    /// Runs a table entry, saving the state before answering when the
    /// command changed it (on a save error: state restored, `6F 00`). A
    /// `6C xx`-safe entry's reply is marked for [`Self::respond`].
    pub(crate) fn run(&mut self, entry: &Entry, apdu: &Apdu<'_>) -> Reply {
        let before = entry.mutates.then(|| self.state.clone());
        let mut reply = (entry.handler)(self, apdu);
        if let Some(before) = before {
            if !self.commit(before, entry.name) {
                reply = Reply::status(0x6F00);
            }
        }
        reply.repeatable = entry.repeatable;
        reply
    }

    /// Saves the state if it differs from `before`; if saving fails, puts
    /// `before` back and returns `false` (the caller answers `6F 00`).
    pub(crate) fn commit(&mut self, before: TokenState, what: &str) -> bool {
        if before == self.state {
            return true;
        }
        match self.persist() {
            Ok(()) => true,
            Err(e) => {
                log::warn!(target: "fkn::virtual_token", "{what}: {e}");
                self.state = before;
                false
            }
        }
    }

    /// Response chaining: at most `min(max_response_data, Ne)` bytes now,
    /// `61 xx` while more is pending.
    fn respond(&mut self, reply: Reply, ne: Option<usize>) -> Reply {
        let len = reply.data.len();
        if reply.repeatable
            && reply.sw == 0x9000
            && self.state.config().answer_wrong_le
            && ne.is_some_and(|ne| ne < len)
            && len <= 256
        {
            // Section 2: only for commands that can safely run again.
            return Reply::status(0x6C00 | (len & 0xFF) as u16);
        }
        let max = self.state.config().max_response_data;
        let limit = ne.map_or(max, |ne| ne.min(max));
        self.chunk(
            Pending {
                data: Zeroizing::new(reply.data),
                offset: 0,
                sw: reply.sw,
            },
            limit,
        )
    }

    /// GET RESPONSE `00 C0 00 00 Le`: the next chunk, `69 85` if nothing is pending.
    fn get_response(&mut self, apdu: &Apdu<'_>) -> Reply {
        let Some(pending) = self.pending.take() else {
            return Reply::status(0x6985);
        };
        if apdu.p1p2() != 0 || !apdu.data.is_empty() {
            let sw = if apdu.data.is_empty() { 0x6A86 } else { 0x6700 };
            self.pending = Some(pending);
            return Reply::status(sw);
        }
        let max = self.state.config().max_response_data;
        let limit = apdu.ne.map_or(max, |ne| ne.min(max));
        self.chunk(pending, limit)
    }

    fn chunk(&mut self, mut pending: Pending, limit: usize) -> Reply {
        let end = pending.data.len().min(pending.offset.saturating_add(limit));
        let data = pending.data[pending.offset..end].to_vec();
        let remaining = pending.data.len() - end;
        if remaining == 0 {
            return Reply::new(data, pending.sw);
        }
        pending.offset = end;
        self.pending = Some(pending);
        // 61 00 stands for 256 or more.
        Reply::new(data, 0x6100 | (remaining.min(256) & 0xFF) as u16)
    }

    /// Saves the state if the token is backed by a file.
    pub(crate) fn persist(&self) -> Result<(), VirtualTokenError> {
        match &self.path {
            Some(path) => store::save(path, &self.state),
            None => Ok(()),
        }
    }

    /// Mutable state for command handlers (saved by [`Self::run`] or
    /// [`Self::commit`]).
    pub(crate) fn state_mut(&mut self) -> &mut TokenState {
        &mut self.state
    }

    /// The source of randomness.
    pub(crate) fn random(&mut self) -> &mut dyn TokenRandom {
        &mut *self.random
    }

    /// The authentication state.
    pub(crate) fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The authentication state, mutably (secure-messaging counters).
    pub(crate) fn session_mut(&mut self) -> Option<&mut Session> {
        self.session.as_mut()
    }

    /// Takes the authentication state out, leaving none.
    pub(crate) fn take_session(&mut self) -> Option<Session> {
        self.session.take()
    }

    /// Installs a new authentication state.
    pub(crate) fn set_session(&mut self, session: Session) {
        self.session = Some(session);
    }

    /// Forgets any session (and its keys).
    pub(crate) fn end_session(&mut self) {
        self.session = None;
    }

    /// Drops a SESPAKE exchange waiting for step 2; an open session stays.
    pub(crate) fn abort_sespake(&mut self) {
        if matches!(self.session, Some(Session::Sespake { .. })) {
            self.session = None;
        }
    }
}

/// Whether a header (CLA without the chaining bit, INS, P1, P2) is a plain
/// GENERAL AUTHENTICATE, the only command that keeps a SESPAKE exchange.
fn is_general_authenticate(header: [u8; 4]) -> bool {
    header[0] == CLA_PLAIN && header[1] == INS_GENERAL_AUTHENTICATE
}

impl core::fmt::Debug for VirtualToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtualToken")
            .field("state", &self.state)
            .field("path", &self.path)
            .field("session", &self.session_status())
            .field("chain_pending", &self.chain.is_some())
            .field("response_pending", &self.pending.is_some())
            .finish_non_exhaustive()
    }
}

impl super::vpcd::VirtualCard for VirtualToken {
    fn process_apdu(&mut self, apdu: &[u8]) -> Vec<u8> {
        VirtualToken::process_apdu(self, apdu)
    }
    fn atr(&self) -> Vec<u8> {
        VirtualToken::atr(self)
    }
    fn reset(&mut self) {
        VirtualToken::reset(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::Access;
    use crate::{PasswordRef, PinRecord};
    use fkn_core::crypto::ec::CurveId;

    fn state() -> TokenState {
        let pin = |r| PinRecord::new(r, CurveId::Tc26_256A, [1; 16], vec![2; 64]).expect("pin");
        TokenState::new([9; 8], "t", pin(PasswordRef::User), pin(PasswordRef::Admin))
            .expect("state")
    }

    fn rename(token: &mut VirtualToken, _: &Apdu<'_>) -> Reply {
        token.state_mut().set_label("renamed").expect("short label");
        Reply::ok(vec![1])
    }

    const RENAME: Entry = Entry {
        ins: 0xEE,
        name: "rename (test)",
        access: Access::Any,
        mutates: true,
        repeatable: false,
        handler: rename,
    };

    fn temp_dir(tag: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("fkn-token-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        dir
    }

    #[test]
    fn a_mutating_command_is_saved_before_it_answers() {
        let dir = temp_dir("save");
        let path = dir.join("t.json");
        let mut token = VirtualToken::create(&path, state()).expect("created");
        let apdu = wire::parse(&[0, 0xEE, 0, 0]).expect("case 1");
        let reply = token.run(&RENAME, &apdu);
        assert_eq!(reply.sw, 0x9000);
        // Already on disk when the reply exists.
        assert_eq!(store::load(&path).expect("loads").label(), "renamed");

        // Saving fails: the change is undone and the token answers 6F 00.
        let mut token = VirtualToken::open(&path).expect("opened");
        token
            .update_state(|s| s.set_label("before").expect("label"))
            .expect("saved");
        std::fs::remove_dir_all(&dir).expect("cleanup");
        let reply = token.run(&RENAME, &apdu);
        assert_eq!(reply, Reply::status(0x6F00));
        assert_eq!(token.state().label(), "before");
    }

    #[test]
    fn reset_ends_the_volatile_state() {
        let mut token = VirtualToken::new(state());
        assert_eq!(
            token.process_apdu(&[0x10, 0xDA, 1, 0, 1, 0xAA]),
            [0x90, 0x00]
        );
        assert!(token.chain.is_some());
        token.reset();
        assert!(token.chain.is_none() && token.pending.is_none() && token.session.is_none());
    }
}
