//! PC/SC transport (feature `pcsc`): a contact or contactless reader through
//! the platform's PC/SC service (pcsc-lite on Linux/macOS, WinSCard on
//! Windows), including the vsmartcard `vpcd` reader that serves a virtual token.

use std::ffi::CString;

use pcsc::{Card, Context, Disposition, Protocols, Scope};
use zeroize::Zeroize;

use super::{Transport, TransportError};
use crate::transport::{LinkKind, atr};

/// Largest command APDU with short length: header, Lc, 255 data bytes, Le.
const MAX_SHORT_APDU: usize = 261;
/// Largest command APDU with extended length (OFP1 hosts' bound).
const MAX_EXTENDED_APDU: usize = 65544;

/// Why opening a PC/SC reader failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PcscError {
    /// The PC/SC service cannot be reached.
    #[error(
        "the PC/SC service is not available ({0}); start pcscd (e.g. `systemctl start pcscd.socket`) and retry"
    )]
    ServiceUnavailable(String),
    /// No reader is attached at all.
    #[error(
        "no PC/SC reader is connected; plug in a reader (or start the virtual reader) and retry"
    )]
    NoReader,
    /// No reader has the name or prefix asked for.
    #[error("no PC/SC reader matches \"{wanted}\"; readers: {}", quoted(available))]
    ReaderNotFound {
        /// The name or prefix asked for.
        wanted: String,
        /// Every reader attached.
        available: Vec<String>,
    },
    /// The prefix matches more than one reader.
    #[error(
        "\"{prefix}\" matches several readers: {}; give more of the name",
        quoted(candidates)
    )]
    AmbiguousReader {
        /// The prefix asked for.
        prefix: String,
        /// The readers it matches.
        candidates: Vec<String>,
    },
    /// The reader is there but holds no card.
    #[error("no card in reader \"{reader}\"; insert or present a card and retry")]
    NoCard {
        /// The reader's full name.
        reader: String,
    },
    /// Another application holds the card exclusively (or we asked for
    /// exclusive access while another one holds it).
    #[error("the card in reader \"{reader}\" is in use by another application; close it and retry")]
    SharingViolation {
        /// The reader's full name.
        reader: String,
    },
    /// Any other PC/SC failure.
    #[error("PC/SC {operation} failed: {message}")]
    Other {
        /// What was being done (e.g. "connect").
        operation: &'static str,
        /// The PC/SC library's description.
        message: String,
    },
}

fn quoted(names: &[String]) -> String {
    if names.is_empty() {
        return "none".into();
    }
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether other applications may use the card while we hold it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ShareMode {
    /// Others may send APDUs between ours (PC/SC `SCARD_SHARE_SHARED`).
    #[default]
    Shared,
    /// Nobody else may connect while we hold the card.
    Exclusive,
}

impl From<ShareMode> for pcsc::ShareMode {
    fn from(m: ShareMode) -> Self {
        match m {
            ShareMode::Shared => pcsc::ShareMode::Shared,
            ShareMode::Exclusive => pcsc::ShareMode::Exclusive,
        }
    }
}

fn establish() -> Result<Context, PcscError> {
    Context::establish(Scope::User).map_err(|e| match e {
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => {
            PcscError::ServiceUnavailable(e.to_string())
        }
        other => PcscError::Other {
            operation: "context",
            message: other.to_string(),
        },
    })
}

/// Reader names as the PC/SC library spells them, with their display form.
fn reader_names(ctx: &Context) -> Result<Vec<(CString, String)>, PcscError> {
    match ctx.list_readers_owned() {
        Ok(names) => Ok(names
            .into_iter()
            .map(|c| {
                let s = c.to_string_lossy().into_owned();
                (c, s)
            })
            .collect()),
        Err(pcsc::Error::NoReadersAvailable) => Ok(Vec::new()),
        Err(e @ (pcsc::Error::NoService | pcsc::Error::ServiceStopped)) => {
            Err(PcscError::ServiceUnavailable(e.to_string()))
        }
        Err(e) => Err(PcscError::Other {
            operation: "list readers",
            message: e.to_string(),
        }),
    }
}

/// Names of the PC/SC readers attached now (empty when there are none).
pub fn list_readers() -> Result<Vec<String>, PcscError> {
    let ctx = establish()?;
    Ok(reader_names(&ctx)?.into_iter().map(|(_, s)| s).collect())
}

/// Picks the reader `wanted` names: an exact name wins, otherwise the one
/// reader it is a prefix of. An empty `wanted` thus picks the only reader.
pub fn resolve_reader(readers: &[String], wanted: &str) -> Result<usize, PcscError> {
    if readers.is_empty() {
        return Err(PcscError::NoReader);
    }
    if let Some(i) = readers.iter().position(|r| r == wanted) {
        return Ok(i);
    }
    let matches: Vec<usize> = (0..readers.len())
        .filter(|&i| readers[i].starts_with(wanted))
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(PcscError::ReaderNotFound {
            wanted: wanted.to_owned(),
            available: readers.to_vec(),
        }),
        many => Err(PcscError::AmbiguousReader {
            prefix: wanted.to_owned(),
            candidates: many.iter().map(|&i| readers[i].clone()).collect(),
        }),
    }
}

