//! Operations that survive a lost tap: when the card leaves the field
//! mid-operation, the runner reports "waiting for the card", takes the next
//! link the platform hands it, logs in again with the PIN it holds, and
//! finishes the operation without doing any step twice in a way that shows.
//!
//! ```text
//! Retap::run(first link, operation)
//!   tap n: SELECT, (PIN change: which PIN holds?), login, the operation's step
//!     ok                      -> Finished, the outcome
//!     link lost (removed, timeout, I/O)
//!                             -> WaitingForCard, TapSource::next_transport,
//!                                tap n+1 (at most `max_taps` taps)
//!     any answer of the card  -> final: wrong PIN, blocked, refusals
//! ```
//!
//! Why each step may be run again (`docs/retap.md` has the long form):
//!
//! - **Sign, read a certificate, list keys**: no state changes on the card,
//!   so the step is simply redone. A signature made on the lost tap is lost
//!   with it; the new one is as good (GOST signatures are randomized anyway).
//! - **Put a certificate**: a write of the same bytes to the same key; the
//!   token stores the certificate only when the last fragment arrives, so
//!   repeating it converges on the same state.
//! - **Generate a key**: the first attempt relies on the token's `6A 89`
//!   (key id taken) to refuse an id that existed before. Once a generate
//!   command has been sent, a later tap lists the keys first: the id with
//!   the intended curve and label is our key, made on the lost tap, and is
//!   not generated again. Residual ambiguity: another program creating the
//!   same id between the two taps would be taken for ours.
//! - **Delete a key**: `6A 82` (no such key) on the first attempt is final;
//!   after a delete was sent, `6A 82` means the lost tap deleted it.
//! - **Change a PIN**: the runner chooses the new salt itself and derives
//!   the new PIN's key before the command is sent. After a lost tap,
//!   SELECT's salt for that PIN says which PIN the token holds (the new salt:
//!   the change went through; the old one: it did not) without spending an
//!   attempt; the runner then logs in with that PIN (which proves the salt
//!   was genuine: SESPAKE's MACs bind it) and, if needed, changes it again.
//!
//! # PIN attempts
//!
//! The token spends an attempt when SESPAKE step 1 arrives (RFC 8133 Section
//! 4.3, step 2 of B: `C1`, `C2`, `C3` go down before the MAC is checked) and
//! gives `C1` back on success. A wrong-PIN answer (`63 Cx`) or a blocked
//! PIN (`69 83`) is final: no further login, no further tap. A login whose
//! answer was lost costs the attempt the token counted; nothing the host
//! can do reveals whether that PIN was right without another attempt. So
//! when the PIN has not yet worked in this run and SELECT on the next tap
//! shows that the lost attempt was counted and at most one is left, the
//! runner stops rather than let an automatic retry block the PIN.

mod operation;
mod runner;

pub use operation::{Operation, Outcome};
pub use runner::{DEFAULT_MAX_TAPS, Retap, RetapObserver, RetapState, TapSource};
