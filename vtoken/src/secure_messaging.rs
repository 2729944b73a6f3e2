//! OFP1 secure messaging (Section 5), token side: unwraps commands, wraps
//! responses. Independent of the host's [`fkn_core::sm`] (only the primitives
//! are shared), so the two cross-check each other.
//!
//! Any [`SmViolation`] means: answer plain `69 88` (or `69 82` for
//! [`SmViolation::NoSession`]) and forget the session; the state has already
//! erased its keys.

use core::fmt;

use fkn_core::apdu::{Command, Response};
use fkn_core::crypto::cipher::{kuznyechik_ctr, kuznyechik_mac};
use fkn_core::crypto::kdf::kdf_tree_gostr3411_2012_256;
use fkn_core::crypto::mac::ct_eq;
use fkn_core::crypto::secret::Key256;

/// Why a wrapped command could not be accepted, or a response not wrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SmViolation {
    /// No keys: no session, or it ended after an earlier failure (`69 82`).
    #[error("no secure-messaging session")]
    NoSession,
    /// CLA lacks the `0C` bits or carries the chaining bit (`69 88`).
    #[error("CLA does not announce secure messaging")]
    NotWrapped,
    /// Missing, misplaced or badly encoded data object, or wrong outer Le (`69 88`).
    #[error("malformed wrapped command: {0}")]
    Malformed(&'static str),
    /// The command MAC does not verify (altered, replayed or out of step) (`69 88`).
    #[error("command MAC does not verify")]
    MacMismatch,
    /// A send sequence counter would wrap around (`69 88`).
    #[error("send sequence counter exhausted")]
    CounterExhausted,
    /// A response was wrapped with no command to answer (a dispatcher bug).
    #[error("no unwrapped command is waiting for a response")]
    NoPendingCommand,
    /// Response data over 65535 bytes (a dispatcher bug).
    #[error("response data too long to wrap")]
    ResponseTooLong,
}

impl SmViolation {
    /// The plain status word to answer: `69 82` without a session, else `69 88`.
    pub fn status_word(&self) -> u16 {
        match self {
            Self::NoSession => 0x6982,
            _ => 0x6988,
        }
    }
}

struct SessionKeys {
    enc_cmd: Key256,
    mac_cmd: Key256,
    enc_rsp: Key256,
    mac_rsp: Key256,
}

/// The token's secure-messaging session: keys and its copies of `SSC_CMD` /
/// `SSC_RSP`.
pub struct TokenSecureMessaging {
    keys: Option<SessionKeys>,
    ssc_cmd: u64,
    ssc_rsp: u64,
}

impl TokenSecureMessaging {
    /// Starts a session from the SESPAKE key `K` (erased here) and `U1`, `U2`:
    /// `KDF_TREE_GOSTR3411_2012_256(K, "OFP1 SM", U1 || U2, R = 1)`, 128 bytes.
    pub fn new(k: Key256, u1: &[u8], u2: &[u8]) -> Self {
        let seed = [u1, u2].concat();
        // Constant parameters the KDF always accepts, whatever K and the seed.
        let okm = kdf_tree_gostr3411_2012_256(k.expose(), b"OFP1 SM", &seed, 1, 128)
            .expect("KDF_TREE accepts R = 1 with 128 bytes of output");
        drop(k);
        let mut blocks = okm
            .expose()
            .chunks_exact(32)
            .map(|c| Key256::try_from_slice(c).expect("chunks_exact yields 32 bytes"));
        let mut next = || blocks.next().expect("128 bytes are four keys");
        let keys = SessionKeys {
            enc_cmd: next(),
            mac_cmd: next(),
            enc_rsp: next(),
            mac_rsp: next(),
        };
        TokenSecureMessaging {
            keys: Some(keys),
            ssc_cmd: 0,
            ssc_rsp: 0,
        }
    }

    /// Whether the session still has keys.
    pub fn is_open(&self) -> bool {
        self.keys.is_some()
    }

    /// Forgets the keys.
    pub fn close(&mut self) {
        self.keys = None;
    }

    /// The token's `SSC_CMD` (of the last received command).
    pub fn ssc_cmd(&self) -> u64 {
        self.ssc_cmd
    }

    /// The token's `SSC_RSP` (of the last wrapped response).
    pub fn ssc_rsp(&self) -> u64 {
        self.ssc_rsp
    }

