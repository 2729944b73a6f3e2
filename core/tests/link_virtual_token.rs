//! The virtual token's link behaviour (OFP1 Sections 2, 3, 7), from raw APDU
//! bytes and through the host's `ApduChannel`.

mod link_common;

use std::sync::{Arc, Mutex};

use fkn_core::apdu::{ApduChannel, Command, StatusError};
use fkn_core::transport::atr::card_capabilities;
use fkn_core::transport::{Transport, TransportError};
use fkn_testkit::CountingTransport;
use fkn_vtoken::{TokenConfig, VirtualToken, VirtualTokenTransport};
use link_common::{examples, h, token};

fn sw(rsp: &[u8]) -> u16 {
    u16::from_be_bytes([rsp[rsp.len() - 2], rsp[rsp.len() - 1]])
}

fn config(f: impl FnOnce(&mut TokenConfig)) -> TokenConfig {
    let mut c = TokenConfig::default();
    f(&mut c);
    c
}

fn select() -> Command {
    Command::new(0x00, 0xA4, 0x04, 0x00)
        .with_data(h("F0464B4E4F5031"))
        .with_le(256)
}

#[test]
fn select_matches_the_transcript_byte_for_byte() {
    for ex in examples() {
        let mut t = VirtualToken::new(ex.state());
        assert_eq!(
            hex::encode_upper(t.process_apdu(&ex.select_command)),
            hex::encode_upper(&ex.select_response),
            "{}",
            ex.curve
        );
        // And through the host's channel.
        let mut ch = ApduChannel::new(VirtualTokenTransport::new(VirtualToken::new(ex.state())));
        let rsp = ch.transmit(&select()).expect("transmits");
        assert_eq!(rsp.sw, 0x9000);
        assert_eq!(rsp.data, ex.select_data());
        assert_eq!(ch.exchanges(), 1);
    }
}

#[test]
fn select_uses_long_lengths_and_live_counters() {
    let ex = examples().remove(0);
    let mut state = ex.state();
    state.set_label(&"L".repeat(32)).expect("32 bytes");
    state.pin_mut(fkn_vtoken::PasswordRef::User).counters.c1 = 2;
    let mut t = VirtualToken::new(state);
    let rsp = t.process_apdu(&ex.select_command);
    assert_eq!(sw(&rsp), 0x9000);
    // 6F 81 xx: the template is over 127 bytes.
    assert_eq!(&rsp[..2], &[0x6F, 0x81]);
    assert_eq!(usize::from(rsp[2]), rsp.len() - 5);
    let label_tlv = [&[0x82, 32][..], &[b'L'; 32][..]].concat();
    assert!(rsp.windows(34).any(|w| w == label_tlv.as_slice()));
    // The user template carries C1 = 2, the admin one 5.
    assert!(rsp.windows(3).any(|w| w == [0xC4, 0x01, 0x02]));
    assert!(rsp.windows(3).any(|w| w == [0xC4, 0x01, 0x05]));
}

#[test]
fn select_errors() {
    let mut t = token();
    // Another AID.
    assert_eq!(t.process_apdu(&h("00A4040007A000000003000000")), h("6A82"));
    assert_eq!(t.process_apdu(&h("00A4040006F0464B4E4F5000")), h("6A82"));
    // Other P1/P2.
    assert_eq!(t.process_apdu(&h("00A4000007F0464B4E4F503100")), h("6A86"));
    assert_eq!(t.process_apdu(&h("00A4040C07F0464B4E4F5031")), h("6A86"));
    // Without Le the FCI still comes back.
    assert_eq!(sw(&t.process_apdu(&h("00A4040007F0464B4E4F5031"))), 0x9000);
}

