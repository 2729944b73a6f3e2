//! APDU tracing through `log` at trace level, target [`TARGET`].
//!
//! Data of commands marked [`Command::sensitive`](super::Command::sensitive)
//! and the responses to them are replaced by `[REDACTED n bytes]` unless the
//! application opts in with [`set_reveal_sensitive`] (e.g. for a one-off
//! debugging session on a test token).

use core::sync::atomic::{AtomicBool, Ordering};

/// The `log` target of APDU traces.
pub const TARGET: &str = "fkn::apdu";

static REVEAL_SENSITIVE: AtomicBool = AtomicBool::new(false);

/// Whether traces show sensitive command and response data in clear
/// (process-wide; default `false`).
pub fn set_reveal_sensitive(reveal: bool) {
    REVEAL_SENSITIVE.store(reveal, Ordering::Relaxed);
}

/// The current [`set_reveal_sensitive`] setting.
pub fn reveal_sensitive() -> bool {
    REVEAL_SENSITIVE.load(Ordering::Relaxed)
}

fn enabled() -> bool {
    log::log_enabled!(target: TARGET, log::Level::Trace)
}

fn redact(sensitive: bool) -> bool {
    sensitive && !reveal_sensitive()
}

/// Traces an outgoing APDU whose data field is `apdu[data_start..data_start+data_len]`.
pub(crate) fn command(apdu: &[u8], data_start: usize, data_len: usize, sensitive: bool) {
    if !enabled() {
        return;
    }
    if !redact(sensitive) || data_len == 0 {
        log::trace!(target: TARGET, "> {}", hex::encode_upper(apdu));
        return;
    }
    let end = data_start.saturating_add(data_len);
    match (apdu.get(..data_start), apdu.get(end..)) {
        (Some(head), Some(tail)) => {
            let sep = if tail.is_empty() { "" } else { " " };
            log::trace!(
                target: TARGET,
                "> {} [REDACTED {data_len} bytes]{sep}{}",
                hex::encode_upper(head),
                hex::encode_upper(tail)
            )
        }
        // Fail closed if the span does not fit.
        _ => log::trace!(target: TARGET, "> [REDACTED {} bytes]", apdu.len()),
    }
}

/// Traces an incoming response APDU (data, then `SW1 SW2`).
pub(crate) fn response(data: &[u8], sw: u16, sensitive: bool) {
    if !enabled() {
        return;
    }
    if data.is_empty() {
        log::trace!(target: TARGET, "< {sw:04X}");
    } else if redact(sensitive) {
        log::trace!(target: TARGET, "< [REDACTED {} bytes] {sw:04X}", data.len());
    } else {
        log::trace!(target: TARGET, "< {} {sw:04X}", hex::encode_upper(data));
    }
}

/// Traces a transport failure.
pub(crate) fn failure(err: &dyn core::fmt::Display) {
    log::trace!(target: TARGET, "< link error: {err}");
}
