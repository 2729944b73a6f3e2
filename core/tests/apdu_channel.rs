//! Channel behaviour against a scripted card.

use fkn_core::apdu::*;
use fkn_core::transport::TransportError;
use fkn_testkit::ScriptedTransport;

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).expect("test hex")
}

fn sent_hex(ch: &ApduChannel<ScriptedTransport>) -> Vec<String> {
    ch.transport()
        .sent()
        .iter()
        .map(hex::encode_upper)
        .collect()
}

fn select() -> Command {
    Command::new(0x00, 0xA4, 0x04, 0x00)
        .with_data(h("F0464B4E4F5031"))
        .with_le(256)
}

#[test]
fn single_short_exchange() {
    let mut ch = ApduChannel::new(ScriptedTransport::new([h("6F00 9000")]));
    let rsp = ch.transmit(&select()).expect("transmits");
    assert_eq!(rsp, Response::new(h("6F00"), 0x9000));
    assert_eq!(sent_hex(&ch), ["00A4040007F0464B4E4F503100"]);
    assert_eq!(ch.exchanges(), 1);
}

#[test]
fn extended_only_when_needed_and_supported() {
    // Needs extended (data > 255) and the link has it: one extended APDU.
    let big = Command::new(0x00, 0xDA, 0x01, 0x00).with_data(vec![0xAB; 300]);
    let t = ScriptedTransport::new([h("9000")])
        .with_extended_length(true)
        .with_max_transceive_length(65_544);
    let mut ch = ApduChannel::new(t);
    ch.transmit(&big).expect("transmits");
    let sent = &ch.transport().sent()[0];
    assert_eq!(&sent[..7], &h("00DA0100 00012C")[..]);
    assert_eq!(sent.len(), 307);

    // Does not need it: short even though the link could do extended.
    let t = ScriptedTransport::new([h("9000")]).with_extended_length(true);
    let mut ch = ApduChannel::new(t);
    ch.transmit(&select()).expect("transmits");
    assert_eq!(sent_hex(&ch), ["00A4040007F0464B4E4F503100"]);

    // Le above 256: extended Le when supported ...
    let cmd = Command::new(0x00, 0xCA, 0x02, 0x00).with_le(1000);
    let t = ScriptedTransport::new([h("9000")]).with_extended_length(true);
    let mut ch = ApduChannel::new(t);
    ch.transmit(&cmd).expect("transmits");
    assert_eq!(sent_hex(&ch), ["00CA02000003E8"]);
    // ... and 00 (256, the rest through 61xx) when not.
    let t = ScriptedTransport::new([h("9000")]);
    let mut ch = ApduChannel::new(t);
    ch.transmit(&cmd).expect("transmits");
    assert_eq!(sent_hex(&ch), ["00CA020000"]);
}

#[test]
fn long_data_without_extended_is_chained_short() {
    let big = Command::new(0x00, 0xDA, 0x01, 0x00).with_data(vec![0xAB; 300]);
    let t = ScriptedTransport::new([h("9000"), h("9000")]);
    let mut ch = ApduChannel::new(t);
    ch.transmit(&big).expect("transmits");
    let sent = ch.transport().sent();
    assert_eq!(sent.len(), 2);
    assert_eq!(&sent[0][..5], &h("10DA0100FF")[..]);
    assert_eq!(sent[0].len(), 260);
    assert_eq!(&sent[1][..5], &h("00DA01002D")[..]);
    assert_eq!(sent[1].len(), 50);
}

#[test]
fn chaining_boundaries_with_le() {
    // max 20, Le present: header 4 + Lc 1 + Le 1 leaves 14 data bytes.
    let cmd = |n: usize| {
        Command::new(0x00, 0x2A, 0x9E, 0x9A)
            .with_data((0..n as u8).collect::<Vec<u8>>())
            .with_le(256)
    };
    let t = ScriptedTransport::new([h("9000")]).with_max_transceive_length(20);
    let mut ch = ApduChannel::new(t);
    ch.transmit(&cmd(14)).expect("exactly at the limit");
    assert_eq!(ch.transport().sent()[0].len(), 20);
    assert_eq!(ch.exchanges(), 1);

    let t = ScriptedTransport::new([h("9000"), h("0102 9000")]).with_max_transceive_length(20);
    let mut ch = ApduChannel::new(t);
    let rsp = ch.transmit(&cmd(15)).expect("one over");
    assert_eq!(rsp.data, h("0102"));
    assert_eq!(
        sent_hex(&ch),
        [
            "102A9E9A0E000102030405060708090A0B0C0D".to_string(),
            "002A9E9A010E00".to_string()
        ]
    );
}

