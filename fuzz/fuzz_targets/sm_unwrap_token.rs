//! The token unwrapping a host's protected command (OFP1 Section 5) from
//! arbitrary bytes: a typed refusal that closes the session, never a panic.
#![no_main]

use fkn_core::apdu::codec::decode_command;
use fkn_core::crypto::secret::Key256;
use fkn_vtoken::secure_messaging::TokenSecureMessaging;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut token = TokenSecureMessaging::new(Key256::from_bytes([7; 32]), &[1; 64], &[2; 64]);
    if let Ok((cmd, form)) = decode_command(data) {
        let extended = form == fkn_core::apdu::LengthForm::Extended;
        if token.unwrap_command(&cmd, extended).is_err() {
            assert!(!token.is_open());
        }
    }
});
