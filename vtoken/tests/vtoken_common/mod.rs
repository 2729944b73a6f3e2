//! Shared set-up of the `vtoken_*` tests: the OFP1 worked example, and a
//! small test host that logs in and wraps commands with the SDK's host code
//! (`sespake`, `sm`), talking to the virtual token in raw APDU bytes only.
#![allow(dead_code)] // each test binary uses a different subset

use fkn_core::apdu::{Command, Response};
use fkn_core::crypto::ec::{CurveId, Scalar};
use fkn_core::crypto::os_rng;
use fkn_core::sespake::{
    HostStart, MacContext, PasswordKey, Profile, derive_password_key, password_point,
};
use fkn_core::sm::{SecureChannel, SmKeys};
use fkn_vtoken::{PasswordRef, PinRecord, TokenConfig, TokenState, VirtualToken};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

pub const USER_PIN: &str = "123456";
pub const ADMIN_PIN: &str = "87654321";
pub const SELECT: &str = "00A4040007F0464B4E4F503100";

pub fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).expect("test hex")
}

pub fn hx(v: &Value) -> Vec<u8> {
    hex::decode(v.as_str().unwrap_or_else(|| panic!("not a string: {v}")))
        .unwrap_or_else(|e| panic!("not hex: {v}: {e}"))
}

/// `SW1 SW2` of a response APDU.
pub fn sw(rsp: &[u8]) -> u16 {
    assert!(rsp.len() >= 2, "a response has a status word");
    u16::from_be_bytes([rsp[rsp.len() - 2], rsp[rsp.len() - 1]])
}

/// The examples of `shared/vectors/ofp1-transcript.json`.
pub fn transcript() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/vectors/ofp1-transcript.json"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    let json: Value = serde_json::from_str(&text).expect("transcript is JSON");
    let examples = json["examples"].as_array().expect("examples").clone();
    assert_eq!(examples.len(), 2, "tc26-256-A and tc26-512-A");
    examples
}

pub fn curve_of(ex: &Value) -> CurveId {
    let c = CurveId::from_name(ex["curve"].as_str().expect("curve")).expect("known curve");
    assert_eq!(c.oid_der(), &hx(&ex["id_alg"])[..]);
    c
}

pub fn scalar(curve: CurveId, v: &Value) -> Scalar {
    Scalar::from_be_bytes(curve, &hx(v)).expect("scalar in range")
}

pub fn exchange<'a>(ex: &'a Value, step: &str) -> &'a Value {
    ex["exchanges"]
        .as_array()
        .expect("exchanges")
        .iter()
        .find(|e| e["step"] == step)
        .unwrap_or_else(|| panic!("no exchange {step}"))
}

/// The token of an example: serial, label, salts and `Q_PW` from the file.
/// The admin `Q_PW` is not in the file; the user's stands in for it.
pub fn transcript_state(ex: &Value) -> TokenState {
    let t = &ex["token"];
    let curve = curve_of(ex);
    let salt = |k: &str| -> [u8; 16] { hx(&t[k]).try_into().expect("16-byte salt") };
    let q_pw = hx(&ex["sespake"]["Q_PW"]["bytes"]);
    let user = PinRecord::new(PasswordRef::User, curve, salt("user_salt"), q_pw.clone())
        .expect("user record");
    let admin =
        PinRecord::new(PasswordRef::Admin, curve, salt("admin_salt"), q_pw).expect("admin record");
    let serial = hx(&t["serial"]).try_into().expect("8-byte serial");
    TokenState::new(serial, t["label"].as_str().expect("label"), user, admin).expect("state")
}

/// `F` of a PIN, memoized: PBKDF2 with 2000 Streebog-512 iterations takes
/// seconds in a debug build, and the tests log in many times.
pub fn cached_key(curve: CurveId, pin: &str, salt: &[u8; 16]) -> PasswordKey {
    type Cache = Mutex<HashMap<(CurveId, String, [u8; 16]), PasswordKey>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let id = (curve, pin.to_owned(), *salt);
    if let Some(k) = cache.lock().expect("cache").get(&id) {
        return k.clone();
    }
    let key = derive_password_key(&Profile::ofp1(), curve, pin.as_bytes(), salt);
    cache.lock().expect("cache").insert(id, key.clone());
    key
}

