//! Link faults at every APDU position of a SELECT answered in several
//! `61 xx` chunks: the host sees `TagLost`, and after the tag is presented
//! again the same SELECT returns the whole response.

mod link_common;

use std::sync::{Arc, Mutex};

use fkn_core::apdu::{ApduChannel, Command, LinkError};
use fkn_core::transport::TransportError;
use fkn_testkit::{Fault, FaultHandle, FaultyTransport};
use fkn_vtoken::{TokenConfig, VirtualToken, VirtualTokenTransport};
use link_common::{Example, examples};

/// SELECT's 202 bytes in chunks of 48: SELECT + 4 GET RESPONSE.
const CHUNK: usize = 48;
const EXCHANGES: u64 = 5;

fn select() -> Command {
    Command::new(0x00, 0xA4, 0x04, 0x00)
        .with_data(link_common::h("F0464B4E4F5031"))
        .with_le(256)
}

struct Rig {
    token: Arc<Mutex<VirtualToken>>,
    faults: FaultHandle,
    channel: ApduChannel<FaultyTransport<VirtualTokenTransport>>,
}

fn rig(ex: &Example) -> Rig {
    let config = TokenConfig {
        max_response_data: CHUNK,
        ..TokenConfig::default()
    };
    let token = Arc::new(Mutex::new(VirtualToken::new(ex.state_with(config))));
    let transport = FaultyTransport::new(VirtualTokenTransport::shared(Arc::clone(&token)));
    let faults = transport.handle();
    Rig {
        token,
        faults,
        channel: ApduChannel::new(transport),
    }
}

#[test]
fn clean_run_takes_five_exchanges() {
    let ex = examples().remove(0);
    let mut r = rig(&ex);
    let rsp = r.channel.transmit(&select()).expect("transmits");
    assert_eq!(rsp.data, ex.select_data());
    assert_eq!(r.channel.exchanges(), EXCHANGES);
    assert!(r.faults.fired().is_empty());
}

#[test]
fn dropped_link_at_every_position_then_recovery() {
    let ex = examples().remove(0);
    for power_cycle in [true, false] {
        for fault in [Fault::DropLink, Fault::LoseResponse] {
            for at in 0..EXCHANGES {
                let what = format!("{fault:?} at exchange {at}, power cycle {power_cycle}");
                let mut r = rig(&ex);
                r.faults.arm(at, fault);
                let err = r.channel.transmit(&select()).expect_err(&what);
                assert_eq!(err, LinkError::Transport(TransportError::TagLost), "{what}");
                assert_eq!(r.channel.exchanges(), at + 1, "{what}: stops at the fault");
                assert_eq!(r.faults.fired(), vec![(at, fault)], "{what}");

                // Still down: nothing gets through before reconnecting.
                assert_eq!(
                    r.channel.transmit(&select()),
                    Err(LinkError::Transport(TransportError::TagLost)),
                    "{what}"
                );

                r.faults.reconnect();
                if power_cycle {
                    r.token.lock().expect("token").reset();
                }
                let rsp = r.channel.transmit(&select()).expect(&what);
                assert_eq!(rsp.sw, 0x9000, "{what}");
                assert_eq!(rsp.data, ex.select_data(), "{what}");
            }
        }
    }
}

#[test]
fn corrupted_status_word_of_a_chunk_is_not_mistaken_for_success() {
    let ex = examples().remove(0);
    // Response 2 (second GET RESPONSE) is 48 data bytes + 61 xx; flip SW1
    // 61 -> 60: the host must stop and return that status, not data.
    let mut r = rig(&ex);
    r.faults.corrupt_response_at(2, CHUNK);
    let rsp = r.channel.transmit(&select()).expect("transmits");
    assert_eq!(rsp.sw >> 8, 0x60);
    assert_ne!(rsp.data, ex.select_data());
    assert_eq!(r.channel.exchanges(), 3);
    // A corrupted command (INS A4 -> A5) is refused by the token.
    let mut r = rig(&ex);
    r.faults.corrupt_command_at(0, 1);
    let rsp = r.channel.transmit(&select()).expect("transmits");
    assert_eq!(rsp.sw, 0x6D00);
}
