//! The virtual token never panics, always answers a status word, and keeps
//! working whatever bytes it is sent.

mod link_common;

use fkn_vtoken::{TokenConfig, VirtualToken};
use link_common::examples;
use proptest::prelude::*;

/// APDUs near the token's grammar: known CLA/INS values, any P1/P2, short or
/// extended lengths, sometimes with lengths that do not add up.
fn apdu() -> impl Strategy<Value = Vec<u8>> {
    let cla = prop::sample::select(vec![0x00u8, 0x10, 0x0C, 0x1C, 0x80, 0xFF, 0x01]);
    let ins = prop::sample::select(vec![
        0xA4u8, 0x84, 0xC0, 0x86, 0xCA, 0x47, 0x2A, 0xDA, 0xE4, 0x24, 0x2C, 0x00, 0xB0,
    ]);
    let p1p2 = prop_oneof![Just([0x04u8, 0x00]), Just([0, 0]), any::<[u8; 2]>()];
    let data = prop_oneof![
        Just(Vec::new()),
        Just(vec![0xF0, 0x46, 0x4B, 0x4E, 0x4F, 0x50, 0x31]),
        prop::collection::vec(any::<u8>(), 1..300),
    ];
    let le = prop_oneof![Just(None), any::<u8>().prop_map(Some), Just(Some(0))];
    let tail = prop::collection::vec(any::<u8>(), 0..3);
    (cla, ins, p1p2, data, le, any::<bool>(), tail, any::<bool>()).prop_map(
        |(cla, ins, p, data, le, extended, tail, garble)| {
            let mut a = vec![cla, ins, p[0], p[1]];
            if extended && (!data.is_empty() || le.is_some()) {
                a.push(0);
                if !data.is_empty() {
                    a.extend_from_slice(&(data.len() as u16).to_be_bytes());
                    a.extend_from_slice(&data);
                }
                if let Some(le) = le {
                    a.extend_from_slice(&[0, le]);
                }
            } else {
                if !data.is_empty() {
                    a.push(data.len().min(255) as u8);
                    a.extend_from_slice(&data[..data.len().min(255)]);
                }
                a.extend(le);
            }
            if garble {
                a.extend_from_slice(&tail);
            }
            a
        },
    )
}

fn token(extended: bool, chunk: usize) -> VirtualToken {
    let ex = examples().remove(0);
    VirtualToken::new(ex.state_with(TokenConfig {
        extended_length: extended,
        max_response_data: chunk,
        answer_wrong_le: extended,
        ..TokenConfig::default()
    }))
}

fn check_answer(rsp: &[u8], chunk: usize) -> Result<(), TestCaseError> {
    prop_assert!(rsp.len() >= 2);
    prop_assert!(rsp.len() - 2 <= chunk, "{} data bytes", rsp.len() - 2);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let mut t = token(true, 256);
        check_answer(&t.process_apdu(&bytes), 256)?;
    }

    #[test]
    fn random_sessions_leave_a_working_token(
        apdus in prop::collection::vec(apdu(), 1..40),
        extended in any::<bool>(),
        chunk in prop::sample::select(vec![1usize, 7, 64, 256]),
    ) {
        let ex = examples().remove(0);
        let mut t = token(extended, chunk);
        for a in &apdus {
            check_answer(&t.process_apdu(a), chunk)?;
        }
        // Whatever happened, a power cycle and a SELECT give the FCI back.
        t.reset();
        let mut rsp = t.process_apdu(&ex.select_command);
        let mut data = Vec::new();
        while rsp.len() >= 2 && rsp[rsp.len() - 2] == 0x61 {
            data.extend_from_slice(&rsp[..rsp.len() - 2]);
            rsp = t.process_apdu(&[0x00, 0xC0, 0x00, 0x00, rsp[rsp.len() - 1]]);
        }
        data.extend_from_slice(&rsp);
        prop_assert_eq!(data, ex.select_response.clone());
        prop_assert_eq!(t.state(), &ex.state_with(*t.state().config()));
    }
}
