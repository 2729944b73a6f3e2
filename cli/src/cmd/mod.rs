//! The verbs, one module per group. To add a verb: a variant here, a module
//! with its `Args` and `run`, and a match arm in [`run`].

mod apdu;
mod readers;
mod token;

use clap::Subcommand;

/// What `fkn` is asked to do.
#[derive(Subcommand, Debug)]
pub enum Verb {
    /// Manage a token (for now: serve a virtual token to a vpcd reader).
    #[command(subcommand)]
    Token(token::TokenCmd),
    /// Send raw APDUs (hex) to a token and print the responses.
    Apdu(apdu::ApduArgs),
    /// List the PC/SC readers.
    Readers,
}

/// Runs one verb.
pub fn run(verb: Verb) -> anyhow::Result<()> {
    match verb {
        Verb::Token(cmd) => token::run(cmd),
        Verb::Apdu(args) => apdu::run(&args),
        Verb::Readers => readers::run(),
    }
}
