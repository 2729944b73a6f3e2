//! `fkn info` (what SELECT tells, plus token info with a PIN) and `fkn list`
//! (the keys on the token).

use clap::Args;
use fkn_core::token::PinRef;

use crate::opts::{Pin, hex_upper, show_id};
use crate::session;
use crate::token_spec::TokenOpt;

/// Arguments of `fkn info`.
#[derive(Args, Debug)]
pub struct InfoArgs {
    #[command(flatten)]
    token: TokenOpt,

    /// User PIN: also log in and show the free key slots (a wrong PIN
    /// costs an attempt).
    #[arg(long, value_name = "PIN", env = "FKN_PIN", hide_env_values = true)]
    pin: Option<Pin>,
}

/// Arguments of `fkn list`.
#[derive(Args, Debug)]
pub struct ListArgs {
    #[command(flatten)]
    token: TokenOpt,

    /// User PIN (listing runs inside the secure channel).
    #[arg(long, value_name = "PIN", env = "FKN_PIN", hide_env_values = true)]
    pin: Pin,
}

/// Prints serial, label, version, curves and PIN attempts from SELECT (one
/// exchange, no PIN); with `--pin`, logs in and adds the free key slots.
pub fn info(args: &InfoArgs) -> anyhow::Result<()> {
    let spec = args.token.spec();
    let mut s = session::open(&spec)?;
    let select = s.select_info().clone();
    println!("token:        {spec}");
    println!("serial:       {}", hex_upper(&select.serial));
    println!("label:        {:?}", select.label);
    println!("OFP1 version: {}", select.version);
    let curves: Vec<&str> = select.curves.iter().map(|c| c.name()).collect();
    println!("curves:       {}", curves.join(", "));
    for (name, pin) in [("user PIN", PinRef::User), ("admin PIN", PinRef::Admin)] {
        match select.password(pin) {
            Some(p) => println!(
                "{:<13} {} attempt(s) left{} (SESPAKE on {})",
                format!("{name}:"),
                p.attempts_left,
                if p.attempts_left == 0 {
                    ", BLOCKED"
                } else {
                    ""
                },
                p.curve
            ),
            None => println!("{:<13} not announced", format!("{name}:")),
        }
    }
    if let Some(pin) = &args.pin {
        s.authenticate(pin.expose())?;
        let info = s.token_info()?;
        println!("free slots:   {}", info.free_slots);
    }
    Ok(())
}

/// One line per key: id, curve, label, has-certificate, public key hex.
pub fn list(args: &ListArgs) -> anyhow::Result<()> {
    let spec = args.token.spec();
    let mut s = session::login(&spec, &args.pin)?;
    let keys = s.list_keys()?;
    if keys.is_empty() {
        eprintln!("no keys on the token");
    }
    for k in keys {
        println!(
            "id={} curve={} label={:?} certificate={} public-key={}",
            show_id(&k.id),
            k.curve,
            k.label,
            if k.has_certificate { "yes" } else { "no" },
            hex_upper(&k.public_key)
        );
    }
    Ok(())
}