/// Whether the ATR's card capabilities announce extended Lc/Le (OFP1
/// Section 2). A malformed ATR, or one without them, announces nothing: the
/// host then stays with short APDUs, which every card takes.
pub fn extended_length_in_atr(atr: &[u8]) -> bool {
    atr::card_capabilities(atr).is_some_and(|c| c.extended_length)
}

/// A contactless card in a PC/SC reader gets a pseudo-ATR
/// `3B 8n 80 01 ...` (PC/SC Part 3, 3.1.3.2.3); any other ATR is a contact
/// card.
pub fn link_kind_of_atr(atr: &[u8]) -> LinkKind {
    match atr {
        [0x3B, t0, 0x80, 0x01, ..] if t0 & 0xF0 == 0x80 => LinkKind::Contactless,
        _ => LinkKind::Reader,
    }
}

/// Maps a PC/SC failure during an exchange onto the link-level error.
fn transport_error(e: pcsc::Error) -> TransportError {
    match e {
        pcsc::Error::RemovedCard | pcsc::Error::ResetCard => TransportError::TagLost,
        pcsc::Error::Timeout => TransportError::Timeout,
        pcsc::Error::Cancelled => TransportError::Cancelled,
        other => TransportError::Io {
            detail: other.to_string(),
        },
    }
}

/// A card in a PC/SC reader, as a [`Transport`].
pub struct PcscTransport {
    card: Card,
    reader: String,
    atr: Vec<u8>,
    extended: bool,
    mode: ShareMode,
    /// The card was reset or removed: reconnect before the next exchange.
    stale: bool,
}

