//! `fkn apdu HEX...`: raw APDUs to a token, responses printed as hex.

use anyhow::Context;
use clap::Args;

use crate::hexfmt::{format_response, parse_apdu};
use crate::token_spec::TokenOpt;

/// Arguments of `fkn apdu`.
#[derive(Args, Debug)]
pub struct ApduArgs {
    #[command(flatten)]
    token: TokenOpt,

    /// Command APDUs in hex, one per argument (spaces allowed inside quotes),
    /// e.g. "00A4040007F0464B4E4F503100".
    #[arg(value_name = "HEX", required = true)]
    apdus: Vec<String>,
}

/// Sends each APDU in order; prints `DATA  SW1 SW2` per response. A status
/// word other than 90 00 is printed, not an error; a link failure is.
pub fn run(args: &ApduArgs) -> anyhow::Result<()> {
    // Parse everything first: a typo must not leave half the APDUs sent.
    let apdus = args
        .apdus
        .iter()
        .map(|a| parse_apdu(a))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let spec = args.token.spec();
    let mut link = spec.open()?;
    for (i, apdu) in apdus.into_iter().enumerate() {
        let response = link
            .transceive(apdu)
            .with_context(|| format!("APDU {} to {spec}", i + 1))?;
        println!("{}", format_response(&response)?);
    }
    Ok(())
}
