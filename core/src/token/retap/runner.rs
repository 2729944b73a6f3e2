//! [`Retap`]: runs one [`Operation`] over as many taps as it takes.

use zeroize::Zeroizing;

use super::operation::{Operation, Outcome, Progress};
use crate::error::{ApiMisuse, Error, LinkFault, Result, Violation};
use crate::sespake::Profile;
use crate::token::PinRef;
use crate::token::records::SelectInfo;
use crate::token::session::{PreparedPin, TokenSession};
use crate::transport::Transport;

/// Taps an operation may take by default (the first one included).
pub const DEFAULT_MAX_TAPS: u32 = 5;

/// Where the next link comes from when the card left the field: the
/// platform waits for the user to present the card again (Android: the next
/// `onTagDiscovered` with `IsoDep.connect()` done; iOS: the next
/// `NFCISO7816Tag` after `restartPolling()` and `connect(to:)`).
pub trait TapSource<T: Transport> {
    /// Blocks until the card is presented again and returns its link; tap
    /// `tap` counts from 1 (the first link was given to [`Retap::run`]).
    /// Returns `Error::Link { fault: LinkFault::Cancelled }` when the user
    /// gave up: the runner ends with that error.
    fn next_transport(&mut self, tap: u32) -> Result<T>;
}

impl<T: Transport, F: FnMut(u32) -> Result<T>> TapSource<T> for F {
    fn next_transport(&mut self, tap: u32) -> Result<T> {
        self(tap)
    }
}

/// Where the runner stands, for the app's UI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetapState {
    /// The card is in the field; tap `tap` is at work.
    OnCard {
        /// Which tap, from 1.
        tap: u32,
    },
    /// The card left mid-operation: "waiting for the card". The runner is
    /// now blocked in [`TapSource::next_transport`].
    WaitingForCard {
        /// The tap that will come next.
        tap: u32,
        /// How the link failed.
        fault: LinkFault,
    },
    /// The operation finished (or failed for good).
    Finished,
}

/// Told of every state change, on the runner's thread.
pub trait RetapObserver {
    /// The runner entered `state`.
    fn state_changed(&self, state: &RetapState);
}

impl RetapObserver for () {
    fn state_changed(&self, _: &RetapState) {}
}

/// Runs [`Operation`]s across taps with one PIN (see [`super`] for the
/// rules). Holds the PIN (wiped on drop) or only its prepared form.
pub struct Retap {
    reference: PinRef,
    pin: Option<Zeroizing<String>>,
    prepared: Option<PreparedPin>,
    profile: Profile,
    max_taps: u32,
}

/// What the runner remembers of logins across the taps of one run.
#[derive(Default)]
struct Logins {
    /// A login with the PIN worked in this run: a retry cannot be wrong.
    verified: bool,
    /// Attempts left before a login whose answer was lost.
    lost_before: Option<u8>,
}

impl Retap {
    /// A runner logging in with `pin` as `reference`. PBKDF2 runs on the
    /// first tap (once); [`Retap::with_prepared`] does it before the tap.
    pub fn new(reference: PinRef, pin: &str) -> Self {
        Retap {
            reference,
            pin: Some(Zeroizing::new(pin.to_owned())),
            prepared: None,
            profile: Profile::ofp1(),
            max_taps: DEFAULT_MAX_TAPS,
        }
    }

    /// A runner with a PIN prepared before the tap (it holds no PIN, so a
    /// token with another salt is refused with `StalePreparedPin`).
    pub fn with_prepared(pin: PreparedPin) -> Self {
        Retap {
            reference: pin.reference(),
            pin: None,
            prepared: Some(pin),
            profile: Profile::ofp1(),
            max_taps: DEFAULT_MAX_TAPS,
        }
    }

    /// At most `taps` taps per operation (at least 1).
    pub fn max_taps(mut self, taps: u32) -> Self {
        self.max_taps = taps.max(1);
        self
    }

