//! Routes the `log` facade (the core's APDU trace included) to the platform's
//! log: logcat on Android, the unified log on Apple platforms, stderr
//! elsewhere. Secrets stay redacted: the core's APDU trace replaces sensitive
//! data by `[REDACTED n bytes]`, and the FFI offers no switch to reveal it.

use std::sync::Once;

use log::LevelFilter;

/// How much the SDK logs. `Trace` adds every APDU (with secrets redacted).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum LogLevel {
    /// Nothing.
    Off,
    /// Failures only.
    Error,
    /// Failures and suspicious conditions.
    Warn,
    /// Session milestones.
    Info,
    /// Protocol steps.
    Debug,
    /// Every APDU exchanged (sensitive data redacted).
    Trace,
}

impl From<LogLevel> for LevelFilter {
    fn from(l: LogLevel) -> Self {
        match l {
            LogLevel::Off => LevelFilter::Off,
            LogLevel::Error => LevelFilter::Error,
            LogLevel::Warn => LevelFilter::Warn,
            LogLevel::Info => LevelFilter::Info,
            LogLevel::Debug => LevelFilter::Debug,
            LogLevel::Trace => LevelFilter::Trace,
        }
    }
}

/// Tag (Android) and subsystem (Apple) of the SDK's log lines.
const TAG: &str = "fkn";

static INSTALL: Once = Once::new();

/// Sets the SDK's log level and, on the first call, routes its logs to the
/// platform: Android logcat (tag `fkn`), Apple's unified log (subsystem
/// `fkn`), or stderr on other hosts. If the process already installed a `log`
/// logger of its own, that one is kept and only the level changes.
#[uniffi::export]
pub fn set_log_level(level: LogLevel) {
    INSTALL.call_once(install);
    log::set_max_level(level.into());
}

#[cfg(target_os = "android")]
fn install() {
    // The level is filtered by `log::max_level`, set by the caller right after.
    android_logger::init_once(
        android_logger::Config::default()
            .with_max_level(LevelFilter::Trace)
            .with_tag(TAG),
    );
}

#[cfg(all(target_vendor = "apple", feature = "oslog"))]
fn install() {
    // Err means another logger is installed: keep it.
    let _ = oslog::OsLogger::new(TAG).init();
}

#[cfg(not(any(target_os = "android", all(target_vendor = "apple", feature = "oslog"))))]
fn install() {
    // Err means another logger is installed: keep it.
    let _ = log::set_logger(&StderrLogger);
}

/// One line per record on stderr: `fkn LEVEL target: message`.
#[cfg(not(any(target_os = "android", all(target_vendor = "apple", feature = "oslog"))))]
struct StderrLogger;

#[cfg(not(any(target_os = "android", all(target_vendor = "apple", feature = "oslog"))))]
impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!(
                "{TAG} {:<5} {}: {}",
                record.level(),
                record.target(),
                record.args()
            );
        }
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_changes_take_effect() {
        set_log_level(LogLevel::Trace);
        assert_eq!(log::max_level(), LevelFilter::Trace);
        assert!(log::log_enabled!(target: fkn_core::apdu::trace::TARGET, log::Level::Trace));
        set_log_level(LogLevel::Warn);
        assert_eq!(log::max_level(), LevelFilter::Warn);
        assert!(!log::log_enabled!(log::Level::Info));
        set_log_level(LogLevel::Off);
        assert_eq!(log::max_level(), LevelFilter::Off);
    }
}
