//! What a token says about itself, from arbitrary bytes: the SELECT
//! template, token info, the key list, and the TLV readers under them.
//! Typed errors only; what parses is consistent.
#![no_main]

use fkn_core::apdu::tlv;
use fkn_core::token::{KeyInfo, SelectInfo, TokenInfo};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(info) = SelectInfo::parse(data) {
        // OFP1 version 1: one template per PIN at most, only known curves.
        assert!(info.passwords.len() <= 2);
    }
    let _ = TokenInfo::parse(data);
    if let Ok(keys) = KeyInfo::parse_list(data) {
        assert!(keys.len() <= data.len() / 2);
    }
    if let Ok(items) = tlv::parse(data) {
        let mut again = Vec::new();
        for (tag, value) in &items {
            tlv::put(&mut again, *tag, value);
        }
        assert_eq!(tlv::parse(&again).expect("re-encoded TLVs parse"), items);
    }
    let mut rest = data;
    while let Some((obj, tail)) = tlv::next(rest) {
        assert!(obj.raw.len() <= rest.len() && obj.value.len() < obj.raw.len());
        rest = tail;
    }
});
