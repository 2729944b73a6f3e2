//! Short command APDUs as the card reads them, and the status words it
//! answers with (ISO/IEC 7816-4 Section 5 and the table in Section 5.6).
//!
//! The card takes short APDUs only: a command whose byte 4 is `00` and that
//! goes on is an extended one and is refused with `67 00`.

/// Status word: success.
pub const SW_OK: u16 = 0x9000;
/// Wrong PIN, no counter in the answer (an empty VERIFY gives `63 Cx`).
pub const SW_PIN_WRONG: u16 = 0x6300;
/// Wrong length (Lc, or a Le the command cannot take).
pub const SW_WRONG_LENGTH: u16 = 0x6700;
/// Security status not satisfied (a PIN the access rule names is not verified).
pub const SW_SECURITY: u16 = 0x6982;
/// Authentication method blocked (PIN tries used up).
pub const SW_BLOCKED: u16 = 0x6983;
/// Reference data not usable (a PIN file whose value was never set).
pub const SW_REF_DATA_UNUSABLE: u16 = 0x6984;
/// Conditions of use not satisfied (PSO without MSE, key without material).
pub const SW_CONDITIONS: u16 = 0x6985;
/// Command not allowed: no current EF.
pub const SW_NO_CURRENT_EF: u16 = 0x6986;
/// Command chaining not supported for this command.
pub const SW_CHAINING_UNSUPPORTED: u16 = 0x6884;
/// Incorrect data in the command data field.
pub const SW_WRONG_DATA: u16 = 0x6A80;
/// Function not supported (RSA in this emulation).
pub const SW_FUNC_UNSUPPORTED: u16 = 0x6A81;
/// File or application not found; also the end of a first/next listing.
pub const SW_NOT_FOUND: u16 = 0x6A82;
/// Not enough memory (card, or the file for UPDATE BINARY).
pub const SW_NO_MEMORY: u16 = 0x6A84;
/// Incorrect P1 or P2.
pub const SW_WRONG_P1P2: u16 = 0x6A86;
/// Referenced data (PIN, key, data object) not found.
pub const SW_REF_NOT_FOUND: u16 = 0x6A88;
/// File already exists.
pub const SW_FILE_EXISTS: u16 = 0x6A89;
/// Offset outside the EF.
pub const SW_WRONG_OFFSET: u16 = 0x6B00;
/// Instruction not supported.
pub const SW_INS_UNSUPPORTED: u16 = 0x6D00;
/// Class not supported.
pub const SW_CLA_UNSUPPORTED: u16 = 0x6E00;

/// `63 Cx`: verification needed, `x` tries left.
pub fn sw_tries_left(tries: u8) -> u16 {
    0x63C0 | u16::from(tries.min(0x0F))
}

/// `6C xx`: wrong Le, `xx` is the right one.
pub fn sw_exact_le(len: usize) -> u16 {
    0x6C00 | (len & 0xFF) as u16
}

/// One parsed short command APDU, borrowing the command bytes.
#[derive(Debug)]
pub struct Command<'a> {
    pub cla: u8,
    pub ins: u8,
    pub p1: u8,
    pub p2: u8,
    /// Command data (empty for cases 1 and 2).
    pub data: &'a [u8],
    /// Expected response length: `None` for cases 1 and 3, `Some(256)` for `Le = 00`.
    pub le: Option<usize>,
}

impl<'a> Command<'a> {
    /// Parses the four ISO 7816-3 short cases; `Err(67 00)` for anything
    /// else (extended length included).
    pub fn parse(apdu: &'a [u8]) -> Result<Command<'a>, u16> {
        let [cla, ins, p1, p2, body @ ..] = apdu else {
            return Err(SW_WRONG_LENGTH);
        };
        let le_of = |b: u8| if b == 0 { 256 } else { usize::from(b) };
        let (data, le): (&[u8], Option<usize>) = match body {
            [] => (&[], None),
            [le] => (&[], Some(le_of(*le))),
            [0, ..] => return Err(SW_WRONG_LENGTH),
            [lc, rest @ ..] => {
                let lc = usize::from(*lc);
                match rest.len().checked_sub(lc) {
                    Some(0) => (rest, None),
                    Some(1) => (&rest[..lc], Some(le_of(rest[lc]))),
                    _ => return Err(SW_WRONG_LENGTH),
                }
            }
        };
        Ok(Command {
            cla: *cla,
            ins: *ins,
            p1: *p1,
            p2: *p2,
            data,
            le,
        })
    }
}

/// `data || SW1 SW2`.
pub fn respond(mut data: Vec<u8>, sw: u16) -> Vec<u8> {
    data.extend_from_slice(&sw.to_be_bytes());
    data
}

/// A status word with no data.
pub fn status(sw: u16) -> Vec<u8> {
    sw.to_be_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_four_short_cases() {
        let c = Command::parse(&[0x80, 0x40, 0, 0]).unwrap();
        assert_eq!((c.data.len(), c.le), (0, None));
        let c = Command::parse(&[0, 0xA4, 0, 0, 0]).unwrap();
        assert_eq!((c.data.len(), c.le), (0, Some(256)));
        let c = Command::parse(&[0, 0x20, 0, 2, 2, 0x31, 0x32]).unwrap();
        assert_eq!((c.data, c.le), (&[0x31, 0x32][..], None));
        let c = Command::parse(&[0, 0xA4, 0, 0, 2, 0x3F, 0, 0x40]).unwrap();
        assert_eq!((c.data, c.le), (&[0x3F, 0][..], Some(0x40)));
    }

    #[test]
    fn extended_and_truncated_are_wrong_length() {
        assert_eq!(
            Command::parse(&[0, 0xB0, 0, 0, 0, 1, 0]).unwrap_err(),
            SW_WRONG_LENGTH
        );
        assert_eq!(
            Command::parse(&[0, 0xD6, 0, 0, 3, 1]).unwrap_err(),
            SW_WRONG_LENGTH
        );
        assert_eq!(Command::parse(&[0, 0xD6, 0]).unwrap_err(), SW_WRONG_LENGTH);
    }
}
