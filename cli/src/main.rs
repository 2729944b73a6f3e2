//! `fkn`: the FKN SDK's command-line tool.
//!
//! Verbs live in [`cmd`], one module per verb group; adding one is a variant
//! in [`cmd::Verb`], a module, and a match arm in [`cmd::run`].
#![forbid(unsafe_code)]

mod cmd;
mod dev_token;
mod device_home;
mod hexfmt;
mod http_channel;
mod opts;
mod session;
mod token_spec;

use std::process::ExitCode;

use clap::Parser;

/// Serve and talk to FKN tokens: virtual tokens in files, or cards in PC/SC readers.
#[derive(Parser, Debug)]
#[command(
    name = "fkn",
    version,
    about,
    after_help = "Tokens (--token T): virtual:PATH (a virtual token file, made by `fkn token init`) \
                  or pcsc:READER (a PC/SC reader name or unique prefix).\n\
                  PINs: --pin, or the FKN_PIN / FKN_ADMIN_PIN environment variables (FKN_USER_PIN for \
                  `token init`), which keep them out of the process list.\n\
                  Two-party keys: `fkn server run` starts a signing server, `fkn enroll URI` pairs \
                  this machine with it (key share and credential in --store, default \
                  $FKN_HOME/device), `fkn dsign FILE` signs with the key.\n\
                  Exit status: 0 success, 1 failure (one line on stderr says why), 2 usage \
                  error, 3 wrong PIN, 4 PIN blocked, 5 the enrollment cannot be used (expired, \
                  already used, wrong code, locked), 6 the server refused this device (revoked, \
                  not enrolled)."
)]
struct Cli {
    /// More log output on stderr (-v debug, -vv trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    verbose: u8,

    #[command(subcommand)]
    verb: cmd::Verb,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help / --version: print as clap formats them, succeed.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("fkn: {} (see fkn --help)", usage_error_line(&e));
            return ExitCode::from(2);
        }
    };
    init_logging(cli.verbose);
    match cmd::run(cli.verb) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // An SDK error is worded for the link the token is on; anything
            // else with `{:#}`, the whole context chain on one line.
            let msg = match e.downcast_ref::<fkn_core::Error>() {
                Some(sdk) => sdk.message_on(session::link_kind()),
                None => format!("{e:#}"),
            }
            .replace(['\n', '\r'], " ");
            eprintln!("fkn: {msg}");
            exit_code(&e)
        }
    }
}

/// Exit statuses scripts can tell apart: 3 wrong PIN, 4 PIN blocked, 5 an
/// enrollment that cannot be used, 6 a device the server refuses, 1 the rest.
fn exit_code(e: &anyhow::Error) -> ExitCode {
    use fkn_core::distributed::TwoPartyFault as F;
    match e.chain().find_map(|c| c.downcast_ref::<fkn_core::Error>()) {
        Some(fkn_core::Error::WrongPin { .. }) => ExitCode::from(3),
        Some(fkn_core::Error::PinBlocked) => ExitCode::from(4),
        Some(fkn_core::Error::TwoParty { fault }) => match fault {
            F::EnrollmentExpired
            | F::EnrollmentUsed
            | F::NoEnrollment
            | F::ActivationCodeRejected { .. }
            | F::EnrollmentLocked => ExitCode::from(5),
            F::AccessRefused { .. } | F::NotEnrolled | F::Revoked | F::UnknownToServer => {
                ExitCode::from(6)
            }
            _ => ExitCode::FAILURE,
        },
        _ => ExitCode::FAILURE,
    }
}

/// The first line of a clap error without its "error: " prefix.
fn usage_error_line(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let mut lines = rendered.lines().skip_while(|l| l.trim().is_empty());
    let first = lines
        .next()
        .unwrap_or("")
        .trim_start_matches("error: ")
        .trim();
    // "the following required arguments were not provided:" lists them on the
    // indented lines below; keep them on the one line.
    if first.ends_with(':') {
        let items: Vec<&str> = lines
            .take_while(|l| l.starts_with(' ') && !l.trim().is_empty())
            .map(str::trim)
            .collect();
        return format!("{first} {}", items.join(", "));
    }
    first.to_owned()
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "debug",
        _ => "trace",
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(level)).init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn missing_arguments_are_named_on_one_line() {
        let e = Cli::try_parse_from(["fkn", "keygen", "--token", "virtual:x"]).unwrap_err();
        let line = usage_error_line(&e);
        assert!(line.contains("--pin") && line.contains("--curve"), "{line}");
        assert!(!line.contains('\n'));
    }

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn usage_errors_fit_on_one_line() {
        let e = Cli::try_parse_from(["fkn", "no-such-verb"]).unwrap_err();
        let line = usage_error_line(&e);
        assert!(line.contains("no-such-verb"), "{line}");
        assert!(!line.contains('\n'));
        assert!(!line.starts_with("error"));
    }
}