/// The stored record of `pin` (the token computes the same with
/// `PinRecord::from_pin`, checked in `vtoken_flows.rs`).
pub fn pin_record(reference: PasswordRef, curve: CurveId, pin: &str, salt: [u8; 16]) -> PinRecord {
    let q_pw =
        password_point(&Profile::ofp1(), curve, 1, &cached_key(curve, pin, &salt)).expect("Q_PW");
    PinRecord::new(reference, curve, salt, q_pw.to_bytes()).expect("record")
}

/// A token with the example PINs (user `123456`, admin `87654321`) on
/// `curve`, fixed salts, in memory.
pub fn pin_state(curve: CurveId) -> TokenState {
    let user = pin_record(PasswordRef::User, curve, USER_PIN, [0x11; 16]);
    let admin = pin_record(PasswordRef::Admin, curve, ADMIN_PIN, [0x22; 16]);
    TokenState::new(*b"VTOKEN01", "vtoken test", user, admin).expect("state")
}

pub fn pin_state_with(curve: CurveId, f: impl FnOnce(&mut TokenConfig)) -> TokenState {
    let mut config = TokenConfig::default();
    f(&mut config);
    pin_state(curve).with_config(config).expect("config")
}

/// The host's `F` for a PIN against the token's current record.
pub fn password_key(token: &VirtualToken, reference: PasswordRef, pin: &str) -> PasswordKey {
    let record = token.state().pin(reference);
    cached_key(record.curve(), pin, record.salt())
}

/// Encodes a short or extended command APDU (no chaining).
pub fn encode(c: &Command, extended: bool) -> Vec<u8> {
    let mut v = vec![c.cla, c.ins, c.p1, c.p2];
    let n = c.data.len();
    if extended {
        if n > 0 {
            v.push(0);
            v.extend_from_slice(&(n as u16).to_be_bytes());
            v.extend_from_slice(&c.data);
        }
        if let Some(le) = c.le {
            if n == 0 {
                v.push(0);
            }
            v.extend_from_slice(&((le % 65536) as u16).to_be_bytes());
        }
    } else {
        if n > 0 {
            v.push(u8::try_from(n).expect("short Lc"));
            v.extend_from_slice(&c.data);
        }
        if let Some(le) = c.le {
            v.push((le % 256) as u8);
        }
    }
    v
}

/// Sends a command the way a host must: chained in fragments of at most
/// `chunk` data bytes (CLA bit 10 on all but the last), then GET RESPONSE
/// while `61 xx`. Returns the whole response and the number of exchanges.
pub fn transmit(token: &mut VirtualToken, c: &Command, extended: bool) -> (Response, usize) {
    let chunk = if extended { 65_535 } else { 255 };
    let mut exchanges = 0;
    let mut fragments: Vec<&[u8]> = c.data.chunks(chunk).collect();
    if fragments.is_empty() {
        fragments.push(&[]);
    }
    let last = fragments.len() - 1;
    let mut rsp = Vec::new();
    for (i, f) in fragments.iter().enumerate() {
        let mut part = Command::new(c.cla, c.ins, c.p1, c.p2).with_data(f.to_vec());
        if i < last {
            part.cla |= 0x10;
        } else {
            part.le = c.le;
        }
        rsp = token.process_apdu(&encode(&part, extended));
        exchanges += 1;
        if i < last {
            assert_eq!(sw(&rsp), 0x9000, "intermediate fragment");
        }
    }
    let mut data = Vec::new();
    loop {
        let (d, s) = rsp.split_at(rsp.len() - 2);
        data.extend_from_slice(d);
        let s = u16::from_be_bytes([s[0], s[1]]);
        if s & 0xFF00 != 0x6100 {
            return (Response::new(data, s), exchanges);
        }
        assert!(exchanges < 200, "GET RESPONSE loop");
        rsp = token.process_apdu(&[0x00, 0xC0, 0x00, 0x00, (s & 0xFF) as u8]);
        exchanges += 1;
    }
}