#[test]
fn status_words_of_unknown_and_unauthenticated_commands() {
    let mut t = token();
    assert_eq!(t.process_apdu(&h("00B0000000")), h("6D00"), "unknown INS");
    assert_eq!(t.process_apdu(&h("00000000")), h("6D00"));
    for cla in ["80", "01", "04", "08", "20", "40", "FF"] {
        assert_eq!(
            t.process_apdu(&h(&format!("{cla}84000008"))),
            h("6E00"),
            "{cla}"
        );
    }
    // Sections 4-6 need a session: plain answers 69 82.
    for apdu in [
        "00CA010000",
        "00CA020000",
        "00CA03000384010100",
        "004700000384010100",
        "002A9E9A03840101",
        "00DA010003840101",
        "00E4000003840101",
        "0024000103C20100",
        "002C020103C20100",
        // GENERAL AUTHENTICATE is plain SESPAKE now: see vtoken_counters.rs.
    ] {
        assert_eq!(t.process_apdu(&h(apdu)), h("6982"), "{apdu}");
    }
    // Wrapped without a session: 69 82 too.
    assert_eq!(
        t.process_apdu(&h("0CCA01000D 970100 8E080102030405060708 00")),
        h("6982")
    );
    assert_eq!(
        t.process_apdu(&h("1CCA010003970100")),
        h("9000"),
        "a wrapped chain"
    );
    assert_eq!(
        t.process_apdu(&h("0CCA01000A 8E080102030405060708 00")),
        h("6982")
    );
    // Length fields that do not add up.
    assert_eq!(t.process_apdu(&h("00A40400FF00")), h("6700"));
    assert_eq!(t.process_apdu(&h("00")), h("6700"));
    assert_eq!(t.process_apdu(&[]), h("6700"));
}

#[test]
fn status_words_decode_to_actionable_errors() {
    let mut ch = ApduChannel::new(VirtualTokenTransport::new(token()));
    let rsp = ch
        .transmit(&Command::new(0x00, 0xCA, 0x01, 0x00).with_le(256))
        .expect("transmits");
    assert_eq!(rsp.check(), Err(StatusError::SecurityStatusNotSatisfied));
    let rsp = ch
        .transmit(&Command::new(0x00, 0xA4, 0x04, 0x00).with_data(h("A0000000")))
        .expect("transmits");
    assert_eq!(rsp.into_data(), Err(StatusError::NotFound));
}

#[test]
fn get_response_without_pending_data() {
    let mut t = token();
    assert_eq!(t.process_apdu(&h("00C0000000")), h("6985"));
    // After a complete response there is nothing left either.
    t.process_apdu(&h("00A4040007F0464B4E4F503100"));
    assert_eq!(t.process_apdu(&h("00C0000000")), h("6985"));
}

struct CountingRng(u8);

impl rand_core::TryRng for CountingRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            *b = self.0;
            self.0 = self.0.wrapping_add(1);
        }
        Ok(())
    }
}

impl rand_core::TryCryptoRng for CountingRng {}

#[test]
fn random_bytes() {
    let mut t = token().with_rng(CountingRng(0));
    assert_eq!(t.process_apdu(&h("0084000004")), h("00010203 9000"));
    let rsp = t.process_apdu(&h("0084000000"));
    assert_eq!(rsp.len(), 258);
    assert_eq!((rsp[0], rsp[255]), (4, 3));
    assert_eq!(t.process_apdu(&h("00840000")), h("6700"), "no Le");
    assert_eq!(t.process_apdu(&h("008400000100")), h("6700"), "data");
    assert_eq!(t.process_apdu(&h("0084010008")), h("6A86"));

    // OS randomness by default: two draws differ.
    let mut t = token();
    assert_ne!(
        t.process_apdu(&h("0084000020")),
        t.process_apdu(&h("0084000020"))
    );
}

