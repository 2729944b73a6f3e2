//! ISO/IEC 7816-4 (5.1) byte encoding of command and response APDUs.
//!
//! Hand-written rather than taken from the `iso7816` crate: that crate needs a
//! newer Rust than our MSRV (1.85), stores data in fixed-capacity buffers sized
//! at compile time, and has its own command type without our `sensitive` flag.
//! The rules fit in one screen:
//!
//! | case | short | extended |
//! |---|---|---|
//! | 1 | `CLA INS P1 P2` | (same) |
//! | 2 | `… Le` (`00` = 256) | `… 00 Le1 Le2` (`00 00` = 65536) |
//! | 3 | `… Lc data` | `… 00 Lc1 Lc2 data` |
//! | 4 | `… Lc data Le` | `… 00 Lc1 Lc2 data Le1 Le2` |

use super::{Command, LinkError, Response};

/// Largest command data of a short APDU.
pub const SHORT_MAX_DATA: usize = 255;
/// Largest Le of a short APDU (encoded `00`).
pub const SHORT_MAX_LE: u32 = 256;
/// Largest command data of an extended APDU.
pub const EXTENDED_MAX_DATA: usize = 65_535;
/// Largest Le of an extended APDU (encoded `00 00`).
pub const EXTENDED_MAX_LE: u32 = 65_536;

/// Short or extended length fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LengthForm {
    /// One-byte Lc / Le.
    Short,
    /// Three-byte Lc (`00 hi lo`), two- or three-byte Le.
    Extended,
}

/// Why a command could not be encoded or decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The data does not fit the length field of the chosen form.
    #[error(
        "{len} bytes of command data do not fit a {form:?} APDU (at most {max}); split the command or use extended length"
    )]
    DataTooLong {
        /// Data length.
        len: usize,
        /// Largest allowed.
        max: usize,
        /// The form that was asked for.
        form: LengthForm,
    },
    /// Le is 0 or larger than the form allows.
    #[error("Le = {le} is outside 1..={max} for a {form:?} APDU; this is a bug in the caller")]
    LeOutOfRange {
        /// The requested Le.
        le: u32,
        /// Largest allowed.
        max: u32,
        /// The form that was asked for.
        form: LengthForm,
    },
    /// Fewer than the four header bytes.
    #[error("a command APDU needs at least 4 header bytes, got {len}")]
    TooShort {
        /// Bytes received.
        len: usize,
    },
    /// Lc/Le fields that do not add up to the APDU's size.
    #[error("the length fields of a {len}-byte command APDU do not match its size")]
    InconsistentLength {
        /// Bytes received.
        len: usize,
    },
}

/// Whether `cmd` can only be sent whole as an extended APDU
/// (data over 255 bytes or Le over 256).
pub fn needs_extended(cmd: &Command) -> bool {
    cmd.data.len() > SHORT_MAX_DATA || cmd.le.is_some_and(|le| le > SHORT_MAX_LE)
}

/// Size in bytes of `cmd` encoded in `form`, without validating it.
pub fn encoded_len(cmd: &Command, form: LengthForm) -> usize {
    encoded_len_parts(cmd.data.len(), cmd.le.is_some(), form)
}

pub(crate) fn encoded_len_parts(n: usize, has_le: bool, form: LengthForm) -> usize {
    4 + match (form, n, has_le) {
        (_, 0, false) => 0,
        (LengthForm::Short, 0, true) => 1,
        (LengthForm::Short, n, le) => 1 + n + usize::from(le),
        (LengthForm::Extended, 0, true) => 3,
        (LengthForm::Extended, n, le) => 3 + n + 2 * usize::from(le),
    }
}

/// Largest command data and Le of `form`.
pub const fn limits(form: LengthForm) -> (usize, u32) {
    match form {
        LengthForm::Short => (SHORT_MAX_DATA, SHORT_MAX_LE),
        LengthForm::Extended => (EXTENDED_MAX_DATA, EXTENDED_MAX_LE),
    }
}

/// Checks that `cmd`'s data and Le fit `form`.
pub fn validate(cmd: &Command, form: LengthForm) -> Result<(), CodecError> {
    validate_parts(cmd.data.len(), cmd.le, form)
}

fn validate_parts(n: usize, le: Option<u32>, form: LengthForm) -> Result<(), CodecError> {
    let (max_data, max_le) = limits(form);
    if n > max_data {
        return Err(CodecError::DataTooLong {
            len: n,
            max: max_data,
            form,
        });
    }
    match le {
        Some(le) if le == 0 || le > max_le => Err(CodecError::LeOutOfRange {
            le,
            max: max_le,
            form,
        }),
        _ => Ok(()),
    }
}

