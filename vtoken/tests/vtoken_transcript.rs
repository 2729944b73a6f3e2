//! The OFP1 worked example (`shared/vectors/ofp1-transcript.json`) replayed
//! against the virtual token in raw APDU bytes, both curves: with its
//! randomness scripted to the file's `beta`, `d` and `k`, every response
//! must equal the file's, byte for byte.

mod vtoken_common;

use fkn_core::crypto::ec::VerifyingKey;
use fkn_vtoken::{PasswordRef, ScriptedRandom, SessionStatus, TokenRandom, VirtualToken};
use std::sync::{Arc, Mutex};
use vtoken_common::{curve_of, exchange, hx, scalar, transcript, transcript_state};

/// Lets the test look at the script after the token used it.
struct Shared(Arc<Mutex<ScriptedRandom>>);

impl TokenRandom for Shared {
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.lock().expect("script").fill_bytes(dest);
    }
    fn scalar(&mut self, curve: fkn_core::crypto::ec::CurveId) -> fkn_core::crypto::ec::Scalar {
        self.0.lock().expect("script").scalar(curve)
    }
}

#[test]
fn token_answers_the_transcript_byte_for_byte() {
    for ex in transcript() {
        let curve = curve_of(&ex);
        let s = &ex["sespake"];
        let generate = exchange(&ex, "generate key");
        let sign = exchange(&ex, "sign");
        let script = Arc::new(Mutex::new(ScriptedRandom::new([
            scalar(curve, &s["beta"]),
            scalar(curve, &generate["private_key_d"]),
            scalar(curve, &sign["nonce_k"]),
        ])));
        let mut token =
            VirtualToken::new(transcript_state(&ex)).with_random(Shared(Arc::clone(&script)));

        for (step, command, response) in [
            ("SELECT", "command", "response"),
            ("GENERAL AUTHENTICATE step 1", "command", "response"),
            ("GENERAL AUTHENTICATE step 2", "command", "response"),
            ("generate key", "wrapped_command", "wrapped_response"),
            ("sign", "wrapped_command", "wrapped_response"),
        ] {
            let x = exchange(&ex, step);
            let got = token.process_apdu(&hx(&x[command]));
            assert_eq!(
                hex::encode_upper(got),
                hex::encode_upper(hx(&x[response])),
                "{curve}: {step}"
            );
        }

        let script = script.lock().expect("script");
        assert_eq!((script.remaining(), script.unscripted_draws()), (0, 0));
        assert_eq!(
            token.session_status(),
            SessionStatus::Open(PasswordRef::User)
        );
        // The key the token made is the file's d, and the signature verifies.
        let key = token.state().key(&[0x01]).expect("key 01");
        assert_eq!(key.private_key(), &hx(&generate["private_key_d"])[..]);
        assert_eq!(key.public_key(), &hx(&generate["public_key"]["bytes"])[..]);
        assert_eq!(key.label, b"transcript key");
        let q = VerifyingKey::from_bytes(curve, key.public_key()).expect("public key");
        q.verify_digest(&hx(&sign["digest"]), &hx(&sign["signature"]))
            .expect("the transcript signature verifies");
        // GA2 gave C1 back; C3 stays spent.
        let counters = token.state().pin(PasswordRef::User).counters;
        assert_eq!((counters.c1, counters.c2, counters.c3), (5, 10, 99_999));
    }
}

#[test]
fn transcript_replayed_without_the_script_fails_at_step_2_only_by_mac() {
    // With OS randomness U2 differs, so the file's MAC_A is a wrong password.
    for ex in transcript() {
        let mut token = VirtualToken::new(transcript_state(&ex));
        for step in ["SELECT", "GENERAL AUTHENTICATE step 1"] {
            let rsp = token.process_apdu(&hx(&exchange(&ex, step)["command"]));
            assert_eq!(&rsp[rsp.len() - 2..], &[0x90, 0x00]);
        }
        let rsp = token.process_apdu(&hx(
            &exchange(&ex, "GENERAL AUTHENTICATE step 2")["command"],
        ));
        assert_eq!(rsp, [0x63, 0xC4], "{}", ex["curve"]);
        assert_eq!(token.session_status(), SessionStatus::None);
    }
}