#[test]
fn command_chaining() {
    let ex = examples().remove(0);
    let mut t = token();
    assert_eq!(t.process_apdu(&h("10A4040003F0464B")), h("9000"));
    assert_eq!(t.process_apdu(&h("10A4040002 4E4F")), h("9000"));
    assert_eq!(t.process_apdu(&h("00A4040002 503100")), ex.select_response);

    // Another command mid-chain discards the chain and runs on its own.
    assert_eq!(t.process_apdu(&h("10A4040003F0464B")), h("9000"));
    assert_eq!(t.process_apdu(&h("0084000000")).len(), 258);
    assert_eq!(t.process_apdu(&h("00A40400044E4F503100")), h("6A82"));

    // A fragment of another command starts a new chain.
    assert_eq!(t.process_apdu(&h("10A4040003F0464B")), h("9000"));
    assert_eq!(t.process_apdu(&h("10DA010001AA")), h("9000"));
    assert_eq!(t.process_apdu(&h("00A40400044E4F503100")), h("6A82"));

    // Through the channel with a tiny link: 7 fragments of 1 byte.
    let transport = VirtualTokenTransport::new(token()).with_max_transceive_length(7);
    let mut ch = ApduChannel::new(CountingTransport::new(transport));
    let rsp = ch.transmit(&select()).expect("transmits");
    assert_eq!(rsp.data, ex.select_data());
    assert_eq!(ch.transport().stats().exchanges, 7);
}

#[test]
fn chained_data_is_capped() {
    let mut t = token();
    let fragment = [&h("10DA0100FF")[..], &[0u8; 255]].concat();
    let max = fkn_vtoken::MAX_CHAIN_DATA;
    for _ in 0..max / 255 {
        assert_eq!(t.process_apdu(&fragment), h("9000"));
    }
    assert_eq!(t.process_apdu(&fragment), h("6700"));
}

#[test]
fn response_chaining_in_small_chunks() {
    let ex = examples().remove(0);
    let state = ex.state_with(config(|c| c.max_response_data = 64));
    let mut t = VirtualToken::new(state.clone());
    let rsp = t.process_apdu(&ex.select_command);
    assert_eq!(rsp.len(), 66);
    assert_eq!(&rsp[64..], &h("618A"), "138 bytes left");
    // GET RESPONSE with a short Le gets that much.
    let rsp = t.process_apdu(&h("00C0000010"));
    assert_eq!((rsp.len(), sw(&rsp)), (18, 0x617A));
    // Wrong P1P2 keeps the data pending.
    assert_eq!(t.process_apdu(&h("00C0010000")), h("6A86"));
    let rsp = t.process_apdu(&h("00C0000000"));
    assert_eq!((rsp.len(), sw(&rsp)), (66, 0x613A));
    let rsp = t.process_apdu(&h("00C0000000"));
    assert_eq!((rsp.len(), sw(&rsp)), (60, 0x9000));
    assert_eq!(t.process_apdu(&h("00C0000000")), h("6985"));

    // Another command drops what is pending.
    t.process_apdu(&ex.select_command);
    t.process_apdu(&h("0084000001"));
    assert_eq!(t.process_apdu(&h("00C0000000")), h("6985"));

    // So does a reset.
    t.process_apdu(&ex.select_command);
    t.reset();
    assert_eq!(t.process_apdu(&h("00C0000000")), h("6985"));

    // The channel reassembles it: 202 bytes in 4 exchanges.
    let mut ch = ApduChannel::new(VirtualTokenTransport::new(VirtualToken::new(state)));
    let rsp = ch.transmit(&select()).expect("transmits");
    assert_eq!(rsp.data, ex.select_data());
    assert_eq!(ch.exchanges(), 4);
}

#[test]
fn wrong_le_answer_when_configured() {
    let ex = examples().remove(0);
    let state = ex.state_with(config(|c| c.answer_wrong_le = true));
    let mut t = VirtualToken::new(state.clone());
    assert_eq!(t.process_apdu(&h("00A4040007F0464B4E4F503110")), h("6CCA"));
    // Only SELECT may answer 6C: random with a short Le is just short.
    assert_eq!(t.process_apdu(&h("0084000002")).len(), 4);
    let mut ch = ApduChannel::new(VirtualTokenTransport::new(VirtualToken::new(state)));
    let rsp = ch.transmit(&select().with_le(16)).expect("transmits");
    assert_eq!(rsp.data, ex.select_data());
    assert_eq!(ch.exchanges(), 2);
}

