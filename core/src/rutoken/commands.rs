//! The Rutoken ECP PKI-mode commands as pure constructors: plain ISO 7816-4
//! plus the card's own class-`80` ones. Short APDUs only: the card takes no
//! extended length. Nothing here does I/O. Facts and sources:
//! `docs/research/rutoken-ecp-pki.md` (sections in brackets below).

use zeroize::Zeroizing;

use crate::apdu::Command;

/// Le `00`: up to 256 bytes.
const LE_MAX_SHORT: u32 = 256;

/// SELECT by path from the MF (`00 A4 08 00`, FCP asked for) [2.3]. `path`
/// leaves out `3F00`. The card always answers with its FCP: it does not
/// take P2 = `0C`.
pub fn select_path(path: &[u16]) -> Command {
    let data: Vec<u8> = path.iter().flat_map(|fid| fid.to_be_bytes()).collect();
    Command::new(0x00, 0xA4, 0x08, 0x00)
        .with_data(data)
        .with_le(LE_MAX_SHORT)
}

/// SELECT the first file of the current DF (`00 A4 00 00`, no data) [2.4].
pub fn select_first() -> Command {
    Command::new(0x00, 0xA4, 0x00, 0x00).with_le(LE_MAX_SHORT)
}

/// SELECT the file after `fid` in the current DF (`00 A4 00 02`) [2.4];
/// `6A 82` ends the listing.
pub fn select_next(fid: u16) -> Command {
    Command::new(0x00, 0xA4, 0x00, 0x02)
        .with_data(fid.to_be_bytes().to_vec())
        .with_le(LE_MAX_SHORT)
}

/// SELECT the parent DF (`00 A4 03 00`) [2.4].
pub fn select_parent() -> Command {
    Command::new(0x00, 0xA4, 0x03, 0x00).with_le(LE_MAX_SHORT)
}

/// VERIFY with the PIN in clear (`00 20 00 <ref>`) [3.2]. The data is marked
/// sensitive so traces redact it.
pub fn verify(reference: u8, pin: &[u8]) -> Command {
    Command::new(0x00, 0x20, 0x00, reference)
        .with_data(pin.to_vec())
        .sensitive()
}

/// VERIFY without data: the PIN's state (`90 00` verified, `63 Cx` x tries
/// left, `69 83` blocked) without spending a try [3.2].
pub fn verify_status(reference: u8) -> Command {
    Command::new(0x00, 0x20, 0x00, reference)
}

/// RESET ACCESS RIGHTS (`80 40 00 00`): logs both PINs out [3.3].
pub fn logout() -> Command {
    Command::new(0x80, 0x40, 0x00, 0x00)
}

/// CHANGE REFERENCE DATA of PIN `reference` to `new_pin`
/// (`00 24 01 <ref>`, `80 02 <len> A5 <len> <PIN>`) [3.4]. One APDU: PINs
/// are at most 32 bytes.
pub fn change_pin(reference: u8, new_pin: &[u8]) -> Command {
    let len = new_pin.len();
    let mut data = Zeroizing::new(Vec::with_capacity(6 + len));
    data.extend_from_slice(&[0x80, 0x02, 0x00, len as u8, 0xA5, len as u8]);
    data.extend_from_slice(new_pin);
    Command::new(0x00, 0x24, 0x01, reference)
        .with_data(data.to_vec())
        .sensitive()
}

/// RESET RETRY COUNTER of PIN `reference` (`00 2C 03 <ref>`); needs the
/// admin PIN [3.5].
pub fn reset_retry_counter(reference: u8) -> Command {
    Command::new(0x00, 0x2C, 0x03, reference)
}

/// GET DATA serial number (`00 CA 01 81`) [4].
pub fn serial() -> Command {
    Command::new(0x00, 0xCA, 0x01, 0x81).with_le(LE_MAX_SHORT)
}

/// MSE SET for signing with key `reference` (`00 22 41 B6`, `84 01 <ref>`;
/// no algorithm or file reference: the card takes neither) [5.1].
pub fn mse_sign(reference: u8) -> Command {
    Command::new(0x00, 0x22, 0x41, 0xB6).with_data(vec![0x84, 0x01, reference])
}

/// PSO COMPUTE DIGITAL SIGNATURE over a 32-byte digest (`00 2A 9E 9A`);
/// the answer is 64 bytes [5.1].
pub fn sign(digest: &[u8]) -> Command {
    Command::new(0x00, 0x2A, 0x9E, 0x9A)
        .with_data(digest.to_vec())
        .with_le(64)
}

/// GENERATE ASYMMETRIC KEY PAIR into the key files `reference`
/// (`00 46 80 <ref>`); the curve comes from the files [6.1].
pub fn generate(reference: u8) -> Command {
    Command::new(0x00, 0x46, 0x80, reference).with_le(LE_MAX_SHORT)
}

/// CREATE FILE with an FCP template (`00 E0 00 00`, `6F ...`) [2.2].
pub fn create_file(fcp: Vec<u8>) -> Command {
    Command::new(0x00, 0xE0, 0x00, 0x00).with_data(fcp)
}

/// READ BINARY of up to `len` bytes at `offset` of the selected EF [2.5].
pub fn read_binary(offset: u16, len: u16) -> Command {
    let [hi, lo] = offset.to_be_bytes();
    Command::new(0x00, 0xB0, hi & 0x7F, lo).with_le(u32::from(len.clamp(1, 256)))
}

/// UPDATE BINARY of `data` (at most 255 bytes) at `offset` [2.5].
pub fn update_binary(offset: u16, data: &[u8]) -> Command {
    let [hi, lo] = offset.to_be_bytes();
    Command::new(0x00, 0xD6, hi & 0x7F, lo).with_data(data.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apdu::codec::{LengthForm, encode};

    fn bytes(cmd: &Command) -> String {
        hex::encode_upper(encode(cmd, LengthForm::Short).expect("short APDU"))
    }

    /// The exact bytes OpenSC sends (fact sheet, "minimal APDU script").
    #[test]
    fn commands_match_the_fact_sheet() {
        assert_eq!(
            bytes(&select_path(&[0x1000, 0x1000, 0x6002, 0x0001])),
            "00A4080008100010006002000100"
        );
        assert_eq!(bytes(&verify(2, b"12345678")), "00200002083132333435363738");
        assert_eq!(bytes(&verify_status(2)), "00200002");
        assert_eq!(bytes(&mse_sign(1)), "002241B603840101");
        assert_eq!(
            bytes(&sign(&[0xAB; 32])),
            format!("002A9E9A20{}40", "AB".repeat(32))
        );
        assert_eq!(bytes(&generate(3)), "0046800300");
        assert_eq!(bytes(&serial()), "00CA018100");
        assert_eq!(bytes(&logout()), "80400000");
        assert_eq!(bytes(&select_first()), "00A4000000");
        assert_eq!(bytes(&select_next(0x0001)), "00A4000202000100");
        assert_eq!(
            bytes(&change_pin(2, b"87654321")),
            "002401020E80020008A5083837363534333231"
        );
        assert_eq!(bytes(&reset_retry_counter(2)), "002C0302");
        assert_eq!(bytes(&read_binary(0x0100, 256)), "00B0010000");
        assert_eq!(bytes(&update_binary(2, &[1, 2])), "00D60002020102");
    }
}
