//! `fkn token ...`: verbs that act on a token as a whole. Later issues add
//! init, info, list, keygen, change-pin, unblock-pin here.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use fkn_core::virtual_token::VirtualToken;
use fkn_core::virtual_token::vpcd::serve_vpcd;

use crate::token_spec::TokenSpec;

/// `fkn token` subcommands.
#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Serve a virtual token to a vsmartcard vpcd reader until killed, so
    /// PC/SC applications see it as a card in "Virtual PCD 00 00".
    Serve(ServeArgs),
}

/// Arguments of `fkn token serve`.
#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The token to serve: virtual:PATH. Default: a fresh in-memory
    /// development token (the OFP1 worked example's: user PIN 123456, admin
    /// PIN 87654321), lost on exit.
    #[arg(long, value_name = "T")]
    token: Option<TokenSpec>,

    /// Where vpcd listens (its slot 0 is port 35963).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:35963")]
    vpcd: String,
}

/// Runs one `fkn token` subcommand.
pub fn run(cmd: TokenCmd) -> anyhow::Result<()> {
    match cmd {
        TokenCmd::Serve(args) => serve(&args),
    }
}

fn serve(args: &ServeArgs) -> anyhow::Result<()> {
    let mut token = match &args.token {
        None => fresh_token()?,
        Some(TokenSpec::Virtual(path)) => VirtualToken::open(path)
            .with_context(|| format!("opening virtual token {}", path.display()))?,
        Some(other @ TokenSpec::Pcsc(_)) => {
            bail!("token serve serves a virtual token, not {other}; use --token virtual:PATH")
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed))
            .context("installing the SIGINT/SIGTERM handler")?;
    }
    log::info!("serving the virtual token to vpcd at {}", args.vpcd);
    serve_vpcd(&mut token, &args.vpcd, Some(stop))
        .with_context(|| format!("serving vpcd at {}", args.vpcd))?;
    log::info!("stopped");
    Ok(())
}

fn fresh_token() -> anyhow::Result<VirtualToken> {
    log::info!("serving a fresh in-memory development token (publicly known PINs)");
    Ok(VirtualToken::new(crate::dev_token::state()?))
}
