//! The OFP1 worked example, `shared/vectors/ofp1-transcript.json` (made by
//! the reference oracle, `oracle/make_transcript.py`), replayed byte for byte
//! through the host code (`sespake`, `sm`) and the token code
//! (`fkn_vtoken::{sespake, secure_messaging}`), for both curves of the
//! file (tc26-256-A and tc26-512-A).
//!
//! SELECT and the complete GENERAL AUTHENTICATE APDUs belong to the
//! dispatcher's tests; here the `7C` data objects of both steps are checked.

use fkn_core::apdu::{Command, Response};
use fkn_core::crypto::ec::{CurveId, Scalar};
use fkn_core::crypto::secret::Key256;
use fkn_core::sespake::{HostStart, MacContext, Profile, derive_password_key, password_point};
use fkn_core::sm::{SecureChannel, SmKeys};
use fkn_vtoken::secure_messaging::TokenSecureMessaging;
use fkn_vtoken::sespake::{self as token, MacIds};
use fkn_vtoken::{PasswordRef, PinRecord};
use serde_json::Value;

const TRANSCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/vectors/ofp1-transcript.json"
);

fn examples() -> Vec<Value> {
    let text =
        std::fs::read_to_string(TRANSCRIPT).unwrap_or_else(|e| panic!("read {TRANSCRIPT}: {e}"));
    let v: Value = serde_json::from_str(&text).expect("transcript is JSON");
    let ex = v["examples"].as_array().expect("examples").clone();
    assert_eq!(ex.len(), 2, "the transcript covers two curves");
    ex
}

fn hx(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap_or_else(|| panic!("not a string: {v}")))
        .unwrap_or_else(|e| panic!("not hex: {v}: {e}"))
}

fn curve_of(ex: &Value) -> CurveId {
    let c = CurveId::from_name(ex["curve"].as_str().expect("curve")).expect("known curve");
    assert_eq!(c.oid_der(), &hx(&ex["id_alg"])[..]);
    c
}

fn exchange<'a>(ex: &'a Value, step: &str) -> &'a Value {
    ex["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .find(|e| e["step"] == step)
        .unwrap_or_else(|| panic!("no exchange {step}"))
}

/// A short command APDU: `CLA INS P1 P2 [Lc data] [Le]` (Le `00` = 256).
fn encode_short(c: &Command) -> Vec<u8> {
    let mut v = vec![c.cla, c.ins, c.p1, c.p2];
    if !c.data.is_empty() {
        v.push(u8::try_from(c.data.len()).expect("short Lc"));
        v.extend_from_slice(&c.data);
    }
    if let Some(le) = c.le {
        assert!((1..=256).contains(&le));
        v.push(le as u8);
    }
    v
}

