//! OFP1 secure messaging (Section 5): the host's `sm::SecureChannel` against
//! the token's independent `fkn_vtoken::secure_messaging`, with round
//! trips of every command shape, tampering, replay and channel closure.
//! (Byte-exact values are in `ofp1_transcript.rs`.)

use fkn_core::apdu::{Command, Response};
use fkn_core::crypto::secret::Key256;
use fkn_core::sm::{SecureChannel, SmError, SmKeys};
use fkn_vtoken::secure_messaging::{SmViolation, TokenSecureMessaging};

const U1: [u8; 64] = [0x11; 64];
const U2: [u8; 64] = [0x22; 64];

fn k() -> Key256 {
    Key256::from_bytes(core::array::from_fn(|i| i as u8))
}

fn pair() -> (SecureChannel, TokenSecureMessaging) {
    (
        SecureChannel::new(SmKeys::derive(k(), &U1, &U2)),
        TokenSecureMessaging::new(k(), &U1, &U2),
    )
}

/// Short or extended encoding of a command (outer Le 256 → `00`, 65536 → `00 00`).
fn encode(c: &Command, extended: bool) -> Vec<u8> {
    let mut v = vec![c.cla, c.ins, c.p1, c.p2];
    if extended {
        if !c.data.is_empty() {
            v.push(0);
            v.extend_from_slice(&(c.data.len() as u16).to_be_bytes());
            v.extend_from_slice(&c.data);
        }
        if let Some(le) = c.le {
            if c.data.is_empty() {
                v.push(0);
            }
            v.extend_from_slice(&(le as u16).to_be_bytes());
        }
    } else {
        if !c.data.is_empty() {
            v.push(c.data.len() as u8);
            v.extend_from_slice(&c.data);
        }
        if let Some(le) = c.le {
            v.push(le as u8);
        }
    }
    v
}