    /// Checks and decrypts a wrapped command (whole, after chaining):
    /// `CLA|0C INS P1 P2 { [85] [97] 8E } Le`, whose outer Le must be `00`
    /// (`le = 256`) in a short APDU and `00 00` (`le = 65536`) in an
    /// `extended` one. Returns the plain command, its data marked sensitive.
    ///
    /// # Errors
    /// Any [`SmViolation`]; the session is closed then.
    pub fn unwrap_command(
        &mut self,
        cmd: &Command,
        extended: bool,
    ) -> Result<Command, SmViolation> {
        let result = self.try_unwrap(cmd, extended);
        if result.is_err() {
            self.close();
        }
        result
    }

    fn try_unwrap(&mut self, cmd: &Command, extended: bool) -> Result<Command, SmViolation> {
        let keys = self.keys.as_ref().ok_or(SmViolation::NoSession)?;
        if cmd.cla & 0x0C != 0x0C || cmd.cla & 0x10 != 0 {
            return Err(SmViolation::NotWrapped);
        }
        if cmd.le != Some(if extended { 65536 } else { 256 }) {
            return Err(SmViolation::Malformed(
                "outer Le must be 00 (short) or 00 00 (extended)",
            ));
        }
        // Every received command uses up a number, valid or not.
        self.ssc_cmd = self
            .ssc_cmd
            .checked_add(1)
            .ok_or(SmViolation::CounterExhausted)?;
        let ssc = self.ssc_cmd.to_be_bytes();

        // Only [85] [97] 8E, in this order, each at most once.
        let objects = read_objects(&cmd.data)?;
        let mut it = objects.iter().peekable();
        let c85 = it.next_if(|o| o.tag == 0x85);
        let c97 = it.next_if(|o| o.tag == 0x97);
        let c8e = it
            .next()
            .filter(|o| o.tag == 0x8E)
            .ok_or(SmViolation::Malformed("8E missing or objects out of order"))?;
        if it.next().is_some() {
            return Err(SmViolation::Malformed("data after 8E"));
        }
        // The MAC covers DO85 and DO97 as sent: the body up to 8E.
        let covered = c85.map_or(0, |o| o.len) + c97.map_or(0, |o| o.len);
        let (c85, c97, tag) = (c85.map(|o| o.value), c97.map(|o| o.value), c8e.value);
        if tag.len() != 8 {
            return Err(SmViolation::Malformed("8E must hold 8 bytes"));
        }
        if c85.is_some_and(<[u8]>::is_empty) {
            return Err(SmViolation::Malformed("empty 85"));
        }
        let le = match c97 {
            None => None,
            Some([0]) => Some(256),
            Some([b]) => Some(u32::from(*b)),
            Some([0, 0]) => Some(65536),
            Some([hi, lo]) => Some(u32::from(u16::from_be_bytes([*hi, *lo]))),
            Some(_) => return Err(SmViolation::Malformed("97 must hold 1 or 2 bytes")),
        };

        let mut mac_input = ssc.to_vec();
        mac_input.extend_from_slice(&[cmd.cla, cmd.ins, cmd.p1, cmd.p2]);
        let macced = cmd
            .data
            .get(..covered)
            .ok_or(SmViolation::Malformed("bad TLV encoding"))?;
        mac_input.extend_from_slice(macced);
        let t = kuznyechik_mac(&keys.mac_cmd, &mac_input);
        if !ct_eq(&t[..8], tag) {
            return Err(SmViolation::MacMismatch);
        }
        let mut data = c85.map(<[u8]>::to_vec).unwrap_or_default();
        kuznyechik_ctr(&keys.enc_cmd, &ssc, &mut data);
        Ok(Command {
            cla: cmd.cla & !0x0C,
            ins: cmd.ins,
            p1: cmd.p1,
            p2: cmd.p2,
            data,
            le,
            sensitive: true,
        })
    }

    /// Wraps the response to the last unwrapped command:
    /// `{ [85 L C] 99 02 SW1 SW2 8E 08 T } 90 00`, `SSC_RSP` incremented first.
    ///
    /// # Errors
    /// [`SmViolation::NoSession`], [`SmViolation::NoPendingCommand`],
    /// [`SmViolation::ResponseTooLong`]; the session is closed then.
    pub fn wrap_response(&mut self, rsp: &Response) -> Result<Response, SmViolation> {
        let result = self.try_wrap(rsp);
        if result.is_err() {
            self.close();
        }
        result
    }