/// Inverse of [`encode_short`]; `None` for anything that is not a short APDU.
fn decode_short(b: &[u8]) -> Option<Command> {
    let (h, body) = b.split_at_checked(4)?;
    let mut c = Command::new(h[0], h[1], h[2], h[3]);
    let le = |x: u8| if x == 0 { 256 } else { u32::from(x) };
    match body {
        [] => {}
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
    Some(c)
}

fn response(bytes: &[u8]) -> Response {
    let (data, sw) = bytes.split_at(bytes.len() - 2);
    Response::new(data.to_vec(), u16::from_be_bytes([sw[0], sw[1]]))
}

fn response_bytes(r: &Response) -> Vec<u8> {
    let mut v = r.data.clone();
    v.extend_from_slice(&r.sw.to_be_bytes());
    v
}

fn scalar(curve: CurveId, v: &Value) -> Scalar {
    Scalar::from_be_bytes(curve, &hx(v)).expect("scalar in range")
}

/// Value of the only TLV with one-byte tag `tag` inside `7C`.
fn inside_7c(data: &[u8], tag: u8) -> Vec<u8> {
    fn one(d: &[u8]) -> (u8, &[u8], &[u8]) {
        let (len, hdr) = match d[1] {
            0x81 => (usize::from(d[2]), 3),
            0x82 => (usize::from(d[2]) << 8 | usize::from(d[3]), 4),
            l => (usize::from(l), 2),
        };
        (d[0], &d[hdr..hdr + len], &d[hdr + len..])
    }
    let (t, v, rest) = one(data);
    assert_eq!((t, rest.len()), (0x7C, 0), "one 7C template");
    let (t, v, rest) = one(v);
    assert_eq!((t, rest.len()), (tag, 0), "one object in 7C");
    v.to_vec()
}

fn k_of(ex: &Value) -> Key256 {
    Key256::try_from_slice(&hx(&ex["sespake"]["K"])).expect("32-byte K")
}

#[test]
fn sespake_values_host_and_token() {
    let profile = Profile::ofp1();
    for ex in examples() {
        let curve = curve_of(&ex);
        let s = &ex["sespake"];
        let t = &ex["token"];
        let ind = u8::try_from(s["ind"].as_u64().expect("ind")).expect("one byte");
        let salt = hx(&t["user_salt"]);
        let serial = hx(&t["serial"]);
        assert_eq!(serial, hx(&s["ID_B"]));
        assert!(hx(&s["ID_A"]).is_empty());

        // F and Q_PW
        let key = derive_password_key(
            &profile,
            curve,
            t["user_pin"].as_str().expect("pin").as_bytes(),
            &salt,
        );
        assert_eq!(key.expose(), &hx(&s["F"])[..], "{curve}: F");
        assert_eq!(
            profile.point(curve, ind).expect("Q_ind").to_affine_be(),
            Some((hx(&s["Q_ind"]["x"]), hx(&s["Q_ind"]["y"]))),
            "{curve}: Q_ind"
        );
        let q_pw = password_point(&profile, curve, ind, &key).expect("Q_PW");
        assert_eq!(q_pw.to_bytes(), hx(&s["Q_PW"]["bytes"]), "{curve}: Q_PW");

        // Host, step 1 (GENERAL AUTHENTICATE data 7C { 81 U1 })
        let host = HostStart::new(
            &profile,
            curve,
            ind,
            &salt,
            &key,
            MacContext::ofp1(curve, &serial),
        )
        .expect("host start");
        let (host, u1) = host
            .start_with_alpha(scalar(curve, &s["alpha"]))
            .expect("alpha");
        assert_eq!(u1, hx(&s["U1"]), "{curve}: U1");
        let ga1 = decode_short(&hx(
            &exchange(&ex, "GENERAL AUTHENTICATE step 1")["command"],
        ))
        .expect("short APDU");
        assert_eq!(inside_7c(&ga1.data, 0x81), u1);

        // Token, step 1 → 7C { 82 U2 }
        let salt16: [u8; 16] = salt.clone().try_into().expect("16-byte salt");
        let record =
            PinRecord::new(PasswordRef::User, curve, salt16, q_pw.to_bytes()).expect("record");
        assert_eq!(record.ind(), ind);
        let ids = MacIds::ofp1(curve, &serial, &[]);
        let (tok, u2) = token::step1_with_beta(&record, ids, &u1, scalar(curve, &s["beta"]))
            .expect("token step 1");
        assert_eq!(u2, hx(&s["U2"]), "{curve}: U2");
        let ga1r = response(&hx(
            &exchange(&ex, "GENERAL AUTHENTICATE step 1")["response"],
        ));
        assert_eq!((inside_7c(&ga1r.data, 0x82), ga1r.sw), (u2.clone(), 0x9000));

        // Host, step 3 → 7C { 83 MAC_A }
        let (host, mac_a) = host.handle(&u2).expect("host step 3");
        assert_eq!(mac_a.to_vec(), hx(&s["MAC_A"]), "{curve}: MAC_A");
        let ga2 = decode_short(&hx(
            &exchange(&ex, "GENERAL AUTHENTICATE step 2")["command"],
        ))
        .expect("short APDU");
        assert_eq!(inside_7c(&ga2.data, 0x83), mac_a);

        // Token, step 4 → 7C { 84 MAC_B }
        let auth = tok.handle(&mac_a).expect("token accepts MAC_A");
        assert_eq!(auth.mac_b.to_vec(), hx(&s["MAC_B"]), "{curve}: MAC_B");
        assert_eq!(auth.k, k_of(&ex), "{curve}: K_B");
        let ga2r = response(&hx(
            &exchange(&ex, "GENERAL AUTHENTICATE step 2")["response"],
        ));
        assert_eq!(
            (inside_7c(&ga2r.data, 0x84), ga2r.sw),
            (auth.mac_b.to_vec(), 0x9000)
        );

        // Host, step 5
        let est = host.handle(&auth.mac_b).expect("host accepts MAC_B");
        assert_eq!(est.k, k_of(&ex), "{curve}: K_A");
        assert_eq!((est.u1.clone(), est.u2.clone()), (u1, u2));
    }
}

#[test]
fn mac_inputs_match_the_oracle() {
    // The MAC inputs of the file, recomputed from their parts and MACed under K.
    for ex in examples() {
        let curve = curve_of(&ex);
        let s = &ex["sespake"];
        let salt = hx(&ex["token"]["user_salt"]);
        let tail = [salt, hx(&s["U1"]), hx(&s["U2"]), curve.oid_der().to_vec()].concat();
        let a = [vec![0x01, 0x01], tail.clone()].concat();
        let b = [vec![0x02], hx(&s["ID_B"]), vec![0x01], tail].concat();
        assert_eq!(a, hx(&s["MAC_A_input"]));
        assert_eq!(b, hx(&s["MAC_B_input"]));
        let k = hx(&s["K"]);
        use fkn_core::crypto::mac::hmac_streebog256;
        assert_eq!(hmac_streebog256(&k, &a).to_vec(), hx(&s["MAC_A"]));
        assert_eq!(hmac_streebog256(&k, &b).to_vec(), hx(&s["MAC_B"]));
    }
}

#[test]
fn sm_keys() {
    for ex in examples() {
        let s = &ex["sespake"];
        let sm = &ex["sm_keys"];
        assert_eq!(hx(&sm["label"]), b"OFP1 SM");
        assert_eq!(hx(&sm["seed"]), [hx(&s["U1"]), hx(&s["U2"])].concat());
        let keys = SmKeys::derive(k_of(&ex), &hx(&s["U1"]), &hx(&s["U2"]));
        for (name, k) in [
            ("K_ENC_CMD", keys.enc_cmd()),
            ("K_MAC_CMD", keys.mac_cmd()),
            ("K_ENC_RSP", keys.enc_rsp()),
            ("K_MAC_RSP", keys.mac_rsp()),
        ] {
            assert_eq!(
                k.expose().to_vec(),
                hx(&sm[name]),
                "{}: {name}",
                ex["curve"]
            );
        }
    }
}

#[test]
fn wrapped_exchanges_both_ways() {
    for ex in examples() {
        let s = &ex["sespake"];
        let (u1, u2) = (hx(&s["U1"]), hx(&s["U2"]));
        let mut host = SecureChannel::new(SmKeys::derive(k_of(&ex), &u1, &u2));
        let mut token = TokenSecureMessaging::new(k_of(&ex), &u1, &u2);
        for step in ["generate key", "sign"] {
            let x = exchange(&ex, step);
            let what = format!("{} {step}", ex["curve"]);
            let ssc_cmd = x["ssc_cmd"].as_u64().expect("ssc_cmd");
            let ssc_rsp = x["ssc_rsp"].as_u64().expect("ssc_rsp");
            assert_eq!(hx(&x["ssc_cmd_iv"]), ssc_cmd.to_be_bytes());
            assert_eq!(hx(&x["ssc_rsp_iv"]), ssc_rsp.to_be_bytes());

            // Host wraps the plain command.
            let plain = decode_short(&hx(&x["plain_command"])).expect("plain APDU");
            let wrapped = host.wrap(&plain, false).expect("wrap");
            assert_eq!(host.ssc_cmd(), ssc_cmd, "{what}");
            assert_eq!(
                encode_short(&wrapped),
                hx(&x["wrapped_command"]),
                "{what}: wrapped command"
            );
            // The MAC input of the file is SSC || header || body up to 8E.
            let mac_input = [
                ssc_cmd.to_be_bytes().to_vec(),
                vec![wrapped.cla, wrapped.ins, wrapped.p1, wrapped.p2],
                wrapped.data[..wrapped.data.len() - 10].to_vec(),
            ]
            .concat();
            assert_eq!(
                mac_input,
                hx(&x["command_mac_input"]),
                "{what}: command MAC input"
            );

            // Token unwraps it back to the plain command.
            let received = decode_short(&hx(&x["wrapped_command"])).expect("wrapped APDU");
            let unwrapped = token
                .unwrap_command(&received, false)
                .expect("token unwraps");
            assert_eq!(token.ssc_cmd(), ssc_cmd);
            assert_eq!(
                encode_short(&unwrapped),
                hx(&x["plain_command"]),
                "{what}: token's plain command"
            );
            assert!(unwrapped.sensitive);

            // Token wraps the plain response.
            let plain_rsp = response(&hx(&x["plain_response"]));
            let wrapped_rsp = token.wrap_response(&plain_rsp).expect("token wraps");
            assert_eq!(token.ssc_rsp(), ssc_rsp);
            assert_eq!(
                response_bytes(&wrapped_rsp),
                hx(&x["wrapped_response"]),
                "{what}: wrapped response"
            );
            let body = &wrapped_rsp.data;
            let rsp_mac_input = [
                ssc_rsp.to_be_bytes().to_vec(),
                body[..body.len() - 10].to_vec(),
            ]
            .concat();
            assert_eq!(
                rsp_mac_input,
                hx(&x["response_mac_input"]),
                "{what}: response MAC input"
            );

            // Host unwraps the file's wrapped response.
            let got = host
                .unwrap(&response(&hx(&x["wrapped_response"])))
                .expect("host unwraps");
            assert_eq!(host.ssc_rsp(), ssc_rsp);
            assert_eq!(
                response_bytes(&got),
                hx(&x["plain_response"]),
                "{what}: host's plain response"
            );
        }
    }
}

#[test]
fn short_apdu_helpers_round_trip() {
    for hex_apdu in [
        "00A4040007F0464B4E4F503100",
        "0084000008",
        "00CA0100",
        "00DA010003840101",
    ] {
        let b = hex::decode(hex_apdu).expect("hex");
        assert_eq!(encode_short(&decode_short(&b).expect("decodes")), b);
    }
    assert!(decode_short(&[0, 1, 2]).is_none());
    assert!(decode_short(&[0, 1, 2, 3, 5, 1]).is_none());
}
