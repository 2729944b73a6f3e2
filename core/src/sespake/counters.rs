//! The password attempt counters of party B (RFC 8133 Section 4.3 step 2):
//! a token's PIN and a server's one-time activation code keep the same three.

/// `CLim1`: consecutive failed attempts before a password is blocked.
pub const CLIM1: u32 = 5;
/// `CLim2`: attempts that may be left unfinished (each success gives one back).
pub const CLIM2: u32 = 10;
/// `CLim3`: attempts over a password's lifetime.
pub const CLIM3: u32 = 100_000;

/// The three attempt counters of one password. Plain data: party B persists
/// it with the password (the virtual token in its PIN record, `fkn-server`
/// with the enrollment).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Counters {
    /// `C1`: reset to `CLim1` by a success; `63 Cx` reports it.
    pub c1: u32,
    /// `C2`: one unit comes back with each success, up to `CLim2`.
    pub c2: u32,
    /// `C3`: never given back.
    pub c3: u32,
}

/// The password is blocked: a counter reached zero (`69 83` on a token).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the password is blocked (an attempt counter is zero)")]
pub struct Blocked;

impl Counters {
    /// Fresh counters: `CLim1`, `CLim2`, `CLim3`.
    pub const fn new() -> Self {
        Counters {
            c1: CLIM1,
            c2: CLIM2,
            c3: CLIM3,
        }
    }

    /// Whether any counter is zero.
    pub fn is_blocked(&self) -> bool {
        self.c1 == 0 || self.c2 == 0 || self.c3 == 0
    }

    /// Step 2 of B, before looking at `u1`: refuses when blocked, otherwise
    /// spends one unit of each counter. Persist the result before answering,
    /// so that an attempt cut short still counts.
    ///
    /// # Errors
    /// [`Blocked`] when a counter is zero (nothing changes then).
    pub fn begin_attempt(&mut self) -> Result<(), Blocked> {
        if self.is_blocked() {
            return Err(Blocked);
        }
        self.c1 -= 1;
        self.c2 -= 1;
        self.c3 -= 1;
        Ok(())
    }

    /// After a verified `MAC_A`: `C1 = CLim1`, `C2 = min(C2 + 1, CLim2)`; `C3`
    /// stays spent.
    pub fn on_success(&mut self) {
        self.c1 = CLIM1;
        self.c2 = (self.c2 + 1).min(CLIM2);
    }

    /// After change PIN or unblock: all three back to their limits.
    pub fn reset(&mut self) {
        *self = Counters::new();
    }

    /// `x` of `63 Cx` after a failed attempt: `C1`, at most 15.
    pub fn attempts_left(&self) -> u8 {
        self.c1.min(15) as u8
    }
}

impl Default for Counters {
    fn default() -> Self {
        Counters::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_block_and_success_resets_c1() {
        let mut c = Counters::new();
        for left in (0..5u8).rev() {
            c.begin_attempt().expect("not blocked yet");
            assert_eq!(c.attempts_left(), left);
        }
        assert!(c.is_blocked());
        assert_eq!(c.begin_attempt(), Err(Blocked));
        let blocked = Counters {
            c1: 0,
            c2: CLIM2 - 5,
            c3: CLIM3 - 5,
        };
        assert_eq!(c, blocked, "a refused attempt changes nothing");

        let mut c = Counters::new();
        c.begin_attempt().expect("fresh");
        c.begin_attempt().expect("fresh");
        c.on_success();
        let after = Counters {
            c1: CLIM1,
            c2: CLIM2 - 1,
            c3: CLIM3 - 2,
        };
        assert_eq!(c, after);
        c.begin_attempt().expect("fresh");
        c.on_success();
        c.on_success();
        assert_eq!(c.c2, CLIM2, "C2 never exceeds CLim2");
    }

    #[test]
    fn c2_and_c3_block_too() {
        let mut c = Counters {
            c1: CLIM1,
            c2: CLIM2,
            c3: 1,
        };
        c.begin_attempt().expect("one left");
        c.on_success();
        assert!(c.is_blocked(), "C3 is never given back");
        assert_eq!(c.begin_attempt(), Err(Blocked));

        // Unfinished attempts (step 1 only) eat C2 without touching C1 afterwards.
        let mut c = Counters::new();
        for _ in 0..CLIM2 {
            if c.begin_attempt().is_err() {
                break;
            }
            c.c1 = CLIM1; // as if C1 had been reset by some other path
        }
        assert_eq!(c.c2, 0);
        assert!(c.is_blocked());
    }
}
