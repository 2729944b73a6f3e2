//! Keys and send sequence counters of one secure-messaging session, and the
//! OFP1 Section 5 wrap / unwrap of one logical APDU.

use core::fmt;

use super::{SmError, SmKeys};
use crate::apdu::tlv::{self, MAX_VALUE_LEN, Tlv};
use crate::apdu::{Command, Response};
use crate::crypto::cipher::{kuznyechik_ctr, kuznyechik_mac};
use crate::crypto::mac::ct_eq;
use crate::crypto::secret::Key256;

/// Length of the truncated CMAC `T` in `8E`.
const MAC_LEN: usize = 8;
/// How far from `SSC_RSP` a failed response's MAC is tried, to tell a
/// replayed or out-of-step response ([`SmError::CounterMismatch`]) from an
/// altered one ([`SmError::MacMismatch`]).
const COUNTER_SEARCH: u64 = 4;
/// CLA bits that announce secure messaging with an authenticated header (ISO 7816-4 5.4.1).
const CLA_SM: u8 = 0x0C;
/// CLA bit of command chaining, which applies below secure messaging.
const CLA_CHAINING: u8 = 0x10;

/// The host's secure-messaging state: the four keys and `SSC_CMD` /
/// `SSC_RSP`, both 0 right after SESPAKE.
///
/// Every failure, of `wrap` or of `unwrap`, erases the keys; the channel then
/// answers [`SmError::ChannelClosed`] to every call.
pub struct SecureChannel {
    keys: Option<SmKeys>,
    ssc_cmd: u64,
    ssc_rsp: u64,
}

impl SecureChannel {
    /// A fresh channel with both counters at 0.
    pub fn new(keys: SmKeys) -> Self {
        SecureChannel {
            keys: Some(keys),
            ssc_cmd: 0,
            ssc_rsp: 0,
        }
    }

    /// `SSC_CMD` of the last wrapped command (0 before the first).
    pub fn ssc_cmd(&self) -> u64 {
        self.ssc_cmd
    }

    /// `SSC_RSP` of the last unwrapped response (0 before the first).
    pub fn ssc_rsp(&self) -> u64 {
        self.ssc_rsp
    }

    /// Whether the channel still holds keys.
    pub fn is_open(&self) -> bool {
        self.keys.is_some()
    }

    /// Erases the keys; later calls fail with [`SmError::ChannelClosed`].
    pub fn close(&mut self) {
        self.keys = None;
    }

    /// Wraps one logical command (OFP1 Section 5): increments `SSC_CMD`,
    /// encrypts the data into `85`, puts Le into `97` (1 byte short, 2 bytes
    /// `extended`), appends `8E 08 T` and sets the outer Le to `00` (short) or
    /// `00 00` (`extended`), i.e. `le = 256` or `65536`.
    ///
    /// # Errors
    /// [`SmError::ChannelClosed`], [`SmError::CounterExhausted`], or
    /// [`SmError::InvalidCommand`] (chaining bit set, Le out of range, data
    /// over 65535 bytes). Every error closes the channel.
    pub fn wrap(&mut self, cmd: &Command, extended: bool) -> Result<Command, SmError> {
        let result = self.try_wrap(cmd, extended);
        if result.is_err() {
            self.close();
        }
        result
    }