/// Encodes `cmd` in `form` (ISO 7816-4 5.1).
pub fn encode(cmd: &Command, form: LengthForm) -> Result<Vec<u8>, CodecError> {
    encode_parts([cmd.cla, cmd.ins, cmd.p1, cmd.p2], &cmd.data, cmd.le, form)
}

/// [`encode`] from borrowed parts, so that chaining and Le retries need not
/// copy the command.
pub(crate) fn encode_parts(
    header: [u8; 4],
    data: &[u8],
    le: Option<u32>,
    form: LengthForm,
) -> Result<Vec<u8>, CodecError> {
    validate_parts(data.len(), le, form)?;
    let n = data.len();
    let mut out = Vec::with_capacity(encoded_len_parts(n, le.is_some(), form));
    out.extend_from_slice(&header);
    match form {
        LengthForm::Short => {
            if n > 0 {
                out.push(n as u8);
                out.extend_from_slice(data);
            }
            if let Some(le) = le {
                // 256 wraps to 00 by design.
                out.push(le as u8);
            }
        }
        LengthForm::Extended => {
            if n > 0 {
                out.push(0);
                out.extend_from_slice(&(n as u16).to_be_bytes());
                out.extend_from_slice(data);
            }
            if let Some(le) = le {
                if n == 0 {
                    // Case 2E: the leading 00 marks the extended form.
                    out.push(0);
                }
                // 65536 wraps to 00 00 by design.
                out.extend_from_slice(&(le as u16).to_be_bytes());
            }
        }
    }
    Ok(out)
}

/// Offset and length of the command data inside an APDU encoded by
/// [`encode`]; used to redact it in traces.
pub(crate) fn data_span(n: usize, form: LengthForm) -> (usize, usize) {
    match (form, n) {
        (_, 0) => (4, 0),
        (LengthForm::Short, n) => (5, n),
        (LengthForm::Extended, n) => (7, n),
    }
}

fn short_le(b: u8) -> u32 {
    if b == 0 { 256 } else { u32::from(b) }
}

fn extended_le(hi: u8, lo: u8) -> u32 {
    match u16::from_be_bytes([hi, lo]) {
        0 => 65_536,
        v => u32::from(v),
    }
}

/// Decodes a command APDU (all seven ISO cases) and tells which form it used.
/// The result is never marked sensitive.
pub fn decode_command(bytes: &[u8]) -> Result<(Command, LengthForm), CodecError> {
    let len = bytes.len();
    let [cla, ins, p1, p2, body @ ..] = bytes else {
        return Err(CodecError::TooShort { len });
    };
    let mut cmd = Command::new(*cla, *ins, *p1, *p2);
    let bad = CodecError::InconsistentLength { len };
    let form = match body {
        [] => LengthForm::Short,
        [le] => {
            cmd.le = Some(short_le(*le));
            LengthForm::Short
        }
        [0, hi, lo] => {
            cmd.le = Some(extended_le(*hi, *lo));
            LengthForm::Extended
        }
        [0, hi, lo, rest @ ..] => {
            let lc = usize::from(u16::from_be_bytes([*hi, *lo]));
            if lc == 0 {
                return Err(bad);
            }
            match rest.len().checked_sub(lc) {
                Some(0) => {}
                Some(2) => cmd.le = Some(extended_le(rest[lc], rest[lc + 1])),
                _ => return Err(bad),
            }
            cmd.data = rest[..lc].to_vec();
            LengthForm::Extended
        }
        [0, ..] => return Err(bad),
        [lc, rest @ ..] => {
            let lc = usize::from(*lc);
            match rest.len().checked_sub(lc) {
                Some(0) => {}
                Some(1) => cmd.le = Some(short_le(rest[lc])),
                _ => return Err(bad),
            }
            cmd.data = rest[..lc].to_vec();
            LengthForm::Short
        }
    };
    Ok((cmd, form))
}

