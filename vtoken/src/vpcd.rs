//! Bridge from a virtual token to a vsmartcard `vpcd` reader, so that the
//! platform's PC/SC stack (pcscd, opensc-tool, any PC/SC application) sees the
//! virtual token as a real card.
//!
//! vpcd (a pcsc-lite reader driver) listens on TCP, one port per slot (slot 0
//! on 35963); the card side connects as a client. Every message, both ways, is
//! a 2-byte big-endian length and that many bytes. A 1-byte message from vpcd
//! is a control code ([`CTRL_OFF`], [`CTRL_ON`], [`CTRL_RESET`], [`CTRL_ATR`]);
//! only `CTRL_ATR` gets an answer (the ATR). Anything longer is a command APDU
//! and gets the response APDU.

use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// vpcd control code: power the card off.
pub const CTRL_OFF: u8 = 0x00;
/// vpcd control code: power the card on.
pub const CTRL_ON: u8 = 0x01;
/// vpcd control code: warm reset.
pub const CTRL_RESET: u8 = 0x02;
/// vpcd control code: send the ATR.
pub const CTRL_ATR: u8 = 0x04;

/// The port of vpcd's slot 0 (its default configuration).
pub const DEFAULT_PORT: u16 = 35963;

/// How often a blocked read wakes up to look at the stop flag.
const POLL: Duration = Duration::from_millis(100);
/// Reconnect back-off bounds while vpcd is away (e.g. pcscd restarting).
const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(2);

/// A card as vpcd sees it: APDUs in, responses out, an ATR, and a reset.
/// [`super::VirtualToken`] implements it.
pub trait VirtualCard {
    /// Processes one command APDU and returns the response APDU (data and SW).
    fn process_apdu(&mut self, apdu: &[u8]) -> Vec<u8>;
    /// The card's Answer-To-Reset.
    fn atr(&self) -> Vec<u8>;
    /// Drops volatile state, as a power cycle or reset of a real card does.
    fn reset(&mut self);
}

fn stopped(stop: &Option<Arc<AtomicBool>>) -> bool {
    stop.as_ref().is_some_and(|s| s.load(Ordering::Relaxed))
}

/// What filling a buffer from the stream came to.
enum Fill {
    Full,
    /// The peer closed the connection cleanly between messages.
    Closed,
    Stopped,
}

/// Reads exactly `buf.len()` bytes, riding out read timeouts (which only
/// exist so the stop flag is seen) without losing partial data.
fn fill(r: &mut impl Read, buf: &mut [u8], stop: &Option<Arc<AtomicBool>>) -> io::Result<Fill> {
    let mut got = 0;
    while got < buf.len() {
        if stopped(stop) {
            return Ok(Fill::Stopped);
        }
        match r.read(&mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(Fill::Closed),
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => got += n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Fill::Full)
}

/// Reads one length-prefixed message; `None` when the peer closed or we were
/// told to stop.
fn read_message(r: &mut impl Read, stop: &Option<Arc<AtomicBool>>) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 2];
    match fill(r, &mut len, stop)? {
        Fill::Full => {}
        Fill::Closed | Fill::Stopped => return Ok(None),
    }
    let mut msg = vec![0u8; usize::from(u16::from_be_bytes(len))];
    match fill(r, &mut msg, stop)? {
        Fill::Full => Ok(Some(msg)),
        Fill::Closed => Err(io::ErrorKind::UnexpectedEof.into()),
        Fill::Stopped => Ok(None),
    }
}

/// Writes one length-prefixed message.
fn write_message(w: &mut impl Write, msg: &[u8]) -> io::Result<()> {
    let len = u16::try_from(msg.len()).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "a vpcd message holds at most 65535 bytes, not {}",
                msg.len()
            ),
        )
    })?;
    let mut frame = Vec::with_capacity(2 + msg.len());
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(msg);
    w.write_all(&frame)?;
    w.flush()
}

