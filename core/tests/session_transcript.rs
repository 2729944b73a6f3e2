//! The OFP1 worked example (`shared/vectors/ofp1-transcript.json`), both
//! curves, driven end to end: the host `TokenSession` (alpha fixed to the
//! file's) against the virtual token (beta, d, k fixed). Every APDU each way
//! must equal the file's, byte for byte.

#[path = "../../vtoken/tests/vtoken_common/mod.rs"]
mod vtoken_common;

use std::sync::{Arc, Mutex};

use fkn_core::crypto::ec::CurveId;
use fkn_core::token::{PinRef, TokenSession};
use fkn_core::transport::{Transport, TransportError};
use fkn_vtoken::{ScriptedRandom, VirtualToken, VirtualTokenTransport};
use vtoken_common::{curve_of, exchange, hx, scalar, transcript, transcript_state};

type Log = Arc<Mutex<Vec<(Vec<u8>, Vec<u8>)>>>;

/// Records every exchange.
struct Recorder(VirtualTokenTransport, Log);

impl Transport for Recorder {
    fn transceive(&mut self, apdu: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        let rsp = self.0.transceive(apdu.clone())?;
        self.1.lock().unwrap().push((apdu, rsp.clone()));
        Ok(rsp)
    }
    fn max_transceive_length(&self) -> usize {
        self.0.max_transceive_length()
    }
    fn extended_length_supported(&self) -> bool {
        self.0.extended_length_supported()
    }
}

/// An RNG whose first draw is `LE(alpha) || 0…`: `Scalar::random_nonzero`
/// reads 2n bytes little-endian and reduces mod q, so it yields `alpha`.
struct FixedAlpha(Vec<u8>);

impl rand_core::TryRng for FixedAlpha {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        unreachable!("only fill_bytes is used")
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        unreachable!("only fill_bytes is used")
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Self::Error> {
        assert!(!self.0.is_empty(), "alpha drawn twice");
        dest.fill(0);
        dest[..self.0.len()].copy_from_slice(&self.0);
        self.0.clear();
        Ok(())
    }
}
impl rand_core::TryCryptoRng for FixedAlpha {}

#[test]
fn host_and_token_reproduce_the_transcript_byte_for_byte() {
    for ex in transcript() {
        let curve: CurveId = curve_of(&ex);
        let s = &ex["sespake"];
        let generate = exchange(&ex, "generate key");
        let sign = exchange(&ex, "sign");
        let token = VirtualToken::new(transcript_state(&ex)).with_random(ScriptedRandom::new([
            scalar(curve, &s["beta"]),
            scalar(curve, &generate["private_key_d"]),
            scalar(curve, &sign["nonce_k"]),
        ]));
        let log: Log = Arc::default();
        let mut session =
            TokenSession::open(Recorder(VirtualTokenTransport::new(token), log.clone())).unwrap();

        let user_pin = ex["token"]["user_pin"].as_str().unwrap();
        let pin = session.prepare_pin(PinRef::User, user_pin).unwrap();
        let mut alpha = hx(&s["alpha"]);
        alpha.reverse();
        session
            .authenticate_prepared_with_rng(&pin, &mut rand_core::UnwrapErr(FixedAlpha(alpha)))
            .unwrap();
        let id = hx(&generate["key_id"]);
        let label = generate["key_label"].as_str().unwrap();
        let key = session.generate_key(&id, curve, label).unwrap();
        assert_eq!(key.public_key, hx(&generate["public_key"]["bytes"]));
        let sigs = session.sign(&id, &[hx(&sign["digest"])]).unwrap();
        assert_eq!(sigs, vec![hx(&sign["signature"])]);

        let log = log.lock().unwrap();
        let expected = [
            ("SELECT", "command", "response"),
            ("GENERAL AUTHENTICATE step 1", "command", "response"),
            ("GENERAL AUTHENTICATE step 2", "command", "response"),
            ("generate key", "wrapped_command", "wrapped_response"),
            ("sign", "wrapped_command", "wrapped_response"),
        ];
        assert_eq!(log.len(), expected.len(), "{curve}: exchange count");
        for ((step, c, r), (cmd, rsp)) in expected.into_iter().zip(log.iter()) {
            let x = exchange(&ex, step);
            assert_eq!(
                hex::encode_upper(cmd),
                hex::encode_upper(hx(&x[c])),
                "{curve}: {step} command"
            );
            assert_eq!(
                hex::encode_upper(rsp),
                hex::encode_upper(hx(&x[r])),
                "{curve}: {step} response"
            );
        }
    }
}
