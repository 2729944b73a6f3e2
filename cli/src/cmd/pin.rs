//! `fkn change-pin` and `fkn unblock-pin`. The new PIN never goes to the
//! token: only a fresh salt and the verifier `Q_PW` derived from it do.

use clap::Args;

use crate::opts::Pin;
use crate::session;
use crate::token_spec::TokenOpt;

/// Arguments of `fkn change-pin`.
#[derive(Args, Debug)]
pub struct ChangePinArgs {
    #[command(flatten)]
    token: TokenOpt,

    /// The current PIN (the user PIN, or the admin PIN with --admin).
    #[arg(long, value_name = "OLD", env = "FKN_PIN", hide_env_values = true)]
    pin: Pin,

    /// The new PIN.
    #[arg(long, value_name = "NEW")]
    new_pin: Pin,

    /// Change the admin PIN instead of the user PIN.
    #[arg(long)]
    admin: bool,
}

/// Arguments of `fkn unblock-pin`.
#[derive(Args, Debug)]
pub struct UnblockPinArgs {
    #[command(flatten)]
    token: TokenOpt,

    /// The admin PIN.
    #[arg(long, value_name = "A", env = "FKN_ADMIN_PIN", hide_env_values = true)]
    admin_pin: Pin,

    /// The new user PIN.
    #[arg(long, value_name = "NEW")]
    new_pin: Pin,
}

/// Logs in with the current PIN and sets the new one.
pub fn change(args: &ChangePinArgs) -> anyhow::Result<()> {
    let spec = args.token.spec();
    let mut s = if args.admin {
        session::login_admin(&spec, &args.pin)?
    } else {
        session::login(&spec, &args.pin)?
    };
    s.change_pin(args.new_pin.expose())?;
    println!("{} PIN changed", if args.admin { "admin" } else { "user" });
    Ok(())
}

/// Logs in with the admin PIN, sets a new user PIN and resets its counters.
pub fn unblock(args: &UnblockPinArgs) -> anyhow::Result<()> {
    let mut s = session::login_admin(&args.token.spec(), &args.admin_pin)?;
    s.unblock_pin(args.new_pin.expose())?;
    println!("user PIN unblocked and set");
    Ok(())
}