#[test]
fn chaining_boundaries_without_le() {
    let cmd = |n: usize| Command::new(0x00, 0xDA, 0x01, 0x00).with_data(vec![0x11; n]);
    let t = ScriptedTransport::new([h("9000")]).with_max_transceive_length(20);
    let mut ch = ApduChannel::new(t);
    ch.transmit(&cmd(15)).expect("exactly at the limit");
    assert_eq!(ch.exchanges(), 1);

    let t = ScriptedTransport::new([h("9000"), h("9000")]).with_max_transceive_length(20);
    let mut ch = ApduChannel::new(t);
    ch.transmit(&cmd(16)).expect("one over");
    let sent = ch.transport().sent();
    assert_eq!((sent[0].len(), sent[0][0], sent[0][4]), (20, 0x10, 15));
    assert_eq!(sent[1], h("00DA0100 01 11"));
}

#[test]
fn extended_chaining_keeps_the_extended_form() {
    let cmd = Command::new(0x00, 0xDA, 0x01, 0x00).with_data(vec![0x22; 1000]);
    let t = ScriptedTransport::new(vec![h("9000"); 4])
        .with_extended_length(true)
        .with_max_transceive_length(300);
    let mut ch = ApduChannel::new(t);
    ch.transmit(&cmd).expect("transmits");
    let lens: Vec<(u8, usize)> = ch
        .transport()
        .sent()
        .iter()
        .map(|a| (a[0], usize::from(u16::from_be_bytes([a[5], a[6]]))))
        .collect();
    assert_eq!(lens, [(0x10, 293), (0x10, 293), (0x10, 293), (0x00, 121)]);
}

#[test]
fn rejected_fragment_stops_the_chain() {
    let cmd = Command::new(0x00, 0xDA, 0x01, 0x00).with_data(vec![0x11; 40]);
    let t =
        ScriptedTransport::new([h("9000"), h("6A80"), h("9000")]).with_max_transceive_length(20);
    let mut ch = ApduChannel::new(t);
    let err = ch.transmit(&cmd).expect_err("rejected");
    assert_eq!(err, LinkError::ChainingRejected { sw: 0x6A80 });
    assert!(err.to_string().contains("6A80"));
    assert_eq!(ch.exchanges(), 2);
}

#[test]
fn command_too_long_when_nothing_can_carry_it() {
    // Case 2 cannot be chained.
    let t = ScriptedTransport::new([]).with_max_transceive_length(4);
    let mut ch = ApduChannel::new(t);
    let err = ch
        .transmit(&Command::new(0, 0x84, 0, 0).with_le(8))
        .expect_err("too long");
    assert_eq!(err, LinkError::CommandTooLong { len: 5, max: 4 });
    // No room for one data byte next to header, Lc and Le.
    let t = ScriptedTransport::new([]).with_max_transceive_length(6);
    let mut ch = ApduChannel::new(t);
    let err = ch.transmit(&select()).expect_err("too long");
    assert_eq!(err, LinkError::CommandTooLong { len: 13, max: 6 });
    assert_eq!(ch.exchanges(), 0);
}

#[test]
fn get_response_loop_concatenates() {
    let t = ScriptedTransport::new([h("AABB 6103"), h("CCDDEE 6100"), h("FF 9000")]);
    let mut ch = ApduChannel::new(t);
    let rsp = ch.transmit(&select()).expect("transmits");
    assert_eq!(rsp, Response::new(h("AABBCCDDEEFF"), 0x9000));
    assert_eq!(&sent_hex(&ch)[1..], ["00C0000003", "00C0000000"]);
    assert_eq!(ch.exchanges(), 3);
}

#[test]
fn get_response_final_error_status_is_returned() {
    let t = ScriptedTransport::new([h("AA 6101"), h("6F00")]);
    let mut ch = ApduChannel::new(t);
    let rsp = ch.transmit(&select()).expect("transmits");
    assert_eq!(rsp.sw, 0x6F00);
    assert_eq!(rsp.check(), Err(StatusError::Internal));
}

#[test]
fn get_response_cap_is_64() {
    // 64 GET RESPONSEs are fine ...
    let mut script = vec![h("6101")];
    script.extend((0..63).map(|_| h("00 6101")));
    script.push(h("00 9000"));
    let mut ch = ApduChannel::new(ScriptedTransport::new(script));
    let rsp = ch.transmit(&select()).expect("64 iterations are allowed");
    assert_eq!(rsp.data.len(), 64);
    assert_eq!(ch.exchanges(), 65);

    // ... a 65th is not.
    let mut script = vec![h("6101")];
    script.extend((0..64).map(|_| h("00 6101")));
    script.push(h("00 9000"));
    let mut ch = ApduChannel::new(ScriptedTransport::new(script));
    let err = ch.transmit(&select()).expect_err("capped");
    assert_eq!(err, LinkError::TooManyResponseChunks { limit: 64 });
    assert_eq!(ch.exchanges(), 65);
    assert_eq!(ch.transport().remaining(), 1);
}

