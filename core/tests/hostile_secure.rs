//! Issue 14: a token that lies *inside* the secure channel, where a proxy
//! rewriting bytes (`hostile_token.rs`) cannot: it answers key generation
//! with a point on a curve the host did not ask for and the token did not
//! announce, the point at infinity, a point of small order or one off the
//! curve, and a sign command with a signature that does not verify under the
//! key's public key. Each ends in a typed error within a bounded number of
//! exchanges; nothing panics (a panic aborts the test binary).
//!
//! The liar is the virtual token with SESPAKE's `beta` scripted: knowing it,
//! the proxy computes the session key `K` as the token does (RFC 8133:
//! `K = H(BYTES((m/q * beta mod q) * (U1 + Q_PW)))`) and runs its own
//! token-side secure messaging, so its forged answers carry valid MACs.

mod hostile_common;

use std::sync::{Arc, Mutex, Once};

use fkn_core::Error;
use fkn_core::apdu::{Command, LengthForm, Response, codec, tlv};
use fkn_core::crypto::ec::{CurveId, Point, Scalar, SigningKey};
use fkn_core::crypto::hash::streebog256;
use fkn_core::crypto::secret::Key256;
use fkn_core::error::{ApiMisuse, Violation};
use fkn_core::pki::{PkiError, Subject, cert, csr};
use fkn_core::token::{KeyInfo, TokenSession, TokenSigner};
use fkn_core::transport::{Transport, TransportError};
use fkn_testkit::CountingTransport;
use fkn_vtoken::secure_messaging::TokenSecureMessaging;
use fkn_vtoken::{
    OsRandom, PasswordRef, ScriptedRandom, TokenState, VirtualToken, VirtualTokenTransport,
};
use hostile_common::{ADMIN_PIN, USER_PIN};

const CURVE: CurveId = CurveId::Tc26_256A;

/// A point of order 4 on tc26-256-A, outside the prime-order subgroup
/// (from `sespake_negative.rs`, which derives and re-checks it).
const ORDER4_256A: &str = "77592F8C11C5E7ACC09D6AF3D1805DBC5393C3955D5AB43875003505C6807F7FCD0E8EA4344FB70642D93FDA75821835FBB94AC1180F1DAA5F019F0F52827E7E";

fn abort_on_panic() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            eprintln!("panic in the lying-token suite: {info}");
            std::process::abort();
        }));
    });
}

fn beta() -> Scalar {
    Scalar::from_be_bytes_reduced(CURVE, &[0x1F, 0x2E, 0x3D])
}

/// A token announcing only tc26-256-A whose every scalar (SESPAKE `beta`,
/// key `d`) is [`beta`], so the proxy can follow any login.
fn scripted_token() -> Arc<Mutex<VirtualToken>> {
    let state = TokenState::with_pins(
        *b"LIAR0001",
        "liar",
        USER_PIN,
        ADMIN_PIN,
        CURVE,
        &mut OsRandom,
    )
    .and_then(|s| s.with_supported_curves(vec![CURVE]))
    .expect("state");
    let script = ScriptedRandom::new(std::iter::repeat_n(beta(), 8));
    Arc::new(Mutex::new(VirtualToken::new(state).with_random(script)))
}

/// The answer the liar gives to a (decrypted) command inside the channel.
type Forge = Box<dyn FnMut(&Command) -> Response + Send>;

/// Forwards the plain exchanges (SELECT, both SESPAKE steps) to the token;
/// answers every command of the secure channel itself with `forge`.
struct Liar {
    token: Arc<Mutex<VirtualToken>>,
    inner: VirtualTokenTransport,
    u1: Vec<u8>,
    u2: Vec<u8>,
    sm: Option<TokenSecureMessaging>,
    forge: Forge,
}

fn lying(token: &Arc<Mutex<VirtualToken>>, forge: Forge) -> CountingTransport<Liar> {
    CountingTransport::new(Liar {
        token: Arc::clone(token),
        inner: VirtualTokenTransport::shared(Arc::clone(token)),
        u1: Vec::new(),
        u2: Vec::new(),
        sm: None,
        forge,
    })
}