    fn try_wrap(&mut self, cmd: &Command, extended: bool) -> Result<Command, SmError> {
        let keys = self.keys.as_ref().ok_or(SmError::ChannelClosed)?;
        if cmd.cla & CLA_CHAINING != 0 {
            return Err(SmError::InvalidCommand {
                reason: "the chaining bit is set; chaining applies after wrapping",
            });
        }
        if cmd.data.len() > MAX_VALUE_LEN {
            return Err(SmError::InvalidCommand {
                reason: "command data over 65535 bytes",
            });
        }
        let do97 = match cmd.le {
            None => None,
            Some(le) => Some(encode_le(le, extended)?),
        };
        let ssc = self
            .ssc_cmd
            .checked_add(1)
            .ok_or(SmError::CounterExhausted)?;
        let cla = cmd.cla | CLA_SM;

        let mut body = Vec::with_capacity(cmd.data.len() + 16);
        if !cmd.data.is_empty() {
            let mut c = cmd.data.clone();
            kuznyechik_ctr(keys.enc_cmd(), &ssc.to_be_bytes(), &mut c);
            tlv::put(&mut body, 0x85, &c);
        }
        if let Some(le) = &do97 {
            tlv::put(&mut body, 0x97, le);
        }
        let mut mac_input = Vec::with_capacity(12 + body.len());
        mac_input.extend_from_slice(&ssc.to_be_bytes());
        mac_input.extend_from_slice(&[cla, cmd.ins, cmd.p1, cmd.p2]);
        mac_input.extend_from_slice(&body);
        tlv::put(&mut body, 0x8E, &cmac8(keys.mac_cmd(), &mac_input));

        self.ssc_cmd = ssc;
        Ok(Command {
            cla,
            ins: cmd.ins,
            p1: cmd.p1,
            p2: cmd.p2,
            data: body,
            le: Some(if extended { 65536 } else { 256 }),
            sensitive: false,
        })
    }

    /// Unwraps the response to the last wrapped command: checks the outer
    /// `90 00`, increments `SSC_RSP`, parses `[85] 99 8E` strictly, verifies
    /// `T` and decrypts. Returns the inner data and the status word of `99`.
    ///
    /// # Errors
    /// Any [`SmError`]; every error closes the channel.
    pub fn unwrap(&mut self, rsp: &Response) -> Result<Response, SmError> {
        let result = self.try_unwrap(rsp);
        if result.is_err() {
            self.close();
        }
        result
    }

    fn try_unwrap(&mut self, rsp: &Response) -> Result<Response, SmError> {
        let keys = self.keys.as_ref().ok_or(SmError::ChannelClosed)?;
        if self.ssc_rsp >= self.ssc_cmd {
            return Err(SmError::NoPendingCommand);
        }
        match rsp.sw {
            0x9000 => {}
            0x6988 | 0x6987 => return Err(SmError::RejectedByToken { sw: rsp.sw }),
            sw => return Err(SmError::UnprotectedResponse { sw }),
        }
        // Counted before anything is checked: a failed response still uses its number.
        self.ssc_rsp += 1;
        let ssc = self.ssc_rsp;

        let parts = parse_response(&rsp.data)?;
        let mac_input = |ssc: u64| {
            let mut input = Vec::with_capacity(8 + rsp.data.len());
            input.extend_from_slice(&ssc.to_be_bytes());
            if let Some(do85) = &parts.do85 {
                input.extend_from_slice(do85.raw);
            }
            input.extend_from_slice(parts.do99.raw);
            input
        };
        if !ct_eq(&cmac8(keys.mac_rsp(), &mac_input(ssc)), parts.mac) {
            // Rejected either way; the diagnosis only tells a replayed or
            // out-of-step response from an altered one.
            let nearby = ssc.saturating_sub(COUNTER_SEARCH).max(1)..=ssc + COUNTER_SEARCH;
            let replayed = nearby
                .filter(|&other| other != ssc)
                .find(|&other| ct_eq(&cmac8(keys.mac_rsp(), &mac_input(other)), parts.mac));
            return Err(match replayed {
                Some(got) => SmError::CounterMismatch { expected: ssc, got },
                None => SmError::MacMismatch,
            });
        }
        let mut data = parts.do85.map(|t| t.value.to_vec()).unwrap_or_default();
        kuznyechik_ctr(keys.enc_rsp(), &ssc.to_be_bytes(), &mut data);
        let sw = u16::from_be_bytes([parts.do99.value[0], parts.do99.value[1]]);
        Ok(Response::new(data, sw))
    }
}

impl fmt::Debug for SecureChannel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecureChannel")
            .field("open", &self.is_open())
            .field("ssc_cmd", &self.ssc_cmd)
            .field("ssc_rsp", &self.ssc_rsp)
            .finish()
    }
}