#[test]
fn wrong_le_is_repeated_once() {
    let cmd = Command::new(0x00, 0x84, 0x00, 0x00).with_le(256);
    let t = ScriptedTransport::new([h("6C10"), h(&format!("{} 9000", "AB".repeat(16)))]);
    let mut ch = ApduChannel::new(t);
    let rsp = ch.transmit(&cmd).expect("transmits");
    assert_eq!(rsp.data.len(), 16);
    assert_eq!(sent_hex(&ch), ["0084000000", "0084000010"]);

    // Only once: a second 6C comes back as is.
    let t = ScriptedTransport::new([h("6C10"), h("6C08"), h("9000")]);
    let mut ch = ApduChannel::new(t);
    let rsp = ch.transmit(&cmd).expect("transmits");
    assert_eq!(rsp.sw, 0x6C08);
    assert_eq!(ch.exchanges(), 2);

    // 6C00 means 256; the repeat may then answer 61xx.
    let cmd = Command::new(0x00, 0x84, 0x00, 0x00).with_le(16);
    let t = ScriptedTransport::new([h("6C00"), h("01 6101"), h("02 9000")]);
    let mut ch = ApduChannel::new(t);
    let rsp = ch.transmit(&cmd).expect("transmits");
    assert_eq!(rsp, Response::new(h("0102"), 0x9000));
    assert_eq!(sent_hex(&ch), ["0084000010", "0084000000", "00C0000001"]);
}

#[test]
fn wrong_le_in_get_response_is_retried() {
    let t = ScriptedTransport::new([h("AA 6100"), h("6C02"), h("BBCC 9000")]);
    let mut ch = ApduChannel::new(t);
    let rsp = ch.transmit(&select()).expect("transmits");
    assert_eq!(rsp, Response::new(h("AABBCC"), 0x9000));
    assert_eq!(&sent_hex(&ch)[1..], ["00C0000000", "00C0000002"]);
}

#[test]
fn chained_command_with_wrong_le_is_resent_whole() {
    let cmd = Command::new(0x00, 0xCA, 0x01, 0x00)
        .with_data(vec![0x33; 20])
        .with_le(256);
    let t = ScriptedTransport::new([h("9000"), h("6C04"), h("9000"), h("01020304 9000")])
        .with_max_transceive_length(20);
    let mut ch = ApduChannel::new(t);
    let rsp = ch.transmit(&cmd).expect("transmits");
    assert_eq!(rsp.data, h("01020304"));
    let sent = ch.transport().sent();
    assert_eq!(sent.len(), 4);
    assert_eq!((sent[1][0], *sent[1].last().expect("le")), (0x00, 0x00));
    assert_eq!((sent[3][0], *sent[3].last().expect("le")), (0x00, 0x04));
}

#[test]
fn link_failures_and_garbage_are_typed() {
    let mut t = ScriptedTransport::new([]);
    t.push_error(TransportError::TagLost);
    let mut ch = ApduChannel::new(t);
    assert_eq!(
        ch.transmit(&select()),
        Err(LinkError::Transport(TransportError::TagLost))
    );
    assert_eq!(ch.exchanges(), 1);

    let mut ch = ApduChannel::new(ScriptedTransport::new([h("90")]));
    assert_eq!(
        ch.transmit(&select()),
        Err(LinkError::MalformedResponse { len: 1 })
    );

    // A transport error in the middle of GET RESPONSE surfaces too.
    let mut t = ScriptedTransport::new([h("AA 6101")]);
    t.push_error(TransportError::TagLost);
    let mut ch = ApduChannel::new(t);
    assert_eq!(
        ch.transmit(&select()),
        Err(LinkError::Transport(TransportError::TagLost))
    );
}

#[test]
fn invalid_le_is_a_caller_bug() {
    let mut ch = ApduChannel::new(ScriptedTransport::new([h("9000")]));
    for le in [0, 65_537] {
        let err = ch
            .transmit(&Command::new(0, 0x84, 0, 0).with_le(le))
            .expect_err("invalid");
        assert!(matches!(err, LinkError::InvalidCommand(_)), "{err:?}");
    }
    assert_eq!(ch.exchanges(), 0);
    let t = ch.into_inner();
    assert_eq!(t.remaining(), 1);
}