/// `7C { TAG value }` → value.
fn inner(data: &[u8], tag: u8) -> Vec<u8> {
    tlv::expect_single(data, 0x7C)
        .and_then(|d| tlv::expect_single(d, tag))
        .map(<[u8]>::to_vec)
        .unwrap_or_default()
}

impl Liar {
    /// The token's `K` after a login with the scripted `beta`.
    fn session_key(&self) -> Key256 {
        let token = self.token.lock().unwrap();
        let q_pw = Point::from_bytes_on_curve(CURVE, token.state().pin(PasswordRef::User).q_pw())
            .expect("Q_PW");
        let u1 = Point::from_bytes_on_curve(CURVE, &self.u1).expect("the host's U1");
        let m_over_q = Scalar::from_be_bytes_reduced(CURVE, &CURVE.cofactor().to_be_bytes());
        let z = u1.add(&q_pw).mul(&m_over_q.mul(&beta()));
        Key256::from_bytes(streebog256(&z.to_bytes()))
    }
}

impl Transport for Liar {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let (cmd, form) = codec::decode_command(&apdu).expect("the host sends valid APDUs");
        if let Some(sm) = self.sm.as_mut() {
            let plain = sm
                .unwrap_command(&cmd, form == LengthForm::Extended)
                .expect("the host wraps as the token does");
            let lie = sm.wrap_response(&(self.forge)(&plain)).expect("wrap");
            let mut out = lie.data;
            out.extend_from_slice(&lie.sw.to_be_bytes());
            return Ok(out);
        }
        let rsp = self.inner.transceive(apdu)?;
        let ok = rsp.ends_with(&[0x90, 0x00]);
        let body = &rsp[..rsp.len().saturating_sub(2)];
        if cmd.ins == 0x86 && ok {
            let u1 = inner(&cmd.data, 0x81);
            if u1.is_empty() {
                // Step 2 succeeded: the token opened its channel; so does the liar.
                self.sm = Some(TokenSecureMessaging::new(
                    self.session_key(),
                    &self.u1,
                    &self.u2,
                ));
            } else {
                self.u1 = u1;
                self.u2 = inner(body, 0x82);
            }
        }
        Ok(rsp)
    }
    fn max_transceive_length(&self) -> usize {
        self.inner.max_transceive_length()
    }
    fn extended_length_supported(&self) -> bool {
        self.inner.extended_length_supported()
    }
}