    /// Another SESPAKE profile (vendor point sets).
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// Runs `op` on the card behind `first`, asking `source` for a new link
    /// each time the card leaves the field, up to the tap limit. The last
    /// link's error ends the run when the limit is reached; any answer of
    /// the card (wrong PIN, refusal) ends it at once.
    pub fn run<T, S>(
        &mut self,
        first: T,
        op: Operation,
        source: &mut S,
        observer: &dyn RetapObserver,
    ) -> Result<Outcome>
    where
        T: Transport,
        S: TapSource<T> + ?Sized,
    {
        let mut progress = Progress::new(op);
        let mut logins = Logins::default();
        let mut link = first;
        let mut tap = 1;
        let result = loop {
            observer.state_changed(&RetapState::OnCard { tap });
            let err = match self.tap(link, &mut progress, &mut logins) {
                Ok(outcome) => break Ok(outcome),
                Err(e) => e,
            };
            let Some(fault) = lost_tap(&err).filter(|_| tap < self.max_taps) else {
                break Err(err);
            };
            tap += 1;
            log::debug!(target: "fkn::retap", "link lost ({fault:?}); waiting for tap {tap}");
            observer.state_changed(&RetapState::WaitingForCard { tap, fault });
            link = match source.next_transport(tap) {
                Ok(next) => next,
                Err(e) => break Err(e),
            };
        };
        observer.state_changed(&RetapState::Finished);
        result
    }

    /// One tap: SELECT, login, the operation's step.
    fn tap<T: Transport>(
        &mut self,
        link: T,
        progress: &mut Progress,
        logins: &mut Logins,
    ) -> Result<Outcome> {
        let mut s = TokenSession::open_with_profile(link, self.profile)?;
        let select = s.select_info().clone();
        let attempts = select
            .password(self.reference)
            .ok_or(Error::from(Violation::PinNotAnnounced {
                pin: self.reference,
            }))?
            .attempts_left;
        if let Some(new) = progress.pin_already_changed(&select) {
            // The lost tap changed the PIN: log in with the new one, which
            // also proves SELECT's salt genuine, and we are done.
            s.authenticate_prepared(new)?;
            return Ok(self.finished(progress, Outcome::PinChanged));
        }
        // A lost login that the token counted, with a PIN not yet seen to
        // work: never let the automatic retry be the attempt that blocks it.
        let counted = logins.lost_before.take().is_some_and(|b| attempts < b);
        if counted && !logins.verified && attempts <= 1 {
            return Err(LinkFault::Cancelled.into());
        }
        let profile = self.profile;
        let pin = self.current_pin(&select)?;
        progress.prepare(&profile, &select, pin)?;
        match s.authenticate_prepared(pin) {
            Ok(()) => logins.verified = true,
            Err(e) => {
                if lost_tap(&e).is_some() {
                    logins.lost_before = Some(attempts);
                }
                return Err(e);
            }
        }
        let outcome = progress.step(&mut s)?;
        Ok(self.finished(progress, outcome))
    }

    /// After a PIN change the runner logs in with the new PIN; the old one
    /// is wiped.
    fn finished(&mut self, progress: &mut Progress, outcome: Outcome) -> Outcome {
        if outcome == Outcome::PinChanged {
            self.pin = None;
            self.prepared = progress.take_new_pin();
        }
        outcome
    }

    /// The prepared PIN for the token SELECT described, derived once.
    fn current_pin(&mut self, select: &SelectInfo) -> Result<&PreparedPin> {
        let info =
            select
                .password(self.reference)
                .ok_or(Error::from(Violation::PinNotAnnounced {
                    pin: self.reference,
                }))?;
        let fits = self
            .prepared
            .as_ref()
            .is_some_and(|p| p.fits(&select.serial, &info.salt));
        if !fits {
            let pin = self.pin.as_ref().ok_or(ApiMisuse::StalePreparedPin)?;
            self.prepared = Some(PreparedPin::derive(&self.profile, select.serial, info, pin));
        }
        self.prepared
            .as_ref()
            .ok_or(Error::from(ApiMisuse::StalePreparedPin))
    }
}

/// The link fault of a lost tap (worth a new tap), or `None` for a final
/// error: an answer of the card, misuse, or the user's cancel.
fn lost_tap(e: &Error) -> Option<LinkFault> {
    match e {
        Error::Link {
            fault: fault @ (LinkFault::CardRemoved | LinkFault::Timeout | LinkFault::Io { .. }),
        } => Some(fault.clone()),
        _ => None,
    }
}
