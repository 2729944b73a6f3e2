//! The virtual token's command parser and command table fed arbitrary APDUs
//! (each a length byte and that many bytes): every answer ends in a status
//! word, nothing panics, the token keeps its invariants.
#![no_main]

use std::sync::OnceLock;

use fkn_core::crypto::ec::CurveId;
use fkn_vtoken::{OsRandom, TokenState, VirtualToken};
use libfuzzer_sys::fuzz_target;

fn state() -> &'static TokenState {
    static STATE: OnceLock<TokenState> = OnceLock::new();
    STATE.get_or_init(|| {
        TokenState::with_pins(
            *b"FUZZTOKN",
            "fuzz",
            "123456",
            "87654321",
            CurveId::Tc26_256A,
            &mut OsRandom,
        )
        .expect("state")
    })
}

fuzz_target!(|data: &[u8]| {
    let mut token = VirtualToken::new(state().clone());
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len).min(tail.len());
        let (apdu, tail) = tail.split_at(len);
        rest = tail;
        let answer = token.process_apdu(apdu);
        assert!(answer.len() >= 2, "an answer without a status word");
    }
    assert!(token.state().keys().len() <= token.state().config().key_slots);
});