fn hx(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

/// A key generation answered with `86 public_key`: the host must refuse it.
fn keygen_answered_with(public_key: Vec<u8>) -> (Result<KeyInfo, Error>, u64) {
    let token = scripted_token();
    let forge: Forge = Box::new(move |cmd| {
        assert_eq!(cmd.ins, 0x47, "only the key generation is sent");
        Response::new(tlv::tlv(0x86, &public_key), 0x9000)
    });
    let mut s = TokenSession::open(lying(&token, forge)).expect("open");
    s.authenticate(USER_PIN)
        .expect("the liar follows the login");
    let r = s.generate_key(b"k1", CURVE, "lie");
    (r, s.transport().stats().exchanges)
}

#[test]
fn the_liar_is_believed_when_it_tells_the_truth() {
    abort_on_panic();
    // Control: a valid key of the curve asked for is accepted, so the
    // refusals below are the host's checks and not a broken proxy.
    let good = SigningKey::generate(CURVE, &mut fkn_core::crypto::os_rng());
    let (r, exchanges) = keygen_answered_with(good.verifying_key().to_bytes());
    assert_eq!(
        r.expect("an honest key").public_key,
        good.verifying_key().to_bytes()
    );
    assert_eq!(
        exchanges, 4,
        "SELECT, two SESPAKE steps, the key generation"
    );
}

#[test]
fn a_keygen_answer_with_a_bad_point_is_an_invalid_public_key() {
    abort_on_panic();
    let mut rng = fkn_core::crypto::os_rng();
    let mut on = |curve| {
        SigningKey::generate(curve, &mut rng)
            .verifying_key()
            .to_bytes()
    };
    let other_256 = on(CurveId::CryptoProA);
    let other_512 = on(CurveId::Tc26_512A);
    let mut off_curve = on(CURVE);
    off_curve[0] ^= 1;
    let t = hx(ORDER4_256A);
    let cases: [(&str, Vec<u8>); 7] = [
        ("a point of CryptoPro-A (not announced)", other_256),
        ("a point of tc26-512-A (not announced)", other_512),
        ("the point at infinity", vec![0; 64]),
        ("a point of order 4", t.clone()),
        ("a valid key plus a point of order 4", {
            let q = Point::from_bytes(CURVE, &on(CURVE)).expect("Q");
            q.add(&Point::from_bytes_on_curve(CURVE, &t).expect("T"))
                .to_bytes()
        }),
        ("a point off the curve", off_curve),
        ("coordinates past p", vec![0xFF; 64]),
    ];
    for (what, public_key) in cases {
        let (r, exchanges) = keygen_answered_with(public_key);
        assert_eq!(r, Err(Violation::InvalidPublicKey.into()), "{what}");
        assert_eq!(exchanges, 4, "{what}");
    }
}

#[test]
fn a_curve_the_token_did_not_announce_is_not_asked_for() {
    abort_on_panic();
    let token = scripted_token();
    let forge: Forge = Box::new(|_| panic!("nothing is sent inside the channel"));
    let mut s = TokenSession::open(lying(&token, forge)).expect("open");
    s.authenticate(USER_PIN).expect("login");
    let before = s.transport().stats().exchanges;
    assert_eq!(
        s.generate_key(b"k2", CurveId::Tc26_512A, "").err(),
        Some(
            ApiMisuse::CurveNotSupported {
                curve: CurveId::Tc26_512A
            }
            .into()
        )
    );
    assert_eq!(s.transport().stats().exchanges, before);
}

/// Key `k1` made honestly on the token (the first scalar of its script).
fn honest_key(token: &Arc<Mutex<VirtualToken>>) -> KeyInfo {
    let mut s = TokenSession::open(VirtualTokenTransport::shared(Arc::clone(token))).expect("open");
    s.authenticate(USER_PIN).expect("login");
    s.generate_key(b"k1", CURVE, "honest").expect("keygen")
}

/// Answers every sign command with a valid signature by another key.
fn wrong_signer() -> Forge {
    let other = SigningKey::generate(CURVE, &mut fkn_core::crypto::os_rng());
    Box::new(move |cmd| {
        assert_eq!(cmd.ins, 0x2A, "only sign commands are sent");
        // 84 id 90 digest: the digest is the last 32 bytes.
        let digest = &cmd.data[cmd.data.len() - 32..];
        let sig = other
            .sign_digest(digest, &mut fkn_core::crypto::os_rng())
            .expect("sign");
        Response::new(tlv::tlv(0x9E, &sig), 0x9000)
    })
}

#[test]
fn a_signature_the_public_key_does_not_verify_is_refused_by_the_signer() {
    abort_on_panic();
    let token = scripted_token();
    let key = honest_key(&token);
    let mut s = TokenSession::open(lying(&token, wrong_signer())).expect("open");
    s.authenticate(USER_PIN).expect("login");
    let subject = Subject::new().common_name("lie");
    {
        let mut signer = TokenSigner::new(&mut s, &key);
        // PKI checks each signature against the key before using it
        // (pki::signer::sign_checked): no request or certificate comes out.
        let e = csr::build_csr(&mut signer, &subject, &csr::CsrOptions::default())
            .expect_err("a request signed by another key");
        assert!(matches!(e, PkiError::Signer(_)), "{e:?}");
        assert!(matches!(Error::from(e), Error::Pki { .. }));
        let e = cert::self_signed(&mut signer, &subject, 30)
            .expect_err("a certificate signed by another key");
        assert!(matches!(e, PkiError::Signer(_)), "{e:?}");
    }
    // One sign command each: the check costs no exchange.
    assert_eq!(s.transport().stats().exchanges, 3 + 2);
}
