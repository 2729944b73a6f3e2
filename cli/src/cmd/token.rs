//! `fkn token ...`: verbs that make or serve a virtual token as a whole.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use fkn_core::crypto::ec::CurveId;
use fkn_vtoken::vpcd::serve_vpcd;
use fkn_vtoken::{OsRandom, TokenConfig, TokenRandom, TokenState, VirtualToken};

use crate::opts::{Pin, parse_curve};
use crate::token_spec::TokenSpec;

/// `fkn token` subcommands.
#[derive(Subcommand, Debug)]
pub enum TokenCmd {
    /// Create a virtual token file: random serial, the two PINs (only their
    /// SESPAKE verifiers are stored), no keys. The file holds private keys in
    /// plain form once keys are made: development and tests only.
    Init(InitArgs),
    /// Serve a virtual token to a vsmartcard vpcd reader until killed, so
    /// PC/SC applications see it as a card in "Virtual PCD 00 00".
    Serve(ServeArgs),
}

/// Arguments of `fkn token init`.
#[derive(Args, Debug)]
pub struct InitArgs {
    /// Where to create it: virtual:PATH.
    #[arg(long, value_name = "T")]
    token: TokenSpec,

    /// The user PIN (signs, makes keys).
    #[arg(long, value_name = "PIN", env = "FKN_USER_PIN", hide_env_values = true)]
    user_pin: Pin,

    /// The admin PIN (unblocks the user PIN).
    #[arg(
        long,
        value_name = "PIN",
        env = "FKN_ADMIN_PIN",
        hide_env_values = true
    )]
    admin_pin: Pin,

    /// Token label (at most 32 bytes of UTF-8).
    #[arg(long, value_name = "L", default_value = "FKN virtual token")]
    label: String,

    /// Number of key slots.
    #[arg(long, value_name = "N", default_value_t = 16,
          value_parser = clap::value_parser!(u8).range(1..))]
    slots: u8,

    /// Curve of the SESPAKE PIN exchange (any of the seven, case-insensitive).
    #[arg(long, value_name = "CURVE", default_value = "tc26-256-a", value_parser = parse_curve)]
    pin_curve: CurveId,

    /// Accept extended-length APDUs (fewer exchanges for certificates and
    /// 16-digest signing on links that support them).
    #[arg(long)]
    extended_length: bool,

    /// Replace an existing file (its keys are lost).
    #[arg(long)]
    force: bool,
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
        TokenCmd::Init(args) => init(&args),
        TokenCmd::Serve(args) => serve(&args),
    }
}

fn init(args: &InitArgs) -> anyhow::Result<()> {
    let TokenSpec::Virtual(path) = &args.token else {
        bail!(
            "token init creates a virtual token, not {}; use --token virtual:PATH",
            args.token
        );
    };
    // Checked before the slow PIN derivations; VirtualToken::create checks again.
    if path.exists() && !args.force {
        bail!(
            "{} exists already; pass --force to replace it (its keys are lost)",
            path.display()
        );
    }
    let mut serial = [0u8; 8];
    OsRandom.fill_bytes(&mut serial);
    let config = TokenConfig {
        key_slots: usize::from(args.slots),
        extended_length: args.extended_length,
        ..TokenConfig::default()
    };
    let state = TokenState::with_pins(
        serial,
        &args.label,
        args.user_pin.expose(),
        args.admin_pin.expose(),
        args.pin_curve,
        &mut OsRandom,
    )?
    .with_config(config)?;
    if args.force {
        // Atomic replace: the old file stays whole until the new one is written.
        fkn_vtoken::store::save(path, &state)?;
    } else {
        VirtualToken::create(path, state)?;
    }
    println!(
        "created virtual token {}: serial {}, label {:?}, {} key slots, PINs on {}",
        path.display(),
        hex::encode_upper(serial),
        args.label,
        args.slots,
        args.pin_curve
    );
    Ok(())
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