/// Answers vpcd on one connection until it closes it (`Ok`), the stop flag
/// is raised (`Ok`), or the link fails (`Err`).
pub fn serve_connection<C, S>(
    card: &mut C,
    stream: &mut S,
    stop: &Option<Arc<AtomicBool>>,
) -> io::Result<()>
where
    C: VirtualCard + ?Sized,
    S: Read + Write,
{
    while let Some(msg) = read_message(stream, stop)? {
        match msg.as_slice() {
            [CTRL_ATR] => {
                log::trace!("vpcd: ATR requested");
                write_message(stream, &card.atr())?;
            }
            [code @ (CTRL_OFF | CTRL_ON | CTRL_RESET)] => {
                log::debug!("vpcd: control {code:02X} (power off/on/reset)");
                card.reset();
            }
            [code] => log::debug!("vpcd: ignoring unknown control code {code:02X}"),
            [] => log::debug!("vpcd: ignoring an empty message"),
            apdu => {
                let mut response = card.process_apdu(apdu);
                if response.len() > usize::from(u16::MAX) {
                    // vpcd frames carry at most 65535 bytes: a 65536-byte
                    // extended response cannot cross, so report it as a failure.
                    log::warn!(
                        "vpcd: a {}-byte response does not fit a vpcd frame; answering 6F 00",
                        response.len()
                    );
                    response = vec![0x6F, 0x00];
                }
                log::trace!(
                    "vpcd: APDU of {} bytes answered with {} bytes",
                    apdu.len(),
                    response.len()
                );
                write_message(stream, &response)?;
            }
        }
    }
    Ok(())
}

/// A TCP link to vpcd that acknowledges at once.
///
/// vpcd writes a message's length and its body in two `send`s without
/// `TCP_NODELAY`, so its kernel holds the body until ours acknowledges the
/// length, which Linux delays by up to 40 ms. Re-arming `TCP_QUICKACK` before
/// every read (the kernel drops it again on its own) makes that acknowledgement
/// immediate: measured 0.6 ms instead of 50 ms per APDU through pcscd.
struct QuickAck(TcpStream);

impl Read for QuickAck {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        quick_ack(&self.0);
        self.0.read(buf)
    }
}