#[test]
fn extended_length_follows_the_configuration() {
    let ex = examples().remove(0);
    let mut short = VirtualToken::new(ex.state());
    assert_eq!(short.process_apdu(&h("00840000000200")), h("6700"));
    assert_eq!(
        short.process_apdu(&h("00A40400000007F0464B4E4F50310000")),
        h("6700")
    );
    let caps = card_capabilities(&short.atr()).expect("ATR capabilities");
    assert!(!caps.extended_length && caps.command_chaining);

    let state = ex.state_with(config(|c| {
        c.extended_length = true;
        c.max_response_data = 65_536;
    }));
    let mut ext = VirtualToken::new(state.clone());
    assert!(card_capabilities(&ext.atr()).expect("caps").extended_length);
    assert_eq!(ext.process_apdu(&h("00840000000200")).len(), 0x202);
    assert_eq!(
        ext.process_apdu(&h("00A40400000007F0464B4E4F50310000")),
        ex.select_response
    );

    // The channel sends Le = 1000 extended, in one exchange.
    let transport = VirtualTokenTransport::new(VirtualToken::new(state));
    assert!(transport.extended_length_supported());
    let mut ch = ApduChannel::new(transport);
    let rsp = ch
        .transmit(&Command::new(0x00, 0x84, 0x00, 0x00).with_le(1000))
        .expect("transmits");
    assert_eq!((rsp.data.len(), ch.exchanges()), (1000, 1));

    // Without extended length Le is capped at 256 (short `00`).
    let mut ch = ApduChannel::new(VirtualTokenTransport::new(token()));
    let rsp = ch
        .transmit(&Command::new(0x00, 0x84, 0x00, 0x00).with_le(1000))
        .expect("transmits");
    assert_eq!(rsp.sw, 0x9000);
    assert_eq!(rsp.data.len(), 256, "short Le 00 asks for 256");
}

#[test]
fn transport_shares_the_token_and_enforces_its_limit() {
    let shared = Arc::new(Mutex::new(token()));
    let mut t = VirtualTokenTransport::shared(Arc::clone(&shared)).with_max_transceive_length(12);
    assert_eq!(t.max_transceive_length(), 12);
    assert!(!t.extended_length_supported());
    assert!(matches!(
        t.transceive(h("00A4040007F0464B4E4F503100")),
        Err(TransportError::Io { .. })
    ));
    // The token is still reachable through the shared handle.
    let rsp = shared
        .lock()
        .expect("token")
        .process_apdu(&h("00A4040007F0464B4E4F503100"));
    assert_eq!(sw(&rsp), 0x9000);
    assert!(Arc::ptr_eq(&t.token(), &shared));
    t.reset_card();
    assert_eq!(
        VirtualTokenTransport::new(token()).max_transceive_length(),
        261
    );
}

#[test]
fn simulated_nfc_cost_of_select() {
    use fkn_testkit::NfcLinkModel;
    use std::time::Duration;
    let ex = examples().remove(0);
    // One exchange: 13 command bytes, 204 response bytes.
    let mut ch = ApduChannel::new(NfcLinkModel::new(VirtualTokenTransport::new(token())));
    ch.transmit(&select()).expect("transmits");
    let bits = (13 + ex.select_response.len() as u64) * 8;
    let want = Duration::from_millis(5) + Duration::from_nanos(bits * 1_000_000_000 / 424_000);
    assert_eq!(ch.transport().simulated_time(), want);
    assert_eq!(want.as_micros(), 9_094);

    // A small-buffer card (64-byte chunks) pays the latency four times.
    let state = ex.state_with(config(|c| c.max_response_data = 64));
    let mut ch = ApduChannel::new(NfcLinkModel::new(VirtualTokenTransport::new(
        VirtualToken::new(state),
    )));
    ch.transmit(&select()).expect("transmits");
    let bytes = 13 + 3 * 5 + ex.select_data().len() as u64 + 4 * 2;
    let want =
        Duration::from_millis(20) + Duration::from_nanos(bytes * 8 * 1_000_000_000 / 424_000);
    let got = ch.transport().simulated_time();
    // Per-exchange rounding to whole nanoseconds.
    assert!(
        got.abs_diff(want) < Duration::from_nanos(4),
        "{got:?} vs {want:?}"
    );
    assert_eq!(got.as_micros(), 24_490);
}
