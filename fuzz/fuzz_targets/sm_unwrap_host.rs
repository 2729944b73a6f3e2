//! The host unwrapping a token's protected response (OFP1 Section 5) from
//! arbitrary bytes, and from a correctly wrapped response of arbitrary data
//! and status word: the first is refused with a typed error and closes the
//! channel, the second round-trips.
#![no_main]

use fkn_core::apdu::codec::decode_response;
use fkn_core::apdu::{Command, Response};
use fkn_core::crypto::secret::Key256;
use fkn_core::sm::{SecureChannel, SmKeys};
use fkn_vtoken::secure_messaging::TokenSecureMessaging;
use libfuzzer_sys::fuzz_target;

const U1: [u8; 64] = [1; 64];
const U2: [u8; 64] = [2; 64];

fn k() -> Key256 {
    Key256::from_bytes([7; 32])
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let mut host = SecureChannel::new(SmKeys::derive(k(), &U1, &U2));
    let cmd = Command::new(0x00, 0xCA, 0x01, 0x00).with_le(256);
    let wrapped = host.wrap(&cmd, false).expect("wrap");
    if mode & 1 == 0 {
        if let Ok(rsp) = decode_response(body.to_vec()) {
            if host.unwrap(&rsp).is_err() {
                assert!(!host.is_open());
            }
        }
        return;
    }
    // The honest token's answer with the input as data and status word.
    let mut token = TokenSecureMessaging::new(k(), &U1, &U2);
    let mut apdu = vec![wrapped.cla, wrapped.ins, wrapped.p1, wrapped.p2];
    apdu.push(wrapped.data.len() as u8);
    apdu.extend_from_slice(&wrapped.data);
    apdu.push(0);
    let (plain_cmd, _) = fkn_core::apdu::codec::decode_command(&apdu).expect("decodes");
    token.unwrap_command(&plain_cmd, false).expect("token unwraps");
    let (sw, payload) = body.split_at(body.len().min(2));
    let sw = match sw {
        [a, b] => u16::from_be_bytes([*a, *b]),
        _ => 0x9000,
    };
    let inner = Response::new(payload.to_vec(), sw);
    let protected = token.wrap_response(&inner).expect("token wraps");
    let got = host.unwrap(&protected).expect("host unwraps an honest answer");
    assert_eq!(got, inner);
});