impl core::fmt::Debug for PcscTransport {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PcscTransport")
            .field("reader", &self.reader)
            .field("atr", &hex::encode_upper(&self.atr))
            .field("extended", &self.extended)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl PcscTransport {
    /// Connects to the card in the reader named `reader` (exact name or unique
    /// prefix; empty = the only reader), with T=0 or T=1, whichever the card
    /// offers. Extended length is taken from the ATR (OFP1 Section 2).
    pub fn connect(reader: &str, mode: ShareMode) -> Result<Self, PcscError> {
        let ctx = establish()?;
        let readers = reader_names(&ctx)?;
        let display: Vec<String> = readers.iter().map(|(_, s)| s.clone()).collect();
        let index = resolve_reader(&display, reader)?;
        let (cname, name) = &readers[index];
        let card = ctx
            .connect(cname, mode.into(), Protocols::ANY)
            .map_err(|e| connect_error(e, name))?;
        let atr = card
            .status2_owned()
            .map_err(|e| PcscError::Other {
                operation: "status",
                message: e.to_string(),
            })?
            .atr()
            .to_vec();
        let extended = extended_length_in_atr(&atr);
        log::debug!(
            "pcsc: connected to \"{name}\", ATR {}, extended length {extended}",
            hex::encode_upper(&atr)
        );
        Ok(PcscTransport {
            card,
            reader: name.clone(),
            atr,
            extended,
            mode,
            stale: false,
        })
    }

    /// Connects like [`PcscTransport::connect`] with [`ShareMode::Exclusive`],
    /// waiting up to `wait` while another program holds the card.
    ///
    /// A session spans many exchanges and keeps keys on the card (the secure
    /// channel, the login): another program's SELECT in between would end it.
    /// Holding the card exclusively for the session, and queueing behind
    /// whoever holds it now, lets two processes sign on one card in turn.
    pub fn connect_exclusive(reader: &str, wait: std::time::Duration) -> Result<Self, PcscError> {
        let deadline = std::time::Instant::now() + wait;
        let mut pause = std::time::Duration::from_millis(20);
        loop {
            match Self::connect(reader, ShareMode::Exclusive) {
                Err(PcscError::SharingViolation { reader })
                    if std::time::Instant::now() < deadline =>
                {
                    log::debug!("pcsc: \"{reader}\" is in use; waiting");
                    std::thread::sleep(pause);
                    pause = (pause * 2).min(std::time::Duration::from_millis(250));
                }
                other => return other,
            }
        }
    }

    /// The reader's full name.
    pub fn reader_name(&self) -> &str {
        &self.reader
    }

    /// The card's Answer-To-Reset as read at connect time.
    pub fn atr(&self) -> &[u8] {
        &self.atr
    }

    fn reconnect(&mut self) -> Result<(), TransportError> {
        self.card
            .reconnect(self.mode.into(), Protocols::ANY, Disposition::LeaveCard)
            .map_err(transport_error)?;
        self.stale = false;
        log::debug!("pcsc: reconnected to \"{}\"", self.reader);
        Ok(())
    }
}

fn connect_error(e: pcsc::Error, reader: &str) -> PcscError {
    let reader = reader.to_owned();
    match e {
        pcsc::Error::NoSmartcard | pcsc::Error::RemovedCard => PcscError::NoCard { reader },
        pcsc::Error::SharingViolation => PcscError::SharingViolation { reader },
        pcsc::Error::NoService | pcsc::Error::ServiceStopped => {
            PcscError::ServiceUnavailable(e.to_string())
        }
        other => PcscError::Other {
            operation: "connect",
            message: format!("{other} (reader \"{reader}\")"),
        },
    }
}

impl Transport for PcscTransport {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let limit = self.max_transceive_length();
        if apdu.len() > limit {
            return Err(TransportError::Io {
                detail: format!(
                    "command APDU of {} bytes exceeds this reader's limit of {limit}",
                    apdu.len()
                ),
            });
        }
        if self.stale {
            self.reconnect()?;
        }
        // Room for the largest response: 65536 data bytes and SW1 SW2.
        let mut buf = vec![0u8; pcsc::MAX_BUFFER_SIZE_EXTENDED];
        let result = self
            .card
            .transmit(&apdu, &mut buf)
            .map(<[u8]>::to_vec)
            .map_err(|e| {
                if matches!(e, pcsc::Error::RemovedCard | pcsc::Error::ResetCard) {
                    self.stale = true;
                }
                transport_error(e)
            });
        // Plain responses may carry secrets (e.g. random bytes); don't leave them behind.
        buf.zeroize();
        match &result {
            Ok(r) => log::trace!("pcsc: {} bytes sent, {} received", apdu.len(), r.len()),
            Err(e) => log::debug!("pcsc: exchange failed: {e}"),
        }
        result
    }

    fn max_transceive_length(&self) -> usize {
        if self.extended {
            MAX_EXTENDED_APDU
        } else {
            MAX_SHORT_APDU
        }
    }