/// The value of `97`: Le in 1 byte (short, `00` = 256) or 2 bytes (extended,
/// `00 00` = 65536).
fn encode_le(le: u32, extended: bool) -> Result<Vec<u8>, SmError> {
    match (extended, le) {
        (false, 1..=256) => Ok(vec![le as u8]),
        (true, 1..=65536) => Ok((le as u16).to_be_bytes().to_vec()),
        (false, _) => Err(SmError::InvalidCommand {
            reason: "Le must be 1..=256 in a short APDU",
        }),
        (true, _) => Err(SmError::InvalidCommand {
            reason: "Le must be 1..=65536 in an extended APDU",
        }),
    }
}

/// The first 8 bytes of the Kuznyechik OMAC of `data`.
fn cmac8(key: &Key256, data: &[u8]) -> [u8; MAC_LEN] {
    let full = kuznyechik_mac(key, data);
    let mut t = [0u8; MAC_LEN];
    t.copy_from_slice(&full[..MAC_LEN]);
    t
}

/// The objects of a wrapped response body, in their only allowed order.
struct ResponseParts<'a> {
    do85: Option<Tlv<'a>>,
    do99: Tlv<'a>,
    mac: &'a [u8],
}

fn parse_response(body: &[u8]) -> Result<ResponseParts<'_>, SmError> {
    let malformed = |reason| SmError::Malformed { reason };
    let (first, rest) = tlv::next(body).ok_or(malformed("bad TLV encoding"))?;
    let (do85, do99, rest) = if first.tag == 0x85 {
        if first.value.is_empty() {
            return Err(malformed("empty 85"));
        }
        let (second, rest) = tlv::next(rest).ok_or(malformed("bad TLV encoding"))?;
        (Some(first), second, rest)
    } else {
        (None, first, rest)
    };
    if do99.tag != 0x99 || do99.value.len() != 2 {
        return Err(malformed("99 with the status word missing"));
    }
    let (do8e, rest) = tlv::next(rest).ok_or(malformed("8E missing"))?;
    if do8e.tag != 0x8E || do8e.value.len() != MAC_LEN {
        return Err(malformed("8E with an 8-byte MAC missing"));
    }
    if !rest.is_empty() {
        return Err(malformed("data after 8E"));
    }
    Ok(ResponseParts {
        do85,
        do99,
        mac: do8e.value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn channel() -> SecureChannel {
        SecureChannel::new(SmKeys::derive(Key256::from_bytes([3; 32]), &[1], &[2]))
    }

    #[test]
    fn refuses_to_wrap_when_ssc_cmd_would_wrap_around() {
        let mut ch = channel();
        ch.ssc_cmd = u64::MAX - 1;
        ch.ssc_rsp = u64::MAX - 1;
        let cmd = Command::new(0, 0xCA, 1, 0);
        let w = ch
            .wrap(&cmd, false)
            .expect("the last number is still usable");
        assert_eq!(ch.ssc_cmd(), u64::MAX);
        assert!(!w.data.is_empty());
        assert_eq!(ch.wrap(&cmd, false), Err(SmError::CounterExhausted));
        assert!(!ch.is_open());
        assert_eq!(ch.wrap(&cmd, false), Err(SmError::ChannelClosed));
    }

    #[test]
    fn a_failed_unwrap_still_uses_its_number_and_closes() {
        let mut ch = channel();
        ch.wrap(&Command::new(0, 0xCA, 1, 0), false).expect("wrap");
        let forged = Response::new(
            vec![0x99, 2, 0x90, 0, 0x8E, 8, 0, 0, 0, 0, 0, 0, 0, 0],
            0x9000,
        );
        assert_eq!(ch.unwrap(&forged), Err(SmError::MacMismatch));
        assert_eq!(ch.ssc_rsp(), 1);
        assert!(!ch.is_open());
    }

    #[test]
    fn encode_le_forms() {
        assert_eq!(encode_le(256, false), Ok(vec![0]));
        assert_eq!(encode_le(1, false), Ok(vec![1]));
        assert_eq!(encode_le(65536, true), Ok(vec![0, 0]));
        assert_eq!(encode_le(256, true), Ok(vec![1, 0]));
        assert!(encode_le(0, false).is_err());
        assert!(encode_le(257, false).is_err());
        assert!(encode_le(65537, true).is_err());
    }
}
