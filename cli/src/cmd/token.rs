//! `fkn token ...`: verbs that make or serve a virtual token as a whole.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use fkn_core::crypto::ec::CurveId;
use fkn_vtoken::vpcd::{VirtualCard, serve_vpcd};
use fkn_vtoken::{
    EmulatedRutoken, OsRandom, RutokenModel, TokenConfig, TokenRandom, TokenState, VirtualToken,
};

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
    /// PC/SC applications see it as a card in "Virtual PCD 00 00". With
    /// --card rutoken-ecp or rutoken-nfc: a fresh emulated Rutoken ECP in
    /// PKI mode instead (user PIN 12345678, admin PIN 87654321, no keys).
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

    /// Which card to serve: the OFP1 token, or a fresh in-memory emulated
    /// Rutoken ECP in PKI mode (plain ISO 7816, as OpenSC drives it; lost on
    /// exit), by its USB or NFC ATR.
    #[arg(long, value_enum, value_name = "CARD", default_value_t = ServedCard::Ofp1)]
    card: ServedCard,
}

/// The card `fkn token serve` puts into the vpcd reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ServedCard {
    /// The OFP1 virtual token (--token, or the development token).
    Ofp1,
    /// An emulated Rutoken ECP (USB ATR).
    RutokenEcp,
    /// An emulated Rutoken ECP SC NFC (contactless ATR).
    RutokenNfc,
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
    let model = match args.card {
        ServedCard::Ofp1 => None,
        ServedCard::RutokenEcp => Some(RutokenModel::Ecp),
        ServedCard::RutokenNfc => Some(RutokenModel::EcpScNfc),
    };
    if let Some(model) = model {
        if args.token.is_some() {
            bail!("--token names an OFP1 token; an emulated Rutoken is always fresh and in memory");
        }
        let mut card = EmulatedRutoken::new(model);
        log::info!(
            "serving a fresh emulated {model:?} (serial {}; user PIN 12345678, admin PIN 87654321), lost on exit",
            hex::encode_upper(card.serial())
        );
        return serve_until_stopped(&mut card, &args.vpcd);
    }
    let mut token = match &args.token {
        None => fresh_token()?,
        Some(TokenSpec::Virtual(path)) => VirtualToken::open(path)
            .with_context(|| format!("opening virtual token {}", path.display()))?,
        Some(other @ TokenSpec::Pcsc(_)) => {
            bail!("token serve serves a virtual token, not {other}; use --token virtual:PATH")
        }
    };
    serve_until_stopped(&mut token, &args.vpcd)
}

/// Serves `card` to vpcd at `vpcd` until SIGINT or SIGTERM.
fn serve_until_stopped(card: &mut dyn VirtualCard, vpcd: &str) -> anyhow::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed))
            .context("installing the SIGINT/SIGTERM handler")?;
    }
    log::info!("serving the card to vpcd at {vpcd}");
    serve_vpcd(card, vpcd, Some(stop)).with_context(|| format!("serving vpcd at {vpcd}"))?;
    log::info!("stopped");
    Ok(())
}

fn fresh_token() -> anyhow::Result<VirtualToken> {
    log::info!("serving a fresh in-memory development token (publicly known PINs)");
    Ok(VirtualToken::new(crate::dev_token::state()?))
}