    fn extended_length_supported(&self) -> bool {
        self.extended
    }

    fn link_kind(&self) -> LinkKind {
        link_kind_of_atr(&self.atr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn contactless_pseudo_atr_is_told_apart() {
        // PC/SC Part 3 pseudo-ATR of an ISO 14443-4 card, then a contact ATR.
        let contactless = [
            0x3B, 0x88, 0x80, 0x01, 0, 0, 0, 0, 0x33, 0x81, 0x81, 0x00, 0x3A,
        ];
        assert_eq!(link_kind_of_atr(&contactless), LinkKind::Contactless);
        let contact = [0x3B, 0xDA, 0x18, 0xFF, 0x81, 0xB1, 0xFE, 0x75, 0x1F, 0x03];
        assert_eq!(link_kind_of_atr(&contact), LinkKind::Reader);
        assert_eq!(link_kind_of_atr(&[]), LinkKind::Reader);
    }

    #[test]
    fn exact_name_wins_over_prefix() {
        let r = names(&["Virtual PCD 00 00", "Virtual PCD 00 00 extra"]);
        assert_eq!(resolve_reader(&r, "Virtual PCD 00 00").unwrap(), 0);
    }

    #[test]
    fn unique_prefix_selects_the_reader() {
        let r = names(&["ACS ACR122U 00 00", "Virtual PCD 00 00"]);
        assert_eq!(resolve_reader(&r, "Virtual").unwrap(), 1);
        assert_eq!(resolve_reader(&r, "ACS").unwrap(), 0);
    }

    #[test]
    fn empty_prefix_selects_the_only_reader() {
        assert_eq!(resolve_reader(&names(&["Only 00 00"]), "").unwrap(), 0);
    }

    #[test]
    fn ambiguous_prefix_lists_candidates() {
        let r = names(&["Virtual PCD 00 00", "Virtual PCD 00 01", "ACS"]);
        let e = resolve_reader(&r, "Virtual").unwrap_err();
        assert_eq!(
            e,
            PcscError::AmbiguousReader {
                prefix: "Virtual".into(),
                candidates: names(&["Virtual PCD 00 00", "Virtual PCD 00 01"]),
            }
        );
        let msg = e.to_string();
        assert!(msg.contains("\"Virtual PCD 00 01\""), "{msg}");
    }

    #[test]
    fn unknown_reader_lists_available_ones() {
        let r = names(&["ACS ACR122U 00 00"]);
        let e = resolve_reader(&r, "Gemalto").unwrap_err();
        assert!(matches!(e, PcscError::ReaderNotFound { .. }));
        assert!(e.to_string().contains("\"ACS ACR122U 00 00\""));
    }

    #[test]
    fn no_reader_at_all() {
        assert_eq!(resolve_reader(&[], "x"), Err(PcscError::NoReader));
        assert_eq!(resolve_reader(&[], ""), Err(PcscError::NoReader));
    }

    /// `3B`, T0 with the given Y1, the interface bytes, the historical bytes
    /// and, when `with_tck`, the TCK that makes T0..TCK XOR to zero.
    fn atr(y1: u8, interface: &[u8], historical: &[u8], with_tck: bool) -> Vec<u8> {
        let mut v = vec![0x3B, (y1 << 4) | historical.len() as u8];
        v.extend_from_slice(interface);
        v.extend_from_slice(historical);
        if with_tck {
            let x = v[1..].iter().fold(0u8, |a, b| a ^ b);
            v.push(x);
        }
        v
    }

    #[test]
    fn hand_made_t1_atr_announcing_extended_length() {
        // 3B 88 80 01 | 80 73 00 00 C0 4F 46 50 | 63: TD1 = 80 (TD2 follows,
        // T=0), TD2 = 01 (T=1) so TCK is present; 73 = caps, third byte C0.
        let a = atr(
            0x8,
            &[0x80, 0x01],
            &[0x80, 0x73, 0, 0, 0xC0, 0x4F, 0x46, 0x50],
            true,
        );
        assert_eq!(hex::encode_upper(&a), "3B88800180730000C04F465063");
        assert!(extended_length_in_atr(&a));
    }

    #[test]
    fn hand_made_atrs_without_extended_length() {
        // Third software function byte without bit 0x40 (chaining only).
        assert!(!extended_length_in_atr(&atr(
            0x8,
            &[0x80, 0x01],
            &[0x80, 0x73, 0, 0, 0x80],
            true
        )));
        // Capabilities with only two bytes: no third byte, no announcement.
        assert!(!extended_length_in_atr(&atr(
            0x8,
            &[0x80, 0x01],
            &[0x80, 0x72, 0xFF, 0xFF],
            true
        )));
        // Proprietary historical bytes (category 'Y'), e.g. "Yubikey4".
        let yk = atr(
            0xF,
            &[0x13, 0x00, 0x00, 0x81, 0x31, 0xFE, 0x15],
            b"Yubikey4",
            true,
        );
        assert!(atr::historical_bytes(&yk).is_ok());
        assert!(!extended_length_in_atr(&yk));
    }

    #[test]
    fn capabilities_after_other_objects_and_in_category_00() {
        // 43 = a 3-byte object (AID), then 73 .. .. 40.
        let h = [0x80, 0x43, 0x01, 0x02, 0x03, 0x73, 0x00, 0x00, 0x40];
        assert!(extended_length_in_atr(&atr(0x8, &[0x80, 0x01], &h, true)));
        // Category 00: 73 .. .. 40, then status indicator 00 90 00; T=0 only
        // (TA1 present, no TD), so no TCK.
        let h = [0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x90, 0x00];
        assert!(extended_length_in_atr(&atr(0x1, &[0x11], &h, false)));
    }

    #[test]
    fn malformed_atrs_announce_nothing() {
        let good = atr(0x8, &[0x80, 0x01], &[0x80, 0x73, 0, 0, 0x40], true);
        assert!(extended_length_in_atr(&good));
        let mut bad_tck = good.clone();
        *bad_tck.last_mut().unwrap() ^= 0x01;
        assert!(!extended_length_in_atr(&bad_tck));
        for n in 0..good.len() {
            assert!(!extended_length_in_atr(&good[..n]), "prefix of {n} bytes");
        }
        let mut trailing = good.clone();
        trailing.push(0x00);
        assert!(!extended_length_in_atr(&trailing));
        // 45 announces five bytes but only two follow.
        assert!(!extended_length_in_atr(&atr(
            0x8,
            &[0x80, 0x01],
            &[0x80, 0x45, 0x01, 0x02],
            true
        )));
    }

    #[test]
    fn pcsc_errors_map_to_link_errors() {
        assert_eq!(
            transport_error(pcsc::Error::RemovedCard),
            TransportError::TagLost
        );
        assert_eq!(
            transport_error(pcsc::Error::ResetCard),
            TransportError::TagLost
        );
        assert_eq!(
            transport_error(pcsc::Error::Timeout),
            TransportError::Timeout
        );
        assert_eq!(
            transport_error(pcsc::Error::Cancelled),
            TransportError::Cancelled
        );
        assert!(matches!(
            transport_error(pcsc::Error::CommError),
            TransportError::Io { .. }
        ));
    }

    #[test]
    fn connect_errors_are_typed() {
        assert_eq!(
            connect_error(pcsc::Error::NoSmartcard, "R"),
            PcscError::NoCard { reader: "R".into() }
        );
        assert_eq!(
            connect_error(pcsc::Error::SharingViolation, "R"),
            PcscError::SharingViolation { reader: "R".into() }
        );
        assert!(matches!(
            connect_error(pcsc::Error::NoService, "R"),
            PcscError::ServiceUnavailable(_)
        ));
    }
}
