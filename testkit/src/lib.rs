//! `fkn-testkit`: transports for tests, benchmarks and demos: a scripted card, and wrappers that
//! count traffic, model NFC timing, or inject link faults around any other
//! transport (typically a `fkn_vtoken::VirtualTokenTransport`).
//!
//! They are public so that applications' own tests and benches can use them;
//! none of them is meant for production links.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use fkn_core::transport::SHORT_APDU_LINK;
use fkn_core::transport::{LinkKind, Transport, TransportError};

/// A card that plays back canned responses and records what it was sent.
///
/// When the script runs out it answers [`TransportError::Io`].
#[derive(Debug, Clone)]
pub struct ScriptedTransport {
    script: VecDeque<Result<Vec<u8>, TransportError>>,
    sent: Vec<Vec<u8>>,
    max_transceive: usize,
    extended: bool,
}

impl ScriptedTransport {
    /// A short-APDU link ([`SHORT_APDU_LINK`] bytes) answering `responses` in order.
    pub fn new(responses: impl IntoIterator<Item = Vec<u8>>) -> Self {
        ScriptedTransport {
            script: responses.into_iter().map(Ok).collect(),
            sent: Vec::new(),
            max_transceive: SHORT_APDU_LINK,
            extended: false,
        }
    }

    /// Sets the reported maximum transceive length.
    pub fn with_max_transceive_length(mut self, max: usize) -> Self {
        self.max_transceive = max;
        self
    }

    /// Sets whether the link reports extended-length support.
    pub fn with_extended_length(mut self, supported: bool) -> Self {
        self.extended = supported;
        self
    }

    /// Appends a response.
    pub fn push_response(&mut self, response: Vec<u8>) {
        self.script.push_back(Ok(response));
    }

    /// Appends a link failure.
    pub fn push_error(&mut self, error: TransportError) {
        self.script.push_back(Err(error));
    }

    /// Every APDU sent so far, in order.
    pub fn sent(&self) -> &[Vec<u8>] {
        &self.sent
    }

    /// Responses not yet used.
    pub fn remaining(&self) -> usize {
        self.script.len()
    }
}

impl Transport for ScriptedTransport {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let next = self.script.pop_front().unwrap_or_else(|| {
            Err(TransportError::Io {
                detail: format!(
                    "scripted transport has no response left for {}",
                    hex::encode_upper(&apdu)
                ),
            })
        });
        self.sent.push(apdu);
        next
    }
    fn max_transceive_length(&self) -> usize {
        self.max_transceive
    }
    fn extended_length_supported(&self) -> bool {
        self.extended
    }
}

/// Traffic counted by [`CountingTransport`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LinkStats {
    /// Transceive calls, failed ones included.
    pub exchanges: u64,
    /// Transceive calls that returned a transport error.
    pub failures: u64,
    /// Command bytes handed to the link.
    pub bytes_sent: u64,
    /// Response bytes received (status words included).
    pub bytes_received: u64,
}

/// Counts exchanges and bytes each way through an inner transport.
#[derive(Debug)]
pub struct CountingTransport<T> {
    inner: T,
    stats: LinkStats,
}