/// Splits a response APDU into data and status word.
pub fn decode_response(mut bytes: Vec<u8>) -> Result<Response, LinkError> {
    let len = bytes.len();
    if len < 2 {
        return Err(LinkError::MalformedResponse { len });
    }
    let sw = u16::from_be_bytes([bytes[len - 2], bytes[len - 1]]);
    bytes.truncate(len - 2);
    Ok(Response::new(bytes, sw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s.replace(' ', "")).expect("test hex")
    }

    fn enc(cmd: &Command, form: LengthForm) -> String {
        hex::encode_upper(encode(cmd, form).expect("encodes"))
    }

    #[test]
    fn case_1() {
        let c = Command::new(0x00, 0xE4, 0x00, 0x00);
        assert_eq!(enc(&c, LengthForm::Short), "00E40000");
        assert_eq!(enc(&c, LengthForm::Extended), "00E40000");
        assert_eq!(encoded_len(&c, LengthForm::Short), 4);
    }

    #[test]
    fn case_2_short_and_extended() {
        let c = Command::new(0x00, 0x84, 0, 0).with_le(8);
        assert_eq!(enc(&c, LengthForm::Short), "0084000008");
        assert_eq!(enc(&c, LengthForm::Extended), "00840000000008");
        let c = Command::new(0x00, 0x84, 0, 0).with_le(256);
        assert_eq!(enc(&c, LengthForm::Short), "0084000000");
        assert_eq!(enc(&c, LengthForm::Extended), "00840000000100");
        let c = Command::new(0x00, 0x84, 0, 0).with_le(257);
        assert!(matches!(
            encode(&c, LengthForm::Short),
            Err(CodecError::LeOutOfRange { le: 257, .. })
        ));
        assert_eq!(enc(&c, LengthForm::Extended), "00840000000101");
        let c = Command::new(0x00, 0x84, 0, 0).with_le(65_536);
        assert_eq!(enc(&c, LengthForm::Extended), "00840000000000");
        assert_eq!(encoded_len(&c, LengthForm::Extended), 7);
    }

    #[test]
    fn case_3_short_and_extended() {
        let c = Command::new(0x00, 0xDA, 1, 0).with_data([0xAA, 0xBB]);
        assert_eq!(enc(&c, LengthForm::Short), "00DA010002AABB");
        assert_eq!(enc(&c, LengthForm::Extended), "00DA0100000002AABB");
    }

    #[test]
    fn case_4_short_and_extended() {
        let c = Command::new(0x00, 0xA4, 4, 0)
            .with_data(hex("F0464B4E4F5031"))
            .with_le(256);
        // The SELECT of OFP1 Section 3, byte for byte.
        assert_eq!(enc(&c, LengthForm::Short), "00A4040007F0464B4E4F503100");
        assert_eq!(
            enc(&c, LengthForm::Extended),
            "00A40400000007F0464B4E4F50310100"
        );
        let c = c.with_le(65_536);
        assert_eq!(
            enc(&c, LengthForm::Extended),
            "00A40400000007F0464B4E4F50310000"
        );
    }

    #[test]
    fn lc_boundaries() {
        let c = Command::new(0x00, 0x2A, 0x9E, 0x9A).with_data(vec![7u8; 255]);
        let e = encode(&c, LengthForm::Short).expect("255 fits short");
        assert_eq!(&e[..5], &[0x00, 0x2A, 0x9E, 0x9A, 0xFF]);
        assert_eq!(e.len(), 260);
        assert!(!needs_extended(&c));

        let c = c.with_data(vec![7u8; 256]);
        assert!(needs_extended(&c));
        assert_eq!(
            encode(&c, LengthForm::Short),
            Err(CodecError::DataTooLong {
                len: 256,
                max: 255,
                form: LengthForm::Short
            })
        );
        let e = encode(&c, LengthForm::Extended).expect("256 fits extended");
        assert_eq!(&e[4..7], &[0x00, 0x01, 0x00]);
        assert_eq!(e.len(), 263);

        let c = c.with_data(vec![0u8; 65_535]).with_le(65_536);
        let e = encode(&c, LengthForm::Extended).expect("max extended");
        assert_eq!(&e[4..7], &[0x00, 0xFF, 0xFF]);
        assert_eq!(&e[e.len() - 2..], &[0x00, 0x00]);
        let c = c.with_data(vec![0u8; 65_536]);
        assert!(matches!(
            encode(&c, LengthForm::Extended),
            Err(CodecError::DataTooLong { .. })
        ));
    }

    #[test]
    fn le_zero_is_rejected() {
        let c = Command::new(0, 0xB0, 0, 0).with_le(0);
        assert!(matches!(
            encode(&c, LengthForm::Short),
            Err(CodecError::LeOutOfRange { le: 0, .. })
        ));
        let c = Command::new(0, 0xB0, 0, 0).with_le(65_537);
        assert!(matches!(
            encode(&c, LengthForm::Extended),
            Err(CodecError::LeOutOfRange { le: 65_537, .. })
        ));
    }

    #[test]
    fn decode_every_case() {
        let cases: [(&str, Command, LengthForm); 8] = [
            ("00E40000", Command::new(0, 0xE4, 0, 0), LengthForm::Short),
            (
                "0084000000",
                Command::new(0, 0x84, 0, 0).with_le(256),
                LengthForm::Short,
            ),
            (
                "00DA010002AABB",
                Command::new(0, 0xDA, 1, 0).with_data([0xAA, 0xBB]),
                LengthForm::Short,
            ),
            (
                "00DA010002AABB10",
                Command::new(0, 0xDA, 1, 0)
                    .with_data([0xAA, 0xBB])
                    .with_le(16),
                LengthForm::Short,
            ),
            (
                "00840000000000",
                Command::new(0, 0x84, 0, 0).with_le(65_536),
                LengthForm::Extended,
            ),
            (
                "00DA0100000002AABB",
                Command::new(0, 0xDA, 1, 0).with_data([0xAA, 0xBB]),
                LengthForm::Extended,
            ),
            (
                "00DA0100000002AABB0101",
                Command::new(0, 0xDA, 1, 0)
                    .with_data([0xAA, 0xBB])
                    .with_le(257),
                LengthForm::Extended,
            ),
            (
                "00DA0100000002AABB0000",
                Command::new(0, 0xDA, 1, 0)
                    .with_data([0xAA, 0xBB])
                    .with_le(65_536),
                LengthForm::Extended,
            ),
        ];
        for (bytes, cmd, form) in cases {
            assert_eq!(decode_command(&hex(bytes)), Ok((cmd, form)), "{bytes}");
        }
    }

    #[test]
    fn decode_rejects_inconsistent_lengths() {
        for bad in [
            "",
            "00A404",
            "00A404000000",             // 6 bytes: 00 starts no short or extended form
            "00A4040003AABB",           // Lc 3, 2 bytes
            "00A4040001AABBCC",         // Lc 1, 3 bytes left
            "00A4040000000001",         // extended Lc 0 (8 bytes)
            "00A404000000020102030405", // extended Lc 2, 3 trailing bytes
        ] {
            assert!(decode_command(&hex(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn response_decoding() {
        let r = decode_response(hex("01029000")).expect("decodes");
        assert_eq!(r, Response::new(vec![1, 2], 0x9000));
        let r = decode_response(hex("6A82")).expect("decodes");
        assert_eq!((r.data.len(), r.sw1(), r.sw2()), (0, 0x6A, 0x82));
        for bad in ["", "90"] {
            assert!(matches!(
                decode_response(hex(bad)),
                Err(LinkError::MalformedResponse { .. })
            ));
        }
    }

    fn any_command() -> impl Strategy<Value = Command> {
        (
            any::<[u8; 4]>(),
            prop_oneof![
                Just(0usize),
                1usize..=255,
                256usize..=1200,
                Just(65_535usize)
            ],
            prop_oneof![
                Just(None),
                (1u32..=256).prop_map(Some),
                (257u32..=65_536).prop_map(Some),
                Just(Some(65_536))
            ],
        )
            .prop_map(|(h, n, le)| {
                let mut c = Command::new(h[0], h[1], h[2], h[3]).with_data(vec![0x5A; n]);
                c.le = le;
                c
            })
    }

    proptest! {
        #[test]
        fn round_trip(cmd in any_command()) {
            for form in [LengthForm::Short, LengthForm::Extended] {
                match encode(&cmd, form) {
                    Ok(bytes) => {
                        prop_assert_eq!(bytes.len(), encoded_len(&cmd, form));
                        let (back, got_form) = decode_command(&bytes).expect("decodes");
                        prop_assert_eq!(&back, &cmd);
                        // Case 1 has one encoding for both forms.
                        if !cmd.data.is_empty() || cmd.le.is_some() {
                            prop_assert_eq!(got_form, form);
                        }
                    }
                    Err(_) => prop_assert!(form == LengthForm::Short && needs_extended(&cmd)),
                }
            }
        }

        #[test]
        fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            if let Ok((cmd, form)) = decode_command(&bytes) {
                prop_assert_eq!(encode(&cmd, form).expect("re-encodes"), bytes);
            }
        }
    }
}
