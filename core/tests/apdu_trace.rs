//! APDU traces: every command and response at trace level on `fkn::apdu`,
//! sensitive data redacted unless the application opts in.
//!
//! One test function on purpose: the logger and the reveal switch are
//! process-wide, so the phases must not run in parallel.

use std::sync::Mutex;

use fkn_core::apdu::{ApduChannel, Command, trace};
use fkn_testkit::ScriptedTransport;

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target() == trace::TARGET
    }
    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) && r.level() == log::Level::Trace {
            LINES
                .lock()
                .expect("capture lock")
                .push(r.args().to_string());
        }
    }
    fn flush(&self) {}
}

fn take() -> Vec<String> {
    std::mem::take(&mut *LINES.lock().expect("capture lock"))
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).expect("test hex")
}

/// Change PIN with a secret-looking payload; the card answers in two chunks.
fn run_sensitive() -> Vec<String> {
    let cmd = Command::new(0x00, 0x24, 0x00, 0x01)
        .with_data(h("C2 02 5EC2 C7 02 7E57"))
        .with_le(256)
        .sensitive();
    let t = ScriptedTransport::new([h("DEAD 6102"), h("BEEF 9000")]);
    let rsp = ApduChannel::new(t).transmit(&cmd).expect("transmits");
    assert_eq!(rsp.data, h("DEADBEEF"));
    take()
}

#[test]
fn traces_redact_sensitive_data_unless_revealed() {
    log::set_logger(&Capture).expect("first logger");
    log::set_max_level(log::LevelFilter::Trace);
    assert!(!trace::reveal_sensitive(), "redaction is the default");

    // A plain command is traced in full.
    let t = ScriptedTransport::new([h("6F00 9000")]);
    let select = Command::new(0x00, 0xA4, 0x04, 0x00)
        .with_data(h("F0464B4E4F5031"))
        .with_le(256);
    ApduChannel::new(t).transmit(&select).expect("transmits");
    assert_eq!(take(), ["> 00A4040007F0464B4E4F503100", "< 6F00 9000"]);

    // Sensitive: header, Lc and Le visible, data and response data not.
    let lines = run_sensitive();
    assert_eq!(
        lines,
        [
            "> 0024000108 [REDACTED 8 bytes] 00",
            "< [REDACTED 2 bytes] 6102",
            "> 00C0000002",
            "< [REDACTED 2 bytes] 9000",
        ]
    );
    let all = lines.concat();
    for secret in ["5EC2", "7E57", "DEAD", "BEEF"] {
        assert!(!all.contains(secret), "{secret} leaked: {all}");
    }

    // Opted in: everything in clear.
    trace::set_reveal_sensitive(true);
    let lines = run_sensitive();
    trace::set_reveal_sensitive(false);
    assert_eq!(
        lines,
        [
            "> 0024000108C2025EC2C7027E5700",
            "< DEAD 6102",
            "> 00C0000002",
            "< BEEF 9000",
        ]
    );

    // And back to redacting.
    assert!(run_sensitive().concat().contains("REDACTED"));
}