/// GENERAL AUTHENTICATE data `7C { tag value }`.
pub fn ga_data(inner: &[(u8, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (tag, value) in inner {
        put(&mut body, *tag, value);
    }
    let mut out = Vec::new();
    put(&mut out, 0x7C, &body);
    out
}

pub fn put(out: &mut Vec<u8>, tag: u8, value: &[u8]) {
    out.push(tag);
    match value.len() {
        l @ 0..=0x7F => out.push(l as u8),
        l @ 0x80..=0xFF => out.extend_from_slice(&[0x81, l as u8]),
        l => out.extend_from_slice(&[0x82, (l >> 8) as u8, l as u8]),
    }
    out.extend_from_slice(value);
}

pub fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    put(&mut out, tag, value);
    out
}

/// `00 86 00 P2 Lc data 00` as bytes (short).
pub fn ga_apdu(p2: u8, data: &[u8]) -> Vec<u8> {
    encode(
        &Command::new(0x00, 0x86, 0x00, p2)
            .with_data(data.to_vec())
            .with_le(256),
        false,
    )
}

/// The value of the only object `tag` inside `7C` of a response.
pub fn inside_7c(rsp: &[u8], tag: u8) -> Vec<u8> {
    let data = &rsp[..rsp.len() - 2];
    let objs = read_tlvs(data);
    assert_eq!(objs.len(), 1);
    assert_eq!(objs[0].0, 0x7C);
    let inner = read_tlvs(&objs[0].1);
    assert_eq!(inner.len(), 1);
    assert_eq!(inner[0].0, tag);
    inner[0].1.clone()
}

/// Splits data into one-byte-tag TLVs.
pub fn read_tlvs(mut d: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while !d.is_empty() {
        let (len, hdr) = match d[1] {
            0x81 => (usize::from(d[2]), 3),
            0x82 => (usize::from(d[2]) << 8 | usize::from(d[3]), 4),
            l => (usize::from(l), 2),
        };
        out.push((d[0], d[hdr..hdr + len].to_vec()));
        d = &d[hdr + len..];
    }
    out
}

/// SESPAKE step 1 from the host side: returns the host state and the
/// token's raw answer.
pub fn step1(
    token: &mut VirtualToken,
    reference: PasswordRef,
    key: &PasswordKey,
) -> (fkn_core::sespake::ExpectU2, Vec<u8>) {
    let state = token.state();
    let record = state.pin(reference);
    let host = HostStart::new(
        &Profile::ofp1(),
        record.curve(),
        record.ind(),
        record.salt(),
        key,
        MacContext::ofp1(record.curve(), state.serial()),
    )
    .expect("host start");
    let (host, u1) = host.start(&mut os_rng());
    let rsp = token.process_apdu(&ga_apdu(reference.byte(), &ga_data(&[(0x81, &u1)])));
    (host, rsp)
}

/// A full login: `Ok(channel)`, or `Err(SW)` of the step that failed.
pub fn login(
    token: &mut VirtualToken,
    reference: PasswordRef,
    key: &PasswordKey,
) -> Result<SecureChannel, u16> {
    let (host, rsp) = step1(token, reference, key);
    if sw(&rsp) != 0x9000 {
        return Err(sw(&rsp));
    }
    let u2 = inside_7c(&rsp, 0x82);
    let (host, mac_a) = host.handle(&u2).expect("host step 3");
    let rsp = token.process_apdu(&ga_apdu(reference.byte(), &ga_data(&[(0x83, &mac_a)])));
    if sw(&rsp) != 0x9000 {
        return Err(sw(&rsp));
    }
    let est = host
        .handle(&inside_7c(&rsp, 0x84))
        .expect("the token proves the password too");
    Ok(SecureChannel::new(SmKeys::derive(est.k, &est.u1, &est.u2)))
}

/// Wraps, sends (chaining, GET RESPONSE) and unwraps one command; returns
/// the inner response.
pub fn send(
    token: &mut VirtualToken,
    ch: &mut SecureChannel,
    c: &Command,
    extended: bool,
) -> Response {
    let wrapped = ch.wrap(c, extended).expect("host wraps");
    let (rsp, _) = transmit(token, &wrapped, extended);
    ch.unwrap(&rsp)
        .unwrap_or_else(|e| panic!("host unwraps {rsp:?}: {e}"))
}

/// A user session on a fresh token of `curve` with the example PINs.
pub fn user_session(curve: CurveId) -> (VirtualToken, SecureChannel) {
    session(VirtualToken::new(pin_state(curve)), PasswordRef::User)
}

/// Logs `token` in with the example PIN of `reference`.
pub fn session(mut token: VirtualToken, reference: PasswordRef) -> (VirtualToken, SecureChannel) {
    let pin = match reference {
        PasswordRef::User => USER_PIN,
        PasswordRef::Admin => ADMIN_PIN,
    };
    let key = password_key(&token, reference, pin);
    let ch = login(&mut token, reference, &key).expect("login");
    (token, ch)
}

/// Plain Section 6 commands (before wrapping).
pub mod cmd {
    use super::*;

    pub fn token_info() -> Command {
        Command::new(0x00, 0xCA, 0x01, 0x00).with_le(256)
    }
    pub fn list_keys() -> Command {
        Command::new(0x00, 0xCA, 0x02, 0x00).with_le(256)
    }
    pub fn generate(id: &[u8], curve: CurveId, label: &str) -> Command {
        let mut data = tlv(0x84, id);
        data.extend_from_slice(curve.oid_der());
        if !label.is_empty() {
            put(&mut data, 0x88, label.as_bytes());
        }
        Command::new(0x00, 0x47, 0x00, 0x00)
            .with_data(data)
            .with_le(256)
    }
    pub fn sign(id: &[u8], digests: &[Vec<u8>]) -> Command {
        let mut data = tlv(0x84, id);
        for d in digests {
            put(&mut data, 0x90, d);
        }
        Command::new(0x00, 0x2A, 0x9E, 0x9A)
            .with_data(data)
            .with_le(256)
    }
    pub fn put_certificate(id: &[u8], cert: &[u8]) -> Command {
        let mut data = tlv(0x84, id);
        put(&mut data, 0x70, cert);
        Command::new(0x00, 0xDA, 0x01, 0x00).with_data(data)
    }
    pub fn get_certificate(id: &[u8]) -> Command {
        Command::new(0x00, 0xCA, 0x03, 0x00)
            .with_data(tlv(0x84, id))
            .with_le(256)
    }
    pub fn delete(id: &[u8]) -> Command {
        Command::new(0x00, 0xE4, 0x00, 0x00).with_data(tlv(0x84, id))
    }
    pub fn new_password(ins: u8, p1: u8, p2: u8, salt: &[u8], q_pw: &[u8]) -> Command {
        let mut data = tlv(0xC2, salt);
        put(&mut data, 0xC7, q_pw);
        Command::new(0x00, ins, p1, p2).with_data(data)
    }
    pub fn change_pin(reference: PasswordRef, salt: &[u8], q_pw: &[u8]) -> Command {
        new_password(0x24, 0x00, reference.byte(), salt, q_pw)
    }
    pub fn unblock(salt: &[u8], q_pw: &[u8]) -> Command {
        new_password(0x2C, 0x02, 0x01, salt, q_pw)
    }
    pub fn random(n: u32) -> Command {
        Command::new(0x00, 0x84, 0x00, 0x00).with_le(n)
    }
}

/// A fresh empty directory under the system temp dir, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "fkn-vtoken-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