    fn try_wrap(&mut self, rsp: &Response) -> Result<Response, SmViolation> {
        let keys = self.keys.as_ref().ok_or(SmViolation::NoSession)?;
        if self.ssc_rsp >= self.ssc_cmd {
            return Err(SmViolation::NoPendingCommand);
        }
        if rsp.data.len() > 0xFFFF {
            return Err(SmViolation::ResponseTooLong);
        }
        self.ssc_rsp += 1;
        let ssc = self.ssc_rsp.to_be_bytes();

        let mut body = Vec::with_capacity(rsp.data.len() + 18);
        if !rsp.data.is_empty() {
            let mut c = rsp.data.clone();
            kuznyechik_ctr(&keys.enc_rsp, &ssc, &mut c);
            write_object(&mut body, 0x85, &c);
        }
        write_object(&mut body, 0x99, &rsp.sw.to_be_bytes());
        let mut mac_input = ssc.to_vec();
        mac_input.extend_from_slice(&body);
        let t = kuznyechik_mac(&keys.mac_rsp, &mac_input);
        write_object(&mut body, 0x8E, &t[..8]);
        Ok(Response::new(body, 0x9000))
    }
}

impl fmt::Debug for TokenSecureMessaging {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSecureMessaging")
            .field("open", &self.is_open())
            .field("ssc_cmd", &self.ssc_cmd)
            .field("ssc_rsp", &self.ssc_rsp)
            .finish()
    }
}

/// One data object of a wrapped command body.
struct Object<'a> {
    tag: u8,
    value: &'a [u8],
    /// Encoded length of the whole object.
    len: usize,
}

/// Splits a body into data objects; lengths must use the shortest form.
fn read_objects(mut body: &[u8]) -> Result<Vec<Object<'_>>, SmViolation> {
    let bad = SmViolation::Malformed("bad TLV encoding");
    let mut out = Vec::with_capacity(3);
    while let [tag, first, rest @ ..] = body {
        let (len, header) = match (*first, rest) {
            (l @ 0..=0x7F, _) => (usize::from(l), 2),
            (0x81, [l, ..]) if *l >= 0x80 => (usize::from(*l), 3),
            (0x82, [h, l, ..]) if *h != 0 => (usize::from(*h) << 8 | usize::from(*l), 4),
            _ => return Err(bad),
        };
        let value = body.get(header..header + len).ok_or(bad)?;
        out.push(Object {
            tag: *tag,
            value,
            len: header + len,
        });
        body = &body[header + len..];
    }
    if !body.is_empty() {
        return Err(bad);
    }
    Ok(out)
}

fn write_object(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    match value.len() {
        l @ 0..=0x7F => out.push(l as u8),
        l @ 0x80..=0xFF => out.extend_from_slice(&[0x81, l as u8]),
        l => out.extend_from_slice(&[0x82, (l >> 8) as u8, l as u8]),
    }
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_beyond_the_last_counter_value_is_refused() {
        let mut sm = TokenSecureMessaging::new(Key256::from_bytes([3; 32]), &[1], &[2]);
        sm.ssc_cmd = u64::MAX;
        sm.ssc_rsp = u64::MAX;
        let cmd = Command::new(0x0C, 0xCA, 1, 0).with_le(256);
        assert_eq!(
            sm.unwrap_command(&cmd, false),
            Err(SmViolation::CounterExhausted)
        );
        assert!(!sm.is_open());
    }

    #[test]
    fn objects_use_the_shortest_length_form() {
        let mut v = Vec::new();
        write_object(&mut v, 0x85, &[7; 0x80]);
        assert_eq!(&v[..3], &[0x85, 0x81, 0x80]);
        let objs = read_objects(&v).expect("reads back");
        assert_eq!((objs.len(), objs[0].len), (1, 3 + 0x80));
        let mut v = Vec::new();
        write_object(&mut v, 0x85, &[7; 0x100]);
        assert_eq!(&v[..4], &[0x85, 0x82, 0x01, 0x00]);
        assert!(read_objects(&[0x85, 0x81, 0x7F]).is_err());
        assert!(read_objects(&[0x85, 0x82, 0x00, 0xFF]).is_err());
        assert!(read_objects(&[0x85]).is_err());
        assert!(read_objects(&[0x85, 0x03, 1, 2]).is_err());
    }
}