/// Decodes what [`encode`] makes; `None` for anything else.
fn decode(b: &[u8], extended: bool) -> Option<Command> {
    let (h, body) = b.split_at_checked(4)?;
    let mut c = Command::new(h[0], h[1], h[2], h[3]);
    if body.is_empty() {
        return Some(c);
    }
    if extended {
        let le = |x: u16| if x == 0 { 65536 } else { u32::from(x) };
        let [0, rest @ ..] = body else { return None };
        match rest {
            [a, b] => c.le = Some(le(u16::from_be_bytes([*a, *b]))),
            [a, b, rest @ ..] => {
                let n = usize::from(u16::from_be_bytes([*a, *b]));
                if n == 0 {
                    return None;
                }
                match rest.len() {
                    x if x == n => c.data = rest.to_vec(),
                    x if x == n + 2 => {
                        c.data = rest[..n].to_vec();
                        c.le = Some(le(u16::from_be_bytes([rest[n], rest[n + 1]])));
                    }
                    _ => return None,
                }
            }
            _ => return None,
        }
    } else {
        let le = |x: u8| if x == 0 { 256 } else { u32::from(x) };
        match body {
            [l] => c.le = Some(le(*l)),
            [lc, rest @ ..] if *lc != 0 => {
                let n = usize::from(*lc);
                match rest.len() {
                    x if x == n => c.data = rest.to_vec(),
                    x if x == n + 1 => {
                        c.data = rest[..n].to_vec();
                        c.le = Some(le(rest[n]));
                    }
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
    Some(c)
}

fn rsp_bytes(r: &Response) -> Vec<u8> {
    [r.data.clone(), r.sw.to_be_bytes().to_vec()].concat()
}

fn rsp_from(b: &[u8]) -> Response {
    let (d, sw) = b.split_at(b.len() - 2);
    Response::new(d.to_vec(), u16::from_be_bytes([sw[0], sw[1]]))
}

fn commands() -> Vec<(Command, bool)> {
    vec![
        (Command::new(0x00, 0xCA, 0x01, 0x00), false),
        (Command::new(0x00, 0xCA, 0x01, 0x00).with_le(256), false),
        (Command::new(0x00, 0x84, 0x00, 0x00).with_le(8), false),
        (
            Command::new(0x00, 0xE4, 0x00, 0x00).with_data(vec![0x84, 1, 7]),
            false,
        ),
        (
            Command::new(0x00, 0x2A, 0x9E, 0x9A)
                .with_data(vec![0x5A; 200])
                .with_le(0x42),
            false,
        ),
        (
            Command::new(0x00, 0xDA, 0x01, 0x00).with_data(vec![0x70; 3000]),
            true,
        ),
        (Command::new(0x00, 0xCA, 0x03, 0x00).with_le(65536), true),
        (
            Command::new(0x00, 0xCA, 0x03, 0x00)
                .with_data(vec![1; 300])
                .with_le(300),
            true,
        ),
        (Command::new(0x00, 0xCA, 0x03, 0x00).with_le(12), true),
    ]
}

fn responses() -> Vec<Response> {
    vec![
        Response::new(vec![], 0x9000),
        Response::new(vec![0xAB; 5], 0x9000),
        Response::new(vec![], 0x6A80),
        Response::new(vec![0x9E; 300], 0x9000),
        Response::new(vec![0x70; 5000], 0x6282),
    ]
}

#[test]
fn round_trips_of_every_shape() {
    let (mut host, mut token) = pair();
    let mut n = 0;
    for (cmd, extended) in commands() {
        for rsp in responses() {
            n += 1;
            let wrapped = host.wrap(&cmd, extended).expect("wrap");
            assert_eq!(wrapped.cla, 0x0C);
            assert_eq!(wrapped.le, Some(if extended { 65536 } else { 256 }));
            assert!(!wrapped.sensitive, "ciphertext needs no redaction");
            if cmd.data.len() >= 8 {
                assert!(
                    !wrapped.data.windows(8).any(|w| w == &cmd.data[..8]),
                    "data travels encrypted"
                );
            }
            let got = token
                .unwrap_command(&wrapped, extended)
                .expect("token unwraps");
            assert_eq!(
                (got.cla, got.ins, got.p1, got.p2, &got.data, got.le),
                (cmd.cla, cmd.ins, cmd.p1, cmd.p2, &cmd.data, cmd.le)
            );
            let wrapped_rsp = token.wrap_response(&rsp).expect("token wraps");
            assert_eq!(wrapped_rsp.sw, 0x9000, "errors travel inside 99");
            assert_eq!(host.unwrap(&wrapped_rsp).expect("host unwraps"), rsp);
            assert_eq!((host.ssc_cmd(), host.ssc_rsp()), (n, n));
            assert_eq!((token.ssc_cmd(), token.ssc_rsp()), (n, n));
        }
    }
}

#[test]
fn body_layout() {
    let (mut host, _) = pair();
    // No data, no Le: only 8E.
    let w = host
        .wrap(&Command::new(0x00, 0xCA, 0x01, 0x00), false)
        .expect("wrap");
    assert_eq!((w.data.len(), w.data[0], w.data[1]), (10, 0x8E, 0x08));
    // Le only, short: 97 01 Le.
    let w = host
        .wrap(&Command::new(0x00, 0x84, 0, 0).with_le(256), false)
        .expect("wrap");
    assert_eq!(&w.data[..3], &[0x97, 0x01, 0x00]);
    // Le only, extended: 97 02 Le.
    let w = host
        .wrap(&Command::new(0x00, 0x84, 0, 0).with_le(65536), true)
        .expect("wrap");
    assert_eq!(&w.data[..4], &[0x97, 0x02, 0x00, 0x00]);
    let w = host
        .wrap(&Command::new(0x00, 0x84, 0, 0).with_le(300), true)
        .expect("wrap");
    assert_eq!(&w.data[..4], &[0x97, 0x02, 0x01, 0x2C]);
    // Data: 85 with the ciphertext, same length (CTR, no padding).
    let w = host
        .wrap(
            &Command::new(0x00, 0xE4, 0, 0).with_data(vec![1; 200]),
            false,
        )
        .expect("wrap");
    assert_eq!(&w.data[..3], &[0x85, 0x81, 200]);
    assert_eq!(w.data.len(), 3 + 200 + 10);
    // The CLA keeps its other bits.
    let w = host
        .wrap(&Command::new(0x80, 0xE4, 0, 0), false)
        .expect("wrap");
    assert_eq!(w.cla, 0x8C);
}

#[test]
fn caller_mistakes_close_the_channel() {
    for (cmd, extended) in [
        (Command::new(0x10, 0xCA, 0x01, 0x00), false),
        (Command::new(0x00, 0xCA, 0x01, 0x00).with_le(257), false),
        (Command::new(0x00, 0xCA, 0x01, 0x00).with_le(0), true),
        (Command::new(0x00, 0xCA, 0x01, 0x00).with_le(65537), true),
        (
            Command::new(0x00, 0xDA, 0x01, 0x00).with_data(vec![0; 65536]),
            true,
        ),
    ] {
        let (mut host, _) = pair();
        assert!(matches!(
            host.wrap(&cmd, extended),
            Err(SmError::InvalidCommand { .. })
        ));
        assert!(!host.is_open());
        assert_eq!(
            host.wrap(&Command::new(0, 0xCA, 1, 0), false),
            Err(SmError::ChannelClosed)
        );
    }
}

#[test]
fn every_single_byte_flip_of_a_command_is_rejected_by_the_token() {
    // Small bodies keep the loop short; every object type and both length forms occur.
    let small = [
        (Command::new(0x00, 0xCA, 0x01, 0x00), false),
        (Command::new(0x00, 0x84, 0x00, 0x00).with_le(8), false),
        (
            Command::new(0x00, 0x2A, 0x9E, 0x9A)
                .with_data(vec![0x5A; 20])
                .with_le(0x42),
            false,
        ),
        (
            Command::new(0x00, 0xE4, 0x00, 0x00).with_data(vec![0x84, 1, 7]),
            true,
        ),
        (
            Command::new(0x00, 0xCA, 0x03, 0x00)
                .with_data(vec![1; 9])
                .with_le(300),
            true,
        ),
        (Command::new(0x00, 0xCA, 0x03, 0x00).with_le(65536), true),
    ];
    for (cmd, extended) in small {
        let (mut host, _) = pair();
        let wire = encode(&host.wrap(&cmd, extended).expect("wrap"), extended);
        for i in 0..wire.len() {
            for mask in [0x01u8, 0x10, 0x80, 0xFF] {
                let mut bad = wire.clone();
                bad[i] ^= mask;
                // A broken length no longer parses as an APDU: rejected below SM.
                let Some(bad) = decode(&bad, extended) else {
                    continue;
                };
                let (_, mut token) = pair();
                let err = token
                    .unwrap_command(&bad, extended)
                    .map(|c| format!("{c:?}"))
                    .expect_err(&format!(
                        "byte {i} ^ {mask:02X} of {} accepted",
                        hex::encode(&wire)
                    ));
                assert_eq!(err.status_word(), 0x6988, "byte {i} ^ {mask:02X}: {err}");
                assert!(!token.is_open(), "token forgets its keys");
                let good = decode(&wire, extended).expect("untampered");
                assert_eq!(
                    token.unwrap_command(&good, extended),
                    Err(SmViolation::NoSession)
                );
                assert_eq!(SmViolation::NoSession.status_word(), 0x6982);
            }
        }
        // The untampered command is accepted by a fresh token.
        let (_, mut token) = pair();
        token
            .unwrap_command(&decode(&wire, extended).expect("decodes"), extended)
            .expect("original accepted");
    }
}

#[test]
fn every_single_byte_flip_of_a_response_is_rejected_by_the_host() {
    let cmd = Command::new(0x00, 0x2A, 0x9E, 0x9A)
        .with_data(vec![1; 40])
        .with_le(256);
    let small = [
        Response::new(vec![], 0x9000),
        Response::new(vec![], 0x6A80),
        Response::new(vec![0xAB; 5], 0x9000),
        Response::new(vec![0x9E; 130], 0x9000),
    ];
    for rsp in small {
        let (mut host, mut token) = pair();
        let wrapped = host.wrap(&cmd, false).expect("wrap");
        token.unwrap_command(&wrapped, false).expect("unwrap");
        let wire = rsp_bytes(&token.wrap_response(&rsp).expect("wrap response"));
        for i in 0..wire.len() {
            for mask in [0x01u8, 0x80, 0xFF] {
                let mut bad = wire.clone();
                bad[i] ^= mask;
                let (mut h, mut t) = pair();
                t.unwrap_command(&h.wrap(&cmd, false).expect("wrap"), false)
                    .expect("unwrap");
                assert!(
                    h.unwrap(&rsp_from(&bad)).is_err(),
                    "byte {i} ^ {mask:02X} accepted"
                );
                assert!(!h.is_open());
                assert_eq!(h.unwrap(&rsp_from(&wire)), Err(SmError::ChannelClosed));
                assert_eq!(h.wrap(&cmd, false), Err(SmError::ChannelClosed));
            }
        }
        assert_eq!(
            host.unwrap(&rsp_from(&wire)).expect("original accepted"),
            rsp
        );
    }
}

#[test]
fn truncated_or_extended_responses_are_rejected() {
    let cmd = Command::new(0x00, 0xCA, 0x01, 0x00).with_le(256);
    let (mut host, mut token) = pair();
    token
        .unwrap_command(&host.wrap(&cmd, false).expect("wrap"), false)
        .expect("unwrap");
    let good = token
        .wrap_response(&Response::new(vec![7; 20], 0x9000))
        .expect("wrap");
    let mut candidates = Vec::new();
    for cut in 0..good.data.len() {
        candidates.push(Response::new(good.data[..cut].to_vec(), 0x9000));
    }
    candidates.push(Response::new([good.data.clone(), vec![0]].concat(), 0x9000));
    candidates.push(Response::new(
        [good.data.clone(), vec![0x8E, 0]].concat(),
        0x9000,
    ));
    for bad in candidates {
        let (mut h, mut t) = pair();
        t.unwrap_command(&h.wrap(&cmd, false).expect("wrap"), false)
            .expect("unwrap");
        assert!(h.unwrap(&bad).is_err(), "{bad:?} accepted");
        assert!(!h.is_open());
    }
    assert!(host.unwrap(&good).is_ok());
}

#[test]
fn a_replayed_command_is_rejected() {
    let (mut host, mut token) = pair();
    let cmd = Command::new(0x00, 0x2A, 0x9E, 0x9A)
        .with_data(vec![0x90; 34])
        .with_le(0x42);
    let first = host.wrap(&cmd, false).expect("wrap");
    token.unwrap_command(&first, false).expect("first time");
    let rsp = token
        .wrap_response(&Response::new(vec![1, 2, 3], 0x9000))
        .expect("wrap");
    host.unwrap(&rsp).expect("unwrap");
    // The same bytes again: the token's SSC_CMD has moved on.
    assert_eq!(
        token.unwrap_command(&first, false),
        Err(SmViolation::MacMismatch)
    );
    assert!(!token.is_open());
}

#[test]
fn a_replayed_or_reordered_response_is_rejected() {
    let (mut host, mut token) = pair();
    let cmd = Command::new(0x00, 0xCA, 0x01, 0x00).with_le(256);
    token
        .unwrap_command(&host.wrap(&cmd, false).expect("wrap"), false)
        .expect("unwrap");
    let r1 = token
        .wrap_response(&Response::new(vec![1], 0x9000))
        .expect("wrap");
    host.unwrap(&r1).expect("first response");
    token
        .unwrap_command(&host.wrap(&cmd, false).expect("wrap"), false)
        .expect("unwrap");
    // Rejected, and told apart from an altered response: its MAC is valid
    // over the previous counter.
    assert_eq!(
        host.unwrap(&r1),
        Err(SmError::CounterMismatch {
            expected: 2,
            got: 1
        })
    );
    assert!(!host.is_open());
}

#[test]
fn keys_from_another_session_do_not_verify() {
    let (mut host, _) = pair();
    let mut other = TokenSecureMessaging::new(Key256::from_bytes([9; 32]), &U1, &U2);
    let w = host
        .wrap(&Command::new(0, 0xCA, 1, 0), false)
        .expect("wrap");
    assert_eq!(
        other.unwrap_command(&w, false),
        Err(SmViolation::MacMismatch)
    );
    // The seed matters too.
    let (mut host, _) = pair();
    let mut other = TokenSecureMessaging::new(k(), &U2, &U1);
    let w = host
        .wrap(&Command::new(0, 0xCA, 1, 0), false)
        .expect("wrap");
    assert_eq!(
        other.unwrap_command(&w, false),
        Err(SmViolation::MacMismatch)
    );
}

#[test]
fn plain_status_words_end_the_channel() {
    for (sw, want) in [
        (0x6988, SmError::RejectedByToken { sw: 0x6988 }),
        (0x6987, SmError::RejectedByToken { sw: 0x6987 }),
        (0x6982, SmError::UnprotectedResponse { sw: 0x6982 }),
        (0x6A80, SmError::UnprotectedResponse { sw: 0x6A80 }),
    ] {
        let (mut host, _) = pair();
        host.wrap(&Command::new(0, 0xCA, 1, 0), false)
            .expect("wrap");
        assert_eq!(host.unwrap(&Response::new(vec![], sw)), Err(want));
        assert!(!host.is_open());
    }
}

#[test]
fn out_of_step_calls_are_refused() {
    let (mut host, mut token) = pair();
    assert_eq!(
        host.unwrap(&Response::new(vec![], 0x9000)),
        Err(SmError::NoPendingCommand)
    );
    assert!(!host.is_open());
    assert_eq!(
        token.wrap_response(&Response::new(vec![], 0x9000)),
        Err(SmViolation::NoPendingCommand)
    );
    assert!(!token.is_open());
}

#[test]
fn the_token_is_strict_about_framing() {
    let (mut host, _) = pair();
    let w = host
        .wrap(&Command::new(0, 0xE4, 0, 0).with_data(vec![1, 2, 3]), false)
        .expect("wrap");
    let cases: Vec<(&str, Command)> = vec![
        (
            "plain CLA",
            Command {
                cla: 0x00,
                ..w.clone()
            },
        ),
        (
            "half the SM bits",
            Command {
                cla: 0x08,
                ..w.clone()
            },
        ),
        (
            "chaining bit",
            Command {
                cla: 0x1C,
                ..w.clone()
            },
        ),
        (
            "no outer Le",
            Command {
                le: None,
                ..w.clone()
            },
        ),
        (
            "outer Le 01",
            Command {
                le: Some(1),
                ..w.clone()
            },
        ),
        (
            "empty body",
            Command {
                data: vec![],
                ..w.clone()
            },
        ),
        (
            "8E first",
            Command {
                data: [w.data[5..].to_vec(), w.data[..5].to_vec()].concat(),
                ..w.clone()
            },
        ),
        (
            "trailing byte",
            Command {
                data: [w.data.clone(), vec![0]].concat(),
                ..w.clone()
            },
        ),
        (
            "non-minimal length",
            Command {
                data: [vec![0x85, 0x81, 0x03], w.data[2..].to_vec()].concat(),
                ..w.clone()
            },
        ),
        (
            "empty 85",
            Command {
                data: [vec![0x85, 0x00], w.data[5..].to_vec()].concat(),
                ..w.clone()
            },
        ),
        (
            "short MAC",
            Command {
                data: [w.data[..5].to_vec(), vec![0x8E, 0x04, 1, 2, 3, 4]].concat(),
                ..w.clone()
            },
        ),
    ];
    for (what, bad) in cases {
        let (_, mut token) = pair();
        let err = token.unwrap_command(&bad, false).expect_err(what);
        assert_eq!(err.status_word(), 0x6988, "{what}: {err}");
        assert!(!token.is_open(), "{what}");
    }
    let (_, mut token) = pair();
    token
        .unwrap_command(&w, false)
        .expect("the original is fine");
    let (_, mut token) = pair();
    assert!(
        token.unwrap_command(&w, true).is_err(),
        "short outer Le in an extended APDU"
    );
}

#[test]
fn debug_output_shows_no_keys() {
    let keys = SmKeys::derive(k(), &U1, &U2);
    let key_hex: Vec<String> = [
        keys.enc_cmd(),
        keys.mac_cmd(),
        keys.enc_rsp(),
        keys.mac_rsp(),
    ]
    .iter()
    .map(|k| hex::encode(&k.expose()[..4]))
    .collect();
    let (host, token) = pair();
    let text = format!("{keys:?} {host:?} {token:?} {host:#?}").to_lowercase();
    for h in key_hex {
        assert!(!text.contains(&h), "{text}");
    }
    assert!(text.contains("redacted"));
}