impl<T: Transport> CountingTransport<T> {
    /// Wraps `inner` with all counters at zero.
    pub fn new(inner: T) -> Self {
        CountingTransport {
            inner,
            stats: LinkStats::default(),
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> LinkStats {
        self.stats
    }

    /// Sets every counter back to zero.
    pub fn reset_stats(&mut self) {
        self.stats = LinkStats::default();
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped transport, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport> Transport for CountingTransport<T> {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.stats.exchanges += 1;
        self.stats.bytes_sent += apdu.len() as u64;
        let result = self.inner.transceive(apdu);
        match &result {
            Ok(rsp) => self.stats.bytes_received += rsp.len() as u64,
            Err(_) => self.stats.failures += 1,
        }
        result
    }
    fn max_transceive_length(&self) -> usize {
        self.inner.max_transceive_length()
    }
    fn extended_length_supported(&self) -> bool {
        self.inner.extended_length_supported()
    }
    fn link_kind(&self) -> LinkKind {
        self.inner.link_kind()
    }
}

/// Simulated NFC cost of a link: a fixed latency per exchange (frame
/// turnaround, card processing) plus the command and response bits at a
/// bit rate, accumulated in a virtual clock.
///
/// Defaults: [`NfcLinkModel::DEFAULT_LATENCY`] and
/// [`NfcLinkModel::DEFAULT_BIT_RATE`] (ISO 14443 at 424 kbit/s). With
/// [`NfcLinkModel::with_real_sleep`] each exchange also sleeps for its cost,
/// for UI and timeout tests. An exchange the inner transport fails costs the
/// latency plus the command bits.
#[derive(Debug)]
pub struct NfcLinkModel<T> {
    inner: T,
    latency: Duration,
    bit_rate: u32,
    real_sleep: bool,
    elapsed: Duration,
    exchanges: u64,
}

impl<T: Transport> NfcLinkModel<T> {
    /// Per-exchange latency by default.
    pub const DEFAULT_LATENCY: Duration = Duration::from_millis(5);
    /// Bit rate by default, in bit/s.
    pub const DEFAULT_BIT_RATE: u32 = 424_000;

    /// Wraps `inner` with the default costs and a virtual clock at zero.
    pub fn new(inner: T) -> Self {
        NfcLinkModel {
            inner,
            latency: Self::DEFAULT_LATENCY,
            bit_rate: Self::DEFAULT_BIT_RATE,
            real_sleep: false,
            elapsed: Duration::ZERO,
            exchanges: 0,
        }
    }

    /// Sets the per-exchange latency.
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }

    /// Sets the bit rate in bit/s (0 is taken as 1).
    pub fn with_bit_rate(mut self, bits_per_second: u32) -> Self {
        self.bit_rate = bits_per_second.max(1);
        self
    }

    /// Whether each exchange really sleeps for its simulated cost.
    pub fn with_real_sleep(mut self, sleep: bool) -> Self {
        self.real_sleep = sleep;
        self
    }

    /// Simulated time spent on the link so far.
    pub fn simulated_time(&self) -> Duration {
        self.elapsed
    }

    /// Exchanges so far.
    pub fn exchanges(&self) -> u64 {
        self.exchanges
    }

    /// Sets the clock and the exchange count back to zero.
    pub fn reset_clock(&mut self) {
        self.elapsed = Duration::ZERO;
        self.exchanges = 0;
    }

    /// Cost of one exchange carrying `bytes` bytes in total.
    pub fn cost(&self, bytes: usize) -> Duration {
        let bits = bytes as u128 * 8;
        let nanos = bits * 1_000_000_000 / u128::from(self.bit_rate);
        self.latency + Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped transport, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

impl<T: Transport> Transport for NfcLinkModel<T> {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let sent = apdu.len();
        let result = self.inner.transceive(apdu);
        let received = result.as_ref().map_or(0, Vec::len);
        let cost = self.cost(sent + received);
        self.exchanges += 1;
        self.elapsed += cost;
        if self.real_sleep {
            std::thread::sleep(cost);
        }
        result
    }
    fn max_transceive_length(&self) -> usize {
        self.inner.max_transceive_length()
    }
    fn extended_length_supported(&self) -> bool {
        self.inner.extended_length_supported()
    }
}

/// A fault [`FaultyTransport`] injects at one exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// The link drops before the command reaches the card: the exchange
    /// fails with [`TransportError::TagLost`] and the link stays down.
    DropLink,
    /// The card processes the command, then the link drops before the
    /// response arrives: [`TransportError::TagLost`], link stays down.
    LoseResponse,
    /// Byte `byte` of the command is XORed with `xor` before the card sees
    /// it (no effect if the command is shorter).
    CorruptCommand {
        /// Offset in the command APDU.
        byte: usize,
        /// Bits to flip.
        xor: u8,
    },
    /// Byte `byte` of the response is XORed with `xor` (no effect if the
    /// response is shorter).
    CorruptResponse {
        /// Offset in the response APDU (data then SW1 SW2).
        byte: usize,
        /// Bits to flip.
        xor: u8,
    },
}

#[derive(Debug, Default)]
struct FaultPlan {
    armed: Vec<(u64, Fault)>,
    fired: Vec<(u64, Fault)>,
    exchanges: u64,
    link_down: bool,
}

/// Shared control of a [`FaultyTransport`]: arm faults, see which fired,
/// bring the link back. Clones control the same transport.
///
/// Exchanges are numbered from 0 in the order the transport sees them
/// (every transceive call counts, including those failed while the link is
/// down); a fault armed for a number that has passed never fires.
#[derive(Clone, Debug, Default)]
pub struct FaultHandle(Arc<Mutex<FaultPlan>>);

impl FaultHandle {
    fn plan(&self) -> MutexGuard<'_, FaultPlan> {
        // A test that panicked while holding the lock must not hide the plan.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Arms `fault` for exchange number `exchange`.
    pub fn arm(&self, exchange: u64, fault: Fault) {
        self.plan().armed.push((exchange, fault));
    }

    /// Drops the link at exchange `exchange` ([`Fault::DropLink`]).
    pub fn drop_link_at(&self, exchange: u64) {
        self.arm(exchange, Fault::DropLink);
    }

    /// Loses the response of exchange `exchange` ([`Fault::LoseResponse`]).
    pub fn lose_response_at(&self, exchange: u64) {
        self.arm(exchange, Fault::LoseResponse);
    }

    /// Flips the low bit of byte `byte` of command number `exchange`.
    pub fn corrupt_command_at(&self, exchange: u64, byte: usize) {
        self.arm(exchange, Fault::CorruptCommand { byte, xor: 0x01 });
    }

    /// Flips the low bit of byte `byte` of response number `exchange`.
    pub fn corrupt_response_at(&self, exchange: u64, byte: usize) {
        self.arm(exchange, Fault::CorruptResponse { byte, xor: 0x01 });
    }

    /// Disarms every fault that has not fired yet.
    pub fn clear(&self) {
        self.plan().armed.clear();
    }

    /// Brings a dropped link back (the tag was presented again). Resetting
    /// the card, if the simulation needs it, is the inner transport's
    /// business (e.g. `fkn_vtoken::VirtualToken::reset`).
    pub fn reconnect(&self) {
        self.plan().link_down = false;
    }

    /// Whether the link is down.
    pub fn is_link_down(&self) -> bool {
        self.plan().link_down
    }

    /// Exchanges seen so far (the number the next one will get).
    pub fn exchanges(&self) -> u64 {
        self.plan().exchanges
    }

    /// Faults that fired, with their exchange numbers, in order.
    pub fn fired(&self) -> Vec<(u64, Fault)> {
        self.plan().fired.clone()
    }
}

/// Injects link faults around an inner transport, under the control of a
/// [`FaultHandle`]. Once a [`Fault::DropLink`] or [`Fault::LoseResponse`]
/// fires, every exchange fails with [`TransportError::TagLost`] (without
/// reaching the card) until [`FaultHandle::reconnect`].
#[derive(Debug)]
pub struct FaultyTransport<T> {
    inner: T,
    handle: FaultHandle,
}

impl<T: Transport> FaultyTransport<T> {
    /// Wraps `inner` with no faults armed.
    pub fn new(inner: T) -> Self {
        FaultyTransport {
            inner,
            handle: FaultHandle::default(),
        }
    }

    /// A handle controlling this transport.
    pub fn handle(&self) -> FaultHandle {
        self.handle.clone()
    }

    /// Same as [`FaultHandle::reconnect`].
    pub fn reconnect(&mut self) {
        self.handle.reconnect();
    }

    /// The wrapped transport.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped transport, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwraps.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

fn flip(bytes: &mut [u8], byte: usize, xor: u8) -> bool {
    bytes.get_mut(byte).map(|b| *b ^= xor).is_some()
}

impl<T: Transport> FaultyTransport<T> {
    /// Numbers this exchange and takes the faults armed for it (dropping any
    /// armed for numbers already past).
    fn next_exchange(&self) -> (u64, Vec<Fault>, bool) {
        let mut plan = self.handle.plan();
        let n = plan.exchanges;
        plan.exchanges += 1;
        let mut now = Vec::new();
        plan.armed.retain(|&(at, f)| {
            if at == n {
                now.push(f);
            }
            at > n
        });
        (n, now, plan.link_down)
    }
}

/// The `(byte, xor)` of every fault `pick` selects.
fn corruptions(
    faults: &[Fault],
    pick: fn(Fault) -> Option<(usize, u8)>,
) -> Vec<(Fault, usize, u8)> {
    faults
        .iter()
        .filter_map(|&f| pick(f).map(|(b, x)| (f, b, x)))
        .collect()
}

impl<T: Transport> Transport for FaultyTransport<T> {
    fn transceive(&mut self, mut apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let (n, faults, down) = self.next_exchange();
        if down {
            return Err(TransportError::TagLost);
        }
        let mut fired = Vec::new();
        let result = if faults.contains(&Fault::DropLink) {
            fired.push(Fault::DropLink);
            Err(TransportError::TagLost)
        } else {
            let on_command = corruptions(&faults, |f| match f {
                Fault::CorruptCommand { byte, xor } => Some((byte, xor)),
                _ => None,
            });
            for (f, byte, xor) in on_command {
                if flip(&mut apdu, byte, xor) {
                    fired.push(f);
                }
            }
            let mut result = self.inner.transceive(apdu);
            if faults.contains(&Fault::LoseResponse) {
                fired.push(Fault::LoseResponse);
                result = Err(TransportError::TagLost);
            }
            let on_response = corruptions(&faults, |f| match f {
                Fault::CorruptResponse { byte, xor } => Some((byte, xor)),
                _ => None,
            });
            if let Ok(rsp) = &mut result {
                for (f, byte, xor) in on_response {
                    if flip(rsp, byte, xor) {
                        fired.push(f);
                    }
                }
            }
            result
        };
        let mut plan = self.handle.plan();
        if fired
            .iter()
            .any(|f| matches!(f, Fault::DropLink | Fault::LoseResponse))
        {
            plan.link_down = true;
        }
        plan.fired.extend(fired.into_iter().map(|f| (n, f)));
        result
    }
    fn max_transceive_length(&self) -> usize {
        self.inner.max_transceive_length()
    }
    fn extended_length_supported(&self) -> bool {
        self.inner.extended_length_supported()
    }
    fn link_kind(&self) -> LinkKind {
        self.inner.link_kind()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Echoes the command followed by `90 00`.
    struct Echo;
    impl Transport for Echo {
        fn transceive(&mut self, mut apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
            apdu.extend_from_slice(&[0x90, 0x00]);
            Ok(apdu)
        }
        fn max_transceive_length(&self) -> usize {
            300
        }
        fn extended_length_supported(&self) -> bool {
            true
        }
    }

    #[test]
    fn scripted_plays_back_and_records() {
        let mut t = ScriptedTransport::new([vec![0x90, 0x00]]);
        t.push_error(TransportError::Timeout);
        assert_eq!(t.transceive(vec![1]), Ok(vec![0x90, 0x00]));
        assert_eq!(t.transceive(vec![2]), Err(TransportError::Timeout));
        assert!(matches!(
            t.transceive(vec![3]),
            Err(TransportError::Io { .. })
        ));
        assert_eq!(t.sent(), &[vec![1], vec![2], vec![3]]);
        assert_eq!(t.remaining(), 0);
    }

    #[test]
    fn counting_counts_both_ways() {
        let mut t = CountingTransport::new(Echo);
        t.transceive(vec![0; 10]).expect("echo");
        t.transceive(vec![0; 4]).expect("echo");
        assert_eq!(
            t.stats(),
            LinkStats {
                exchanges: 2,
                failures: 0,
                bytes_sent: 14,
                bytes_received: 18
            }
        );
        assert_eq!(t.max_transceive_length(), 300);
        assert!(t.extended_length_supported());
        t.reset_stats();
        assert_eq!(t.stats(), LinkStats::default());
    }

    #[test]
    fn nfc_model_accumulates_latency_and_bits() {
        let mut t = NfcLinkModel::new(Echo);
        // 53 bytes out, 55 back: 108 bytes = 864 bits at 424 kbit/s = 2.0377 ms.
        t.transceive(vec![0; 53]).expect("echo");
        let want = Duration::from_millis(5) + Duration::from_nanos(864 * 1_000_000_000 / 424_000);
        assert_eq!(t.simulated_time(), want);
        t.transceive(vec![0; 53]).expect("echo");
        assert_eq!(t.simulated_time(), want * 2);
        assert_eq!(t.exchanges(), 2);

        let mut slow = NfcLinkModel::new(Echo)
            .with_latency(Duration::ZERO)
            .with_bit_rate(8);
        slow.transceive(vec![0; 2]).expect("echo");
        // 2 bytes out, 4 back: 48 bits at 8 bit/s.
        assert_eq!(slow.simulated_time(), Duration::from_secs(6));
        slow.reset_clock();
        assert_eq!(slow.simulated_time(), Duration::ZERO);
    }

    #[test]
    fn nfc_model_really_sleeps_when_asked() {
        let mut t = NfcLinkModel::new(Echo)
            .with_latency(Duration::from_millis(20))
            .with_real_sleep(true);
        let start = std::time::Instant::now();
        t.transceive(vec![0; 4]).expect("echo");
        assert!(start.elapsed() >= Duration::from_millis(20));
    }

    #[test]
    fn drop_link_stays_down_until_reconnect() {
        let mut t = FaultyTransport::new(CountingTransport::new(Echo));
        let h = t.handle();
        h.drop_link_at(1);
        assert!(t.transceive(vec![1]).is_ok());
        assert_eq!(t.transceive(vec![2]), Err(TransportError::TagLost));
        assert_eq!(t.transceive(vec![3]), Err(TransportError::TagLost));
        assert!(h.is_link_down());
        // The dropped command and the one while down never reached the card.
        assert_eq!(t.inner().stats().exchanges, 1);
        h.reconnect();
        assert_eq!(t.transceive(vec![4]), Ok(vec![4, 0x90, 0x00]));
        assert_eq!(h.fired(), vec![(1, Fault::DropLink)]);
        assert_eq!(h.exchanges(), 4);
    }

    #[test]
    fn lose_response_reaches_the_card() {
        let mut t = FaultyTransport::new(CountingTransport::new(Echo));
        let h = t.handle();
        h.lose_response_at(0);
        assert_eq!(t.transceive(vec![1]), Err(TransportError::TagLost));
        assert_eq!(t.inner().stats().exchanges, 1);
        assert!(h.is_link_down());
        t.reconnect();
        assert!(!h.is_link_down());
    }

    #[test]
    fn corruption_flips_the_chosen_byte() {
        let mut t = FaultyTransport::new(Echo);
        let h = t.handle();
        h.corrupt_command_at(0, 1);
        h.corrupt_response_at(1, 3);
        h.arm(
            2,
            Fault::CorruptResponse {
                byte: 99,
                xor: 0xFF,
            },
        );
        assert_eq!(t.transceive(vec![0, 0]), Ok(vec![0, 1, 0x90, 0x00]));
        assert_eq!(t.transceive(vec![0, 0]), Ok(vec![0, 0, 0x90, 0x01]));
        assert_eq!(t.transceive(vec![0, 0]), Ok(vec![0, 0, 0x90, 0x00]));
        assert_eq!(
            h.fired(),
            vec![
                (0, Fault::CorruptCommand { byte: 1, xor: 1 }),
                (1, Fault::CorruptResponse { byte: 3, xor: 1 })
            ]
        );
        // Re-arming through the shared handle works at any time.
        h.corrupt_response_at(3, 0);
        h.clear();
        assert_eq!(t.transceive(vec![7]), Ok(vec![7, 0x90, 0x00]));
    }
}