impl Write for QuickAck {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn quick_ack(stream: &TcpStream) {
    // Only a matter of speed: a failure is not worth ending the link for.
    if let Err(e) = rustix::net::sockopt::set_tcp_quickack(stream, true) {
        log::trace!("vpcd: TCP_QUICKACK: {e}");
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn quick_ack(_stream: &TcpStream) {}

/// Sleeps `d` in short steps; `false` if the stop flag rose meanwhile.
fn sleep_unless_stopped(d: Duration, stop: &Option<Arc<AtomicBool>>) -> bool {
    let mut left = d;
    while !left.is_zero() {
        if stopped(stop) {
            return false;
        }
        let step = left.min(POLL);
        std::thread::sleep(step);
        left -= step;
    }
    !stopped(stop)
}

/// Serves `card` to the vpcd listening at `addr` (`host:port`, e.g.
/// `127.0.0.1:35963`) until `stop` is raised; with no stop flag, forever.
///
/// When vpcd is not listening yet or drops the connection (pcscd restarts),
/// the card is reset and the bridge reconnects, with a back-off of 0.1 s
/// doubling up to 2 s while attempts keep failing at once. Only an address
/// that does not resolve is an error.
pub fn serve_vpcd<C: VirtualCard + ?Sized>(
    card: &mut C,
    addr: &str,
    stop: Option<Arc<AtomicBool>>,
) -> io::Result<()> {
    let mut backoff = BACKOFF_MIN;
    while !stopped(&stop) {
        let targets: Vec<_> = addr
            .to_socket_addrs()
            .map_err(|e| io::Error::new(e.kind(), format!("vpcd address \"{addr}\": {e}")))?
            .collect();
        let connected = targets
            .iter()
            .find_map(|a| TcpStream::connect_timeout(a, BACKOFF_MAX).ok());
        let Some(stream) = connected else {
            log::debug!("vpcd: {addr} not reachable, retrying in {backoff:?}");
            if !sleep_unless_stopped(backoff, &stop) {
                break;
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
            continue;
        };
        log::debug!("vpcd: connected to {addr}");
        let since = std::time::Instant::now();
        // Our replies go out in one write, so Nagle would only delay them;
        // the read timeout lets the loop see the stop flag.
        let prepared = stream
            .set_nodelay(true)
            .and_then(|()| stream.set_read_timeout(Some(POLL)));
        let mut stream = QuickAck(stream);
        let served = prepared.and_then(|()| serve_connection(card, &mut stream, &stop));
        match served {
            Ok(()) => log::debug!("vpcd: connection to {addr} closed"),
            Err(e) => log::debug!("vpcd: connection to {addr} failed: {e}"),
        }
        // A new connection is a new power-up for the reader.
        card.reset();
        // A link that dies at once (vpcd shutting down, another client) must
        // not turn into a busy loop; one that lived a while reconnects at once.
        if since.elapsed() < BACKOFF_MAX {
            if !sleep_unless_stopped(backoff, &stop) {
                break;
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
        } else {
            backoff = BACKOFF_MIN;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;
    use std::thread;

    /// A card that records what happened to it.
    #[derive(Default)]
    struct Recorder {
        resets: usize,
        apdus: Vec<Vec<u8>>,
    }

    const ATR: [u8; 5] = [0x3B, 0x80, 0x80, 0x01, 0x01];

    impl VirtualCard for Recorder {
        fn process_apdu(&mut self, apdu: &[u8]) -> Vec<u8> {
            self.apdus.push(apdu.to_vec());
            // Echo the INS so a test can tell responses apart.
            vec![apdu[1], 0x90, 0x00]
        }
        fn atr(&self) -> Vec<u8> {
            ATR.to_vec()
        }
        fn reset(&mut self) {
            self.resets += 1;
        }
    }

    fn send(s: &mut TcpStream, msg: &[u8]) {
        let mut v = (msg.len() as u16).to_be_bytes().to_vec();
        v.extend_from_slice(msg);
        s.write_all(&v).unwrap();
    }

    fn recv(s: &mut TcpStream) -> Vec<u8> {
        let mut len = [0u8; 2];
        s.read_exact(&mut len).unwrap();
        let mut v = vec![0u8; u16::from_be_bytes(len) as usize];
        s.read_exact(&mut v).unwrap();
        v
    }

    /// Plays vpcd: a TCP listener the bridge connects to, twice (the second
    /// time after vpcd closed the first connection, as when pcscd restarts).
    #[test]
    fn speaks_the_vpcd_protocol_and_reconnects() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let bridge = {
            let stop = stop.clone();
            thread::spawn(move || {
                let mut card = Recorder::default();
                serve_vpcd(&mut card, &addr, Some(stop)).map(|()| card)
            })
        };

        let (mut s, _) = listener.accept().unwrap();
        send(&mut s, &[CTRL_ATR]);
        assert_eq!(recv(&mut s), ATR);
        send(&mut s, &[CTRL_ON]);
        let select = [
            0x00, 0xA4, 0x04, 0x00, 0x07, 0xF0, 0x46, 0x4B, 0x4E, 0x4F, 0x50, 0x31, 0x00,
        ];
        send(&mut s, &select);
        assert_eq!(recv(&mut s), [0xA4, 0x90, 0x00]);
        // A message split across TCP segments still arrives whole.
        s.write_all(&[0x00]).unwrap();
        s.flush().unwrap();
        thread::sleep(Duration::from_millis(250));
        s.write_all(&[0x04, 0x00, 0x84, 0x00, 0x00]).unwrap();
        assert_eq!(recv(&mut s), [0x84, 0x90, 0x00]);
        send(&mut s, &[CTRL_OFF]);
        drop(s);

        // The bridge comes back after vpcd dropped it.
        let (mut s, _) = listener.accept().unwrap();
        send(&mut s, &[CTRL_RESET]);
        send(&mut s, &[CTRL_ATR]);
        assert_eq!(recv(&mut s), ATR);
        stop.store(true, Ordering::Relaxed);
        let card = bridge.join().unwrap().unwrap();
        assert_eq!(
            card.apdus,
            vec![select.to_vec(), vec![0x00, 0x84, 0x00, 0x00]]
        );
        // ON, OFF, end of the first connection, RESET, end of the second.
        assert_eq!(card.resets, 5);
    }

    #[test]
    fn serves_the_virtual_token() {
        use crate::{PasswordRef, PinRecord, TokenState, VirtualToken};
        use fkn_core::crypto::ec::CurveId;
        // SELECT needs no valid verifier; Q_PW only has to have the right length.
        let pin = |r| PinRecord::new(r, CurveId::Tc26_256A, [7; 16], vec![1; 64]).unwrap();
        let state = TokenState::new(
            [1; 8],
            "vpcd",
            pin(PasswordRef::User),
            pin(PasswordRef::Admin),
        )
        .unwrap();
        let mut token = VirtualToken::new(state);
        let atr = VirtualCard::atr(&token);
        let input: Vec<u8> = [
            &[0x00, 0x01, CTRL_ON][..],
            &[0x00, 0x01, CTRL_ATR],
            &[0x00, 0x0D, 0x00, 0xA4, 0x04, 0x00, 0x07],
            &[0xF0, 0x46, 0x4B, 0x4E, 0x4F, 0x50, 0x31, 0x00],
        ]
        .concat();
        let mut stream = Duplex {
            input: io::Cursor::new(input),
            output: Vec::new(),
        };
        serve_connection(&mut token, &mut stream, &None).unwrap();
        let out = stream.output;
        let atr_len = usize::from(u16::from_be_bytes([out[0], out[1]]));
        assert_eq!(&out[2..2 + atr_len], &atr[..]);
        let rsp = &out[2 + atr_len..];
        assert_eq!(
            usize::from(u16::from_be_bytes([rsp[0], rsp[1]])),
            rsp.len() - 2
        );
        // FCI template (6F 81 xx: over 127 bytes) with the OFP1 AID, then 90 00.
        let fci = &rsp[2..rsp.len() - 2];
        assert_eq!(&fci[..3], &[0x6F, 0x81, fci.len() as u8 - 3]);
        assert_eq!(
            &fci[3..12],
            &[0x84, 0x07, 0xF0, 0x46, 0x4B, 0x4E, 0x4F, 0x50, 0x31]
        );
        assert_eq!(&rsp[rsp.len() - 2..], &[0x90, 0x00]);
    }

    #[test]
    fn stop_flag_ends_the_reconnect_loop_when_vpcd_is_absent() {
        // A port nobody listens on: bind, note it, close.
        let addr = {
            let l = TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().to_string()
        };
        let stop = Arc::new(AtomicBool::new(false));
        let bridge = {
            let stop = stop.clone();
            thread::spawn(move || serve_vpcd(&mut Recorder::default(), &addr, Some(stop)))
        };
        thread::sleep(Duration::from_millis(300));
        stop.store(true, Ordering::Relaxed);
        bridge.join().unwrap().unwrap();
    }

    #[test]
    fn a_vpcd_that_hangs_up_at_once_is_retried_with_back_off() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let bridge = {
            let stop = stop.clone();
            thread::spawn(move || serve_vpcd(&mut Recorder::default(), &addr, Some(stop)))
        };
        listener.set_nonblocking(true).unwrap();
        let mut accepted = 0;
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(1000) {
            match listener.accept() {
                Ok((s, _)) => {
                    accepted += 1;
                    drop(s);
                }
                Err(_) => thread::sleep(Duration::from_millis(5)),
            }
        }
        stop.store(true, Ordering::Relaxed);
        bridge.join().unwrap().unwrap();
        // 0.1 + 0.2 + 0.4 s of back-off fit in the second: a handful of
        // attempts, not a busy loop.
        assert!((2..=6).contains(&accepted), "{accepted} connections");
    }

    #[test]
    fn unresolvable_address_is_an_error() {
        let e = serve_vpcd(&mut Recorder::default(), "no port here", None).unwrap_err();
        assert!(e.to_string().contains("no port here"), "{e}");
    }

    #[test]
    fn framing_over_a_byte_stream() {
        // Input: ATR request, unknown control 03, an APDU; peer then closes.
        let input: Vec<u8> = [
            &[0x00, 0x01, CTRL_ATR][..],
            &[0x00, 0x01, 0x03],
            &[0x00, 0x04, 0x80, 0xCA, 0x01, 0x00],
        ]
        .concat();
        let mut stream = Duplex {
            input: io::Cursor::new(input),
            output: Vec::new(),
        };
        let mut card = Recorder::default();
        serve_connection(&mut card, &mut stream, &None).unwrap();
        let expected: Vec<u8> = [&[0x00, 0x05][..], &ATR, &[0x00, 0x03, 0xCA, 0x90, 0x00]].concat();
        assert_eq!(stream.output, expected);
        assert_eq!(card.resets, 0);
    }

    #[test]
    fn truncated_message_is_an_error() {
        let mut stream = Duplex {
            input: io::Cursor::new(vec![0x00, 0x05, 0x00, 0xA4]),
            output: Vec::new(),
        };
        let e = serve_connection(&mut Recorder::default(), &mut stream, &None).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn response_too_long_for_a_frame_becomes_6f00() {
        struct Huge;
        impl VirtualCard for Huge {
            fn process_apdu(&mut self, _: &[u8]) -> Vec<u8> {
                vec![0u8; 65538]
            }
            fn atr(&self) -> Vec<u8> {
                ATR.to_vec()
            }
            fn reset(&mut self) {}
        }
        let mut stream = Duplex {
            input: io::Cursor::new(vec![0x00, 0x04, 0x00, 0xB0, 0x00, 0x00]),
            output: Vec::new(),
        };
        serve_connection(&mut Huge, &mut stream, &None).unwrap();
        assert_eq!(stream.output, [0x00, 0x02, 0x6F, 0x00]);
    }

    #[test]
    fn oversized_response_is_refused() {
        let e = write_message(&mut Vec::new(), &vec![0u8; 65536]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);
    }

    struct Duplex {
        input: io::Cursor<Vec<u8>>,
        output: Vec<u8>,
    }
    impl Read for Duplex {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.input.read(buf)
        }
    }
    impl Write for Duplex {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.output.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}
