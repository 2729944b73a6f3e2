//! A card's raw answers to one command: response decoding, `61 xx` / `6C xx`
//! handling and the status word read for every OFP1 command. Must end in a
//! response or a typed error within the GET RESPONSE cap, never panic.
#![no_main]

use fkn_core::apdu::{ApduChannel, Command, MAX_GET_RESPONSE};
use fkn_core::token::status::{self, Ofp1Command};
use fkn_core::transport::{Transport, TransportError};
use libfuzzer_sys::fuzz_target;

/// Serves the input as answers: each is a length byte and that many bytes.
struct Answers<'a> {
    rest: &'a [u8],
    exchanges: usize,
}

impl Transport for Answers<'_> {
    fn transceive(&mut self, _apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.exchanges += 1;
        let Some((&len, rest)) = self.rest.split_first() else {
            return Err(TransportError::TagLost);
        };
        let len = usize::from(len).min(rest.len());
        let (answer, rest) = rest.split_at(len);
        self.rest = rest;
        Ok(answer.to_vec())
    }
    fn max_transceive_length(&self) -> usize {
        261
    }
    fn extended_length_supported(&self) -> bool {
        false
    }
}

const COMMANDS: [Ofp1Command; 13] = [
    Ofp1Command::Select,
    Ofp1Command::AuthenticateStep1,
    Ofp1Command::AuthenticateStep2,
    Ofp1Command::TokenInfo,
    Ofp1Command::ListKeys,
    Ofp1Command::GenerateKey,
    Ofp1Command::Sign,
    Ofp1Command::PutCertificate,
    Ofp1Command::GetCertificate,
    Ofp1Command::DeleteKey,
    Ofp1Command::ChangePin,
    Ofp1Command::UnblockPin,
    Ofp1Command::Random,
];

fuzz_target!(|data: &[u8]| {
    let mut channel = ApduChannel::new(Answers {
        rest: data,
        exchanges: 0,
    });
    let cmd = Command::new(0x00, 0xCA, 0x01, 0x00).with_le(256);
    let result = channel.transmit(&cmd);
    // The command, one 6C repeat, and at most the GET RESPONSE cap.
    assert!(channel.transport().exchanges <= 2 + MAX_GET_RESPONSE);
    if let Ok(rsp) = result {
        for c in COMMANDS {
            let _ = status::check(c, rsp.sw);
        }
    }
});
